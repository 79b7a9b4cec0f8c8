package org.spinnaker4j.kernels;

/**
 * A block of a 2-D convolution run along the image's rows: a fused {@link KernelKind#DENSE_BLOCK} whose rows are
 * whole input rows of {@code width} columns of {@code channelsIn} channels (row i is channel i mod channelsIn of
 * column (i / channelsIn) mod width of the field's (i / (width·channelsIn))-th input row) and whose column j is
 * output channel (firstColumn + j) mod channelsOut of output column (firstColumn + j) / channelsOut. It holds the
 * kernel of {@code channels} output channels from {@code firstChannel} once, weight ((r·kernelW + kx)·channelsIn +
 * in)·channels + k for the field's input row r, and multiplies input column x into output column ox with kernel
 * column kx = x + pad − ox·stride where that lies in [0, kernelW).
 *
 * @param kernelW the kernel's width
 * @param width the input image's width
 * @param channelsIn the input's channels
 * @param stride the stride along the row
 * @param pad the padding on the left of the row
 * @param channelsOut the layer's output channels
 * @param firstColumn the output row's index (ox·channelsOut + channel) of the block's column 0
 * @param firstChannel the first output channel of the kernel the block holds
 * @param channels the output channels of the kernel the block holds: every column's, which are those of one output
 *        column, or every channel if its columns span several
 */
public record RowConvConfig(int kernelW, int width, int channelsIn, int stride, int pad, int channelsOut,
        int firstColumn, int firstChannel, int channels) {

    /** Validates the fields. */
    public RowConvConfig {
        if (kernelW < 1 || kernelW > 0xFFFF || width < 1 || channelsIn < 1 || stride < 1 || pad < 0 || pad > 0xFFFF
                || channelsOut < 1 || channelsOut > 0xFFFF || firstColumn < 0 || firstChannel < 0 || channels < 1
                || firstChannel + channels > channelsOut) {
            throw new IllegalArgumentException("a row convolution needs positive sizes (kernel, padding and channels "
                    + "out below 65536) and its channels among the layer's, got kernel "
                    + kernelW + ", width " + width + " x " + channelsIn + ", stride " + stride + ", pad " + pad
                    + ", channels " + firstChannel + " + " + channels + " of " + channelsOut + " from column "
                    + firstColumn);
        }
    }

    /** The weights a block of {@code nRows} rows holds: its input rows' kernel rows for its channels. */
    public long weightCount(int nRows) {
        return (long) (nRows / width) * kernelW * channels;
    }

    /** Whether a block of {@code nRows} x {@code nCols} can hold this: whole input rows, its columns' channels. */
    boolean fits(int nRows, int nCols) {
        long perRow = (long) width * channelsIn;
        long last = (long) firstColumn + nCols - 1;
        if (nRows % perRow != 0 || last > Integer.MAX_VALUE) {
            return false;
        }
        boolean oneColumn = firstColumn / channelsOut == last / channelsOut;
        return oneColumn ? firstColumn % channelsOut >= firstChannel && last % channelsOut < firstChannel + channels
                : firstChannel == 0 && channels == channelsOut;
    }
}
