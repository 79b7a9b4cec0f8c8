package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;

/**
 * {@link AccumTrainingReference} against nd4j-native float32: one mini-batch's gradient within
 * {@link AccumTrainingErrorBound} for every weight and bias (relu, tanh, softmax + MCXENT; sigmoid, identity + MSE);
 * training that lowers the loss, gives the same bits run to run, and differs between the roundings; what it refuses.
 */
class AccumTrainingReferenceTest {

    private static final int BATCH = 16;

    @Test
    void softmaxNetworkGradientIsWithinTheBound() {
        MultiLayerNetwork net = SmallTrainingNetwork.of(new Sgd(0.1), Activation.RELU, Activation.TANH, Activation.SOFTMAX,
                LossFunction.MCXENT);
        checkGradient(net, oneHot(new Random(5), 4));
    }

    @Test
    void mseNetworkGradientIsWithinTheBound() {
        MultiLayerNetwork net = SmallTrainingNetwork.of(new Adam(1e-3), Activation.SIGMOID, Activation.RELU, Activation.IDENTITY,
                LossFunction.MSE);
        Random rnd = new Random(6);
        float[][] y = new float[BATCH][4];
        for (float[] row : y) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) rnd.nextGaussian();
            }
        }
        checkGradient(net, y);
    }

    private static void checkGradient(MultiLayerNetwork net, float[][] labels) {
        float[][] x = inputs(new Random(4), BATCH);
        AccumTrainingReference fixed = new AccumTrainingReference(net, Rounding.NEAREST, 1);
        long[][] sums = fixed.gradient(x, labels).sums();
        double[][] bound = AccumTrainingErrorBound.gradient(net, fixed, x, labels);
        net.setInput(Nd4j.create(x));
        net.setLabels(Nd4j.create(labels));
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        double worst = 0;
        double largestBound = 0;
        double largestGradient = 0;
        for (int l = 0; l < net.getnLayers(); l++) {
            float[] w = Nd4j.toFlattened('c', g.getGradientFor(l + "_W")).toFloatVector();
            float[] b = g.getGradientFor(l + "_b").toFloatVector();
            assertEquals(w.length + b.length, sums[l].length);
            for (int k = 0; k < sums[l].length; k++) {
                double fl = k < w.length ? w[k] : b[k - w.length];
                double diff = Math.abs(sums[l][k] * 0x1p-30 - fl);
                assertTrue(diff <= bound[l][k], "layer " + l + " parameter " + k + ": fixed " + sums[l][k] * 0x1p-30
                        + ", float " + fl + ", difference " + diff + " above its bound " + bound[l][k]);
                if (bound[l][k] > 0) {
                    worst = Math.max(worst, diff / bound[l][k]);
                }
                largestBound = Math.max(largestBound, bound[l][k]);
                largestGradient = Math.max(largestGradient, Math.abs(fl));
            }
        }
        System.out.printf("s16.15 gradient of one mini-batch of %d vs nd4j float32: largest bound %.3g (largest "
                + "|gradient| %.3g), differences at most %.1f %% of their bound%n", BATCH, largestBound,
                largestGradient, 100 * worst);
        // the bound is a real constraint: a gradient off by 5 % of the largest would break it
        assertTrue(largestBound < 0.05 * largestGradient, "the bound " + largestBound + " is loose against "
                + largestGradient);
    }

    @Test
    void trainingLowersTheLossDeterministicallyWithEitherRounding() {
        float[][][] batches = clusters(new Random(8), 60);
        int[][] first = null;
        for (Rounding rounding : Rounding.values()) {
            float[] losses = train(rounding, batches);
            float early = losses[0] + losses[1] + losses[2];
            float late = losses[57] + losses[58] + losses[59];
            System.out.printf("s16.15 training, %s: loss of the first 3 mini-batches %.4f, of the last 3 %.4f%n",
                    rounding, early / 3, late / 3);
            assertTrue(late < early / 4, rounding + ": the loss went from " + early + " to " + late);
            assertArrayEquals(losses, train(rounding, batches), rounding + ": the same bits run to run");
            int[][] words = trainedWords(rounding, batches);
            assertArrayEquals(words[0], trainedWords(rounding, batches)[0]);
            if (first == null) {
                first = words;
            } else {
                assertFalse(Arrays.equals(first[0], words[0]), "stochastic rounding draws differently");
            }
        }
    }

    @Test
    void stochasticRoundingMovesParametersNearestLeaves() {
        // Sgd at a rate so low that every step is below half a word (|mean gradient| < 15 here): nearest leaves every
        // parameter, stochastic moves some, and counts what it rounded to 0
        float[][][] batches = clusters(new Random(9), 20);
        for (Rounding rounding : Rounding.values()) {
            MultiLayerNetwork net = SmallTrainingNetwork.of(new Sgd(1e-6), Activation.RELU, Activation.RELU, Activation.SOFTMAX,
                    LossFunction.MCXENT);
            AccumTrainingReference fixed = new AccumTrainingReference(net, rounding, 3);
            int[][] before = all(fixed);
            for (int i = 0; i < batches.length; i += 2) {
                fixed.fit(batches[i], batches[i + 1]);
            }
            AccumTrainingReference.Counts c = fixed.counts();
            assertTrue(c.nonZeroGradients > 0);
            if (rounding == Rounding.NEAREST) {
                assertArrayEquals(before, all(fixed), "steps below half a word leave the parameters");
                assertEquals(c.nonZeroGradients, c.stepsRoundedToZero);
            } else {
                assertFalse(Arrays.deepEquals(before, all(fixed)));
                assertTrue(c.stepsRoundedToZero < c.nonZeroGradients);
            }
        }
    }

    @Test
    void refusesWhatItDoesNotCompute() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AccumTrainingReference(
                SmallTrainingNetwork.of(new Nesterovs(0.1, 0.9), Activation.RELU, Activation.RELU, Activation.SOFTMAX,
                        LossFunction.MCXENT), Rounding.NEAREST, 1));
        assertTrue(e.getMessage().contains("Sgd or Adam"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AccumTrainingReference(SmallTrainingNetwork.of(new Sgd(0.1),
                Activation.RELU, Activation.RELU, Activation.SIGMOID, LossFunction.XENT), Rounding.NEAREST, 1));
        assertTrue(e.getMessage().contains("layer 2") && e.getMessage().contains("MCXENT"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AccumTrainingReference(SmallTrainingNetwork.of(new Sgd(0.1),
                Activation.ELU, Activation.RELU, Activation.SOFTMAX, LossFunction.MCXENT), Rounding.NEAREST, 1));
        assertTrue(e.getMessage().contains("layer 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AccumTrainingReference(SmallTrainingNetwork.of(new Sgd(0.1),
                Activation.SOFTMAX, Activation.RELU, Activation.SOFTMAX, LossFunction.MCXENT), Rounding.NEAREST, 1));
        assertTrue(e.getMessage().contains("layer 0"), e.getMessage());
        MultiLayerNetwork mlp = new MultiLayerNetwork(ReferenceNetworks.mnistMlp());
        mlp.init();
        AccumTrainingReference fixed = new AccumTrainingReference(mlp, Rounding.NEAREST, 1);
        assertThrows(IllegalArgumentException.class, () -> fixed.gradient(new float[2][784], new float[3][10]));
        e = assertThrows(IllegalArgumentException.class, () -> fixed.gradient(new float[2][783], new float[2][10]));
        assertTrue(e.getMessage().contains("784"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fixed.gradient(new float[2][784], new float[2][9]));
    }

    private static int[][] all(AccumTrainingReference fixed) {
        int[][] words = new int[6][];
        for (int l = 0; l < 3; l++) {
            words[2 * l] = fixed.weights(l);
            words[2 * l + 1] = fixed.biases(l);
        }
        return words;
    }

    private static float[] train(Rounding rounding, float[][][] batches) {
        AccumTrainingReference fixed = new AccumTrainingReference(SmallTrainingNetwork.of(new Adam(1e-2), Activation.RELU,
                Activation.TANH, Activation.SOFTMAX, LossFunction.MCXENT), rounding, 7);
        float[] losses = new float[batches.length / 2];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = (float) fixed.fit(batches[2 * i], batches[2 * i + 1]).loss();
        }
        return losses;
    }

    private static int[][] trainedWords(Rounding rounding, float[][][] batches) {
        AccumTrainingReference fixed = new AccumTrainingReference(SmallTrainingNetwork.of(new Adam(1e-2), Activation.RELU,
                Activation.TANH, Activation.SOFTMAX, LossFunction.MCXENT), rounding, 7);
        for (int i = 0; i < batches.length; i += 2) {
            fixed.fit(batches[i], batches[i + 1]);
        }
        return new int[][] {fixed.weights(0), fixed.biases(2)};
    }

    /** {@code count} mini-batches (features, labels alternating) of 4 Gaussian clusters in 12 dimensions. */
    private static float[][][] clusters(Random rnd, int count) {
        float[][] centres = inputs(rnd, 4);
        float[][][] batches = new float[2 * count][][];
        for (int i = 0; i < count; i++) {
            float[][] x = new float[BATCH][12];
            float[][] y = new float[BATCH][4];
            for (int s = 0; s < BATCH; s++) {
                int c = rnd.nextInt(4);
                y[s][c] = 1;
                for (int k = 0; k < 12; k++) {
                    x[s][k] = 2 * centres[c][k] + (float) (0.5 * rnd.nextGaussian());
                }
            }
            batches[2 * i] = x;
            batches[2 * i + 1] = y;
        }
        return batches;
    }

    private static float[][] inputs(Random rnd, int rows) {
        float[][] x = new float[rows][12];
        for (float[] row : x) {
            for (int k = 0; k < row.length; k++) {
                row[k] = 2 * rnd.nextFloat() - 1;
            }
        }
        return x;
    }

    private static float[][] oneHot(Random rnd, int classes) {
        float[][] y = new float[BATCH][classes];
        for (float[] row : y) {
            row[rnd.nextInt(classes)] = 1;
        }
        return y;
    }
}
