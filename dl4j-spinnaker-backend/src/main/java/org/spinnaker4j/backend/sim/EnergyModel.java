package org.spinnaker4j.backend.sim;

/**
 * An energy estimate from published SpiNNaker figures (SpiNNMachine's power model): idle power
 * of every chip used, extra power of each core while busy, and energy per bit each router moves.
 */
final class EnergyModel {

    /** Idle power of a chip (SpiNNMachine version_spin1: 0.35 W). */
    static final double IDLE_CHIP_WATTS = 0.35;
    /** Extra power of a busy core (SpiNNMachine WATTS_PER_CORE_ACTIVE_OVERHEAD: 0.034 W). */
    static final double ACTIVE_CORE_WATTS = 0.034;
    /** Energy per bit per router (SpiNNMachine JOULES_PER_ROUTER_BIT: 25 pJ). */
    static final double JOULES_PER_ROUTER_BIT = 25e-12;
    /** Bits of a multicast packet with payload. */
    static final int PACKET_BITS = 72;

    private EnergyModel() {
    }

    static double joules(long chips, double seconds, double busyCoreSeconds, long routerHops) {
        return chips * IDLE_CHIP_WATTS * seconds + ACTIVE_CORE_WATTS * busyCoreSeconds
                + routerHops * (double) PACKET_BITS * JOULES_PER_ROUTER_BIT;
    }
}
