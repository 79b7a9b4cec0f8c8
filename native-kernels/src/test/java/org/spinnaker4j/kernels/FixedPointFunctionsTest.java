package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fixed-point functions against double precision: every input where a function is not saturated (every
 * s16.15 value in [-12, 12]), a stride over the whole int range, dense sweeps where the C code changes method
 * (its limit at |x| = 64) and the extremes; the worst-case errors asserted are the ones docs/fixed-point.md
 * states, in ulps of s16.15 (2^-15), against the exact function of the (exact) s16.15 input, saturated to the
 * s16.15 range.
 */
class FixedPointFunctionsTest {

    private static final Logger LOG = LoggerFactory.getLogger(FixedPointFunctionsTest.class);
    private static final double ULP = 1.0 / AccumQuantiser.ONE;
    /**
     * The worst-case error of sigmoid, tanh, rectifiedtanh, rationaltanh, softplus, exp below 0 and elu at |alpha| at
     * most 1, in ulps; of swish, mish and selu besides {@link #FACTOR_ERROR}.
     */
    private static final double BOUND_ULPS = 0.51;
    /** exp's relative error beyond the final rounding; elu's beyond it, per unit of |alpha|. */
    private static final double EXP_RELATIVE = 0x1p-27;
    /** The error of swish's, gelu's, mish's and selu's factor of x (a value), beyond the final rounding. */
    private static final double FACTOR_ERROR = 0x1p-28;
    /**
     * Gelu's worst-case error besides {@link #FACTOR_ERROR}, in ulps: 1.702 x rounded to s16.15 before its sigmoid
     * adds up to half an ulp times max t sigmoid'(t) (0.224) over 1.702, 0.066 ulps (0.064 measured).
     */
    private static final double GELU_BOUND_ULPS = 0.62;
    /** The C code's limit: e^x is saturated or 0 beyond |x| = 64. */
    private static final int EXP_LIMIT = 64 << AccumQuantiser.FRACTION_BITS;
    private static final double ELU_ALPHA = 1.0;

    /** Every s16.15 value in [-12, 12]: beyond it sigmoid, tanh, softplus and exp are saturated or exact. */
    private static int[] everyInput() {
        return IntStream.rangeClosed(-12 * AccumQuantiser.ONE, 12 * AccumQuantiser.ONE).toArray();
    }

    /** A stride over the whole int range, the dense sweeps around +-64 and the extremes. */
    private static int[] wideInputs() {
        IntStream stride = IntStream.rangeClosed(0, 65535).map(i -> (int) (Integer.MIN_VALUE + i * 65537L));
        IntStream limits = IntStream.rangeClosed(-2048, 2048)
                .flatMap(d -> IntStream.of(EXP_LIMIT + d, -EXP_LIMIT + d));
        IntStream extremes = IntStream.of(Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1, 0, 1, Integer.MAX_VALUE - 1,
                Integer.MAX_VALUE);
        return IntStream.concat(IntStream.concat(stride, limits), extremes).sorted().toArray();
    }

    private static double real(int q) {
        return q * ULP;
    }

    /** The s16.15 range, as reals. */
    private static double saturate(double v) {
        return Math.max(real(Integer.MIN_VALUE), Math.min(real(Integer.MAX_VALUE), v));
    }

    /** The error of {@code got} at input {@code x} against {@code exact}, in ulps. */
    private static double ulps(int got, int x, DoubleUnaryOperator exact) {
        return Math.abs(real(got) - saturate(exact.applyAsDouble(real(x)))) / ULP;
    }

    /** The worst error in ulps over {@code xs}, logged. */
    private static double worst(String name, int[] xs, int[] got, DoubleUnaryOperator exact) {
        double worst = 0;
        int at = 0;
        for (int i = 0; i < xs.length; i++) {
            double e = ulps(got[i], xs[i], exact);
            if (e > worst) {
                worst = e;
                at = xs[i];
            }
        }
        LOG.info("{}: worst error {} ulps at {} ({} inputs)", name, String.format("%.4f", worst), real(at), xs.length);
        return worst;
    }

    private static void assertMonotone(String name, int[] sortedXs, int[] got) {
        for (int i = 1; i < got.length; i++) {
            int x = sortedXs[i];
            assertTrue(got[i] >= got[i - 1], () -> name + " decreases at " + x);
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    private static final double SELU_LAMBDA = 1.0507009873554804934193349852946;
    /** The largest word selu does not saturate: lambda x rounds to 2^31 - 1 exactly (FixedPointBlockTest counts it). */
    static final int SELU_TOP = 2_043_858_026;
    private static final double SELU_ALPHA = 1.6732632423543772848170429916717;

    private static double selu(double x) {
        return x > 0 ? SELU_LAMBDA * x : SELU_LAMBDA * SELU_ALPHA * Math.expm1(x);
    }

    private static void assertBoundedMonotone(KernelActivation act, DoubleUnaryOperator exact) {
        for (int[] xs : new int[][] {everyInput(), wideInputs()}) {
            int[] got = FixedPointFunctions.activate(act, 0, xs);
            double worst = worst(act.name(), xs, got, exact);
            assertTrue(worst <= BOUND_ULPS, act + " worst error " + worst + " ulps");
            assertMonotone(act.name(), xs, got);
        }
    }

    @Test
    void sigmoidWithinBoundMonotoneAndSymmetric() {
        assertBoundedMonotone(KernelActivation.SIGMOID, FixedPointFunctionsTest::sigmoid);
        int[] xs = IntStream.rangeClosed(0, 12 * AccumQuantiser.ONE).toArray();
        int[] up = FixedPointFunctions.activate(KernelActivation.SIGMOID, 0, xs);
        int[] down = FixedPointFunctions.activate(KernelActivation.SIGMOID, 0, IntStream.of(xs).map(x -> -x).toArray());
        for (int i = 0; i < xs.length; i++) {
            assertEquals(AccumQuantiser.ONE, up[i] + down[i], "sigmoid(x) + sigmoid(-x) at " + real(xs[i]));
        }
    }

    @Test
    void tanhWithinBoundMonotoneAndOdd() {
        assertBoundedMonotone(KernelActivation.TANH, Math::tanh);
        int[] xs = IntStream.of(wideInputs()).filter(x -> x != Integer.MIN_VALUE).toArray();
        int[] up = FixedPointFunctions.activate(KernelActivation.TANH, 0, xs);
        int[] down = FixedPointFunctions.activate(KernelActivation.TANH, 0, IntStream.of(xs).map(x -> -x).toArray());
        for (int i = 0; i < xs.length; i++) {
            assertEquals(-up[i], down[i], "tanh(-x) at " + real(xs[i]));
        }
        int[] all = everyInput();
        int[] t = FixedPointFunctions.activate(KernelActivation.TANH, 0, all);
        for (int i = 0; i < all.length; i++) {
            assertEquals(-t[i], t[all.length - 1 - i], "tanh(-x) at " + real(all[i]));
        }
    }

    @Test
    void softplusWithinBoundAndMonotone() {
        assertBoundedMonotone(KernelActivation.SOFTPLUS, FixedPointFunctionsTest::softplus);
    }

    @Test
    void softsignCorrectlyRoundedMonotoneAndOdd() {
        for (int[] xs : new int[][] {everyInput(), wideInputs()}) {
            int[] got = FixedPointFunctions.activate(KernelActivation.SOFTSIGN, 0, xs);
            double worst = worst("SOFTSIGN", xs, got, x -> x / (1 + Math.abs(x)));
            assertTrue(worst <= 0.5 + 1e-9, "softsign worst error " + worst + " ulps: one division, rounded once");
            assertMonotone("SOFTSIGN", xs, got);
        }
        int[] xs = IntStream.of(wideInputs()).filter(x -> x != Integer.MIN_VALUE).toArray();
        int[] up = FixedPointFunctions.activate(KernelActivation.SOFTSIGN, 0, xs);
        int[] down = FixedPointFunctions.activate(KernelActivation.SOFTSIGN, 0, IntStream.of(xs).map(x -> -x).toArray());
        for (int i = 0; i < xs.length; i++) {
            assertEquals(-up[i], down[i], "softsign(-x) at " + real(xs[i]));
        }
    }

    /** DL4J's rationaltanh, 1.7159 sgn(d) (1 - 1 / (1 + |d| + d^2 + 1.41645 d^4)), d = 2x/3. */
    private static double rationalTanh(double x) {
        double d = 2 * x / 3;
        double a = Math.abs(d);
        return 1.7159 * Math.signum(d) * (1 - 1 / (1 + a + a * a + 1.41645 * a * a * a * a));
    }

    @Test
    void rationalTanhWithinBoundMonotoneAndOdd() {
        assertBoundedMonotone(KernelActivation.RATIONALTANH, FixedPointFunctionsTest::rationalTanh);
        int[] xs = IntStream.of(wideInputs()).filter(x -> x != Integer.MIN_VALUE).toArray();
        int[] up = FixedPointFunctions.activate(KernelActivation.RATIONALTANH, 0, xs);
        int[] down = FixedPointFunctions.activate(KernelActivation.RATIONALTANH, 0,
                IntStream.of(xs).map(x -> -x).toArray());
        for (int i = 0; i < xs.length; i++) {
            assertEquals(-up[i], down[i], "rationaltanh(-x) at " + real(xs[i]));
        }
    }

    @Test
    void rectifiedTanhIsTanhAboveZeroAndZeroElsewhere() {
        assertBoundedMonotone(KernelActivation.RECTIFIEDTANH, x -> Math.max(0, Math.tanh(x)));
        int[] xs = wideInputs();
        int[] got = FixedPointFunctions.activate(KernelActivation.RECTIFIEDTANH, 0, xs);
        int[] tanh = FixedPointFunctions.activate(KernelActivation.TANH, 0, xs);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(xs[i] > 0 ? tanh[i] : 0, got[i], "rectifiedtanh at " + real(xs[i]));
        }
    }

    /**
     * Swish, gelu (DL4J's, x sigmoid(1.702 x)) and mish: x times a factor in [0, 1] kept in Q30 and rounded once, so
     * {@link #BOUND_ULPS} (gelu: {@link #GELU_BOUND_ULPS}) plus the factor's error times |x| ({@link #FACTOR_ERROR});
     * never saturated.
     */
    @Test
    void swishGeluAndMishWithinTheirBounds() {
        Map<KernelActivation, DoubleUnaryOperator> exact = Map.of(
                KernelActivation.SWISH, x -> x * sigmoid(x),
                KernelActivation.GELU, x -> x * sigmoid(1.702 * x),
                KernelActivation.MISH, x -> x * Math.tanh(softplus(x)));
        exact.forEach((act, f) -> {
            for (int[] xs : new int[][] {everyInput(), wideInputs()}) {
                int[] got = FixedPointFunctions.activate(act, 0, xs);
                worst(act.name(), xs, got, f);
                double base = act == KernelActivation.GELU ? GELU_BOUND_ULPS : BOUND_ULPS;
                for (int i = 0; i < xs.length; i++) {
                    double bound = base + FACTOR_ERROR * Math.abs(real(xs[i])) / ULP;
                    double e = ulps(got[i], xs[i], f);
                    int x = xs[i];
                    assertTrue(e <= bound, () -> act + " at " + real(x) + ": " + e + " ulps");
                }
            }
        });
    }

    @Test
    void seluWithinBoundMonotoneAndSaturatedWhereLambdaXIsBeyondTheRange() {
        for (int[] xs : new int[][] {everyInput(), wideInputs()}) {
            int[] got = FixedPointFunctions.activate(KernelActivation.SELU, 0, xs);
            worst("SELU", xs, got, FixedPointFunctionsTest::selu);
            for (int i = 0; i < xs.length; i++) {
                double bound = BOUND_ULPS + FACTOR_ERROR * Math.abs(real(xs[i])) / ULP;
                double e = ulps(got[i], xs[i], FixedPointFunctionsTest::selu);
                int x = xs[i];
                assertTrue(e <= bound, () -> "selu at " + real(x) + ": " + e + " ulps");
            }
            assertMonotone("SELU", xs, got);
        }
        // lambda x (lambda in Q30) rounds to the top word exactly at SELU_TOP, beyond the range from the next word
        int[] edge = FixedPointFunctions.activate(KernelActivation.SELU, 0, SELU_TOP - 1, SELU_TOP, SELU_TOP + 1,
                Integer.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE - 1, edge[0], "the word below");
        assertEquals(Integer.MAX_VALUE, edge[1], "exact, not saturated");
        assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE}, Arrays.copyOfRange(edge, 2, 4));
    }

    @Test
    void expWithinRelativeBoundExactAtZeroAndMonotone() {
        assertEquals(AccumQuantiser.ONE, FixedPointFunctions.exp(0)[0], "e^0 is exactly 1 (softmax's max)");
        for (int[] xs : new int[][] {everyInput(), wideInputs()}) {
            int[] got = FixedPointFunctions.exp(xs);
            double worstRelative = 0;
            for (int i = 0; i < xs.length; i++) {
                double e = ulps(got[i], xs[i], Math::exp);
                double exact = Math.exp(real(xs[i]));
                if (xs[i] <= 0) {
                    assertTrue(e <= BOUND_ULPS, "e^x at " + real(xs[i]) + ": " + e + " ulps");
                } else if (got[i] != Integer.MAX_VALUE) {
                    worstRelative = Math.max(worstRelative, (e - 0.5) * ULP / exact);
                } else {
                    assertTrue(exact >= real(Integer.MAX_VALUE), "saturated below 65536 at " + real(xs[i]));
                }
            }
            LOG.info("exp: worst relative error beyond rounding 2^{} above 0 ({} inputs)",
                    String.format("%.2f", Math.log(worstRelative) / Math.log(2)), xs.length);
            worst("exp", xs, got, Math::exp);
            assertTrue(worstRelative <= EXP_RELATIVE, "exp's relative error " + worstRelative);
            assertMonotone("exp", xs, got);
        }
    }

    @Test
    void eluWithinBoundForEveryNegativeInput() {
        int[] xs = IntStream.rangeClosed(-12 * AccumQuantiser.ONE, 0).toArray();
        int[] wide = IntStream.of(wideInputs()).toArray();
        int[] alphas = {AccumQuantiser.ONE, 328, 54827, -AccumQuantiser.ONE, 100 * AccumQuantiser.ONE,
            Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (int alpha : alphas) {
            double a = real(alpha);
            DoubleUnaryOperator exact = x -> x >= 0 ? x : a * Math.expm1(x);
            double bound = 0.5 + Math.abs(a) * EXP_RELATIVE / ULP;
            for (int[] in : new int[][] {xs, wide}) {
                int[] got = FixedPointFunctions.activate(KernelActivation.ELU, alpha, in);
                double worst = worst("elu alpha " + a, in, got, exact);
                assertTrue(worst <= Math.max(bound, BOUND_ULPS), "elu alpha " + a + ": " + worst + " ulps");
                if (alpha > 0) {
                    assertMonotone("elu", in, got);
                }
            }
        }
        assertTrue(0.5 + ELU_ALPHA * EXP_RELATIVE / ULP <= BOUND_ULPS, "elu's bound at alpha 1");
    }

    /** num / den rounded to nearest, halves away from zero, saturated: exact, in long arithmetic. */
    private static int exactQuotient(int num, int den) {
        if (den == 0) {
            return num == 0 ? 0 : num > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        }
        long n = Math.abs((long) num) << AccumQuantiser.FRACTION_BITS;
        long d = Math.abs((long) den);
        long q = n / d + (2 * (n % d) >= d ? 1 : 0);
        long signed = (num < 0) != (den < 0) ? -q : q;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, signed));
    }

    @Test
    void divIsCorrectlyRounded() {
        Random random = new Random(12);
        int n = 1 << 20;
        int[] num = new int[n];
        int[] den = new int[n];
        int[] edges = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -AccumQuantiser.ONE, -1, 0, 1,
            AccumQuantiser.ONE, 3 * AccumQuantiser.ONE, Integer.MAX_VALUE};
        int k = 0;
        for (int a : edges) {
            for (int b : edges) {
                num[k] = a;
                den[k++] = b;
            }
        }
        for (; k < n; k++) {
            num[k] = random.nextInt();
            // denominators of every magnitude, and softmax's: a sum of e^x terms, one of them 1.0
            den[k] = k % 2 == 0 ? random.nextInt() >> random.nextInt(32)
                    : AccumQuantiser.ONE + random.nextInt(20 * AccumQuantiser.ONE);
            if (k % 2 != 0) {
                num[k] = random.nextInt(den[k] + 1);
            }
        }
        int[] got = FixedPointFunctions.div(num, den);
        for (int i = 0; i < n; i++) {
            assertEquals(exactQuotient(num[i], den[i]), got[i], num[i] + " / " + den[i]);
        }
    }

    /**
     * Softmax as the fixed-point kernel builds it: e_i = exp(z_i - max), S their sum, y_i = div(e_i, S). With exp's
     * error at most eps (0.51 ulps: its arguments are at most 0) and S at least 1 (e^0 exactly), the error is at
     * most 0.5 ulps (the division) plus eps (1 + n y_i), the bound docs/fixed-point.md states.
     */
    @Test
    void softmaxFromExpAndDivWithinStatedBound() {
        Random random = new Random(7);
        int classes = 10;
        double worst = 0;
        for (int sample = 0; sample < 20_000; sample++) {
            int[] z = new int[classes];
            double scale = sample % 2 == 0 ? 2 : 8;
            for (int i = 0; i < classes; i++) {
                z[i] = (int) Math.round(random.nextGaussian() * scale * AccumQuantiser.ONE);
            }
            int max = IntStream.of(z).max().orElseThrow();
            int[] y = FixedPointFunctions.softmax(z);
            double exactSum = IntStream.of(z).mapToDouble(v -> Math.exp(real(v - max))).sum();
            for (int i = 0; i < classes; i++) {
                double exact = Math.exp(real(z[i] - max)) / exactSum;
                double error = Math.abs(real(y[i]) - exact) / ULP;
                double bound = 0.5 + BOUND_ULPS * (1 + classes * exact);
                assertTrue(error <= bound, "softmax output " + exact + ": " + error + " ulps > " + bound);
                worst = Math.max(worst, error);
            }
        }
        LOG.info("softmax of {} classes from exp + div: worst error {} ulps", classes, String.format("%.3f", worst));
    }

    @Test
    void refusesWhatItDoesNotEvaluate() {
        assertArrayEquals(new KernelActivation[] {KernelActivation.SIGMOID, KernelActivation.TANH,
            KernelActivation.SOFTPLUS, KernelActivation.ELU, KernelActivation.SWISH, KernelActivation.GELU,
            KernelActivation.SELU, KernelActivation.MISH, KernelActivation.SOFTSIGN, KernelActivation.RATIONALTANH,
            KernelActivation.RECTIFIEDTANH},
                FixedPointFunctions.supported());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FixedPointFunctions.activate(KernelActivation.SOFTMAX, 0, 1, 2));
        assertTrue(e.getMessage().contains("SIGMOID, TANH, SOFTPLUS, ELU, SWISH, GELU, SELU, MISH, SOFTSIGN, "
                + "RATIONALTANH, RECTIFIEDTANH"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FixedPointFunctions.div(new int[2], new int[3]));
        assertThrows(NullPointerException.class, () -> FixedPointFunctions.exp((int[]) null));
        assertThrows(NullPointerException.class, () -> FixedPointFunctions.activate(null, 0, 1));
    }
}
