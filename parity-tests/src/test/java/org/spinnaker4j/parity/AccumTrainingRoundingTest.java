package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.AccumUpdate;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;
import org.spinnaker4j.kernels.AccumUpdate.Scale;

/**
 * The update's rounding ({@link AccumUpdate}, which {@link AccumTrainingReference} uses): nearest equal to the exact
 * rational rounded half away from zero (checked with BigInteger on 128-bit values), an update below half an s16.15
 * step rounded to 0, stochastic rounding deterministic per (layer, parameter, iteration) and unbiased within a
 * tolerance derived from the number of draws.
 */
class AccumTrainingRoundingTest {

    @Test
    void nearestIsTheExactQuotientRoundedHalfAwayFromZero() {
        Random rnd = new Random(20);
        for (int n = 0; n < 200_000; n++) {
            long hi = rnd.nextInt(1 << 20) - (1 << 19);
            long lo = rnd.nextLong();
            int shift = 1 + rnd.nextInt(80);
            BigInteger x = BigInteger.valueOf(hi).shiftLeft(64).add(new BigDecimal(Long.toUnsignedString(lo))
                    .toBigInteger());
            BigInteger expected = new BigDecimal(x).divide(new BigDecimal(BigInteger.ONE
                    .shiftLeft(shift))).setScale(0, RoundingMode.HALF_UP).toBigInteger();
            long expectedLong = expected.bitLength() < 64 ? expected.longValueExact()
                    : expected.signum() > 0 ? Long.MAX_VALUE : -Long.MAX_VALUE;
            assertEquals(expectedLong, AccumUpdate.round128(hi, lo, shift, 0, Rounding.NEAREST),
                    "hi " + hi + " lo " + lo + " shift " + shift);
        }
    }

    @Test
    void anSgdStepBelowHalfAWordRoundsToZero() {
        // Sgd 0.1 over 32 samples: the step is G (units 2^-30) × 0.1 / 32 in units of 2^-15
        Scale c = Scale.of(0.1 / 32 * 0x1p-15);
        // the gradient sum (units of 2^-30) whose step (units of 2^-15) is just below half a word
        long g = (long) (0.5 / c.value()) - 1;
        assertEquals(0, AccumUpdate.sgdStep(g, c, 0, Rounding.NEAREST), "a step just below half a word");
        assertEquals(0, AccumUpdate.sgdStep(-g, c, 0, Rounding.NEAREST));
        assertEquals(1, AccumUpdate.sgdStep(g + 2, c, 0, Rounding.NEAREST), "a step just above half a word");
        // a mean gradient of 1e-4 at rate 0.1 moves a parameter by 1e-5 < 2^-16: nearest never moves it
        long small = Math.round(1e-4 * 32 * 0x1p30);
        assertEquals(0, AccumUpdate.sgdStep(small, c, 0, Rounding.NEAREST));
        // stochastic rounding moves it by one word with probability 1e-5 / 2^-15 ≈ 0.33 (unbiased: see below)
        int up = 0;
        for (int it = 0; it < 10_000; it++) {
            long s = AccumUpdate.sgdStep(small, c, AccumUpdate.random(1, 0, 7, it), Rounding.STOCHASTIC);
            assertTrue(s == 0 || s == 1, "a step of " + s);
            up += (int) s;
        }
        assertTrue(up > 0, "stochastic rounding moves the parameter sometimes");
    }

    @Test
    void stochasticRoundingIsDeterministicAndUnbiased() {
        // values strictly between two words, in units of 2^-shift of a word, positive and negative
        Random rnd = new Random(7);
        int draws = 40_000;
        for (int c = 0; c < 12; c++) {
            int shift = 1 + rnd.nextInt(60);
            long x = rnd.nextLong() >> (63 - Math.min(62, shift + 8));
            double exact = x / Math.pow(2, shift);
            double sum = 0;
            long floor = Math.floorDiv(x, 1L << Math.min(62, shift));
            for (int it = 0; it < draws; it++) {
                int r = AccumUpdate.random(3, 1, c, it);
                long v = AccumUpdate.round128(x >> 63, x, shift, r, Rounding.STOCHASTIC);
                assertEquals(v, AccumUpdate.round128(x >> 63, x, shift,
                        AccumUpdate.random(3, 1, c, it), Rounding.STOCHASTIC), "the same bits again");
                assertTrue(shift > 62 || v == floor || v == floor + 1, v + " is not a word next to " + exact);
                sum += v;
            }
            // the draws are Bernoulli(p) around floor: their mean's standard deviation is at most 0.5 / sqrt(draws);
            // allow 5 of them, plus the 2^-32 bias of the 32 random bits
            double tolerance = 5 * 0.5 / Math.sqrt(draws) + 0x1p-32;
            assertEquals(exact, sum / draws, tolerance, "shift " + shift + " x " + x);
        }
    }

    @Test
    void theHashDiffersPerLayerParameterAndIteration() {
        int r = AccumUpdate.random(1, 2, 3, 4);
        assertEquals(r, AccumUpdate.random(1, 2, 3, 4));
        assertTrue(r != AccumUpdate.random(1, 3, 3, 4));
        assertTrue(r != AccumUpdate.random(1, 2, 4, 4));
        assertTrue(r != AccumUpdate.random(1, 2, 3, 5));
        assertTrue(r != AccumUpdate.random(2, 2, 3, 4));
    }

    @Test
    void aScaleHoldsItsConstantToTwoToTheMinus31() {
        for (double v : new double[] {1e-3, 0.1 / 32, 1.0 / 3, 1, 7.5e-9, 1234.5}) {
            Scale s = Scale.of(v);
            assertTrue(s.mantissa() >= 1L << 30 && s.mantissa() < 1L << 31, s.toString());
            assertEquals(v, s.value(), v * 0x1p-31);
        }
        assertThrows(IllegalArgumentException.class, () -> Scale.of(0));
        assertThrows(IllegalArgumentException.class, () -> Scale.of(Double.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> AccumUpdate.round128(0, 1, 0, 0, Rounding.NEAREST));
    }
}
