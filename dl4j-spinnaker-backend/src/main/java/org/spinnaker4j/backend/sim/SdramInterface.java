package org.spinnaker4j.backend.sim;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.spinnaker4j.mapper.machine.MachineTiming;

/**
 * One chip's SDRAM interface as its cores' DMAs see it: a DMA (a read, or a write of the same length) waits for the
 * DMA's latency, then its words go through the interface one after another, in the first stretch of time no DMA asked
 * for before it takes (the chip's cores share the interface's bandwidth). A DMA may be asked for ahead of its time (a
 * block's write of its partial sums, at the end of the completion it is charged with), so a DMA asked for later may
 * still go before it. It also holds what its blocks wrote there for their reduces: each block's partial sums of a
 * sample, in the order written, until its reduce reads them back.
 */
final class SdramInterface {

    private final MachineTiming timing;
    /** The stretches the interface carries words in, start to end, none overlapping; those over by now dropped. */
    private final TreeMap<Long, Long> busy = new TreeMap<>();
    /** By first key, the partial sums written and not yet read, oldest first. */
    private final Map<Integer, ArrayDeque<int[]>> partials = new HashMap<>();

    SdramInterface(MachineTiming timing) {
        this.timing = timing;
    }

    /** A DMA of {@code words} words asked for now, at {@code nowPs}: {@link #dma dma(nowPs, nowPs, words)}. */
    long read(long nowPs, int words) {
        return dma(nowPs, nowPs, words);
    }

    /**
     * A DMA of {@code words} words, a read or a write, that a core will start at {@code startPs}, asked for at
     * {@code nowPs} (no later than it starts; no DMA is asked for before the time of the last one asked for): when its
     * last word is in the core's DTCM, or in SDRAM.
     */
    long dma(long nowPs, long startPs, int words) {
        busy.headMap(nowPs, true).entrySet().removeIf(e -> e.getValue() <= nowPs);
        long length = words * timing.sdramWordPs();
        long start = startPs + timing.dmaLatencyPs();
        Long from = busy.floorKey(start);
        for (Map.Entry<Long, Long> e : (from == null ? busy : busy.tailMap(from, true)).entrySet()) {
            if (e.getKey() >= start + length) {
                break;
            }
            start = Math.max(start, e.getValue());
        }
        if (length > 0) {
            busy.put(start, start + length);
        }
        return start + length;
    }

    /** A block's partial sums of a sample, keys from {@code key} on, written to SDRAM. */
    void post(int key, int[] words) {
        partials.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(words);
    }

    /** The oldest partial sums written under {@code key} and not yet read. */
    int[] take(int key) {
        ArrayDeque<int[]> written = partials.get(key);
        if (written == null || written.isEmpty()) {
            throw new IllegalStateException(String.format("partial sums of key 0x%08x read from SDRAM before any were "
                    + "written: a simulator bug", key));
        }
        return written.removeFirst();
    }

    void reset() {
        busy.clear();
        partials.clear();
    }
}
