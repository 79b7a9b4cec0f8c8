package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumTrainingRange;
import org.spinnaker4j.kernels.AccumTrainingRange.LayerRange;
import org.spinnaker4j.kernels.AccumTrainingRange.Range;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;

/**
 * {@link AccumTrainingRange}, the guard {@link AccumTrainingReference} runs before each mini-batch, against the
 * reference's actual values: over random networks, weight, input and label magnitudes and batch sizes, every
 * mini-batch the guard passes has every input, δ, error sum (any order of its terms: Σ|W_ij δ_j|) and gradient sum
 * (Σ_s |x δ|) within its bound; a mini-batch it refuses leaves the parameters as they were; the demo's MNIST MLP on
 * real digits, batches of 32, passes with its headroom printed and asserted.
 */
class AccumTrainingRangeHoldsTest {

    private static final Activation[] HIDDEN = {Activation.RELU, Activation.IDENTITY, Activation.TANH,
        Activation.SIGMOID};
    private static final int TRIALS = 240;

    @Test
    void everyValueOfAPassedMiniBatchIsWithinItsBound() {
        Random rnd = new Random(21);
        int passed = 0;
        int refused = 0;
        double largestSum = 0;
        double closest = 0; // the largest actual / bound of a gradient or error sum
        for (int t = 0; t < TRIALS; t++) {
            boolean mse = rnd.nextBoolean();
            MultiLayerNetwork net = network(HIDDEN[rnd.nextInt(4)], HIDDEN[rnd.nextInt(4)], mse, t);
            net.setParams(net.params().mul(Math.scalb(1.0, rnd.nextInt(14) - 1)));
            AccumTrainingReference reference = new AccumTrainingReference(net, Rounding.NEAREST, 1);
            int batch = 1 + rnd.nextInt(32);
            float[][] x = new float[batch][12];
            float[][] y = new float[batch][4];
            float inputScale = (float) Math.scalb(1.0, rnd.nextInt(17) - 2);
            float labelScale = (float) Math.scalb(1.0, rnd.nextInt(mse ? 16 : 3));
            for (int s = 0; s < batch; s++) {
                for (int i = 0; i < 12; i++) {
                    x[s][i] = inputScale * (2 * rnd.nextFloat() - 1);
                }
                if (mse) {
                    for (int j = 0; j < 4; j++) {
                        y[s][j] = labelScale * (float) rnd.nextGaussian();
                    }
                } else {
                    y[s][rnd.nextInt(4)] = labelScale;
                }
            }
            int[][] in = words(x);
            int[][] labels = words(y);
            Range range;
            try {
                range = reference.range(in, labels);
            } catch (ArithmeticException e) {
                assertTrue(e.getMessage().matches("layer \\d: the (weights' gradient sums|biases' gradient sums"
                        + "|error sum W·δ of row \\d+) .*"), e.getMessage());
                refused++;
                continue;
            }
            passed++;
            double[] seen = check(reference, range, in, labels, "trial " + t);
            largestSum = Math.max(largestSum, seen[0]);
            closest = Math.max(closest, seen[1]);
        }
        System.out.printf("AccumTrainingRange: %d mini-batches passed, %d refused; largest sum %.3g (2^%.1f), "
                + "closest to its bound %.3g of it%n", passed, refused, largestSum, Math.log(largestSum) / Math.log(2),
                closest);
        assertTrue(passed >= TRIALS / 2 && refused >= TRIALS / 20, passed + " passed, " + refused + " refused");
        assertTrue(largestSum > 0x1p55, "the passed mini-batches reached large sums: " + largestSum);
    }

    @Test
    void aRefusedMiniBatchChangesNothing() {
        // relu, relu, identity + MSE, the largest weights, a label of 2^15: W·δ's bound at layer 2 about 2^65
        MultiLayerNetwork net = network(Activation.RELU, Activation.RELU, true, 0);
        net.setParams(net.params().mul(1e6));
        AccumTrainingReference reference = new AccumTrainingReference(net, Rounding.NEAREST, 1);
        int[] before = reference.weights(2);
        float[][] y = new float[2][4];
        y[0][1] = 32768;
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> reference.fit(new float[2][12], y));
        assertTrue(e.getMessage().startsWith("layer 2: the error sum W·δ of row "), e.getMessage());
        assertArrayEquals(before, reference.weights(2));
        assertEquals(0, reference.iterations());
    }

    @Test
    void mnistMlpBatchesOf32PassWithHeadroom() throws IOException {
        DataSet digits = MnistIdx.load(Path.of("..", "data", "mnist"));
        float[][] x = digits.getFeatures().toFloatMatrix();
        float[][] y = digits.getLabels().toFloatMatrix();
        MultiLayerNetwork net = new MultiLayerNetwork(ReferenceNetworks.mnistMlp());
        net.init();
        AccumTrainingReference reference = new AccumTrainingReference(net, Rounding.NEAREST, 1);
        double least = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 4; i++) {
            int[][] in = words(Arrays.copyOfRange(x, 32 * i, 32 * (i + 1)));
            int[][] labels = words(Arrays.copyOfRange(y, 32 * i, 32 * (i + 1)));
            Range range = reference.range(in, labels);
            double[] seen = check(reference, range, in, labels, "MNIST mini-batch " + i);
            least = Math.min(least, range.headroomBits());
            System.out.printf("MNIST mini-batch %d: headroom %.2f bits; %s; largest actual sum 2^%.1f%n", i,
                    range.headroomBits(), range.layers(), Math.log(seen[0]) / Math.log(2));
            reference.fit(Arrays.copyOfRange(x, 32 * i, 32 * (i + 1)), Arrays.copyOfRange(y, 32 * i, 32 * (i + 1)));
        }
        assertTrue(least > 16, "MNIST's headroom " + least + " bits");
    }

    /**
     * Asserts every value of the mini-batch within {@code range}; returns the largest |sum| bound (Σ of |terms|) seen
     * and the largest ratio of one to its bound.
     */
    private static double[] check(AccumTrainingReference reference, Range range, int[][] in, int[][] labels,
            String what) {
        int layers = range.layers().size();
        long[][] weightSums = new long[layers][];
        long[][] biasSums = new long[layers][];
        double largest = 0;
        double ratio = 0;
        for (int s = 0; s < in.length; s++) {
            AccumTrainingReference.Sample one = reference.backprop(in[s], labels[s]);
            for (int l = 0; l < layers; l++) {
                LayerRange r = range.layers().get(l);
                int[] x = one.activations().get(l);
                int[] delta = one.deltas()[l];
                String at = what + " sample " + s + " layer " + l;
                assertTrue(AccumQuantiser.maxMagnitude(x) <= r.input(), at + ": input");
                assertTrue(AccumQuantiser.maxMagnitude(delta) <= r.delta(), at + ": delta "
                        + AccumQuantiser.maxMagnitude(delta) + " > " + r.delta());
                if (weightSums[l] == null) {
                    weightSums[l] = new long[x.length * delta.length];
                    biasSums[l] = new long[delta.length];
                }
                int[] w = reference.weights(l);
                for (int i = 0; i < x.length; i++) {
                    long error = 0;
                    for (int j = 0; j < delta.length; j++) {
                        int k = i * delta.length + j;
                        error = Math.addExact(error, Math.abs((long) w[k] * delta[j]));
                        weightSums[l][k] = Math.addExact(weightSums[l][k], Math.abs((long) x[i] * delta[j]));
                    }
                    if (l > 0) {
                        assertTrue(error <= r.errorSum(), at + " row " + i + ": error " + error + " > " + r.errorSum());
                        largest = Math.max(largest, error);
                        ratio = Math.max(ratio, (double) error / r.errorSum());
                    }
                }
                for (int j = 0; j < delta.length; j++) {
                    biasSums[l][j] = Math.addExact(biasSums[l][j], Math.abs((long) delta[j]) * AccumQuantiser.ONE);
                }
            }
        }
        for (int l = 0; l < layers; l++) {
            LayerRange r = range.layers().get(l);
            long w = Arrays.stream(weightSums[l]).max().orElseThrow();
            long b = Arrays.stream(biasSums[l]).max().orElseThrow();
            assertTrue(w <= r.weightSums() && b <= r.biasSums(), what + " layer " + l + ": gradient sums " + w + ", "
                    + b + " against " + r);
            largest = Math.max(largest, Math.max(w, b));
            ratio = Math.max(ratio, Math.max(r.weightSums() == 0 ? 0 : (double) w / r.weightSums(),
                    r.biasSums() == 0 ? 0 : (double) b / r.biasSums()));
        }
        return new double[] {largest, ratio};
    }

    private static int[][] words(float[][] rows) {
        int[][] w = new int[rows.length][];
        for (int s = 0; s < rows.length; s++) {
            w[s] = AccumQuantiser.quantise(rows[s], rows[s].length, "row " + s).words();
        }
        return w;
    }

    /** 12 → 10 → 8 → 4, Xavier weights seeded, biases 0.1; softmax + MCXENT or identity + MSE. */
    private static MultiLayerNetwork network(Activation first, Activation second, boolean mse, int seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).updater(new Sgd(0.1))
                .weightInit(WeightInit.XAVIER).biasInit(0.1).list()
                .layer(ReferenceNetworks.dense(12, 10, first))
                .layer(ReferenceNetworks.dense(10, 8, second))
                .layer(new OutputLayer.Builder(mse ? LossFunction.MSE : LossFunction.MCXENT).nIn(8).nOut(4)
                        .activation(mse ? Activation.IDENTITY : Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
