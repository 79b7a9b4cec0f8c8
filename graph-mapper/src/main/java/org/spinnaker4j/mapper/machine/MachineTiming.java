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
 */
public record MachineTiming(long coreClockPs, long routerCyclePs, long linkPacketPs) implements Serializable {

    /** SpiNNaker1 at SCAMP's clocks. */
    public static final MachineTiming SPINNAKER1 = new MachineTiming(5_000, 7_500, 380_000);

    public MachineTiming {
        if (coreClockPs < 1 || routerCyclePs < 1 || linkPacketPs < 1) {
            throw new IllegalArgumentException("Expected positive times, got core clock " + coreClockPs
                    + " ps, router cycle " + routerCyclePs + " ps, link packet " + linkPacketPs + " ps");
        }
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
