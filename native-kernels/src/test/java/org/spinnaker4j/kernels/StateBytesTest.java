package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateBytesTest {

    /** Bytes every state starts with: the header and the layout s4j_load caches, before the range table. */
    private static final int HEAD = Kernels.RANGE_TABLE_BYTE;
    /** Bytes of a training state's training header. */
    private static final int TRAIN_HEADER = 64 * 4;

    private static int denseBytes(int rows, int cols, boolean fused) {
        return KernelCore.stateBytes(Kernels.dense(rows, cols, fused, KernelActivation.RELU, 0f, 0,
                List.of(KeyRange.data(0, rows, 0))));
    }

    @Test
    void stateBytesGrowsWithTheWeightBlock() {
        int previous = 0;
        for (int rows : new int[] {1, 7, 32, 33, 100}) {
            for (int cols : new int[] {1, 5, 64, 100}) {
                int bytes = denseBytes(rows, cols, true);
                int weights = rows * cols * 4;
                assertTrue(bytes >= weights, rows + " x " + cols);
                // the rest is header, range table, bias, x, z, z's accumulators and a row bitmap: linear in rows + cols
                assertTrue(bytes - weights <= HEAD + 20 + 8 * rows + 20 * cols, rows + " x " + cols + ": " + bytes);
                // one more row costs its weights, its x and at most one bitmap word
                int moreRows = denseBytes(rows + 1, cols, true) - bytes;
                assertTrue(moreRows >= cols * 4 + 4 && moreRows <= cols * 4 + 8, "row step " + moreRows);
                // one more column costs its weights, its bias, its z and its accumulator (12 bytes)
                assertEquals(rows * 4 + 20, denseBytes(rows, cols + 1, true) - bytes, "column step");
                if (cols == 1) {
                    assertTrue(bytes > previous);
                }
                previous = cols == 1 ? bytes : previous;
            }
        }
        assertTrue(denseBytes(10, 10, true) > denseBytes(10, 10, false), "a fused block also holds a bias");
        assertTrue(denseBytes(2, 2, false) > 0);
    }

    @Test
    void moreInputRangesCostMoreBytes() {
        List<KeyRange> ranges = new ArrayList<>();
        int previous = 0;
        for (int k = 0; k < 8; k++) {
            ranges.add(KeyRange.data(0x1000 * k, 2, 2 * k));
            int bytes = KernelCore.stateBytes(Kernels.sink(16, ranges));
            assertTrue(bytes > previous);
            previous = bytes;
        }
    }

    private static int reduceBytes(int cols, int dataRanges, int ignoreRanges, TrainingConfig training) {
        List<KeyRange> ranges = new ArrayList<>();
        for (int k = 0; k < dataRanges; k++) {
            ranges.add(KeyRange.data(0x1000 * k, cols, 0));
        }
        for (int k = 0; k < ignoreRanges; k++) {
            ranges.add(KeyRange.ignore(0x100000 + 0x1000 * k, 4));
        }
        return KernelCore.stateBytes(new KernelConfig(KernelKind.REDUCE, 0, cols, KernelActivation.TANH, 0f, false,
                0, Math.max(1, dataRanges), 0, 0, ranges, training));
    }

    private static int words(int bits) {
        return (bits + 31) / 32;
    }

    @Test
    void reduceHoldsOnePartialSlotPerRangeAndOutput() {
        // A REDUCE stores each partial in a slot (range s, output j) and sums the slots in range-table order once
        // all are in, so that the sum does not depend on arrival order. The slot table has a row per range other
        // than SOFTMAX_SYNC (n_src = n_ranges - softmax_peers, a function of the shape alone, which is all the
        // mapper's size probe knows; IGNORE ranges get an unused row). Its state is: HEAD, 16 bytes per range,
        // bias, acc and counts (3 x 4 x cols), the slots (4 x n_src x cols) and a slot bitmap of
        // ceil(n_src x cols / 32) words.
        for (int cols : new int[] {1, 5, 32, 33, 100}) {
            for (int d = 1; d <= 5; d++) {
                int expected = HEAD + 16 * d + 12 * cols + 4 * d * cols + 4 * words(d * cols);
                assertEquals(expected, reduceBytes(cols, d, 0, null), cols + " cols, " + d + " ranges");
                int n = d + 3;
                // a reduce expecting one partial per output (d = 1 here: expected partials max(1, d)) keeps one row
                int rows = d == 1 ? 1 : n;
                assertEquals(HEAD + 16 * n + 12 * cols + 4 * rows * cols + 4 * words(rows * cols),
                        reduceBytes(cols, d, 3, null), "IGNORE ranges hold slot rows too");
            }
        }
        // SOFTMAX_SYNC ranges hold no slots: 2 DATA ranges + 1 peer, 4 cols = header, 3 ranges, 1 peer entry
        // (12 bytes), 3 x 4 x 4, 2 x 4 slots and 1 bitmap word
        KernelConfig softmax = new KernelConfig(KernelKind.REDUCE, 0, 4, KernelActivation.SOFTMAX, 0f, false, 0, 2,
                1, 0x900, List.of(KeyRange.data(0, 4, 0), KeyRange.data(0x10, 4, 0), KeyRange.softmaxSync(0x900)));
        assertEquals(HEAD + 3 * 16 + 12 + 48 + 32 + 4, KernelCore.stateBytes(softmax));
    }

    @Test
    void trainingReduceKeepsItsBackwardPartialsInATableOfTheirOwn() {
        // A training hidden REDUCE keeps each backward partial in the slot of its BACKWARD_PARTIAL range, in a
        // table of its own (one sample's backward partials arrive while later samples' forward partials do). Both
        // tables have a row per range other than SOFTMAX_SYNC, so a backward range costs 16 bytes of range entry,
        // 4 x cols of slots in each table and the growth of both bitmaps (a reduce of two row blocks here: one
        // expecting a single partial per output keeps one forward row, RelaySlotTest).
        int cols = 7;
        for (int b = 1; b <= 4; b++) {
            TrainingConfig hidden = TrainingReference.hidden(TrainingReference.Hyper.sgd(0.1f), 0x100, 0, b, false);
            List<KeyRange> ranges = new ArrayList<>();
            ranges.add(KeyRange.data(0, cols, 0));
            ranges.add(KeyRange.data(0x800, cols, 0));
            for (int k = 0; k < b; k++) {
                ranges.add(KeyRange.backwardPartial(0x1000 * (k + 1), cols, 0));
            }
            int withBack = KernelCore.stateBytes(new KernelConfig(KernelKind.REDUCE, 0, cols, KernelActivation.TANH,
                    0f, false, 0, 2, 0, 0, ranges, hidden));
            int n = 2 + b;
            assertEquals(reduceBytes(cols, 2, 0, hidden) + b * (16 + 2 * 4 * cols)
                    + 2 * 4 * (words(n * cols) - words(2 * cols)), withBack, b + " backward ranges");
        }
    }

    @Test
    void trainingFusedHiddenBlockHoldsBackwardSlots() {
        // A fused hidden block sums its backward partials through a slot table like a REDUCE's (n_src x cols
        // floats and a bitmap) in its training part; an output-layer fused block (no backward partials) has none.
        int rows = 3;
        int cols = 5;
        List<KeyRange> ranges = List.of(KeyRange.data(0, rows, 0), KeyRange.backwardPartial(0x100, cols, 0),
                KeyRange.backwardPartial(0x200, cols, 0));
        KernelConfig inference = new KernelConfig(KernelKind.DENSE_BLOCK, rows, cols, KernelActivation.TANH, 0f, true,
                0x900, 0, 0, 0, List.of(KeyRange.data(0, rows, 0), KeyRange.ignore(0x100, cols),
                        KeyRange.ignore(0x200, cols)));
        TrainingConfig hidden = TrainingReference.hidden(TrainingReference.Hyper.sgd(0.1f), 0, 0, 2, false);
        int training = KernelCore.stateBytes(new KernelConfig(KernelKind.DENSE_BLOCK, rows, cols,
                KernelActivation.TANH, 0f, true, 0x900, 0, 0, 0, ranges, hidden));
        // SGD training part: training header, delta, dW, y, z, db, e acc, e counts, then the slots
        int trainingPart = TRAIN_HEADER + 4 * cols + 4 * rows * cols + 5 * 4 * cols + 4 * 3 * cols + 4 * words(3 * cols);
        assertEquals(KernelCore.stateBytes(inference) + trainingPart, training);
    }

    @Test
    void anL2GradientNormalizationHoldsEveryPositionsPartials() {
        // two partial sums per position (its own and each peer's) and their bitmap; a NORM range takes 16 bytes as
        // every range, but no slot row of a reduce's partial table
        int cols = 6;
        for (int peers : new int[] {0, 1, 5, 40}) {
            List<KeyRange> ranges = new ArrayList<>(List.of(KeyRange.data(0, cols, 0), KeyRange.label(0x100, cols,
                    0)));
            TrainingConfig plain = TrainingReference.output(TrainingReference.Hyper.sgd(0.1f), LossKind.MSE, cols, 0,
                    0, 0x200, false);
            int without = KernelCore.stateBytes(new KernelConfig(KernelKind.REDUCE, 0, cols, KernelActivation.TANH,
                    0f, false, 0x300, 1, 0, 0, ranges, plain));
            for (int p = 0; p < peers; p++) {
                ranges.add(KeyRange.norm(0x1000 + 2 * p, 2, p + 1));
            }
            TrainingConfig normalized = plain.toBuilder().gradientNormalization(new GradientNormalizationConfig(
                    GradientNormalizationKind.CLIP_L2_PER_PARAM_TYPE, 1f, 0x400, peers, 0)).build();
            int with = KernelCore.stateBytes(new KernelConfig(KernelKind.REDUCE, 0, cols, KernelActivation.TANH, 0f,
                    false, 0x300, 1, 0, 0, ranges, normalized));
            assertEquals(16 * peers + 8 * (peers + 1) + 4 * words(2 * (peers + 1)), with - without, peers + " peers");
        }
    }

    @Test
    void javaAndCAgreeOnTheDtcmLimit() {
        int rows = 100;
        int cols = 1;
        while (denseBytes(rows, cols + 1, false) <= KernelCore.DTCM_BYTES) {
            cols++;
        }
        KernelCore core = new KernelCore();
        List<KeyRange> in = List.of(KeyRange.data(0, rows, 0));
        KernelConfig fits = Kernels.dense(rows, cols, false, KernelActivation.IDENTITY, 0f, 0, in);
        core.load(fits, new float[rows * cols], null);
        assertTrue(core.isLoaded());
        int wider = cols + 1;
        KernelConfig tooBig = Kernels.dense(rows, wider, false, KernelActivation.IDENTITY, 0f, 0, in);
        assertThrows(IllegalArgumentException.class, () -> core.load(tooBig, new float[rows * wider], null));
        assertTrue(KernelCore.stateBytes(tooBig) > KernelCore.DTCM_BYTES);
    }

    @Test
    void hugeConfigsSaturateInsteadOfOverflowing() {
        KernelConfig huge = Kernels.dense(1 << 20, 1 << 20, false, KernelActivation.IDENTITY, 0f, 0, List.of());
        assertEquals(Integer.MAX_VALUE, KernelCore.stateBytes(huge));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KernelCore().load(huge, null, null));
        assertTrue(e.getMessage().contains("needs"), e.getMessage());
    }
}
