package org.spinnaker4j.mapper.graph;

/** What the packets of an outgoing partition carry; phases never share a partition. */
public enum PartitionKind {
    /** Forward values: inputs, partial sums or activations, one key per value. */
    FORWARD,
    /**
     * Softmax synchronisation between the cores of one layer: key 0 the local max, key 1 the
     * local sum, and in training key 2 the local sum of e·y for the backward pass.
     */
    SOFTMAX_SYNC,
    /** Training: labels, one key per value, to the output layer's activating cores. */
    LABEL,
    /** Training: an activating core's deltas dL/dz, one key per column, to the blocks of its columns. */
    DELTA,
    /** Training: a block's partial sums W·delta, one key per row, to the previous layer's activating cores. */
    BACKWARD,
    /** Training: an output-layer core's share of the loss, one key, to the loss sink. */
    LOSS,
    /**
     * Training with an L2 gradient normalization, once per mini-batch: a parameter-owning core's partial sums of
     * squares of its gradient (one key per layer, two per param type) to the other parameter-owning cores of its
     * layer.
     */
    NORM,
    /**
     * Training, once per mini-batch: a convolution's kernel copy's shares (its accumulated gradient) of the parameters
     * one other copy owns, to that owner ({@link org.spinnaker4j.mapper.partition.KernelCopies}); atom a is share slot
     * {@code values.lo + a} of the owner's table (the sender's position × the owner's owned parameters + the owned
     * offset).
     */
    SHARE,
    /**
     * Training, once per mini-batch after the update: a chunk's new parameters from its owner to its other holders;
     * atom a is the slice's flat parameter {@code values.lo + a}.
     */
    PARAM,
    /**
     * Training with a batch normalization after a 2-D convolution, in rounds at the mini-batch's segment boundaries: a
     * NORM block's per-channel partial sums of the mini-batch to every other block of its layer
     * ({@link org.spinnaker4j.mapper.partition.BatchNormExchange}: {@code SUMS_PER_CHANNEL} keys per channel of the
     * layer's image, the three rounds' sums at offsets of their own).
     */
    BATCH_NORM;

    /**
     * Whether this kind's packets are a sample's backward pass to the core that receives them: labels, deltas,
     * backward partial sums and loss shares, which it files at {@code CoreCostModel.backwardPacketCycles}.
     */
    public boolean backwardPass() {
        return this == LABEL || this == DELTA || this == BACKWARD || this == LOSS;
    }

    /** Whether this kind's packets are sent once per mini-batch (or per segment of it) rather than per sample. */
    public boolean perMiniBatch() {
        return this == NORM || this == SHARE || this == PARAM || this == BATCH_NORM;
    }
}
