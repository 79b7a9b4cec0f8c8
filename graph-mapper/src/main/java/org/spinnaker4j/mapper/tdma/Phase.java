package org.spinnaker4j.mapper.tdma;

import org.spinnaker4j.mapper.graph.OutgoingPartition;

/** The parts of a time step, each with its own sending windows, in the order they run. */
public enum Phase {
    /** Softmax synchronisation of a forward stage: local maxima and sums (keys 0 and 1). */
    SYNC,
    /** Forward values and labels. */
    FORWARD,
    /** Softmax synchronisation of a backward stage: local sums of e·y (key 2). */
    BACKWARD_SYNC,
    /** Deltas, backward partial sums and loss shares. */
    BACKWARD,
    /**
     * Once per mini-batch, after the last sample's backward pass: the partial sums of squares of an L2 gradient
     * normalization; its slots count from the exchange's start.
     */
    NORM,
    /**
     * Once per mini-batch, after {@link #NORM}: the kernel copies' shares of their owners' chunks; its slots count
     * from the exchange's start.
     */
    SHARE,
    /** Once per mini-batch, after the update: the owners' new parameters to their chunks' holders. */
    PARAM,
    /**
     * At a batch normalization's segment boundaries (after a 2-D convolution), each round of its blocks' exchange of
     * per-channel partial sums; its slots count from the round's start.
     */
    BATCH_NORM;

    /** Whether this phase runs once per mini-batch, timed from its own start, rather than in every sample's step. */
    public boolean perMiniBatch() {
        return this == NORM || this == SHARE || this == PARAM || this == BATCH_NORM;
    }

    /** Whether this phase belongs to the backward pass. */
    public boolean backward() {
        return this == BACKWARD_SYNC || this == BACKWARD;
    }

    /** The phase in which the packet with key offset {@code atom} of partition {@code p} is sent. */
    public static Phase of(OutgoingPartition p, int atom) {
        return switch (p.kind()) {
            case FORWARD, LABEL -> FORWARD;
            case SOFTMAX_SYNC -> atom < 2 ? SYNC : BACKWARD_SYNC;
            case DELTA, BACKWARD, LOSS -> BACKWARD;
            case NORM -> NORM;
            case SHARE -> SHARE;
            case PARAM -> PARAM;
            case BATCH_NORM -> BATCH_NORM;
        };
    }

    /** How many of the partition's packets go in this phase (of one through SDRAM, its one packet's). */
    public int packets(OutgoingPartition p) {
        if (p.throughSdram()) {
            return of(p, 0) == this ? p.packets() : 0;
        }
        int n = 0;
        for (int atom = 0; atom < p.nKeys(); atom++) {
            if (of(p, atom) == this) {
                n++;
            }
        }
        return n;
    }
}
