package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.Kernels.Packet;

/**
 * The exchange of a batch normalization whose channels are spread over several blocks
 * ({@link KernelCore#batchNormExchange}): every step out of order or too early refused with a code of its own, partial
 * sums arriving with the rows not taken for them, a block alone computing its channel's sums itself, and configs the
 * exchange does not take. Its results against nd4j-native: BatchNormExchangeParityTest (parity-tests).
 */
class BatchNormExchangeTest {

    private static final double DECAY = 0.9;
    private static final double EPS = 1e-5;
    private static final float LR = 0.1f;
    private static final int C = 2;
    private static final int W = 2;
    private static final int H = 2;
    private static final int ROW = W * C;
    private static final int BATCH = 3;
    private static final int IN = 0x100;
    private static final int E = 0x200;
    private static final int X = 0x400;
    private static final int OUT = 0x1000;
    private static final int BACK = 0x2000;

    /** Block {@code index} of H, one image row each, or a block alone with {@code pixels} pixels a channel. */
    private static KernelConfig config(int index, int peers, int pixels, List<KeyRange> exchange) {
        List<KeyRange> inputs = new ArrayList<>(List.of(KeyRange.data(IN + index * ROW, ROW, 0),
                KeyRange.backwardPartial(E + index * ROW, ROW, 0)));
        inputs.addAll(exchange);
        return new KernelConfig(KernelKind.DENSE_BLOCK, ROW, ROW, KernelActivation.IDENTITY, 0f, true,
                OUT + index * ROW, 0, 0, 0, inputs, training(new BatchNormTrainingConfig(BATCH, DECAY, EPS, true, C,
                        pixels, peers, index, peers > 1 ? X + index * BatchNormTrainingConfig.exchangeKeys(C) : 0)),
                PoolingConfig.norm(ROW, 0));
    }

    private static TrainingConfig training(BatchNormTrainingConfig mode) {
        return TrainingConfig.builder(new UpdaterConfig(UpdaterKind.SGD, LR, 0f, 0f, 0f)).backwardPartials(1)
                .sendsBackward(BACK).samplesInFlight(BATCH).batchNorm(mode).build();
    }

    private static KernelCore load(KernelConfig config, Random rnd) {
        int cols = config.nCols();
        float[] w = new float[4 * cols];
        for (int j = 0; j < cols; j++) {
            w[j] = 1.5f;
            w[cols + j] = 0.25f;
            w[2 * cols + j] = -0.5f;
            w[3 * cols + j] = 0.1f;
        }
        KernelCore core = new KernelCore();
        core.load(config, w, Kernels.randomArray(rnd, cols, 1));
        return core;
    }

    /** The H blocks of an image, exchanging. */
    private static KernelCore[] pair(Random rnd) {
        KernelCore[] blocks = new KernelCore[H];
        for (int p = 0; p < H; p++) {
            int other = 1 - p;
            blocks[p] = load(config(p, H, H * W, List.of(KeyRange.batchNormPartial(
                    X + other * BatchNormTrainingConfig.exchangeKeys(C), C, other))), rnd);
        }
        return blocks;
    }

    private static int code(Runnable call) {
        return Kernels.assertThrowsWith(KernelException.class, call::run).code();
    }

    private static List<Packet> exchange(KernelCore core, int round) {
        int[] out = new int[2 * core.maxSendsPerEvent()];
        return Kernels.sends(out, core.batchNormExchange(BATCH, round, out));
    }

    private static void deliver(KernelCore core, List<Packet> packets) {
        for (Packet p : packets) {
            assertEquals(List.of(), Kernels.deliver(core, p));
        }
    }

    private static void samples(KernelCore core, int base, float[][] values) {
        for (float[] v : values) {
            deliver(core, Kernels.packets(base, v));
        }
    }

    private static float[][] random(Random rnd) {
        float[][] v = new float[BATCH][];
        for (int b = 0; b < BATCH; b++) {
            v[b] = Kernels.randomArray(rnd, ROW, 2);
        }
        return v;
    }

    @Test
    void refusesEveryStepOutOfOrderOrBeforeItsPartials() {
        Random rnd = new Random(3);
        KernelCore[] k = pair(rnd);
        KernelCore a = k[0];
        KernelCore b = k[1];
        int[] out = new int[2 * a.maxSendsPerEvent()];
        float[][] xa = random(rnd);
        samples(a, IN, new float[][] {xa[0], xa[1]});
        assertEquals(KernelException.BATCH_HELD, code(() -> a.batchNormExchange(BATCH, 0, out)), "2 samples held");
        assertEquals(KernelException.EXCHANGE_ORDER, code(() -> a.batchNormExchange(2, 1, out)), "round 1 first");
        assertEquals(KernelException.EXCHANGE_ORDER, code(() -> a.batchNormForward(2, out)), "forward first");
        samples(a, IN, new float[][] {xa[2]});
        List<Packet> a0 = exchange(a, 0);
        assertEquals(C, a0.size(), "round 0: a sum per channel");
        assertEquals(KernelException.EXCHANGE_ORDER, code(() -> a.batchNormExchange(BATCH, 0, out)), "round 0 again");
        assertEquals(KernelException.EXCHANGE_ORDER, code(() -> a.batchNormForward(BATCH, out)), "before round 1");
        assertEquals(KernelException.IN_FLIGHT, code(() -> Kernels.deliver(a, new Packet(IN, 0))),
                "a sample after round 0");
        assertEquals(KernelException.BATCH_SIZE, code(() -> a.batchNormExchange(2, 1, out)), "round 0's was 3");
        assertEquals(KernelException.EXCHANGE_INCOMPLETE, code(() -> a.batchNormExchange(BATCH, 1, out)),
                "the other block's round 0 is not in");

        samples(b, IN + ROW, random(rnd));
        List<Packet> b0 = exchange(b, 0);
        deliver(b, a0);
        deliver(a, b0.subList(0, 1));
        assertEquals(KernelException.EXCHANGE_INCOMPLETE, code(() -> a.batchNormExchange(BATCH, 1, out)),
                "half of round 0 in");
        deliver(a, b0.subList(1, C));
        assertEquals(KernelException.DUPLICATE_PARTIAL, code(() -> Kernels.deliver(a, b0.get(0))));
        List<Packet> a1 = exchange(a, 1);
        assertEquals(2 * C, a1.size(), "round 1: two sums per channel");
        assertEquals(KernelException.NO_FORWARD, code(() -> a.batchNormExchange(BATCH, 2, out)), "round 2 first");
        assertEquals(KernelException.EXCHANGE_INCOMPLETE, code(() -> a.batchNormForward(BATCH, out)),
                "the other block's round 1 is not in");
        List<Packet> b1 = exchange(b, 1);
        deliver(a, b1);
        deliver(b, a1);
        assertEquals(BATCH * ROW, a.batchNormForward(BATCH, out));
        assertEquals(BATCH * ROW, b.batchNormForward(BATCH, new int[2 * b.maxSendsPerEvent()]));

        assertEquals(KernelException.BATCH_HELD, code(() -> a.batchNormExchange(BATCH, 2, out)), "no delta in");
        samples(a, E, random(rnd));
        assertEquals(KernelException.EXCHANGE_ORDER, code(() -> a.batchNormBackward(BATCH, out)), "before round 2");
        List<Packet> a2 = exchange(a, 2);
        assertEquals(4 * C, a2.size(), "round 2: four sums per channel");
        assertEquals(KernelException.EXCHANGE_INCOMPLETE, code(() -> a.batchNormBackward(BATCH, out)),
                "the other block's round 2 is not in");
        assertEquals(KernelException.INCOMPLETE, code(() -> Kernels.applyUpdate(a, BATCH, 0)), "before backward");
        samples(b, E + ROW, random(rnd));
        deliver(a, exchange(b, 2));
        deliver(b, a2);
        assertEquals(BATCH * ROW, a.batchNormBackward(BATCH, out));
        assertEquals(BATCH * ROW, b.batchNormBackward(BATCH, new int[2 * b.maxSendsPerEvent()]));
        Kernels.applyUpdate(a, BATCH, 0);
        Kernels.applyUpdate(b, BATCH, 0);
        assertArrayEquals(Kernels.bits(a.readWeights()), Kernels.bits(b.readWeights()),
                "both blocks step gamma and the running statistics alike");

        // the next mini-batch starts a fresh exchange
        samples(a, IN, random(rnd));
        assertEquals(C, exchange(a, 0).size());
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> a.batchNormExchange(BATCH, 3, out), "0..2");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> a.batchNormExchange(0, 1, out), "1..3");
    }

    /** The forward outputs of the pair, the other block's round 0 delivered to block 0 before its last row or after. */
    private static float[] forward(boolean early) {
        Random rnd = new Random(5);
        KernelCore[] k = pair(rnd);
        float[][] xa = random(rnd);
        samples(k[1], IN + ROW, random(rnd));
        List<Packet> b0 = exchange(k[1], 0);
        samples(k[0], IN, new float[][] {xa[0], xa[1]});
        if (early) {
            deliver(k[0], b0);
        }
        samples(k[0], IN, new float[][] {xa[2]});
        if (!early) {
            deliver(k[0], b0);
        }
        deliver(k[1], exchange(k[0], 0));
        deliver(k[1], exchange(k[0], 1));
        deliver(k[0], exchange(k[1], 1));
        int[] out = new int[2 * k[0].maxSendsPerEvent()];
        int n = k[0].batchNormForward(BATCH, out);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = Float.intBitsToFloat(out[2 * i + 1]);
        }
        return y;
    }

    @Test
    void partialsArrivingWithTheRowsAreNotTakenForThem() {
        assertArrayEquals(Kernels.bits(forward(false)), Kernels.bits(forward(true)));
    }

    /**
     * A block alone in channel mode (peers 1: no exchange) over a one-pixel image computes a channel's statistics
     * exactly as a per-feature block computes a feature's: the same outputs, deltas back and update, bit for bit.
     */
    @Test
    void aBlockAloneComputesItsChannelsSumsItself() {
        Random rnd = new Random(7);
        int features = C;
        float[][] x = new float[BATCH][];
        float[][] d = new float[BATCH][];
        for (int b = 0; b < BATCH; b++) {
            x[b] = Kernels.randomArray(rnd, features, 2);
            d[b] = Kernels.randomArray(rnd, features, 1);
        }
        List<KeyRange> inputs = List.of(KeyRange.data(IN, features, 0), KeyRange.backwardPartial(E, features, 0));
        KernelCore[] cores = new KernelCore[2];
        BatchNormTrainingConfig[] modes = {new BatchNormTrainingConfig(BATCH, DECAY, EPS, true),
            new BatchNormTrainingConfig(BATCH, DECAY, EPS, true, C, 1, 1, 0, 0)};
        List<int[]> sent = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
            KernelCore core = load(new KernelConfig(KernelKind.DENSE_BLOCK, features, features,
                    KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0, inputs, training(modes[m]),
                    PoolingConfig.norm(features, 0)), new Random(1));
            int[] out = new int[2 * core.maxSendsPerEvent()];
            samples(core, IN, x);
            int[] y = java.util.Arrays.copyOf(out, 2 * core.batchNormForward(BATCH, out));
            samples(core, E, d);
            int[] back = java.util.Arrays.copyOf(out, 2 * core.batchNormBackward(BATCH, out));
            Kernels.applyUpdate(core, BATCH, 0);
            sent.add(y);
            sent.add(back);
            sent.add(Kernels.bits(core.readWeights()));
            sent.add(Kernels.bits(core.readBias()));
            cores[m] = core;
        }
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(sent.get(i), sent.get(4 + i), "outputs, deltas back, weights, bias: " + i);
        }
        Kernels.assertThrowsWith(IllegalStateException.class,
                () -> cores[1].batchNormExchange(BATCH, 0, new int[2 * cores[1].maxSendsPerEvent()]), "exchanges");
    }

    @Test
    void refusesConfigsTheExchangeDoesNotTake() {
        int keys = BatchNormTrainingConfig.exchangeKeys(C);
        KeyRange other = KeyRange.batchNormPartial(X + keys, C, 1);
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> config(0, H, H * W, List.of()),
                "BN_PARTIAL input range from each other block");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> config(0, H, H * W, List.of(new KeyRange(X + keys, X + 2 * keys - 1, 1, RangeKind.BN_PARTIAL))),
                "exchange keys");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> config(0, H, H * W, List.of(KeyRange.batchNormPartial(X + keys, C, 0))), "not this block's");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> config(0, 1, H * W, List.of(other)), "BN_PARTIAL");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.DENSE_BLOCK, ROW,
                ROW, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0, List.of(KeyRange.data(IN, ROW, 0), other,
                        KeyRange.backwardPartial(E, ROW, 0)), training(new BatchNormTrainingConfig(BATCH, DECAY, EPS,
                        true, C, H * W, H, 0, X)), PoolingConfig.norm(ROW, 0)), "after every other");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.DENSE_BLOCK, 1, 1,
                KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0, List.of(KeyRange.data(IN, 1, 0)),
                training(new BatchNormTrainingConfig(BATCH, DECAY, EPS, true, C, 1, 1, 0, 0)),
                PoolingConfig.norm(1, 0)), "channels");
        for (int[] bad : new int[][] {{C, 0, H, 0, X}, {C, H * W, 0, 0, 0}, {C, H * W, H, H, X}, {C, H * W, 1, 0, X},
            {0, 0, H, 0, X}, {0, 1, 1, 0, 0}, {C, H * W, H, 0, -3}}) {
            Kernels.assertThrowsWith(IllegalArgumentException.class, () -> new BatchNormTrainingConfig(BATCH, DECAY,
                    EPS, true, bad[0], bad[1], bad[2], bad[3], bad[4]), "channels");
        }
    }
}
