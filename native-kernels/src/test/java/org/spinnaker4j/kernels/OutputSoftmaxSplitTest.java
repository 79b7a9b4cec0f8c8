package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;
import org.spinnaker4j.kernels.TrainingReference.Net;

/**
 * An output softmax layer under KL_DIVERGENCE split over 3 peer reduces: each exchanges its share of the Jacobian's
 * sum with its peers, sending it before its loss packet, and the deltas and losses equal those of one core holding
 * the whole layer, and libnd4j's softmax_bp of {@code -t/y}.
 */
class OutputSoftmaxSplitTest {

    private static final int N = 9;
    private static final int PER = 3;
    private static final int Z = 0x100;
    private static final int T = 0x200;
    private static final int D = 0x300;
    private static final int OUT = 0x400;
    private static final int LOSS = 0x500;

    private static int sync(int c) {
        return 0xE000_0000 + 0x10 * c;
    }

    private static Net split(float[] b) {
        Net net = new Net();
        for (int c = 0; c < 3; c++) {
            List<KeyRange> in = new ArrayList<>();
            in.add(KeyRange.data(Z + PER * c, PER, 0));
            in.add(KeyRange.label(T + PER * c, PER, 0));
            in.addAll(TrainingReference.peerSyncs(c, 3, OutputSoftmaxSplitTest::sync));
            net.add(new KernelConfig(KernelKind.REDUCE, 0, PER, KernelActivation.SOFTMAX, 0f, false, OUT + PER * c, 1,
                    2, sync(c), in, TrainingReference.output(Hyper.sgd(0.5f), LossKind.KL_DIVERGENCE, N, D + PER * c,
                    0, LOSS + c, false)), null, Arrays.copyOfRange(b, PER * c, PER * (c + 1)));
        }
        return net;
    }

    private static Net single(float[] b) {
        Net net = new Net();
        net.add(new KernelConfig(KernelKind.REDUCE, 0, N, KernelActivation.SOFTMAX, 0f, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(Z, N, 0), KeyRange.label(T, N, 0)), TrainingReference.output(Hyper.sgd(0.5f),
                LossKind.KL_DIVERGENCE, N, D, 0, LOSS, false)), null, b);
        return net;
    }

    /** One sample: labels, then z; returns {delta, loss}. */
    private static float[][] sample(Net net, float[] z, float[] t, Random rnd) {
        net.run(Kernels.packets(T, t), rnd);
        net.run(Kernels.packets(Z, z), rnd);
        net.take(OUT, N);
        float[] delta = Kernels.valuesByKey(net.take(D, N), D, N);
        float loss = 0;
        for (Packet p : net.take(LOSS, 3)) {
            loss += Float.intBitsToFloat(p.payload());
        }
        assertEquals(List.of(), net.host, "the sums only go to peers");
        return new float[][] {delta, {loss}};
    }

    @Test
    void splitDeltasAndLossEqualSingleCoreAndSoftmaxBackprop() {
        Random rnd = new Random(77);
        float[] b = Kernels.randomArray(rnd, N, 0.5);
        Net split = split(b);
        Net single = single(b);
        for (int s = 0; s < 20; s++) {
            float[] z = Kernels.randomArray(rnd, N, 2.0);
            float[] t = Kernels.randomArray(rnd, N, 1.0);
            float sum = 0;
            for (int j = 0; j < N; j++) {
                t[j] = Math.abs(t[j]);
                sum += t[j];
            }
            for (int j = 0; j < N; j++) {
                t[j] /= sum;
            }
            float[][] one = sample(single, z, t, rnd);
            float[][] three = sample(split, z, t, rnd);
            Kernels.assertAllClose(one[0], three[0], 1e-6, "sample " + s + " split vs single delta");
            Kernels.assertAllClose(one[1], three[1], 1e-5, "sample " + s + " loss");
            float[] y = Kernels.softmax(Kernels.add(z, b));
            float[] g = new float[N];
            for (int j = 0; j < N; j++) {
                g[j] = -(t[j] / y[j]);
            }
            Kernels.assertAllClose(TrainingReference.hiddenDelta(KernelActivation.SOFTMAX, 0f, Kernels.add(z, b), y,
                    g), one[0], 1e-5, "sample " + s + " delta vs y (g - sum g y)");
        }
    }

    @Test
    void aCoreSendsItsSumBeforeItsLossPacket() {
        Random rnd = new Random(5);
        Net net = split(new float[N]);
        KernelCore first = net.cores.get(0);
        float[] t = new float[N];
        t[1] = 1;
        net.run(Kernels.packets(T, t), rnd);
        // the forward exchange of the three cores, holding back core 0's last z
        List<Packet> z = Kernels.packets(Z, Kernels.randomArray(rnd, N, 1.0));
        net.run(z.subList(1, N), rnd);
        List<Packet> sent = Kernels.deliver(first, z.get(0));
        List<Integer> keys = sent.stream().map(Packet::key).toList();
        assertEquals(sync(0), keys.get(0), "its max");
        net.host.clear();
        List<Packet> after = new ArrayList<>();
        for (Packet p : sent) {
            for (KernelCore peer : net.destinations(p.key())) {
                after.addAll(Kernels.deliver(peer, p));
            }
        }
        // each peer's sum comes back; the one that completes core 0's exchange sends its outputs, then its
        // Jacobian sum, then its loss packet
        List<Packet> back = new ArrayList<>();
        for (Packet p : after) {
            if (net.destinations(p.key()).contains(first)) {
                back.addAll(Kernels.deliver(first, p));
            }
        }
        List<Integer> order = back.stream().map(Packet::key).filter(k -> k == sync(0) + 2 || k == LOSS).toList();
        assertEquals(List.of(sync(0) + 2, LOSS), order, "the sum, then the loss packet");
    }
}
