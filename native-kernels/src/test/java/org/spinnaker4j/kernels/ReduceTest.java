package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReduceTest {

    private static final int N_IN = 11;
    private static final int N_OUT = 6;
    private static final int[] ROW_START = {0, 4, 8, 11};
    private static final int IN_KEY = 0x0100;
    private static final int OUT_KEY = 0x7000_0000;

    private static int partialKey(int block) {
        return 0x9000_0000 + 0x100 * block;
    }

    @ParameterizedTest
    @EnumSource(value = KernelActivation.class, names = {"IDENTITY", "RELU", "SIGMOID", "TANH", "SOFTMAX", "ELU"})
    void threeRowBlocksFeedOneReduce(KernelActivation act) {
        Random rnd = new Random(100 + act.ordinal());
        float alpha = 0.7f;
        float[] w = Kernels.randomArray(rnd, N_IN * N_OUT, 0.6);
        float[] b = Kernels.randomArray(rnd, N_OUT, 0.3);

        KernelCore[] blocks = new KernelCore[3];
        float[][] blockW = new float[3][];
        List<KeyRange> reduceInputs = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            int rows = ROW_START[k + 1] - ROW_START[k];
            blockW[k] = new float[rows * N_OUT];
            System.arraycopy(w, ROW_START[k] * N_OUT, blockW[k], 0, rows * N_OUT);
            blocks[k] = new KernelCore();
            // every block listens to the slice of input keys of its rows
            blocks[k].load(Kernels.dense(rows, N_OUT, false, KernelActivation.IDENTITY, 0f, partialKey(k),
                    List.of(KeyRange.data(IN_KEY + ROW_START[k], rows, 0))), blockW[k], null);
            reduceInputs.add(KeyRange.data(partialKey(k), N_OUT, 0));
        }
        KernelCore reduce = new KernelCore();
        reduce.load(Kernels.reduce(N_OUT, 3, act, alpha, OUT_KEY, reduceInputs), null, b);

        for (int sample = 0; sample < 3; sample++) {
            float[] x = Kernels.randomArray(rnd, N_IN, 1.0);
            List<Packet> partials = new ArrayList<>();
            for (int i = 0; i < N_IN; i++) {
                int k = i < 4 ? 0 : i < 8 ? 1 : 2;
                partials.addAll(Kernels.deliver(blocks[k], new Packet(IN_KEY + i, Float.floatToRawIntBits(x[i]))));
            }
            assertEquals(3 * N_OUT, partials.size());
            Collections.shuffle(partials, rnd);

            // the reference: block partials in Java, accumulated in the delivery order
            float[][] javaPartials = new float[3][];
            for (int k = 0; k < 3; k++) {
                int rows = ROW_START[k + 1] - ROW_START[k];
                float[] xk = new float[rows];
                System.arraycopy(x, ROW_START[k], xk, 0, rows);
                javaPartials[k] = Kernels.matVec(xk, blockW[k], rows, N_OUT);
            }
            float[] acc = new float[N_OUT];
            List<Packet> out = new ArrayList<>();
            Kernels.ColumnOrder order = new Kernels.ColumnOrder(N_OUT, 3, OUT_KEY);
            for (int p = 0; p < partials.size(); p++) {
                Packet packet = partials.get(p);
                int k = (packet.key() - 0x9000_0000) / 0x100;
                int j = packet.key() - partialKey(k);
                assertEquals(Float.floatToIntBits(javaPartials[k][j]), Float.floatToIntBits(packet.value()),
                        "block " + k + " partial " + j);
                acc[j] += javaPartials[k][j];
                List<Packet> sent = Kernels.deliver(reduce, packet);
                List<Integer> keys = sent.stream().map(Packet::key).toList();
                if (act == KernelActivation.SOFTMAX) {
                    assertEquals(p == partials.size() - 1 ? N_OUT : 0, sent.size(), "a softmax sends when z is whole");
                } else {
                    assertEquals(order.keysAfter(j), keys, "each column once its partials are in, in order");
                }
                out.addAll(sent);
            }
            float[] z = Kernels.add(acc, b);
            float[] expected = new float[N_OUT];
            if (act == KernelActivation.SOFTMAX) {
                expected = Kernels.softmax(z);
            } else {
                for (int j = 0; j < N_OUT; j++) {
                    expected[j] = Kernels.activate(act, alpha, z[j]);
                }
            }
            float[] got = Kernels.valuesByKey(out, OUT_KEY, N_OUT);
            Kernels.assertAllClose(expected, got, 1e-6, act + " sample " + sample);

            // and against the unsplit layer computed in double
            for (int j = 0; j < N_OUT; j++) {
                double s = b[j];
                for (int i = 0; i < N_IN; i++) {
                    s += (double) x[i] * w[i * N_OUT + j];
                }
                z[j] = (float) s;
            }
            float[] whole = act == KernelActivation.SOFTMAX ? Kernels.softmax(z) : new float[N_OUT];
            if (act != KernelActivation.SOFTMAX) {
                for (int j = 0; j < N_OUT; j++) {
                    whole[j] = Kernels.activate(act, alpha, z[j]);
                }
            }
            Kernels.assertAllClose(whole, got, 1e-5, act + " vs unsplit layer");
            assertEquals(0, reduce.receivedCount());
        }
    }
}
