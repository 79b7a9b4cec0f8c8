package org.spinnaker4j.mapper.ir;

/**
 * A layer of the IR: y = activation(x·W + b), W of shape nIn × nOut. A layer with a {@link Conv1DGeometry}
 * (null for a fully connected layer) is a convolution along a sequence: nIn and nOut are then its whole input and
 * output vectors (channels × positions, position-major), and W is that sparse, shared matrix, stored as the
 * kernel: {@link #weightRows()} × {@link #weightCols()}, row (tap·channelsIn + in). A layer with a
 * {@link PoolingSpec} (null otherwise) pools along the sequence its geometry describes (or across the image rows of its
 * {@link Conv2DGeometry}) instead: no weights, no bias, the identity; a batch normalization (a
 * {@link PoolingSpec.Kind#NORM} window of one position of its 1-D geometry, whatever its image) holds
 * {@link PoolingSpec#NORM_ROWS} rows of weights per channel and its beta as the bias.
 */
public record DenseLayerSpec(int nIn, int nOut, Activation activation, boolean hasBias, Conv1DGeometry convolution,
        PoolingSpec pooling) {

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
        boolean norm = pooling != null && pooling.kind() == PoolingSpec.Kind.NORM;
        if (pooling != null && (convolution == null || convolution.pointwise() || hasBias != norm
                || (convolution.image() == null || norm ? convolution.channelsIn() != convolution.channelsOut()
                        : convolution.image().dense() || pooling.global()
                        || convolution.image().channelsIn() != convolution.image().channelsOut())
                || activation.kind() != ActivationKind.IDENTITY
                || (pooling.global() && convolution.outLength() != 1)
                || (norm && (convolution.kernel() != 1 || convolution.stride() != 1 || convolution.padLeft() != 0)))) {
            throw new IllegalArgumentException("a pooling layer runs along a sequence or an image's rows with as many "
                    + "channels out as in, no bias (a batch normalization: its beta, and a window of one position) and "
                    + "the identity (a global one along a sequence to one position), got " + convolution + ", "
                    + activation + (hasBias ? " with bias" : ""));
        }
    }

    /** A layer that is not a pooling layer. */
    public DenseLayerSpec(int nIn, int nOut, Activation activation, boolean hasBias, Conv1DGeometry convolution) {
        this(nIn, nOut, activation, hasBias, convolution, null);
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

    /** A pooling layer along a sequence (see {@link PoolingSpec}). */
    public static DenseLayerSpec pooling(Conv1DGeometry g, PoolingSpec pooling) {
        return new DenseLayerSpec(g.channelsIn() * g.length(), g.channelsOut() * g.outLength(),
                Activation.of(ActivationKind.IDENTITY), false, g, pooling);
    }

    /** A batch normalization along a sequence of kernel 1 (see {@link PoolingSpec.Kind#NORM}). */
    public static DenseLayerSpec batchNorm(Conv1DGeometry g, PoolingSpec norm) {
        return new DenseLayerSpec(g.channelsIn() * g.length(), g.channelsOut() * g.outLength(),
                Activation.of(ActivationKind.IDENTITY), true, g, norm);
    }

    /** Whether this is a batch normalization ({@link PoolingSpec.Kind#NORM}). */
    public boolean isBatchNorm() {
        return pooling != null && pooling.kind() == PoolingSpec.Kind.NORM;
    }

    /**
     * Whether this is a batch normalization per feature (in a fully connected network: a one-pixel image read back as
     * rows): each block holds whole features, so it needs no exchange to train with the mini-batch's statistics.
     */
    public boolean normalizesFeatures() {
        return isBatchNorm() && convolution.image() != null && convolution.image().dense();
    }

    /**
     * Whether this is a batch normalization per channel after a 2-D convolution: each of its blocks holds an image row
     * (or a slice of one), so to train with the mini-batch's statistics they exchange per-channel partial sums
     * ({@code PartitionKind.BATCH_NORM}).
     */
    public boolean normalizesChannels() {
        return isBatchNorm() && convolution.image() != null && !convolution.image().dense();
    }

    /**
     * Whether this batch normalization holds a whole mini-batch when it trains: per feature
     * ({@link #normalizesFeatures()}) or per channel ({@link #normalizesChannels()}).
     */
    public boolean holdsMiniBatch() {
        return normalizesFeatures() || normalizesChannels();
    }

    /** The most inputs one output sums: nIn, or a convolution's {@link Conv1DGeometry#fanIn()}. */
    public int fanIn() {
        return convolution == null ? nIn : convolution.fanIn();
    }

    public boolean isConvolution() {
        return convolution != null;
    }

    public boolean isPooling() {
        return pooling != null;
    }

    /**
     * Rows of the stored weights: nIn, or a convolution's kernel × input channels; a pooling layer has none, a batch
     * normalization {@link PoolingSpec#NORM_ROWS}.
     */
    public int weightRows() {
        return isBatchNorm() ? PoolingSpec.NORM_ROWS : pooling != null ? 0
                : convolution == null ? nIn : convolution.kernel() * convolution.channelsIn();
    }

    /** Columns of the stored weights (and values of the bias): nOut, or a convolution's output channels. */
    public int weightCols() {
        return convolution == null ? nOut : convolution.channelsOut();
    }

    /** Multiply-accumulates of one sample's forward pass (a pooling layer does none). */
    public long macsPerSample() {
        return pooling != null ? 0 : convolution == null ? (long) nIn * nOut : convolution.macsPerSample();
    }
}
