package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A dense block's rows given at once ({@link KernelCore#onRows}, {@code s4j_on_rows}: a buffer of the sample's input
 * read from SDRAM by DMA) do exactly what their packets would, one a row in the same order: the same sends bit for
 * bit, the same rows multiplied in and work, and the same DTCM state afterwards, in float32 and s16.15, inference and
 * training (float32 with and without input dropout), whole or split over calls in any order; and each refusal has
 * its error.
 */
class BlockRowsTest {

    private static final int ROWS = 11;
    private static final int COLS = 5;
    private static final int IN = 0x100;
    private static final int DELTA = 0x200;
    private static final int OUT = 0x300;
    private static final int BACK = 0x400;
    private static final int ERRORS = 0x500;
    private static final int SAMPLES = 4;

    /** How each sample's rows come, sample after sample: {first, n} a call, and the packets in the same order. */
    private static final int[][][] PLANS = {
        {{0, ROWS}},
        {{0, 4}, {4, ROWS - 4}},
        {{6, ROWS - 6}, {0, 6}},
        {{3, 1}, {0, 3}, {4, ROWS - 4}},
    };

    /** Two cores loaded alike: one fed packets, one fed the same rows at once. */
    private record Pair(KernelCore packets, KernelCore rows) {

        void both(java.util.function.Consumer<KernelCore> action) {
            action.accept(packets);
            action.accept(rows);
        }
    }

    private static Pair floats(KernelConfig config, float[] w, float[] b) {
        Pair p = new Pair(new KernelCore(), new KernelCore());
        p.both(core -> core.load(config, w, b));
        return p;
    }

    private static Pair words(KernelConfig config, int[] w, int[] b) {
        Pair p = new Pair(new KernelCore(), new KernelCore());
        p.both(core -> core.loadWords(config, w, b));
        return p;
    }

    /** What the events of a sample did: their sends in order, the rows they multiplied in, their work bits. */
    private static final class Tally {
        final List<Packet> sent = new ArrayList<>();
        int rows;
        int work;

        void add(KernelCore core, List<Packet> sends) {
            sent.addAll(sends);
            rows += core.lastRowsAccumulated();
            work |= core.lastWork();
        }
    }

    /**
     * One sample's rows {@code x} (float bits or words) fed by packets and by {@link KernelCore#onRows} as
     * {@code plan} says; asserts the two did the same and left the same state. Returns what the rows' calls did.
     */
    private static Tally feed(Pair p, int[] x, int[][] plan, String what) {
        Tally byPacket = new Tally();
        Tally byRows = new Tally();
        int[] outbox = new int[2 * Math.max(1, p.rows().maxSendsPerEvent())];
        for (int[] call : plan) {
            String rows = what + ", rows " + call[0] + " .. " + (call[0] + call[1] - 1);
            int before = byRows.rows;
            int packetsBefore = byPacket.rows;
            for (int i = call[0]; i < call[0] + call[1]; i++) {
                byPacket.add(p.packets(), Kernels.deliver(p.packets(), new Packet(IN + i, x[i])));
            }
            int n = p.rows().onRows(call[0], Arrays.copyOfRange(x, call[0], call[0] + call[1]), outbox);
            byRows.add(p.rows(), Kernels.sends(outbox, n));
            assertEquals(byPacket.rows - packetsBefore, byRows.rows - before, rows + ": rows multiplied in");
            assertSameState(p, rows);
        }
        assertEquals(byPacket.sent, byRows.sent, what + ": sends, keys and payloads");
        assertEquals(byPacket.work, byRows.work, what + ": work");
        return byRows;
    }

    /** The two cores' DTCM images are equal, byte for byte. */
    private static void assertSameState(Pair p, String what) {
        assertArrayEquals(Kernels.image(p.packets()), Kernels.image(p.rows()), what + ": the DTCM state");
    }

    private static int[] floatBits(Random rnd, int n) {
        return Kernels.bits(Kernels.randomArray(rnd, n, 1.0));
    }

    private static void deliverBoth(Pair p, Packet packet, String what) {
        assertEquals(Kernels.deliver(p.packets(), packet), Kernels.deliver(p.rows(), packet), what);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aFloatInferenceBlockDoesWhatItsPacketsDo(boolean fused) {
        Random rnd = new Random(fused ? 3 : 4);
        KernelConfig c = Kernels.dense(ROWS, COLS, fused, fused ? KernelActivation.TANH : KernelActivation.IDENTITY,
                0f, OUT, List.of(KeyRange.data(IN, ROWS, 0)));
        Pair p = floats(c, Kernels.randomArray(rnd, ROWS * COLS, 0.5), fused ? Kernels.randomArray(rnd, COLS, 0.5)
                : null);
        for (int s = 0; s < 2 * PLANS.length; s++) {
            List<Packet> sent = feed(p, floatBits(rnd, ROWS), PLANS[s % PLANS.length], "sample " + s).sent;
            assertEquals(COLS, sent.size(), "sample " + s + " completes the block");
        }
    }

    /** An unfused float32 training block (SGD) holding up to {@code inFlight} samples, sending its W delta back. */
    private static KernelConfig floatTraining(int inFlight) {
        TrainingConfig sgd = TrainingReference.hidden(TrainingReference.Hyper.sgd(0.1f), 0, BACK, 0, true)
                .toBuilder().samplesInFlight(inFlight).build();
        return new KernelConfig(KernelKind.DENSE_BLOCK, ROWS, COLS, KernelActivation.IDENTITY, 0f, false, OUT, 0, 0,
                0, List.of(KeyRange.data(IN, ROWS, 0), KeyRange.delta(DELTA, COLS, 0)), sgd);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aFloatTrainingBlockDoesWhatItsPacketsDoWithAndWithoutDropout(boolean dropout) {
        Random rnd = new Random(dropout ? 5 : 6);
        Pair p = floats(floatTraining(2), Kernels.randomArray(rnd, ROWS * COLS, 0.5), null);
        for (int batch = 0; batch < 2; batch++) {
            if (dropout) {
                int stream = 0x5EED + batch;
                p.both(core -> core.setDropout(0.5f, stream, 7, true));
            }
            int dropped = 0;
            for (int s = 0; s < SAMPLES; s++) {
                String what = "mini-batch " + batch + " sample " + s;
                Tally rows = feed(p, floatBits(rnd, ROWS), PLANS[(batch + s) % PLANS.length], what);
                assertEquals(ROWS, rows.rows, what + ": every row multiplied in");
                dropped += KernelWork.DROPOUT_ROW.in(rows.work) ? 1 : 0;
                for (Packet d : Kernels.packets(DELTA, Kernels.randomArray(rnd, COLS, 0.3))) {
                    deliverBoth(p, d, what + ": backward sends");
                }
                assertSameState(p, what + " after its backward pass");
            }
            assertEquals(dropout ? SAMPLES : 0, dropped, "every sample's rows dropped under dropout, none without");
            p.both(core -> Kernels.applyUpdate(core, SAMPLES, 0));
            assertSameState(p, "after update " + batch);
        }
        Kernels.assertSameBits(p.packets().readWeights(), p.rows().readWeights(), "W after two updates");
    }

    private static KernelConfig fixedBlock(TrainingConfig training) {
        List<KeyRange> inputs = training == null ? List.of(KeyRange.data(IN, ROWS, 0))
                : List.of(KeyRange.data(IN, ROWS, 0), KeyRange.backwardPartial(ERRORS, COLS, 0));
        return new KernelConfig(KernelKind.DENSE_BLOCK, ROWS, COLS, KernelActivation.TANH, 0f, true, OUT, 0, 0, 0,
                inputs, training, null, null, true);
    }

    private static TrainingConfig fixedTraining(int inFlight) {
        return TrainingConfig.builder(TrainingReference.Hyper.sgd(0.1f).config()).backwardPartials(1)
                .layerOutputs(2 * COLS).sendsBackward(BACK).samplesInFlight(inFlight).build();
    }

    @Test
    void anS16_15InferenceBlockDoesWhatItsPacketsDo() {
        Random rnd = new Random(7);
        Pair p = words(fixedBlock(null), FixedPointBlockTest.randomWords(rnd, ROWS * COLS, 0.7),
                FixedPointBlockTest.randomWords(rnd, COLS, 0.4));
        for (int s = 0; s < 2 * PLANS.length; s++) {
            List<Packet> sent = feed(p, FixedPointBlockTest.randomWords(rnd, ROWS, 1.5), PLANS[s % PLANS.length],
                    "sample " + s).sent;
            assertEquals(COLS, sent.size(), "sample " + s + " completes the block");
        }
    }

    @Test
    void anS16_15TrainingBlockDoesWhatItsPacketsDo() {
        Random rnd = new Random(8);
        Pair p = words(fixedBlock(fixedTraining(2)), FixedPointBlockTest.randomWords(rnd, ROWS * COLS, 0.7),
                FixedPointBlockTest.randomWords(rnd, COLS, 0.4));
        for (int s = 0; s < 2 * PLANS.length; s++) {
            String what = "sample " + s;
            feed(p, FixedPointBlockTest.randomWords(rnd, ROWS, 1.5), PLANS[s % PLANS.length], what);
            int[] errors = FixedPointBlockTest.randomWords(rnd, COLS, 0.2);
            for (int j = 0; j < COLS; j++) {
                deliverBoth(p, new Packet(ERRORS + j, errors[j]), what + ": backward sends");
            }
            assertSameState(p, what + " after its backward pass");
        }
    }

    private static int code(Executable call) {
        return assertThrows(KernelException.class, call).code();
    }

    private static int onRows(KernelCore core, int first, int[] words) {
        return core.onRows(first, words, new int[2 * Math.max(1, core.maxSendsPerEvent())]);
    }

    @Test
    void aCoreThatIsNoDenseBlockOfWeightsRefusesRows() {
        KernelCore reduce = new KernelCore();
        reduce.load(Kernels.reduce(COLS, 1, KernelActivation.IDENTITY, 0f, OUT, List.of(KeyRange.data(IN, COLS, 0))),
                null, new float[COLS]);
        assertEquals(KernelException.WRONG_KIND, code(() -> onRows(reduce, 0, new int[1])), "a reduce");
        KernelCore pooling = new KernelCore();
        pooling.load(new KernelConfig(KernelKind.DENSE_BLOCK, 8, 2, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0,
                List.of(KeyRange.data(IN, 8, 0)), null, PoolingConfig.max(4, 1, -3.402823e38f)), null, new float[2]);
        assertEquals(KernelException.WRONG_KIND, code(() -> onRows(pooling, 0, new int[8])), "a pooling block");
        assertEquals(0, pooling.receivedCount(), "nothing filed");
    }

    @Test
    void rowsOutsideTheBlockOrNoneAreRefused() {
        Pair p = floats(Kernels.dense(ROWS, COLS, false, KernelActivation.IDENTITY, 0f, OUT,
                List.of(KeyRange.data(IN, ROWS, 0))), new float[ROWS * COLS], null);
        KernelCore core = p.rows();
        assertEquals(KernelException.BAD_ARGUMENT, code(() -> onRows(core, 0, new int[0])), "n 0");
        assertEquals(KernelException.ROW_RANGE, code(() -> onRows(core, ROWS, new int[1])), "first n_rows");
        assertEquals(KernelException.ROW_RANGE, code(() -> onRows(core, 3, new int[ROWS - 2])), "one row beyond");
        assertEquals(KernelException.ROW_RANGE, code(() -> onRows(core, -1, new int[2])), "first -1");
        assertEquals(KernelException.ROW_RANGE, code(() -> onRows(core, Integer.MAX_VALUE, new int[2])),
                "first + n wraps");
        KernelException e = assertThrows(KernelException.class, () -> onRows(core, 3, new int[ROWS - 2]));
        assertTrue(e.getMessage().contains("ROW_RANGE") && e.getMessage().contains("rows 3 .. 11")
                && e.getMessage().contains("of 11 rows"), e.getMessage());
        assertThrows(NullPointerException.class, () -> onRows(core, 0, null));
        assertSameState(p, "refused calls change nothing");
    }

    /** Random inputs of a block: words, or float bits. */
    private static int[] inputs(boolean fixedPoint, Random rnd) {
        return fixedPoint ? FixedPointBlockTest.randomWords(rnd, ROWS, 1.5) : floatBits(rnd, ROWS);
    }

    /** A pair of fused inference blocks, s16.15 (tanh) or float32 (relu), random weights and bias. */
    private static Pair inferenceBlocks(boolean fixedPoint, Random rnd) {
        return fixedPoint
                ? words(fixedBlock(null), FixedPointBlockTest.randomWords(rnd, ROWS * COLS, 0.7),
                        FixedPointBlockTest.randomWords(rnd, COLS, 0.4))
                : floats(Kernels.dense(ROWS, COLS, true, KernelActivation.RELU, 0f, OUT,
                        List.of(KeyRange.data(IN, ROWS, 0))), Kernels.randomArray(rnd, ROWS * COLS, 0.5),
                        Kernels.randomArray(rnd, COLS, 0.5));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRowTwiceStopsTheCallThereAsItsPacketWould(boolean fixedPoint) {
        Random rnd = new Random(9);
        Pair p = inferenceBlocks(fixedPoint, rnd);
        int[] x = inputs(fixedPoint, rnd);
        feed(p, x, new int[][] {{3, 2}}, "rows 3 and 4");
        for (int i = 0; i < 3; i++) {
            Kernels.deliver(p.packets(), new Packet(IN + i, x[i]));
        }
        assertEquals(KernelException.DUPLICATE_ROW, code(() -> Kernels.deliver(p.packets(), new Packet(IN + 3, x[3]))));
        assertEquals(KernelException.DUPLICATE_ROW, code(() -> onRows(p.rows(), 0, Arrays.copyOf(x, 6))),
                "row 3 again, after rows 0 .. 2");
        assertEquals(0, p.rows().lastRowsAccumulated(), "a refused event reports no rows");
        assertSameState(p, "rows 0 .. 2 filed, as their packets were; row 3 refused, 5 never reached");
        assertEquals(5, p.rows().receivedCount());
        feed(p, x, new int[][] {{5, ROWS - 5}}, "the sample's other rows");
        assertEquals(0, p.rows().receivedCount(), "the sample completed");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCallThatCompletesTheSampleFilesItsLaterRowsAsTheNextSamplesAsTheirPacketsWould(boolean fixedPoint) {
        Random rnd = new Random(11);
        Pair p = inferenceBlocks(fixedPoint, rnd);
        int[] x = inputs(fixedPoint, rnd);
        Tally t = feed(p, x, new int[][] {{5, ROWS - 5}, {0, ROWS}, {0, 5}}, "rows 0 .. 4 complete sample 0");
        assertEquals(2 * COLS, t.sent.size(), "both samples' outputs");
        assertEquals(0, p.rows().receivedCount());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aTrainingBlockWithItsRingFullRefusesTheNextSamplesRows(boolean fixedPoint) {
        Random rnd = new Random(10);
        Pair p = fixedPoint
                ? words(fixedBlock(fixedTraining(1)), FixedPointBlockTest.randomWords(rnd, ROWS * COLS, 0.7),
                        FixedPointBlockTest.randomWords(rnd, COLS, 0.4))
                : floats(floatTraining(1), Kernels.randomArray(rnd, ROWS * COLS, 0.5), null);
        int[] x = inputs(fixedPoint, rnd);
        feed(p, x, PLANS[0], "sample 0");
        assertEquals(KernelException.IN_FLIGHT, code(() -> Kernels.deliver(p.packets(), new Packet(IN, x[0]))));
        assertEquals(KernelException.IN_FLIGHT, code(() -> onRows(p.rows(), 0, x)), "one sample held, one entry");
        assertSameState(p, "nothing of sample 1 filed");
        assertEquals(0, p.rows().receivedCount(), "no row of sample 1 in");
    }
}
