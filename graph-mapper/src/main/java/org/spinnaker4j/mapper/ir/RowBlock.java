package org.spinnaker4j.mapper.ir;

/**
 * A block of a 2-D convolution run along the image's rows ({@link Conv2DGeometry#alongRows()}) that holds its
 * channels' slice of the 2-D kernel once rather than the lowered kernel with its zeros: its {@code nCols} outputs
 * from index {@code firstColumn} (ox·channelsOut + channel) of one output row, and as rows whole input rows. It holds
 * the kernel of the channels of its columns when they lie in one output column, of every channel when they span
 * several; an input value (row, column x, channel) multiplies into each of its output columns ox with
 * x − ox·strideW + padLeft in [0, kernelW).
 */
public record RowBlock(Conv2DGeometry image, int firstColumn, int nCols) {

    public RowBlock {
        if (image.dense() || firstColumn < 0 || nCols < 1
                || firstColumn + nCols > image.outWidth() * image.channelsOut()) {
            throw new IllegalArgumentException("a row block holds outputs of one output row of a 2-D convolution, got "
                    + nCols + " from " + firstColumn + " of " + image);
        }
    }

    private int lastColumn() {
        return firstColumn + nCols - 1;
    }

    private boolean oneOutputColumn() {
        return firstColumn / image.channelsOut() == lastColumn() / image.channelsOut();
    }

    /** The first output channel of the kernel it holds. */
    public int firstChannel() {
        return oneOutputColumn() ? firstColumn % image.channelsOut() : 0;
    }

    /** The output channels of the kernel it holds. */
    public int channels() {
        return oneOutputColumn() ? lastColumn() % image.channelsOut() + 1 - firstChannel() : image.channelsOut();
    }

    /** The weights it holds with {@code rows} rows (whole input rows): kernelW × channelsIn × its channels a row. */
    public long weights(int rows) {
        return (long) (rows / image.width()) * image.kernelW() * channels();
    }

    /**
     * Its multiply-accumulates of one sample with {@code rows} rows: each input value times the kernel weights of
     * the output columns whose kernel covers its column, for the block's channels there.
     */
    public long macs(int rows) {
        return perInputValue(true) * (rows / image.width());
    }

    /** The runs of one sample with {@code rows} rows: each input value's output columns, one run of channels each. */
    public long runs(int rows) {
        return perInputValue(false) * (rows / image.width());
    }

    /** Over the block's output columns: the input columns under their kernels, times their channels if asked. */
    private long perInputValue(boolean timesChannels) {
        int cout = image.channelsOut();
        long n = 0;
        for (int ox = firstColumn / cout; ox <= lastColumn() / cout; ox++) {
            int left = ox * image.strideW() - image.padLeft();
            long columns = Math.max(0, Math.min(image.width(), left + image.kernelW()) - Math.max(0, left));
            int channels = Math.min(lastColumn(), ox * cout + cout - 1) - Math.max(firstColumn, ox * cout) + 1;
            n += columns * (timesChannels ? channels : 1);
        }
        return n;
    }
}
