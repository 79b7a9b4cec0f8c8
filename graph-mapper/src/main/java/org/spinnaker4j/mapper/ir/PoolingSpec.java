package org.spinnaker4j.mapper.ir;

/**
 * A pooling layer along a sequence (a layer with a {@link Conv1DGeometry} of as many channels out as in, no weights,
 * no bias): each output position's channel c pools channel c of the input positions its window covers (the padding
 * takes no part). {@code global}: DL4J's GlobalPoolingLayer, one window over the whole sequence whose output is a
 * row per sample rather than a sequence; else DL4J's Subsampling1DLayer, or its 2-D SubsamplingLayer when the
 * geometry runs across an image's rows ({@link Conv2DGeometry#alongRows()}: the window then covers kernelW pixels of
 * each of its rows, and AVG's divisor is the rows' below times the window's pixels in a row, or kernelW).
 *
 * @param kind MAX: the largest value (NaN never counts; a window of NaN or -inf only gives DL4J's starting value,
 *        {@link #SUBSAMPLING_MAX_START} for a Subsampling1DLayer, -inf for a GlobalPoolingLayer); AVG: the float sum
 *        in tap order,
 *        divided by the taps that fall on the input, or by the kernel if {@code padInDivisor}
 * @param padInDivisor AVG only: whether the padding's taps count in the divisor (DL4J's avgPoolIncludePadInDivisor)
 * @param global whether the layer pools the whole sequence into one row per sample
 * @param eps NORM only: DL4J's eps, added to the variance before its square root
 * @param logStd NORM only: whether DL4J stores log10 of the standard deviation (useLogStd), not the variance
 * @param decay NORM only: DL4J's decay of the running statistics in training, in [0, 1]
 */
public record PoolingSpec(Kind kind, boolean padInDivisor, boolean global, double eps, boolean logStd,
        double decay) {

    /**
     * Where libnd4j's MAX pooling of a Subsampling1DLayer starts: -3.402823e38 (0xff7ffffd), its largest float,
     * a little above -Float.MAX_VALUE (0xff7fffff).
     */
    public static final float SUBSAMPLING_MAX_START = -3.402823e38f;

    /**
     * The rows of a NORM layer's stored weights, each a value per column: gamma, the running mean, DL4J's running
     * statistic (log10 of the standard deviation, or the variance) and the standard deviation sqrt(var + eps) the
     * host derives from it.
     */
    public static final int NORM_ROWS = 4;

    /** What a window computes. */
    public enum Kind {
        MAX,
        AVG,
        /**
         * DL4J's BatchNormalization at inference: a window of one position, each channel ((x − mean) / std) · gamma
         * + beta with the running statistics (its beta is the layer's bias, the other three its weights).
         */
        NORM
    }

    /** A MAX or AVG pooling layer. */
    public PoolingSpec(Kind kind, boolean padInDivisor, boolean global) {
        this(kind, padInDivisor, global, 0, false, 0);
    }

    /** A batch normalization with DL4J's {@code eps}, {@code useLogStd} and {@code decay}. */
    public static PoolingSpec batchNorm(double eps, boolean logStd, double decay) {
        return new PoolingSpec(Kind.NORM, false, false, eps, logStd, decay);
    }

    /** A batch normalization with DL4J's {@code eps} and {@code useLogStd}, and DL4J's default decay (0.9). */
    public static PoolingSpec batchNorm(double eps, boolean logStd) {
        return batchNorm(eps, logStd, DEFAULT_DECAY);
    }

    /** DL4J's default decay of a batch normalization's running statistics. */
    public static final double DEFAULT_DECAY = 0.9;

    public PoolingSpec {
        if (kind == null) {
            throw new IllegalArgumentException("a pooling layer needs a kind");
        }
        if (padInDivisor && kind != Kind.AVG) {
            throw new IllegalArgumentException("only AVG divides, so only AVG counts the padding in its divisor");
        }
        boolean normOnly = eps != 0 || logStd || decay != 0;
        if (kind == Kind.NORM ? global || !(eps > 0) || !(decay >= 0 && decay <= 1) : normOnly) {
            throw new IllegalArgumentException("a batch normalization runs per position with an eps > 0 and a decay in "
                    + "[0, 1], and only it has them; got " + kind + (global ? " global" : "") + ", eps " + eps
                    + ", decay " + decay);
        }
    }

    /**
     * The standard deviation a NORM layer divides by, from DL4J's running statistic {@code stat}, as nd4j-native
     * computes it in float: sqrt(var + eps), var being {@code stat} or, with useLogStd, (10^stat)².
     */
    public float std(float stat) {
        float var = stat;
        if (logStd) {
            float s = (float) Math.pow(10, stat);
            var = s * s;
        }
        return (float) Math.sqrt(var + (float) eps);
    }

    /** DL4J's starting value of a MAX window: the value of a window where nothing counts. */
    public float maxStart() {
        return global ? Float.NEGATIVE_INFINITY : SUBSAMPLING_MAX_START;
    }

    /** The divisor of an AVG window of output position t in {@code g} (across an image: of its rows). */
    public int divisor(Conv1DGeometry g, int t) {
        return padInDivisor ? g.kernel() : g.endValidTap(t) - g.firstValidTap(t);
    }
}
