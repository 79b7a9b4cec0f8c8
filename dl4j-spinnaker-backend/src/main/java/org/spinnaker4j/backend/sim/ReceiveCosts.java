package org.spinnaker4j.backend.sim;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * The cycles a core spends receiving a packet, by its key: the cost of the first of some key ranges that holds it,
 * else a default. The ranges' ends cut the keys into intervals, each with the cost of the first range holding it
 * (so overlapping ranges answer as a scan in order would), found by binary search: walking the profile's list of
 * ranges for every packet was 5 % of a CNN training's samples (JFR), and a scan of primitive arrays still 5 %.
 */
final class ReceiveCosts {

    /** The intervals' starts, ascending, each key with its sign bit flipped so that signed order is unsigned order. */
    private final int[] starts;
    /** The cost of the keys from {@code starts[i]} up to the next start (the last: beyond every range). */
    private final long[] costs;
    private final long otherwise;

    /** The costs of {@code ranges} (each {@code cost} of it), first match first, and {@code otherwise}. */
    <T> ReceiveCosts(List<SimCore.KeyClass<T>> ranges, ToLongFunction<SimCore.KeyClass<T>> cost, long otherwise) {
        TreeSet<Integer> ends = new TreeSet<>();
        for (SimCore.KeyClass<T> range : ranges) {
            ends.add(range.lo() ^ Integer.MIN_VALUE);
            ends.add(range.hi() ^ Integer.MIN_VALUE);
        }
        starts = ends.stream().mapToInt(Integer::intValue).toArray();
        costs = new long[starts.length];
        for (int i = 0; i < starts.length; i++) {
            int key = starts[i] ^ Integer.MIN_VALUE;
            costs[i] = ranges.stream().filter(r -> r.contains(key)).findFirst().map(cost::applyAsLong)
                    .orElse(otherwise);
        }
        this.otherwise = otherwise;
    }

    /** The cycles of receiving a packet with {@code key}. */
    long cycles(int key) {
        int at = Arrays.binarySearch(starts, key ^ Integer.MIN_VALUE);
        if (at < 0) {
            at = -at - 2; // the last start below the key
        }
        return at < 0 ? otherwise : costs[at];
    }
}
