package org.spinnaker4j.backend.sim;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The cycles a core spends receiving a packet, by its key: the cost of the first of some key ranges that holds it,
 * else a default. The ranges are kept as primitive arrays, and a range test is one unsigned comparison: walking the
 * profile's list of ranges for every packet was 5 % of a CNN training's samples (JFR).
 */
final class ReceiveCosts {

    private final int[] lo;
    /** Range k holds key if {@code key - lo[k]} is below {@code width[k]}, unsigned (0 for an empty range). */
    private final int[] width;
    private final long[] cycles;
    private final long otherwise;

    /** The costs of {@code ranges} (each {@code cost} of it), first match first, and {@code otherwise}. */
    <T> ReceiveCosts(List<SimCore.KeyClass<T>> ranges, ToLongFunction<SimCore.KeyClass<T>> cost, long otherwise) {
        int n = ranges.size();
        lo = new int[n];
        width = new int[n];
        cycles = new long[n];
        for (int k = 0; k < n; k++) {
            SimCore.KeyClass<T> range = ranges.get(k);
            lo[k] = range.lo();
            width[k] = Integer.compareUnsigned(range.lo(), range.hi()) < 0 ? range.hi() - range.lo() : 0;
            cycles[k] = cost.applyAsLong(range);
        }
        this.otherwise = otherwise;
    }

    /** The cycles of receiving a packet with {@code key}. */
    long cycles(int key) {
        for (int k = 0; k < lo.length; k++) {
            if (Integer.compareUnsigned(key - lo[k], width[k]) < 0) {
                return cycles[k];
            }
        }
        return otherwise;
    }
}
