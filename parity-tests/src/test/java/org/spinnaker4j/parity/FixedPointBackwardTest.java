package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumTrainingRange;
import org.spinnaker4j.kernels.AccumUpdate;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;
import org.spinnaker4j.kernels.FixedPointBackward;
import org.spinnaker4j.kernels.FixedPointUpdate;
import org.spinnaker4j.kernels.FixedPointUpdate.UpdateRun;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.LossKind;

/**
 * The kernels' s16.15 backward pass ({@code s4j_fixback.c} through {@link FixedPointBackward}) and update
 * ({@code s4j_fixupdate.c} through {@link FixedPointUpdate}) against {@link AccumTrainingReference}: several
 * mini-batches trained with the C doing every backward step and every update, each layer's columns on one block or
 * split over several (each block's error added into the same exact sums, rounded once), give the reference's
 * gradient sums and parameter words bit for bit, on small networks and on the MNIST MLP with real digits; each C function against the reference's own arithmetic on random
 * and extreme words; what the bridge refuses.
 */
class FixedPointBackwardTest {

    private static final int BATCH = 16;
    private static final int MINI_BATCHES = 6;
    private static final int SEED = 2026;

    static Stream<Arguments> trainings() {
        return Stream.of(
                // the smallest case the machine is to run first: relu, softmax + MCXENT, Sgd, nearest, whole layers
                Arguments.of(new Sgd(0.1), Activation.RELU, Activation.IDENTITY, Activation.SOFTMAX,
                        LossFunction.MCXENT, Rounding.NEAREST, 1),
                Arguments.of(new Sgd(0.1), Activation.RELU, Activation.RELU, Activation.SOFTMAX, LossFunction.MCXENT,
                        Rounding.STOCHASTIC, 3),
                Arguments.of(new Adam(1e-2), Activation.TANH, Activation.SIGMOID, Activation.IDENTITY,
                        LossFunction.MSE, Rounding.NEAREST, 2),
                Arguments.of(new Adam(1e-2), Activation.RELU, Activation.TANH, Activation.SOFTMAX,
                        LossFunction.MCXENT, Rounding.STOCHASTIC, 1));
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} {4} {5}, {6} block(s) a layer")
    @MethodSource("trainings")
    void kernelTrainingEqualsTheReferenceBitForBit(IUpdater updater, Activation first, Activation second,
            Activation out, LossFunction loss, Rounding rounding, int blocks) {
        MultiLayerNetwork net = SmallTrainingNetwork.of(updater, first, second, out, loss);
        AccumTrainingReference reference = new AccumTrainingReference(net, rounding, SEED);
        KernelTraining kernels = new KernelTraining(net, reference, updater, rounding, blocks);
        int[][] initial = kernels.words();
        Random rnd = new Random(31);
        for (int i = 0; i < MINI_BATCHES; i++) {
            float[][] x = inputs(rnd);
            float[][] y = loss == LossFunction.MCXENT ? oneHot(rnd) : gaussian(rnd);
            long[][] expected = reference.fit(x, y).sums();
            long[][] got = kernels.fit(x, y);
            for (int l = 0; l < got.length; l++) {
                assertArrayEquals(expected[l], got[l], "mini-batch " + i + " layer " + l + ": gradient sums");
                assertTrue(Arrays.stream(got[l]).anyMatch(g -> g != 0), "layer " + l + " has a gradient");
                assertArrayEquals(reference.weights(l), kernels.weights[l], "mini-batch " + i + " layer " + l + " W");
                assertArrayEquals(reference.biases(l), kernels.biases[l], "mini-batch " + i + " layer " + l + " b");
            }
        }
        assertFalse(Arrays.deepEquals(initial, kernels.words()), "training moved the parameters");
    }

    @Test
    void mnistMlpMiniBatchesEqualTheReferenceBitForBit() throws IOException {
        // the demo's MLP (784 → 256 relu → 128 relu → 10 softmax, Adam 1e-3) on real digits: wide fan-ins, relu's
        // zeros, MNIST's magnitudes; each layer's columns on 4 blocks, stochastic rounding
        DataSet digits = MnistIdx.load(Path.of("..", "data", "mnist"));
        float[][] x = digits.getFeatures().toFloatMatrix();
        float[][] y = digits.getLabels().toFloatMatrix();
        MultiLayerNetwork net = new MultiLayerNetwork(ReferenceNetworks.mnistMlp());
        net.init();
        IUpdater updater = ((BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).getIUpdater();
        AccumTrainingReference reference = new AccumTrainingReference(net, Rounding.STOCHASTIC, SEED);
        KernelTraining kernels = new KernelTraining(net, reference, updater, Rounding.STOCHASTIC, 4);
        int batch = 32;
        for (int i = 0; i < 3; i++) {
            float[][] bx = Arrays.copyOfRange(x, i * batch, (i + 1) * batch);
            float[][] by = Arrays.copyOfRange(y, i * batch, (i + 1) * batch);
            long[][] expected = reference.fit(bx, by).sums();
            long[][] got = kernels.fit(bx, by);
            for (int l = 0; l < got.length; l++) {
                assertArrayEquals(expected[l], got[l], "mini-batch " + i + " layer " + l + ": gradient sums");
                assertArrayEquals(reference.weights(l), kernels.weights[l], "mini-batch " + i + " layer " + l + " W");
                assertArrayEquals(reference.biases(l), kernels.biases[l], "mini-batch " + i + " layer " + l + " b");
            }
        }
        assertTrue(reference.counts().nonZeroGradients > 0);
    }

    @Test
    void roundedSumsEqualTheQuantisersRounding() {
        Random rnd = new Random(41);
        long[] sums = new long[20_000];
        for (int i = 0; i < sums.length; i++) {
            int bits = 1 + rnd.nextInt(62); // every magnitude below 2^62, ties and saturations included
            long v = rnd.nextLong() >>> (64 - bits);
            v = rnd.nextInt(4) == 0 ? (v & ~0x7FFFL) | 0x4000 : v; // a tie: exactly half a word over
            sums[i] = rnd.nextBoolean() ? -v : v;
        }
        FixedPointBackward.Words got = FixedPointBackward.roundSums(sums);
        int saturated = 0;
        for (int i = 0; i < sums.length; i++) {
            long r = AccumQuantiser.roundSum(sums[i]);
            saturated += AccumQuantiser.saturates(r) ? 1 : 0;
            assertEquals(AccumQuantiser.saturate(r), got.words()[i], "sum " + sums[i]);
        }
        assertTrue(saturated > 1_000, "the sums saturate some words");
        assertEquals(saturated, got.saturated());
    }

    @Test
    void deltasEqualTheReferencesArithmetic() {
        Random rnd = new Random(42);
        int n = 10_000;
        int[] e = new int[n];
        int[] a = new int[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            e[i] = rnd.nextInt(8) == 0 ? (rnd.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE)
                    : rnd.nextInt() >> rnd.nextInt(31);
            a[i] = rnd.nextInt(2 * AccumQuantiser.ONE + 1) - AccumQuantiser.ONE;
            y[i] = rnd.nextInt() >> rnd.nextInt(31);
        }
        int[] sigmoidA = Arrays.stream(a).map(Math::abs).toArray();
        for (KernelActivation act : List.of(KernelActivation.IDENTITY, KernelActivation.RELU, KernelActivation.TANH,
                KernelActivation.SIGMOID)) {
            int[] outputs = act == KernelActivation.SIGMOID ? sigmoidA : a;
            int[] got = FixedPointBackward.hiddenDelta(act, e, outputs);
            for (int i = 0; i < n; i++) {
                assertEquals(AccumTrainingReference.derivative(act, e[i], outputs[i]), got[i],
                        act + " at e " + e[i] + ", a " + outputs[i]);
            }
        }
        // identity + MSE: 2 (a - y) / nOut rounded once; every width from 1 (ties at even widths), saturating
        int saturated = 0;
        FixedPointBackward.Words mse = null;
        for (int width : new int[] {1, 2, 3, 4, 10, 65_535}) {
            mse = FixedPointBackward.outputDelta(KernelActivation.IDENTITY, LossKind.MSE, e, y, width);
            int expectedSaturated = 0;
            for (int i = 0; i < n; i++) {
                long d = AccumTrainingReference.divideRounded(2 * ((long) e[i] - y[i]), width);
                expectedSaturated += AccumQuantiser.saturates(d) ? 1 : 0;
                assertEquals(AccumQuantiser.saturate(d), mse.words()[i], "width " + width + " at " + e[i] + ", "
                        + y[i]);
            }
            assertEquals(expectedSaturated, mse.saturated());
            saturated += expectedSaturated;
        }
        assertTrue(saturated > 100, "some MSE deltas saturate");
        FixedPointBackward.Words softmax = FixedPointBackward.outputDelta(KernelActivation.SOFTMAX, LossKind.MCXENT,
                e, y, n);
        for (int i = 0; i < n; i++) {
            assertEquals(AccumQuantiser.saturate((long) e[i] - y[i]), softmax.words()[i]);
        }
    }

    @Test
    void errorAndGradientSumsAreExact() {
        Random rnd = new Random(43);
        int rows = 37;
        int cols = 23;
        int[] w = new int[rows * cols];
        int[] delta = new int[cols];
        int[] x = new int[rows];
        for (int k = 0; k < w.length; k++) {
            w[k] = rnd.nextInt();
        }
        for (int j = 0; j < cols; j++) {
            delta[j] = rnd.nextInt();
        }
        for (int i = 0; i < rows; i++) {
            x[i] = i % 5 == 0 ? 0 : rnd.nextInt();
        }
        long[] sums = new long[rows];
        Arrays.fill(sums, 12345);
        FixedPointBackward.errorAdd(sums, w, delta);
        long[] gw = new long[rows * cols];
        long[] gb = new long[cols];
        Arrays.fill(gb, -7);
        FixedPointBackward.gradientAdd(gw, gb, x, delta);
        for (int i = 0; i < rows; i++) {
            long s = 12345;
            for (int j = 0; j < cols; j++) {
                s += (long) w[i * cols + j] * delta[j];
                assertEquals((long) x[i] * delta[j], gw[i * cols + j]);
            }
            assertEquals(s, sums[i], "row " + i);
        }
        for (int j = 0; j < cols; j++) {
            assertEquals(((long) delta[j] << 15) - 7, gb[j]);
        }
        long[] noBias = new long[rows * cols];
        FixedPointBackward.gradientAdd(noBias, null, x, delta);
        assertArrayEquals(gw, noBias);
    }

    @Test
    void refusesWhatTheKernelsDoNotCompute() {
        int[] two = {1, 2};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FixedPointBackward.outputDelta(KernelActivation.SIGMOID, LossKind.XENT, two, two, 2));
        assertTrue(e.getMessage().contains("SIGMOID") && e.getMessage().contains("XENT"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FixedPointBackward.outputDelta(KernelActivation.SOFTMAX, LossKind.MSE, two, two, 2));
        assertThrows(IllegalArgumentException.class,
                () -> FixedPointBackward.outputDelta(KernelActivation.IDENTITY, LossKind.MSE, two, two, 0));
        assertThrows(IllegalArgumentException.class,
                () -> FixedPointBackward.outputDelta(KernelActivation.IDENTITY, LossKind.MSE, two, new int[3], 2));
        e = assertThrows(IllegalArgumentException.class,
                () -> FixedPointBackward.hiddenDelta(KernelActivation.ELU, two, two));
        assertTrue(e.getMessage().contains("ELU"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FixedPointBackward.hiddenDelta(KernelActivation.TANH, two, new int[] {0, 32769}));
        assertTrue(e.getMessage().contains("32769"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FixedPointBackward.hiddenDelta(KernelActivation.SIGMOID, two, new int[] {-1, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> FixedPointBackward.errorAdd(new long[3], new int[5], two));
        assertThrows(IllegalArgumentException.class,
                () -> FixedPointBackward.gradientAdd(new long[4], new long[3], two, two));
    }

    /**
     * A network's training with every backward step and update in the kernels' C: the forward pass is the
     * reference's inference arithmetic (the machine's, tested bit-equal elsewhere); each layer's columns are on
     * {@code blocks} blocks, each holding its slice of W, its gradient sums and adding its W·δ into the rows' exact
     * error sums, rounded once when every block's is in.
     */
    private static final class KernelTraining {
        private final int layers;
        private final KernelActivation[] activations;
        private final LossKind loss;
        private final IUpdater updater;
        private final Rounding rounding;
        private final int blocks;
        final int[][] weights;
        final int[][] biases;
        private final int[][] adamM;
        private final long[][] adamV;
        private int iteration;

        KernelTraining(MultiLayerNetwork net, AccumTrainingReference initial, IUpdater updater, Rounding rounding,
                int blocks) {
            layers = net.getnLayers();
            activations = new KernelActivation[layers];
            weights = new int[layers][];
            biases = new int[layers][];
            adamM = new int[layers][];
            adamV = new long[layers][];
            for (int l = 0; l < layers; l++) {
                activations[l] = AccumReference.activation(l,
                        (BaseLayer) net.getLayerWiseConfigurations().getConf(l).getLayer());
                weights[l] = initial.weights(l);
                biases[l] = initial.biases(l);
                adamM[l] = new int[weights[l].length + biases[l].length];
                adamV[l] = new long[adamM[l].length];
            }
            loss = activations[layers - 1] == KernelActivation.SOFTMAX ? LossKind.MCXENT : LossKind.MSE;
            this.updater = updater;
            this.rounding = rounding;
            this.blocks = blocks;
        }

        /** One mini-batch; returns each layer's gradient sums (weights then biases), as the update took them. */
        long[][] fit(float[][] x, float[][] labels) {
            long[][] g = new long[layers][];
            for (int l = 0; l < layers; l++) {
                g[l] = new long[weights[l].length + biases[l].length];
            }
            int[][] inputs = new int[x.length][];
            int[][] ys = new int[x.length][];
            for (int s = 0; s < x.length; s++) {
                inputs[s] = AccumQuantiser.quantise(x[s], x[s].length, "sample").words();
                ys[s] = AccumQuantiser.quantise(labels[s], labels[s].length, "labels").words();
            }
            // the host's guard before the mini-batch, as the machine will run it: no sum below can wrap
            AccumTrainingRange.check(activations, loss, weights, biases, inputs, ys);
            for (int s = 0; s < x.length; s++) {
                int[] in = inputs[s];
                int[] y = ys[s];
                List<int[]> acts = new ArrayList<>();
                acts.add(in);
                for (int l = 0; l < layers; l++) {
                    acts.add(AccumReference.denseWords(l, acts.get(l), weights[l], biases[l], activations[l],
                            new long[layers]));
                }
                int[] out = acts.get(layers);
                int[] delta = FixedPointBackward.outputDelta(activations[layers - 1], loss, out, y, out.length).words();
                for (int l = layers - 1; l >= 0; l--) {
                    delta = backward(l, acts.get(l), delta, g[l]);
                }
            }
            for (int l = 0; l < layers; l++) {
                update(l, g[l], x.length);
            }
            iteration++;
            return g;
        }

        /** Layer l's blocks: gradient sums added, and (l > 0) the δ of the layer below, from the blocks' errors. */
        private int[] backward(int l, int[] x, int[] delta, long[] g) {
            int rows = x.length;
            int cols = delta.length;
            long[] error = new long[rows];
            for (int b = 0; b < blocks; b++) {
                int lo = cols * b / blocks;
                int hi = cols * (b + 1) / blocks;
                int n = hi - lo;
                int[] w = new int[rows * n];
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(weights[l], i * cols + lo, w, i * n, n);
                }
                int[] d = Arrays.copyOfRange(delta, lo, hi);
                long[] gw = new long[rows * n];
                long[] gb = new long[n];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < n; j++) {
                        gw[i * n + j] = g[i * cols + lo + j];
                    }
                }
                System.arraycopy(g, rows * cols + lo, gb, 0, n);
                FixedPointBackward.gradientAdd(gw, gb, x, d);
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(gw, i * n, g, i * cols + lo, n);
                }
                System.arraycopy(gb, 0, g, rows * cols + lo, n);
                if (l > 0) { // the first layer's blocks send nothing back
                    FixedPointBackward.errorAdd(error, w, d);
                }
            }
            if (l == 0) {
                return null;
            }
            int[] eps = FixedPointBackward.roundSums(error).words();
            return FixedPointBackward.hiddenDelta(activations[l - 1], eps, x);
        }

        private void update(int l, long[] g, int batch) {
            int nw = weights[l].length;
            int[] words = new int[g.length];
            System.arraycopy(weights[l], 0, words, 0, nw);
            System.arraycopy(biases[l], 0, words, nw, biases[l].length);
            UpdateRun run = new UpdateRun(rounding, SEED, l, iteration, 0);
            if (updater instanceof Sgd sgd) {
                FixedPointUpdate.sgd(run, AccumUpdate.sgdConstant(sgd.getLearningRate(), batch), words, g);
            } else {
                Adam a = (Adam) updater;
                FixedPointUpdate.adam(run, AccumUpdate.AdamConstants.of(a.getLearningRate(), a.getBeta1(),
                        a.getBeta2(), a.getEpsilon(), batch, iteration + 1), words, adamM[l], adamV[l], g);
            }
            System.arraycopy(words, 0, weights[l], 0, nw);
            System.arraycopy(words, nw, biases[l], 0, biases[l].length);
        }

        int[][] words() {
            int[][] all = new int[2 * layers][];
            for (int l = 0; l < layers; l++) {
                all[2 * l] = weights[l].clone();
                all[2 * l + 1] = biases[l].clone();
            }
            return all;
        }
    }

    private static float[][] inputs(Random rnd) {
        float[][] x = new float[BATCH][12];
        for (float[] row : x) {
            for (int k = 0; k < row.length; k++) {
                row[k] = 2 * rnd.nextFloat() - 1;
            }
        }
        return x;
    }

    private static float[][] oneHot(Random rnd) {
        float[][] y = new float[BATCH][4];
        for (float[] row : y) {
            row[rnd.nextInt(4)] = 1;
        }
        return y;
    }

    private static float[][] gaussian(Random rnd) {
        float[][] y = new float[BATCH][4];
        for (float[] row : y) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) rnd.nextGaussian();
            }
        }
        return y;
    }
}
