package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;
import static org.spinnaker4j.kernels.Kernels.assertThrowsWith;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;

/** The host reads and writes a training core's updater state, and the next update uses what it wrote. */
class UpdaterStateTest {

    private static final int ROWS = 0x100;
    private static final int DELTA = 0x200;
    private static final int OUT = 0x300;
    private static final int BACK = 0x400;
    private static final int PARTIALS = 0x500;
    private static final float[] W = {1, 2, 3, 4, 5, 6};

    private static KernelCore block(UpdaterKind u) {
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.DENSE_BLOCK, 2, 3, KernelActivation.IDENTITY, 0f, false, OUT, 0, 0, 0,
                List.of(KeyRange.data(ROWS, 2, 0), KeyRange.delta(DELTA, 3, 0)),
                TrainingReference.hidden(Hyper.of(u), 0, BACK, 0, true)), W, null);
        return core;
    }

    private static KernelCore reduce(UpdaterKind u) {
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.IDENTITY, 0f, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(PARTIALS, 2, 0), KeyRange.backwardPartial(BACK, 2, 0)),
                TrainingReference.hidden(Hyper.of(u), DELTA, 0, 1, false)), null, new float[] {0.5f, -0.5f});
        return core;
    }

    @Test
    void stateStartsAtZeroAndReadsBackBitForBitWhatWasWritten() {
        KernelCore core = block(UpdaterKind.ADAM);
        assertArrayEquals(new float[6], core.readWeightState(1));
        float[] m = {1e-7f, -0f, Float.MIN_VALUE, 3.25f, -2f, 0.1f};
        float[] v = {1f, 2f, 3f, 4f, 5f, Float.NaN};
        core.writeWeightState(1, m);
        core.writeWeightState(2, v);
        assertArrayEquals(Kernels.bits(m), Kernels.bits(core.readWeightState(1)));
        assertArrayEquals(Kernels.bits(v), Kernels.bits(core.readWeightState(2)));
        assertArrayEquals(W, core.readWeights(), "the parameters are untouched");

        KernelCore activator = reduce(UpdaterKind.NESTEROVS);
        activator.writeBiasState(1, new float[] {0.25f, -8f});
        assertArrayEquals(new float[] {0.25f, -8f}, activator.readBiasState(1));
    }

    /** With no gradient accumulated, Adam's step is driven by the written m and v alone. */
    @Test
    void theNextUpdateUsesTheWrittenState() {
        KernelCore core = block(UpdaterKind.ADAM);
        float[] m = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f};
        float[] v = {0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f};
        core.writeWeightState(1, m);
        core.writeWeightState(2, v);
        int iteration = 4;
        Kernels.applyUpdate(core, 1, iteration);
        Hyper h = Hyper.of(UpdaterKind.ADAM);
        double alpha = h.lr() * Math.sqrt(1 - Math.pow(h.beta2(), iteration + 1)) / (1 - Math.pow(h.mu(), iteration + 1));
        float[] w = core.readWeights();
        for (int k = 0; k < W.length; k++) {
            double mk = h.mu() * m[k];
            double vk = h.beta2() * v[k];
            Kernels.assertClose((float) (W[k] - mk * alpha / (Math.sqrt(vk) + h.eps())), w[k], 1e-6, "W[" + k + "]");
            Kernels.assertClose((float) mk, core.readWeightState(1)[k], 1e-6, "m[" + k + "]");
            Kernels.assertClose((float) vk, core.readWeightState(2)[k], 1e-6, "v[" + k + "]");
        }
    }

    /**
     * An update uses the momentum its command brings, not the config's (a momentum schedule): with no gradient,
     * Nesterovs' v becomes mu v and W moves by -(mu v + (-mu - 1) mu v), for two different mu in a row.
     */
    @Test
    void eachUpdateUsesTheMomentumItsCommandBrings() {
        KernelCore core = block(UpdaterKind.NESTEROVS);
        float[] v = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f};
        core.writeWeightState(1, v);
        float[] w = W.clone();
        for (float mu : new float[] {0.5f, 0.25f}) {
            UpdateValues values = new UpdateValues(0.05f, mu, 0f, 0f, 0f);
            core.applyUpdate(1, 0, values, values);
            for (int k = 0; k < w.length; k++) {
                float prev = mu * v[k];
                v[k] = prev;
                w[k] -= prev + (-mu - 1f) * v[k];
            }
            Kernels.assertAllClose(v, core.readWeightState(1), 1e-7, "v after momentum " + mu);
            Kernels.assertAllClose(w, core.readWeights(), 1e-7, "W after momentum " + mu);
        }
        assertEquals(0.9f, Hyper.of(UpdaterKind.NESTEROVS).mu(), "the config's momentum differs from both");
    }

    /**
     * A bias updater of its own (DL4J's biasUpdater): a fused block with Adam weights and a Nesterovs bias keeps two
     * state arrays for W and one for b, and steps each with its own updater and learning rate.
     */
    @Test
    void theBiasHasAnUpdaterOfItsOwn() {
        UpdaterConfig nesterovs = new UpdaterConfig(UpdaterKind.NESTEROVS, 0.5f, 0.9f, 0f, 0f);
        KernelConfig config = new KernelConfig(KernelKind.DENSE_BLOCK, 2, 2, KernelActivation.IDENTITY, 0f, true, OUT,
                0, 0, 0, List.of(KeyRange.data(ROWS, 2, 0), KeyRange.label(0x600, 2, 0)),
                TrainingReference.output(Hyper.of(UpdaterKind.ADAM), LossKind.MSE, 2, DELTA, BACK, 0x700, false)
                        .toBuilder().biasUpdater(nesterovs).build());
        KernelCore core = new KernelCore();
        core.load(config, new float[] {1, 2, 3, 4}, new float[] {0.5f, -0.5f});
        assertEquals(4, core.readWeightState(2).length, "Adam's m and v for W");
        assertThrowsWith(IllegalArgumentException.class, () -> core.readBiasState(2), "NESTEROVS keeps 1 array");
        float[] v = {0.2f, -0.4f};
        core.writeBiasState(1, v);
        UpdateValues adam = new UpdateValues(0.01f, 0f, 0f, 0f, 0f);
        UpdateValues bias = new UpdateValues(0.5f, 0.9f, 0f, 0f, 0f);
        core.applyUpdate(1, 0, adam, bias);
        // no gradient: Nesterovs' v becomes 0.9 v and b moves by -(0.9 v - 1.9 (0.9 v)); Adam's W stays
        float[] b = {0.5f, -0.5f};
        for (int j = 0; j < 2; j++) {
            float prev = 0.9f * v[j];
            b[j] -= prev + (-0.9f - 1f) * prev;
        }
        Kernels.assertAllClose(b, core.readBias(), 1e-7, "b after Nesterovs");
        Kernels.assertAllClose(new float[] {1, 2, 3, 4}, core.readWeights(), 0, "W after Adam without gradient");
        assertEquals(KernelCore.stateBytes(config) + 4 * 2,
                KernelCore.stateBytes(new KernelConfig(config.kind(), 2, 2, KernelActivation.IDENTITY, 0f, true, OUT,
                        0, 0, 0, config.inputs(), config.training().toBuilder().biasUpdater(
                                new UpdaterConfig(UpdaterKind.ADAM, 0.01f, 0.9f, 0.999f, 1e-8f)).build())),
                "an Adam bias keeps one more array of nCols than a Nesterovs bias");
    }

    @Test
    void refusesArraysTheCoreDoesNotHave() {
        assertThrowsWith(IllegalArgumentException.class, () -> block(UpdaterKind.ADAM).readWeightState(3),
                "state array 3 does not exist", "ADAM keeps 2 arrays");
        assertThrowsWith(IllegalArgumentException.class, () -> block(UpdaterKind.NESTEROVS).readWeightState(0),
                "numbered from 1");
        assertThrowsWith(IllegalArgumentException.class, () -> block(UpdaterKind.SGD).writeWeightState(1, new float[6]),
                "SGD keeps 0 arrays");
        assertThrowsWith(IllegalStateException.class, () -> block(UpdaterKind.ADAM).readBiasState(1),
                "for REDUCE and fused DENSE_BLOCK cores");
        assertThrowsWith(IllegalStateException.class, () -> reduce(UpdaterKind.ADAM).readWeightState(1),
                "for DENSE_BLOCK cores");
        assertThrowsWith(IllegalArgumentException.class, () -> block(UpdaterKind.ADAM).writeWeightState(1, new float[5]),
                "needs 6 values, got 5");
        KernelCore inference = new KernelCore();
        inference.load(Kernels.dense(2, 3, false, KernelActivation.IDENTITY, 0f, OUT,
                List.of(KeyRange.data(ROWS, 2, 0))), W, null);
        assertThrowsWith(IllegalStateException.class, () -> inference.readWeightState(1), "without a training config");
    }

    @Test
    void refusesToWriteInTheMiddleOfABackwardPass() {
        KernelCore core = block(UpdaterKind.NESTEROVS);
        Kernels.deliver(core, new Packet(ROWS, Float.floatToRawIntBits(1f)));
        Kernels.deliver(core, new Packet(ROWS + 1, Float.floatToRawIntBits(2f)));
        Kernels.deliver(core, new Packet(DELTA, Float.floatToRawIntBits(1f)));
        KernelException e = assertThrowsWith(KernelException.class, () -> core.writeWeightState(1, new float[6]),
                "backward pass of a sample is incomplete");
        assertEquals(KernelException.INCOMPLETE, e.code());
    }
}
