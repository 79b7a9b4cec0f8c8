package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class DenseBlockTest {

    private static final int N_ROWS = 7;
    private static final int N_COLS = 5;
    private static final int OUT = 0xF000_0000;
    // rows 0..3 on keys 0x80000010.., rows 4..6 on keys 0x00002000..
    private static final List<KeyRange> INPUTS = List.of(
            KeyRange.data(0x8000_0010, 4, 0),
            KeyRange.data(0x0000_2000, 3, 4));

    private static List<Packet> rowPackets(float[] x) {
        List<Packet> list = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            int key = i < 4 ? 0x8000_0010 + i : 0x2000 + (i - 4);
            list.add(new Packet(key, Float.floatToRawIntBits(x[i])));
        }
        return list;
    }

    /** Feeds one sample's rows in a shuffled order; only the last row may send. */
    private static List<Packet> runSample(KernelCore core, float[] x, Random rnd) {
        List<Packet> rows = rowPackets(x);
        Collections.shuffle(rows, rnd);
        List<Packet> sent = List.of();
        for (int k = 0; k < rows.size(); k++) {
            sent = Kernels.deliver(core, rows.get(k));
            if (k < rows.size() - 1) {
                assertEquals(0, sent.size(), "a block sends nothing before its last row");
                assertEquals(k + 1, core.receivedCount());
            }
        }
        assertEquals(0, core.receivedCount(), "the block resets after a sample");
        return sent;
    }

    /**
     * A state saved part-way through a sample and put back: the rows filed after it are forgotten, and the sample
     * sent again from there gives what it gives without the detour; a state of another config is refused.
     */
    @Test
    void aSavedStateRestoredForgetsWhatCameAfterIt() {
        Random rnd = new Random(7);
        float[] w = Kernels.randomArray(rnd, N_ROWS * N_COLS, 0.8);
        float[] b = Kernels.randomArray(rnd, N_COLS, 0.5);
        KernelCore core = new KernelCore();
        core.load(Kernels.dense(N_ROWS, N_COLS, true, KernelActivation.TANH, 0.01f, OUT, INPUTS), w, b);
        float[] x = Kernels.randomArray(rnd, N_ROWS, 1.5);
        List<Packet> rows = rowPackets(x);
        Kernels.deliver(core, rows.get(0));
        byte[] saved = core.saveState();
        Kernels.deliver(core, rows.get(1));
        Kernels.deliver(core, rows.get(2));
        assertEquals(3, core.receivedCount());
        core.restoreState(saved);
        assertEquals(1, core.receivedCount(), "rows 1 and 2 forgotten");
        List<Packet> sent = List.of();
        for (int i = 1; i < N_ROWS; i++) {
            sent = Kernels.deliver(core, rows.get(i));
        }
        float[] z = Kernels.add(Kernels.matVec(x, w, N_ROWS, N_COLS), b);
        float[] expected = new float[N_COLS];
        for (int j = 0; j < N_COLS; j++) {
            expected[j] = Kernels.activate(KernelActivation.TANH, 0.01f, z[j]);
        }
        Kernels.assertAllClose(expected, Kernels.valuesByKey(sent, OUT, N_COLS), 1e-6, "after the restore");
        KernelCore other = new KernelCore();
        other.load(Kernels.dense(N_ROWS + 1, N_COLS, true, KernelActivation.TANH, 0.01f, OUT, INPUTS),
                Kernels.randomArray(rnd, (N_ROWS + 1) * N_COLS, 0.8), b);
        assertThrows(IllegalArgumentException.class, () -> other.restoreState(saved));
    }

    @ParameterizedTest
    @EnumSource(KernelActivation.class)
    void fusedBlockMatchesJavaReference(KernelActivation act) {
        Random rnd = new Random(42 + act.ordinal());
        float alpha = act == KernelActivation.ELU ? 1.0f : 0.01f;
        float[] w = Kernels.randomArray(rnd, N_ROWS * N_COLS, 0.8);
        float[] b = Kernels.randomArray(rnd, N_COLS, 0.5);
        KernelCore core = new KernelCore();
        core.load(Kernels.dense(N_ROWS, N_COLS, true, act, alpha, OUT, INPUTS), w, b);
        assertEquals(N_COLS, core.maxSendsPerEvent());

        for (int sample = 0; sample < 4; sample++) {
            float[] x = Kernels.randomArray(rnd, N_ROWS, 1.5);
            List<Packet> sent = runSample(core, x, rnd);
            assertEquals(N_COLS, sent.size());
            for (int j = 0; j < N_COLS; j++) {
                assertEquals(OUT + j, sent.get(j).key(), "outputs are sent in order of j");
            }
            float[] z = Kernels.add(Kernels.matVec(x, w, N_ROWS, N_COLS), b);
            float[] expected = new float[N_COLS];
            if (act == KernelActivation.SOFTMAX) {
                expected = Kernels.softmax(z);
            } else {
                for (int j = 0; j < N_COLS; j++) {
                    expected[j] = Kernels.activate(act, alpha, z[j]);
                }
            }
            Kernels.assertAllClose(expected, Kernels.valuesByKey(sent, OUT, N_COLS), 1e-6, act + " sample " + sample);
        }
    }

    @Test
    void activationsAtTheirEdges() {
        // one row with weight 1 and bias 0: outputs are act(x) for chosen x
        float[] xs = {-30f, -20.5f, -1.5f, -1f, -1e-4f, 0f, 1e-4f, 0.999f, 1f, 1.5f, 19.9f, 20f, 20.5f, 40f, 90f};
        for (KernelActivation act : KernelActivation.values()) {
            if (act == KernelActivation.SOFTMAX) {
                continue;
            }
            float alpha = 0.3f;
            KernelCore core = new KernelCore();
            core.load(Kernels.dense(1, 1, true, act, alpha, 0, List.of(KeyRange.data(7, 1, 0))),
                    new float[] {1f}, new float[] {0f});
            for (float x : xs) {
                List<Packet> sent = Kernels.deliver(core, new Packet(7, Float.floatToRawIntBits(x)));
                assertEquals(1, sent.size());
                float y = sent.get(0).value();
                Kernels.assertClose(Kernels.activate(act, alpha, x), y, 1e-6, act + "(" + x + ")");
            }
        }
    }

    @Test
    void partialBlockSendsWideSumsInRowOrder() {
        Random rnd = new Random(7);
        float[] w = Kernels.randomArray(rnd, N_ROWS * N_COLS, 1.0);
        KernelCore core = new KernelCore();
        core.load(Kernels.dense(N_ROWS, N_COLS, false, KernelActivation.TANH, 0f, OUT, INPUTS), w, null);
        for (int sample = 0; sample < 3; sample++) {
            float[] x = Kernels.randomArray(rnd, N_ROWS, 3.0);
            float[] got = Kernels.valuesByKey(runSample(core, x, rnd), OUT, N_COLS);
            float[] expected = Kernels.matVec(x, w, N_ROWS, N_COLS);
            for (int j = 0; j < N_COLS; j++) {
                assertEquals(Float.floatToIntBits(expected[j]), Float.floatToIntBits(got[j]),
                        "partial " + j + " is the wide sum in order of rows, bit for bit, and no activation");
            }
        }
    }

    @Test
    void reloadReplacesWeights() {
        Random rnd = new Random(3);
        KernelCore core = new KernelCore();
        KernelConfig config = Kernels.dense(N_ROWS, N_COLS, false, KernelActivation.IDENTITY, 0f, OUT, INPUTS);
        float[] x = Kernels.randomArray(rnd, N_ROWS, 1.0);
        float[] w1 = Kernels.randomArray(rnd, N_ROWS * N_COLS, 1.0);
        float[] w2 = Kernels.randomArray(rnd, N_ROWS * N_COLS, 1.0);
        core.load(config, w1, null);
        // half a sample, then reload: the new state starts clean
        Kernels.deliver(core, rowPackets(x).get(0));
        core.load(config, w2, new float[0]);
        assertEquals(0, core.receivedCount());
        float[] got = Kernels.valuesByKey(runSample(core, x, rnd), OUT, N_COLS);
        Kernels.assertSameBits(Kernels.matVec(x, w2, N_ROWS, N_COLS), got, "after reload: the wide sums in order of rows");
    }
}
