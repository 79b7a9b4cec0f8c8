package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A pooling block: a fused DENSE_BLOCK without weights whose rows are whole positions and whose columns are some
 * of their channels, pooled in order of rows when the last one arrives, whatever order they came in. Its outputs
 * must equal DL4J's pooling bit for bit: MAX as libnd4j compares (from a starting value, a value counting only if
 * greater, so NaN never does), AVG as a float sum in tap order divided once.
 */
class PoolingBlockTest {

    private static final int CHANNELS = 4;
    private static final int POSITIONS = 3;
    private static final int ROWS = CHANNELS * POSITIONS;
    private static final int OUT = 0x4000;
    private static final int IN = 0x100;
    /** libnd4j's starting value of a Subsampling1DLayer's MAX (0xff7ffffd, not SUBSAMPLING_START). */
    private static final float SUBSAMPLING_START = -3.402823e38f;

    /** Columns: channels 1 and 2 of the 4. */
    private static KernelConfig config(PoolingConfig pooling) {
        return new KernelConfig(KernelKind.DENSE_BLOCK, ROWS, 2, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0,
                List.of(KeyRange.data(IN, ROWS, 0)), null, pooling);
    }

    private static KernelCore loaded(PoolingConfig pooling) {
        KernelCore core = new KernelCore();
        core.load(config(pooling), null, new float[2]);
        return core;
    }

    /** One sample's rows (x[position][channel]) in a shuffled order; the outputs of channels 1 and 2. */
    private static float[] run(KernelCore core, float[][] x, Random rnd) {
        List<Packet> rows = new ArrayList<>();
        for (int t = 0; t < POSITIONS; t++) {
            for (int c = 0; c < CHANNELS; c++) {
                rows.add(new Packet(IN + t * CHANNELS + c, Float.floatToRawIntBits(x[t][c])));
            }
        }
        Collections.shuffle(rows, rnd);
        List<Packet> sent = List.of();
        for (int k = 0; k < rows.size(); k++) {
            sent = Kernels.deliver(core, rows.get(k));
            assertEquals(0, core.lastRowsAccumulated(), "a pooling block multiplies no row in");
            assertEquals(k < rows.size() - 1 ? 0 : 2, sent.size(), "the last row sends the block's columns");
        }
        return Kernels.valuesByKey(sent, OUT, 2);
    }

    private static float[][] random(Random rnd) {
        float[][] x = new float[POSITIONS][CHANNELS];
        for (float[] row : x) {
            for (int c = 0; c < CHANNELS; c++) {
                row[c] = (float) (rnd.nextGaussian() * 1e3);
            }
        }
        return x;
    }

    @Test
    void maxTakesTheLargestOfItsChannel() {
        Random rnd = new Random(1);
        KernelCore core = loaded(PoolingConfig.max(CHANNELS, 1, SUBSAMPLING_START));
        for (int sample = 0; sample < 5; sample++) {
            float[][] x = random(rnd);
            float[] expected = new float[2];
            for (int j = 0; j < 2; j++) {
                expected[j] = Math.max(Math.max(x[0][1 + j], x[1][1 + j]), x[2][1 + j]);
            }
            Kernels.assertSameBits(expected, run(core, x, rnd), "sample " + sample);
        }
    }

    @Test
    void maxSkipsNaNAndStartsFromItsStart() {
        Random rnd = new Random(2);
        float nan = Float.NaN;
        float[][] x = {{0, nan, nan, 0}, {0, 2f, nan, 0}, {0, nan, nan, 0}};
        Kernels.assertSameBits(new float[] {2f, SUBSAMPLING_START},
                run(loaded(PoolingConfig.max(CHANNELS, 1, SUBSAMPLING_START)), x, rnd), "DL4J's subsampling");
        float ninf = Float.NEGATIVE_INFINITY;
        float[][] y = {{0, ninf, nan, 0}, {0, ninf, nan, 0}, {0, ninf, nan, 0}};
        Kernels.assertSameBits(new float[] {SUBSAMPLING_START, SUBSAMPLING_START},
                run(loaded(PoolingConfig.max(CHANNELS, 1, SUBSAMPLING_START)), y, rnd), "-inf never exceeds the start");
        Kernels.assertSameBits(new float[] {ninf, ninf},
                run(loaded(PoolingConfig.max(CHANNELS, 1, ninf)), y, rnd), "DL4J's global pooling starts at -inf");
    }

    @Test
    void avgAddsInTapOrderAndDividesOnce() {
        Random rnd = new Random(3);
        KernelCore core = loaded(PoolingConfig.avg(CHANNELS, 1, 4));
        for (int sample = 0; sample < 5; sample++) {
            float[][] x = random(rnd);
            x[0][1] = 1e8f; // (1e8 + 1) - 1e8 = 0 in float: the order shows
            x[1][1] = 1f;
            x[2][1] = -1e8f;
            float[] expected = new float[2];
            for (int j = 0; j < 2; j++) {
                float sum = 0f;
                for (int t = 0; t < POSITIONS; t++) {
                    sum += x[t][1 + j];
                }
                expected[j] = sum / 4f;
            }
            assertEquals(0f, expected[0]);
            Kernels.assertSameBits(expected, run(core, x, rnd), "sample " + sample);
        }
        float[][] special = {{0, Float.POSITIVE_INFINITY, Float.NaN, 0}, {0, Float.NEGATIVE_INFINITY, 1, 0},
            {0, 1, 1, 0}};
        float[] nans = run(core, special, rnd);
        assertTrue(Float.isNaN(nans[0]) && Float.isNaN(nans[1]), "inf - inf, NaN: " + Arrays.toString(nans));
    }

    @Test
    void aPoolingBlockHoldsNoWeights() {
        KernelConfig pool = config(PoolingConfig.avg(CHANNELS, 0, 3));
        KernelConfig dense = config(null);
        assertEquals(0, pool.weightCount());
        assertEquals(ROWS * 2 * 4, KernelCore.stateBytes(dense) - KernelCore.stateBytes(pool));
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> new KernelCore().load(pool, new float[ROWS * 2], new float[2]), "weights must be null or empty");
    }

    /**
     * Across image rows: 2 rows of 5 pixels of 2 channels, a window of 3 pixels at stride 2 after 1 pixel of padding
     * (3 output pixels), the block's columns output (pixel, channel) 1 ... 4 of 6. Each pools its channel at its
     * window's pixels of both rows, rows first; AVG divides by 2 rows times the window's pixels in the row (2, 3, 2)
     * or, counting the padding, by 2 × 3.
     */
    @Test
    void acrossRowsEachColumnPoolsItsWindow() {
        int width = 5;
        int channels = 2;
        int rows = 2 * width * channels;
        int first = 1;
        int cols = 4;
        Random rnd = new Random(4);
        for (PoolingConfig p : List.of(PoolingConfig.max(channels, 0, SUBSAMPLING_START),
                PoolingConfig.avg(channels, 0, 2))) {
            for (boolean padInDivisor : p.kind() == PoolingKind.AVG ? new boolean[] {false, true}
                    : new boolean[] {false}) {
                PoolingConfig pooling = p.acrossRows(first, width, 3, 2, 1, 3, padInDivisor);
                KernelCore core = new KernelCore();
                core.load(new KernelConfig(KernelKind.DENSE_BLOCK, rows, cols, KernelActivation.IDENTITY, 0f, true,
                        OUT, 0, 0, 0, List.of(KeyRange.data(IN, rows, 0)), null, pooling), null, new float[cols]);
                float[] x = new float[rows];
                List<Packet> packets = new ArrayList<>();
                for (int i = 0; i < rows; i++) {
                    x[i] = (float) (rnd.nextGaussian() * 1e3);
                    packets.add(new Packet(IN + i, Float.floatToRawIntBits(x[i])));
                }
                Collections.shuffle(packets, rnd);
                List<Packet> sent = List.of();
                for (Packet packet : packets) {
                    sent = Kernels.deliver(core, packet);
                }
                float[] expected = new float[cols];
                for (int j = 0; j < cols; j++) {
                    int ox = (first + j) / channels;
                    int c = (first + j) % channels;
                    float z = p.kind() == PoolingKind.MAX ? SUBSAMPLING_START : 0f;
                    int pixels = 0;
                    for (int row = 0; row < 2; row++) {
                        for (int px = ox * 2 - 1; px < ox * 2 + 2; px++) {
                            if (px >= 0 && px < width) {
                                float v = x[(row * width + px) * channels + c];
                                z = p.kind() == PoolingKind.MAX ? (v > z ? v : z) : z + v;
                                pixels += row == 0 ? 1 : 0;
                            }
                        }
                    }
                    expected[j] = p.kind() == PoolingKind.MAX ? z : z / (2f * (padInDivisor ? 3 : pixels));
                }
                Kernels.assertSameBits(expected, Kernels.valuesByKey(sent, OUT, cols), pooling.toString());
            }
        }
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> PoolingConfig.max(channels, 0, 0f).acrossRows(0, width, 2, 2, 2, 3, false), "cover a pixel");
    }

    /**
     * A batch normalization of one position (channels 1 and 2 of 4): ((x − mean) / std) · gamma + beta in float, in
     * that order, from its rows of gamma, mean, statistic and std; NaN and the infinities go through; its weights and
     * bias read back as loaded.
     */
    @Test
    void normNormalizesItsChannelsAsDl4j() {
        Random rnd = new Random(4);
        float[] w = {1.5f, -0.75f, 0.125f, -2f, 0.3f, 0.7f, 1.1f, 1.3f};
        float[] beta = {0.25f, -0.5f};
        KernelConfig config = new KernelConfig(KernelKind.DENSE_BLOCK, CHANNELS, 2, KernelActivation.IDENTITY, 0f,
                true, OUT, 0, 0, 0, List.of(KeyRange.data(IN, CHANNELS, 0)), null, PoolingConfig.norm(CHANNELS, 1));
        assertEquals(PoolingKind.NORM_ROWS * 2, config.weightCount());
        KernelCore core = new KernelCore();
        core.load(config, w, beta);
        for (int sample = 0; sample < 6; sample++) {
            float[] x = new float[CHANNELS];
            for (int c = 0; c < CHANNELS; c++) {
                x[c] = (float) (rnd.nextGaussian() * 10);
            }
            if (sample == 5) {
                x[1] = Float.NaN;
                x[2] = Float.NEGATIVE_INFINITY;
            }
            List<Packet> rows = new ArrayList<>();
            for (int c = 0; c < CHANNELS; c++) {
                rows.add(new Packet(IN + c, Float.floatToRawIntBits(x[c])));
            }
            Collections.shuffle(rows, rnd);
            List<Packet> sent = List.of();
            for (Packet row : rows) {
                sent = Kernels.deliver(core, row);
            }
            float[] expected = new float[2];
            for (int j = 0; j < 2; j++) {
                expected[j] = (x[1 + j] - w[2 + j]) / w[6 + j] * w[j] + beta[j];
            }
            Kernels.assertSameBits(expected, Kernels.valuesByKey(sent, OUT, 2), "sample " + sample);
        }
        Kernels.assertSameBits(w, core.readWeights(), "weights");
        Kernels.assertSameBits(beta, core.readBias(), "beta");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> config(PoolingConfig.norm(CHANNELS, 0)), "a NORM block's: one");
    }

    @Test
    void invalidPoolingIsRefused() {
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> PoolingConfig.max(CHANNELS, 0, Float.NaN), "not NaN");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> PoolingConfig.avg(CHANNELS, 0, 0), "divisor in [1, 2^16)");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> PoolingConfig.norm(CHANNELS, 0).acrossRows(0, 2, 1, 1, 0, 2, false), "one position");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> config(PoolingConfig.max(CHANNELS, 3, 0f)), "columns within an output row");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> config(PoolingConfig.max(5, 0, 0f)), "whole rows of 1 × 5 values");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> new KernelConfig(KernelKind.DENSE_BLOCK, ROWS, 2, KernelActivation.IDENTITY, 0f, false, OUT, 0,
                        0, 0, List.of(), null, PoolingConfig.max(CHANNELS, 0, 0f)), "fused DENSE_BLOCK");
    }
}
