package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.parity.BatchNormTrainingFloatTest.network;
import static org.spinnaker4j.parity.BatchNormTrainingFloatTest.param;
import static org.spinnaker4j.parity.BatchNormTrainingFloatTest.random;
import static org.spinnaker4j.parity.BatchNormTrainingFloatTest.statName;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.kernels.BatchNormTrainingConfig;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.kernels.KeyRange;
import org.spinnaker4j.kernels.PoolingConfig;
import org.spinnaker4j.kernels.TrainingConfig;
import org.spinnaker4j.kernels.UpdateValues;
import org.spinnaker4j.kernels.UpdaterConfig;
import org.spinnaker4j.kernels.UpdaterKind;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * One core running a fully connected BatchNormalization's mini-batch ({@link KernelCore#batchNormForward},
 * {@link KernelCore#batchNormBackward}, its update) against nd4j-native 1.0.0-M2.1's layer in float: the training
 * outputs, the deltas sent back, gamma and beta after an SGD step of their gradients, and the running mean and
 * statistic after DL4J's {@code fit}, each within 1e-5 (the project's parity bound is 1e-4); the largest differences
 * are logged. The core's sums run in sample order, nd4j's reductions in their own (docs/architecture.md, "In float,
 * what a core must compute").
 */
class BatchNormKernelParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(BatchNormKernelParityTest.class);
    private static final int N = 6;
    private static final double EPS = BatchNormTrainingFloatTest.EPS;
    private static final double DECAY = BatchNormTrainingFloatTest.DECAY;
    private static final float LR = 0.1f;
    private static final double BOUND = 1e-5;
    private static final int IN = 0x100;
    private static final int E = 0x200;
    private static final int OUT = 0x4000;
    private static final int BACK = 0x1000;

    /** The core of the layer: N features, its parameters as the host loads them (std derived from the statistic). */
    private static KernelCore core(MultiLayerNetwork net, boolean logStd, int batch) {
        float[] gamma = param(net, "gamma");
        float[] mean = param(net, "mean");
        float[] stat = param(net, statName(logStd));
        float[] weights = new float[4 * N];
        for (int j = 0; j < N; j++) {
            weights[j] = gamma[j];
            weights[N + j] = mean[j];
            weights[2 * N + j] = stat[j];
            weights[3 * N + j] = PoolingSpec.batchNorm(EPS, logStd).std(stat[j]);
        }
        UpdaterConfig sgd = new UpdaterConfig(UpdaterKind.SGD, LR, 0f, 0f, 0f);
        TrainingConfig training = TrainingConfig.builder(sgd).backwardPartials(1).sendsBackward(BACK)
                .samplesInFlight(batch).batchNorm(new BatchNormTrainingConfig(batch, DECAY, EPS, logStd)).build();
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.DENSE_BLOCK, N, N, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0,
                List.of(KeyRange.data(IN, N, 0), KeyRange.backwardPartial(E, N, 0)), training,
                PoolingConfig.norm(N, 0)), weights, param(net, "beta"));
        return core;
    }

    private static void deliver(KernelCore core, int base, float[] values) {
        int[] outbox = new int[2 * core.maxSendsPerEvent()];
        for (int i = 0; i < values.length; i++) {
            assertEquals(0, core.onPacket(base + i, Float.floatToRawIntBits(values[i]), outbox));
        }
    }

    private static double maxDiff(float[][] expected, int[] outbox, int sends, int base) {
        double d = 0;
        for (int k = 0; k < sends; k++) {
            assertEquals(base + k % N, outbox[2 * k], "send " + k);
            d = Math.max(d, Math.abs(expected[k / N][k % N] - Float.intBitsToFloat(outbox[2 * k + 1])));
        }
        return d;
    }

    private static double maxDiff(float[] expected, float[] actual) {
        double d = 0;
        for (int j = 0; j < expected.length; j++) {
            d = Math.max(d, Math.abs(expected[j] - actual[j]));
        }
        return d;
    }

    @ParameterizedTest(name = "useLogStd {0}, batch {1}")
    @CsvSource({"true, 5", "true, 16", "true, 32", "false, 5", "false, 16", "false, 32"})
    void aCoresMiniBatchLandsWithinBoundOfNd4j(boolean logStd, int batch) {
        MultiLayerNetwork net = network(logStd, N);
        INDArray x = random(7, batch, N);
        INDArray delta = random(9, batch, N);
        KernelCore core = core(net, logStd, batch);
        float[] gamma = param(net, "gamma");
        float[] beta = param(net, "beta");
        Nd4jTrainingStep nd4j = Nd4jTrainingStep.of(net, x, delta);
        float[][] y = nd4j.y();
        float[] dGamma = nd4j.dGamma();
        float[] dBeta = nd4j.dBeta();
        float[][] deltaBack = nd4j.deltaBack();

        float[][] xs = x.toFloatMatrix();
        float[][] ds = delta.toFloatMatrix();
        for (float[] sample : xs) {
            deliver(core, IN, sample);
        }
        int[] outbox = new int[2 * core.maxSendsPerEvent()];
        double forward = maxDiff(y, outbox, core.batchNormForward(batch, outbox), OUT);
        for (float[] d : ds) {
            deliver(core, E, d);
        }
        double backward = maxDiff(deltaBack, outbox, core.batchNormBackward(batch, outbox), BACK);
        UpdateValues rate = new UpdateValues(LR, 0f, 0f, 0f, 0f);
        core.applyUpdate(batch, 0, rate, rate);
        float[] after = core.readWeights();
        float[] gammaAfter = new float[N];
        float[] expectedGamma = new float[N];
        float[] expectedBeta = new float[N];
        for (int j = 0; j < N; j++) {
            gammaAfter[j] = after[j];
            expectedGamma[j] = gamma[j] - LR * (dGamma[j] / batch);
            expectedBeta[j] = beta[j] - LR * (dBeta[j] / batch);
        }
        double parameters = Math.max(maxDiff(expectedGamma, gammaAfter), maxDiff(expectedBeta, core.readBias()));

        MultiLayerNetwork fitted = network(logStd, N);
        fitted.fit(new DataSet(x, random(8, batch, 2)));
        float[] meanAfter = new float[N];
        float[] statAfter = new float[N];
        for (int j = 0; j < N; j++) {
            meanAfter[j] = after[N + j];
            statAfter[j] = after[2 * N + j];
        }
        double statistics = Math.max(maxDiff(param(fitted, "mean"), meanAfter),
                maxDiff(param(fitted, statName(logStd)), statAfter));
        LOG.info("useLogStd {}, batch {}: largest differences to nd4j-native: outputs {}, deltas back {}, gamma and "
                + "beta {}, running statistics {}", logStd, batch, forward, backward, parameters, statistics);
        assertTrue(forward < BOUND, "outputs " + forward);
        assertTrue(backward < BOUND, "deltas back " + backward);
        assertTrue(parameters < BOUND, "gamma, beta " + parameters);
        assertTrue(statistics < BOUND, "running statistics " + statistics);
    }
}
