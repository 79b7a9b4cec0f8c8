package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;
import org.spinnaker4j.kernels.TrainingReference.Net;

/** A hidden softmax layer split over 3 peer reduces: the backward deltas equal those of one core holding it all. */
class SoftmaxBackwardTest {

    private static final int N = 9;
    private static final int PER = 3;
    private static final int Z = 0x100;
    private static final int E = 0x200;
    private static final int D = 0x300;
    private static final int OUT = 0x400;

    private static int sync(int c) {
        return 0xE000_0000 + 0x10 * c;
    }

    private static Net split(float[] b) {
        Net net = new Net();
        for (int c = 0; c < 3; c++) {
            List<KeyRange> in = new ArrayList<>();
            in.add(KeyRange.data(Z + PER * c, PER, 0));
            in.add(KeyRange.backwardPartial(E + PER * c, PER, 0));
            in.addAll(TrainingReference.peerSyncs(c, 3, SoftmaxBackwardTest::sync));
            KernelCore core = net.add(new KernelConfig(KernelKind.REDUCE, 0, PER, KernelActivation.SOFTMAX, 0f, false,
                    OUT + PER * c, 1, 2, sync(c), in,
                    TrainingReference.hidden(Hyper.sgd(0.5f), D + PER * c, 0, 1, false)),
                    null, java.util.Arrays.copyOfRange(b, PER * c, PER * (c + 1)));
            assertEquals(PER + 2 + PER + 1, core.maxSendsPerEvent());
        }
        return net;
    }

    private static Net single(float[] b) {
        Net net = new Net();
        net.add(new KernelConfig(KernelKind.REDUCE, 0, N, KernelActivation.SOFTMAX, 0f, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(Z, N, 0), KeyRange.backwardPartial(E, N, 0)),
                TrainingReference.hidden(Hyper.sgd(0.5f), D, 0, 1, false)), null, b);
        return net;
    }

    /** Runs one sample: forward z, then the backward partials e; returns {y, delta}. */
    private static float[][] sample(Net net, float[] z, float[] e, Random rnd) {
        net.run(Kernels.packets(Z, z), rnd);
        float[] y = Kernels.valuesByKey(net.take(OUT, N), OUT, N);
        net.run(Kernels.packets(E, e), rnd);
        float[] delta = Kernels.valuesByKey(net.take(D, N), D, N);
        assertEquals(List.of(), net.host, "sync packets (max, sum, dot) only go to peers");
        return new float[][] {y, delta};
    }

    @Test
    void splitDeltasEqualSingleCoreDeltas() {
        Random rnd = new Random(4242);
        float[] b = Kernels.randomArray(rnd, N, 0.5);
        Net split = split(b);
        Net single = single(b);
        float[] db = new float[N];
        int samples = 25;
        for (int s = 0; s < samples; s++) {
            float[] z = Kernels.randomArray(rnd, N, 2.0);
            float[] e = Kernels.randomArray(rnd, N, 1.0);
            float[][] one = sample(single, z, e, rnd);
            float[][] three = sample(split, z, e, rnd);
            Kernels.assertAllClose(one[0], three[0], 1e-6, "sample " + s + " y");
            Kernels.assertAllClose(one[1], three[1], 1e-6, "sample " + s + " split vs single delta");
            float[] zb = Kernels.add(z, b);
            float[] y = Kernels.softmax(zb);
            Kernels.assertAllClose(TrainingReference.hiddenDelta(KernelActivation.SOFTMAX, 0f, zb, y, e), one[1], 1e-6,
                    "sample " + s + " delta vs y (e - sum e y)");
            for (int j = 0; j < N; j++) {
                db[j] += three[1][j];
            }
        }
        // the bias gradients agree too
        float[] splitBias = new float[N];
        for (int c = 0; c < 3; c++) {
            KernelCore core = split.cores.get(c);
            Kernels.applyUpdate(core, samples, 0);
            System.arraycopy(core.readBias(), 0, splitBias, PER * c, PER);
        }
        Kernels.applyUpdate(single.cores.get(0), samples, 0);
        Kernels.assertAllClose(single.cores.get(0).readBias(), splitBias, 1e-6, "bias after the update");
        float[] expected = new float[N];
        for (int j = 0; j < N; j++) {
            expected[j] = b[j] - 0.5f * (db[j] / samples);
        }
        Kernels.assertAllClose(expected, splitBias, 1e-6, "b -= lr * db / batch");
    }

    @Test
    void scriptedDotOrder() {
        Random rnd = new Random(9);
        float[] b = new float[N];
        Net net = split(b);
        KernelCore a = net.cores.get(0);
        KernelCore bb = net.cores.get(1);
        KernelCore c = net.cores.get(2);
        float[] z = Kernels.randomArray(rnd, N, 1.0);
        net.run(Kernels.packets(Z, z), rnd);
        net.take(OUT, N);
        float[] e = Kernels.randomArray(rnd, N, 1.0);
        List<Packet> ep = Kernels.packets(E, e);
        // B completes first and sends its dot; A and C get it before their own partials are in
        List<Packet> fromB = new ArrayList<>();
        for (int j = PER; j < 2 * PER; j++) {
            fromB.addAll(Kernels.deliver(bb, ep.get(j)));
        }
        assertEquals(1, fromB.size());
        assertEquals(sync(1) + 2, fromB.get(0).key(), "B's backward dot");
        assertEquals(List.of(), Kernels.deliver(a, fromB.get(0)));
        assertEquals(List.of(), Kernels.deliver(c, fromB.get(0)));
        KernelException dup = org.junit.jupiter.api.Assertions.assertThrows(KernelException.class,
                () -> Kernels.deliver(a, fromB.get(0)));
        assertEquals(KernelException.DUPLICATE_SYNC, dup.code());
        // A's last partial: its dot, no deltas yet (C's dot is missing)
        List<Packet> fromA = new ArrayList<>();
        for (int j = 0; j < PER; j++) {
            fromA.addAll(Kernels.deliver(a, ep.get(j)));
        }
        assertEquals(1, fromA.size());
        // C: its last partial sends its dot and, with A's and B's dots in, its deltas at once
        Kernels.deliver(c, fromA.get(0));
        List<Packet> fromC = new ArrayList<>();
        for (int j = 2 * PER; j < N; j++) {
            fromC.addAll(Kernels.deliver(c, ep.get(j)));
        }
        assertEquals(1 + PER, fromC.size(), "dot, then 3 deltas");
        assertEquals(sync(2) + 2, fromC.get(0).key());
        List<Packet> deltas = new ArrayList<>(fromC.subList(1, 1 + PER));
        deltas.addAll(Kernels.deliver(a, fromC.get(0)));
        deltas.addAll(Kernels.deliver(bb, fromA.get(0)));
        deltas.addAll(Kernels.deliver(bb, fromC.get(0)));
        float[] y = Kernels.softmax(z);
        Kernels.assertAllClose(TrainingReference.hiddenDelta(KernelActivation.SOFTMAX, 0f, z, y, e),
                Kernels.valuesByKey(deltas, D, N), 1e-6, "deltas");
    }
}
