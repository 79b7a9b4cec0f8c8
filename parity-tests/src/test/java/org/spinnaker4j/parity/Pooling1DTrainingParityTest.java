package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Subsampling1DLayer and GlobalPoolingLayer (MAX, AVG) in training: their backward passes run on the machine (MAX's
 * delta to the first argmax of each window, AVG's divided over its window), and fit follows nd4j-native's trajectory
 * (every iteration's score, score(DataSet), the parameters and the updater state within {@link TrainingParity}'s
 * tolerances), with no drop.
 */
class Pooling1DTrainingParityTest {

    private static final int BATCHES = 10;
    private static final int BATCH = 16;

    private static Subsampling1DLayer pool(PoolingType type, int kernel, int stride, int padding, ConvolutionMode mode,
            boolean padInDivisor) {
        Subsampling1DLayer layer = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(kernel).stride(stride)
                .poolingType(type).convolutionMode(mode).avgPoolIncludePadInDivisor(padInDivisor).build();
        layer.setPadding(new int[] {padding, 0});
        return layer;
    }

    /**
     * Conv1D (3 × 8 → 6, kernel 3, Same) → MAX pool (kernel 2, stride 2: 4 positions) → Dense per position (6 → 5)
     * → softmax output per position.
     */
    private static MultiLayerConfiguration convMaxPoolDenseOutput(IUpdater updater) {
        return Parity.list(61, updater)
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(6).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .layer(pool(PoolingType.MAX, 2, 2, 0, ConvolutionMode.Truncate, false))
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(3, 8)).build();
    }

    static Stream<Arguments> updatersByStrategy() {
        return Stream.of("Sgd", "Adam")
                .flatMap(u -> Arrays.stream(PartitioningStrategy.values()).map(s -> Arguments.of(u, s)));
    }

    private static IUpdater updater(String name) {
        return name.equals("Sgd") ? new Sgd(0.1) : new Adam(1e-2);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("updatersByStrategy")
    void convMaxPoolDenseOutput(String updater, PartitioningStrategy strategy) {
        RunStats stats = TrainingParity.assertTrainingParity("conv-MAX pool-dense-output " + updater + " " + strategy,
                convMaxPoolDenseOutput(updater(updater)), Parity.sequenceOptions(strategy, 8), Parity.sequences(BATCHES * BATCH, 3, 8, 61),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH * 4, 3, 62), BATCHES, BATCH);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
    }

    /** An AVG pooling layer with padding: Same, or Truncate with explicit padding, counting it in the divisor or not. */
    record Avg(int kernel, int stride, int padding, ConvolutionMode mode, boolean padInDivisor) {

        Subsampling1DLayer layer() {
            return pool(PoolingType.AVG, kernel, stride, padding, mode, padInDivisor);
        }

        @Override
        public String toString() {
            return "AVG k" + kernel + " s" + stride + " p" + padding + " " + mode + (padInDivisor ? " pad in ÷" : "");
        }
    }

    /**
     * Conv1D (3 × 12 → 6, kernel 3, Same) → AVG pool → Conv1D (→ 5, kernel 3, Truncate) → GlobalPooling (MAX or AVG)
     * → Dense (5 → 4) → softmax output: the global pooling's row per sample behind RnnToFeedForward.
     */
    private static MultiLayerConfiguration convAvgPoolConvGlobalPool(Avg avg, PoolingType global, IUpdater updater) {
        return Parity.list(71, updater)
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(6).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .layer(avg.layer())
                .layer(new Convolution1DLayer.Builder().nIn(6).nOut(5).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(global).build())
                .layer(new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(4).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(3, 12)).build();
    }

    static Stream<Arguments> avgPoolsByStrategy() {
        List<Avg> pools = List.of(new Avg(3, 2, 0, ConvolutionMode.Same, false),
                new Avg(3, 2, 0, ConvolutionMode.Same, true), new Avg(3, 1, 1, ConvolutionMode.Truncate, true),
                new Avg(2, 1, 1, ConvolutionMode.Truncate, false));
        return Arrays.stream(PartitioningStrategy.values()).flatMap(s -> pools.stream()
                .map(p -> Arguments.of(p, pools.indexOf(p) % 2 == 0 ? PoolingType.MAX : PoolingType.AVG, s)));
    }

    @ParameterizedTest(name = "{0}, global {1}, {2}")
    @MethodSource("avgPoolsByStrategy")
    void convAvgPoolConvGlobalPoolDenseOutputAdam(Avg avg, PoolingType global, PartitioningStrategy strategy) {
        RunStats stats = TrainingParity.assertTrainingParity(avg + ", global " + global + ", Adam, " + strategy,
                convAvgPoolConvGlobalPool(avg, global, new Adam(1e-2)), Parity.sequenceOptions(strategy, 12),
                Parity.sequences(BATCHES * BATCH, 3, 12, 71),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 3, 72), BATCHES, BATCH);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
    }

    @ParameterizedTest(name = "global {0}")
    @EnumSource(value = PoolingType.class, names = {"MAX", "AVG"})
    void convAvgPoolConvGlobalPoolDenseOutputSgd(PoolingType global) {
        Avg avg = new Avg(3, 2, 0, ConvolutionMode.Same, global == PoolingType.AVG);
        RunStats stats = TrainingParity.assertTrainingParity(avg + ", global " + global + ", Sgd, FASTEST",
                convAvgPoolConvGlobalPool(avg, global, new Sgd(0.1)), Parity.sequenceOptions(PartitioningStrategy.FASTEST, 12),
                Parity.sequences(BATCHES * BATCH, 3, 12, 73),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 3, 74), BATCHES, BATCH);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
    }
}
