package org.spinnaker4j.kernels;

import java.util.Objects;

/**
 * Float32 values to spinnaker_tools {@code accum} words (s16.15: 1 sign, 16 integer and 15 fraction bits in a 32-bit
 * two's-complement word, the value {@code word / 2^15}) and back. A value is scaled by 2^15 (exact, in double),
 * rounded to the nearest integer, ties away from zero (as the kernels round their sums), and saturated to the
 * range [-2^16, 2^16 - 2^-15]; every saturation (±infinity included) is counted. The format has no NaN, so a NaN
 * is refused with its row and column rather than given some number.
 */
public final class AccumQuantiser {

    /** Fraction bits of s16.15. */
    public static final int FRACTION_BITS = 15;
    /** The scale: one in s16.15 is 2^15. */
    public static final int ONE = 1 << FRACTION_BITS;

    private AccumQuantiser() {
    }

    /**
     * The words of {@code values}, a row-major matrix of {@code columns} columns ({@code what} names it in the
     * exception a NaN throws), with how many saturated and the largest magnitude among those.
     *
     * @throws IllegalArgumentException naming the row and column of the first NaN
     */
    public static Quantised quantise(float[] values, int columns, String what) {
        Objects.requireNonNull(values, "values");
        double[] exact = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            exact[i] = values[i];
        }
        return quantise(exact, columns, what);
    }

    /**
     * As {@link #quantise(float[], int, String)}, for values computed in double (a batch normalization's folded
     * parameters, {@link BatchNormFold}): each scaled by 2^15 and rounded once, with no rounding to float first.
     *
     * @throws IllegalArgumentException naming the row and column of the first NaN
     */
    public static Quantised quantise(double[] values, int columns, String what) {
        Objects.requireNonNull(values, "values");
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be at least 1, got " + columns);
        }
        int[] words = new int[values.length];
        long saturations = 0;
        double largest = 0;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException(what + " row " + i / columns + " column " + i % columns
                        + " is NaN, which s16.15 fixed point cannot represent");
            }
            double rounded = roundHalfAway(v * ONE);
            if (rounded > Integer.MAX_VALUE || rounded < Integer.MIN_VALUE) {
                saturations++;
                largest = Math.max(largest, Math.abs(v));
                words[i] = rounded > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            } else {
                words[i] = (int) rounded;
            }
        }
        return new Quantised(words, saturations, largest);
    }

    /**
     * The float32 nearest a word's value: exact for words of magnitude up to 2^24 (values up to 512), otherwise
     * rounded to nearest even (a relative error of at most 2^-24), as a float has 24 significant bits.
     */
    public static float toFloat(int word) {
        return word / (float) ONE;
    }

    /**
     * A 64-bit sum of products of words (units of 2^-30, as the kernels accumulate it) rounded once to units of
     * 2^-15, as the kernels round it: to nearest, ties away from zero, on the magnitude; not saturated (see
     * {@link #saturates(long)}). The sum must be above {@code Long.MIN_VALUE} (the kernels' load check keeps it so).
     */
    public static long roundSum(long sum) {
        return roundShift(sum, FRACTION_BITS);
    }

    /**
     * A word cubed (exactly, in units of 2^-45) and rounded once to units of 2^-15, as the kernels' cube activation
     * rounds it: to nearest, ties away from zero, on the magnitude; not saturated (see {@link #saturates(long)}).
     * The kernels saturate at once from a magnitude of 64 (2^21), where the cube no longer fits 64 bits: so does
     * this, returning the word's sign times {@code Long.MAX_VALUE}.
     */
    public static long roundCube(int word) {
        long m = Math.abs((long) word);
        if (m >= 1L << 21) {
            return word < 0 ? -Long.MAX_VALUE : Long.MAX_VALUE;
        }
        long c = m * m * m;
        return roundShift(word < 0 ? -c : c, 2 * FRACTION_BITS);
    }

    /**
     * {@code value / 2^bits} to nearest, ties away from zero, on the magnitude (so no negative value is shifted), as the
     * kernels round; {@code |value| + 2^(bits - 1)} must fit a long.
     */
    private static long roundShift(long value, int bits) {
        long r = (Math.abs(value) + (1L << (bits - 1))) >> bits;
        return value < 0 ? -r : r;
    }

    /**
     * The threshold word of a thresholdedrelu's {@code theta}: {@code floor(theta 2^15)}, saturated, so that a word
     * is above it exactly when its value is above {@code theta} (every word's value is a multiple of 2^-15). Beyond
     * the range no word is above it, or every word but the lowest, which stands for any sum at or below -2^16.
     *
     * @throws IllegalArgumentException if {@code theta} is NaN
     */
    public static int threshold(float theta) {
        if (Float.isNaN(theta)) {
            throw new IllegalArgumentException("a thresholdedrelu's theta is NaN, which has no s16.15 word");
        }
        double t = Math.floor((double) theta * ONE);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, t));
    }

    /** Whether a rounded sum lies outside the words' range (the kernels then saturate it and count it). */
    public static boolean saturates(long rounded) {
        return rounded > Integer.MAX_VALUE || rounded < Integer.MIN_VALUE;
    }

    /** A rounded sum saturated to the words' range. */
    public static int saturate(long rounded) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, rounded));
    }

    /** The largest |word| of {@code words} (0 if empty), as a long: what the 64-bit sums' overflow checks bound. */
    public static long maxMagnitude(int[] words) {
        long max = 0;
        for (int w : words) {
            max = Math.max(max, Math.abs((long) w));
        }
        return max;
    }

    /** Nearest integer, ties away from zero; the fraction |scaled| - floor(|scaled|) is exact in double. */
    private static double roundHalfAway(double scaled) {
        double a = Math.abs(scaled);
        double f = Math.floor(a);
        return Math.copySign(a - f >= 0.5 ? f + 1 : f, scaled);
    }

    /**
     * Quantised values: the words, how many values saturated and the largest magnitude among them (0 if none;
     * infinite if an infinity saturated).
     */
    public record Quantised(int[] words, long saturations, double largestSaturated) {
    }
}
