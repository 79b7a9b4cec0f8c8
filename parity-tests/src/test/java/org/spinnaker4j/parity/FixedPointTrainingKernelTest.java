package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumUpdate;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;
import org.spinnaker4j.kernels.FixedPointUpdate.UpdateCounts;
import org.spinnaker4j.kernels.FixedPointUpdate.UpdateRun;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.KernelException;
import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.kernels.KeyRange;
import org.spinnaker4j.kernels.LossKind;
import org.spinnaker4j.kernels.TrainingConfig;
import org.spinnaker4j.kernels.UpdateValues;
import org.spinnaker4j.kernels.UpdaterConfig;
import org.spinnaker4j.kernels.UpdaterKind;

/**
 * s16.15 training on the kernels (docs/fixed-point.md, "Training in s16.15 on the machine"): the 12-10-8-4
 * {@link SmallTrainingNetwork}, each layer on fused training blocks in S16_15 (the first layer's columns on 1, 2 or 3
 * of them, the second's on 1, 2 or 3: its blocks send each row's error as its 64-bit partial's two halves, which the
 * first layer's blocks add before one rounding; the output layer on one), every packet between them
 * routed by hand (inputs, outputs, labels and error words), two samples in flight, and each mini-batch ended by
 * {@link KernelCore#applyFixedUpdate} with the constants the host computes ({@link AccumUpdate}). After every
 * mini-batch each core's weight and bias words equal {@link AccumTrainingReference}'s bit for bit, every sample's
 * output words equal the reference's forward pass, and the updates' counts (non-zero gradients, steps rounded to 0)
 * equal the reference's. The backend drives the same kernels through {@code fit} (FixedPointFitParityTest).
 */
class FixedPointTrainingKernelTest {

    private static final int BATCH = 8;
    private static final int BATCHES = 6;
    private static final int IN_FLIGHT = 2;
    private static final int SEED = 2026;
    /** Layer l's input keys (layer l - 1's outputs) from {@code inKey(l)}; the output layer's go nowhere. */
    private static final int LABELS = 0xF000;

    private static int inKey(int l) {
        return 0x1000 * (l + 1);
    }

    /** The error words layer l + 1 sends layer l. */
    private static int errorKey(int l) {
        return 0x8000 + 0x100 * l;
    }

    /**
     * Updater, activations, loss, rounding, and the column blocks of the first and of the second layer (a row's error
     * comes as a rounded word from a layer on one block, as halves from a layer on several).
     */
    static Stream<Arguments> trainings() {
        return Stream.of(
                Arguments.of(new Sgd(0.1), Activation.RELU, Activation.IDENTITY, Activation.SOFTMAX,
                        LossFunction.MCXENT, Rounding.NEAREST, 1, 1),
                Arguments.of(new Sgd(0.1), Activation.RELU, Activation.RELU, Activation.SOFTMAX,
                        LossFunction.MCXENT, Rounding.STOCHASTIC, 2, 1),
                Arguments.of(new Adam(1e-2), Activation.TANH, Activation.SIGMOID, Activation.IDENTITY,
                        LossFunction.MSE, Rounding.NEAREST, 1, 1),
                Arguments.of(new Adam(1e-2), Activation.RELU, Activation.TANH, Activation.SOFTMAX,
                        LossFunction.MCXENT, Rounding.STOCHASTIC, 3, 1),
                Arguments.of(new Sgd(0.1), Activation.RELU, Activation.RELU, Activation.SOFTMAX,
                        LossFunction.MCXENT, Rounding.NEAREST, 2, 2),
                Arguments.of(new Adam(1e-2), Activation.SIGMOID, Activation.TANH, Activation.IDENTITY,
                        LossFunction.MSE, Rounding.STOCHASTIC, 1, 3));
    }

    /** A core of layer {@code layer} holding its columns [lo, hi), and the key ranges it takes. */
    private record Block(KernelCore core, int layer, int lo, int hi, List<KeyRange> ranges) {
        boolean takes(int key) {
            return ranges.stream().anyMatch(r -> key >= r.keyLo() && key < r.keyHi());
        }
    }

    @ParameterizedTest
    @MethodSource("trainings")
    void kernelsTrainAsTheReference(IUpdater updater, Activation first, Activation second, Activation out,
            LossFunction loss, Rounding rounding, int firstLayerBlocks, int secondLayerBlocks) {
        MultiLayerNetwork net = SmallTrainingNetwork.of(updater, first, second, out, loss);
        AccumTrainingReference ref = new AccumTrainingReference(net, rounding, SEED);
        int[] widths = {12, 10, 8, 4};
        KernelActivation[] acts = {kernel(first), kernel(second), kernel(out)};
        LossKind lossKind = loss == LossFunction.MSE ? LossKind.MSE : LossKind.MCXENT;
        List<Block> blocks = new ArrayList<>();
        int[] parts = {firstLayerBlocks, secondLayerBlocks, 1, 0};
        for (int l = 0; l < 3; l++) {
            for (int p = 0; p < parts[l]; p++) {
                int lo = widths[l + 1] * p / parts[l];
                int hi = widths[l + 1] * (p + 1) / parts[l];
                KernelConfig c = config(l, p, lo, hi, widths, parts[l], parts[l + 1], acts[l], lossKind, updater);
                KernelCore core = new KernelCore();
                core.loadWords(c, columns(ref.weights(l), widths[l + 1], lo, hi),
                        Arrays.copyOfRange(ref.biases(l), lo, hi));
                blocks.add(new Block(core, l, lo, hi, c.inputs()));
            }
        }
        Random rnd = new Random(7);
        long nonZero = 0;
        long zeroSteps = 0;
        for (int b = 0; b < BATCHES; b++) {
            float[][] x = new float[BATCH][12];
            float[][] y = new float[BATCH][4];
            for (int s = 0; s < BATCH; s++) {
                for (int i = 0; i < 12; i++) {
                    x[s][i] = (float) rnd.nextGaussian();
                }
                if (lossKind == LossKind.MCXENT) {
                    y[s][rnd.nextInt(4)] = 1f;
                } else {
                    for (int j = 0; j < 4; j++) {
                        y[s][j] = (float) rnd.nextGaussian();
                    }
                }
            }
            int[][] expectedOut = new int[BATCH][];
            for (int s = 0; s < BATCH; s++) {
                expectedOut[s] = ref.forward(words(x[s], "sample")).get(3);
            }
            int iteration = ref.iterations();
            ref.fit(x, y);
            AccumTrainingReference.Counts after = ref.counts();

            List<int[]> outputs = new ArrayList<>();
            for (int s = 0; s < BATCH; s += IN_FLIGHT) {
                Deque<int[]> queue = new ArrayDeque<>();
                for (int k = s; k < s + IN_FLIGHT; k++) {
                    queue.addAll(shuffled(inKey(0), words(x[k], "sample"), rnd));
                    queue.addAll(shuffled(LABELS, words(y[k], "labels"), rnd));
                }
                route(blocks, queue, outputs);
            }
            assertEquals(BATCH, outputs.size(), "a set of outputs per sample");
            for (int s = 0; s < BATCH; s++) {
                assertArrayEquals(expectedOut[s], outputs.get(s), "mini-batch " + b + " sample " + s + "'s outputs");
            }
            for (Block k : blocks) {
                int l = k.layer();
                // W[i][j] of the block is the layer's (i, lo + j): index i·nOut + lo + j; bias j's nIn·nOut + lo + j
                UpdateRun run = new UpdateRun(rounding, SEED, l, iteration, k.lo());
                int rowStride = widths[l + 1];
                int biasFirst = widths[l] * widths[l + 1] + k.lo();
                UpdateCounts counts = updater instanceof Sgd sgd
                        ? k.core().applyFixedUpdate(run, rowStride, biasFirst,
                                AccumUpdate.sgdConstant(sgd.getLearningRate(), BATCH))
                        : k.core().applyFixedUpdate(run, rowStride, biasFirst, adam((Adam) updater, iteration));
                nonZero += counts.nonZero();
                zeroSteps += counts.zeroSteps();
                String which = "mini-batch " + b + " layer " + l + " columns " + k.lo() + ".." + k.hi();
                assertArrayEquals(columns(ref.weights(l), widths[l + 1], k.lo(), k.hi()),
                        words(k.core().readWeights()), which + ": weights");
                assertArrayEquals(Arrays.copyOfRange(ref.biases(l), k.lo(), k.hi()), words(k.core().readBias()),
                        which + ": biases");
            }
            assertEquals(after.nonZeroGradients, nonZero, "mini-batch " + b + ": non-zero gradients so far");
            assertEquals(after.stepsRoundedToZero, zeroSteps, "mini-batch " + b + ": steps rounded to 0 so far");
        }
        assertTrue(nonZero > 0, "the gradients were not all 0");
        for (int l = 0; l < 3; l++) {
            assertNotEquals(0, Arrays.stream(ref.weights(l)).filter(w -> w != 0).count(), "layer " + l);
        }
    }

    /**
     * The update waits for whole samples (a forward pass's words half in: INCOMPLETE, nothing changed), and the float
     * update, dropout and the updater state as floats are refused on an s16.15 training core before C.
     */
    @Test
    void theUpdateWaitsForWholeSamples() {
        UpdaterConfig sgd = new UpdaterConfig(UpdaterKind.SGD, 0.1f, 0f, 0f, 0f);
        KernelConfig out = new KernelConfig(KernelKind.DENSE_BLOCK, 8, 4, KernelActivation.SOFTMAX, 0f, true, 0x100,
                0, 0, 0, List.of(KeyRange.data(0x10, 8, 0), KeyRange.label(0x20, 4, 0)),
                TrainingConfig.builder(sgd).loss(LossKind.MCXENT, 4, 0x30).build()).withFixedPoint();
        int[] w = new int[32];
        Arrays.fill(w, 1 << 13);
        KernelCore core = new KernelCore();
        core.loadWords(out, w, new int[4]);
        int[] outbox = new int[2 * core.maxSendsPerEvent()];
        for (int i = 0; i < 3; i++) {
            core.onPacket(0x10 + i, AccumQuantiser.ONE, outbox);
        }
        UpdateRun run = new UpdateRun(Rounding.NEAREST, SEED, 0, 0, 0);
        KernelException e = assertThrows(KernelException.class,
                () -> core.applyFixedUpdate(run, 4, 32, AccumUpdate.sgdConstant(0.1, 1)));
        assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
        assertArrayEquals(w, words(core.readWeights()));
        IllegalStateException f = assertThrows(IllegalStateException.class, () -> core.applyUpdate(1, 0,
                new UpdateValues(0.1f, 0f, 0f, 0f, 0f),
                new UpdateValues(0.1f, 0f, 0f, 0f, 0f)));
        assertTrue(f.getMessage().contains("applyFixedUpdate"), f.getMessage());
        f = assertThrows(IllegalStateException.class,
                () -> core.applyFixedUpdate(run, 4, 32, adamConstants()));
        assertTrue(f.getMessage().contains("SGD"), f.getMessage());
        assertThrows(IllegalStateException.class, () -> core.setDropout(0.5f, 1, 0, true));
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
                () -> core.applyFixedUpdate(run, 3, 32, AccumUpdate.sgdConstant(0.1, 1)));
        assertTrue(g.getMessage().contains("row stride"), g.getMessage());
    }

    private static AccumUpdate.AdamConstants adamConstants() {
        return AccumUpdate.AdamConstants.of(1e-3, 0.9, 0.999, 1e-8, 1, 1);
    }

    @Test
    void whatTheKernelsDoNotTrainIsRefusedBeforeC() {
        UpdaterConfig sgd = new UpdaterConfig(UpdaterKind.SGD, 0.1f, 0f, 0f, 0f);
        TrainingConfig hidden = TrainingConfig.builder(sgd).backwardPartials(1).sendsBackward(0x40).build();
        KernelConfig widthless = new KernelConfig(KernelKind.DENSE_BLOCK, 4, 3, KernelActivation.RELU, 0f, true,
                0x100, 0, 0, 0, List.of(KeyRange.data(0x10, 4, 0), KeyRange.backwardPartial(0x20, 3, 0)), hidden);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, widthless::withFixedPoint);
        assertTrue(e.getMessage().contains("states its layer's width"), e.getMessage());
        UpdaterConfig nesterovs = new UpdaterConfig(UpdaterKind.NESTEROVS, 0.1f, 0.9f, 0f, 0f);
        KernelConfig momentum = new KernelConfig(KernelKind.DENSE_BLOCK, 4, 3, KernelActivation.RELU, 0f, true,
                0x100, 0, 0, 0, List.of(KeyRange.data(0x10, 4, 0), KeyRange.backwardPartial(0x20, 3, 0)),
                TrainingConfig.builder(nesterovs).backwardPartials(1).build());
        e = assertThrows(IllegalArgumentException.class, momentum::withFixedPoint);
        assertTrue(e.getMessage().contains("must both be Sgd or both Adam"), e.getMessage());
        KernelConfig unfused = new KernelConfig(KernelKind.DENSE_BLOCK, 4, 3, KernelActivation.IDENTITY, 0f, false,
                0x100, 0, 0, 0, List.of(KeyRange.data(0x10, 4, 0), KeyRange.delta(0x20, 3, 0)),
                TrainingConfig.builder(sgd).build());
        e = assertThrows(IllegalArgumentException.class, unfused::withFixedPoint);
        assertTrue(e.getMessage().contains("training DENSE_BLOCK"), e.getMessage());
    }

    /**
     * Block {@code p} of layer l, its columns [lo, hi), the layer on {@code blocks} blocks and the one above on
     * {@code above}: its inputs, its columns' errors from each block above (one range each: words from one, halves,
     * two keys a column, from several) or labels (output), its sends back (block p's from
     * {@code errorKey(l - 1) + 0x40·p}).
     */
    private static KernelConfig config(int l, int p, int lo, int hi, int[] widths, int blocks, int above,
            KernelActivation act, LossKind loss, IUpdater updater) {
        int nIn = widths[l];
        boolean output = l == widths.length - 2;
        TrainingConfig.Builder t = TrainingConfig.builder(updaterConfig(updater)).samplesInFlight(IN_FLIGHT);
        List<KeyRange> in = new ArrayList<>(List.of(KeyRange.data(inKey(l), nIn, 0)));
        if (output) {
            t.loss(loss, widths[l + 1], 0xE000);
            in.add(KeyRange.label(LABELS + lo, hi - lo, 0));
        } else {
            t.backwardPartials(above).layerOutputs(widths[l + 1]);
            int keys = above > 1 ? 2 : 1;
            for (int k = 0; k < above; k++) {
                in.add(KeyRange.backwardPartial(errorKey(l) + 0x40 * k + keys * lo, keys * (hi - lo), 0));
            }
        }
        if (l > 0) {
            t.sendsBackward(errorKey(l - 1) + 0x40 * p);
        }
        return new KernelConfig(KernelKind.DENSE_BLOCK, nIn, hi - lo, act, 0f, true, inKey(l + 1) + lo, 0, 0, 0, in,
                t.build(), null, null, true, false);
    }

    /** Columns [lo, hi) of a row-major matrix of {@code width} columns. */
    private static int[] columns(int[] w, int width, int lo, int hi) {
        int rows = w.length / width;
        int[] c = new int[rows * (hi - lo)];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(w, i * width + lo, c, i * (hi - lo), hi - lo);
        }
        return c;
    }

    private static UpdaterConfig updaterConfig(IUpdater u) {
        if (u instanceof Sgd s) {
            return new UpdaterConfig(UpdaterKind.SGD, (float) s.getLearningRate(), 0f, 0f, 0f);
        }
        Adam a = (Adam) u;
        return new UpdaterConfig(UpdaterKind.ADAM, (float) a.getLearningRate(), (float) a.getBeta1(),
                (float) a.getBeta2(), (float) a.getEpsilon());
    }

    private static AccumUpdate.AdamConstants adam(Adam a, int iteration) {
        return AccumUpdate.AdamConstants.of(a.getLearningRate(), a.getBeta1(), a.getBeta2(), a.getEpsilon(), BATCH,
                iteration + 1);
    }

    private static KernelActivation kernel(Activation a) {
        return switch (a) {
            case RELU -> KernelActivation.RELU;
            case IDENTITY -> KernelActivation.IDENTITY;
            case TANH -> KernelActivation.TANH;
            case SIGMOID -> KernelActivation.SIGMOID;
            case SOFTMAX -> KernelActivation.SOFTMAX;
            default -> throw new IllegalArgumentException("no kernel activation for " + a);
        };
    }

    private static int[] words(float[] values, String what) {
        return AccumQuantiser.quantise(values, values.length, what).words();
    }

    private static int[] words(float[] carriers) {
        int[] w = new int[carriers.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = Float.floatToRawIntBits(carriers[i]);
        }
        return w;
    }

    /** Packets (key, word) for {@code words} on keys {@code base + i}, in a random order. */
    private static List<int[]> shuffled(int base, int[] words, Random rnd) {
        List<int[]> packets = new ArrayList<>();
        for (int i = 0; i < words.length; i++) {
            packets.add(new int[] {base + i, words[i]});
        }
        Collections.shuffle(packets, rnd);
        return packets;
    }

    /**
     * Delivers the queued packets and every packet they cause, first in first out, each to every block that takes
     * its key (a layer's inputs to each of its blocks); the output layer's outputs are collected a sample at a time
     * (they leave in column order).
     */
    private static void route(List<Block> blocks, Deque<int[]> queue, List<int[]> outputs) {
        int outKey = inKey(3);
        int nOut = 4;
        int[] current = new int[nOut];
        int filled = 0;
        while (!queue.isEmpty()) {
            int[] p = queue.poll();
            int key = p[0];
            if (key >= outKey && key < outKey + nOut) {
                current[key - outKey] = p[1];
                if (++filled == nOut) {
                    outputs.add(current.clone());
                    filled = 0;
                }
                continue;
            }
            int delivered = 0;
            for (Block k : blocks) {
                if (!k.takes(key)) {
                    continue;
                }
                delivered++;
                int[] outbox = new int[2 * Math.max(1, k.core().maxSendsPerEvent())];
                int n = k.core().onPacket(key, p[1], outbox);
                for (int e = 0; e < n; e++) {
                    queue.add(new int[] {outbox[2 * e], outbox[2 * e + 1]});
                }
            }
            assertTrue(delivered > 0, String.format("no core takes key 0x%x", key));
        }
        assertEquals(0, filled, "a sample's outputs came whole");
    }
}
