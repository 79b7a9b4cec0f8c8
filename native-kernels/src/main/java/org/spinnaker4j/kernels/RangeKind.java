package org.spinnaker4j.kernels;

/** What the packets of a {@link KeyRange} carry; {@link #code()} is the C value. */
public enum RangeKind {
    /** Input values: rows of a dense block, partial sums of a reduce, or values of a sink. */
    DATA(0),
    /** A softmax peer's synchronisation packets: key offset 0 is its local max, offset 1 its local sum. */
    SOFTMAX_SYNC(1);

    private final int code;

    RangeKind(int code) {
        this.code = code;
    }

    /** The numeric code of this range kind in the C kernels. */
    public int code() {
        return code;
    }
}
