package org.spinnaker4j.parity;

/**
 * A bound on |fixed - float| for every output of a dense layer, from what both computed (docs/fixed-point.md,
 * "Error bound"). With h = 2^-16 (half the s16.15 step), n the fan-in, x̂ the fixed-point inputs (as values), x̃
 * the float inputs, e_i the bound on |x̂_i - x̃_i|, w, b the float parameters and γ = (n+1)u / (1 - (n+1)u),
 * u = 2^-24 (float32's unit roundoff, for nd4j's float sum in any order):
 * <pre>
 *   e_j = h (Σ_i |x̂_i| + 2) + Σ_i |w_ij| e_i + γ (Σ_i |x̃_i w_ij| + |b_j|)
 * </pre>
 * The first term is the quantisation of the weights (|ŵ - w| ≤ h, times |x̂|), of the bias (h) and the one
 * rounding of the sum (h); the second carries the inputs' error through the weights; the third is the float
 * computation's own rounding. relu, hardtanh and identity are 1-Lipschitz, so the activation keeps the bound.
 * It holds while nothing saturates.
 */
final class AccumErrorBound {

    private static final double H = 0x1p-16;
    private static final double U = 0x1p-24;

    private AccumErrorBound() {
    }

    /**
     * The bound per output of a layer of {@code w} (row-major, nIn × nOut, float) and {@code b}, given its
     * fixed-point inputs {@code fixedX} (values), float inputs {@code floatX} and their bound {@code e}.
     */
    static double[] layer(float[] w, float[] b, double[] fixedX, float[] floatX, double[] e) {
        int nIn = fixedX.length;
        int nOut = b.length;
        double gamma = (nIn + 1) * U / (1 - (nIn + 1) * U);
        double sumFixed = 0;
        for (double v : fixedX) {
            sumFixed += Math.abs(v);
        }
        double[] bound = new double[nOut];
        double[] floatTerms = new double[nOut];
        for (int j = 0; j < nOut; j++) {
            bound[j] = H * (sumFixed + 2);
            floatTerms[j] = Math.abs(b[j]);
        }
        for (int i = 0; i < nIn; i++) {
            for (int j = 0, k = i * nOut; j < nOut; j++, k++) {
                double aw = Math.abs(w[k]);
                bound[j] += aw * e[i];
                floatTerms[j] += Math.abs(floatX[i]) * aw;
            }
        }
        for (int j = 0; j < nOut; j++) {
            bound[j] += gamma * floatTerms[j];
        }
        return bound;
    }
    /**
     * The bound on every output of a pooling layer whose inputs are each within {@code e} of float's: MAX is exact on
     * both sides and 1-Lipschitz, so {@code e}; AVG adds h for its one rounding, and nd4j's float sum of at most
     * {@code taps} values divided once, at most (γ_taps + u) max|x̃| (an average is at most the largest input).
     */
    static double pooling(boolean max, int taps, float[] floatX, double e) {
        if (max) {
            return e;
        }
        double largest = 0;
        for (float v : floatX) {
            largest = Math.max(largest, Math.abs(v));
        }
        double gamma = taps * U / (1 - taps * U);
        return H + e + (gamma + U) * largest;
    }

    /**
     * The bound per output of a batch normalization folded to y = a x + c (docs/fixed-point.md, "Batch
     * normalization"), given its fixed inputs {@code fixedX} (values), float inputs {@code floatX} and their bound
     * {@code e}, the fold's {@code a} (double) and DL4J's {@code mean} and {@code beta}:
     * <pre>
     *   e_j = h (|x̂_j| + 2) + |a_j| e_j + 2^-20 (|a_j (x̃_j − mean_j)| + |beta_j|)
     * </pre>
     * h |x̂| for â, h for ĉ, h for the one rounding; the inputs' error through a; nd4j's float ((x − mean) / std) ·
     * gamma + beta, whose std = sqrt(var + eps) is itself computed in float, about 8 u of the normalized value and u of
     * beta to first order, taken as 16 u = 2^-20 for its power's rounding and second-order terms.
     */
    static double[] batchNorm(double[] a, float[] mean, float[] beta, double[] fixedX, float[] floatX, double[] e) {
        double[] bound = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            bound[j] = H * (Math.abs(fixedX[j]) + 2) + Math.abs(a[j]) * e[j]
                    + 0x1p-20 * (Math.abs(a[j] * (floatX[j] - mean[j])) + Math.abs(beta[j]));
        }
        return bound;
    }
}
