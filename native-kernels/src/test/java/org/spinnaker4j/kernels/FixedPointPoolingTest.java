package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;
import static org.spinnaker4j.kernels.Kernels.assertThrowsWith;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * s16.15 pooling blocks (docs/fixed-point.md, "Pooling and batch normalization"): MAX the largest word of each
 * window from INT32_MIN (the word DL4J's starts saturate to), AVG the exact sum of the window's words divided by
 * nd4j's divisor and rounded once to nearest, ties away from zero, and a batch normalization folded on the host to
 * round((x̂·â + ĉ·2^15) / 2^15). Every output is compared bit for bit with a reference written here from those
 * statements, on the lean and the checked kernels (the module's two surefire runs).
 */
class FixedPointPoolingTest {

    private static final int IN = 0x100;
    private static final int OUT = 0x4000;
    private static final float SUBSAMPLING_START = -3.402823e38f;
    /** Image rows of the pooling blocks below: 2 rows of WIDTH pixels of CHANNELS channels. */
    private static final int ROWS = 2;
    private static final int WIDTH = 5;
    private static final int CHANNELS = 2;
    private static final int N_ROWS = ROWS * WIDTH * CHANNELS;

    private static KernelCore loaded(PoolingConfig pooling, int cols) {
        KernelCore core = new KernelCore();
        core.loadWords(new KernelConfig(KernelKind.DENSE_BLOCK, N_ROWS, cols, KernelActivation.IDENTITY, 0f, true,
                OUT, 0, 0, 0, List.of(KeyRange.data(IN, N_ROWS, 0)), null, pooling).withFixedPoint(), null,
                new int[cols]);
        return core;
    }

    /** One sample's words delivered in a shuffled order; the outputs of the block's columns, by key. */
    private static int[] run(KernelCore core, int[] x, int cols, Random rnd) {
        List<Packet> rows = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            rows.add(new Packet(IN + i, x[i]));
        }
        Collections.shuffle(rows, rnd);
        List<Packet> sent = List.of();
        for (int k = 0; k < rows.size(); k++) {
            sent = Kernels.deliver(core, rows.get(k));
            assertEquals(k < rows.size() - 1 ? 0 : cols, sent.size(), "the last row sends the block's columns");
        }
        int[] y = new int[cols];
        for (int k = 0; k < cols; k++) {
            assertEquals(OUT + k, sent.get(k).key(), "outputs in column order");
            y[k] = sent.get(k).payload();
        }
        return y;
    }

    /**
     * The reference: column j of a block starting at (pixel, channel) {@code first} pools its channel over pixels
     * ox·stride − pad ... + kernel − 1 of both rows (those on the row); MAX from INT32_MIN, AVG the exact sum over
     * (rows × pixels on the row, or × kernel counting the padding), rounded half away from zero.
     */
    private static int[] reference(PoolingConfig p, int[] x, int first, int cols) {
        int[] y = new int[cols];
        for (int j = 0; j < cols; j++) {
            int ox = (first + j) / CHANNELS;
            int c = (first + j) % CHANNELS;
            long sum = 0;
            int max = Integer.MIN_VALUE;
            int pixels = 0;
            for (int px = ox * p.strideW() - p.padW(); px < ox * p.strideW() - p.padW() + p.kernelW(); px++) {
                if (px < 0 || px >= WIDTH) {
                    continue;
                }
                pixels++;
                for (int row = 0; row < ROWS; row++) {
                    int v = x[(row * WIDTH + px) * CHANNELS + c];
                    sum += v;
                    max = Math.max(max, v);
                }
            }
            long d = (long) p.divisor() * (p.padInDivisor() ? p.kernelW() : pixels);
            y[j] = p.kind() == PoolingKind.MAX ? max : roundedQuotient(sum, d);
        }
        return y;
    }

    /** sum / d to nearest, a half away from zero: floor((2|sum| + d) / 2d) with the sign of sum. */
    private static int roundedQuotient(long sum, long d) {
        long q = Math.floorDiv(2 * Math.abs(sum) + d, 2 * d);
        return Math.toIntExact(sum < 0 ? -q : q);
    }

    private static List<PoolingConfig> shapes() {
        List<PoolingConfig> shapes = new ArrayList<>();
        for (PoolingConfig p : List.of(PoolingConfig.max(CHANNELS, 0, SUBSAMPLING_START),
                PoolingConfig.max(CHANNELS, 0, Float.NEGATIVE_INFINITY), PoolingConfig.avg(CHANNELS, 0, ROWS))) {
            // kernel 3 stride 2 padding 1 (3 output pixels), kernel 2 stride 1 no padding (4), either divisor
            shapes.add(p.acrossRows(1, WIDTH, 3, 2, 1, 3, false));
            shapes.add(p.acrossRows(0, WIDTH, 2, 1, 0, 4, false));
            if (p.kind() == PoolingKind.AVG) {
                shapes.add(p.acrossRows(1, WIDTH, 3, 2, 1, 3, true));
            }
        }
        return shapes;
    }

    @Test
    void windowsAreBitEqualToTheStatedArithmetic() {
        Random rnd = new Random(19);
        for (PoolingConfig p : shapes()) {
            int cols = p.outWidth() * CHANNELS - p.first();
            KernelCore core = loaded(p, cols);
            for (int sample = 0; sample < 40; sample++) {
                int[] x = new int[N_ROWS];
                for (int i = 0; i < N_ROWS; i++) {
                    // Gaussian words, and in every fourth sample extremes and small integers (exact ties)
                    x[i] = sample % 4 == 3 ? new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 1, -3, 3}[rnd
                            .nextInt(7)] : (int) Math.round(rnd.nextGaussian() * 50.0 * AccumQuantiser.ONE);
                }
                assertArrayEquals(reference(p, x, p.first(), cols), run(core, x, cols, rnd), p + " sample " + sample);
            }
            assertEquals(0, core.saturatedCount(), "a pooled word never saturates");
        }
    }

    @Test
    void extremeWindowsAndTies() {
        PoolingConfig avg = PoolingConfig.avg(CHANNELS, 0, ROWS).acrossRows(0, WIDTH, 2, 1, 0, 4, false);
        int cols = 4 * CHANNELS;
        KernelCore core = loaded(avg, cols);
        Random rnd = new Random(3);
        int[] x = new int[N_ROWS];
        Arrays.fill(x, Integer.MIN_VALUE);
        int[] expected = new int[cols];
        Arrays.fill(expected, Integer.MIN_VALUE);
        assertArrayEquals(expected, run(core, x, cols, rnd), "a window of INT32_MIN averages to INT32_MIN exactly");
        Arrays.fill(x, Integer.MAX_VALUE);
        Arrays.fill(expected, Integer.MAX_VALUE);
        assertArrayEquals(expected, run(core, x, cols, rnd), "and of INT32_MAX to INT32_MAX");
        // 4 words a window (2 rows × 2 pixels): sums of 2 and -2 are quotients of exactly ±0.5, 6 and -6 of ±1.5
        x = new int[N_ROWS];
        x[0] = 2; // pixel 0 channel 0, row 0: windows 0 of channel 0
        x[(WIDTH + 3) * CHANNELS] = -2; // row 1, pixel 3, channel 0: windows 2 and 3
        x[1] = 6; // channel 1, pixel 0
        x[WIDTH * CHANNELS + 4 * CHANNELS + 1] = -6; // row 1, pixel 4, channel 1: window 3
        int[] y = run(core, x, cols, rnd);
        assertEquals(1, y[0], "2 / 4 rounds away from zero");
        assertEquals(-1, y[2 * CHANNELS], "-2 / 4 rounds away from zero");
        assertEquals(2, y[1], "6 / 4 rounds away from zero");
        assertEquals(-2, y[3 * CHANNELS + 1], "-6 / 4 rounds away from zero");
        assertEquals(0, y[2], "a window of zeros");

        KernelCore max = loaded(PoolingConfig.max(CHANNELS, 0, SUBSAMPLING_START).acrossRows(0, WIDTH, 2, 1, 0, 4,
                false), cols);
        Arrays.fill(x, Integer.MIN_VALUE);
        Arrays.fill(expected, Integer.MIN_VALUE);
        assertArrayEquals(expected, run(max, x, cols, rnd),
                "MAX of the format's minimum (what -inf and DL4J's start quantise to) is that minimum");
    }

    /** A folded batch normalization: ŷ = round((x̂·â + ĉ·2^15) / 2^15), saturated and counted. */
    @Test
    void batchNormIsTheFoldRoundedOnce() {
        int channels = 4;
        float[] rows = {1.5f, -0.75f, 0.125f, 3000f, // gamma
            0.3f, -2f, 0.7f, 0f, // mean
            -0.2f, 0.1f, 0.05f, -3f, // log10 of the standard deviation
            0f, 0f, 0f, 0f}; // the float std, not read by the fold
        float[] beta = {0.25f, -0.5f, 2f, 1f};
        double eps = 1e-5;
        BatchNormFold.Folded f = BatchNormFold.fold(rows, beta, eps, true, "norm");
        assertEquals(1, f.saturations(), "3000 / sqrt(1e-6 + 1e-5) = 9.05e5 saturates");
        for (int j = 0; j < channels; j++) {
            double std = Math.pow(10, rows[2 * channels + j]);
            double a = rows[j] / Math.sqrt(std * std + eps);
            long aWord = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round(a * AccumQuantiser.ONE)));
            assertEquals(aWord, f.weights()[j], 1, "â_" + j + " within a rounding of a's (half-up vs away) word");
            assertEquals(0, f.weights()[channels + j]);
        }
        KernelCore core = new KernelCore();
        core.loadWords(new KernelConfig(KernelKind.DENSE_BLOCK, channels, channels, KernelActivation.IDENTITY, 0f,
                true, OUT, 0, 0, 0, List.of(KeyRange.data(IN, channels, 0)), null,
                PoolingConfig.norm(channels, 0)).withFixedPoint(), f.weights(), f.bias());
        Random rnd = new Random(7);
        long saturated = 0;
        for (int sample = 0; sample < 30; sample++) {
            int[] x = new int[channels];
            for (int c = 0; c < channels; c++) {
                x[c] = sample % 5 == 4 ? new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 1, -1}[rnd.nextInt(4)]
                        : (int) Math.round(rnd.nextGaussian() * 3 * AccumQuantiser.ONE);
            }
            int[] expected = new int[channels];
            for (int c = 0; c < channels; c++) {
                long r = AccumQuantiser.roundSum((long) x[c] * f.weights()[c]
                        + ((long) f.bias()[c] << AccumQuantiser.FRACTION_BITS));
                saturated += AccumQuantiser.saturates(r) ? 1 : 0;
                expected[c] = AccumQuantiser.saturate(r);
            }
            List<Packet> packets = new ArrayList<>();
            for (int c = 0; c < channels; c++) {
                packets.add(new Packet(IN + c, x[c]));
            }
            Collections.shuffle(packets, rnd);
            List<Packet> sent = List.of();
            for (Packet p : packets) {
                sent = Kernels.deliver(core, p);
            }
            int[] got = new int[channels];
            for (int c = 0; c < channels; c++) {
                got[c] = sent.get(c).payload();
            }
            assertArrayEquals(expected, got, "sample " + sample);
        }
        assertEquals(saturated, core.saturatedCount(), "every saturated output counted");
        assertEquals(true, saturated > 0, "the saturated â saturates some outputs");
    }

    @Test
    void foldIsExactWhereTheArithmeticIs() {
        // var 3.99 + eps 0.01 = 4: a = gamma / 2 and c = beta - mean a, all exact in s16.15
        float[] rows = {2f, -1f, 0.5f, 3f, 3.99f, 3.99f, 0f, 0f};
        BatchNormFold.Folded f = BatchNormFold.fold(rows, new float[] {1f, 0.25f}, 0.01, false, "norm");
        assertArrayEquals(new int[] {AccumQuantiser.ONE, -AccumQuantiser.ONE / 2, 0, 0, 0, 0, 0, 0}, f.weights());
        assertArrayEquals(new int[] {AccumQuantiser.ONE / 2, AccumQuantiser.ONE * 7 / 4}, f.bias());
        assertEquals(0, f.saturations());
        assertThrowsWith(IllegalArgumentException.class, () -> BatchNormFold.fold(new float[] {1f, 0f, -1f, 0f},
                new float[] {0f}, 0.5, false, "layer 2"), "layer 2 column 0", "var + eps", "positive");
        assertThrowsWith(IllegalArgumentException.class, () -> BatchNormFold.fold(new float[] {Float.NaN, 0f, 1f, 0f},
                new float[] {0f}, 0.5, false, "layer 2"), "layer 2", "NaN");
    }

    @Test
    void aTrainingPoolingBlockStaysRefused() {
        int delta = 0x5000;
        int back = 0x6000;
        assertThrowsWith(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.DENSE_BLOCK, 12, 2,
                KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0, List.of(KeyRange.data(IN, 12, 0),
                KeyRange.backwardPartial(0x7000, 2, 0)), TrainingReference.hidden(TrainingReference.Hyper.sgd(0.5f), delta, back,
                1, true), PoolingConfig.max(4, 1, SUBSAMPLING_START)).withFixedPoint(), "fixed point", "training");
    }
}
