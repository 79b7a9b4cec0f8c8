package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spinnaker4j.kernels.TrainingReference.Hyper;

/**
 * A block of a 2-D convolution run along the rows holds its channels' kernel once: its sums, its backward pass's
 * W·delta and its gradient must be those of the same block holding the lowered (Toeplitz) kernel with its zeros —
 * the sums and W·delta bit for bit, whatever order the rows come in; dW summed over the output columns that share a
 * kernel weight; its bias is one per channel, and db the sum over its columns of that channel. In s16.15 its outputs
 * are the lowered kernel's exact sums, rounded once (docs/fixed-point.md).
 */
class RowConvBlockTest {

    // 2 input rows of 6 columns x 2 channels; kernel 3 wide, stride 2, padding 1: 3 output columns x 3 channels
    private static final int TAPS = 2;
    private static final int WIDTH = 6;
    private static final int CIN = 2;
    private static final int KW = 3;
    private static final int STRIDE = 2;
    private static final int PAD = 1;
    private static final int COUT = 3;
    private static final int ROWS = TAPS * WIDTH * CIN;
    private static final int IN = 0x100;
    private static final int OUT = 0x1000;
    private static final int LBL = 0x2000;
    private static final int BACK = 0x3000;
    private static final int LOSS = 0x4000;
    private static final int DELTA = 0x5000;

    /** The kernel a block of columns [first, first + n) of the output row holds: its channels, or every one. */
    private static RowConvConfig row(int first, int n) {
        int last = first + n - 1;
        boolean one = first / COUT == last / COUT;
        int firstChannel = one ? first % COUT : 0;
        return new RowConvConfig(KW, WIDTH, CIN, STRIDE, PAD, COUT, first, firstChannel,
                one ? last % COUT + 1 - firstChannel : COUT);
    }

    /**
     * Where the lowered kernel of the block's columns takes its weights: W[(tap, x, in)][(ox, c)] is
     * kernel[tap][kx][in][c], at the index given, or 0 off the kernel (-1).
     */
    private static int[] loweredIndex(RowConvConfig r, int n) {
        int[] at = new int[ROWS * n];
        for (int i = 0; i < ROWS; i++) {
            int tap = i / (WIDTH * CIN);
            int x = i % (WIDTH * CIN) / CIN;
            int in = i % CIN;
            for (int j = 0; j < n; j++) {
                int ox = (r.firstColumn() + j) / COUT;
                int c = (r.firstColumn() + j) % COUT;
                int kx = x + PAD - ox * STRIDE;
                at[i * n + j] = kx >= 0 && kx < KW
                        ? ((tap * KW + kx) * CIN + in) * r.channels() + c - r.firstChannel() : -1;
            }
        }
        return at;
    }

    /** The lowered kernel of the block's columns ({@link #loweredIndex}). */
    private static float[] lowered(float[] kernel, RowConvConfig r, int n) {
        int[] at = loweredIndex(r, n);
        float[] w = new float[at.length];
        for (int k = 0; k < at.length; k++) {
            w[k] = at[k] < 0 ? 0f : kernel[at[k]];
        }
        return w;
    }

    /** The lowered kernel of s16.15 words ({@link #loweredIndex}). */
    private static int[] lowered(int[] kernel, RowConvConfig r, int n) {
        int[] at = loweredIndex(r, n);
        int[] w = new int[at.length];
        for (int k = 0; k < at.length; k++) {
            w[k] = at[k] < 0 ? 0 : kernel[at[k]];
        }
        return w;
    }

    /** The lowered block's bias: each column its channel's, as the layer's bias is repeated along the row. */
    private static float[] columnBias(float[] channelBias, RowConvConfig r, int n) {
        float[] b = new float[n];
        for (int j = 0; j < n; j++) {
            b[j] = channelBias[channelOf(r, j)];
        }
        return b;
    }

    /** The lowered block's bias of s16.15 words. */
    private static int[] columnBias(int[] channelBias, RowConvConfig r, int n) {
        int[] b = new int[n];
        for (int j = 0; j < n; j++) {
            b[j] = channelBias[channelOf(r, j)];
        }
        return b;
    }

    /** The block's channel (its bias's index) of its column j. */
    private static int channelOf(RowConvConfig r, int j) {
        return (r.firstColumn() + j) % COUT - r.firstChannel();
    }

    private static KernelConfig config(int n, RowConvConfig r, TrainingConfig training) {
        return new KernelConfig(KernelKind.DENSE_BLOCK, ROWS, n, KernelActivation.TANH, 0f, true, OUT, 0, 0, 0,
                training == null ? List.of(KeyRange.data(IN, ROWS, 0))
                        : List.of(KeyRange.data(IN, ROWS, 0), KeyRange.label(LBL, n, 0)),
                training, null, r);
    }

    private static TrainingConfig training(int n) {
        return TrainingReference.output(Hyper.sgd(1f), LossKind.MSE, n, DELTA, BACK, LOSS, true);
    }

    /** Delivers the rows in {@code order} (and the labels, if any, first): every packet sent. */
    private static List<Packet> run(KernelCore core, float[] x, float[] labels, List<Integer> order) {
        return run(core, Kernels.bits(x), labels, order);
    }

    /** Delivers the rows' payloads {@code x} in {@code order} (and the labels, if any, first): every packet sent. */
    private static List<Packet> run(KernelCore core, int[] x, float[] labels, List<Integer> order) {
        List<Packet> sent = new ArrayList<>();
        if (labels != null) {
            for (Packet p : Kernels.packets(LBL, labels)) {
                sent.addAll(Kernels.deliver(core, p));
            }
        }
        for (int i : order) {
            sent.addAll(Kernels.deliver(core, new Packet(IN + i, x[i])));
        }
        return sent;
    }

    private static List<Packet> keyed(List<Packet> sent, int base, int n) {
        return sent.stream().filter(p -> p.key() >= base && p.key() < base + n).toList();
    }

    @ParameterizedTest
    @CsvSource({"2, 5", "3, 2", "4, 2", "0, 9", "8, 1"})
    void sumsAreThoseOfTheLoweredKernel(int first, int n) {
        Random rnd = new Random(first * 31 + n);
        RowConvConfig r = row(first, n);
        float[] kernel = Kernels.randomArray(rnd, Math.toIntExact(r.weightCount(ROWS)), 0.5);
        float[] bias = Kernels.randomArray(rnd, r.channels(), 0.1);
        KernelCore rows = new KernelCore();
        rows.load(config(n, r, null), kernel, bias);
        KernelCore toeplitz = new KernelCore();
        toeplitz.load(config(n, null, null), lowered(kernel, r, n), columnBias(bias, r, n));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            order.add(i);
        }
        for (int sample = 0; sample < 4; sample++) {
            float[] x = Kernels.randomArray(rnd, ROWS, 1.0);
            Collections.shuffle(order, rnd);
            Kernels.assertSameBits(Kernels.valuesByKey(run(toeplitz, x, null, order), OUT, n),
                    Kernels.valuesByKey(run(rows, x, null, order), OUT, n), "sample " + sample);
        }
        Kernels.assertSameBits(kernel, rows.readWeights(), "the kernel held once");
        Kernels.assertSameBits(bias, rows.readBias(), "a bias per channel");
    }

    /**
     * In s16.15 the block multiplies each row's runs into 64-bit sums, adds its channel's bias b̂·2^15 and rounds
     * once: its outputs are bit-equal to docs/fixed-point.md's arithmetic on the lowered kernel (zeros add nothing
     * to an exact sum) and to a fixed-point block holding the lowered kernel, rows shuffled, sums beyond 32 bits.
     */
    @ParameterizedTest
    @CsvSource({"2, 5, RELU", "3, 2, IDENTITY", "4, 2, TANH", "0, 9, LEAKYRELU", "8, 1, SIGMOID"})
    void fixedPointSumsAreTheLoweredKernelsExactSums(int first, int n, KernelActivation act) {
        Random rnd = new Random(first * 13 + n);
        RowConvConfig r = row(first, n);
        int[] kernel = FixedPointBlockTest.randomWords(rnd, Math.toIntExact(r.weightCount(ROWS)), 0.7);
        int[] bias = FixedPointBlockTest.randomWords(rnd, r.channels(), 0.4);
        int alphaWord = AccumQuantiser.quantise(new float[] {0.01f}, 1, "alpha").words()[0];
        KernelCore rows = new KernelCore();
        rows.loadWords(fixedConfig(n, r, act), kernel, bias);
        int[] low = lowered(kernel, r, n);
        int[] lowBias = columnBias(bias, r, n);
        KernelCore toeplitz = new KernelCore();
        toeplitz.loadWords(fixedConfig(n, null, act), low, lowBias);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            order.add(i);
        }
        boolean beyond32Bits = false;
        for (int sample = 0; sample < 6; sample++) {
            int[] x = FixedPointBlockTest.randomWords(rnd, ROWS, 1.5);
            long[] saturated = new long[1];
            int[] expected = FixedPointBlockTest.reference(act, alphaWord, x, low, lowBias, saturated);
            Collections.shuffle(order, rnd);
            assertArrayEquals(expected, payloads(run(rows, x, null, order), n), act + " sample " + sample);
            Collections.shuffle(order, rnd);
            assertArrayEquals(expected, payloads(run(toeplitz, x, null, order), n), "lowered, sample " + sample);
            assertEquals(0, saturated[0], "nothing saturates at this scale");
            for (int j = 0; j < n; j++) {
                long s = 0;
                for (int i = 0; i < ROWS; i++) {
                    s += (long) x[i] * low[i * n + j];
                }
                beyond32Bits |= s != (int) s;
            }
        }
        assertTrue(beyond32Bits, "some sum needs its high word");
        assertEquals(0, rows.saturatedCount());
    }

    /** A row block's saturated sums are clamped and counted, as a dense block's. */
    @Test
    void fixedPointSaturatedSumsAreCountedAndClamped() {
        RowConvConfig r = row(0, 9);
        int big = 1000 * AccumQuantiser.ONE;
        int[] kernel = new int[Math.toIntExact(r.weightCount(ROWS))];
        for (int k = 0; k < kernel.length; k++) {
            kernel[k] = k % COUT == 1 ? -big : big; // channel 1 negative, the others positive
        }
        KernelCore core = new KernelCore();
        core.loadWords(fixedConfig(9, r, KernelActivation.IDENTITY), kernel, new int[COUT]);
        int[] x = new int[ROWS];
        Arrays.fill(x, big);
        List<Integer> order = IntStream.range(0, ROWS).boxed().toList();
        int[] y = payloads(run(core, x, null, order), 9);
        for (int j = 0; j < 9; j++) {
            assertEquals(j % COUT == 1 ? Integer.MIN_VALUE : Integer.MAX_VALUE, y[j], "column " + j);
        }
        assertEquals(9, core.saturatedCount());
    }

    private static KernelConfig fixedConfig(int n, RowConvConfig r, KernelActivation act) {
        return new KernelConfig(KernelKind.DENSE_BLOCK, ROWS, n, act, 0.01f, true, OUT, 0, 0, 0,
                List.of(KeyRange.data(IN, ROWS, 0)), null, null, r).withFixedPoint();
    }

    /** The block's n outputs, sent in order of column. */
    private static int[] payloads(List<Packet> sent, int n) {
        assertEquals(n, sent.size());
        int[] p = new int[n];
        for (int k = 0; k < n; k++) {
            assertEquals(OUT + k, sent.get(k).key(), "outputs in order of column");
            p[k] = sent.get(k).payload();
        }
        return p;
    }

    @Test
    void aWrongKernelSliceIsRefused() {
        // columns 2 .. 6 span three output columns: the block needs every channel
        RowConvConfig partial = new RowConvConfig(KW, WIDTH, CIN, STRIDE, PAD, COUT, 2, 1, 2);
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> config(5, partial, null), "channels");
        // rows that are not whole input rows
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> new KernelConfig(KernelKind.DENSE_BLOCK, ROWS - 1, 2, KernelActivation.TANH, 0f, true, OUT, 0,
                        0, 0, List.of(KeyRange.data(IN, ROWS - 1, 0)), null, null, row(3, 2)), "whole input rows");
        assertEquals(TAPS * CIN * KW * COUT, row(0, 9).weightCount(ROWS));
    }

    @ParameterizedTest
    @CsvSource({"2, 5", "4, 2"})
    void backwardIsThatOfTheLoweredKernel(int first, int n) {
        Random rnd = new Random(first * 17 + n);
        RowConvConfig r = row(first, n);
        float[] kernel = Kernels.randomArray(rnd, Math.toIntExact(r.weightCount(ROWS)), 0.5);
        float[] bias = Kernels.randomArray(rnd, r.channels(), 0.1);
        KernelCore rows = new KernelCore();
        rows.load(config(n, r, training(n)), kernel, bias);
        KernelCore toeplitz = new KernelCore();
        float[] low = lowered(kernel, r, n);
        float[] lowBias = columnBias(bias, r, n);
        toeplitz.load(config(n, null, training(n)), low, lowBias);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            order.add(i);
        }
        int samples = 3;
        for (int sample = 0; sample < samples; sample++) {
            float[] x = Kernels.randomArray(rnd, ROWS, 1.0);
            float[] t = Kernels.randomArray(rnd, n, 1.0);
            List<Packet> expected = run(toeplitz, x, t, order);
            List<Packet> actual = run(rows, x, t, order);
            Kernels.assertSameBits(Kernels.valuesByKey(keyed(expected, BACK, ROWS), BACK, ROWS),
                    Kernels.valuesByKey(keyed(actual, BACK, ROWS), BACK, ROWS), "W delta, sample " + sample);
        }
        // SGD with lr 1: each kernel weight moves by the sum of its lowered copies' moves
        Kernels.applyUpdate(toeplitz, samples, 0);
        Kernels.applyUpdate(rows, samples, 0);
        float[] lowNew = toeplitz.readWeights();
        float[] expected = kernel.clone();
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < n; j++) {
                int ox = (first + j) / COUT;
                int kx = i % (WIDTH * CIN) / CIN + PAD - ox * STRIDE;
                if (kx >= 0 && kx < KW) {
                    int k = ((i / (WIDTH * CIN) * KW + kx) * CIN + i % CIN) * r.channels() + (first + j) % COUT
                            - r.firstChannel();
                    expected[k] -= low[i * n + j] - lowNew[i * n + j];
                }
            }
        }
        Kernels.assertAllClose(expected, rows.readWeights(), 1e-5, "kernel after the update");
        // each channel's bias moves by the sum of its columns' moves: db is summed over the block's columns
        float[] lowBiasNew = toeplitz.readBias();
        float[] expectedBias = bias.clone();
        for (int j = 0; j < n; j++) {
            expectedBias[(first + j) % COUT - r.firstChannel()] -= lowBias[j] - lowBiasNew[j];
        }
        Kernels.assertAllClose(expectedBias, rows.readBias(), 1e-5, "bias after the update");
    }
}
