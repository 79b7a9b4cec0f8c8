package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.AccumQuantiser.Quantised;

/** Rounding, saturation and its counts, NaN refusal and read-back of s16.15 words. */
class AccumQuantiserTest {

    private static final float STEP = 1f / 32768f;

    @Test
    void representableValuesAreExact() {
        Quantised q = AccumQuantiser.quantise(new float[] {0f, 1f, -1f, 0.5f, STEP, -STEP, 65535.5f, -65536f}, 4, "x");
        assertArrayEquals(new int[] {0, 32768, -32768, 16384, 1, -1, 65535 * 32768 + 16384, Integer.MIN_VALUE},
                q.words());
        assertEquals(0, q.saturations());
        assertEquals(0.0, q.largestSaturated());
    }

    @Test
    void roundsToNearestWithTiesAwayFromZero() {
        float[] values = {1.5f * STEP, -1.5f * STEP, 2.5f * STEP, -2.5f * STEP, 0.49f * STEP, -0.51f * STEP,
            0.5f * STEP, -0.5f * STEP, 0.1f};
        Quantised q = AccumQuantiser.quantise(values, values.length, "w");
        assertArrayEquals(new int[] {2, -2, 3, -3, 0, -1, 1, -1, 3277}, q.words());
        assertEquals(0, q.saturations());
    }

    @Test
    void outOfRangeValuesAndInfinitiesSaturateAndAreCounted() {
        float justBelowMax = Math.nextDown(65536f);              // 65535.99609375: 2^16 - 2^-15 is no float
        float[] values = {justBelowMax, 65536f, -65536f, -65536.01f, 1e9f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 3f};
        Quantised q = AccumQuantiser.quantise(values, 2, "b");
        assertArrayEquals(new int[] {Integer.MAX_VALUE - 127, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE,
            Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, 3 * 32768}, q.words());
        assertEquals(5, q.saturations(), "65536, -65536.01, 1e9, +inf and -inf; not -65536 nor the float below 65536");
        assertEquals(Double.POSITIVE_INFINITY, q.largestSaturated());
        assertEquals(1e9, AccumQuantiser.quantise(new float[] {1e9f, -70000f}, 1, "b").largestSaturated());
    }

    @Test
    void aNanIsRefusedWithItsRowAndColumn() {
        float[] values = new float[12];
        values[7] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AccumQuantiser.quantise(values, 5, "input"));
        assertTrue(e.getMessage().startsWith("input row 1 column 2 is NaN"), e.getMessage());
    }

    @Test
    void wordsReadBackExactlyUpTo512AndNearestAbove() {
        for (int word : new int[] {0, 1, -1, 12345, -(1 << 24), 1 << 24}) {
            assertEquals(word / 32768.0, AccumQuantiser.toFloat(word), 0.0);
        }
        assertEquals((float) (Integer.MAX_VALUE / 32768.0), AccumQuantiser.toFloat(Integer.MAX_VALUE), 0f);
        assertEquals(65536f, AccumQuantiser.toFloat(Integer.MAX_VALUE), 0f, "2^16 - 2^-15 rounds to 2^16 in float");
        assertThrows(IllegalArgumentException.class, () -> AccumQuantiser.quantise(new float[1], 0, "x"));
    }
    @Test
    void aThresholdWordKeepsExactlyTheWordsAboveTheta() {
        for (float theta : new float[] {0.2f, -0.2f, 1.0f, 0f, 3.00001f, -7.5f}) {
            int t = AccumQuantiser.threshold(theta);
            int centre = (int) Math.round((double) theta * AccumQuantiser.ONE);
            for (int w = centre - 4; w <= centre + 4; w++) {
                assertEquals((double) w / AccumQuantiser.ONE > theta, w > t, "word " + w + " against " + theta);
            }
        }
        assertEquals(6553, AccumQuantiser.threshold(0.2f), "floor, where rounding would give 6554");
        assertEquals(Integer.MAX_VALUE, AccumQuantiser.threshold(1e6f));
        assertEquals(Integer.MIN_VALUE, AccumQuantiser.threshold(-1e6f));
        assertThrows(IllegalArgumentException.class, () -> AccumQuantiser.threshold(Float.NaN));
    }

    @Test
    void aCubeIsRoundedOnceToNearestTiesAwayFromZero() {
        Random rnd = new Random(5);
        BigDecimal scale = BigDecimal.valueOf(1L << 30);
        for (int k = 0; k < 20_000; k++) {
            int w = k < 1000 ? k - 500 : rnd.nextInt((1 << 22) - 1) - (1 << 21) + 1;
            BigDecimal exact = BigDecimal.valueOf(w).pow(3).divide(scale);
            long expected = exact.setScale(0, RoundingMode.HALF_UP).longValueExact();
            assertEquals(expected, AccumQuantiser.roundCube(w), "cube of word " + w);
        }
        assertEquals(8L * AccumQuantiser.ONE, AccumQuantiser.roundCube(2 * AccumQuantiser.ONE));
        assertEquals(Long.MAX_VALUE, AccumQuantiser.roundCube(1 << 21));
        assertEquals(-Long.MAX_VALUE, AccumQuantiser.roundCube(Integer.MIN_VALUE));
    }
}
