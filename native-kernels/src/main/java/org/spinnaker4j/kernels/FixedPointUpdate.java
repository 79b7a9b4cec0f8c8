package org.spinnaker4j.kernels;

import java.lang.annotation.Native;
import java.util.Objects;
import org.spinnaker4j.kernels.AccumUpdate.AdamConstants;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;
import org.spinnaker4j.kernels.AccumUpdate.Scale;

/**
 * Runs the cores' s16.15 training update ({@code s4j_fixupdate.c}: Sgd and Adam over a run of parameters) on the
 * host, the same C code the ARM build runs, for tests: it must give the bits {@link AccumUpdate} defines.
 */
public final class FixedPointUpdate {

    /** The C's codes of the roundings (S4J_FIXUPD_*; s4j_fixupdate_jni.c asserts them at build time). */
    @Native
    static final int NEAREST = 0;
    @Native
    static final int STOCHASTIC = 1;
    /** Words of s4j_fix_update_consts and of the counts the JNI returns (asserted there too). */
    @Native
    static final int CONSTANT_WORDS = 12;
    @Native
    static final int COUNT_WORDS = 4;
    /**
     * Where each field of s4j_fix_update_consts is in the constants' words: the JNI reads each field from its own
     * index (s4j_fixupdate_jni.c), so the two sides agree by name, not by order.
     */
    @Native
    static final int AT_MODE = 0;
    @Native
    static final int AT_SEED = 1;
    @Native
    static final int AT_LAYER = 2;
    @Native
    static final int AT_ITERATION = 3;
    @Native
    static final int AT_FIRST_INDEX = 4;
    @Native
    static final int AT_RATE_MANTISSA = 5;
    @Native
    static final int AT_RATE_SHIFT = 6;
    @Native
    static final int AT_MEAN_MANTISSA = 7;
    @Native
    static final int AT_MEAN_SHIFT = 8;
    @Native
    static final int AT_BETA1 = 9;
    @Native
    static final int AT_BETA2 = 10;
    @Native
    static final int AT_EPSILON = 11;
    /** Where each count is in the counts' words, which the JNI writes by the same names. */
    @Native
    static final int AT_NONZERO = 0;
    @Native
    static final int AT_ZERO_STEPS = 1;
    @Native
    static final int AT_SATURATED = 2;
    @Native
    static final int AT_CLIPPED = 3;

    private FixedPointUpdate() {
    }

    /**
     * Where a run of parameters is: its rounding, the random bits' seed, its layer, the iteration (0 for the first)
     * and its first parameter's index in the layer (the random bits of parameter i of the run are
     * {@link AccumUpdate#random}(seed, layer, firstIndex + i, iteration)).
     *
     * @param rounding   how steps are rounded
     * @param seed       the random bits' seed
     * @param layer      the layer
     * @param iteration  the iteration, from 0
     * @param firstIndex the run's first parameter's index in the layer
     */
    public record UpdateRun(Rounding rounding, int seed, int layer, int iteration, int firstIndex) {

        /** Checks the rounding is given. */
        public UpdateRun {
            Objects.requireNonNull(rounding, "rounding");
        }
    }

    /**
     * What the kernel counted over a run.
     *
     * @param nonZero   parameters with a non-zero gradient sum
     * @param zeroSteps of those, steps rounded to 0
     * @param saturated parameters saturated by their step
     * @param clipped   Adam's mean gradients clipped to |g| &lt; 2
     */
    public record UpdateCounts(int nonZero, int zeroSteps, int saturated, int clipped) {
    }

    /**
     * Sgd over {@code words} in place: each less its gradient sum (units of 2^-30) times {@code c}, as
     * {@link AccumUpdate#sgdStep} rounds it, saturated.
     *
     * @throws IllegalArgumentException if the arrays' lengths differ or c's shift is outside [1, 126]
     */
    public static UpdateCounts sgd(UpdateRun run, Scale c, int[] words, long[] gradients) {
        Objects.requireNonNull(run, "run");
        requireLengths(words.length, gradients.length, "gradients");
        int[] counts = new int[COUNT_WORDS];
        check(sgd0(constants(run, c, null), words, gradients, counts));
        return counts(counts);
    }

    /**
     * Adam over {@code words}, {@code m} and {@code v} in place, as {@link AccumUpdate#adamStep} computes each
     * parameter.
     *
     * @throws IllegalArgumentException if the arrays' lengths differ or a v is outside [0, 2^62]
     */
    public static UpdateCounts adam(UpdateRun run, AdamConstants c, int[] words, int[] m, long[] v,
            long[] gradients) {
        Objects.requireNonNull(run, "run");
        requireLengths(words.length, m.length, "m");
        requireLengths(words.length, v.length, "v");
        requireLengths(words.length, gradients.length, "gradients");
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > 1L << 62) {
                throw new IllegalArgumentException("Expected v in [0, 2^62], got " + v[i] + " at " + i);
            }
        }
        int[] counts = new int[COUNT_WORDS];
        check(adam0(constants(run, c.rate(), c), words, m, v, gradients, counts));
        return counts(counts);
    }

    /** {@link AccumUpdate#random}, computed by the kernels' C. */
    public static int random(int seed, int layer, int index, int iteration) {
        NativeLibrary.load();
        return random0(seed, layer, index, iteration);
    }

    /**
     * {@link AccumUpdate#isqrt}, computed by the kernels' C.
     *
     * @throws IllegalArgumentException if v is negative
     */
    public static long isqrt(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("Expected a non-negative value, got " + v);
        }
        NativeLibrary.load();
        return isqrt0(v);
    }

    /** The C struct s4j_fix_update_consts, a word a field at its AT_ index ({@link #CONSTANT_WORDS}). */
    static int[] constants(UpdateRun run, Scale rate, AdamConstants adam) {
        int shift = adam == null ? rate.shift() : adam.stepShift();
        requireShift(shift, "the step's");
        Scale mean = adam == null ? new Scale(0, 1) : adam.perSample();
        requireShift(mean.shift(), "1 / batch's");
        NativeLibrary.load();
        int[] k = new int[CONSTANT_WORDS];
        k[AT_MODE] = code(run.rounding());
        k[AT_SEED] = run.seed();
        k[AT_LAYER] = run.layer();
        k[AT_ITERATION] = run.iteration();
        k[AT_FIRST_INDEX] = run.firstIndex();
        k[AT_RATE_MANTISSA] = (int) rate.mantissa();
        k[AT_RATE_SHIFT] = shift;
        k[AT_MEAN_MANTISSA] = (int) mean.mantissa();
        k[AT_MEAN_SHIFT] = mean.shift();
        k[AT_BETA1] = adam == null ? 0 : (int) adam.beta1();
        k[AT_BETA2] = adam == null ? 0 : (int) adam.beta2();
        k[AT_EPSILON] = adam == null ? 1 : (int) adam.epsilon();
        return k;
    }

    /** The counts the JNI wrote at their AT_ indices. */
    static UpdateCounts counts(int[] k) {
        return new UpdateCounts(k[AT_NONZERO], k[AT_ZERO_STEPS], k[AT_SATURATED], k[AT_CLIPPED]);
    }

    private static int code(Rounding rounding) {
        return switch (rounding) {
            case NEAREST -> NEAREST;
            case STOCHASTIC -> STOCHASTIC;
        };
    }

    private static void requireShift(int shift, String what) {
        if (shift < 1 || shift > 126) {
            throw new IllegalArgumentException("Expected " + what + " shift in [1, 126], got " + shift);
        }
    }

    private static void requireLengths(int words, int other, String what) {
        if (other != words) {
            throw new IllegalArgumentException("Expected " + words + " " + what + " (one a word), got " + other);
        }
    }

    private static void check(int status) {
        if (status != 0) {
            throw new IllegalStateException("the fixed-point update refused arguments Java validated (status "
                    + status + ")");
        }
    }

    private static native int sgd0(int[] constants, int[] words, long[] gradients, int[] counts);

    private static native int adam0(int[] constants, int[] words, int[] m, long[] v, long[] gradients, int[] counts);

    private static native long isqrt0(long v);

    private static native int random0(int seed, int layer, int index, int iteration);
}
