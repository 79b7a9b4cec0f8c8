package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.function.Executable;

/** Test helpers: config builders, Java reference maths and packet routing. */
final class Kernels {

    /**
     * Byte of a loaded state where its range table starts: after the 46-word header and the 76-byte layout (34
     * half-word offsets, the uniform ranges' count and a spare half-word, their 32-bit reciprocal); an entry is 4
     * words, its kind the last.
     */
    static final int RANGE_TABLE_BYTE = 260;

    /** Asserts that {@code call} throws {@code type} with a message containing every one of {@code parts}. */
    static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable call, String... parts) {
        T e = assertThrows(type, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
        }
        return e;
    }

    private Kernels() {
    }

    /** {@link KernelCore#applyUpdate} with the values of the core's own training config (no schedules). */
    static void applyUpdate(KernelCore core, int batchSize, int iteration) {
        TrainingConfig t = core.config().training();
        core.applyUpdate(batchSize, iteration, values(t.weightUpdater(), t.weightRegularization()),
                values(t.biasUpdater(), t.biasRegularization()));
    }

    /** The update values a config without schedules gives one of its arrays. */
    static UpdateValues values(UpdaterConfig u, RegularizationConfig r) {
        return new UpdateValues(u.learningRate(), u.kind() == UpdaterKind.NESTEROVS ? u.momentumOrBeta1() : 0f,
                r.l1(), r.l2(), r.weightDecay());
    }

    static KernelConfig dense(int nRows, int nCols, boolean fused, KernelActivation act, float alpha,
                              int outKeyBase, List<KeyRange> inputs) {
        return new KernelConfig(KernelKind.DENSE_BLOCK, nRows, nCols, act, alpha, fused, outKeyBase, 0, 0, 0, inputs);
    }

    static KernelConfig reduce(int nCols, int partials, KernelActivation act, float alpha, int outKeyBase,
                               List<KeyRange> inputs) {
        return new KernelConfig(KernelKind.REDUCE, 0, nCols, act, alpha, false, outKeyBase, partials, 0, 0, inputs);
    }

    static KernelConfig source(int nCols, int outKeyBase) {
        return new KernelConfig(KernelKind.INPUT_SOURCE, 0, nCols, KernelActivation.IDENTITY, 0f, false,
                outKeyBase, 0, 0, 0, List.of());
    }

    static KernelConfig sink(int nCols, List<KeyRange> inputs) {
        return new KernelConfig(KernelKind.OUTPUT_SINK, 0, nCols, KernelActivation.IDENTITY, 0f, false,
                0, 0, 0, 0, inputs);
    }

    static float[] randomArray(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    /** s_j = sum_i x[i] * w[i][j], summed in order of i in a block's wide accumulator ({@link WideSum}). */
    static float[] matVec(float[] x, float[] w, int nRows, int nCols) {
        float[] s = new float[nCols];
        for (int j = 0; j < nCols; j++) {
            WideSum acc = new WideSum();
            for (int i = 0; i < nRows; i++) {
                acc.add(x[i], w[i * nCols + j]);
            }
            s[j] = acc.value();
        }
        return s;
    }

    /**
     * DL4J's element-wise activations: the first nine computed in double and rounded once, the others in float as
     * libnd4j writes them (float intermediates overflow where nd4j-native's do; relu6 is 6 at NaN, thresholdedrelu 0).
     */
    static float activate(KernelActivation act, float alpha, float x) {
        return switch (act) {
            case IDENTITY, SOFTMAX -> x;
            case RELU -> Math.max(0f, x);
            case LEAKYRELU -> x >= 0 ? x : alpha * x;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-(double) x)));
            case TANH -> (float) Math.tanh(x);
            case HARDTANH -> Math.min(1f, Math.max(-1f, x));
            case SOFTPLUS -> (float) Math.log1p((float) Math.exp(x)); // e^x overflows float, as in nd4j
            case ELU -> x >= 0 ? x : (float) (alpha * Math.expm1(x));
            case SWISH -> x * sigmoid(x);
            case GELU -> x * sigmoid(1.702f * x);
            case SELU -> x > 0 ? SELU_LAMBDA * x : SELU_LAMBDA * (SELU_ALPHA * exp(x) - SELU_ALPHA);
            case MISH -> x * (float) Math.tanh((float) Math.log(1f + exp(x)));
            case SOFTSIGN -> x / (1f + Math.abs(x));
            case RATIONALTANH -> {
                float d = (2f / 3f) * x;
                float d2 = d * d;
                yield 1.7159f * (Math.signum(d) * (1f - 1f / (1f + Math.abs(d) + d2 + 1.41645f * (d2 * d2))));
            }
            case RECTIFIEDTANH -> Math.max(0f, (float) Math.tanh(x));
            case CUBE -> x * x * x;
            case THRESHOLDEDRELU -> x > alpha ? x : 0f;
            case RELU6 -> Float.isNaN(x) ? 6f : Math.min(6f, Math.max(0f, x));
        };
    }

    /** libnd4j's SELU constants, as its float ops use them. */
    static final float SELU_ALPHA = 1.6732632423543772848170429916717f;
    static final float SELU_LAMBDA = 1.0507009873554804934193349852946f;

    /** e^x rounded to float: libnd4j's float ops overflow where it does. */
    static float exp(float x) {
        return (float) Math.exp(x);
    }

    /** 1 / (1 + e^-x) in float, as libnd4j's sd_sigmoid. */
    static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /** The layer-wide softmax in double. */
    static float[] softmax(float[] z) {
        double m = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            m = Math.max(m, v);
        }
        double[] e = new double[z.length];
        double s = 0;
        for (int j = 0; j < z.length; j++) {
            e[j] = Math.exp(z[j] - m);
            s += e[j];
        }
        float[] y = new float[z.length];
        for (int j = 0; j < z.length; j++) {
            y[j] = (float) (e[j] / s);
        }
        return y;
    }

    static float[] add(float[] a, float[] b) {
        float[] c = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] + b[i];
        }
        return c;
    }

    /** The raw bits of each float, for comparisons that claim identity (-0 is not 0, a NaN only its own bits). */
    static int[] bits(float[] values) {
        int[] b = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = Float.floatToRawIntBits(values[i]);
        }
        return b;
    }

    /** Asserts that {@code actual} holds exactly the floats of {@code expected}, bit for bit. */
    static void assertSameBits(float[] expected, float[] actual, String what) {
        assertArrayEquals(bits(expected), bits(actual), what);
    }

    static void assertClose(float expected, float actual, double tol, String what) {
        double err = Math.abs((double) expected - actual);
        assertTrue(Float.compare(expected, actual) == 0 || err <= tol * Math.max(1.0, Math.abs(expected)),
                what + ": expected " + expected + " but was " + actual + " (error " + err + ")");
    }

    static void assertAllClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int j = 0; j < expected.length; j++) {
            assertClose(expected[j], actual[j], tol, what + "[" + j + "]");
        }
    }

    /** A sent multicast packet. */
    record Packet(int key, int payload) {
        float value() {
            return Float.intBitsToFloat(payload);
        }
    }

    /**
     * The keys an inference reduce completing column by column sends as its packets come in: after the packet for
     * column j, every column from the next unsent on whose {@code partials} packets are all in, in column order.
     */
    static final class ColumnOrder {
        private final int[] missing;
        private final int outKey;
        private int next;

        ColumnOrder(int columns, int partials, int outKey) {
            missing = new int[columns];
            Arrays.fill(missing, partials);
            this.outKey = outKey;
        }

        List<Integer> keysAfter(int column) {
            missing[column]--;
            List<Integer> keys = new ArrayList<>();
            while (next < missing.length && missing[next] == 0) {
                keys.add(outKey + next++);
            }
            return keys;
        }
    }

    /** A core's whole DTCM buffer, byte for byte: its state after an event, to compare with another core's. */
    static byte[] image(KernelCore core) {
        ByteBuffer d = core.dtcm().duplicate();
        d.clear();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        return bytes;
    }

    /** The sends an event wrote into {@code outbox}. */
    static List<Packet> sends(int[] outbox, int n) {
        List<Packet> list = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            list.add(new Packet(outbox[2 * k], outbox[2 * k + 1]));
        }
        return list;
    }

    static List<Packet> deliver(KernelCore core, Packet p) {
        int[] outbox = new int[2 * Math.max(1, core.maxSendsPerEvent())];
        return sends(outbox, core.onPacket(p.key(), p.payload(), outbox));
    }

    static List<Packet> start(KernelCore core) {
        int[] outbox = new int[2 * Math.max(1, core.maxSendsPerEvent())];
        return sends(outbox, core.start(outbox));
    }

    /** Packets carrying {@code values} on keys {@code base + i}. */
    static List<Packet> packets(int base, float[] values) {
        List<Packet> list = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) {
            list.add(new Packet(base + i, Float.floatToRawIntBits(values[i])));
        }
        return list;
    }

    /** The values of sends on keys {@code base .. base+n-1}, by key. */
    static float[] valuesByKey(List<Packet> sent, int base, int n) {
        float[] v = new float[n];
        boolean[] seen = new boolean[n];
        for (Packet p : sent) {
            int j = p.key() - base;
            assertTrue(j >= 0 && j < n, String.format("unexpected key 0x%08x", p.key()));
            assertTrue(!seen[j], "key sent twice: " + p.key());
            seen[j] = true;
            v[j] = p.value();
        }
        for (int j = 0; j < n; j++) {
            assertTrue(seen[j], "no send for output " + j);
        }
        return v;
    }
}
