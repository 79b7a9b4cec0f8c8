package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.AccumUpdate.AdamConstants;
import org.spinnaker4j.kernels.AccumUpdate.AdamStep;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;
import org.spinnaker4j.kernels.AccumUpdate.Scale;
import org.spinnaker4j.kernels.FixedPointUpdate.UpdateCounts;
import org.spinnaker4j.kernels.FixedPointUpdate.UpdateRun;

/**
 * The C update ({@code s4j_fixupdate.c}, through {@link FixedPointUpdate}) bit-equal to {@link AccumUpdate} on random
 * runs of parameters: gradient sums of every magnitude and sign (0 and the extremes included), words near the
 * saturation limits, constants whose shifts span [1, 126] (steps far above a word and far below one), Adam's moments
 * of every magnitude, mean gradients that clip; both roundings. Each test also asserts that its inputs reached the
 * cases it names (saturation, steps rounded to 0, clipping), so a narrower generator fails it.
 */
class FixedPointUpdateTest {

    private static final int RUNS = 200;
    private static final int N = 300;

    /** A long of random sign whose magnitude is spread over every bit length, or an extreme. */
    private static long anyLong(Random r) {
        return switch (r.nextInt(40)) {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE;
            case 2 -> Long.MIN_VALUE;
            default -> r.nextLong() >> r.nextInt(64);
        };
    }

    /** A word, a fifth of them within 2^16 of a limit. */
    private static int anyWord(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> Integer.MAX_VALUE - r.nextInt(1 << 16);
            case 1 -> Integer.MIN_VALUE + r.nextInt(1 << 16);
            default -> r.nextInt() >> r.nextInt(32);
        };
    }

    private static UpdateRun anyRun(Random r, Rounding rounding) {
        return new UpdateRun(rounding, r.nextInt(), r.nextInt(8), r.nextInt(100_000), r.nextInt(1 << 20));
    }

    @Test
    void randomBitsEqualJavas() {
        Random r = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            int seed = r.nextInt();
            int layer = r.nextInt(64);
            int index = r.nextInt();
            int iteration = r.nextInt();
            assertEquals(AccumUpdate.random(seed, layer, index, iteration),
                    FixedPointUpdate.random(seed, layer, index, iteration));
        }
    }

    @Test
    void squareRootsAreExactAndEqualJavas() {
        Random r = new Random(4);
        long[] special = {0, 1, 2, 3, 4, 1L << 32, (1L << 32) - 1, 1L << 62, Long.MAX_VALUE, 3037000499L * 3037000499L,
            3037000499L * 3037000499L - 1, 65535L * 65535L, 65536L * 65536L - 1};
        for (int i = 0; i < 200_000; i++) {
            long v;
            if (i < special.length) {
                v = special[i];
            } else if (i % 3 == 0) {
                long k = r.nextLong() >>> 1 >>> (32 + r.nextInt(31)); // a root below 2^31, near a square
                v = Math.max(0, k * k + r.nextInt(3) - 1);
            } else {
                v = r.nextLong() >>> 1 >>> r.nextInt(63);
            }
            long root = FixedPointUpdate.isqrt(v);
            BigInteger big = BigInteger.valueOf(v);
            assertTrue(BigInteger.valueOf(root).pow(2).compareTo(big) <= 0
                    && BigInteger.valueOf(root + 1).pow(2).compareTo(big) > 0, "isqrt(" + v + ") = " + root);
            assertEquals(AccumUpdate.isqrt(v), root, "v = " + v);
        }
    }

    @Test
    void sgdIsBitEqualToAccumUpdate() {
        Random r = new Random(2);
        int saturated = 0;
        int zeroSteps = 0;
        boolean roundingsDiffer = false;
        for (int run = 0; run < RUNS; run++) {
            // c = 2^e (1 + f), e from 28 down to -95: shifts from 1 (steps far above a word) to 126
            Scale c = Scale.of(Math.scalb(1 + r.nextDouble(), 28 - r.nextInt(124)));
            long[] g = new long[N];
            int[] words = new int[N];
            for (int i = 0; i < N; i++) {
                g[i] = anyLong(r);
                words[i] = anyWord(r);
            }
            int[][] results = new int[2][];
            for (Rounding rounding : Rounding.values()) {
                UpdateRun where = anyRun(r, rounding);
                int[] expected = words.clone();
                int[] counts = new int[3];
                for (int i = 0; i < N; i++) {
                    long step = AccumUpdate.sgdStep(g[i], c, random(where, i), rounding);
                    expected[i] = apply(expected[i], g[i], step, counts);
                }
                int[] actual = words.clone();
                UpdateCounts got = FixedPointUpdate.sgd(where, c, actual, g);
                assertArrayEquals(expected, actual, "run " + run + ", " + rounding + ", c = " + c);
                assertEquals(new UpdateCounts(counts[0], counts[1], counts[2], 0), got, "run " + run);
                saturated += got.saturated();
                zeroSteps += got.zeroSteps();
                results[rounding.ordinal()] = actual;
            }
            roundingsDiffer |= !Arrays.equals(results[0], results[1]);
        }
        assertTrue(saturated > 1000, "saturations exercised: " + saturated);
        assertTrue(zeroSteps > 1000, "steps rounded to 0 exercised: " + zeroSteps);
        assertTrue(roundingsDiffer, "stochastic rounding exercised");
    }

    @Test
    void adamIsBitEqualToAccumUpdate() {
        Random r = new Random(3);
        int saturated = 0;
        int clipped = 0;
        int zeroSteps = 0;
        for (int run = 0; run < RUNS; run++) {
            int batch = 1 + r.nextInt(r.nextBoolean() ? 4 : 1000);
            double lr = Math.pow(10, -8 + 10 * r.nextDouble());
            double beta1 = r.nextInt(8) == 0 ? r.nextInt(2) : 0.5 + 0.5 * r.nextDouble();
            double beta2 = r.nextInt(8) == 0 ? 0 : 0.9 + 0.1 * r.nextDouble();
            double eps = Math.pow(10, -9 + 9 * r.nextDouble());
            if (beta1 == 1) {
                beta1 = 0.999; // 1 − β1^t would be 0: DL4J's rate is not finite
            }
            AdamConstants c = AdamConstants.of(lr, beta1, beta2, eps, batch, 1 + r.nextInt(1000));
            long[] g = new long[N];
            int[] words = new int[N];
            int[] m = new int[N];
            long[] v = new long[N];
            for (int i = 0; i < N; i++) {
                g[i] = r.nextBoolean() ? anyLong(r) : (long) anyWord(r) << 15;
                words[i] = anyWord(r);
                m[i] = r.nextInt(10) == 0 ? 0 : Math.max(-Integer.MAX_VALUE, r.nextInt() >> r.nextInt(32));
                v[i] = r.nextInt(10) == 0 ? 0 : r.nextInt(20) == 0 ? 1L << 62 : (r.nextLong() >>> 2) >> r.nextInt(62);
            }
            for (Rounding rounding : Rounding.values()) {
                UpdateRun where = anyRun(r, rounding);
                int[] expectedWords = words.clone();
                int[] expectedM = m.clone();
                long[] expectedV = v.clone();
                int[] counts = new int[3];
                int clips = 0;
                for (int i = 0; i < N; i++) {
                    AdamStep s = AccumUpdate.adamStep(g[i], m[i], v[i], c, random(where, i), rounding);
                    expectedM[i] = s.m();
                    expectedV[i] = s.v();
                    expectedWords[i] = apply(expectedWords[i], g[i], s.step(), counts);
                    clips += s.clipped() ? 1 : 0;
                }
                int[] actualWords = words.clone();
                int[] actualM = m.clone();
                long[] actualV = v.clone();
                UpdateCounts got = FixedPointUpdate.adam(where, c, actualWords, actualM, actualV, g);
                String what = "run " + run + ", " + rounding + ", " + c;
                assertArrayEquals(expectedM, actualM, what);
                assertArrayEquals(expectedV, actualV, what);
                assertArrayEquals(expectedWords, actualWords, what);
                assertEquals(new UpdateCounts(counts[0], counts[1], counts[2], clips), got, what);
                saturated += got.saturated();
                clipped += got.clipped();
                zeroSteps += got.zeroSteps();
            }
        }
        assertTrue(saturated > 100, "saturations exercised: " + saturated);
        assertTrue(clipped > 1000, "clipped mean gradients exercised: " + clipped);
        assertTrue(zeroSteps > 1000, "steps rounded to 0 exercised: " + zeroSteps);
    }

    @Test
    void aConstantGradientLeavesAdamsMomentsAtItAndStepsByTheRate() {
        // g = 2^-10 for ever (G = 2^20 units of 2^-30 over a batch of 1): m = g, v = g^2, the step α_t g / (g + ε)
        int[] words = {0};
        int[] m = {0};
        long[] v = {0};
        long[] g = {1L << 20};
        for (int t = 1; t <= 50; t++) {
            AdamConstants c = AdamConstants.of(1e-2, 0.9, 0.999, 1e-8, 1, t);
            FixedPointUpdate.adam(new UpdateRun(Rounding.NEAREST, 0, 0, t - 1, 0), c, words, m, v, g);
        }
        assertTrue(Math.abs(m[0] - (1 << 20)) <= 1 << 20 >> 2, "m near g after 50 steps of 0.9: " + m[0]);
        double moved = -words[0] / (double) AccumQuantiser.ONE;
        // each step is about lr = 0.01 (bias-corrected), so 50 steps move the parameter by about 0.5
        assertEquals(0.5, moved, 0.05);
    }

    @Test
    void refusesWhatTheKernelCannotCompute() {
        int[] one = {0};
        long[] g = {1};
        UpdateRun run = new UpdateRun(Rounding.NEAREST, 0, 0, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> FixedPointUpdate.sgd(run, new Scale(1L << 30, 127), one,
                g));
        assertThrows(IllegalArgumentException.class, () -> FixedPointUpdate.sgd(run, new Scale(1L << 30, 0), one, g));
        assertThrows(IllegalArgumentException.class, () -> FixedPointUpdate.sgd(run, Scale.of(1e-6), one,
                new long[2]));
        AdamConstants c = AdamConstants.of(1e-3, 0.9, 0.999, 1e-8, 32, 1);
        assertThrows(IllegalArgumentException.class, () -> FixedPointUpdate.adam(run, c, one, new int[1],
                new long[] {-1}, g));
        assertThrows(IllegalArgumentException.class, () -> FixedPointUpdate.adam(run, c, one, new int[2],
                new long[1], g));
        assertThrows(IllegalArgumentException.class, () -> AdamConstants.of(1e6, 0.9, 0.999, 1e-8, 32, 1));
        assertThrows(IllegalArgumentException.class, () -> AdamConstants.of(1e-3, 1.1, 0.999, 1e-8, 32, 1));
        assertThrows(IllegalArgumentException.class, () -> AdamConstants.of(1e-3, 0.9, 0.999, 1e-12, 32, 1));
        assertThrows(IllegalArgumentException.class, () -> AccumUpdate.adamStep(0, 0, -1, c, 0, Rounding.NEAREST));
        assertNotEquals(AccumUpdate.random(1, 0, 0, 0), AccumUpdate.random(1, 0, 0, 1));
    }

    private static int random(UpdateRun where, int i) {
        return AccumUpdate.random(where.seed(), where.layer(), where.firstIndex() + i, where.iteration());
    }

    /** The word less the step, saturated, counting as the kernel does: non-zero gradients, zero steps, saturations. */
    private static int apply(int word, long gradient, long step, int[] counts) {
        if (gradient != 0) {
            counts[0]++;
            if (step == 0) {
                counts[1]++;
            }
        }
        long p = AccumUpdate.subtract(word, step);
        if (AccumQuantiser.saturates(p)) {
            counts[2]++;
        }
        return AccumQuantiser.saturate(p);
    }
}
