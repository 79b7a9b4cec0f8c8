package org.spinnaker4j.mapper.ir;

import java.util.stream.IntStream;

/**
 * How a layer runs along a sequence of {@code length} positions: output position t (of {@code outLength}) sees
 * input positions t·stride − padLeft ... t·stride − padLeft + kernel − 1, those outside [0, length) being the
 * zero padding. Its activation vectors are position-major (value c of position t at index t·channels + c), so
 * the inputs an output position needs are one contiguous slice; its weights are the kernel, row
 * (tap·channelsIn + in), column out. A dense layer applied at every position of a sequence (DL4J's
 * RnnToFeedForwardPreProcessor in front of it) is the geometry of kernel 1 ({@code pointwise}): its output is
 * read back as one row per (sample, position) rather than as a sequence. A 2-D convolution runs as the
 * convolution along its image's rows that {@code image} (null for a 1-D one) lowers it to.
 */
public record Conv1DGeometry(int channelsIn, int length, int channelsOut, int kernel, int stride, int padLeft,
        int outLength, boolean pointwise, Conv2DGeometry image) {

    /** A 1-D convolution, or a layer applied per position if {@code pointwise}. */
    public Conv1DGeometry(int channelsIn, int length, int channelsOut, int kernel, int stride, int padLeft,
            int outLength, boolean pointwise) {
        this(channelsIn, length, channelsOut, kernel, stride, padLeft, outLength, pointwise, null);
    }

    public Conv1DGeometry {
        if (channelsIn < 1 || length < 1 || channelsOut < 1 || kernel < 1 || stride < 1 || padLeft < 0
                || outLength < 1) {
            throw new IllegalArgumentException("a convolution needs positive sizes, got " + channelsIn + " × "
                    + length + " -> " + channelsOut + " × " + outLength + ", kernel " + kernel + ", stride " + stride
                    + ", padding " + padLeft);
        }
        if (pointwise && (kernel != 1 || stride != 1 || padLeft != 0 || outLength != length)) {
            throw new IllegalArgumentException("a pointwise layer has kernel 1, stride 1 and no padding");
        }
        if (image != null && (pointwise || channelsIn != image.width() * image.channelsIn()
                || length != image.height() || channelsOut != image.outWidth() * image.channelsOut()
                || kernel != image.kernelH() || stride != image.strideH() || padLeft != image.padTop()
                || outLength != image.outHeight())) {
            throw new IllegalArgumentException("a 2-D convolution " + image + " runs as " + image.alongRows()
                    + ", not as a convolution of " + channelsIn + " × " + length + " -> " + channelsOut + " × "
                    + outLength + ", kernel " + kernel + ", stride " + stride + ", padding " + padLeft);
        }
        if (firstInput(outLength - 1) >= length || firstInput(0) + kernel <= 0) {
            throw new IllegalArgumentException("output positions 0 and " + (outLength - 1) + " must each see an"
                    + " input position");
        }
    }

    /**
     * The most inputs one output sums: kernel × channels in, or a 2-D convolution's kernelH × kernelW × its channels
     * in (the row-lowered kernel's other entries are zeros).
     */
    public int fanIn() {
        return image != null ? image.kernelH() * image.kernelW() * image.channelsIn() : kernel * channelsIn;
    }

    /** A dense layer {@code nIn -> nOut} applied at each of {@code length} positions. */
    public static Conv1DGeometry pointwise(int nIn, int nOut, int length) {
        return new Conv1DGeometry(nIn, length, nOut, 1, 1, 0, length, true);
    }

    /** The input position under tap 0 of output position t (negative in the left padding). */
    public int firstInput(int t) {
        return t * stride - padLeft;
    }

    /** The first tap of output position t that falls on an input position. */
    public int firstValidTap(int t) {
        return Math.max(0, -firstInput(t));
    }

    /** One past the last tap of output position t that falls on an input position. */
    public int endValidTap(int t) {
        return Math.min(kernel, length - firstInput(t));
    }

    /** How many output positions put tap {@code tap} on an input position (0: it sees only padding). */
    public int positionsSeeing(int tap) {
        int n = 0;
        for (int t = 0; t < outLength; t++) {
            if (firstValidTap(t) <= tap && tap < endValidTap(t)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether every tap falls on an input position at some output position, so some position block holds its kernel
     * rows: training needs this (a tap only padding sees is held by no block, and no core could update it). A 2-D
     * convolution's taps are its kernel rows; its blocks ({@link RowBlock}) hold every kernel column of a row, but the
     * machine's lowered kernel keeps a kernel column only where it falls on the image, so every kernel column must
     * too, at some output column.
     */
    public boolean holdsEveryTap() {
        return IntStream.range(0, kernel).allMatch(tap -> positionsSeeing(tap) > 0)
                && (image == null || image.dense()
                        || IntStream.range(0, image.kernelW()).allMatch(image::kernelColumnOnImage));
    }

    /**
     * Whether its blocks hold copies of its kernel, which must update as one: several output positions, or a 2-D
     * convolution (its output rows' column slices each hold their channels' kernel too).
     */
    public boolean copiesKernel() {
        return outLength > 1 || (image != null && !image.dense());
    }

    /**
     * Whether every tap is held by at least two position blocks, as the exchange between a kernel's copies needs
     * (it sends each chunk's new values from its owner to the other holders; a tap one block alone holds has none).
     */
    public boolean sharesEveryTap() {
        return holdsEveryTap() && IntStream.range(0, kernel).allMatch(tap -> positionsSeeing(tap) > 1);
    }

    /** Multiply-accumulates of one sample's forward pass (the padding's taps do none). */
    public long macsPerSample() {
        long taps = 0;
        for (int t = 0; t < outLength; t++) {
            taps += endValidTap(t) - firstValidTap(t);
        }
        return taps * channelsIn * channelsOut;
    }
}
