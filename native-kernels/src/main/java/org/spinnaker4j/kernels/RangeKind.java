package org.spinnaker4j.kernels;

/** What the packets of a {@link KeyRange} carry; {@link #code()} is the C value. */
public enum RangeKind {
    /** Input values: rows of a dense block, partial sums of a reduce, or values of a sink. */
    DATA(0),
    /**
     * A softmax peer's synchronisation packets: key offset 0 is its local max, offset 1 its local sum and, in
     * training (3-key ranges), offset 2 its backward dot {@code sum e_k y_k}.
     */
    SOFTMAX_SYNC(1),
    /** Training, unfused DENSE_BLOCK: {@code delta_j = dL/dz_j} of its columns (local index = j), once per sample. */
    DELTA(2),
    /**
     * Training, hidden-layer activator: partial sums of {@code dL/dy_j} from the next layer's blocks (local index
     * = j), {@code expectedBackwardPartials} per j per sample.
     */
    BACKWARD_PARTIAL(3),
    /** Training, output-layer activator: the labels {@code t_j} of its columns (local index = j), once per sample. */
    LABEL(4),
    /** Keys the core accepts and discards, only counting them ({@link KernelCore#discardedCount()}). */
    IGNORE(5);

    private final int code;

    RangeKind(int code) {
        this.code = code;
    }

    /** The numeric code of this range kind in the C kernels. */
    public int code() {
        return code;
    }
}
