package org.spinnaker4j.kernels;

/** What a pooling block computes over each channel's rows; {@link #code()} is the value the C kernels use. */
public enum PoolingKind {
    /** The largest value, from a starting value up; a value counts only if it is greater (NaN never does). */
    MAX,
    /** The sum in row order (float, from 0), divided by a divisor. */
    AVG,
    /**
     * A batch normalization of one position: each column's value ((x − mean) / std) · gamma, then its bias (beta),
     * from {@link #NORM_ROWS} rows of weights: gamma, mean, DL4J's statistic (held for reading back), std.
     */
    NORM;

    /** The rows of a batch normalization block's weights (gamma, mean, DL4J's statistic, std), of its columns. */
    public static final int NORM_ROWS = KernelAbi.NORM_ROWS;

    /** The numeric code of this kind in the C kernels. */
    public int code() {
        return switch (this) {
            case MAX -> KernelAbi.POOL_MAX;
            case AVG -> KernelAbi.POOL_AVG;
            case NORM -> KernelAbi.POOL_NORM;
        };
    }
}
