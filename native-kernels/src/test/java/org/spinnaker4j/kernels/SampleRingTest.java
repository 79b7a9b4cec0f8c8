package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;

/**
 * Pipelined training: a core holds up to {@code samplesInFlight} samples between their forward and backward passes
 * (a block its inputs, an output activator its outputs and labels), takes the next samples' forward packets while
 * an earlier sample's backward packets come in, and runs the backward passes in sample order.
 */
class SampleRingTest {

    private static final int ROWS = 0x100;
    private static final int DELTA = 0x200;
    private static final int OUT = 0x300;
    private static final int BACK = 0x400;
    private static final int LABELS = 0x500;
    private static final int LOSS = 0x600;
    private static final float LR = 0.1f;
    private static final float[] W = {1, 2, 3, 4, 5, 6};   // 2 rows x 3 columns
    private static final float[][] X = {{1, 2}, {-1, 0.5f}, {3, -2}, {0.25f, 4}};
    private static final float[][] DELTAS = {{1, -1, 0.5f}, {2, 0, -3}, {-0.5f, 1, 1}, {0, 4, -1}};

    private static KernelCore block(int inFlight) {
        KernelCore core = new KernelCore();
        TrainingConfig sgd = TrainingReference.hidden(Hyper.sgd(LR), 0, BACK, 0, true).toBuilder()
                .samplesInFlight(inFlight).build();
        core.load(new KernelConfig(KernelKind.DENSE_BLOCK, 2, 3, KernelActivation.IDENTITY, 0f, false, OUT, 0, 0, 0,
                List.of(KeyRange.data(ROWS, 2, 0), KeyRange.delta(DELTA, 3, 0)), sgd), W.clone(), null);
        return core;
    }

    private static Packet row(int sample, int i) {
        return new Packet(ROWS + i, Float.floatToRawIntBits(X[sample][i]));
    }

    private static Packet delta(int sample, int j) {
        return new Packet(DELTA + j, Float.floatToRawIntBits(DELTAS[sample][j]));
    }

    /** e = W delta of a sample, and z = x W of a sample. */
    private static float[] e(int sample) {
        float[] e = new float[2];
        for (int i = 0; i < 2; i++) {
            e[i] = WideSum.dot(Arrays.copyOfRange(W, 3 * i, 3 * i + 3), DELTAS[sample]);
        }
        return e;
    }

    private static float[] z(int sample) {
        return Kernels.matVec(X[sample], W, 2, 3);
    }

    @Test
    void blockHoldsItsSamplesInputsUntilTheirBackwardPasses() {
        KernelCore core = block(3);
        for (int s = 0; s < 3; s++) {
            Kernels.deliver(core, row(s, 1));
            List<Packet> partials = Kernels.deliver(core, row(s, 0));
            Kernels.assertAllClose(z(s), Kernels.valuesByKey(partials, OUT, 3), 1e-6, "z of sample " + s);
        }
        KernelException full = Kernels.assertThrowsWith(KernelException.class, () -> Kernels.deliver(core, row(3, 0)),
                "IN_FLIGHT");
        assertEquals(KernelException.IN_FLIGHT, full.code(), "three samples held: a fourth must wait");

        Kernels.deliver(core, delta(0, 2));
        Kernels.deliver(core, delta(0, 0));
        Kernels.assertAllClose(e(0), Kernels.valuesByKey(Kernels.deliver(core, delta(0, 1)), BACK, 2), 1e-6, "e 0");
        // sample 3's forward and sample 1's backward interleave, packet by packet
        Kernels.deliver(core, row(3, 0));
        Kernels.deliver(core, delta(1, 0));
        Kernels.assertAllClose(z(3), Kernels.valuesByKey(Kernels.deliver(core, row(3, 1)), OUT, 3), 1e-6, "z 3");
        Kernels.deliver(core, delta(1, 1));
        Kernels.assertAllClose(e(1), Kernels.valuesByKey(Kernels.deliver(core, delta(1, 2)), BACK, 2), 1e-6, "e 1");
        assertEquals(KernelException.INCOMPLETE,
                assertThrows(KernelException.class, () -> Kernels.applyUpdate(core, 1, 0)).code(), "samples 2 and 3 are held");
        for (int s = 2; s < 4; s++) {
            List<Packet> e = new ArrayList<>();
            for (int j = 0; j < 3; j++) {
                e.addAll(Kernels.deliver(core, delta(s, j)));
            }
            Kernels.assertAllClose(e(s), Kernels.valuesByKey(e, BACK, 2), 1e-6, "e " + s);
        }
        assertEquals(KernelException.NO_FORWARD,
                assertThrows(KernelException.class, () -> Kernels.deliver(core, delta(0, 0))).code(), "none held");

        Kernels.applyUpdate(core, 1, 0);
        float[] expected = W.clone();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                float g = 0f;
                for (int s = 0; s < 4; s++) {
                    g += X[s][i] * DELTAS[s][j];   // in sample order, as the core adds them
                }
                expected[3 * i + j] -= LR * g;
            }
        }
        Kernels.assertSameBits(expected, core.readWeights(), "W after one SGD step over the four samples");
    }

    @Test
    void outputActivatorPairsEachSampleWithItsOwnLabels() {
        KernelCore core = new KernelCore();
        TrainingConfig mse = TrainingReference.output(Hyper.sgd(LR), LossKind.MSE, 2, DELTA, 0, LOSS, false)
                .toBuilder().samplesInFlight(2).build();
        core.load(new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.IDENTITY, 0f, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(ROWS, 2, 0), KeyRange.label(LABELS, 2, 0)), mse), null, new float[2]);
        float[][] labels = {{1, 0}, {0, 1}, {0.5f, 0.5f}};
        float[][] y = {{0.25f, 0.75f}, {2, -1}, {0, 0}};
        // the labels of two samples arrive before either forward pass; a third set has no room
        for (int s = 0; s < 2; s++) {
            for (Packet p : Kernels.packets(LABELS, labels[s])) {
                assertEquals(List.of(), Kernels.deliver(core, p));
            }
        }
        assertEquals(KernelException.IN_FLIGHT, assertThrows(KernelException.class,
                () -> Kernels.deliver(core, Kernels.packets(LABELS, labels[2]).get(0))).code());
        for (int s = 0; s < 3; s++) {
            if (s == 2) {
                for (Packet p : Kernels.packets(LABELS, labels[2])) {
                    Kernels.deliver(core, p);
                }
            }
            List<Packet> sent = new ArrayList<>(Kernels.deliver(core, Kernels.packets(ROWS, y[s]).get(0)));
            sent.addAll(Kernels.deliver(core, Kernels.packets(ROWS, y[s]).get(1)));
            float[] expected = new float[2];
            for (int j = 0; j < 2; j++) {
                expected[j] = 2 * (y[s][j] - labels[s][j]) / 2;   // MSE's dL/dz over 2 outputs
            }
            List<Packet> deltas = sent.stream().filter(p -> p.key() >= DELTA && p.key() < DELTA + 2).toList();
            Kernels.assertAllClose(expected, Kernels.valuesByKey(deltas, DELTA, 2), 1e-6, "deltas of sample " + s);
        }
    }
}
