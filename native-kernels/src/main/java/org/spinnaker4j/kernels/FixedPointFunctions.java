package org.spinnaker4j.kernels;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Evaluates the cores' fixed-point functions ({@code s4j_fixfunc.c}: e^x, division and the transcendental
 * activations in s16.15) on the host, the same C code the ARM build runs, for tests and error reports. A value
 * {@code v} stands for {@code v / 2^15}; every int is a valid input, and results round to nearest and saturate.
 */
public final class FixedPointFunctions {

    /**
     * The widest softmax layer in fixed point: its exact sum of e words, each at most 1.0 (2^15), must fit a packet's
     * 32 bits as a non-negative int ({@code S4J_FIX_SOFTMAX_MAX_COLS} in C).
     */
    public static final int SOFTMAX_MAX_WIDTH = 65_535;

    private FixedPointFunctions() {
    }

    /** Whether {@link #activate} evaluates {@code activation} in fixed point. */
    public static boolean supports(KernelActivation activation) {
        Objects.requireNonNull(activation, "activation");
        NativeLibrary.load();
        return supports0(activation.code()) != 0;
    }

    /** The supported activations, in declaration order. */
    public static KernelActivation[] supported() {
        return Arrays.stream(KernelActivation.values()).filter(FixedPointFunctions::supports)
                .toArray(KernelActivation[]::new);
    }

    /**
     * {@code activation} at every {@code x}; {@code alpha} is ELU's alpha in s16.15 (ignored by the others).
     *
     * @throws IllegalArgumentException if the activation is not {@linkplain #supports supported}
     */
    public static int[] activate(KernelActivation activation, int alpha, int... x) {
        Objects.requireNonNull(x, "x");
        if (!supports(activation)) {
            throw new IllegalArgumentException("Expected an activation the fixed-point functions evaluate ("
                    + Arrays.stream(supported()).map(Enum::name).collect(Collectors.joining(", ")) + "), got "
                    + activation);
        }
        int[] out = new int[x.length];
        check(activate0(activation.code(), alpha, x, out));
        return out;
    }

    /** e^x at every {@code x}. */
    public static int[] exp(int... x) {
        Objects.requireNonNull(x, "x");
        NativeLibrary.load();
        int[] out = new int[x.length];
        check(exp0(x, out));
        return out;
    }

    /** {@code num[i] / den[i]}, correctly rounded; a zero denominator saturates by the numerator's sign. */
    public static int[] div(int[] num, int[] den) {
        Objects.requireNonNull(num, "num");
        Objects.requireNonNull(den, "den");
        if (num.length != den.length) {
            throw new IllegalArgumentException("Expected as many denominators as numerators (" + num.length
                    + "), got " + den.length);
        }
        NativeLibrary.load();
        int[] out = new int[num.length];
        check(div0(num, den, out));
        return out;
    }

    /**
     * The softmax of a layer's rounded logits {@code z} as the kernels compute it: the max m of z, e_j = e^(z_j - m)
     * (the difference clamped to the int range, where e^x is 0 already), their exact sum S and y_j = e_j / S
     * correctly rounded. The peers of a layer spread over cores exchange their maxima and partial sums, which gives
     * the same m and S, so this is the layer's output however it is split.
     *
     * @throws IllegalArgumentException if z is empty or wider than {@link #SOFTMAX_MAX_WIDTH}
     */
    public static int[] softmax(int... z) {
        Objects.requireNonNull(z, "z");
        if (z.length == 0 || z.length > SOFTMAX_MAX_WIDTH) {
            throw new IllegalArgumentException("Expected 1 to " + SOFTMAX_MAX_WIDTH + " logits, got " + z.length);
        }
        int max = Arrays.stream(z).max().orElseThrow();
        int[] e = exp(Arrays.stream(z).map(v -> (int) Math.max(Integer.MIN_VALUE, (long) v - max)).toArray());
        int sum = Arrays.stream(e).sum();
        int[] den = new int[z.length];
        Arrays.fill(den, sum);
        return div(e, den);
    }

    private static void check(int status) {
        if (status != 0) {
            throw new IllegalStateException("the fixed-point functions refused arguments Java validated (status "
                    + status + ")");
        }
    }

    private static native int supports0(int act);

    private static native int activate0(int act, int alpha, int[] x, int[] out);

    private static native int exp0(int[] x, int[] out);

    private static native int div0(int[] num, int[] den, int[] out);
}
