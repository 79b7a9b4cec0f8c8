package org.spinnaker4j.kernels;

/**
 * DL4J's BatchNormalization in training (docs/architecture.md, "In float, what a core must compute"), per feature in
 * float with plain sums in sample order: the mini-batch's forward pass, its backward pass in DL4J's own steps and the
 * running statistics' step; written from the documented formulas, independently of the C kernels.
 */
final class BatchNormReference {

    /** DL4J's factor turning ln(var / var') into the step of log10(std): 1 / (2 ln 10), a double made float. */
    static final float ONE_ON_2LN10 = (float) (1.0 / (2 * Math.log(10.0)));

    private BatchNormReference() {
    }

    /** A mini-batch's statistics per feature and its outputs {@code y[b][j]}. */
    record Forward(float[] mean, float[] var, float[] std, float[][] y) {
    }

    /** A mini-batch's deltas back {@code back[b][j]} and gamma's and beta's gradients (sums over the batch). */
    record Backward(float[][] back, float[] dGamma, float[] dBeta) {
    }

    /** The forward pass of {@code x[b][j]}: mean, biased variance, std = sqrt(var + eps), x̂·gamma + beta. */
    static Forward forward(float[][] x, float[] gamma, float[] beta, float eps) {
        int batch = x.length;
        int n = gamma.length;
        float[] mean = new float[n];
        float[] var = new float[n];
        float[] std = new float[n];
        float[][] y = new float[batch][n];
        for (int j = 0; j < n; j++) {
            float sum = 0;
            for (float[] row : x) {
                sum += row[j];
            }
            mean[j] = sum / batch;
            float squares = 0;
            for (float[] row : x) {
                float d = row[j] - mean[j];
                squares += d * d;
            }
            var[j] = squares / batch;
            std[j] = (float) Math.sqrt(var[j] + eps);
            for (int b = 0; b < batch; b++) {
                y[b][j] = (x[b][j] - mean[j]) / std[j] * gamma[j] + beta[j];
            }
        }
        return new Forward(mean, var, std, y);
    }

    /**
     * The backward pass of deltas {@code delta[b][j]} in DL4J's steps: dx̂ = delta·gamma, dL/dvar = Σ(dx̂·(x − mean))
     * · −0.5 / std³, dL/dmean = −Σdx̂ / std + Σ(x − mean)·(−2 / B)·dL/dvar, then dx̂ / std + (x − mean)·(dL/dvar·2 /
     * B) + dL/dmean·(1 / B).
     */
    static Backward backward(float[][] x, float[][] delta, float[] gamma, Forward f) {
        int batch = x.length;
        int n = gamma.length;
        float[][] back = new float[batch][n];
        float[] dGamma = new float[n];
        float[] dBeta = new float[n];
        for (int j = 0; j < n; j++) {
            float sumDxHatXMu = 0;
            float sumDxHat = 0;
            float sumXMu = 0;
            for (int b = 0; b < batch; b++) {
                float xMu = x[b][j] - f.mean()[j];
                float dxHat = delta[b][j] * gamma[j];
                dBeta[j] += delta[b][j];
                dGamma[j] += delta[b][j] * (xMu / f.std()[j]);
                sumDxHat += dxHat;
                sumDxHatXMu += dxHat * xMu;
                sumXMu += xMu;
            }
            float std = f.std()[j];
            float dVar = sumDxHatXMu * -0.5f / (std * std * std);
            float dMean = -sumDxHat / std + sumXMu * (float) (-2.0 / batch) * dVar;
            for (int b = 0; b < batch; b++) {
                back[b][j] = delta[b][j] * gamma[j] / std + (x[b][j] - f.mean()[j]) * (dVar * (float) (2.0 / batch))
                        + dMean * (float) (1.0 / batch);
            }
        }
        return new Backward(back, dGamma, dBeta);
    }

    /** DL4J's step of a running mean or variance: the gradient (running − batch)·(1 − decay), subtracted. */
    static float decayed(float running, float batch, double decay) {
        return running - (running - batch) * (float) (1 - decay);
    }

    /**
     * DL4J's step of log10(std), every operation in float: v = (10^s)², v' = v·decay + batchVar·(1 − decay), s −
     * ln(v / v')·(1 / (2 ln 10)); the power and the logarithm here in double rounded to float, which glibc's powf and
     * logf (the kernels' on the host) match but about once in 400 steps.
     */
    static float decayedLog10Std(float log10Std, float batchVar, double decay) {
        float p = (float) Math.pow(10, log10Std);
        float v = p * p;
        float ratio = v / (v * (float) decay + batchVar * (float) (1 - decay));
        return log10Std - (float) Math.log(ratio) * ONE_ON_2LN10;
    }

    /** The std a NORM block divides by, from DL4J's statistic, as the host derives it (PoolingSpec.std). */
    static float std(float stat, boolean logStd, double eps) {
        float var = stat;
        if (logStd) {
            float s = (float) Math.pow(10, stat);
            var = s * s;
        }
        return (float) Math.sqrt(var + (float) eps);
    }
}
