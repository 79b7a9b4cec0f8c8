package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.machine.MachineTiming;

/**
 * A chip's SDRAM interface: DMAs asked for in time order go back to back after their latency; a DMA a core will start
 * later (a block's write, asked for when its completion's event runs) keeps its stretch, and one asked for after it
 * but starting earlier goes in the gap before it if it fits, else after it; the partial sums written come back oldest
 * first, key by key.
 */
class SdramInterfaceTest {

    private static final MachineTiming TIMING = MachineTiming.SPINNAKER1;
    private static final long LATENCY = TIMING.dmaLatencyPs();
    private static final long WORD = TIMING.sdramWordPs();

    @Test
    void dmasAskedInTimeOrderGoBackToBack() {
        SdramInterface sdram = new SdramInterface(TIMING);
        assertEquals(LATENCY + 10 * WORD, sdram.read(0, 10));
        assertEquals(LATENCY + 20 * WORD, sdram.read(WORD, 10), "behind the first");
        long later = 10 * LATENCY;
        assertEquals(later + LATENCY + 5 * WORD, sdram.read(later, 5), "the interface free again");
    }

    @Test
    void aDmaAskedAheadKeepsItsStretchAndOthersFillTheGapBeforeIt() {
        SdramInterface sdram = new SdramInterface(TIMING);
        long start = 100 * LATENCY;
        long written = sdram.dma(0, start, 10);
        assertEquals(start + LATENCY + 10 * WORD, written, "the write asked ahead of its start");
        assertEquals(LATENCY + 10 * WORD, sdram.read(0, 10), "a read before it, in the gap");
        long justBefore = start + LATENCY - 5 * WORD - LATENCY;
        assertEquals(written + 10 * WORD, sdram.read(justBefore, 10), "a read that would overlap it goes after it");
        // asked for once every stretch is over, nothing is left to wait behind
        long after = written + 20 * WORD;
        assertEquals(after + LATENCY + WORD, sdram.read(after, 1));
    }

    @Test
    void partialSumsComeBackOldestFirstKeyByKey() {
        SdramInterface sdram = new SdramInterface(TIMING);
        sdram.post(7, new int[] {1, 2});
        sdram.post(9, new int[] {5});
        sdram.post(7, new int[] {3, 4});
        assertArrayEquals(new int[] {1, 2}, sdram.take(7));
        assertArrayEquals(new int[] {5}, sdram.take(9));
        assertArrayEquals(new int[] {3, 4}, sdram.take(7));
        assertThrows(IllegalStateException.class, () -> sdram.take(7), "none written under key 7 any more");
        sdram.post(7, new int[] {6});
        sdram.reset();
        assertThrows(IllegalStateException.class, () -> sdram.take(7), "reset empties it");
    }
}
