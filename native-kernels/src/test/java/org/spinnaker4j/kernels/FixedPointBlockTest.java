package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;
import static org.spinnaker4j.kernels.Kernels.assertThrowsWith;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The s16.15 fixed-point kernels (S4J_ARITH_S16_15): a fused block's outputs bit-equal to the arithmetic
 * docs/fixed-point.md specifies (the exact 64-bit sum and bias rounded once by {@link AccumQuantiser#roundSum},
 * saturated and counted, then the activation on the word), words carried unchanged from a source to a sink, and the
 * configs fixed point does not run refused before C.
 */
class FixedPointBlockTest {

    private static final int N_ROWS = 9;
    private static final int N_COLS = 6;
    private static final int IN = 0x100;
    private static final int OUT = 0x7000_0000;

    private static KernelConfig block(KernelActivation act, float alpha) {
        return Kernels.dense(N_ROWS, N_COLS, true, act, alpha, OUT, List.of(KeyRange.data(IN, N_ROWS, 0)))
                .withFixedPoint();
    }

    /** n s16.15 words, Gaussian of standard deviation {@code scale}. */
    static int[] randomWords(Random rnd, int n, double scale) {
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = (int) Math.round(rnd.nextGaussian() * scale * AccumQuantiser.ONE);
        }
        return w;
    }

    /** One sample's rows delivered in a shuffled order; the sends of the last. */
    private static List<Packet> runSample(KernelCore core, int[] x, Random rnd) {
        List<Packet> rows = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            rows.add(new Packet(IN + i, x[i]));
        }
        Collections.shuffle(rows, rnd);
        List<Packet> sent = List.of();
        for (Packet p : rows) {
            sent = Kernels.deliver(core, p);
        }
        return sent;
    }

    /**
     * The outputs of a fused block of weights {@code w} (row-major, {@code b.length} columns) as docs/fixed-point.md
     * specifies them; counts the saturated roundings in saturated[0]. RowConvBlockTest's reference too.
     */
    static int[] reference(KernelActivation act, int alphaWord, int[] x, int[] w, int[] b, long[] saturated) {
        int nCols = b.length;
        int[] zs = new int[nCols];
        for (int j = 0; j < nCols; j++) {
            long s = (long) b[j] << AccumQuantiser.FRACTION_BITS;
            for (int i = 0; i < x.length; i++) {
                s += (long) x[i] * w[i * nCols + j];
            }
            zs[j] = rounded(s, saturated);
        }
        if (act == KernelActivation.SOFTMAX) {
            return FixedPointFunctions.softmax(zs);
        }
        int[] y = new int[nCols];
        for (int j = 0; j < nCols; j++) {
            int z = zs[j];
            y[j] = switch (act) {
                case IDENTITY -> z;
                case RELU -> Math.max(z, 0);
                case RELU6 -> Math.max(0, Math.min(6 * AccumQuantiser.ONE, z));
                case HARDTANH -> Math.max(-AccumQuantiser.ONE, Math.min(AccumQuantiser.ONE, z));
                case THRESHOLDEDRELU -> z > alphaWord ? z : 0;
                case LEAKYRELU -> z < 0 ? rounded((long) z * alphaWord, saturated) : z;
                case CUBE -> saturated(AccumQuantiser.roundCube(z), saturated);
                default -> FixedPointFunctions.activate(act, alphaWord, z)[0];
            };
        }
        return y;
    }

    private static int rounded(long sum, long[] saturated) {
        return saturated(AccumQuantiser.roundSum(sum), saturated);
    }

    /** A rounded value saturated to the words' range, counted in saturated[0] if it was beyond it. */
    private static int saturated(long r, long[] saturated) {
        if (AccumQuantiser.saturates(r)) {
            saturated[0]++;
        }
        return AccumQuantiser.saturate(r);
    }

    private static int[] payloads(List<Packet> sent) {
        int[] p = new int[sent.size()];
        for (int k = 0; k < p.length; k++) {
            assertEquals(OUT + k, sent.get(k).key(), "outputs in order of j");
            p[k] = sent.get(k).payload();
        }
        return p;
    }

    static KernelActivation[] runnable() {
        List<KernelActivation> acts = new ArrayList<>(List.of(KernelActivation.IDENTITY, KernelActivation.RELU,
                KernelActivation.RELU6, KernelActivation.LEAKYRELU, KernelActivation.HARDTANH,
                KernelActivation.THRESHOLDEDRELU, KernelActivation.CUBE));
        acts.addAll(List.of(FixedPointFunctions.supported()));
        acts.add(KernelActivation.SOFTMAX);
        return acts.toArray(KernelActivation[]::new);
    }

    @ParameterizedTest
    @MethodSource("runnable")
    void fusedBlockIsBitEqualToTheSpecifiedArithmetic(KernelActivation act) {
        Random rnd = new Random(17 + act.ordinal());
        float alpha = act == KernelActivation.ELU ? 1.0f : act == KernelActivation.THRESHOLDEDRELU ? 0.2f : 0.01f;
        int alphaWord = act == KernelActivation.THRESHOLDEDRELU ? AccumQuantiser.threshold(alpha)
                : AccumQuantiser.quantise(new float[] {alpha}, 1, "alpha").words()[0];
        int[] w = randomWords(rnd, N_ROWS * N_COLS, 0.7);
        int[] b = randomWords(rnd, N_COLS, 0.4);
        KernelCore core = new KernelCore();
        core.loadWords(block(act, alpha), w, b);
        for (int sample = 0; sample < 5; sample++) {
            int[] x = randomWords(rnd, N_ROWS, 1.5);
            long[] saturated = new long[1];
            assertArrayEquals(reference(act, alphaWord, x, w, b, saturated), payloads(runSample(core, x, rnd)),
                    act + " sample " + sample);
            assertEquals(0, saturated[0], "nothing saturates at this scale");
        }
        assertEquals(0, core.saturatedCount());
    }

    /**
     * A cube block whose sums reach beyond the cube root of the range (about 40.3) and beyond 64, where the kernels
     * saturate before cubing: every output as {@link AccumQuantiser#roundCube} saturated, every saturation counted.
     */
    @Test
    void cubeSaturatesBeyondTheRangeAndCountsIt() {
        Random rnd = new Random(41);
        int[] w = randomWords(rnd, N_ROWS * N_COLS, 0.7);
        int[] b = randomWords(rnd, N_COLS, 0.4);
        KernelCore core = new KernelCore();
        core.loadWords(block(KernelActivation.CUBE, 0f), w, b);
        long[] saturated = new long[1];
        for (int sample = 0; sample < 20; sample++) {
            int[] x = randomWords(rnd, N_ROWS, 30.0);
            assertArrayEquals(reference(KernelActivation.CUBE, 0, x, w, b, saturated),
                    payloads(runSample(core, x, rnd)), "sample " + sample);
        }
        assertTrue(saturated[0] > 20, saturated[0] + " saturations in 120 outputs");
        assertEquals(saturated[0], core.saturatedCount());
    }

    /**
     * A thresholdedrelu block at theta 0.2, whose words 6553 (0.19998) and 6554 (0.20001) lie on either side: the
     * threshold word loaded is floor(theta 2^15), 6553, so 6554 is kept and 6553 is not (nearest, 6554, would drop both).
     */
    @Test
    void thresholdedReluKeepsTheWordJustAboveTheta() {
        int[] w = new int[N_ROWS * N_COLS];
        Arrays.fill(w, 0, N_COLS, AccumQuantiser.ONE); // row 0 into every column, the others 0
        KernelCore core = new KernelCore();
        core.loadWords(block(KernelActivation.THRESHOLDEDRELU, 0.2f), w, new int[N_COLS]);
        int[] x = new int[N_ROWS];
        x[0] = 6554;
        assertTrue(IntStream.of(payloads(runSample(core, x, new Random(5)))).allMatch(y -> y == 6554));
        x[0] = 6553;
        assertTrue(IntStream.of(payloads(runSample(core, x, new Random(5)))).allMatch(y -> y == 0));
    }

    /**
     * A selu block whose sums are beyond 65536 / lambda (about 62,373.6): its outputs saturated and counted, once per
     * column; below it nothing saturates, not even the word whose lambda x is exactly the top word.
     */
    @Test
    void seluSaturatesBeyondTheRangeAndCountsIt() {
        int[] w = new int[N_ROWS * N_COLS];
        Arrays.fill(w, 0, N_COLS, AccumQuantiser.ONE); // row 0 into every column, the others 0
        KernelCore core = new KernelCore();
        core.loadWords(block(KernelActivation.SELU, 0f), w, new int[N_COLS]);
        int[] x = new int[N_ROWS];
        x[0] = 62_000 * AccumQuantiser.ONE;
        int[] below = payloads(runSample(core, x, new Random(3)));
        assertEquals(0, core.saturatedCount());
        assertTrue(IntStream.of(below).allMatch(y -> y > 65_000 * AccumQuantiser.ONE && y < Integer.MAX_VALUE),
                Arrays.toString(below));
        x[0] = FixedPointFunctionsTest.SELU_TOP;
        int[] top = payloads(runSample(core, x, new Random(3)));
        assertTrue(IntStream.of(top).allMatch(y -> y == Integer.MAX_VALUE), Arrays.toString(top));
        assertEquals(0, core.saturatedCount(), "exactly the top word");
        x[0] = FixedPointFunctionsTest.SELU_TOP + 1;
        int[] beyond = payloads(runSample(core, x, new Random(3)));
        assertTrue(IntStream.of(beyond).allMatch(y -> y == Integer.MAX_VALUE), Arrays.toString(beyond));
        assertEquals(N_COLS, core.saturatedCount());
    }

    /**
     * A fixed-point softmax layer split over fused blocks of uneven widths, exchanging maxima and sums as words, in
     * random delivery orders: every output bit-equal to {@link FixedPointFunctions#softmax} of the whole layer's
     * rounded z (so the split changes nothing), at scales where some blocks' e words are all 0.
     */
    @ParameterizedTest
    @MethodSource("splits")
    void softmaxSpanningFusedBlocksIsBitEqualToTheLayerReference(int[] widths) {
        int layer = IntStream.of(widths).sum();
        int sync = 0x6000_0000;
        Random rnd = new Random(31 + widths.length);
        int[] w = randomWords(rnd, N_ROWS * layer, 0.7);
        int[] b = randomWords(rnd, layer, 0.4);
        List<KernelCore> cores = new ArrayList<>();
        for (int c = 0, first = 0; c < widths.length; first += widths[c], c++) {
            List<KeyRange> inputs = new ArrayList<>(List.of(KeyRange.data(IN, N_ROWS, 0)));
            for (int p = 0; p < widths.length; p++) {
                if (p != c) {
                    inputs.add(KeyRange.softmaxSync(sync + 16 * p));
                }
            }
            KernelCore core = new KernelCore();
            core.loadWords(new KernelConfig(KernelKind.DENSE_BLOCK, N_ROWS, widths[c], KernelActivation.SOFTMAX, 0f,
                    true, OUT + first, 0, widths.length - 1, sync + 16 * c, inputs).withFixedPoint(),
                    columns(w, layer, first, widths[c]), Arrays.copyOfRange(b, first, first + widths[c]));
            cores.add(core);
        }
        PacketRouter router = new PacketRouter(cores);
        for (int sample = 0; sample < 30; sample++) {
            int[] x = randomWords(rnd, N_ROWS, sample % 3 == 2 ? 12.0 : 1.5);
            List<Object[]> initial = new ArrayList<>();
            for (int c = 0; c < cores.size(); c++) {
                for (int i = 0; i < N_ROWS; i++) {
                    initial.add(new Object[] {c, new Packet(IN + i, x[i])});
                }
            }
            router.outputs.clear();
            router.runRandom(initial, rnd);
            long[] saturated = new long[1];
            int[] expected = reference(KernelActivation.SOFTMAX, 0, x, w, b, saturated);
            int[] got = new int[layer];
            assertEquals(layer, router.outputs.size(), "one output per column");
            for (Packet p : router.outputs) {
                got[p.key() - OUT] = p.payload();
            }
            assertArrayEquals(expected, got, "sample " + sample + " over blocks " + Arrays.toString(widths));
            assertEquals(0, saturated[0]);
        }
    }

    /**
     * A fused block refuses, as the float block does, a next sample's row while its softmax exchange waits for a peer
     * (its rounded z, kept for the exchange, untouched).
     */
    @Test
    void nextSampleDuringTheSoftmaxExchangeIsRefused() {
        int sync = 0x6000_0000;
        List<KeyRange> inputs = List.of(KeyRange.data(IN, N_ROWS, 0), KeyRange.softmaxSync(sync + 16));
        KernelCore core = new KernelCore();
        core.loadWords(new KernelConfig(KernelKind.DENSE_BLOCK, N_ROWS, N_COLS, KernelActivation.SOFTMAX, 0f, true,
                OUT, 0, 1, sync, inputs).withFixedPoint(), new int[N_ROWS * N_COLS], new int[N_COLS]);
        List<Packet> sent = runSample(core, new int[N_ROWS], new Random(5));
        assertEquals(List.of(new Packet(sync, 0)), sent, "z complete: only its max sent, to the peer");
        KernelException e = assertThrowsWith(KernelException.class, () -> Kernels.deliver(core, new Packet(IN, 0)),
                "of a next sample arrived while this core's softmax exchange is still waiting");
        assertEquals(KernelException.SAMPLE_OVERLAP, e.code());
    }

    /**
     * An inference block keeps each word in the event that brings it, whatever rows are still missing (a float32 block
     * waits for row 0), and multiplies them all in at its completion: from the last row down, no word's event reports
     * a row multiplied in. A word that comes twice is refused (DUPLICATE_ROW) and not kept, so every output is still
     * the reference's; and the completion empties the sums, so the next samples (rows in other orders, a duplicate in
     * each) are too.
     */
    @Test
    void eachWordIsKeptAsItArrivesAndADuplicateIsNot() {
        Random rnd = new Random(41);
        int[] w = randomWords(rnd, N_ROWS * N_COLS, 0.7);
        int[] b = randomWords(rnd, N_COLS, 0.4);
        KernelCore core = new KernelCore();
        core.loadWords(block(KernelActivation.IDENTITY, 0f), w, b);
        for (int sample = 0; sample < 3; sample++) {
            int[] x = randomWords(rnd, N_ROWS, 1.5);
            List<Integer> order = new ArrayList<>(IntStream.range(0, N_ROWS).boxed().toList());
            if (sample == 0) {
                Collections.reverse(order);
            } else {
                Collections.shuffle(order, rnd);
            }
            List<Packet> sent = List.of();
            for (int k = 0; k < N_ROWS; k++) {
                int row = order.get(k);
                sent = Kernels.deliver(core, new Packet(IN + row, x[row]));
                assertEquals(0, core.lastRowsAccumulated(), "sample " + sample + ": row " + row + " kept");
                if (k == N_ROWS / 2) {
                    int again = order.get(0);
                    KernelException e = assertThrowsWith(KernelException.class,
                            () -> Kernels.deliver(core, new Packet(IN + again, x[again] ^ 0x5A5A)), "DUPLICATE_ROW");
                    assertEquals(KernelException.DUPLICATE_ROW, e.code());
                    assertEquals(k + 1, core.receivedCount(), "the duplicate is not counted");
                }
            }
            assertArrayEquals(reference(KernelActivation.IDENTITY, 0, x, w, b, new long[1]), payloads(sent),
                    "sample " + sample);
            assertEquals(0, core.receivedCount(), "the block is ready for the next sample");
        }
    }

    /**
     * An inference block keeps its weights in panels of three columns (the last of the one or two that remain) and
     * multiplies them at completion, a panel's sums in registers: for every width from 1 to 8 columns and rows from 1
     * to 17 (a multiple of the assembly's 8-row step and the rows after it), every output is the reference's and the
     * weights read back row-major, as loaded.
     */
    @Test
    void anInferenceBlockInPanelsGivesTheReferenceAndReadsItsWeightsBackRowMajor() {
        Random rnd = new Random(43);
        for (int cols = 1; cols <= 8; cols++) {
            for (int rows : new int[] {1, 7, 8, 17}) {
                int[] w = randomWords(rnd, rows * cols, 0.7);
                int[] b = randomWords(rnd, cols, 0.4);
                int[] x = randomWords(rnd, rows, 1.5);
                KernelCore core = new KernelCore();
                core.loadWords(Kernels.dense(rows, cols, true, KernelActivation.IDENTITY, 0f, OUT,
                        List.of(KeyRange.data(IN, rows, 0))).withFixedPoint(), w, b);
                String shape = rows + " x " + cols;
                assertArrayEquals(reference(KernelActivation.IDENTITY, 0, x, w, b, new long[1]),
                        payloads(runSample(core, x, rnd)), shape);
                float[] weights = core.readWeights();
                int[] read = IntStream.range(0, weights.length).map(i -> Float.floatToRawIntBits(weights[i])).toArray();
                assertArrayEquals(w, read, shape + ": weights read back row-major");
            }
        }
    }

    /**
     * The range table of a state starts at {@link Kernels#RANGE_TABLE_BYTE}, its first entry's kind 3 words on. {@code
     * s4j_load} gives a fixed dense block's DATA range the state's own kind
     * S4J_RANGE_FIX_WORD (10), which sends its words to the filing that multiplies each in as it arrives. The checked
     * kernels refuse a state whose kind and block disagree: a fixed block's range put back to DATA (its words would
     * be kept and multiplied in row order, as a float32 block's), or a float32 block's range given FIX_WORD.
     */
    @Test
    void checkedKernelsRefuseARangeKindThatDisagreesWithTheBlock() {
        assumeTrue(KernelCore.checkedKernels(), "only the checked build re-validates a state; the lean one trusts it");
        int kindByte = Kernels.RANGE_TABLE_BYTE + 3 * 4;
        KernelCore fixed = new KernelCore();
        fixed.loadWords(block(KernelActivation.IDENTITY, 0f), new int[N_ROWS * N_COLS], new int[N_COLS]);
        ByteBuffer dtcm = fixed.dtcm();
        assertEquals(10, dtcm.getInt(kindByte), "a fixed dense block's DATA range, as loaded");
        dtcm.putInt(kindByte, 0);
        assertEquals(KernelException.CORRUPT, assertThrows(KernelException.class,
                () -> Kernels.deliver(fixed, new Packet(IN, 1))).code());
        dtcm.putInt(kindByte, 10);
        Kernels.deliver(fixed, new Packet(IN, 1));
        assertEquals(1, fixed.receivedCount(), "restored, the state works again");

        KernelCore floating = new KernelCore();
        floating.load(Kernels.dense(N_ROWS, N_COLS, true, KernelActivation.IDENTITY, 0f, OUT,
                List.of(KeyRange.data(IN, N_ROWS, 0))), new float[N_ROWS * N_COLS], new float[N_COLS]);
        ByteBuffer floatDtcm = floating.dtcm();
        assertEquals(0, floatDtcm.getInt(kindByte), "a float32 block's DATA range stays DATA");
        floatDtcm.putInt(kindByte, 10);
        assertEquals(KernelException.CORRUPT, assertThrows(KernelException.class,
                () -> Kernels.deliver(floating, new Packet(IN, Float.floatToRawIntBits(1f)))).code());
    }

    static int[][] splits() {
        return new int[][] {{4, 3}, {4, 3, 2}};
    }

    /** Columns [first, first + count) of a row-major nRows x nCols matrix (nRows = N_ROWS). */
    private static int[] columns(int[] w, int nCols, int first, int count) {
        int[] out = new int[N_ROWS * count];
        for (int i = 0; i < N_ROWS; i++) {
            System.arraycopy(w, i * nCols + first, out, i * count, count);
        }
        return out;
    }

    @Test
    void saturatedSumsAreCountedAndClamped() {
        // x = 1000 and w = ±1000 on every row: each sum is about ±9e6, far outside s16.15 but exact in 64 bits
        int big = 1000 * AccumQuantiser.ONE;
        int[] w = new int[N_ROWS * N_COLS];
        for (int k = 0; k < w.length; k++) {
            w[k] = k % N_COLS % 2 == 0 ? big : -big;
        }
        w[N_COLS - 1] = 0; // column N_COLS - 1: one row fewer, still saturating
        int[] x = new int[N_ROWS];
        Arrays.fill(x, big);
        KernelCore core = new KernelCore();
        core.loadWords(block(KernelActivation.IDENTITY, 0f), w, new int[N_COLS]);
        long[] saturated = new long[1];
        int[] expected = reference(KernelActivation.IDENTITY, 0, x, w, new int[N_COLS], saturated);
        assertArrayEquals(expected, payloads(runSample(core, x, new Random(3))));
        assertEquals(Integer.MAX_VALUE, expected[0]);
        assertEquals(Integer.MIN_VALUE, expected[1]);
        assertEquals(N_COLS, saturated[0]);
        assertEquals(N_COLS, core.saturatedCount(), "the kernel counts each saturated sum");
        runSample(core, x, new Random(4));
        assertEquals(2L * N_COLS, core.saturatedCount(), "the count accumulates over samples");
    }

    @Test
    void wordsTravelUnchangedFromSourceToSink() {
        // word bit patterns that are NaNs as floats (a signalling one among them) must arrive as they left
        int[] words = {0x7F80_0001, 0xFFC0_0001, Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 1, AccumQuantiser.ONE};
        KernelCore source = new KernelCore();
        source.loadWords(Kernels.source(words.length, IN).withFixedPoint(), null, null);
        KernelCore sink = new KernelCore();
        sink.loadWords(Kernels.sink(words.length, List.of(KeyRange.data(IN, words.length, 0))).withFixedPoint(),
                null, null);
        source.loadInputWords(words);
        int[] outbox = new int[2 * source.maxSendsPerEvent()];
        int n = source.start(outbox);
        for (Packet p : Kernels.sends(outbox, n)) {
            Kernels.deliver(sink, p);
        }
        assertArrayEquals(words, sink.readOutputWords());
    }

    @Test
    void configsFixedPointDoesNotRunAreRefusedBeforeC() {
        assertThrowsWith(IllegalArgumentException.class, () -> Kernels.dense(1, FixedPointFunctions.SOFTMAX_MAX_WIDTH
                + 1, true, KernelActivation.SOFTMAX, 0f, OUT, List.of(KeyRange.data(IN, 1, 0))).withFixedPoint(),
                "fixed point", "at most 65535 columns", "SOFTMAX");
    }

    @Test
    void floatAndWordEntryPointsAreNotMixed() {
        KernelCore core = new KernelCore();
        assertThrowsWith(IllegalArgumentException.class, () -> core.load(block(KernelActivation.RELU, 0f),
                new float[N_ROWS * N_COLS], new float[N_COLS]), "loadWords");
        assertThrowsWith(IllegalArgumentException.class, () -> core.loadWords(Kernels.dense(N_ROWS, N_COLS, true,
                KernelActivation.RELU, 0f, OUT, List.of(KeyRange.data(IN, N_ROWS, 0))), new int[N_ROWS * N_COLS],
                new int[N_COLS]), "fixed-point config");
    }
}
