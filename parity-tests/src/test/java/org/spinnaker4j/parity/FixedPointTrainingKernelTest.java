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
import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.kernels.KeyRange;
import org.spinnaker4j.kernels.LossKind;
import org.spinnaker4j.kernels.TrainingConfig;
import org.spinnaker4j.kernels.UpdaterConfig;
import org.spinnaker4j.kernels.UpdaterKind;

/**
 * s16.15 training on the kernels (docs/fixed-point.md, "Training in s16.15 on the machine"): the 12-10-8-4
 * {@link SmallTrainingNetwork}, each layer one fused training block in S16_15, every packet between them routed by
 * hand (inputs, outputs, labels and error words), two samples in flight, and each mini-batch ended by
 * {@link KernelCore#applyFixedUpdate} with the constants the host computes ({@link AccumUpdate}). After every
 * mini-batch each core's weight and bias words equal {@link AccumTrainingReference}'s bit for bit, every sample's
 * output words equal the reference's forward pass, and the updates' counts (non-zero gradients, steps rounded to 0)
 * equal the reference's. The backend does not drive this yet (its {@code FixedPointCheck} still refuses s16.15
 * training).
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

    static Stream<Arguments> trainings() {
        return Stream.of(
                Arguments.of(new Sgd(0.1), Activation.RELU, Activation.IDENTITY, Activation.SOFTMAX,
                        LossFunction.MCXENT, Rounding.NEAREST),
                Arguments.of(new Sgd(0.1), Activation.RELU, Activation.RELU, Activation.SOFTMAX,
                        LossFunction.MCXENT, Rounding.STOCHASTIC),
                Arguments.of(new Adam(1e-2), Activation.TANH, Activation.SIGMOID, Activation.IDENTITY,
                        LossFunction.MSE, Rounding.NEAREST),
                Arguments.of(new Adam(1e-2), Activation.RELU, Activation.TANH, Activation.SOFTMAX,
                        LossFunction.MCXENT, Rounding.STOCHASTIC));
    }

    @ParameterizedTest
    @MethodSource("trainings")
    void kernelsTrainAsTheReference(IUpdater updater, Activation first, Activation second, Activation out,
            LossFunction loss, Rounding rounding) {
        MultiLayerNetwork net = SmallTrainingNetwork.of(updater, first, second, out, loss);
        AccumTrainingReference ref = new AccumTrainingReference(net, rounding, SEED);
        int[] widths = {12, 10, 8, 4};
        KernelActivation[] acts = {kernel(first), kernel(second), kernel(out)};
        LossKind lossKind = loss == LossFunction.MSE ? LossKind.MSE : LossKind.MCXENT;
        List<KernelCore> cores = new ArrayList<>();
        for (int l = 0; l < 3; l++) {
            KernelCore core = new KernelCore();
            core.loadWords(config(l, widths, acts[l], lossKind, updater), ref.weights(l), ref.biases(l));
            cores.add(core);
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
                route(cores, queue, outputs);
            }
            assertEquals(BATCH, outputs.size(), "a set of outputs per sample");
            for (int s = 0; s < BATCH; s++) {
                assertArrayEquals(expectedOut[s], outputs.get(s), "mini-batch " + b + " sample " + s + "'s outputs");
            }
            for (int l = 0; l < 3; l++) {
                UpdateRun run = new UpdateRun(rounding, SEED, l, iteration, 0);
                int rowStride = widths[l + 1];
                int biasFirst = widths[l] * widths[l + 1];
                UpdateCounts counts = updater instanceof Sgd sgd
                        ? cores.get(l).applyFixedUpdate(run, rowStride, biasFirst,
                                AccumUpdate.sgdConstant(sgd.getLearningRate(), BATCH))
                        : cores.get(l).applyFixedUpdate(run, rowStride, biasFirst, adam((Adam) updater, iteration));
                nonZero += counts.nonZero();
                zeroSteps += counts.zeroSteps();
                assertArrayEquals(ref.weights(l), words(cores.get(l).readWeights()),
                        "mini-batch " + b + " layer " + l + "'s weights");
                assertArrayEquals(ref.biases(l), words(cores.get(l).readBias()),
                        "mini-batch " + b + " layer " + l + "'s biases");
            }
            assertEquals(after.nonZeroGradients, nonZero, "mini-batch " + b + ": non-zero gradients so far");
            assertEquals(after.stepsRoundedToZero, zeroSteps, "mini-batch " + b + ": steps rounded to 0 so far");
        }
        assertTrue(nonZero > 0, "the gradients were not all 0");
        for (int l = 0; l < 3; l++) {
            assertNotEquals(0, Arrays.stream(ref.weights(l)).filter(w -> w != 0).count(), "layer " + l);
        }
    }

    @Test
    void whatTheKernelsDoNotTrainIsRefusedBeforeC() {
        UpdaterConfig sgd = new UpdaterConfig(UpdaterKind.SGD, 0.1f, 0f, 0f, 0f);
        TrainingConfig hidden = TrainingConfig.builder(sgd).backwardPartials(2).build();
        KernelConfig split = new KernelConfig(KernelKind.DENSE_BLOCK, 4, 3, KernelActivation.RELU, 0f, true, 0x100,
                0, 0, 0, List.of(KeyRange.data(0x10, 4, 0), KeyRange.backwardPartial(0x20, 3, 0)), hidden);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, split::withFixedPoint);
        assertTrue(e.getMessage().contains("expectedBackwardPartials 1"), e.getMessage());
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

    /** Layer l's fused training block: its inputs, its error words (hidden) or labels (output), its sends back. */
    private static KernelConfig config(int l, int[] widths, KernelActivation act, LossKind loss, IUpdater updater) {
        int nIn = widths[l];
        int nOut = widths[l + 1];
        boolean output = l == widths.length - 2;
        TrainingConfig.Builder t = TrainingConfig.builder(updaterConfig(updater)).samplesInFlight(IN_FLIGHT);
        List<KeyRange> in = new ArrayList<>(List.of(KeyRange.data(inKey(l), nIn, 0)));
        if (output) {
            t.loss(loss, nOut, 0xE000);
            in.add(KeyRange.label(LABELS, nOut, 0));
        } else {
            t.backwardPartials(1);
            in.add(KeyRange.backwardPartial(errorKey(l), nOut, 0));
        }
        if (l > 0) {
            t.sendsBackward(errorKey(l - 1));
        }
        return new KernelConfig(KernelKind.DENSE_BLOCK, nIn, nOut, act, 0f, true, inKey(l + 1), 0, 0, 0, in,
                t.build()).withFixedPoint();
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
     * Delivers the queued packets and every packet they cause, first in first out: layer l's inputs to core l, the
     * labels to the output core, the error words for layer l to core l; the output layer's outputs are collected a
     * sample at a time (they leave in column order).
     */
    private static void route(List<KernelCore> cores, Deque<int[]> queue, List<int[]> outputs) {
        int last = cores.size() - 1;
        int nOut = cores.get(last).config().nCols();
        int[] current = new int[nOut];
        int filled = 0;
        while (!queue.isEmpty()) {
            int[] p = queue.poll();
            int key = p[0];
            if (key >= inKey(last + 1) && key < inKey(last + 1) + nOut) {
                current[key - inKey(last + 1)] = p[1];
                if (++filled == nOut) {
                    outputs.add(current.clone());
                    filled = 0;
                }
                continue;
            }
            KernelCore target;
            if (key >= LABELS) {
                target = cores.get(last);
            } else if (key >= errorKey(0)) {
                target = cores.get((key - errorKey(0)) / 0x100);
            } else {
                target = cores.get(key / 0x1000 - 1);
            }
            int[] outbox = new int[2 * Math.max(1, target.maxSendsPerEvent())];
            int n = target.onPacket(key, p[1], outbox);
            for (int k = 0; k < n; k++) {
                queue.add(new int[] {outbox[2 * k], outbox[2 * k + 1]});
            }
        }
        assertEquals(0, filled, "a sample's outputs came whole");
    }
}
