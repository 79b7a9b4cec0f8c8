package org.spinnaker4j.kernels;

import java.util.Objects;

/**
 * Runs the cores' s16.15 backward pass of a Dense/Output layer ({@code s4j_fixback.c}: the output delta, the error
 * sent to the layer below, the delta below, the exact gradient sums) on the host, the same C code the ARM build
 * compiles, for tests: it must give the bits the host's training reference defines (docs/fixed-point.md, "Training
 * in s16.15"). Words are s16.15, sums are 64-bit in units of 2^-30.
 */
public final class FixedPointBackward {

    private FixedPointBackward() {
    }

    /**
     * Words the C computed and how many of them saturated.
     *
     * @param words     the words
     * @param saturated how many were saturated to the words' range
     */
    public record Words(int[] words, int saturated) {
    }

    /**
     * The output layer's δ = dL/dz of one sample over its columns: softmax with MCXENT p − y exactly; identity with
     * MSE 2(a − y) / nOut rounded once to nearest, ties away; saturated.
     *
     * @param nOut the layer's width (MSE divides by it; a core may hold fewer columns)
     * @throws IllegalArgumentException for any other pair, arrays of different lengths or nOut below 1
     */
    public static Words outputDelta(KernelActivation activation, LossKind loss, int[] out, int[] labels, int nOut) {
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(loss, "loss");
        if (!(activation == KernelActivation.SOFTMAX && loss == LossKind.MCXENT)
                && !(activation == KernelActivation.IDENTITY && loss == LossKind.MSE)) {
            throw new IllegalArgumentException("Expected softmax with MCXENT or identity with MSE, got " + activation
                    + " with " + loss);
        }
        requireLength(out.length, labels.length, "labels");
        if (nOut < 1) {
            throw new IllegalArgumentException("Expected a layer width of at least 1, got " + nOut);
        }
        int[] delta = new int[out.length];
        int saturated = check(outputDelta0(activation.code(), loss.code(), out, labels, nOut, delta));
        return new Words(delta, saturated);
    }

    /**
     * Adds a block's W·δ to {@code sums} (one a row): sums[i] += Σ_j W[i][j] δ_j, exact in 64 bits (wrapping as
     * two's complement; the caller keeps the sums below 2^63).
     *
     * @param weights W row-major, sums.length × delta.length words
     * @throws IllegalArgumentException if weights is not sums.length × delta.length
     */
    public static void errorAdd(long[] sums, int[] weights, int[] delta) {
        requireLength((long) sums.length * delta.length, weights.length, "weights (rows × columns)");
        check(errorAdd0(sums, weights, delta));
    }

    /** Each sum rounded once to a word (nearest, ties away from zero) and saturated. */
    public static Words roundSums(long[] sums) {
        int[] words = new int[sums.length];
        int saturated = check(roundSums0(sums, words));
        return new Words(words, saturated);
    }

    /**
     * A hidden layer's δ from the error ε at its outputs and its output words a: relu ε or 0, identity ε exactly;
     * tanh ε(1 − a²), sigmoid εa(1 − a), the factor exact in Q30, the product rounded once.
     *
     * @throws IllegalArgumentException for any other activation, arrays of different lengths, or a word a outside
     *                                  its function's range ([−1, 1] for tanh, [0, 1] for sigmoid)
     */
    public static int[] hiddenDelta(KernelActivation activation, int[] error, int[] outputs) {
        Objects.requireNonNull(activation, "activation");
        requireLength(error.length, outputs.length, "outputs");
        int lo = switch (activation) {
            case IDENTITY, RELU -> Integer.MIN_VALUE;
            case TANH -> -AccumQuantiser.ONE;
            case SIGMOID -> 0;
            default -> throw new IllegalArgumentException("Expected a hidden activation of relu, identity, tanh or "
                    + "sigmoid, got " + activation);
        };
        int hi = lo == Integer.MIN_VALUE ? Integer.MAX_VALUE : AccumQuantiser.ONE;
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i] < lo || outputs[i] > hi) {
                throw new IllegalArgumentException("Expected " + activation + " output words in [" + lo + ", " + hi
                        + "], got " + outputs[i] + " at " + i);
            }
        }
        int[] delta = new int[error.length];
        check(hiddenDelta0(activation.code(), error, outputs, delta));
        return delta;
    }

    /**
     * Adds one sample's gradient to a block's exact sums: weightSums[i][j] += x_i δ_j (row-major) and, unless
     * biasSums is null, biasSums[j] += δ_j · 2^15 (a bias's x is 1.0); wrapping as two's complement.
     *
     * @throws IllegalArgumentException if weightSums is not x.length × delta.length or biasSums not delta.length
     */
    public static void gradientAdd(long[] weightSums, long[] biasSums, int[] x, int[] delta) {
        requireLength((long) x.length * delta.length, weightSums.length, "weight sums (rows × columns)");
        if (biasSums != null) {
            requireLength(delta.length, biasSums.length, "bias sums");
        }
        check(gradientAdd0(weightSums, biasSums, x, delta));
    }

    private static void requireLength(long expected, int got, String what) {
        if (got != expected) {
            throw new IllegalArgumentException("Expected " + expected + " " + what + ", got " + got);
        }
    }

    private static int check(int status) {
        if (status < 0) {
            throw new IllegalStateException("the fixed-point backward pass refused arguments Java validated (status "
                    + status + ")");
        }
        return status;
    }

    static {
        NativeLibrary.load();
    }

    private static native int outputDelta0(int activation, int loss, int[] out, int[] labels, int nOut,
            int[] delta);

    private static native int errorAdd0(long[] sums, int[] weights, int[] delta);

    private static native int roundSums0(long[] sums, int[] words);

    private static native int hiddenDelta0(int activation, int[] error, int[] outputs, int[] delta);

    private static native int gradientAdd0(long[] weightSums, long[] biasSums, int[] x, int[] delta);
}
