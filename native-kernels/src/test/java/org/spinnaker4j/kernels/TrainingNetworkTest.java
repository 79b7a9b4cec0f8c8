package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.spinnaker4j.kernels.TrainingReference.Hyper;
import org.spinnaker4j.kernels.TrainingReference.LossResult;
import org.spinnaker4j.kernels.TrainingReference.Net;
import org.spinnaker4j.kernels.TrainingReference.Updater;

/**
 * Trains a 5-6-4 MLP split over cores for 3 mini-batches of 4 samples, routing every packet between the cores in a
 * random order, and checks outputs, losses, dL/dx and the final parameters against a plain Java reference.
 */
class TrainingNetworkTest {

    private static final int N_IN = 5;
    private static final int N_HID = 6;
    private static final int N_OUT = 4;
    private static final int BATCH = 4;
    private static final int BATCHES = 3;

    private static final int IN = 0x0100;
    private static final int H = 0x2000;
    private static final int D1 = 0x3000;
    private static final int OUT = 0x5000;
    private static final int D2 = 0x6000;
    private static final int LBL = 0x8000;
    private static final int LOSS = 0x9000;

    private static int p1(int b) {
        return 0x1000 + 0x100 * b;
    }

    private static int e1(int b) {
        return 0x3800 + 0x100 * b;
    }

    private static int p2(int b) {
        return 0x4000 + 0x100 * b;
    }

    private static int b2(int b) {
        return 0x7000 + 0x100 * b;
    }

    private static int sync(int c) {
        return 0xA000 + 0x10 * c;
    }

    /** How the layers are cut. */
    enum Topology {
        /** Row x column blocks and reduce cores; hidden TANH; output SOFTMAX + MCXENT over 2 peer reduces. */
        SPLIT,
        /** Fused blocks per column slice; hidden SIGMOID; output IDENTITY + MSE. */
        FUSED
    }

    private record Slice(int lo, int hi) {
        int size() {
            return hi - lo;
        }
    }

    private static final Slice[] ROWS1 = {new Slice(0, 3), new Slice(3, 5)};
    private static final Slice[] COLS1 = {new Slice(0, 4), new Slice(4, 6)};
    private static final Slice[] ROWS2 = {new Slice(0, 3), new Slice(3, 6)};   // not aligned with COLS1
    private static final Slice[] COLS2 = {new Slice(0, 2), new Slice(2, 4)};

    /** The reference network: W row-major nIn x nOut. */
    private static final class Mlp {
        final KernelActivation act1;
        final KernelActivation act2;
        final LossKind lossKind;
        final float[] w1;
        final float[] b1;
        final float[] w2;
        final float[] b2;
        final float[] dw1 = new float[N_IN * N_HID];
        final float[] db1 = new float[N_HID];
        final float[] dw2 = new float[N_HID * N_OUT];
        final float[] db2 = new float[N_OUT];
        final Updater[] updaters;

        Mlp(Topology t, Hyper h, Random rnd) {
            act1 = t == Topology.SPLIT ? KernelActivation.TANH : KernelActivation.SIGMOID;
            act2 = t == Topology.SPLIT ? KernelActivation.SOFTMAX : KernelActivation.IDENTITY;
            lossKind = t == Topology.SPLIT ? LossKind.MCXENT : LossKind.MSE;
            w1 = Kernels.randomArray(rnd, N_IN * N_HID, 0.7);
            b1 = Kernels.randomArray(rnd, N_HID, 0.3);
            w2 = Kernels.randomArray(rnd, N_HID * N_OUT, 0.7);
            b2 = Kernels.randomArray(rnd, N_OUT, 0.3);
            updaters = new Updater[] {new Updater(h, w1.length), new Updater(h, b1.length),
                new Updater(h, w2.length), new Updater(h, b2.length)};
        }

        /** Forward and backward of one sample; returns {y, dL/dx, {loss}}. */
        float[][] sample(float[] x, float[] t) {
            float[] z1 = Kernels.add(Kernels.matVec(x, w1, N_IN, N_HID), b1);
            float[] y1 = TrainingReference.activateAll(act1, 0f, z1);
            float[] z2 = Kernels.add(Kernels.matVec(y1, w2, N_HID, N_OUT), b2);
            float[] y2 = TrainingReference.activateAll(act2, 0f, z2);
            LossResult lr = TrainingReference.loss(lossKind, act2, 0f, z2, y2, t, N_OUT);
            float[] delta2 = lr.delta();
            float[] e1 = backward(w2, N_HID, N_OUT, delta2);
            accumulate(dw2, db2, y1, delta2);
            float[] delta1 = TrainingReference.hiddenDelta(act1, 0f, z1, y1, e1);
            accumulate(dw1, db1, x, delta1);
            return new float[][] {y2, backward(w1, N_IN, N_HID, delta1), {(float) lr.loss()}};
        }

        void update(int iteration) {
            updaters[0].apply(w1, dw1, BATCH, iteration);
            updaters[1].apply(b1, db1, BATCH, iteration);
            updaters[2].apply(w2, dw2, BATCH, iteration);
            updaters[3].apply(b2, db2, BATCH, iteration);
        }

        private static float[] backward(float[] w, int nRows, int nCols, float[] delta) {
            float[] e = new float[nRows];
            for (int i = 0; i < nRows; i++) {
                double s = 0;
                for (int j = 0; j < nCols; j++) {
                    s += (double) w[i * nCols + j] * delta[j];
                }
                e[i] = (float) s;
            }
            return e;
        }

        private static void accumulate(float[] dw, float[] db, float[] x, float[] delta) {
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < delta.length; j++) {
                    dw[i * delta.length + j] += x[i] * delta[j];
                }
            }
            for (int j = 0; j < delta.length; j++) {
                db[j] += delta[j];
            }
        }
    }

    /** A core holding the block rows x cols of a layer's W (and, if it activates, that slice of b). */
    private record Placed(KernelCore core, int layer, Slice rows, Slice cols) {
    }

    private static float[] block(float[] w, int nCols, Slice rows, Slice cols) {
        float[] out = new float[rows.size() * cols.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(w, (rows.lo + i) * nCols + cols.lo, out, i * cols.size(), cols.size());
        }
        return out;
    }

    private static float[] slice(float[] b, Slice cols) {
        return java.util.Arrays.copyOfRange(b, cols.lo, cols.hi);
    }

    /** BACKWARD_PARTIAL ranges of a hidden activator owning hidden units {@code cols}. */
    private static List<KeyRange> backwardRanges(Slice cols, List<Slice> layer2Rows, List<Integer> layer2Keys) {
        List<KeyRange> ranges = new ArrayList<>();
        for (int b = 0; b < layer2Rows.size(); b++) {
            Slice r = layer2Rows.get(b);
            int lo = Math.max(r.lo, cols.lo);
            int hi = Math.min(r.hi, cols.hi);
            if (lo < hi) {
                ranges.add(KeyRange.backwardPartial(layer2Keys.get(b) + (lo - r.lo), hi - lo, lo - cols.lo));
            }
        }
        return ranges;
    }

    private static List<Placed> build(Net net, Topology t, Hyper h, Mlp m) {
        List<Placed> placed = new ArrayList<>();
        // layer 2 blocks first: the hidden activators need their backward keys
        List<Slice> l2Rows = new ArrayList<>();
        List<Integer> l2Keys = new ArrayList<>();
        Slice[] rows2 = t == Topology.SPLIT ? ROWS2 : new Slice[] {new Slice(0, N_HID)};
        for (int r = 0; r < rows2.length; r++) {
            for (int c = 0; c < COLS2.length; c++) {
                l2Rows.add(rows2[r]);
                l2Keys.add(b2(r * COLS2.length + c));
            }
        }
        if (t == Topology.SPLIT) {
            for (int c = 0; c < COLS1.length; c++) {
                for (int r = 0; r < ROWS1.length; r++) {
                    Slice rows = ROWS1[r];
                    Slice cols = COLS1[c];
                    int b = r * COLS1.length + c;
                    KernelConfig cfg = new KernelConfig(KernelKind.DENSE_BLOCK, rows.size(), cols.size(),
                            KernelActivation.IDENTITY, 0f, false, p1(b), 0, 0, 0,
                            List.of(KeyRange.data(IN + rows.lo, rows.size(), 0), KeyRange.delta(D1 + cols.lo, cols.size(), 0)),
                            TrainingReference.hidden(h, 0, e1(b), 0, true));
                    placed.add(new Placed(net.add(cfg, block(m.w1, N_HID, rows, cols), null), 1, rows, cols));
                }
                Slice cols = COLS1[c];
                List<KeyRange> in = new ArrayList<>();
                for (int r = 0; r < ROWS1.length; r++) {
                    in.add(KeyRange.data(p1(r * COLS1.length + c), cols.size(), 0));
                }
                in.addAll(backwardRanges(cols, l2Rows, l2Keys));
                KernelConfig cfg = new KernelConfig(KernelKind.REDUCE, 0, cols.size(), m.act1, 0f, false,
                        H + cols.lo, ROWS1.length, 0, 0, in,
                        TrainingReference.hidden(h, D1 + cols.lo, 0, COLS2.length, false));
                placed.add(new Placed(net.add(cfg, null, slice(m.b1, cols)), 1, null, cols));
            }
            for (int c = 0; c < COLS2.length; c++) {
                Slice cols = COLS2[c];
                for (int r = 0; r < ROWS2.length; r++) {
                    Slice rows = ROWS2[r];
                    int b = r * COLS2.length + c;
                    KernelConfig cfg = new KernelConfig(KernelKind.DENSE_BLOCK, rows.size(), cols.size(),
                            KernelActivation.IDENTITY, 0f, false, p2(b), 0, 0, 0,
                            List.of(KeyRange.data(H + rows.lo, rows.size(), 0), KeyRange.delta(D2 + cols.lo, cols.size(), 0)),
                            TrainingReference.hidden(h, 0, b2(b), 0, true));
                    placed.add(new Placed(net.add(cfg, block(m.w2, N_OUT, rows, cols), null), 2, rows, cols));
                }
                List<KeyRange> in = new ArrayList<>();
                for (int r = 0; r < ROWS2.length; r++) {
                    in.add(KeyRange.data(p2(r * COLS2.length + c), cols.size(), 0));
                }
                in.add(KeyRange.label(LBL + cols.lo, cols.size(), 0));
                in.add(KeyRange.trainingSoftmaxSync(sync(1 - c)));
                KernelConfig cfg = new KernelConfig(KernelKind.REDUCE, 0, cols.size(), m.act2, 0f, false,
                        OUT + cols.lo, ROWS2.length, 1, sync(c), in,
                        TrainingReference.output(h, m.lossKind, N_OUT, D2 + cols.lo, 0, LOSS + c, false));
                KernelCore core = net.add(cfg, null, slice(m.b2, cols));
                assertEquals(2 * cols.size() + 3, core.maxSendsPerEvent(), "outputs, max, sum, deltas, loss");
                placed.add(new Placed(core, 2, null, cols));
            }
        } else {
            for (int c = 0; c < COLS1.length; c++) {
                Slice cols = COLS1[c];
                Slice rows = new Slice(0, N_IN);
                List<KeyRange> in = new ArrayList<>();
                in.add(KeyRange.data(IN, N_IN, 0));
                in.addAll(backwardRanges(cols, l2Rows, l2Keys));
                KernelConfig cfg = new KernelConfig(KernelKind.DENSE_BLOCK, N_IN, cols.size(), m.act1, 0f, true,
                        H + cols.lo, 0, 0, 0, in, TrainingReference.hidden(h, 0, e1(c), COLS2.length, true));
                placed.add(new Placed(net.add(cfg, block(m.w1, N_HID, rows, cols), slice(m.b1, cols)), 1, rows, cols));
            }
            for (int c = 0; c < COLS2.length; c++) {
                Slice cols = COLS2[c];
                Slice rows = new Slice(0, N_HID);
                KernelConfig cfg = new KernelConfig(KernelKind.DENSE_BLOCK, N_HID, cols.size(), m.act2, 0f, true,
                        OUT + cols.lo, 0, 0, 0,
                        List.of(KeyRange.data(H, N_HID, 0), KeyRange.label(LBL + cols.lo, cols.size(), 0)),
                        TrainingReference.output(h, m.lossKind, N_OUT, 0, b2(c), LOSS + c, true));
                KernelCore core = net.add(cfg, block(m.w2, N_OUT, rows, cols), slice(m.b2, cols));
                assertEquals(cols.size() + N_HID + 1, core.maxSendsPerEvent(), "outputs, loss, e");
                placed.add(new Placed(core, 2, rows, cols));
            }
        }
        return placed;
    }

    @ParameterizedTest
    @EnumSource(UpdaterKind.class)
    void splitNetworkMatchesReference(UpdaterKind updater) {
        train(Topology.SPLIT, updater);
    }

    @ParameterizedTest
    @EnumSource(UpdaterKind.class)
    void fusedNetworkMatchesReference(UpdaterKind updater) {
        train(Topology.FUSED, updater);
    }

    private static void train(Topology topology, UpdaterKind updater) {
        Random rnd = new Random(1000 + 10 * topology.ordinal() + updater.ordinal());
        Hyper h = Hyper.of(updater);
        Mlp m = new Mlp(topology, h, rnd);
        Net net = new Net();
        KernelCore source = net.add(Kernels.source(N_IN, IN), null, null);
        List<Placed> placed = build(net, topology, h, m);
        String what = topology + " " + updater;
        float[] initialW1 = m.w1.clone();
        float[] initialB2 = m.b2.clone();

        for (int batch = 0; batch < BATCHES; batch++) {
            for (int s = 0; s < BATCH; s++) {
                float[] x = Kernels.randomArray(rnd, N_IN, 1.0);
                float[] t = new float[N_OUT];
                if (topology == Topology.SPLIT) {
                    t[rnd.nextInt(N_OUT)] = 1f;
                } else {
                    t = Kernels.randomArray(rnd, N_OUT, 1.0);
                }
                float[][] expected = m.sample(x, t);

                source.loadInput(x);
                List<Packet> injected = new ArrayList<>(Kernels.start(source));
                injected.addAll(Kernels.packets(LBL, t));   // labels race the forward pass
                net.run(injected, rnd);

                String at = what + " batch " + batch + " sample " + s;
                Kernels.assertAllClose(expected[0], Kernels.valuesByKey(net.take(OUT, N_OUT), OUT, N_OUT), 1e-5,
                        at + " y");
                List<Packet> losses = net.take(LOSS, COLS2.length);
                assertEquals(COLS2.length, losses.size(), "one loss packet per output activator");
                float total = 0f;
                for (Packet p : losses) {
                    total += p.value();
                }
                Kernels.assertClose(expected[2][0], total, 1e-5, at + " loss");
                float[] dx = new float[N_IN];
                List<Packet> back = new ArrayList<>();
                for (int b = 0; b < 4; b++) {
                    back.addAll(net.take(e1(b), N_IN));
                }
                for (Packet p : back) {
                    int b = (p.key() - e1(0)) / 0x100;
                    int i = p.key() - e1(b);
                    int rowLo = topology == Topology.SPLIT ? ROWS1[b / COLS1.length].lo : 0;
                    dx[rowLo + i] += p.value();
                }
                Kernels.assertAllClose(expected[1], dx, 1e-5, at + " dL/dx (first layer's e)");
                assertEquals(List.of(), net.host, "nothing else reaches the host");
            }
            m.update(batch);
            for (Placed p : placed) {
                Kernels.applyUpdate(p.core(), BATCH, batch);
            }
            checkParameters(placed, m, what + " after update " + batch);
        }
        assertTrue(maxChange(initialW1, m.w1) > 1e-3 && maxChange(initialB2, m.b2) > 1e-3,
                "training moved the parameters");
    }

    private static double maxChange(float[] a, float[] b) {
        double max = 0;
        for (int k = 0; k < a.length; k++) {
            max = Math.max(max, Math.abs(a[k] - b[k]));
        }
        return max;
    }

    private static void checkParameters(List<Placed> placed, Mlp m, String what) {
        float[] w1 = new float[m.w1.length];
        float[] b1 = new float[m.b1.length];
        float[] w2 = new float[m.w2.length];
        float[] b2 = new float[m.b2.length];
        for (Placed p : placed) {
            KernelConfig c = p.core().config();
            float[] w = p.layer() == 1 ? w1 : w2;
            float[] b = p.layer() == 1 ? b1 : b2;
            int nCols = p.layer() == 1 ? N_HID : N_OUT;
            if (c.kind() == KernelKind.DENSE_BLOCK) {
                float[] got = p.core().readWeights();
                for (int i = 0; i < p.rows().size(); i++) {
                    System.arraycopy(got, i * p.cols().size(), w, (p.rows().lo + i) * nCols + p.cols().lo,
                            p.cols().size());
                }
            }
            if (c.hasBias()) {
                System.arraycopy(p.core().readBias(), 0, b, p.cols().lo, p.cols().size());
            }
        }
        Kernels.assertAllClose(m.w1, w1, 1e-5, what + " W1");
        Kernels.assertAllClose(m.b1, b1, 1e-5, what + " b1");
        Kernels.assertAllClose(m.w2, w2, 1e-5, what + " W2");
        Kernels.assertAllClose(m.b2, b2, 1e-5, what + " b2");
    }
}
