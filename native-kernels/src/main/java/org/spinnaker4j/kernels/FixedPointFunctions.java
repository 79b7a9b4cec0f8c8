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
