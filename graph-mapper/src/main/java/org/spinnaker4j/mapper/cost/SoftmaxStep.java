package org.spinnaker4j.mapper.cost;

/**
 * The steps of a softmax spread over several cores, as each activating core does them (each measured on its
 * own, per output, in the cost table): forward, the completion ({@link #MAX}), then, once the peers' maxima are
 * in, {@link #SUM}, and once their sums are in, {@link #NORMALISE}; backward, {@link #DOT} once its backward
 * partials are in, then {@link #DELTAS} once the peers' dots are.
 */
public enum SoftmaxStep {
    /** Sum the partials, add the bias, find the local maximum and send it. */
    MAX,
    /** The exponentials with the global maximum and their local sum, sent. */
    SUM,
    /** Divide by the total and send the outputs. */
    NORMALISE,
    /** The local dot of the errors and outputs, sent. */
    DOT,
    /** The deltas with the total dot: derivative, db, deltas sent. */
    DELTAS
}
