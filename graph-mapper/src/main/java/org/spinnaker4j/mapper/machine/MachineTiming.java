package org.spinnaker4j.mapper.machine;

import java.io.Serializable;

/**
 * How fast the machine's clocks and links are. The partitioner (a mapping's time bound), the
 * TDMA scheduler and the simulator all read these figures, so all three time the same machine.
 * Sources: docs/machine-model.md.
 *
 * @param coreClockPs   one ARM968 clock: 5 ns at 200 MHz (SCAMP {@code pll_init})
 * @param routerCyclePs one router cycle: 7.5 ns at ≈ 133 MHz (SCAMP {@code pll_init}: "system bus and router at 133")
 * @param linkPacketPs  a 72-bit multicast packet on a chip-to-chip link: 380 ns (AppNote 7: 18 data symbols and
 *                      the end-of-packet symbol, ≈ 20 ns each)
 * @param sdramWordPs   a 32-bit word through a chip's SDRAM interface, which its cores' DMAs share: 4 ns at the
 *                      1 GB/s the chip sustains (datasheet: "over 1 GB/s")
 * @param dmaLatencyPs  from a core's DMA request to its first word: 250 ns (est.: one SDRAM access takes over
 *                      100 ns, S. Temple, "SpiNNaker chip resources", SpiNNaker workshop 2015)
 */
public record MachineTiming(long coreClockPs, long routerCyclePs, long linkPacketPs, long sdramWordPs,
        long dmaLatencyPs) implements Serializable {

    /** SpiNNaker1 at SCAMP's clocks. */
    public static final MachineTiming SPINNAKER1 = new MachineTiming(5_000, 7_500, 380_000, 4_000, 250_000);

    public MachineTiming {
        if (coreClockPs < 1 || routerCyclePs < 1 || linkPacketPs < 1 || sdramWordPs < 1 || dmaLatencyPs < 0) {
            throw new IllegalArgumentException("Expected positive times, got core clock " + coreClockPs
                    + " ps, router cycle " + routerCyclePs + " ps, link packet " + linkPacketPs + " ps, SDRAM word "
                    + sdramWordPs + " ps, DMA latency " + dmaLatencyPs + " ps");
        }
    }

    /** SpiNNaker1's SDRAM and DMA with these clocks and links (a test's slower links, say). */
    public MachineTiming(long coreClockPs, long routerCyclePs, long linkPacketPs) {
        this(coreClockPs, routerCyclePs, linkPacketPs, SPINNAKER1.sdramWordPs, SPINNAKER1.dmaLatencyPs);
    }

    /**
     * Core clocks from a DMA request for {@code words} words to its last word in DTCM when the chip's SDRAM interface
     * also carries {@code wordsBefore} words of other DMAs first, rounded up.
     */
    public long dmaClocks(long wordsBefore, long words) {
        long ps = dmaLatencyPs + (wordsBefore + words) * sdramWordPs;
        return (ps + coreClockPs - 1) / coreClockPs;
    }

    /** Core clocks a chip's SDRAM interface takes to carry {@code words} 32-bit words, rounded up. */
    public long sdramClocks(long words) {
        return (words * sdramWordPs + coreClockPs - 1) / coreClockPs;
    }

    /** Core clocks a packet occupies a chip-to-chip link, rounded up (76). */
    public long linkClocks() {
        return (linkPacketPs + coreClockPs - 1) / coreClockPs;
    }

    /** Core clocks of one router cycle, rounded up (2). */
    public long routerClocks() {
        return (routerCyclePs + coreClockPs - 1) / coreClockPs;
    }

    /** Core clocks as microseconds. */
    public double microseconds(double coreClocks) {
        return coreClocks * coreClockPs / 1e6;
    }
}
