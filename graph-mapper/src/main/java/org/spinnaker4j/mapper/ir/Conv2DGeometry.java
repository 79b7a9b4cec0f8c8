package org.spinnaker4j.mapper.ir;

/**
 * A 2-D convolution over an image of {@code height} × {@code width} pixels of {@code channelsIn} channels, kept
 * position-major in (row, column, channel) order: output pixel (oy, ox) sees input rows oy·strideH − padTop ...
 * + kernelH − 1 and columns ox·strideW − padLeft ... + kernelW − 1, those outside the image being the zero padding.
 * It runs on the machine as the convolution along the image's rows of {@link #alongRows()}: a position is an image
 * row (its width × channels values), an output position an output row, and the kernel of that 1-D convolution is
 * this one's kernel laid out along each row (row (tap·width + x)·channelsIn + in, column ox·channelsOut + out; zero
 * where column x is not under kernel column x − ox·strideW + padLeft), so every slice of it is an ordinary block's
 * slice; each block holds that slice's kernel once, without the zeros ({@link RowBlock}).
 * {@code dense} marks a fully connected layer that reads the whole image (DL4J's DenseLayer or OutputLayer behind a
 * CnnToFeedForwardPreProcessor): the kernel covers the image, one output pixel, and the lowered kernel is its
 * weight matrix with its rows in (row, column, channel) order.
 */
public record Conv2DGeometry(int channelsIn, int height, int width, int channelsOut, int kernelH, int kernelW,
        int strideH, int strideW, int padTop, int padLeft, int outHeight, int outWidth, boolean dense) {

    public Conv2DGeometry {
        if (channelsIn < 1 || height < 1 || width < 1 || channelsOut < 1 || kernelH < 1 || kernelW < 1
                || strideH < 1 || strideW < 1 || padTop < 0 || padLeft < 0 || outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("a 2-D convolution needs positive sizes, got " + channelsIn + " × "
                    + height + " × " + width + " -> " + channelsOut + " × " + outHeight + " × " + outWidth
                    + ", kernel " + kernelH + " × " + kernelW + ", stride " + strideH + " × " + strideW
                    + ", padding " + padTop + " × " + padLeft);
        }
        if (dense && (kernelH != height || kernelW != width || padTop != 0 || padLeft != 0 || outHeight != 1
                || outWidth != 1)) {
            throw new IllegalArgumentException("a dense layer over an image has one kernel the size of the image");
        }
    }

    /** A fully connected layer {@code channelsIn·height·width -> nOut} over an image. */
    public static Conv2DGeometry dense(int channelsIn, int height, int width, int nOut) {
        return new Conv2DGeometry(channelsIn, height, width, nOut, height, width, 1, 1, 0, 0, 1, 1, true);
    }

    /** The convolution along the image's rows that the machine runs (see the type's description). */
    public Conv1DGeometry alongRows() {
        return new Conv1DGeometry(width * channelsIn, height, outWidth * channelsOut, kernelH, strideH, padTop,
                outHeight, false, this);
    }

    /** Whether kernel column kx falls on the image at some output column (else only the width's padding sees it). */
    public boolean kernelColumnOnImage(int kx) {
        for (int ox = 0; ox < outWidth; ox++) {
            int x = ox * strideW - padLeft + kx;
            if (x >= 0 && x < width) {
                return true;
            }
        }
        return false;
    }

    /**
     * The kernel column under input column x for output column ox, or -1 where x is not under the kernel (the
     * lowered kernel's zeros).
     */
    public int kernelColumn(int ox, int x) {
        int kx = x - (ox * strideW - padLeft);
        return kx >= 0 && kx < kernelW ? kx : -1;
    }
}
