package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;
import org.spinnaker4j.kernels.TrainingReference.Net;

/**
 * The exchange of an L2 gradient normalization's partial sums of squares: an output layer of 4 columns split over two
 * fused blocks that send each other their partials must update as one core renormalizing the whole layer's gradient
 * does, and a core refuses to update before every partial is in, or to send its own twice.
 */
class GradientNormExchangeTest {

    private static final int ROWS = 3;
    private static final int COLS = 4;
    private static final int IN = 0x100;
    private static final int LABEL = 0x200;
    private static final int OUT = 0x300;
    private static final int LOSS = 0x400;
    private static final int NORM = 0x500;
    private static final float LR = 0.1f;
    private static final int BATCH = 4;

    private final Random rnd = new Random(7);
    private final float[] w = Kernels.randomArray(rnd, ROWS * COLS, 1.0);
    private final float[] b = Kernels.randomArray(rnd, COLS, 0.5);
    private final float[][] x = new float[BATCH][];
    private final float[][] t = new float[BATCH][];

    GradientNormExchangeTest() {
        for (int s = 0; s < BATCH; s++) {
            x[s] = Kernels.randomArray(rnd, ROWS, 1.0);
            t[s] = Kernels.randomArray(rnd, COLS, 1.0);
        }
    }

    /** A fused block of columns [lo, hi) of the layer, with a normalization. */
    private KernelCore block(Net net, int lo, int hi, GradientNormalizationConfig norm, List<KeyRange> peers) {
        List<KeyRange> ranges = new ArrayList<>(List.of(KeyRange.data(IN, ROWS, 0), KeyRange.label(LABEL + lo,
                hi - lo, 0)));
        ranges.addAll(peers);
        TrainingConfig training = TrainingReference.output(Hyper.sgd(LR), LossKind.MSE, COLS, 0, 0, LOSS + lo, false)
                .toBuilder().gradientNormalization(norm).build();
        float[] wb = new float[ROWS * (hi - lo)];
        for (int i = 0; i < ROWS; i++) {
            System.arraycopy(w, i * COLS + lo, wb, i * (hi - lo), hi - lo);
        }
        return net.add(new KernelConfig(KernelKind.DENSE_BLOCK, ROWS, hi - lo, KernelActivation.IDENTITY, 0f, true,
                OUT + lo, 0, 0, 0, ranges, training), wb, java.util.Arrays.copyOfRange(b, lo, hi));
    }

    private void runBatch(Net net) {
        for (int s = 0; s < BATCH; s++) {
            List<Packet> in = new ArrayList<>(Kernels.packets(IN, x[s]));
            in.addAll(Kernels.packets(LABEL, t[s]));
            net.run(in, rnd);
            net.host.clear();
        }
    }

    /** The layer's weights (row-major) then bias, read from cores holding column slices [0, split) and [split, 4). */
    private static float[] parameters(List<KernelCore> cores, int... splits) {
        float[] p = new float[ROWS * COLS + COLS];
        int lo = 0;
        for (int c = 0; c < cores.size(); c++) {
            int hi = c + 1 < cores.size() ? splits[c] : COLS;
            float[] wc = cores.get(c).readWeights();
            float[] bc = cores.get(c).readBias();
            for (int i = 0; i < ROWS; i++) {
                System.arraycopy(wc, i * (hi - lo), p, i * COLS + lo, hi - lo);
            }
            System.arraycopy(bc, 0, p, ROWS * COLS + lo, hi - lo);
            lo = hi;
        }
        return p;
    }

    @Test
    void twoCoresRenormalizeAsTheWholeLayer() {
        // the plain gradient, from one core's SGD step: g = (p - p') / lr
        Net plain = new Net();
        KernelCore whole = block(plain, 0, COLS, GradientNormalizationConfig.NONE, List.of());
        float[] before = parameters(List.of(whole));
        runBatch(plain);
        Kernels.applyUpdate(whole, BATCH, 0);
        float[] after = parameters(List.of(whole));
        double sumSquares = 0;
        float[] g = new float[before.length];
        for (int k = 0; k < g.length; k++) {
            g[k] = (before[k] - after[k]) / LR;
            sumSquares += (double) g[k] * g[k];
        }
        double norm = Math.sqrt(sumSquares);
        assertTrue(norm > 1e-2, "a gradient worth normalizing: " + norm);

        Net split = new Net();
        GradientNormalizationKind kind = GradientNormalizationKind.RENORM_L2_PER_LAYER;
        KernelCore first = block(split, 0, 1, new GradientNormalizationConfig(kind, 1f, NORM, 1, 0),
                List.of(KeyRange.norm(NORM + 1, 1, 1)));
        KernelCore second = block(split, 1, COLS, new GradientNormalizationConfig(kind, 1f, NORM + 1, 1, 1),
                List.of(KeyRange.norm(NORM, 1, 0)));
        runBatch(split);
        KernelException early = assertThrows(KernelException.class, () -> Kernels.applyUpdate(first, BATCH, 0));
        assertEquals(KernelException.INCOMPLETE, early.code());
        int[] outbox = new int[2 * Math.max(first.maxSendsPerEvent(), second.maxSendsPerEvent())];
        List<Packet> partials = new ArrayList<>(Kernels.sends(outbox, first.startNorm(BATCH, outbox)));
        partials.addAll(Kernels.sends(outbox, second.startNorm(BATCH, outbox)));
        assertEquals(2, partials.size(), "one partial per core (per layer)");
        KernelException twice = assertThrows(KernelException.class, () -> first.startNorm(BATCH, outbox));
        assertEquals(KernelException.DUPLICATE_SYNC, twice.code());
        split.run(partials, rnd);
        Kernels.applyUpdate(first, BATCH, 0);
        Kernels.applyUpdate(second, BATCH, 0);

        float[] expected = new float[before.length];
        for (int k = 0; k < g.length; k++) {
            expected[k] = (float) (before[k] - LR * (g[k] / norm));
        }
        Kernels.assertAllClose(expected, parameters(List.of(first, second), 1), 1e-5,
                "parameters renormalized by the layer's norm");
    }
}
