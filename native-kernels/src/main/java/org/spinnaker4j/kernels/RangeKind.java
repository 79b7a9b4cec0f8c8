package org.spinnaker4j.kernels;

/** What the packets of a {@link KeyRange} carry; {@link #code()} is the C value. */
public enum RangeKind {
    /** Input values: rows of a dense block, partial sums of a reduce, or values of a sink. */
    DATA,
    /**
     * A softmax peer's synchronisation packets: key offset 0 is its local max, offset 1 its local sum and, in
     * training (3-key ranges), offset 2 its backward dot {@code sum e_k y_k}.
     */
    SOFTMAX_SYNC,
    /** Training, unfused DENSE_BLOCK: {@code delta_j = dL/dz_j} of its columns (local index = j), once per sample. */
    DELTA,
    /**
     * Training, hidden-layer activator: partial sums of {@code dL/dy_j} from the next layer's blocks (local index
     * = j), {@code expectedBackwardPartials} per j per sample.
     */
    BACKWARD_PARTIAL,
    /** Training, output-layer activator: the labels {@code t_j} of its columns (local index = j), once per sample. */
    LABEL,
    /** Keys the core accepts and discards, only counting them ({@link KernelCore#discardedCount()}). */
    IGNORE,
    /**
     * Training, an L2 gradient normalization: a peer's partial sums of squares of its gradient
     * ({@link GradientNormalizationKind#normKeys()} keys); the local offset is the peer's position among the layer's
     * parameter-owning cores.
     */
    NORM,
    /**
     * Training, a kernel copy ({@link KernelCopyConfig}): another copy's shares of the parameters this one owns; the
     * local offset is the share slot, the sender's position × {@link KernelCopyConfig#owned()} + the owned offset.
     */
    SHARE,
    /**
     * Training, a kernel copy: new values of parameters another copy owns, written over this one's; the local offset
     * is the parameter's index (the weights row-major, then the bias).
     */
    PARAM,
    /**
     * Training, a batch normalization whose channels are spread over several blocks
     * ({@link BatchNormTrainingConfig#peers()} &gt; 1): another block's partial sums per channel, key offset {@code k}
     * its sum {@code k} of {@link BatchNormTrainingConfig#exchangeKeys()}; the local offset is that block's
     * {@link BatchNormTrainingConfig#peerIndex()} times {@link BatchNormTrainingConfig#exchangeKeys()} (its first sum's
     * slot: {@link KeyRange#batchNormPartial}).
     */
    BN_PARTIAL;

    /** The numeric code of this range kind in the C kernels. */
    public int code() {
        return switch (this) {
            case DATA -> KernelAbi.RANGE_DATA;
            case SOFTMAX_SYNC -> KernelAbi.RANGE_SOFTMAX_SYNC;
            case DELTA -> KernelAbi.RANGE_DELTA;
            case BACKWARD_PARTIAL -> KernelAbi.RANGE_BACKWARD_PARTIAL;
            case LABEL -> KernelAbi.RANGE_LABEL;
            case IGNORE -> KernelAbi.RANGE_IGNORE;
            case NORM -> KernelAbi.RANGE_NORM;
            case SHARE -> KernelAbi.RANGE_SHARE;
            case PARAM -> KernelAbi.RANGE_PARAM;
            case BN_PARTIAL -> KernelAbi.RANGE_BN_PARTIAL;
        };
    }
}
