package org.spinnaker4j.kernels;

/** What a pooling block computes over each channel's rows; {@link #code()} is the value the C kernels use. */
public enum PoolingKind {
    /** The largest value, from a starting value up; a value counts only if it is greater (NaN never does). */
    MAX,
    /** The sum in row order (float, from 0), divided by a divisor. */
    AVG;

    /** The numeric code of this kind in the C kernels. */
    public int code() {
        return switch (this) {
            case MAX -> KernelAbi.POOL_MAX;
            case AVG -> KernelAbi.POOL_AVG;
        };
    }
}
