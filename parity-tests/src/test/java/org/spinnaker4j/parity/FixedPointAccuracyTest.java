package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumQuantiser.Quantised;

/**
 * The accuracy of s16.15 fixed point against nd4j-native float32 on the MNIST MLP's shape (784 → 256 relu → 128 relu
 * → 10 identity, MSE, seeded Xavier weights) and the 2,000 test digits the demo evaluates on, computed by the host
 * reference of the kernels' fixed-point arithmetic ({@link AccumReference}; the machine does not run fixed point
 * yet): every output within the bound {@link AccumErrorBound} derives, no saturation, the classes agreeing except on
 * near-ties; saturated inputs and sums counted.
 */
class FixedPointAccuracyTest {

    private static final int FIRST_TEST_DIGIT = 8000;
    private static final int DIGITS = 2000;
    /** The least share of digits whose class (argmax) fixed point must give as float does. */
    private static final double MIN_AGREEMENT = 0.995;

    private static MultiLayerNetwork net;
    private static INDArray digits;

    @BeforeAll
    static void setUp() throws IOException {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).weightInit(WeightInit.XAVIER)
                .list()
                .layer(ReferenceNetworks.dense(784, 256, Activation.RELU))
                .layer(ReferenceNetworks.dense(256, 128, Activation.RELU))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(128).nOut(10).activation(Activation.IDENTITY)
                        .build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
        // the module's directory is the tests' working directory; the digits are the repository's data/mnist
        DataSet all = MnistIdx.load(Path.of("..", "data", "mnist"));
        digits = ((DataSet) all.getRange(FIRST_TEST_DIGIT, FIRST_TEST_DIGIT + DIGITS)).getFeatures();
    }

    @Test
    void everyOutputIsWithinTheDerivedBoundAndTheClassesAgree() {
        AccumReference fixed = new AccumReference(net);
        assertArrayEquals(new long[3], fixed.parameterSaturations(), "weights and biases saturated");
        List<INDArray> floats = net.feedForward(digits, false);
        long[] sumSaturations = new long[3];
        double maxDiff = 0;
        double maxBound = 0;
        double worstShare = 0;
        int agree = 0;
        for (int r = 0; r < DIGITS; r++) {
            Quantised input = AccumQuantiser.quantise(floats.get(0).getRow(r).toFloatVector(), 784, "digit " + r);
            assertEquals(0, input.saturations());
            List<int[]> words = fixed.forward(input.words(), sumSaturations);
            double[] e = new double[784];
            Arrays.fill(e, 0x1p-16);
            for (int l = 0; l < 3; l++) {
                e = AccumErrorBound.layer(AccumReference.parameter(net, l, "W"), AccumReference.parameter(net, l, "b"),
                        values(words.get(l)), floats.get(l).getRow(r).toFloatVector(), e);
            }
            float[] fixedOut = new float[10];
            float[] floatOut = floats.get(3).getRow(r).toFloatVector();
            for (int j = 0; j < 10; j++) {
                fixedOut[j] = AccumQuantiser.toFloat(words.get(3)[j]);
                double diff = Math.abs(fixedOut[j] - floatOut[j]);
                assertTrue(Math.abs(fixedOut[j]) < 512, "read back exactly below 512");
                assertTrue(diff <= e[j], "digit " + r + " output " + j + ": " + diff + " above its bound " + e[j]);
                maxDiff = Math.max(maxDiff, diff);
                maxBound = Math.max(maxBound, e[j]);
                worstShare = Math.max(worstShare, diff / e[j]);
            }
            int f = Parity.argmax(floatOut);
            int q = Parity.argmax(fixedOut);
            if (f == q) {
                agree++;
            } else {
                assertTrue(floatOut[f] - floatOut[q] <= e[f] + e[q], "digit " + r + ": classes " + f + " and " + q
                        + " differ by more than the bounds allow");
            }
        }
        System.out.printf("s16.15 vs float32, %d MNIST test digits: max |diff| %.3g (bound up to %.3g, at most %.1f %%"
                + " of its own bound), classes agree on %d (%.2f %%)%n", DIGITS, maxDiff, maxBound, 100 * worstShare,
                agree, 100.0 * agree / DIGITS);
        assertArrayEquals(new long[3], sumSaturations, "sums saturated");
        assertTrue(agree >= MIN_AGREEMENT * DIGITS, agree + " of " + DIGITS + " classes agree");
    }

    @Test
    void aSaturatedInputIsCountedWithItsMagnitude() {
        float[] digit = digits.getRow(0).toFloatVector();
        digit[100] = 1e6f;
        digit[101] = -70000f;
        Quantised input = AccumQuantiser.quantise(digit, 784, "digit");
        assertEquals(2, input.saturations());
        assertEquals(1e6, input.largestSaturated());
    }

    @Test
    void sumsBeyondTheRangeSaturateAndAreCounted() {
        float[] bright = new float[784];
        Arrays.fill(bright, 30000f);
        Quantised input = AccumQuantiser.quantise(bright, 784, "digit");
        assertEquals(0, input.saturations(), "30000 is in range");
        long[] sumSaturations = new long[3];
        int[] hidden = new AccumReference(net).forward(input.words(), sumSaturations).get(1);
        System.out.println("s16.15: a digit of 784 pixels of 30000: sums saturated per layer "
                + Arrays.toString(sumSaturations));
        assertTrue(sumSaturations[0] > 0, "the first layer's sums reach beyond 2^16");
        long atMost = Arrays.stream(hidden).filter(v -> v == Integer.MAX_VALUE).count();
        assertTrue(atMost > 0 && atMost <= sumSaturations[0], atMost + " outputs at 2^16 - 2^-15: positive "
                + "saturations (negative ones are 0 after relu)");
    }

    private static double[] values(int[] words) {
        double[] v = new double[words.length];
        for (int i = 0; i < words.length; i++) {
            v[i] = words[i] / 32768.0;
        }
        return v;
    }
}
