package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
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
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.SampleBound;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * BatchNormalization after a 2-D convolution trained with the mini-batch's statistics (per channel over every pixel,
 * its blocks exchanging partial sums in three rounds a mini-batch): {@code fit} on SpiNNaker against nd4j-native, 20
 * mini-batches, every strategy, both statistics, Sgd and Adam: every iteration's score, then the parameters (gamma,
 * beta, the running mean and statistic included), the updater's state and the outputs, with no drop and no TDMA
 * overrun; a mini-batch larger than the mapping holds is refused.
 */
class ConvBatchNormTrainingParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(ConvBatchNormTrainingParityTest.class);
    /** Largest allowed |SpiNNaker − CPU| of a parameter, relative to max(1, |CPU|), of a score, relative. */
    private static final double TOLERANCE = 1e-5;
    private static final int BATCHES = 20;
    private static final int HEIGHT = 6;
    private static final int WIDTH = 5;

    /** Conv2D (2 → 3, 3 × 3, Same, relu) → BatchNormalization → Conv2D (3 → 2, 3 × 3, Same, tanh) → softmax (3). */
    static MultiLayerConfiguration convNormConv(boolean logStd, IUpdater updater) {
        return Parity.list(7, updater)
                .layer(new ConvolutionLayer.Builder().nIn(2).nOut(3).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().useLogStd(logStd).build())
                .layer(new ConvolutionLayer.Builder().nIn(3).nOut(2).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(HEIGHT, WIDTH, 2)).build();
    }

    static Stream<Arguments> cases() {
        return Arrays.stream(PartitioningStrategy.values()).flatMap(s -> Stream.of(
                Arguments.of("log10 std, Sgd", convNormConv(true, new Sgd(0.1)), 16, s),
                Arguments.of("variance, Adam", convNormConv(false, new Adam(0.01)), 5, s),
                Arguments.of("log10 std, Adam", convNormConv(true, new Adam(0.01)), 5, s),
                Arguments.of("variance, Sgd", convNormConv(false, new Sgd(0.1)), 16, s)));
    }

    @ParameterizedTest(name = "{0} batch {2} {3}")
    @MethodSource("cases")
    void fitMatchesNd4j(String name, MultiLayerConfiguration conf, int batchSize, PartitioningStrategy strategy) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        INDArray x = Parity.images(BATCHES * batchSize, 2, HEIGHT, WIDTH, 31);
        INDArray y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * batchSize, 3, 32);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                SpiNNakerOptions.builder().partitioning(strategy).imageSize(HEIGHT, WIDTH).build())) {
            machine.init();
            machine.setParams(cpu.params());
            BatchNormTrainingParityTest.Fitted fitted = BatchNormTrainingParityTest.fitBoth(cpu, machine, x, y,
                    BATCHES, batchSize);
            double worstScore = fitted.worstScore();
            RunStats stats = fitted.lastStats();
            double parameters = BatchNormTrainingParityTest.relativeDifference(machine.params(), cpu.params());
            double norm = BatchNormTrainingParityTest.relativeDifference(machine.getLayer(1).params(),
                    cpu.getLayer(1).params());
            double state = BatchNormTrainingParityTest.relativeDifference(machine.getUpdater().getStateViewArray(),
                    cpu.getUpdater().getStateViewArray());
            INDArray probe = BatchNormTrainingParityTest.samples(x, 0, batchSize);
            double outputs = Transforms.abs(machine.output(probe).sub(cpu.output(probe))).maxNumber().doubleValue();
            List<Integer> widths = machine.trainingMapping().graph().vertices().stream()
                    .filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 1).map(v -> v.cols().size())
                    .distinct().toList();
            Mapping m = machine.trainingMapping();
            SampleBound bound = BoundCalculator.SPINNAKER1.bound(m.network(), m.graph(), m.placements(), m.machine());
            LOG.info("conv-norm-conv {} batch {} {}: scores within {}, parameters {} (the normalization's {}), updater "
                    + "state {}, outputs {}; {} cores, the normalization on {} blocks of {} values (a row: {}), {} µs "
                    + "per training sample; the bound {} µs, its exchange rounds {} µs", name, batchSize, strategy,
                    worstScore, parameters, norm, state, outputs, stats.coresUsed(), machine.trainingMapping().graph()
                            .vertices().stream().filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 1)
                            .count(), widths, WIDTH * 3, stats.simulatedSecondsPerSample() * 1e6,
                    bound.microseconds(MachineTiming.SPINNAKER1),
                    MachineTiming.SPINNAKER1.microseconds(bound.exchangeClocks()));
            assertEquals(BATCHES, machine.getIterationCount());
            assertTrue(worstScore <= TOLERANCE, "relative score difference " + worstScore);
            assertTrue(parameters <= TOLERANCE, "relative parameter difference " + parameters);
            assertTrue(state <= TOLERANCE, "relative updater state difference " + state);
            assertTrue(outputs <= 1e-4, "output difference " + outputs);
        }
    }

    /** Every core up to the normalization holds the whole mini-batch: a larger one is refused, naming what fits. */
    @Test
    void aMiniBatchLargerThanTheMappingHoldsIsRefused() {
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(convNormConv(true, new Sgd(0.1)),
                SpiNNakerOptions.builder().imageSize(HEIGHT, WIDTH).build())) {
            machine.init();
            int largest = machine.trainingMapping().largestMiniBatch();
            assertTrue(largest >= 16, "the parity cases' mini-batches fit: " + largest);
            INDArray x = Parity.images(largest + 1, 2, HEIGHT, WIDTH, 33);
            INDArray y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, largest + 1, 3, 34);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> machine.fit(x, y));
            assertTrue(e.getMessage().contains("a mini-batch of " + (largest + 1) + " samples")
                    && e.getMessage().contains("at most " + largest), e.getMessage());
        }
    }
}
