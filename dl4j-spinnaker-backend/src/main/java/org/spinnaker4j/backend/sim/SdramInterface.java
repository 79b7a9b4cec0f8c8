package org.spinnaker4j.backend.sim;

import org.spinnaker4j.mapper.machine.MachineTiming;

/**
 * One chip's SDRAM interface as its cores' DMAs see it: a read waits for the DMA's latency, then its words go
 * through the interface one after another, behind the words of the reads that came before it (the chip's cores share
 * the interface's bandwidth).
 */
final class SdramInterface {

    private final MachineTiming timing;
    /** When the interface has carried every word asked for so far. */
    private long freePs;

    SdramInterface(MachineTiming timing) {
        this.timing = timing;
    }

    /** A DMA of {@code words} words asked for at {@code nowPs}: when its last word is in the core's DTCM. */
    long read(long nowPs, int words) {
        freePs = Math.max(nowPs + timing.dmaLatencyPs(), freePs) + words * timing.sdramWordPs();
        return freePs;
    }

    void reset() {
        freePs = 0;
    }
}
