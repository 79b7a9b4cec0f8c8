package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * s16.15 training through the user API (docs/fixed-point.md, "Training in s16.15 through fit"): the 12-10-8-4
 * {@link SmallTrainingNetwork} trained by {@code MultiLayerNetwork.fit} on the SpiNNaker backend (FEWEST_CORES), five
 * mini-batches of 8. After every mini-batch DL4J's parameters are the {@link AccumTrainingReference}'s words, bit for
 * bit, the score {@code fit} reports (DL4J's CPU score of the quantised network before the update) is within
 * 1e-4 relative of the s16.15 loss the reference computes, and no packet is dropped or sent after its TDMA slot.
 */
class FixedPointFitParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(FixedPointFitParityTest.class);
    private static final int BATCHES = 5;
    private static final int BATCH = 8;
    /** Mini-batches of the wide network, whose layers are split by columns. */
    private static final int SPLIT_BATCHES = 4;
    private static final double SCORE_TOLERANCE = 1e-4;

    /** Updater, activations, loss and rounding: every hidden activation, both losses, both updaters and roundings. */
    static Stream<Arguments> trainings() {
        return Stream.of(
                Arguments.of(new Sgd(0.1), Activation.RELU, Activation.IDENTITY, Activation.SOFTMAX,
                        LossFunction.MCXENT, FixedPointRounding.nearest()),
                Arguments.of(new Sgd(0.1), Activation.TANH, Activation.SIGMOID, Activation.IDENTITY,
                        LossFunction.MSE, FixedPointRounding.stochastic(5)),
                Arguments.of(new Adam(1e-2), Activation.SIGMOID, Activation.RELU, Activation.SOFTMAX,
                        LossFunction.MCXENT, FixedPointRounding.nearest()),
                Arguments.of(new Adam(1e-2), Activation.IDENTITY, Activation.TANH, Activation.IDENTITY,
                        LossFunction.MSE, FixedPointRounding.stochastic(9)));
    }

    @ParameterizedTest
    @MethodSource("trainings")
    void fitIsBitEqualToTheReference(IUpdater updater, Activation first, Activation second, Activation out,
            LossFunction loss, FixedPointRounding rounding) {
        MultiLayerNetwork cpu = SmallTrainingNetwork.of(updater, first, second, out, loss);
        AccumTrainingReference ref = new AccumTrainingReference(cpu, rounding.rounding(), rounding.seed());
        Random rnd = new Random(7);
        double worstScore = 0;
        try (SpiNNakerMultiLayerNetwork net = machine(cpu, rounding)) {
            for (int b = 0; b < BATCHES; b++) {
                float[][] x = features(rnd, 1);
                float[][] y = labels(rnd, loss);
                AccumTrainingReference.Counts before = ref.counts();
                AccumTrainingReference.Gradient g = ref.fit(x, y);
                net.fit(Nd4j.create(x), Nd4j.create(y));
                assertLikeTheReference(ref, before, net, b);
                double relative = Math.abs(net.score() - g.loss()) / Math.abs(g.loss());
                assertTrue(relative <= SCORE_TOLERANCE, "mini-batch " + b + ": fit's score " + net.score()
                        + " against the s16.15 loss " + g.loss() + ", relative " + relative);
                worstScore = Math.max(worstScore, relative);
            }
            assertNotEquals(0L, ref.counts().nonZeroGradients, "the gradients were not all 0");
            LOG.info("{} {} {} {} {} {}: {} mini-batches bit-equal; score vs s16.15 loss, largest relative "
                    + "difference {}; {}; {}", updater.getClass().getSimpleName(), first, second, out, loss, rounding,
                    BATCHES, String.format("%.2e", worstScore), ref.counts(), net.lastTrainingStats());
        }
    }

    /** Updater and rounding of the wide network's trainings: Sgd with nearest, Adam with stochastic rounding. */
    static Stream<Arguments> splitTrainings() {
        return Stream.of(Arguments.of(new Sgd(0.05), FixedPointRounding.nearest()),
                Arguments.of(new Adam(1e-3), FixedPointRounding.stochastic(13)));
    }

    /**
     * A 300 → 200 (relu) → 100 (tanh) → 10 (softmax, MCXENT) network, too wide for one core a layer: FEWEST_CORES
     * cuts layers 0 and 1 by columns over several blocks, each holding all its layer's rows, and the blocks of layer
     * 1 (and 2, if split) send their partial errors back as halves. After every mini-batch DL4J's parameters are the
     * reference's words, bit for bit, with no packet dropped or late.
     */
    @ParameterizedTest
    @MethodSource("splitTrainings")
    void layersSplitByColumnsTrainBitEqualToTheReference(IUpdater updater, FixedPointRounding rounding) {
        int[] sizes = {300, 200, 100, 10};
        MultiLayerNetwork cpu = SmallTrainingNetwork.of(sizes, updater, Activation.RELU, Activation.TANH,
                Activation.SOFTMAX, LossFunction.MCXENT);
        AccumTrainingReference ref = new AccumTrainingReference(cpu, rounding.rounding(), rounding.seed());
        Random rnd = new Random(17);
        long start = System.nanoTime();
        try (SpiNNakerMultiLayerNetwork net = machine(cpu, rounding)) {
            for (int b = 0; b < SPLIT_BATCHES; b++) {
                float[][] x = features(rnd, 1, sizes[0]);
                float[][] y = labels(rnd, LossFunction.MCXENT, 1, sizes[3]);
                AccumTrainingReference.Counts before = ref.counts();
                ref.fit(x, y);
                net.fit(Nd4j.create(x), Nd4j.create(y));
                assertLikeTheReference(ref, before, net, b);
            }
            int[] blocks = blocksPerLayer(net.trainingMapping(), 3);
            assertTrue(blocks[0] > 1 && blocks[1] > 1, "layers 0 and 1 on several blocks: "
                    + Arrays.toString(blocks));
            assertEquals(1, blocks[2], "the output layer on one block");
            assertTrue(net.trainingMapping().graph().partitions().stream().anyMatch(p -> p.kind()
                    == PartitionKind.BACKWARD && p.keysPerValue() == OutgoingPartition.PARTIAL_HALVES),
                    "errors sent back as halves");
            assertNotEquals(0L, ref.counts().nonZeroGradients, "the gradients were not all 0");
            LOG.info("{} {}: blocks per layer {}, {} mini-batches bit-equal in {} s; {}; {}",
                    updater.getClass().getSimpleName(), rounding, Arrays.toString(blocks), SPLIT_BATCHES,
                    String.format("%.1f", (System.nanoTime() - start) / 1e9), ref.counts(), net.lastTrainingStats());
        }
    }

    /** The DENSE_BLOCK vertices of each of a mapping's {@code layers} layers. */
    private static int[] blocksPerLayer(Mapping mapping, int layers) {
        int[] blocks = new int[layers];
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK) {
                blocks[v.layer()]++;
            }
        }
        return blocks;
    }

    /**
     * A mini-batch whose inputs and labels would let a gradient sum wrap (both × 3000: relu outputs and MSE's δ near a
     * word's range) is refused before anything is sent: fit throws, the parameters are as they were, and a later
     * mini-batch trains.
     */
    @Test
    void aMiniBatchThatCouldWrapIsRefusedAndChangesNothing() {
        MultiLayerNetwork cpu = SmallTrainingNetwork.of(new Sgd(0.1), Activation.RELU, Activation.RELU,
                Activation.IDENTITY, LossFunction.MSE);
        Random rnd = new Random(3);
        try (SpiNNakerMultiLayerNetwork net = machine(cpu, FixedPointRounding.nearest())) {
            fitOne(net, rnd, LossFunction.MSE);
            INDArray before = net.params().dup();
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> net.fit(
                    Nd4j.create(features(rnd, 3000)), Nd4j.create(labels(rnd, LossFunction.MSE, 3000))));
            LOG.info("refused: {}", e.getMessage());
            assertTrue(e.getMessage().startsWith("layer "), e.getMessage());
            assertEquals(before, net.params(), "the parameters are unchanged");
            fitOne(net, rnd, LossFunction.MSE);
            assertNotEquals(before, net.params(), "a later mini-batch trains");
        }
    }

    /**
     * Parameters set through another door (setParams) after a fit are loaded into the cores before the next one, which
     * trains from them as the reference does; a non-zero DL4J updater state, which the cores cannot take, is refused.
     */
    @Test
    void parametersSetOutsideFitAreReloadedAndUpdaterStateIsRefused() {
        MultiLayerNetwork cpu = SmallTrainingNetwork.of(new Sgd(0.1), Activation.TANH, Activation.RELU,
                Activation.SOFTMAX, LossFunction.MCXENT);
        Random rnd = new Random(11);
        try (SpiNNakerMultiLayerNetwork net = machine(cpu, FixedPointRounding.nearest())) {
            fitOne(net, rnd, LossFunction.MCXENT);
            INDArray halved = net.params().mul(0.5);
            net.setParams(halved);
            cpu.setParams(halved);
            AccumTrainingReference ref = new AccumTrainingReference(cpu, FixedPointRounding.nearest().rounding(), 0);
            float[][] x = features(rnd, 1);
            float[][] y = labels(rnd, LossFunction.MCXENT);
            ref.fit(x, y);
            net.getLayerWiseConfigurations().setIterationCount(0); // the reference's first update
            net.fit(Nd4j.create(x), Nd4j.create(y));
            for (int l = 0; l < 3; l++) {
                assertArrayEquals(ref.weights(l), words(net, l, "W"), "layer " + l + ": weights");
                assertArrayEquals(ref.biases(l), words(net, l, "b"), "layer " + l + ": biases");
            }
        }
        MultiLayerNetwork adam = SmallTrainingNetwork.of(new Adam(1e-2), Activation.TANH, Activation.RELU,
                Activation.SOFTMAX, LossFunction.MCXENT);
        try (SpiNNakerMultiLayerNetwork net = machine(adam, FixedPointRounding.nearest())) {
            net.getUpdater().getStateViewArray().assign(1e-3);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> fitOne(net, rnd, LossFunction.MCXENT));
            assertTrue(e.getMessage().contains("updater holds state"), e.getMessage());
        }
    }

    /**
     * After mini-batch {@code b}: every weight and bias of the 3 layers the reference's word, no packet dropped or late,
     * and the update steps counted as the reference counted them since {@code before}.
     */
    private static void assertLikeTheReference(AccumTrainingReference ref, AccumTrainingReference.Counts before,
            SpiNNakerMultiLayerNetwork net, int b) {
        for (int l = 0; l < 3; l++) {
            String which = "mini-batch " + b + " layer " + l;
            assertArrayEquals(ref.weights(l), words(net, l, "W"), which + ": weights");
            assertArrayEquals(ref.biases(l), words(net, l, "b"), which + ": biases");
        }
        RunStats stats = net.lastTrainingStats();
        assertEquals(0, stats.packetsDropped(), "mini-batch " + b + ": packets dropped, " + stats);
        assertEquals(0, stats.tdmaOverruns(), "mini-batch " + b + ": TDMA overruns, " + stats);
        assertStepsCounted(before, ref.counts(), stats.saturations().steps(), "mini-batch " + b);
    }

    /** The layers' update steps in RunStats, added up, are the reference's over the same mini-batch. */
    private static void assertStepsCounted(AccumTrainingReference.Counts before, AccumTrainingReference.Counts after,
            List<RunStats.Steps> steps, String which) {
        assertEquals(3, steps.size(), which + ": a count of steps per layer");
        RunStats.Steps all = steps.stream().reduce(RunStats.Steps.NONE, RunStats.Steps::plus);
        assertEquals(after.nonZeroGradients - before.nonZeroGradients, all.nonZero(), which + ": non-zero gradients");
        assertEquals(after.stepsRoundedToZero - before.stepsRoundedToZero, all.zeroSteps(), which + ": zero steps");
        assertEquals(after.gradientClips - before.gradientClips, all.clipped(), which + ": clipped gradients");
        assertEquals(after.parameterSaturations - before.parameterSaturations, all.saturated(),
                which + ": parameters saturated by their steps");
    }

    private static SpiNNakerMultiLayerNetwork machine(MultiLayerNetwork cpu, FixedPointRounding rounding) {
        SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(cpu.getLayerWiseConfigurations().clone(),
                SpiNNakerOptions.builder().partitioning(PartitioningStrategy.FEWEST_CORES)
                        .arithmetic(Arithmetic.S16_15).fixedPointRounding(rounding).build());
        net.init(cpu.params().dup(), true);
        return net;
    }

    /** One mini-batch of unit-scale features and labels for {@code loss}. */
    private static void fitOne(SpiNNakerMultiLayerNetwork net, Random rnd, LossFunction loss) {
        net.fit(Nd4j.create(features(rnd, 1)), Nd4j.create(labels(rnd, loss)));
    }

    private static float[][] features(Random rnd, double scale) {
        return features(rnd, scale, 12);
    }

    private static float[][] features(Random rnd, double scale, int n) {
        float[][] x = new float[BATCH][n];
        for (float[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) (scale * rnd.nextGaussian());
            }
        }
        return x;
    }

    private static float[][] labels(Random rnd, LossFunction loss) {
        return labels(rnd, loss, 1);
    }

    /** One-hot labels for MCXENT, else Gaussian ones times {@code scale}. */
    private static float[][] labels(Random rnd, LossFunction loss, double scale) {
        return labels(rnd, loss, scale, 4);
    }

    private static float[][] labels(Random rnd, LossFunction loss, double scale, int n) {
        float[][] y = new float[BATCH][n];
        for (float[] row : y) {
            if (loss == LossFunction.MCXENT) {
                row[rnd.nextInt(n)] = 1f;
            } else {
                for (int j = 0; j < n; j++) {
                    row[j] = (float) (scale * rnd.nextGaussian());
                }
            }
        }
        return y;
    }

    /** DL4J's parameter {@code name} of layer l as words (its values are whole words, or this fails). */
    private static int[] words(MultiLayerNetwork net, int l, String name) {
        float[] values = AccumReference.parameter(net, l, name);
        int[] words = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double w = values[i] * (double) AccumQuantiser.ONE;
            assertTrue(w == Math.rint(w), "layer " + l + " " + name + "[" + i + "] = " + values[i] + " is a word");
            words[i] = (int) w;
        }
        return words;
    }
}
