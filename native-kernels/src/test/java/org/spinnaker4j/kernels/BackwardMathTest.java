package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.kernels.TrainingReference.Hyper;
import org.spinnaker4j.kernels.TrainingReference.LossResult;

/** Each loss (value and delta) and each activation derivative of one activator core against the Java reference. */
class BackwardMathTest {

    private static final int Z = 0x100;
    private static final int E = 0x180;
    private static final int E2 = 0x1C0;
    private static final int LBL = 0x200;
    private static final int D = 0x300;
    private static final int LOSS = 0x400;
    private static final int OUT = 0x500;
    private static final int N = 3;
    private static final int LAYER_OUTPUTS = 5;   // the core holds 3 of a layer's 5 outputs
    private static final float ALPHA = 0.2f;

    static Stream<Arguments> losses() {
        return Stream.of(
                Arguments.of(LossKind.MSE, KernelActivation.IDENTITY),
                Arguments.of(LossKind.MSE, KernelActivation.SIGMOID),
                Arguments.of(LossKind.L2, KernelActivation.IDENTITY),
                Arguments.of(LossKind.L2, KernelActivation.TANH),
                Arguments.of(LossKind.L1, KernelActivation.IDENTITY),
                Arguments.of(LossKind.L1, KernelActivation.LEAKYRELU),
                Arguments.of(LossKind.MAE, KernelActivation.IDENTITY),
                Arguments.of(LossKind.MAE, KernelActivation.ELU),
                Arguments.of(LossKind.XENT, KernelActivation.SIGMOID),
                Arguments.of(LossKind.MCXENT, KernelActivation.SOFTMAX),
                Arguments.of(LossKind.MCXENT, KernelActivation.SIGMOID),
                Arguments.of(LossKind.NEGATIVELOGLIKELIHOOD, KernelActivation.SOFTMAX));
    }

    private static float[] labels(LossKind loss, KernelActivation act, Random rnd) {
        float[] t = new float[N];
        if (act == KernelActivation.SOFTMAX) {
            t[rnd.nextInt(N)] = 1f;
        } else if (loss == LossKind.XENT || loss == LossKind.MCXENT) {
            for (int j = 0; j < N; j++) {
                t[j] = rnd.nextInt(3) == 0 ? 0.3f : rnd.nextInt(2);
            }
        } else {
            t = Kernels.randomArray(rnd, N, 1.0);
        }
        return t;
    }

    @ParameterizedTest
    @MethodSource("losses")
    void lossValueAndDelta(LossKind loss, KernelActivation act) {
        Random rnd = new Random(31 * loss.ordinal() + act.ordinal());
        float[] b = Kernels.randomArray(rnd, N, 0.3);
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.REDUCE, 0, N, act, ALPHA, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(Z, N, 0), KeyRange.label(LBL, N, 0)),
                TrainingReference.output(Hyper.sgd(1f), loss, LAYER_OUTPUTS, D, 0, LOSS, false)), null, b);
        assertEquals(N + N + 1, core.maxSendsPerEvent());
        float[] db = new float[N];
        int samples = 6;
        for (int s = 0; s < samples; s++) {
            // sample 0 saturates: XENT clips y, sigmoid derivatives vanish
            float[] partial = s == 0 ? new float[] {20f, -20f, 0.3f} : Kernels.randomArray(rnd, N, 2.0);
            float[] t = labels(loss, act, rnd);
            List<Packet> forward = Kernels.packets(Z, partial);
            List<Packet> labelPackets = Kernels.packets(LBL, t);
            Collections.shuffle(labelPackets, rnd);
            List<Packet> order = new ArrayList<>();
            if (s % 2 == 0) {                      // labels first, then the forward pass completes it
                order.addAll(labelPackets);
                order.addAll(forward);
            } else {                               // forward first, the last label completes it
                order.addAll(forward);
                order.addAll(labelPackets);
            }
            List<Packet> sent = new ArrayList<>();
            for (Packet p : order) {
                sent.addAll(Kernels.deliver(core, p));
            }
            float[] z = Kernels.add(partial, b);
            float[] y = TrainingReference.activateAll(act, ALPHA, z);
            LossResult ref = TrainingReference.loss(loss, act, ALPHA, z, y, t, LAYER_OUTPUTS);
            String what = loss + "/" + act + " sample " + s;
            List<Packet> outputs = new ArrayList<>();
            List<Packet> deltas = new ArrayList<>();
            List<Packet> lossPackets = new ArrayList<>();
            for (Packet p : sent) {
                (p.key() == LOSS ? lossPackets : p.key() >= D && p.key() < D + N ? deltas : outputs).add(p);
            }
            Kernels.assertAllClose(y, Kernels.valuesByKey(outputs, OUT, N), 1e-6, what + " y");
            Kernels.assertAllClose(ref.delta(), Kernels.valuesByKey(deltas, D, N), 1e-5, what + " delta");
            assertEquals(1, lossPackets.size(), what + ": one loss packet");
            Kernels.assertClose((float) ref.loss(), lossPackets.get(0).value(), 1e-5, what + " loss");
            assertEquals(lossPackets.get(0).value(), core.lastPartialLoss(), what + " lastPartialLoss");
            assertEquals(N, sent.indexOf(lossPackets.get(0)), "outputs, then the loss packet, then the deltas");
            for (int j = 0; j < N; j++) {
                db[j] += Kernels.valuesByKey(deltas, D, N)[j];
            }
        }
        // SGD with lr 1: b -= db / batch
        Kernels.applyUpdate(core, samples, 0);
        float[] expected = new float[N];
        for (int j = 0; j < N; j++) {
            expected[j] = b[j] - db[j] / samples;
        }
        Kernels.assertAllClose(expected, core.readBias(), 1e-6, loss + "/" + act + " bias after the update");
    }

    @Test
    void xentClipsSaturatedOutputs() {
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.SIGMOID, 0f, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(Z, 2, 0), KeyRange.label(LBL, 2, 0)),
                TrainingReference.output(Hyper.sgd(0.1f), LossKind.XENT, 2, D, 0, LOSS, false)), null, new float[2]);
        List<Packet> sent = new ArrayList<>();
        for (Packet p : Kernels.packets(LBL, new float[] {1f, 0f})) {
            sent.addAll(Kernels.deliver(core, p));
        }
        for (Packet p : Kernels.packets(Z, new float[] {-40f, 40f})) {   // y = ~4e-18 and 1 exactly: both clipped
            sent.addAll(Kernels.deliver(core, p));
        }
        assertEquals(2 + 1 + 2, sent.size());
        // y clipped to 1e-5 and to 0.99999f; 1 - 0.99999f is 1.0013580e-5 in float, as in DL4J
        float hi = (float) (1 - 1e-5);
        Kernels.assertClose((float) (-Math.log(1e-5f) - Math.log(1f - hi)), core.lastPartialLoss(), 1e-6,
                "clipped XENT loss");
        float[] delta = Kernels.valuesByKey(sent.subList(3, 5), D, 2);
        assertEquals(0f, delta[1], "y = 1 exactly: y (1 - y) = 0, so delta is 0 whatever dL/dy is");
        float y0 = (float) (1 / (1 + Math.exp(40)));
        Kernels.assertClose(0f, delta[0], 1e-6, "delta of the clipped output");
        assertTrue(delta[0] < 0 && Math.abs(delta[0] - (1e-5f - 1f) / (1e-5f * (1 - 1e-5f)) * y0) <= 1e-3 * Math.abs(delta[0]),
                "delta = (c - t) / (c (1 - c)) * y (1 - y) with c clipped and y not: " + delta[0]);
    }

    /** z values on and around every activation's edges. */
    private static final float[] EDGES = {-30f, -20.5f, -2f, -1f, -0.5f, -1e-4f, 0f, 1e-4f, 0.5f, 1f, 2f, 20.5f, 30f};

    @ParameterizedTest
    @EnumSource(value = KernelActivation.class, mode = EnumSource.Mode.EXCLUDE, names = "SOFTMAX")
    void activationDerivativesOfAHiddenActivator(KernelActivation act) {
        Random rnd = new Random(77 + act.ordinal());
        int n = EDGES.length;
        float alpha = 0.3f;
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.REDUCE, 0, n, act, alpha, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(Z, n, 0), KeyRange.backwardPartial(E, n, 0), KeyRange.backwardPartial(E2, n, 0)),
                TrainingReference.hidden(Hyper.sgd(0.5f), D, 0, 2, false)), null, new float[n]);
        assertEquals(n + n + 1, core.maxSendsPerEvent());
        for (int s = 0; s < 3; s++) {
            float[] z = s == 0 ? EDGES : Kernels.randomArray(rnd, n, 3.0);
            List<Packet> sent = new ArrayList<>();
            for (Packet p : Kernels.packets(Z, z)) {
                sent.addAll(Kernels.deliver(core, p));
            }
            assertEquals(n, sent.size(), "forward outputs only");
            float[] ea = Kernels.randomArray(rnd, n, 1.0);
            float[] eb = Kernels.randomArray(rnd, n, 1.0);
            List<Packet> back = new ArrayList<>(Kernels.packets(E, ea));
            back.addAll(Kernels.packets(E2, eb));
            Collections.shuffle(back, rnd);
            List<Packet> deltas = new ArrayList<>();
            for (int k = 0; k < back.size(); k++) {
                List<Packet> out = Kernels.deliver(core, back.get(k));
                assertEquals(k == back.size() - 1 ? n : 0, out.size(), "deltas once every partial is in");
                deltas.addAll(out);
            }
            float[] got = Kernels.valuesByKey(deltas, D, n);
            for (int j = 0; j < n; j++) {
                float e = ea[j] + eb[j];
                float expected = (float) (e * TrainingReference.derivative(act, alpha, z[j]));
                Kernels.assertClose(expected, got[j], 1e-6, act + "'(" + z[j] + ")");
            }
            if (s == 0) {
                checkEdges(act, got, ea, eb);
            }
        }
    }

    /** The DL4J choices at the kinks, spelled out. */
    private static void checkEdges(KernelActivation act, float[] delta, float[] ea, float[] eb) {
        int zero = 6;
        int minusOne = 3;
        int plusOne = 9;
        int minusTwo = 2;
        float e0 = ea[zero] + eb[zero];
        switch (act) {
            case RELU -> assertTrue(delta[zero] == 0f, "relu'(0) = 0");
            case LEAKYRELU -> assertEquals(e0, delta[zero], "leakyrelu'(0) = 1");
            case ELU -> {
                assertEquals(e0, delta[zero], "elu'(0) = 1");
                float e2 = ea[minusTwo] + eb[minusTwo];
                Kernels.assertClose((float) (e2 * Math.exp(-2)), delta[minusTwo], 1e-6,
                        "elu'(-2) = e^-2: DL4J's backprop ignores alpha");
            }
            case HARDTANH -> {
                assertEquals(ea[minusOne] + eb[minusOne], delta[minusOne], "hardtanh'(-1) = 1");
                assertEquals(ea[plusOne] + eb[plusOne], delta[plusOne], "hardtanh'(1) = 1");
                assertTrue(delta[minusTwo] == 0f, "hardtanh'(-2) = 0");
            }
            case RELU6 -> assertTrue(delta[zero] == 0f, "relu6'(0) = 0");
            case RECTIFIEDTANH -> assertTrue(delta[zero] == 0f && delta[minusOne] == 0f,
                    "rectifiedtanh' = 0 at z <= 0");
            case SELU -> Kernels.assertClose(e0 * Kernels.SELU_ALPHA * Kernels.SELU_LAMBDA, delta[zero], 1e-6,
                    "selu'(0) = alpha lambda: the left branch holds 0");
            case GELU, MISH -> assertTrue(Float.isNaN(delta[EDGES.length - 1]),
                    act + "'(30) is NaN: a power of e^z overflows float32, as in nd4j-native");
            default -> { }
        }
    }
}
