package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A block multiplies each row into its sums as soon as every row before it has arrived: whatever order the rows come
 * in, it sums in order of row, so its outputs are the bits of an in-order delivery, and each event reports the rows it
 * multiplied ({@link KernelCore#lastRowsAccumulated()}), which the simulator charges.
 */
class FusedReceiveMacTest {

    private static final int ROWS = 7;
    private static final int COLS = 3;
    private static final int IN = 0x100;
    private static final int OUT = 0x900;

    /** Inputs whose sum depends on the order: big values cancel, and the small ones survive only in some. */
    private static final float[] X = {1e8f, 1f, -1e8f, 7e7f, -7e7f, 0.3f, 3e-2f};
    /** Every row has the same weight in a column, an exact power of two, so each column keeps that property. */
    private static final float[] COLUMN_WEIGHT = {1f, 2f, -0.5f};

    private static float[] weights() {
        float[] w = new float[ROWS * COLS];
        for (int i = 0; i < w.length; i++) {
            w[i] = COLUMN_WEIGHT[i % COLS];
        }
        return w;
    }

    private static KernelCore block(boolean fused) {
        KernelCore core = new KernelCore();
        core.load(Kernels.dense(ROWS, COLS, fused, KernelActivation.TANH, 0f, OUT, List.of(KeyRange.data(IN, ROWS, 0))),
                weights(), fused ? new float[] {0.25f, -0.5f, 0f} : null);
        return core;
    }

    /** Delivers the rows of {@link #X} in {@code order}; returns the output bits and the rows each event reported. */
    private static int[][] run(KernelCore core, List<Integer> order) {
        int[] rowsPerEvent = new int[ROWS];
        List<Packet> sent = List.of();
        for (int k = 0; k < ROWS; k++) {
            int i = order.get(k);
            sent = Kernels.deliver(core, new Packet(IN + i, Float.floatToRawIntBits(X[i])));
            rowsPerEvent[k] = core.lastRowsAccumulated();
        }
        return new int[][] {Kernels.bits(Kernels.valuesByKey(sent, OUT, COLS)), rowsPerEvent};
    }

    private static List<Integer> inOrder() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            order.add(i);
        }
        return order;
    }

    @Test
    void theDataSumsDifferentlyInAnotherOrder() {
        // so the next test would catch a block that summed in arrival order
        float[] w = weights();
        for (int j = 0; j < COLS; j++) {
            WideSum forward = new WideSum();
            WideSum backward = new WideSum();
            for (int i = 0; i < ROWS; i++) {
                forward.add(X[i], w[i * COLS + j]);
                backward.add(X[ROWS - 1 - i], w[(ROWS - 1 - i) * COLS + j]);
            }
            assertNotEquals(Float.floatToIntBits(forward.value()), Float.floatToIntBits(backward.value()),
                    "column " + j);
        }
    }

    @Test
    void rowsInAnyOrderGiveTheBitsOfRowsInOrder() {
        Random rnd = new Random(11);
        for (boolean fused : new boolean[] {false, true}) {
            int[] expected = run(block(fused), inOrder())[0];
            if (!fused) {
                assertArrayEquals(Kernels.bits(Kernels.matVec(X, weights(), ROWS, COLS)), expected,
                        "a partial block sends the sums in order of row");
            }
            KernelCore core = block(fused);
            List<Integer> order = inOrder();
            Collections.reverse(order);
            for (int sample = 0; sample < 12; sample++) {
                assertArrayEquals(expected, run(core, order)[0],
                        (fused ? "fused" : "partial") + " block, rows in order " + order);
                Collections.shuffle(order, rnd);
            }
        }
    }

    @Test
    void eachEventReportsTheRowsItMultipliedIn() {
        KernelCore core = block(true);
        // row 2 waits for 0 and 1; 1 brings 2 along; 4 waits for 3; the last row, 5, brings 6 and completes
        assertArrayEquals(new int[] {0, 1, 2, 0, 2, 0, 2}, run(core, List.of(2, 0, 1, 4, 3, 6, 5))[1]);
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1}, run(core, inOrder())[1],
                "in order, every row is multiplied in as it arrives");
        // a rejected duplicate reports nothing
        Kernels.deliver(core, new Packet(IN + 1, 0));
        assertEquals(0, core.lastRowsAccumulated(), "row 1 waits for row 0");
        Kernels.assertThrowsWith(KernelException.class, () -> Kernels.deliver(core, new Packet(IN + 1, 0)),
                "DUPLICATE_ROW");
        assertEquals(0, core.lastRowsAccumulated());
        Kernels.deliver(core, new Packet(IN, 0));
        assertEquals(2, core.lastRowsAccumulated());
    }

    @Test
    void otherKindsAccumulateNoRows() {
        KernelCore reduce = new KernelCore();
        reduce.load(Kernels.reduce(2, 1, KernelActivation.IDENTITY, 0f, OUT, List.of(KeyRange.data(IN, 2, 0))), null,
                new float[2]);
        Kernels.deliver(reduce, new Packet(IN, 0));
        Kernels.deliver(reduce, new Packet(IN + 1, 0));
        assertEquals(0, reduce.lastRowsAccumulated(), "a reduce adds partials, it multiplies no rows");
        KernelCore source = new KernelCore();
        source.load(Kernels.source(2, OUT), null, null);
        source.loadInput(new float[] {1f, 2f});
        assertEquals(2, Kernels.start(source).size());
        assertEquals(0, source.lastRowsAccumulated());
    }
}
