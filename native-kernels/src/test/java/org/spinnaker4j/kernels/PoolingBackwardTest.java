package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;

/**
 * A training pooling block's backward pass: once its deltas are in (here a hidden block's backward partials, the
 * identity passing them on) it sends the gradient of every row as nd4j-native computes it: MAX's delta to the first
 * argmax of its window (rows first, pixels next; a Subsampling layer's from its starting value, so a window of NaN
 * or -inf gives it to its first value, a GlobalPoolingLayer's from the first value, nd4j's IsMax), AVG's delta
 * divided by its divisor to every value of its window, shares of overlapping windows added in output order. The
 * block has no parameters: an update leaves its zero bias as it is (a NORM block's update is refused).
 */
class PoolingBackwardTest {

    private static final int OUT = 0x4000;
    private static final int IN = 0x100;
    private static final int E = 0x200;
    private static final int DELTA = 0x300;
    private static final int BACK = 0x1000;
    private static final float SUBSAMPLING_START = -3.402823e38f;
    private static final float NAN = Float.NaN;
    private static final float NINF = Float.NEGATIVE_INFINITY;

    private static KernelCore loaded(int rows, int cols, PoolingConfig pooling) {
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.DENSE_BLOCK, rows, cols, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0,
                0, List.of(KeyRange.data(IN, rows, 0), KeyRange.backwardPartial(E, cols, 0)),
                TrainingReference.hidden(Hyper.sgd(0.5f), DELTA, BACK, 1, true), pooling), null, new float[cols]);
        return core;
    }

    /** One sample: the rows x in a shuffled order, then the deltas; the gradients of the rows sent back. */
    private static float[] backward(KernelCore core, float[] x, float[] delta, Random rnd) {
        List<Packet> rows = new ArrayList<>(Kernels.packets(IN, x));
        Collections.shuffle(rows, rnd);
        for (Packet row : rows) {
            Kernels.deliver(core, row);
        }
        List<Packet> sent = new ArrayList<>();
        for (Packet e : Kernels.packets(E, delta)) {
            sent.addAll(Kernels.deliver(core, e));
        }
        List<Packet> back = sent.stream().filter(p -> p.key() >= BACK && p.key() < BACK + x.length).toList();
        assertEquals(x.length, back.size(), "a gradient per row");
        return Kernels.valuesByKey(back, BACK, x.length);
    }

    /** 3 positions of 4 channels; the block pools channels 1 and 2 over all three. */
    @Test
    void maxGivesTheDeltaToTheFirstArgmaxAsNd4j() {
        Random rnd = new Random(1);
        float[] x = {
            0, NAN, NAN, 9,
            5, 2f, NAN, 9,
            0, 2f, NAN, 9};
        float[] delta = {0.25f, -3f};
        // subsampling: channel 1's tie goes to its first 2, channel 2's window of NaN to its first value
        float[] sub = new float[12];
        sub[4 + 1] = 0.25f;
        sub[2] = -3f;
        Kernels.assertSameBits(sub, backward(loaded(12, 2, PoolingConfig.max(4, 1, SUBSAMPLING_START)), x, delta, rnd),
                "Subsampling1DLayer");
        // global: from the first value, so channel 1's leading NaN keeps it
        float[] global = new float[12];
        global[1] = 0.25f;
        global[2] = -3f;
        Kernels.assertSameBits(global, backward(loaded(12, 2, PoolingConfig.max(4, 1, NINF)), x, delta, rnd),
                "GlobalPoolingLayer");
        float[] y = {
            0, NINF, 1, 0,
            0, NINF, 3, 0,
            0, NINF, 3, 0};
        float[] both = new float[12];
        both[1] = 0.25f;
        both[4 + 2] = -3f;
        Kernels.assertSameBits(both, backward(loaded(12, 2, PoolingConfig.max(4, 1, SUBSAMPLING_START)), y, delta,
                rnd), "-inf never exceeds the start");
        Kernels.assertSameBits(both, backward(loaded(12, 2, PoolingConfig.max(4, 1, NINF)), y, delta, rnd),
                "nor the first -inf");
    }

    /**
     * Across image rows: 2 rows of 5 pixels of 2 channels, windows of 3 pixels at stride 2 after 1 pixel of padding
     * (overlapping at pixels 1 and 3), the block's columns output (pixel, channel) 1 ... 4 of 6.
     */
    @Test
    void acrossRowsEachWindowGetsItsDelta() {
        int width = 5;
        int channels = 2;
        int rows = 2 * width * channels;
        int first = 1;
        int cols = 4;
        Random rnd = new Random(2);
        for (PoolingConfig p : List.of(PoolingConfig.max(channels, 0, SUBSAMPLING_START),
                PoolingConfig.avg(channels, 0, 2))) {
            for (boolean padInDivisor : p.kind() == PoolingKind.AVG ? new boolean[] {false, true}
                    : new boolean[] {false}) {
                PoolingConfig pooling = p.acrossRows(first, width, 3, 2, 1, 3, padInDivisor);
                KernelCore core = loaded(rows, cols, pooling);
                for (int sample = 0; sample < 3; sample++) {
                    float[] x = new float[rows];
                    for (int i = 0; i < rows; i++) {
                        // few distinct values: ties within windows, across rows and pixels
                        x[i] = sample == 0 ? rnd.nextInt(3) : (float) rnd.nextGaussian();
                    }
                    float[] delta = Kernels.randomArray(rnd, cols, 1.0);
                    float[] expected = new float[rows];
                    for (int j = 0; j < cols; j++) {
                        int ox = (first + j) / channels;
                        int c = (first + j) % channels;
                        int lo = Math.max(0, ox * 2 - 1);
                        int hi = Math.min(width, ox * 2 + 2);
                        if (p.kind() == PoolingKind.MAX) {
                            float best = SUBSAMPLING_START;
                            int arg = lo * channels + c;
                            for (int row = 0; row < 2; row++) {
                                for (int px = lo; px < hi; px++) {
                                    int i = (row * width + px) * channels + c;
                                    if (x[i] > best) {
                                        best = x[i];
                                        arg = i;
                                    }
                                }
                            }
                            expected[arg] += delta[j];
                        } else {
                            float share = delta[j] / (2f * (padInDivisor ? 3 : hi - lo));
                            for (int row = 0; row < 2; row++) {
                                for (int px = lo; px < hi; px++) {
                                    expected[(row * width + px) * channels + c] += share;
                                }
                            }
                        }
                    }
                    Kernels.assertSameBits(expected, backward(core, x, delta, rnd), pooling + " sample " + sample);
                }
                Kernels.applyUpdate(core, 3, 0);
                Kernels.assertSameBits(new float[cols], core.readBias(), "no parameters: the zero bias stays");
            }
        }
    }

    /**
     * A batch normalization of 4 channels whose block holds channels 1 and 2: score(DataSet)'s backward pass sends
     * each column's delta times gamma / std (the running statistics it normalized with) on its channel's row, 0 on
     * the others; its update is refused (the mini-batch's statistics are not computed).
     */
    @Test
    void aNormalizationSendsItsRunningGradientAndRefusesAnUpdate() {
        KernelCore core = new KernelCore();
        float[] gamma = {1.5f, -0.75f};
        float[] std = {0.3f, 2.5f};
        // rows gamma, mean, DL4J's statistic, std (PoolingSpec.NORM_ROWS)
        float[] weights = {gamma[0], gamma[1], 0.1f, -0.2f, 0.7f, 0.9f, std[0], std[1]};
        core.load(new KernelConfig(KernelKind.DENSE_BLOCK, 4, 2, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0,
                List.of(KeyRange.data(IN, 4, 0), KeyRange.backwardPartial(E, 2, 0)),
                TrainingReference.hidden(Hyper.sgd(0.5f), DELTA, BACK, 1, true), PoolingConfig.norm(4, 1)), weights,
                new float[] {0.25f, -0.5f});
        float[] delta = {0.8f, -1.3f};
        float[] expected = {0f, delta[0] * gamma[0] / std[0], delta[1] * gamma[1] / std[1], 0f};
        Kernels.assertSameBits(expected, backward(core, new float[] {4f, -1f, 2f, 3f}, delta, new Random(3)),
                "delta · gamma / std");
        Kernels.assertThrowsWith(IllegalStateException.class, () -> Kernels.applyUpdate(core, 1, 0),
                "batch normalization");
    }
}
