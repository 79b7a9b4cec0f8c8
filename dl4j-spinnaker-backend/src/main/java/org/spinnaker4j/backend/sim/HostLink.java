package org.spinnaker4j.backend.sim;

/**
 * The host's connection to the board: how long moving a run's samples in and its results out
 * takes, a figure of its own beside the machine's time (a batch is written to SDRAM before the
 * run and its results read back after it). A SpiNN-5 board talks to its host over one 100 Mbit/s
 * Ethernet link to the SpiNNaker array (Manchester's hardware page); data goes in SCP writes of
 * at most 256 bytes, each in one frame with 92 bytes of Ethernet, IP, UDP, SDP and SCP overhead
 * (est. from the frame formats and SpiNNaker AppNotes 4 and 5), so at best 256/348 of the line
 * rate carries data. Acknowledgements and the host's and SCAMP's processing are not counted:
 * this is an upper bound on throughput, a lower bound on time.
 */
record HostLink(double lineBitsPerSecond, double payloadFraction) {

    /** A SpiNN-5 board's Ethernet link, carrying 256-byte SCP writes. */
    static final HostLink SPINN5_ETHERNET = new HostLink(100e6, 256.0 / 348.0);

    /** Seconds to move {@code floats} 32-bit values over the link. */
    double seconds(long floats) {
        return floats * 32.0 / (lineBitsPerSecond * payloadFraction);
    }
}
