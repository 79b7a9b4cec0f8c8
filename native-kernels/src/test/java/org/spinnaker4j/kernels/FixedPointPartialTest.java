package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;
import static org.spinnaker4j.kernels.Kernels.assertThrowsWith;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Partial sums across cores in s16.15 (docs/fixed-point.md, "Partial sums across cores"): an unfused block sends each
 * column's exact 64-bit sum as a (low, high) pair of packets; a reduce adds the halves of every block into one 64-bit
 * sum per column in any arrival order and rounds once, bit-equal to the whole layer's exact sum; a relay forwards
 * words unchanged; the errors the float reduce reports are reported too.
 */
class FixedPointPartialTest {

    private static final int ROWS_PER_BLOCK = 5;
    private static final int BLOCKS = 3;
    private static final int N_ROWS = ROWS_PER_BLOCK * BLOCKS;
    private static final int N_COLS = 4;
    private static final int IN = 0x100;
    private static final int BLOCK_OUT = 0x2000;
    private static final int OUT = 0x7000_0000;

    private static int[] randomWords(Random rnd, int n, double scale) {
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = (int) Math.round(rnd.nextGaussian() * scale * AccumQuantiser.ONE);
        }
        return w;
    }

    /** Block b's key base: 2 keys a column. */
    private static int blockKey(int b) {
        return BLOCK_OUT + 0x100 * b;
    }

    private static KernelConfig unfusedBlock(int b) {
        return Kernels.dense(ROWS_PER_BLOCK, N_COLS, false, KernelActivation.IDENTITY, 0f, blockKey(b),
                List.of(KeyRange.data(IN + b * ROWS_PER_BLOCK, ROWS_PER_BLOCK, 0))).withFixedPoint();
    }

    /** A fixed-point reduce of {@code cols} columns taking partial halves on {@code inputs}. */
    private static KernelConfig reduce(KernelActivation act, int softmaxPeers, int syncKeyBase,
            List<KeyRange> inputs, int cols, int outKey) {
        return new KernelConfig(KernelKind.REDUCE, 0, cols, act, 0f, false, outKey, BLOCKS, softmaxPeers,
                syncKeyBase, inputs, null, null, null, true, true);
    }

    /** Every block's whole range of halves. */
    private static List<KeyRange> blockRanges() {
        List<KeyRange> inputs = new ArrayList<>();
        for (int b = 0; b < BLOCKS; b++) {
            inputs.add(KeyRange.data(blockKey(b), 2 * N_COLS, 0));
        }
        return inputs;
    }

    /** Rows [first, first + count) of a row-major matrix of N_COLS columns. */
    private static int[] rows(int[] w, int first, int count) {
        return Arrays.copyOfRange(w, first * N_COLS, (first + count) * N_COLS);
    }

    /** Column j's exact sum over rows [lo, hi), bias not added. */
    private static long exactSum(int[] x, int[] w, int j, int lo, int hi) {
        long s = 0;
        for (int i = lo; i < hi; i++) {
            s += (long) x[i] * w[i * N_COLS + j];
        }
        return s;
    }

    /** The reduce's outputs as docs/fixed-point.md specifies: the exact sum plus bias, rounded once, activated. */
    private static int[] reference(KernelActivation act, int[] x, int[] w, int[] b) {
        int[] y = new int[N_COLS];
        for (int j = 0; j < N_COLS; j++) {
            int z = AccumQuantiser.saturate(AccumQuantiser.roundSum(exactSum(x, w, j, 0, N_ROWS)
                    + ((long) b[j] << AccumQuantiser.FRACTION_BITS)));
            y[j] = act == KernelActivation.RELU ? Math.max(z, 0) : z;
        }
        return y;
    }

    /** Every block's sends of one sample (rows delivered in order). */
    private static List<Packet> blockHalves(List<KernelCore> blocks, int[] x) {
        List<Packet> halves = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            for (int i = 0; i < ROWS_PER_BLOCK; i++) {
                halves.addAll(Kernels.deliver(blocks.get(b), new Packet(IN + b * ROWS_PER_BLOCK + i,
                        x[b * ROWS_PER_BLOCK + i])));
            }
        }
        return halves;
    }

    private static List<KernelCore> loadBlocks(int[] w) {
        List<KernelCore> blocks = new ArrayList<>();
        for (int b = 0; b < BLOCKS; b++) {
            KernelCore core = new KernelCore();
            core.loadWords(unfusedBlock(b), rows(w, b * ROWS_PER_BLOCK, ROWS_PER_BLOCK), null);
            blocks.add(core);
        }
        return blocks;
    }

    @Test
    void unfusedBlockSendsEachColumnsExactSumAsLowAndHighWords() {
        Random rnd = new Random(5);
        // weights and inputs large enough that sums exceed 32 bits (and some are negative)
        int[] w = randomWords(rnd, N_ROWS * N_COLS, 40.0);
        KernelCore block = new KernelCore();
        block.loadWords(unfusedBlock(0), rows(w, 0, ROWS_PER_BLOCK), null);
        for (int sample = 0; sample < 3; sample++) {
            int[] x = randomWords(rnd, N_ROWS, 30.0);
            List<Packet> sent = blockHalves(List.of(block), x);
            assertEquals(2 * N_COLS, sent.size(), "two packets a column");
            for (int j = 0; j < N_COLS; j++) {
                long s = exactSum(x, w, j, 0, ROWS_PER_BLOCK);
                assertEquals(blockKey(0) + 2 * j, sent.get(2 * j).key(), "low word's key");
                assertEquals(blockKey(0) + 2 * j + 1, sent.get(2 * j + 1).key(), "high word's key");
                assertEquals((int) s, sent.get(2 * j).payload(), "low word of column " + j);
                assertEquals((int) (s >>> 32), sent.get(2 * j + 1).payload(), "high word of column " + j);
            }
        }
        assertEquals(0, block.saturatedCount(), "nothing is rounded on an unfused block");
    }

    static KernelActivation[] streamingActivations() {
        return new KernelActivation[] {KernelActivation.IDENTITY, KernelActivation.RELU};
    }

    /**
     * Three blocks' halves delivered to a reduce in shuffled order: each output is the whole layer's exact sum plus
     * bias rounded once, whatever the order (column by column: the reduce streams its columns as they complete).
     */
    @ParameterizedTest
    @MethodSource("streamingActivations")
    void reduceOfShuffledHalvesEqualsTheExactRounding(KernelActivation act) {
        Random rnd = new Random(11 + act.ordinal());
        int[] w = randomWords(rnd, N_ROWS * N_COLS, 40.0);
        int[] b = randomWords(rnd, N_COLS, 3.0);
        List<KernelCore> blocks = loadBlocks(w);
        KernelCore reduce = new KernelCore();
        reduce.loadWords(reduce(act, 0, 0, blockRanges(), N_COLS, OUT), null, b);
        for (int sample = 0; sample < 20; sample++) {
            int[] x = randomWords(rnd, N_ROWS, sample % 2 == 0 ? 30.0 : 0.5);
            List<Packet> halves = blockHalves(blocks, x);
            Collections.shuffle(halves, rnd);
            int[] got = new int[N_COLS];
            int next = 0;
            for (Packet p : halves) {
                for (Packet o : Kernels.deliver(reduce, p)) {
                    assertEquals(OUT + next, o.key(), "columns stream in column order");
                    got[next++] = o.payload();
                }
            }
            assertEquals(N_COLS, next, "every column sent once");
            assertArrayEquals(reference(act, x, w, b), got, act + " sample " + sample);
        }
    }

    @Test
    void aHalfArrivingTwiceFromTheSameRangeIsRefused() {
        KernelCore reduce = new KernelCore();
        reduce.loadWords(reduce(KernelActivation.IDENTITY, 0, 0, blockRanges(), N_COLS, OUT), null, new int[N_COLS]);
        Kernels.deliver(reduce, new Packet(blockKey(1) + 3, 7));
        KernelException e = assertThrows(KernelException.class,
                () -> Kernels.deliver(reduce, new Packet(blockKey(1) + 3, 7)));
        assertEquals(KernelException.TOO_MANY_PARTIALS, e.code());
        // the other half of the same column, and the same half from another range, are fine
        Kernels.deliver(reduce, new Packet(blockKey(1) + 2, 7));
        Kernels.deliver(reduce, new Packet(blockKey(2) + 3, 7));
        assertEquals(3, reduce.receivedCount());
    }

    /**
     * A reduce of three blocks' halves expecting two partials a column: a column takes 4 keys (its count, not the key
     * bitmap, refuses a fifth from a third range), and the two halves of a column go into one sum: low and high
     * halves of 2^32 - 1 and 1 from two ranges carry into the high word.
     */
    @Test
    void aColumnRefusesMoreKeysThanItsPartialsFromAFreshRange() {
        KernelCore reduce = new KernelCore();
        reduce.loadWords(new KernelConfig(KernelKind.REDUCE, 0, N_COLS, KernelActivation.IDENTITY, 0f, false, OUT, 2,
                0, 0, blockRanges(), null, null, null, true, true), null, new int[N_COLS]);
        // column 0: (2^32 - 1) + 1 in the low halves, 0 and -1 in the high: the sum is 0, rounded to 0
        Kernels.deliver(reduce, new Packet(blockKey(0), -1));
        Kernels.deliver(reduce, new Packet(blockKey(0) + 1, 0));
        Kernels.deliver(reduce, new Packet(blockKey(1), 1));
        List<Packet> sent = Kernels.deliver(reduce, new Packet(blockKey(1) + 1, -1));
        assertEquals(List.of(new Packet(OUT, 0)), sent, "column 0 complete with its 4 keys, its sum 0");
        KernelException e = assertThrows(KernelException.class,
                () -> Kernels.deliver(reduce, new Packet(blockKey(2), 5)));
        assertEquals(KernelException.TOO_MANY_PARTIALS, e.code());
        // column 1 from the third range is fine
        Kernels.deliver(reduce, new Packet(blockKey(2) + 2, 5));
        assertEquals(5, reduce.receivedCount());
    }

    /** A relay's one-row key table: an output's word from a second range is refused, not added. */
    @Test
    void aRelayRefusesAnOutputsWordFromASecondRange() {
        KernelCore relay = new KernelCore();
        relay.loadWords(new KernelConfig(KernelKind.REDUCE, 0, 4, KernelActivation.IDENTITY, 0f, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(IN, 4, 0), KeyRange.data(IN + 0x40, 4, 0))).withFixedPoint(), null, new int[4]);
        assertEquals(List.of(new Packet(OUT, 9)), Kernels.deliver(relay, new Packet(IN, 9)));
        KernelException e = assertThrows(KernelException.class,
                () -> Kernels.deliver(relay, new Packet(IN + 0x40, 9)));
        assertEquals(KernelException.TOO_MANY_PARTIALS, e.code());
        assertEquals(List.of(new Packet(OUT + 1, 4)), Kernels.deliver(relay, new Packet(IN + 0x40 + 1, 4)));
        assertEquals(2, relay.receivedCount());
    }

    /**
     * The range table starts at {@link Kernels#RANGE_TABLE_BYTE}, 4 words an entry, its kind the last. {@code
     * s4j_load} gives each DATA range of a fixed-point reduce the state's own kind
     * S4J_RANGE_FIX_PARTIAL (11), which {@code s4j_on_packet} files without testing the core's kind or arithmetic;
     * a float32 reduce's stay DATA (0). The checked kernels refuse a state whose kinds and reduce disagree.
     */
    @Test
    void aFixedReducesDataRangesGetTheirOwnStateKindAndTheCheckedKernelsHoldThemToIt() {
        KernelCore fixed = new KernelCore();
        fixed.loadWords(reduce(KernelActivation.IDENTITY, 0, 0, blockRanges(), N_COLS, OUT), null, new int[N_COLS]);
        ByteBuffer dtcm = fixed.dtcm();
        for (int b = 0; b < BLOCKS; b++) {
            assertEquals(11, dtcm.getInt(rangeKindByte(b)), "a fixed reduce's DATA range " + b + ", as loaded");
        }
        KernelCore floating = new KernelCore();
        List<KeyRange> floatRanges = new ArrayList<>();
        for (int b = 0; b < BLOCKS; b++) {
            floatRanges.add(KeyRange.data(blockKey(b), N_COLS, 0)); // one key a column in float32
        }
        floating.load(new KernelConfig(KernelKind.REDUCE, 0, N_COLS, KernelActivation.IDENTITY, 0f, false, OUT,
                BLOCKS, 0, 0, floatRanges), null, new float[N_COLS]);
        ByteBuffer floatDtcm = floating.dtcm();
        for (int b = 0; b < BLOCKS; b++) {
            assertEquals(0, floatDtcm.getInt(rangeKindByte(b)), "a float32 reduce's DATA range " + b + " stays DATA");
        }
        assumeTrue(KernelCore.checkedKernels(), "only the checked build re-validates a state; the lean one trusts it");
        dtcm.putInt(rangeKindByte(1), 0);
        assertEquals(KernelException.CORRUPT, assertThrows(KernelException.class,
                () -> Kernels.deliver(fixed, new Packet(blockKey(1), 1))).code());
        dtcm.putInt(rangeKindByte(1), 11);
        Kernels.deliver(fixed, new Packet(blockKey(1), 1));
        assertEquals(1, fixed.receivedCount(), "restored, the state works again");
        floatDtcm.putInt(rangeKindByte(2), 11);
        assertEquals(KernelException.CORRUPT, assertThrows(KernelException.class,
                () -> Kernels.deliver(floating, new Packet(blockKey(2), Float.floatToRawIntBits(1f)))).code());
    }

    /** The byte of range {@code index}'s kind in a loaded state. */
    private static int rangeKindByte(int index) {
        return Kernels.RANGE_TABLE_BYTE + 16 * index + 3 * 4;
    }

    /**
     * Header words 36 to 39 of a fixed-point reduce: the constants its filing trusts (s4j_fix_reduce: the sums'
     * offset, keys a column, bits of a key row, keys a sample), fixed at load; the checked kernels refuse a state
     * whose constants no longer follow from its shape.
     */
    @Test
    void checkedKernelsRefuseAReduceWhoseFilingConstantsWereOverwritten() {
        assumeTrue(KernelCore.checkedKernels(), "only the checked build re-validates a state; the lean one trusts it");
        KernelCore reduce = new KernelCore();
        reduce.loadWords(reduce(KernelActivation.IDENTITY, 0, 0, blockRanges(), N_COLS, OUT), null, new int[N_COLS]);
        ByteBuffer dtcm = reduce.dtcm();
        assertEquals(2 * N_COLS, dtcm.getInt(38 * 4), "word 38: a key row's bits, 2 keys a column");
        assertEquals(BLOCKS * 2 * N_COLS, dtcm.getInt(39 * 4), "word 39: keys a sample");
        for (int word = 36; word <= 39; word++) {
            int saved = dtcm.getInt(word * 4);
            dtcm.putInt(word * 4, saved + 1);
            KernelException e = assertThrows(KernelException.class,
                    () -> Kernels.deliver(reduce, new Packet(blockKey(0), 1)), "word " + word);
            assertEquals(KernelException.CORRUPT, e.code(), "word " + word);
            dtcm.putInt(word * 4, saved);
        }
        Kernels.deliver(reduce, new Packet(blockKey(0), 1));
        assertEquals(1, reduce.receivedCount(), "restored, the state works again");
    }

    @Test
    void relayForwardsWordsUnchanged() {
        int[] words = {Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 1, 0x7F80_0001, AccumQuantiser.ONE};
        int n = words.length;
        KernelCore relay = new KernelCore();
        relay.loadWords(new KernelConfig(KernelKind.REDUCE, 0, n, KernelActivation.IDENTITY, 0f, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(IN, 3, 0), KeyRange.data(IN + 0x40, n - 3, 3))).withFixedPoint(), null,
                new int[n]);
        for (int sample = 0; sample < 2; sample++) {
            int[] got = new int[n];
            List<Packet> in = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                in.add(new Packet(j < 3 ? IN + j : IN + 0x40 + j - 3, words[j]));
            }
            Collections.shuffle(in, new Random(sample));
            int sent = 0;
            for (Packet p : in) {
                for (Packet o : Kernels.deliver(relay, p)) {
                    got[o.key() - OUT] = o.payload();
                    sent++;
                }
            }
            assertEquals(n, sent);
            assertArrayEquals(words, got, "every word as it came");
        }
        assertEquals(0, relay.saturatedCount());
    }

    /**
     * A softmax layer over two reduces, each summing three blocks' halves and exchanging maxima and sums with its
     * peer: bit-equal to {@link FixedPointFunctions#softmax} of the whole layer's rounded sums.
     */
    @Test
    void softmaxOnReducesWithPeersIsBitEqualToTheLayerReference() {
        int sync = 0x6000_0000;
        int half = N_COLS / 2;
        Random rnd = new Random(23);
        int[] w = randomWords(rnd, N_ROWS * N_COLS, 0.8);
        int[] b = randomWords(rnd, N_COLS, 0.5);
        List<KernelCore> blocks = loadBlocks(w);
        List<KernelCore> reduces = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            // reduce r takes columns [r * half, (r + 1) * half) of every block: their keys 2 a column
            List<KeyRange> inputs = new ArrayList<>();
            for (int blk = 0; blk < BLOCKS; blk++) {
                inputs.add(KeyRange.data(blockKey(blk) + 2 * half * r, 2 * half, 0));
            }
            inputs.add(KeyRange.softmaxSync(sync + 16 * (1 - r)));
            KernelCore core = new KernelCore();
            core.loadWords(reduce(KernelActivation.SOFTMAX, 1, sync + 16 * r, inputs, half, OUT + half * r), null,
                    Arrays.copyOfRange(b, half * r, half * (r + 1)));
            reduces.add(core);
        }
        PacketRouter router = new PacketRouter(reduces);
        for (int sample = 0; sample < 20; sample++) {
            int[] x = randomWords(rnd, N_ROWS, sample % 3 == 2 ? 10.0 : 1.0);
            List<Object[]> initial = new ArrayList<>();
            for (Packet p : blockHalves(blocks, x)) {
                int col = (p.key() & 0xFF) / 2;
                initial.add(new Object[] {col / half, p});
            }
            router.outputs.clear();
            router.runRandom(initial, rnd);
            int[] zs = new int[N_COLS];
            for (int j = 0; j < N_COLS; j++) {
                zs[j] = AccumQuantiser.saturate(AccumQuantiser.roundSum(exactSum(x, w, j, 0, N_ROWS)
                        + ((long) b[j] << AccumQuantiser.FRACTION_BITS)));
            }
            int[] got = new int[N_COLS];
            assertEquals(N_COLS, router.outputs.size(), "one output per column");
            for (Packet p : router.outputs) {
                got[p.key() - OUT] = p.payload();
            }
            assertArrayEquals(FixedPointFunctions.softmax(zs), got, "sample " + sample);
        }
        // a next sample's half while a reduce waits for its peer's max is refused
        for (Packet p : blockHalves(blocks, new int[N_ROWS])) {
            if ((p.key() & 0xFF) / 2 < half) {
                Kernels.deliver(reduces.get(0), p);
            }
        }
        KernelException e = assertThrows(KernelException.class,
                () -> Kernels.deliver(reduces.get(0), new Packet(blockKey(0), 0)));
        assertEquals(KernelException.SAMPLE_OVERLAP, e.code());
    }

    @Test
    void partialHalvesAreRefusedOffAFixedPointReduce() {
        List<KeyRange> in = List.of(KeyRange.data(IN, 2 * N_COLS, 0));
        assertThrowsWith(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.REDUCE, 0, N_COLS,
                KernelActivation.RELU, 0f, false, OUT, 2, 0, 0, in, null, null, null, false, true),
                "only a fixed-point REDUCE", "float32 REDUCE");
        assertThrowsWith(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.DENSE_BLOCK, N_ROWS, N_COLS,
                KernelActivation.IDENTITY, 0f, false, OUT, 0, 0, 0, List.of(KeyRange.data(IN, N_ROWS, 0)), null, null,
                null, true, true), "only a fixed-point REDUCE", "fixed-point DENSE_BLOCK");
        assertThrowsWith(IllegalArgumentException.class, () -> Kernels.reduce(N_COLS, 2, KernelActivation.RELU, 0f,
                OUT, in).withFixedPoint(), "maps to local indices up to " + (2 * N_COLS - 1));
    }

    @Test
    void theKernelRefusesPartialHalvesOnAFloatReduceOrAnyOtherKind() {
        // past KernelConfig's checks: the packed words with PARTIAL_HALVES set where C must refuse it
        KernelConfig floatReduce = Kernels.reduce(N_COLS, 2, KernelActivation.RELU, 0f, OUT,
                List.of(KeyRange.data(IN, N_COLS, 0)));
        KernelConfig fixedBlock = unfusedBlock(0);
        for (KernelConfig c : List.of(floatReduce, fixedBlock)) {
            int[] words = KernelCore.pack(c);
            words[KernelAbi.CFG_PARTIAL_HALVES] = 1;
            assertEquals(KernelException.BAD_CONFIG, KernelCore.loadPacked(words), c.toString());
        }
    }
}
