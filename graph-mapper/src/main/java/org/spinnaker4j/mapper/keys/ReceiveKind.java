package org.spinnaker4j.mapper.keys;

/** What a receiving core does with the packets of a key range. */
public enum ReceiveKind {
    /** A forward value: an input, a partial sum, an activation, or (at the loss sink) a loss share. */
    DATA,
    /** A softmax peer's max, sum (and, in training, sum of e·y), by key offset 0, 1 (and 2). */
    SOFTMAX_SYNC,
    /** A label of the output layer. */
    LABEL,
    /** A delta dL/dz of the block's columns. */
    DELTA,
    /** A partial sum of dL/dy for the core's columns from a block of the next layer. */
    BACKWARD_PARTIAL,
    /** A packet the core receives but does not need (the baseline strategy's multicast backward pass). */
    IGNORE,
    /**
     * A peer's partial sums of squares of its gradient (an L2 gradient normalization); the local offset is the
     * peer's position among the parameter-owning cores of the layer (their order by vertex id).
     */
    NORM,
    /** Another kernel copy's shares of the parameters this one owns; the local offset is their share slot. */
    SHARE,
    /** New values of parameters another kernel copy owns; the local offset is their index in this block. */
    PARAM,
    /**
     * A batch normalization's per-channel partial sums from another block of its layer (after a 2-D convolution,
     * {@code BatchNormExchange}); the local offset is the peer's position among the layer's blocks (by vertex id).
     */
    BN_PARTIAL
}
