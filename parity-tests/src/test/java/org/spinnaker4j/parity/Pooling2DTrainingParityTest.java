package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The 2-D SubsamplingLayer in training. Its backward pass (MAX's delta to the first argmax of its window, rows first,
 * AVG's divided over its window) runs between 2-D convolutions, where score(DataSet), which runs both passes,
 * matches nd4j-native's and fit, the convolutions' kernels updating on the machine, follows nd4j-native's trajectory;
 * so does a pooling layer on the input, then dense layers.
 */
class Pooling2DTrainingParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(Pooling2DTrainingParityTest.class);
    private static final int BATCHES = 10;
    private static final int BATCH = 16;

    static Stream<Arguments> updatersByStrategy() {
        return Stream.of("Sgd", "Adam")
                .flatMap(u -> Arrays.stream(PartitioningStrategy.values()).map(s -> Arguments.of(u, s)));
    }

    /** MAX pooling (3 × 3, stride 2, Same: overlapping windows) on 2 × 6 × 8 flat input → Dense → softmax output. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("updatersByStrategy")
    void poolingOnTheInputThenDense(String updater, PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(81, updater.equals("Sgd") ? new Sgd(0.1) : new Adam(1e-2))
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).build())
                .layer(new DenseLayer.Builder().nOut(7).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(6, 8, 2)).build();
        RunStats stats = TrainingParity.assertTrainingParity("2-D MAX pool on the input, " + updater + ", " + strategy,
                conf, SpiNNakerOptions.builder().partitioning(strategy).build(),
                Parity.images(BATCHES * BATCH, 2, 6, 8, 81).reshape(BATCHES * BATCH, 2 * 6 * 8),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 4, 82), BATCHES, BATCH);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
    }

    /**
     * Conv (Same) → MAX pool → Conv (Same) → AVG pool → Dense → softmax output, the pools overlapping (3 × 3, stride
     * 2, Same) or not (2 × 2, stride 2), AVG with padding counting it or not: the pooling layers' backward passes
     * carry the deltas to the convolutions, whose dW and W·delta make the score's gradient.
     */
    private static MultiLayerConfiguration convPoolConvPool(int kernel, boolean padInDivisor) {
        return Parity.list(83, new Sgd(0.1))
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(kernel, kernel).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).build())
                .layer(new ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(kernel, kernel).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).avgPoolIncludePadInDivisor(padInDivisor).build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 2)).build();
    }

    static Stream<Arguments> poolsByStrategy() {
        return Arrays.stream(PartitioningStrategy.values()).flatMap(s -> Stream.of(Arguments.of(2, false, s),
                Arguments.of(3, false, s), Arguments.of(3, true, s)));
    }

    @ParameterizedTest(name = "{0} x {0}, pad in divisor {1}, {2}")
    @MethodSource("poolsByStrategy")
    void scoreThroughPoolingBetweenConvolutions(int kernel, boolean padInDivisor, PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = convPoolConvPool(kernel, padInDivisor);
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        DataSet data = new DataSet(Parity.images(12, 2, 8, 8, 84).reshape(12, 2 * 8 * 8),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 12, 3, 85));
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                SpiNNakerOptions.builder().partitioning(strategy).build())) {
            machine.init();
            machine.setParams(cpu.params());
            double expected = cpu.score(data);
            double actual = machine.score(data);
            RunStats stats = machine.lastScoreStats();
            LOG.info("score(DataSet) {} × {} pools, pad in divisor {}, {} on {} cores: nd4j-native {}, SpiNNaker {}, "
                    + "relative difference {}; {}", kernel, kernel, padInDivisor, strategy,
                    machine.trainingMapping().graph().vertices().size(), expected, actual,
                    Math.abs(actual - expected) / Math.abs(expected), stats);
            assertEquals(expected, actual, TrainingParity.SCORE_TOLERANCE * Math.abs(expected));
            assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        }
    }

    /** The same networks trained with fit: the convolutions' kernels update on the machine through the pools. */
    @ParameterizedTest(name = "{0} x {0}, pad in divisor {1}, {2}")
    @MethodSource("poolsByStrategy")
    void fitThroughPoolingBetweenConvolutions(int kernel, boolean padInDivisor, PartitioningStrategy strategy) {
        RunStats stats = TrainingParity.assertTrainingParity("conv, " + kernel + " x " + kernel + " MAX pool, conv, "
                + "AVG pool (pad in divisor " + padInDivisor + "), Sgd, " + strategy, convPoolConvPool(kernel,
                padInDivisor), SpiNNakerOptions.builder().partitioning(strategy).build(),
                Parity.images(BATCHES * BATCH, 2, 8, 8, 89).reshape(BATCHES * BATCH, 2 * 8 * 8),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 3, 90), BATCHES, BATCH);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
    }

    /**
     * A batch normalization after a 2-D pooling layer trains per channel with the mini-batch's statistics, as after a
     * convolution (its blocks exchange partial sums), matching nd4j-native with no drop.
     */
    @Test
    void fitThroughABatchNormalizationAfterPooling() {
        MultiLayerConfiguration conf = Parity.list(86, new Sgd(0.1))
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(4, 4, 2)).build();
        RunStats stats = TrainingParity.assertTrainingParity("MAX pool, batch normalization, dense", conf,
                SpiNNakerOptions.builder().build(), Parity.flatImages(BATCHES * BATCH, 2, 4, 4, 87),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 3, 88), BATCHES, BATCH);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertEquals(0, stats.tdmaOverruns());
    }
}
