package org.spinnaker4j.kernels;

import java.util.Objects;

/**
 * A batch normalization at inference folded for s16.15 fixed point (docs/fixed-point.md, "Batch normalization"):
 * per column, y = a·x + c with a = gamma / sqrt(var + eps) and c = beta − mean·a, computed in double from DL4J's
 * parameters (var the stored variance, or (10^log10stdev)² with useLogStd), then quantised once each. The NORM block
 * computes ŷ = round((x̂·â + ĉ·2^15) / 2^15), rounded once, saturated and counted.
 */
public final class BatchNormFold {

    private BatchNormFold() {
    }

    /**
     * The folded words of a NORM block's parameters as the float path holds them: {@code rows} the
     * {@link PoolingKind#NORM_ROWS} rows of {@code cols} values (gamma, mean, the stored statistic, the float std,
     * which is not used: the fold takes its square root in double), {@code beta} the bias.
     *
     * @return weights of {@link PoolingKind#NORM_ROWS} rows, row 0 â and the others 0, the bias ĉ, and the
     *         saturations of both
     * @throws IllegalArgumentException if a value is NaN or var + eps is not positive (naming {@code what} and the
     *         column), or the sizes do not match
     */
    public static Folded fold(float[] rows, float[] beta, double eps, boolean logStd, String what) {
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(beta, "beta");
        int cols = beta.length;
        if (rows.length != PoolingKind.NORM_ROWS * cols) {
            throw new IllegalArgumentException(what + ": a NORM block's " + PoolingKind.NORM_ROWS + " rows of " + cols
                    + " columns, got " + rows.length + " values");
        }
        double[] a = new double[cols];
        double[] c = new double[cols];
        for (int j = 0; j < cols; j++) {
            double gamma = rows[j];
            double mean = rows[cols + j];
            double stat = rows[2 * cols + j];
            double std = Math.pow(10, stat);
            double var = logStd ? std * std : stat;
            double scale = var + eps;
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException(what + " column " + j + ": var + eps = " + scale + " (statistic "
                        + stat + (logStd ? ", log10 of the standard deviation" : ", the variance") + ", eps " + eps
                        + ") must be positive and finite to fold");
            }
            a[j] = gamma / Math.sqrt(scale);
            c[j] = beta[j] - mean * a[j];
        }
        AccumQuantiser.Quantised qa = AccumQuantiser.quantise(a, cols, what + " a = gamma / sqrt(var + eps)");
        AccumQuantiser.Quantised qc = AccumQuantiser.quantise(c, cols, what + " c = beta - mean a");
        int[] weights = new int[PoolingKind.NORM_ROWS * cols];
        System.arraycopy(qa.words(), 0, weights, 0, cols);
        return new Folded(weights, qc.words(), qa.saturations() + qc.saturations(),
                Math.max(qa.largestSaturated(), qc.largestSaturated()));
    }

    /**
     * The words a fixed-point NORM block is loaded with, and how many of â and ĉ saturated (the largest magnitude
     * among those, 0 if none).
     */
    public record Folded(int[] weights, int[] bias, long saturations, double largestSaturated) {
    }
}
