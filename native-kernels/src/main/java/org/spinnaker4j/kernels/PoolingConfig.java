package org.spinnaker4j.kernels;

/**
 * A pooling block: a fused {@link KernelKind#DENSE_BLOCK} without weights (but a NORM's), for inference. Its rows
 * are whole image rows of {@code width} pixels of {@code channels} channels (row i is channel i mod channels of pixel (i / channels)
 * mod width; along a sequence a row is one position, a pixel wide), and its column j is output pixel
 * (first + j) / channels, channel (first + j) mod channels, of an output row of {@code outWidth} pixels. That output
 * pools its channel at pixels ox·strideW − padW ... + kernelW − 1 of every row (those outside the row being padding),
 * rows first, pixels next: {@link PoolingKind#MAX} from {@code start} up, {@link PoolingKind#AVG} their sum divided
 * by {@code divisor} times kernelW if {@code padInDivisor}, else times the window's pixels in a row;
 * {@link PoolingKind#NORM} (one position: one row of one pixel) normalizes its channel's value with the block's
 * {@link PoolingKind#NORM_ROWS} rows of weights (the only pooling block that has any).
 *
 * @param kind MAX, AVG or NORM
 * @param channels the channels of each pixel
 * @param first the (pixel, channel) index, pixel·channels + channel, of the block's column 0 in its output row
 * @param start MAX's starting value (not NaN; 0 for AVG and NORM)
 * @param divisor AVG's divisor of the rows (at least 1; 0 for MAX and NORM)
 * @param width the pixels of an input row (1 along a sequence)
 * @param kernelW the window's pixels in a row (1 along a sequence)
 * @param strideW the stride between output pixels (1 along a sequence)
 * @param padW the padding before a row's first pixel (0 along a sequence)
 * @param outWidth the pixels of an output row (1 along a sequence)
 * @param padInDivisor AVG only: whether the padding's pixels count in the divisor
 */
public record PoolingConfig(PoolingKind kind, int channels, int first, float start, int divisor, int width,
        int kernelW, int strideW, int padW, int outWidth, boolean padInDivisor) {

    /** Sizes of a row, a window and a divisor the kernel takes: each below 2^16. */
    private static final int LIMIT = 1 << 16;

    /** Validates the fields. */
    public PoolingConfig {
        if (kind == null || channels < 1 || width < 1 || kernelW < 1 || strideW < 1 || padW < 0 || outWidth < 1
                || channels >= LIMIT || width >= LIMIT || kernelW >= LIMIT || strideW >= LIMIT || padW >= LIMIT
                || outWidth >= LIMIT || first < 0 || first >= (long) outWidth * channels) {
            throw new IllegalArgumentException("a pooling block needs a kind, sizes in [1, 2^16) and a first column "
                    + "in [0, outWidth × channels), got " + kind + ", " + first + " of " + outWidth + " × " + channels
                    + ", row " + width + ", kernel " + kernelW + ", stride " + strideW + ", padding " + padW);
        }
        if (padW >= kernelW || (long) (outWidth - 1) * strideW >= (long) width + padW) {
            throw new IllegalArgumentException("every output pixel's window must cover a pixel of the row: row "
                    + width + ", kernel " + kernelW + ", stride " + strideW + ", padding " + padW + ", " + outWidth
                    + " output pixels");
        }
        if (kind == PoolingKind.MAX ? Float.isNaN(start) || divisor != 0 || padInDivisor
                : kind == PoolingKind.AVG ? divisor < 1 || divisor >= LIMIT || Float.floatToRawIntBits(start) != 0
                : divisor != 0 || Float.floatToRawIntBits(start) != 0 || padInDivisor) {
            throw new IllegalArgumentException("MAX needs a start that is not NaN and no divisor, AVG a divisor in "
                    + "[1, 2^16) and start 0, NORM neither; got " + kind + " from " + start + " / " + divisor
                    + (padInDivisor ? " counting the padding" : ""));
        }
        if (kind == PoolingKind.NORM && (width != 1 || kernelW != 1 || strideW != 1 || padW != 0 || outWidth != 1)) {
            throw new IllegalArgumentException("a NORM block takes one position (a row of one pixel, its window that "
                    + "pixel), got row " + width + ", kernel " + kernelW + ", stride " + strideW + ", padding " + padW
                    + ", " + outWidth + " output pixels");
        }
    }

    /** MAX over each channel's rows of a sequence from {@code start} up. */
    public static PoolingConfig max(int channels, int firstChannel, float start) {
        return new PoolingConfig(PoolingKind.MAX, channels, firstChannel, start, 0, 1, 1, 1, 0, 1, false);
    }

    /**
     * A batch normalization of one position of {@code channels} channels (the block's rows), its columns from
     * {@code firstChannel} on.
     */
    public static PoolingConfig norm(int channels, int firstChannel) {
        return new PoolingConfig(PoolingKind.NORM, channels, firstChannel, 0f, 0, 1, 1, 1, 0, 1, false);
    }

    /** The sum of each channel's rows of a sequence divided by {@code divisor}. */
    public static PoolingConfig avg(int channels, int firstChannel, int divisor) {
        return new PoolingConfig(PoolingKind.AVG, channels, firstChannel, 0f, divisor, 1, 1, 1, 0, 1, false);
    }

    /**
     * This pooling across image rows of {@code width} pixels, {@code first} the block's first (pixel, channel) of its
     * output row.
     */
    public PoolingConfig acrossRows(int first, int width, int kernelW, int strideW, int padW, int outWidth,
            boolean padInDivisor) {
        return new PoolingConfig(kind, channels, first, start, divisor, width, kernelW, strideW, padW, outWidth,
                padInDivisor);
    }
}
