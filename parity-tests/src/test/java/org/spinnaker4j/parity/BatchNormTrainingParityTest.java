package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * BatchNormalization trained with the mini-batch's statistics in networks of DenseLayers: {@code fit} on SpiNNaker
 * (the mini-batch run in segments at the normalizations) against nd4j-native, 20 mini-batches, every strategy: every
 * iteration's score, then the parameters (gamma, beta, the running mean and statistic included) and the updater's
 * state, with no drop and no TDMA overrun; a mini-batch larger than the mapping holds is refused.
 */
class BatchNormTrainingParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(BatchNormTrainingParityTest.class);
    /** Largest allowed |SpiNNaker − CPU| of a parameter, relative to max(1, |CPU|), and of a score, relative. */
    private static final double TOLERANCE = 1e-5;
    private static final int BATCHES = 20;

    private static BatchNormalization norm(boolean logStd) {
        return new BatchNormalization.Builder().useLogStd(logStd).build();
    }

    /** BatchNormalization on the input → Dense (→ 6, tanh) → BatchNormalization → softmax output (3). */
    static MultiLayerConfiguration normDenseNorm(int nIn, boolean logStd, IUpdater updater) {
        return Parity.list(5, updater)
                .layer(norm(logStd))
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(norm(logStd))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(nIn)).build();
    }

    /** Dense (→ 5, tanh) → BatchNormalization → softmax output (3). */
    static MultiLayerConfiguration denseNormDense(int nIn, boolean logStd, IUpdater updater) {
        return Parity.list(6, updater)
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(norm(logStd))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(nIn)).build();
    }

    static Stream<Arguments> cases() {
        return Arrays.stream(PartitioningStrategy.values()).flatMap(s -> Stream.of(
                Arguments.of("norm-dense-norm", normDenseNorm(4, true, new Sgd(0.1)), 16, s),
                Arguments.of("norm-dense-norm 7 features", normDenseNorm(7, false, new Adam(0.01)), 5, s),
                Arguments.of("dense-norm-dense", denseNormDense(4, true, new Adam(0.01)), 16, s),
                Arguments.of("dense-norm-dense", denseNormDense(4, false, new Sgd(0.1)), 5, s)));
    }

    @ParameterizedTest(name = "{0} {1} batch {2} {3}")
    @MethodSource("cases")
    void fitMatchesNd4j(String name, MultiLayerConfiguration conf, int batchSize, PartitioningStrategy strategy) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        int nIn = (int) cpu.layerInputSize(0);
        INDArray x = Parity.uniformInputs(BATCHES * batchSize, nIn, 21).muli(2).subi(1);
        INDArray y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * batchSize, 3, 22);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                SpiNNakerOptions.builder().partitioning(strategy).build())) {
            machine.init();
            machine.setParams(cpu.params());
            Fitted fitted = fitBoth(cpu, machine, x, y, BATCHES, batchSize);
            double worstScore = fitted.worstScore();
            RunStats stats = fitted.lastStats();
            double parameters = relativeDifference(machine.params(), cpu.params());
            double state = relativeDifference(machine.getUpdater().getStateViewArray(),
                    cpu.getUpdater().getStateViewArray());
            DataSet last = new DataSet(x.get(NDArrayIndex.interval((BATCHES - 1) * batchSize, BATCHES * batchSize),
                    NDArrayIndex.all()), y.get(NDArrayIndex.interval((BATCHES - 1) * batchSize, BATCHES * batchSize),
                    NDArrayIndex.all()));
            double scored = Math.abs(machine.score(last) - cpu.score(last)) / Math.abs(cpu.score(last));
            LOG.info("{} batch {} {}: scores within {}, parameters {}, updater state {}, score(DataSet) {}; {} cores, "
                    + "{} µs per training sample", name, batchSize, strategy, worstScore, parameters, state, scored,
                    stats.coresUsed(), stats.simulatedSecondsPerSample() * 1e6);
            assertEquals(BATCHES, machine.getIterationCount());
            assertTrue(worstScore <= TOLERANCE, "relative score difference " + worstScore);
            assertTrue(parameters <= TOLERANCE, "relative parameter difference " + parameters);
            assertTrue(state <= TOLERANCE, "relative updater state difference " + state);
            assertTrue(scored <= TOLERANCE, "score(DataSet) relative difference " + scored);
        }
    }

    /** What fitting both backends found: the largest relative score difference, the last mini-batch's statistics. */
    record Fitted(double worstScore, RunStats lastStats) { }

    /**
     * Fits {@code cpu} and {@code machine} on {@code batches} mini-batches of {@code batchSize} rows of {@code x} and
     * {@code y} (samples along their first dimension) one after the other, asserting no drop and no TDMA overrun in
     * each.
     */
    static Fitted fitBoth(MultiLayerNetwork cpu, SpiNNakerMultiLayerNetwork machine, INDArray x, INDArray y,
            int batches, int batchSize) {
        double worstScore = 0;
        RunStats stats = null;
        for (int b = 0; b < batches; b++) {
            INDArray xb = samples(x, b * batchSize, (b + 1) * batchSize);
            INDArray yb = samples(y, b * batchSize, (b + 1) * batchSize);
            cpu.fit(xb, yb);
            machine.fit(xb, yb);
            stats = machine.lastTrainingStats();
            assertEquals(0, stats.packetsDropped(), stats.describeDrops());
            assertEquals(0, stats.tdmaOverruns(), "TDMA overruns in mini-batch " + b);
            worstScore = Math.max(worstScore, Math.abs(machine.score() - cpu.score())
                    / Math.max(Math.abs(cpu.score()), 1e-12));
        }
        return new Fitted(worstScore, stats);
    }

    /** Samples {@code from} to {@code to} − 1 of {@code a}, along its first dimension. */
    static INDArray samples(INDArray a, int from, int to) {
        INDArrayIndex[] index = new INDArrayIndex[a.rank()];
        Arrays.fill(index, NDArrayIndex.all());
        index[0] = NDArrayIndex.interval(from, to);
        return a.get(index);
    }

    /** max |actual − expected| / max(1, |expected|); both null (no updater state) is 0. */
    static double relativeDifference(INDArray actual, INDArray expected) {
        if (expected == null || actual == null) {
            assertEquals(expected == null, actual == null, "one backend has updater state, the other has none");
            return 0;
        }
        assertEquals(expected.length(), actual.length());
        return Transforms.abs(actual.sub(expected)).div(Transforms.max(Transforms.abs(expected), 1.0)).maxNumber()
                .doubleValue();
    }

    /** Every core before a normalization holds the whole mini-batch: at most 64 samples, and fit says so. */
    @Test
    void aMiniBatchLargerThanTheMappingHoldsIsRefused() {
        MultiLayerConfiguration conf = denseNormDense(4, true, new Sgd(0.1));
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf, SpiNNakerOptions.defaults())) {
            machine.init();
            INDArray x = Parity.uniformInputs(65, 4, 3);
            INDArray y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 65, 3, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> machine.fit(x, y));
            assertTrue(e.getMessage().contains("a mini-batch of 65 samples") && e.getMessage().contains("at most"),
                    e.getMessage());
        }
    }
}
