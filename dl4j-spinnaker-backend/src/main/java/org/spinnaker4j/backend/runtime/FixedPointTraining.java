package org.spinnaker4j.backend.runtime;

import java.util.List;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumTrainingRange;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * The host's side of an s16.15 training mini-batch (docs/fixed-point.md, "Training in s16.15 through fit"): the guard
 * run before it ({@link AccumTrainingRange}, on the words the cores hold), and the cores' words as the values DL4J
 * takes back, exactly or not at all.
 */
public final class FixedPointTraining {

    /** A word's value w / 2^15 is exact in float32 while |w| is below 2^24 (a value below 512). */
    private static final int EXACT_LIMIT = 1 << 24;

    private FixedPointTraining() {
    }

    /**
     * Checks that no 64-bit sum of the mini-batch can wrap, from the cores' current parameters ({@code words}: per
     * layer, DenseParameters holding word bits as floats, as an s16.15 core reads them back), its input words and its
     * labels.
     *
     * @throws ArithmeticException naming the layer and sum that could wrap, and what to change
     */
    public static AccumTrainingRange.Range checkRange(NetworkSpec network, List<DenseParameters> words,
            int[][] inputs, float[][] labels) {
        int layers = network.layers().size();
        KernelActivation[] activations = new KernelActivation[layers];
        int[][] weights = new int[layers][];
        int[][] biases = new int[layers][];
        for (int l = 0; l < layers; l++) {
            activations[l] = KernelKinds.of(network.layers().get(l).activation().kind());
            weights[l] = bits(words.get(l).weights());
            biases[l] = bits(words.get(l).bias());
        }
        int[][] labelWords = new int[labels.length][];
        for (int s = 0; s < labels.length; s++) {
            labelWords[s] = AccumQuantiser.quantise(labels[s], labels[s].length, "labels " + s).words();
        }
        return AccumTrainingRange.check(activations, KernelKinds.of(network.training().loss()), weights, biases,
                inputs, labelWords);
    }

    /**
     * The values of word bits read from an s16.15 core ({@code what} names them in the exception).
     *
     * @throws IllegalStateException if a word's value is 512 or more in magnitude, which float32 cannot hold exactly
     */
    public static float[] values(float[] wordBits, String what) {
        float[] values = new float[wordBits.length];
        for (int i = 0; i < values.length; i++) {
            int w = Float.floatToRawIntBits(wordBits[i]);
            if (w <= -EXACT_LIMIT || w >= EXACT_LIMIT) {
                throw new IllegalStateException("s16.15 training: " + what + " " + i + " reached "
                        + AccumQuantiser.toFloat(w) + ", which float32 cannot hold exactly (|value| < 512 can); DL4J's "
                        + "parameters would differ from the cores'. Lower the learning rate or scale the network's "
                        + "inputs, or train in Arithmetic.FLOAT32");
            }
            values[i] = AccumQuantiser.toFloat(w);
        }
        return values;
    }

    /** Word bits held as floats, as ints. */
    private static int[] bits(float[] wordBits) {
        int[] words = new int[wordBits.length];
        for (int i = 0; i < words.length; i++) {
            words[i] = Float.floatToRawIntBits(wordBits[i]);
        }
        return words;
    }
}
