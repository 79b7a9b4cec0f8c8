package org.spinnaker4j.kernels;

/**
 * A pooling block: a fused {@link KernelKind#DENSE_BLOCK} without weights, for inference. Its rows are whole
 * positions of {@code channels} channels (row i is channel i mod channels), its column j is channel
 * {@code firstChannel + j}, and output j pools its channel's rows: {@link PoolingKind#MAX} from {@code start} up,
 * {@link PoolingKind#AVG} their sum divided by {@code divisor}; {@link PoolingKind#NORM} normalizes its channel's
 * one row with the block's {@link PoolingKind#NORM_ROWS} rows of weights (the only pooling block that has any).
 *
 * @param kind MAX or AVG
 * @param channels the channels of each position in the block's rows
 * @param firstChannel the channel of the block's column 0
 * @param start MAX's starting value (not NaN; 0 for AVG)
 * @param divisor AVG's divisor (at least 1; 0 for MAX)
 */
public record PoolingConfig(PoolingKind kind, int channels, int firstChannel, float start, int divisor) {

    /** Validates the fields. */
    public PoolingConfig {
        if (kind == null || channels < 1 || firstChannel < 0 || firstChannel >= channels) {
            throw new IllegalArgumentException("a pooling block needs a kind and a first channel in [0, channels), "
                    + "got " + kind + ", " + firstChannel + " of " + channels);
        }
        if (kind == PoolingKind.MAX ? Float.isNaN(start) || divisor != 0
                : kind == PoolingKind.AVG ? divisor < 1 || Float.floatToRawIntBits(start) != 0
                : divisor != 0 || Float.floatToRawIntBits(start) != 0) {
            throw new IllegalArgumentException("MAX needs a start that is not NaN and no divisor, AVG a divisor ≥ 1 "
                    + "and start 0, NORM neither; got " + kind + " from " + start + " / " + divisor);
        }
    }

    /** MAX over each channel's rows from {@code start} up. */
    public static PoolingConfig max(int channels, int firstChannel, float start) {
        return new PoolingConfig(PoolingKind.MAX, channels, firstChannel, start, 0);
    }

    /**
     * A batch normalization of one position of {@code channels} channels (the block's rows), its columns from
     * {@code firstChannel} on.
     */
    public static PoolingConfig norm(int channels, int firstChannel) {
        return new PoolingConfig(PoolingKind.NORM, channels, firstChannel, 0f, 0);
    }

    /** The sum of each channel's rows divided by {@code divisor}. */
    public static PoolingConfig avg(int channels, int firstChannel, int divisor) {
        return new PoolingConfig(PoolingKind.AVG, channels, firstChannel, 0f, divisor);
    }
}
