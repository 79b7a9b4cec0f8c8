package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a core training a BatchNormalization in float must compute to match nd4j-native 1.0.0-M2.1 (its layer's own
 * path in float, no helper): the running mean's and statistic's steps pinned bit for bit, given the mini-batch's mean
 * and biased variance; and a core's plain float arithmetic (sums in sample order, one feature at a time) against
 * nd4j-native's for the training forward pass, gamma's and beta's gradients and the delta sent back, with the largest
 * difference measured. {@link BatchNormTrainingReferenceTest} pins the formulas in double.
 */
class BatchNormTrainingFloatTest {

    private static final Logger LOG = LoggerFactory.getLogger(BatchNormTrainingFloatTest.class);
    private static final int N = 6;
    static final double EPS = 1e-5;
    static final double DECAY = 0.9;
    /** DL4J's factor turning ln(var / var') into the step of log10(std): 1 / (2 ln 10), a double made float. */
    private static final float ONE_ON_2LOGE_10 = (float) (1.0 / (2 * Math.log(10.0)));
    /** The largest difference a core's float arithmetic may have from nd4j-native's, for values of order 1. */
    private static final double CORE_FLOAT = 2e-6;

    /**
     * Features of the running statistics' test. A log10stdev step through glibc's powf and logf differs from one
     * through a power and a logarithm in double rounded once about once in 400 (measured over 200,000 random steps
     * with a C harness), so 4,096 features tell them apart: nd4j-native's steps matched the float functions' in all
     * 12,288 (the three batch sizes), the double ones' in 12,221 (measured with the same harness on this test's
     * values; {@link #decayedLog10Std} takes nd4j's own float power and logarithm).
     */
    private static final int WIDE = 4096;

    static MultiLayerNetwork network(boolean logStd, int features) {
        return BatchNormTrainingReferenceTest.network(DataType.FLOAT,
                new BatchNormalization.Builder().useLogStd(logStd).eps(EPS).decay(DECAY), features);
    }

    static String statName(boolean logStd) {
        return logStd ? "log10stdev" : "var";
    }

    static INDArray random(long seed, int rows, int cols) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, rows, cols).muli(3).subi(1);
    }

    static float[] param(MultiLayerNetwork net, String name) {
        return net.getLayer(0).getParam(name).toFloatVector();
    }

    /** DL4J's step of the running mean (and variance): the gradient (running − batch) · (1 − decay), subtracted. */
    private static float decayed(float running, float batch) {
        float gradient = (running - batch) * (float) (1 - DECAY);
        return running - gradient;
    }

    /**
     * DL4J's step of log10(std) for every feature: v = 10^log10stdev, var = v · v, var' = var · decay + batchVar · (1 −
     * decay), the gradient ln(var / var') / (2 ln 10), subtracted; each operation rounded to float, the power and the
     * logarithm nd4j's own in float (glibc's powf and logf: see {@link #WIDE}).
     */
    private static float[] decayedLog10Std(float[] log10Std, float[] batchVar) {
        int n = log10Std.length;
        float[] v = Transforms.pow(Nd4j.valueArrayOf(new long[] {n}, 10.0, DataType.FLOAT),
                Nd4j.createFromArray(log10Std), false).toFloatVector();
        float[] ratio = new float[n];
        for (int j = 0; j < n; j++) {
            float var = v[j] * v[j];
            ratio[j] = var / (var * (float) DECAY + batchVar[j] * (float) (1 - DECAY));
        }
        float[] ln = Transforms.log(Nd4j.createFromArray(ratio), false).toFloatVector();
        float[] next = new float[n];
        for (int j = 0; j < n; j++) {
            next[j] = log10Std[j] - ln[j] * ONE_ON_2LOGE_10;
        }
        return next;
    }

    /**
     * One fit step: from nd4j's own mean and biased variance of the mini-batch (its reduction order), the running
     * mean and statistic of 4,096 features come out as {@link #decayed} and {@link #decayedLog10Std} compute them,
     * bit for bit.
     */
    @ParameterizedTest(name = "useLogStd {0}, batch {1}")
    @CsvSource({"true, 5", "true, 16", "true, 32", "false, 5", "false, 16", "false, 32"})
    void theRunningStatisticsStepAsDl4jRoundsIt(boolean logStd, int batch) {
        MultiLayerNetwork net = network(logStd, WIDE);
        INDArray x = random(7, batch, WIDE);
        float[] mean = param(net, "mean");
        float[] stat = param(net, statName(logStd));
        float[] batchMean = x.mean(0).toFloatVector();
        float[] batchVar = x.var(false, 0).toFloatVector();
        net.fit(new DataSet(x, random(8, batch, 2)));
        float[] newMean = param(net, "mean");
        float[] newStat = param(net, statName(logStd));
        float[] log10Std = logStd ? decayedLog10Std(stat, batchVar) : null;
        for (int j = 0; j < WIDE; j++) {
            assertEquals(decayed(mean[j], batchMean[j]), newMean[j], 0f, "mean " + j);
            float expected = logStd ? log10Std[j] : decayed(stat[j], batchVar[j]);
            assertEquals(expected, newStat[j], 0f, statName(logStd) + " " + j);
        }
    }

    /**
     * A core's float arithmetic, per feature in sample order: the mean and biased variance as plain sums, std =
     * sqrt(var + eps), y = x̂ · gamma + beta; backward Σ delta, Σ delta · x̂ and the delta sent back as gamma / std ·
     * (delta − Σ delta / B − x̂ · Σ(delta · x̂) / B), or in DL4J's own steps ({@link #dl4jDeltaBack}). Against
     * nd4j-native's layer (its reductions in its own order) every value is within 2e-6; the largest differences are
     * logged.
     */
    @ParameterizedTest(name = "useLogStd {0}, batch {1}")
    @CsvSource({"true, 5", "true, 16", "true, 32", "false, 5", "false, 16", "false, 32"})
    void aCoresPlainFloatSumsLandWithinTwoMillionthsOfNd4j(boolean logStd, int batch) {
        MultiLayerNetwork net = network(logStd, N);
        INDArray x = random(7, batch, N);
        INDArray delta = random(9, batch, N);
        Nd4jTrainingStep nd4j = Nd4jTrainingStep.of(net, x, delta);
        float[][] y = nd4j.y();
        float[] dGamma = nd4j.dGamma();
        float[] dBeta = nd4j.dBeta();
        float[][] deltaBack = nd4j.deltaBack();
        float[] gamma = param(net, "gamma");
        float[] beta = param(net, "beta");
        float[][] xs = x.toFloatMatrix();
        float[][] ds = delta.toFloatMatrix();
        double forward = 0;
        double gradients = 0;
        double backward = 0;
        double backwardViaVariance = 0;
        for (int j = 0; j < N; j++) {
            float sum = 0;
            for (int i = 0; i < batch; i++) {
                sum += xs[i][j];
            }
            float mean = sum / batch;
            float squares = 0;
            for (int i = 0; i < batch; i++) {
                squares += (xs[i][j] - mean) * (xs[i][j] - mean);
            }
            float std = (float) Math.sqrt(squares / batch + (float) EPS);
            float[] xHat = new float[batch];
            float sumDelta = 0;
            float sumDeltaXHat = 0;
            for (int i = 0; i < batch; i++) {
                xHat[i] = (xs[i][j] - mean) / std;
                forward = Math.max(forward, Math.abs(xHat[i] * gamma[j] + beta[j] - y[i][j]));
                sumDelta += ds[i][j];
                sumDeltaXHat += ds[i][j] * xHat[i];
            }
            gradients = Math.max(gradients, Math.max(Math.abs(sumDelta - dBeta[j]),
                    Math.abs(sumDeltaXHat - dGamma[j])));
            float[] viaVariance = dl4jDeltaBack(xs, ds, j, mean, std, gamma[j]);
            for (int i = 0; i < batch; i++) {
                float compact = gamma[j] / std * (ds[i][j] - sumDelta / batch - xHat[i] * sumDeltaXHat / batch);
                backward = Math.max(backward, Math.abs(compact - deltaBack[i][j]));
                backwardViaVariance = Math.max(backwardViaVariance, Math.abs(viaVariance[i] - deltaBack[i][j]));
            }
        }
        LOG.info("useLogStd {}, batch {}: largest differences forward {}, dgamma/dbeta {}, delta back {} (compact), "
                + "{} (DL4J's steps)", logStd, batch, forward, gradients, backward, backwardViaVariance);
        assertTrue(forward < CORE_FLOAT, "forward " + forward);
        assertTrue(gradients < CORE_FLOAT * batch, "dgamma, dbeta " + gradients);
        assertTrue(backward < CORE_FLOAT, "delta back " + backward);
        assertTrue(backwardViaVariance < CORE_FLOAT, "delta back through dL/dvar " + backwardViaVariance);
    }

    /**
     * Feature j's delta back in DL4J's own steps, in float with plain sums in sample order: dx̂ = delta · gamma,
     * dL/dvar = Σ(dx̂ · (x − mean)) · −0.5 · std⁻³, dL/dmean = −Σ dx̂ / std + Σ(x − mean) · (−2 / B) · dL/dvar, and
     * dx̂ / std + (x − mean) · dL/dvar · 2 / B + dL/dmean / B.
     */
    private static float[] dl4jDeltaBack(float[][] xs, float[][] ds, int j, float mean, float std, float gamma) {
        int batch = xs.length;
        float sumDxHatXMu = 0;
        float sumDxHat = 0;
        float sumXMu = 0;
        for (int i = 0; i < batch; i++) {
            float xMu = xs[i][j] - mean;
            sumDxHatXMu += ds[i][j] * gamma * xMu;
            sumDxHat += ds[i][j] * gamma;
            sumXMu += xMu;
        }
        float dVar = sumDxHatXMu * -0.5f * (float) Math.pow(std, -3.0);
        float dMean = -sumDxHat / std + sumXMu * (float) (-2.0 / batch) * dVar;
        float[] back = new float[batch];
        for (int i = 0; i < batch; i++) {
            back[i] = ds[i][j] * gamma / std + (xs[i][j] - mean) * (dVar * (float) (2.0 / batch))
                    + dMean * (float) (1.0 / batch);
        }
        return back;
    }
}
