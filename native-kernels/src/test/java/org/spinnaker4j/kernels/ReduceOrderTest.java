package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;

/**
 * A core summing partials from several blocks (a REDUCE's forward partial sums, a hidden activator's backward
 * partials) adds them in range-table order once all are in, so the result does not depend on the order in which
 * the simulator happens to deliver them. The values are chosen so that float addition order changes the result:
 * in table order (1e8 + 1) - 1e8 + 1 = 1, in another order 1e8 - 1e8 + 1 + 1 = 2.
 */
class ReduceOrderTest {

    private static final int N = 2;
    private static final int BLOCKS = 4;
    private static final int OUT = 0x7000;
    private static final int DELTA = 0x6000;
    /** Partial of output j from block k: output 0 is sensitive to order, output 1 too (scaled and negated). */
    private static final float[][] PARTIALS = {
        {1e8f, -3e8f},
        {1f, 3f},
        {-1e8f, 3e8f},
        {1f, 3f},
    };

    private static int blockKey(int k) {
        return 0x1000 + 0x100 * k;
    }

    private static int backKey(int k) {
        return 0x2000 + 0x100 * k;
    }

    /** Partials added in block (range-table) order, as the kernel must. */
    private static float tableOrderSum(int j) {
        float acc = 0f;
        for (int k = 0; k < BLOCKS; k++) {
            acc += PARTIALS[k][j];
        }
        return acc;
    }

    private static List<Packet> partials(java.util.function.IntUnaryOperator keyOf, int[] order) {
        List<Packet> list = new ArrayList<>();
        for (int k : order) {
            for (int j = 0; j < N; j++) {
                list.add(new Packet(keyOf.applyAsInt(k) + j, Float.floatToRawIntBits(PARTIALS[k][j])));
            }
        }
        return list;
    }

    /** Table order 0,1,2,3 and an arrival order in which the big values cancel first. */
    private static final int[] IN_ORDER = {0, 1, 2, 3};
    private static final int[] OTHER_ORDER = {2, 0, 3, 1};

    private static float[] forward(int[] order) {
        List<KeyRange> in = new ArrayList<>();
        for (int k = 0; k < BLOCKS; k++) {
            in.add(KeyRange.data(blockKey(k), N, 0));
        }
        KernelCore reduce = new KernelCore();
        reduce.load(Kernels.reduce(N, BLOCKS, KernelActivation.IDENTITY, 0f, OUT, in), null, new float[N]);
        List<Packet> sent = new ArrayList<>();
        for (Packet p : partials(ReduceOrderTest::blockKey, order)) {
            sent.addAll(Kernels.deliver(reduce, p));
        }
        assertEquals(N, sent.size());
        return Kernels.valuesByKey(sent, OUT, N);
    }

    @Test
    void forwardPartialsSumInRangeTableOrder() {
        // sanity: the values really are order-sensitive in float
        assertNotEquals(Float.floatToRawIntBits(1e8f + -1e8f + 1f + 1f), Float.floatToRawIntBits(tableOrderSum(0)));
        float[] a = forward(IN_ORDER);
        float[] b = forward(OTHER_ORDER);
        for (int j = 0; j < N; j++) {
            assertEquals(Float.floatToRawIntBits(a[j]), Float.floatToRawIntBits(b[j]), "output " + j);
            assertEquals(Float.floatToRawIntBits(tableOrderSum(j)), Float.floatToRawIntBits(a[j]), "output " + j);
        }
    }

    @Test
    void secondPartialFromTheSameRangeIsRejected() {
        KernelCore reduce = new KernelCore();
        reduce.load(Kernels.reduce(N, 2, KernelActivation.IDENTITY, 0f, OUT,
                List.of(KeyRange.data(blockKey(0), N, 0), KeyRange.data(blockKey(1), N, 0))), null, new float[N]);
        Kernels.deliver(reduce, new Packet(blockKey(0) + 1, Float.floatToRawIntBits(1f)));
        KernelException e = assertThrows(KernelException.class,
                () -> Kernels.deliver(reduce, new Packet(blockKey(0) + 1, Float.floatToRawIntBits(1f))));
        assertEquals(KernelException.TOO_MANY_PARTIALS, e.code());
        assertEquals(1, reduce.receivedCount());
    }

    /** Backward ranges of a hidden activator, with IGNORE ranges in between that do not count as blocks. */
    private static List<KeyRange> backwardRanges() {
        List<KeyRange> in = new ArrayList<>();
        for (int k = 0; k < BLOCKS; k++) {
            in.add(KeyRange.backwardPartial(backKey(k), N, 0));
            in.add(KeyRange.ignore(0x5000 + 0x100 * k, 4));
        }
        return in;
    }

    /** A hidden IDENTITY REDUCE with one forward partial range and the backward ranges, loaded. */
    private static KernelCore hiddenReduce() {
        List<KeyRange> in = new ArrayList<>();
        in.add(KeyRange.data(0x10, N, 0));
        in.addAll(backwardRanges());
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.REDUCE, 0, N, KernelActivation.IDENTITY, 0f, false, OUT, 1, 0, 0, in,
                TrainingReference.hidden(Hyper.sgd(1f), DELTA, 0, BLOCKS, false)), null, new float[N]);
        return core;
    }

    /** Hidden IDENTITY REDUCE: its deltas are the backward partials' sums. */
    private static float[] reduceBackward(int[] order) {
        KernelCore core = hiddenReduce();
        for (int j = 0; j < N; j++) {
            Kernels.deliver(core, new Packet(0x10 + j, Float.floatToRawIntBits(0.5f)));
        }
        List<Packet> sent = new ArrayList<>();
        for (Packet p : partials(ReduceOrderTest::backKey, order)) {
            sent.addAll(Kernels.deliver(core, p));
        }
        assertEquals(N, sent.size());
        return Kernels.valuesByKey(sent, DELTA, N);
    }

    /** Hidden fused IDENTITY block with zero bias, SGD lr 1, batch 1: its new bias is minus the partials' sums. */
    private static float[] fusedBackward(int[] order) {
        List<KeyRange> in = new ArrayList<>();
        in.add(KeyRange.data(0x10, 1, 0));
        in.addAll(backwardRanges());
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.DENSE_BLOCK, 1, N, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0,
                in, TrainingReference.hidden(Hyper.sgd(1f), 0, 0, BLOCKS, false)), new float[N], new float[N]);
        assertEquals(N, Kernels.deliver(core, new Packet(0x10, Float.floatToRawIntBits(0.5f))).size());
        for (Packet p : partials(ReduceOrderTest::backKey, order)) {
            Kernels.deliver(core, p);
        }
        Kernels.applyUpdate(core, 1, 0);
        float[] b = core.readBias();
        for (int j = 0; j < N; j++) {
            b[j] = -b[j];
        }
        return b;
    }

    @Test
    void backwardPartialsSumInRangeTableOrder() {
        float[][] results = {
            reduceBackward(IN_ORDER), reduceBackward(OTHER_ORDER), fusedBackward(IN_ORDER), fusedBackward(OTHER_ORDER),
        };
        for (float[] r : results) {
            for (int j = 0; j < N; j++) {
                assertEquals(Float.floatToRawIntBits(tableOrderSum(j)), Float.floatToRawIntBits(r[j]), "output " + j);
            }
        }
        for (int j = 0; j < N; j++) {
            assertEquals(Float.floatToRawIntBits(results[0][j]), Float.floatToRawIntBits(results[1][j]), "reduce " + j);
            assertEquals(Float.floatToRawIntBits(results[2][j]), Float.floatToRawIntBits(results[3][j]), "fused " + j);
        }
    }

    @Test
    void secondBackwardPartialFromTheSameRangeIsRejected() {
        KernelCore core = hiddenReduce();
        Kernels.deliver(core, new Packet(0x10, 0));
        Kernels.deliver(core, new Packet(0x11, 0));
        Kernels.deliver(core, new Packet(backKey(2), 0));
        KernelException e = assertThrows(KernelException.class,
                () -> Kernels.deliver(core, new Packet(backKey(2), 0)));
        assertEquals(KernelException.TOO_MANY_BACKWARD, e.code());
    }
}
