package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A block's sums in its wide accumulator (s4j_mac.c), through a one-column block: the edges of float arithmetic (NaN,
 * infinities, zeros, subnormals, overflow), large exponent differences and cancellation, against the exact sum of the
 * exact products rounded once to nearest even; and random sums against {@link WideSum}, bit for bit.
 */
class WideSumTest {

    private static final int IN = 0x40;
    private static final int OUT = 0x900;
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final float MIN_SUB = Float.MIN_VALUE;       // 2^-149
    private static final float MIN_NORMAL = Float.MIN_NORMAL;   // 2^-126

    /** sum_i x[i] w[i] by a one-column unfused block with weights w, rows in order. */
    private static float kernelSum(float[] x, float[] w) {
        KernelCore core = new KernelCore();
        core.load(Kernels.dense(x.length, 1, false, KernelActivation.IDENTITY, 0f, OUT,
                List.of(KeyRange.data(IN, x.length, 0))), w, null);
        List<Packet> sent = List.of();
        for (int i = 0; i < x.length; i++) {
            sent = Kernels.deliver(core, new Packet(IN + i, Float.floatToRawIntBits(x[i])));
        }
        return Kernels.valuesByKey(sent, OUT, 1)[0];
    }

    /** The exact sum of the products (all finite) rounded once to nearest even, overflowing to an infinity. */
    private static float nearest(float[] x, float[] w) {
        BigDecimal v = BigDecimal.ZERO;
        for (int i = 0; i < x.length; i++) {
            v = v.add(new BigDecimal(x[i]).multiply(new BigDecimal(w[i])));
        }
        if (v.signum() == 0) {
            return 0f;
        }
        BigDecimal halfUlpAboveMax = new BigDecimal(Float.MAX_VALUE)
                .add(new BigDecimal(Math.ulp(Float.MAX_VALUE)).divide(BigDecimal.valueOf(2)));
        if (v.abs().compareTo(halfUlpAboveMax) >= 0) {
            return v.signum() > 0 ? INF : -INF;
        }
        float f = v.floatValue();
        f = Float.isInfinite(f) ? Math.copySign(Float.MAX_VALUE, f) : f;
        float best = f;
        for (float c : new float[] {Math.nextDown(f), Math.nextUp(f)}) {
            if (Float.isInfinite(c)) {
                continue;
            }
            int cmp = new BigDecimal(c).subtract(v).abs().compareTo(new BigDecimal(best).subtract(v).abs());
            if (cmp < 0 || (cmp == 0 && (Float.floatToRawIntBits(c) & 1) == 0)) {
                best = c;
            }
        }
        return best == 0f ? Math.copySign(0f, v.signum()) : best;
    }

    private static void assertBits(float expected, float got, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got),
                what + ": expected " + expected + ", got " + got);
    }

    private static void assertNearest(float[] x, float[] w, String what) {
        assertBits(nearest(x, w), kernelSum(x, w), what);
    }

    private static float[] ones(int n) {
        float[] w = new float[n];
        Arrays.fill(w, 1f);
        return w;
    }

    @Test
    void nanAndInfinitiesAsInFloatArithmetic() {
        assertTrue(Float.isNaN(kernelSum(new float[] {1f, Float.NaN, 2f}, ones(3))), "a NaN row");
        assertTrue(Float.isNaN(kernelSum(new float[] {1f, 2f}, new float[] {Float.NaN, 1f})), "a NaN weight");
        assertTrue(Float.isNaN(kernelSum(new float[] {INF, 1f}, new float[] {0f, 1f})), "inf x 0");
        assertTrue(Float.isNaN(kernelSum(new float[] {0f, 1f}, new float[] {-INF, 1f})), "0 x -inf (a zero row)");
        assertTrue(Float.isNaN(kernelSum(new float[] {INF, 3f, -INF}, ones(3))), "+inf + -inf");
        assertBits(INF, kernelSum(new float[] {1f, INF, -1e30f}, ones(3)), "+inf + finite");
        assertBits(-INF, kernelSum(new float[] {2f, -3f}, new float[] {1f, INF}), "-inf product");
        assertBits(-INF, kernelSum(new float[] {MIN_SUB, -2f}, new float[] {1f, INF}), "a subnormal row, then -inf");
    }

    @Test
    void overflowAsInFloatArithmetic() {
        // a finite sum too large for a float is an infinity once converted
        assertBits(INF, kernelSum(new float[] {3e38f, 3e38f}, ones(2)), "3e38 + 3e38");
        assertBits(-INF, kernelSum(new float[] {-3e38f, -3e38f, 1f}, ones(3)), "-3e38 - 3e38 + 1");
        // and comes back into range when later rows cancel it: the sum is exact, not rounded at every step
        assertBits(3e38f, kernelSum(new float[] {3e38f, 3e38f, -3e38f}, ones(3)), "3e38 + 3e38 - 3e38");
        // a product beyond the largest float is infinite, as the float product would be
        assertBits(INF, kernelSum(new float[] {1e20f, -1f}, new float[] {1e20f, 1f}), "1e20 x 1e20");
        assertTrue(Float.isNaN(kernelSum(new float[] {1e20f, -1e20f}, new float[] {1e20f, 1e20f})),
                "two infinite products of opposite signs");
        // the largest float's neighbourhood: 2^127 (2 - 2^-23) exactly, and one that rounds up to 2^128
        assertBits(Float.MAX_VALUE, kernelSum(new float[] {Float.MAX_VALUE / 2}, new float[] {2f}), "MAX / 2 x 2");
        assertBits(INF, kernelSum(new float[] {Float.MAX_VALUE}, new float[] {Math.nextUp(1f)}), "MAX x (1 + ulp)");
        assertNearest(new float[] {Float.MAX_VALUE, Math.ulp(Float.MAX_VALUE) / 4}, ones(2), "MAX + ulp/4");
    }

    @Test
    void zerosAreExactAndPositive() {
        assertBits(0f, kernelSum(new float[] {0f, -0f, 0f}, new float[] {1f, 2f, -3f}), "zero rows");
        assertBits(0f, kernelSum(new float[] {-1f, 2f}, new float[] {0f, -0f}), "zero weights");
        assertBits(0f, kernelSum(new float[] {1.5f, -1.5f}, ones(2)), "x - x");
        assertBits(0f, kernelSum(new float[] {-0f}, new float[] {-0f}), "-0 x -0");
    }

    @Test
    void subnormalsAreExact() {
        assertNearest(new float[] {MIN_SUB}, new float[] {1f}, "the least subnormal");
        assertNearest(new float[] {MIN_SUB, MIN_SUB * 3, -MIN_SUB}, ones(3), "subnormal sums");
        assertNearest(new float[] {MIN_SUB * 5}, new float[] {0.5f}, "a tie between subnormals, to even");
        assertNearest(new float[] {MIN_SUB * 7}, new float[] {0.5f}, "the other tie");
        assertNearest(new float[] {MIN_SUB}, new float[] {0.25f}, "below half the least subnormal: zero");
        assertNearest(new float[] {-MIN_SUB}, new float[] {0.75f}, "above half: the least subnormal, negative");
        assertNearest(new float[] {MIN_SUB * 12345, 3f}, new float[] {0x1p100f, 0x1p-140f}, "a subnormal times 2^100");
        assertNearest(new float[] {MIN_NORMAL, -MIN_NORMAL / 2}, new float[] {1f, 1.5f}, "into the subnormals");
        assertNearest(new float[] {MIN_NORMAL * 3}, new float[] {0.3f}, "a product rounded into the subnormals");
    }

    @Test
    void cancellationAndExponentDifferences() {
        // the sum is exact while the products are within 2^30 of the largest: sequential float loses 2^-30 here
        assertBits(0x1p-30f, kernelSum(new float[] {1f, 0x1p-30f, -1f}, ones(3)), "1 + 2^-30 - 1");
        assertBits(1f, kernelSum(new float[] {1e8f, 1f, -1e8f}, ones(3)), "1e8 + 1 - 1e8");
        assertNearest(new float[] {3f, 0x1p-25f, 0x1p-26f}, ones(3), "three terms below the last bit, rounded once");
        // products more than 32 places below the largest so far add nothing
        assertBits(1f, kernelSum(new float[] {1f, 0x1p-40f}, ones(2)), "1 + 2^-40");
        assertBits(1f, kernelSum(new float[] {0x1p-40f, 1f}, ones(2)), "2^-40 + 1: the scale moves up to 1");
        assertBits(0f, kernelSum(new float[] {1e30f, 1e-30f, -1e30f}, ones(3)), "1e-30 between +-1e30");
        // the largest and the smallest products of normals
        assertNearest(new float[] {0x1p120f, -0x1p119f}, new float[] {0x1p7f, 0x1p8f}, "2^127 - 2^127");
        assertNearest(new float[] {0x1p-126f, 0x1p-126f}, new float[] {0x1p-20f, 0x1p-3f}, "2^-146 + 2^-129");
    }

    @Test
    void randomSumsAreTheMirrorsBitsAndWithinItsBound() {
        Random rnd = new Random(5);
        for (int t = 0; t < 300; t++) {
            int n = 1 + rnd.nextInt(40);
            float[] x = new float[n];
            float[] w = new float[n];
            List<String> kinds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                x[i] = value(rnd, kinds);
                w[i] = value(rnd, kinds);
            }
            float got = kernelSum(x, w);
            WideSum mirror = new WideSum();
            BigDecimal exact = BigDecimal.ZERO;
            BigDecimal largest = BigDecimal.ZERO;
            boolean finite = true;
            for (int i = 0; i < n; i++) {
                mirror.add(x[i], w[i]);
                float p = x[i] * w[i];
                finite &= Float.isFinite(p) && Float.isFinite(x[i]) && Float.isFinite(w[i]);
                if (finite) {
                    BigDecimal q = new BigDecimal(x[i]).multiply(new BigDecimal(w[i]));
                    exact = exact.add(q);
                    largest = largest.max(q.abs());
                }
            }
            assertBits(mirror.value(), got, "sum " + t + " " + kinds);
            if (finite && Float.isFinite(got)) {
                // each product keeps its bits down to 2^-30 of the largest; then one rounding
                BigDecimal bound = largest.multiply(BigDecimal.valueOf(n)).multiply(new BigDecimal(0x1p-30))
                        .add(new BigDecimal(Math.ulp(got)));
                assertTrue(new BigDecimal(got).subtract(exact).abs().compareTo(bound) <= 0,
                        "sum " + t + ": " + got + " vs exact " + exact);
            }
        }
    }

    /** Mostly Gaussian values at mixed scales, now and then a zero, subnormal, huge value, infinity or NaN. */
    private static float value(Random rnd, List<String> kinds) {
        int k = rnd.nextInt(40);
        if (k == 0) {
            kinds.add("zero");
            return rnd.nextBoolean() ? 0f : -0f;
        }
        if (k == 1) {
            kinds.add("subnormal");
            return Float.intBitsToFloat(rnd.nextInt(0x800000)) * (rnd.nextBoolean() ? 1 : -1);
        }
        if (k == 2) {
            kinds.add("huge");
            return (float) (rnd.nextGaussian() * 1e30);
        }
        if (k == 3) {
            kinds.add("special");
            return new float[] {INF, -INF, Float.NaN}[rnd.nextInt(3)];
        }
        return (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(20) - 10));
    }
}
