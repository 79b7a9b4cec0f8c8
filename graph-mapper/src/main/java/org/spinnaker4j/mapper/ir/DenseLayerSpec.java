package org.spinnaker4j.mapper.ir;

/**
 * A layer of the IR: y = activation(x·W + b), W of shape nIn × nOut. A layer with a {@link Conv1DGeometry}
 * (null for a fully connected layer) is a convolution along a sequence: nIn and nOut are then its whole input and
 * output vectors (channels × positions, position-major), and W is that sparse, shared matrix, stored as the
 * kernel: {@link #weightRows()} × {@link #weightCols()}, row (tap·channelsIn + in).
 */
public record DenseLayerSpec(int nIn, int nOut, Activation activation, boolean hasBias, Conv1DGeometry convolution) {

    public DenseLayerSpec {
        if (nIn < 1 || nOut < 1) {
            throw new IllegalArgumentException("a dense layer needs nIn ≥ 1 and nOut ≥ 1, got " + nIn + " × " + nOut);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null");
        }
        if (convolution != null && (nIn != convolution.channelsIn() * convolution.length()
                || nOut != convolution.channelsOut() * convolution.outLength())) {
            throw new IllegalArgumentException("a convolution " + convolution + " has " + nIn + " inputs and "
                    + nOut + " outputs, not channels × positions");
        }
    }

    /** A fully connected layer. */
    public DenseLayerSpec(int nIn, int nOut, Activation activation, boolean hasBias) {
        this(nIn, nOut, activation, hasBias, null);
    }

    /** A convolution along a sequence (see {@link Conv1DGeometry}). */
    public static DenseLayerSpec convolution(Conv1DGeometry g, Activation activation, boolean hasBias) {
        return new DenseLayerSpec(g.channelsIn() * g.length(), g.channelsOut() * g.outLength(), activation, hasBias,
                g);
    }

    public boolean isConvolution() {
        return convolution != null;
    }

    /** Rows of the stored weights: nIn, or a convolution's kernel × input channels. */
    public int weightRows() {
        return convolution == null ? nIn : convolution.kernel() * convolution.channelsIn();
    }

    /** Columns of the stored weights (and values of the bias): nOut, or a convolution's output channels. */
    public int weightCols() {
        return convolution == null ? nOut : convolution.channelsOut();
    }

    /** Multiply-accumulates of one sample's forward pass. */
    public long macsPerSample() {
        return convolution == null ? (long) nIn * nOut : convolution.macsPerSample();
    }
}
