package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxSplitTest {

    private static final int N_IN = 6;
    private static final int N_OUT = 9;
    private static final int PER_CORE = 3;
    private static final int IN_KEY = 0x0000_0100;
    private static final int OUT_KEY = 0x0000_9000;
    private static final int SYNC_KEY = 0xE000_0000;

    private static int syncBase(int core) {
        return SYNC_KEY + 16 * core;
    }

    private static KernelConfig splitCore(int c) {
        List<KeyRange> inputs = new ArrayList<>();
        inputs.add(KeyRange.data(IN_KEY, N_IN, 0));
        for (int p = 0; p < 3; p++) {
            if (p != c) {
                inputs.add(KeyRange.softmaxSync(syncBase(p)));
            }
        }
        return new KernelConfig(KernelKind.DENSE_BLOCK, N_IN, PER_CORE, KernelActivation.SOFTMAX, 0f, true,
                OUT_KEY + PER_CORE * c, 0, 2, syncBase(c), inputs);
    }

    private static float[] columns(float[] w, int nRows, int nCols, int from, int count) {
        float[] out = new float[nRows * count];
        for (int i = 0; i < nRows; i++) {
            System.arraycopy(w, i * nCols + from, out, i * count, count);
        }
        return out;
    }

    private static float[] singleCore(KernelCore single, float[] x) {
        List<Packet> sent = List.of();
        for (Packet p : Kernels.packets(IN_KEY, x)) {
            sent = Kernels.deliver(single, p);
        }
        return Kernels.valuesByKey(sent, OUT_KEY, N_OUT);
    }

    private static List<Packet> fill(KernelCore core, float[] x) {
        List<Packet> sent = List.of();
        for (Packet p : Kernels.packets(IN_KEY, x)) {
            sent = Kernels.deliver(core, p);
        }
        return sent;
    }

    private static List<Packet> expectSends(List<Packet> sent, int... keys) {
        assertEquals(keys.length, sent.size(), "sends " + sent);
        for (int k = 0; k < keys.length; k++) {
            assertEquals(keys[k], sent.get(k).key(), "send " + k);
        }
        return sent;
    }

    @Test
    void softmaxOverThreePeersEqualsSingleCoreSoftmax() {
        Random rnd = new Random(2024);
        float[] w = Kernels.randomArray(rnd, N_IN * N_OUT, 1.2);
        float[] b = Kernels.randomArray(rnd, N_OUT, 0.5);
        KernelCore single = new KernelCore();
        single.load(new KernelConfig(KernelKind.DENSE_BLOCK, N_IN, N_OUT, KernelActivation.SOFTMAX, 0f, true,
                OUT_KEY, 0, 0, 0, List.of(KeyRange.data(IN_KEY, N_IN, 0))), w, b);
        assertEquals(N_OUT, single.maxSendsPerEvent());

        List<KernelCore> cores = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            KernelCore core = new KernelCore();
            float[] bc = new float[PER_CORE];
            System.arraycopy(b, PER_CORE * c, bc, 0, PER_CORE);
            core.load(splitCore(c), columns(w, N_IN, N_OUT, PER_CORE * c, PER_CORE), bc);
            assertEquals(PER_CORE + 2, core.maxSendsPerEvent());
            cores.add(core);
        }
        KernelCore a = cores.get(0);
        KernelCore bb = cores.get(1);
        KernelCore c = cores.get(2);

        // sample 0: a scripted adversarial order
        float[] x = Kernels.randomArray(rnd, N_IN, 1.0);
        Packet maxA = expectSends(fill(a, x), syncBase(0)).get(0);
        Packet maxB = expectSends(fill(bb, x), syncBase(1)).get(0);
        expectSends(Kernels.deliver(c, maxA));              // peer maxes before C's z is complete
        expectSends(Kernels.deliver(c, maxB));
        expectSends(Kernels.deliver(bb, maxA));             // B still waits for C's max
        List<Packet> fromC = expectSends(fill(c, x), syncBase(2), syncBase(2) + 1); // max, then sum at once
        Packet maxC = fromC.get(0);
        Packet sumC = fromC.get(1);
        expectSends(Kernels.deliver(a, sumC));              // a sum before A has any peer max
        expectSends(Kernels.deliver(bb, sumC));
        Packet sumB = expectSends(Kernels.deliver(bb, maxC), syncBase(1) + 1).get(0);
        expectSends(Kernels.deliver(c, sumB));
        expectSends(Kernels.deliver(a, sumB));              // all sums in, maxes not
        expectSends(Kernels.deliver(a, maxB));
        List<Packet> outputs = new ArrayList<>();
        List<Packet> fromA = Kernels.deliver(a, maxC);      // A: sum, then its 3 outputs
        expectSends(fromA, syncBase(0) + 1, OUT_KEY, OUT_KEY + 1, OUT_KEY + 2);
        Packet sumA = fromA.get(0);
        outputs.addAll(fromA.subList(1, 4));
        outputs.addAll(expectSends(Kernels.deliver(bb, sumA), OUT_KEY + 3, OUT_KEY + 4, OUT_KEY + 5));
        outputs.addAll(expectSends(Kernels.deliver(c, sumA), OUT_KEY + 6, OUT_KEY + 7, OUT_KEY + 8));
        checkSample(single, w, b, x, Kernels.valuesByKey(outputs, OUT_KEY, N_OUT));

        // more samples on the same cores, each in a random delivery order
        PacketRouter router = new PacketRouter(cores);
        for (int sample = 1; sample <= 40; sample++) {
            x = Kernels.randomArray(rnd, N_IN, 2.0);
            List<Object[]> initial = new ArrayList<>();
            for (int core = 0; core < 3; core++) {
                for (Packet p : Kernels.packets(IN_KEY, x)) {
                    initial.add(new Object[] {core, p});
                }
            }
            router.outputs.clear();
            router.runRandom(initial, rnd);
            checkSample(single, w, b, x, Kernels.valuesByKey(router.outputs, OUT_KEY, N_OUT));
        }
    }

    private static void checkSample(KernelCore single, float[] w, float[] b, float[] x, float[] split) {
        float[] one = singleCore(single, x);
        Kernels.assertAllClose(one, split, 1e-6, "split vs single-core softmax");
        float[] reference = Kernels.softmax(Kernels.add(Kernels.matVec(x, w, N_IN, N_OUT), b));
        Kernels.assertAllClose(reference, one, 1e-6, "single-core softmax vs Java");
        double total = 0;
        for (float v : split) {
            assertTrue(v > 0 && v < 1, "softmax output in (0, 1): " + v);
            total += v;
        }
        assertEquals(1.0, total, 1e-5);
    }

    @Test
    void softmaxOverTwoReduceCores() {
        Random rnd = new Random(99);
        int perCore = 4;
        int partialKey = 0x4000;   // partials of output j from block k: key 0x4000 + 0x10 * k + j
        float[] b = Kernels.randomArray(rnd, 2 * perCore, 0.5);
        List<KernelCore> cores = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            List<KeyRange> inputs = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                inputs.add(KeyRange.data(partialKey + 0x10 * k + perCore * c, perCore, 0));
            }
            inputs.add(KeyRange.softmaxSync(syncBase(1 - c)));
            KernelCore core = new KernelCore();
            core.load(new KernelConfig(KernelKind.REDUCE, 0, perCore, KernelActivation.SOFTMAX, 0f, false,
                    OUT_KEY + perCore * c, 2, 1, syncBase(c), inputs),
                    null, java.util.Arrays.copyOfRange(b, perCore * c, perCore * (c + 1)));
            cores.add(core);
        }
        PacketRouter router = new PacketRouter(cores);
        for (int sample = 0; sample < 30; sample++) {
            float[][] partials = {Kernels.randomArray(rnd, 2 * perCore, 2.0), Kernels.randomArray(rnd, 2 * perCore, 2.0)};
            List<Object[]> initial = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                for (Packet p : Kernels.packets(partialKey + 0x10 * k, partials[k])) {
                    initial.add(new Object[] {router.destinations(p.key()).get(0), p});
                }
            }
            router.outputs.clear();
            router.runRandom(initial, rnd);
            float[] z = Kernels.add(Kernels.add(partials[0], partials[1]), b);
            Kernels.assertAllClose(Kernels.softmax(z), Kernels.valuesByKey(router.outputs, OUT_KEY, 2 * perCore),
                    1e-6, "sample " + sample);
        }
    }
}
