package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.kernels.TrainingReference.Hyper;

/**
 * A batch normalization's block training with the mini-batch's statistics ({@link BatchNormTrainingConfig}): it
 * keeps each sample's row and delta and sends nothing; {@link KernelCore#batchNormForward} sends the mini-batch's
 * outputs and {@link KernelCore#batchNormBackward} its deltas back, sample after sample, bit for bit as
 * {@link BatchNormReference} computes DL4J's formulas in float; its update steps gamma and beta through the updaters
 * and the running mean and statistic as DL4J does, and derives std as the host does.
 */
class BatchNormTrainingTest {

    private static final Logger LOG = LoggerFactory.getLogger(BatchNormTrainingTest.class);
    private static final int OUT = 0x4000;
    private static final int IN = 0x100;
    private static final int E = 0x800;
    private static final int DELTA = 0x300;
    private static final int BACK = 0x1000;
    private static final double DECAY = 0.9;
    private static final double EPS = 1e-5;
    private static final float LR = 0.5f;

    /** A NORM block of {@code rows} channels holding {@code cols} from {@code first}, up to {@code max} samples. */
    private static KernelCore block(int rows, int cols, int first, int max, int inFlight, boolean logStd, Hyper u,
            float[] weights, float[] beta) {
        KernelCore core = new KernelCore();
        TrainingConfig training = TrainingConfig.builder(u.config()).deltaKeyBase(DELTA).backwardPartials(1)
                .sendsBackward(BACK).samplesInFlight(inFlight)
                .batchNorm(new BatchNormTrainingConfig(max, DECAY, EPS, logStd)).build();
        core.load(new KernelConfig(KernelKind.DENSE_BLOCK, rows, cols, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0,
                0, List.of(KeyRange.data(IN, rows, 0), KeyRange.backwardPartial(E, cols, 0)), training,
                PoolingConfig.norm(rows, first)), weights, beta);
        return core;
    }

    /** Rows gamma, mean, statistic, std (the host's std of the statistic), random. */
    private static float[] parameters(Random rnd, int cols, boolean logStd) {
        float[] w = new float[KernelAbi.NORM_ROWS * cols];
        for (int j = 0; j < cols; j++) {
            w[j] = 0.5f + rnd.nextFloat();
            w[cols + j] = rnd.nextFloat() - 0.5f;
            w[2 * cols + j] = logStd ? rnd.nextFloat() - 0.5f : 0.2f + rnd.nextFloat();
            w[3 * cols + j] = BatchNormReference.std(w[2 * cols + j], logStd, EPS);
        }
        return w;
    }

    private static float[] row(float[] w, int r, int cols) {
        float[] out = new float[cols];
        System.arraycopy(w, r * cols, out, 0, cols);
        return out;
    }

    private static float[][] random(Random rnd, int batch, int n) {
        float[][] a = new float[batch][n];
        for (float[] r : a) {
            for (int j = 0; j < n; j++) {
                r[j] = rnd.nextFloat() * 3 - 1;
            }
        }
        return a;
    }

    /** Delivers the packets in a shuffled order; none may send anything. */
    private static void deliverSilently(KernelCore core, List<Packet> packets, Random rnd) {
        List<Packet> shuffled = new ArrayList<>(packets);
        Collections.shuffle(shuffled, rnd);
        for (Packet p : shuffled) {
            assertEquals(List.of(), Kernels.deliver(core, p), "a kept row or delta sends nothing");
            assertEquals(0, core.lastWork(), "and reports no work");
        }
    }

    private static int[] outbox(KernelCore core) {
        return new int[2 * core.maxSendsPerEvent()];
    }

    /** The sends of a mini-batch event: {@code per} a sample, keys {@code base + k mod per} in order. */
    private static float[][] bySample(int[] outbox, int sends, int batch, int per, int base) {
        assertEquals(batch * per, sends, "sends of the mini-batch");
        float[][] v = new float[batch][per];
        List<Packet> sent = Kernels.sends(outbox, sends);
        for (int k = 0; k < sends; k++) {
            assertEquals(base + k % per, sent.get(k).key(), "send " + k + ": sample " + k / per + "'s, in order");
            v[k / per][k % per] = sent.get(k).value();
        }
        return v;
    }

    /** The block's columns' values of each sample's row. */
    private static float[][] columns(float[][] x, int first, int cols) {
        float[][] c = new float[x.length][cols];
        for (int b = 0; b < x.length; b++) {
            System.arraycopy(x[b], first, c[b], 0, cols);
        }
        return c;
    }

    @ParameterizedTest(name = "batch {0}, {1} rows, {2} columns from {3}, useLogStd {4}")
    @CsvSource({"1, 7, 7, 0, true", "5, 9, 7, 1, false", "16, 5, 5, 0, true", "16, 13, 11, 2, false",
            "5, 3, 3, 0, true", "16, 1, 1, 0, false"})
    void twoMiniBatchesRunAsDl4jsFormulasInFloat(int batch, int rows, int cols, int first, boolean logStd) {
        Random rnd = new Random(31L * batch + rows);
        float[] w = parameters(rnd, cols, logStd);
        float[] beta = Kernels.randomArray(rnd, cols, 0.5);
        KernelCore core = block(rows, cols, first, 16, 16, logStd, Hyper.sgd(LR), w, beta);
        for (int step = 0; step < 2; step++) {
            int b = step == 0 ? batch : Math.max(1, batch - 2);
            float[][] x = random(rnd, b, rows);
            float[][] delta = random(rnd, b, cols);
            for (float[] sample : x) {
                deliverSilently(core, Kernels.packets(IN, sample), rnd);
            }
            int[] out = outbox(core);
            float[][] y = bySample(out, core.batchNormForward(b, out), b, cols, OUT);
            float[][] xc = columns(x, first, cols);
            float[] gamma = row(w, 0, cols);
            BatchNormReference.Forward f = BatchNormReference.forward(xc, gamma, beta, (float) EPS);
            for (int s = 0; s < b; s++) {
                Kernels.assertSameBits(f.y()[s], y[s], "step " + step + ", sample " + s + "'s outputs");
            }
            for (float[] d : delta) {
                deliverSilently(core, Kernels.packets(E, d), rnd);
            }
            float[][] back = bySample(out, core.batchNormBackward(b, out), b, rows, BACK);
            BatchNormReference.Backward r = BatchNormReference.backward(xc, delta, gamma, f);
            for (int s = 0; s < b; s++) {
                float[] expected = new float[rows];
                System.arraycopy(r.back()[s], 0, expected, first, cols);
                Kernels.assertSameBits(expected, back[s], "step " + step + ", sample " + s + "'s deltas back");
            }
            Kernels.applyUpdate(core, b, step);
            new TrainingReference.Updater(Hyper.sgd(LR), cols).apply(gamma, r.dGamma(), b, step);
            new TrainingReference.Updater(Hyper.sgd(LR), cols).apply(beta, r.dBeta(), b, step);
            float[] now = core.readWeights();
            Kernels.assertSameBits(gamma, row(now, 0, cols), "gamma through SGD");
            Kernels.assertSameBits(beta, core.readBias(), "beta through SGD");
            for (int j = 0; j < cols; j++) {
                assertEquals(BatchNormReference.decayed(w[cols + j], f.mean()[j], DECAY), now[cols + j], 0f,
                        "running mean " + j);
                float stat = now[2 * cols + j];
                if (logStd) {
                    assertEquals(BatchNormReference.decayedLog10Std(w[2 * cols + j], f.var()[j], DECAY), stat,
                            2 * Math.ulp(stat), "log10 std " + j + " (powf and logf)");
                } else {
                    assertEquals(BatchNormReference.decayed(w[2 * cols + j], f.var()[j], DECAY), stat, 0f,
                            "running variance " + j);
                }
                assertEquals(BatchNormReference.std(stat, logStd, EPS), now[3 * cols + j], 0f, "std " + j);
            }
            w = now;
        }
    }

    /**
     * Gamma and beta go through Adam as a dense block's parameters do (gamma's state in weight row 0, the other rows'
     * untouched), their gradients divided by the batch.
     */
    @Test
    void gammaAndBetaTakeTheUpdatersStep() {
        Random rnd = new Random(5);
        int cols = 6;
        int batch = 8;
        Hyper adam = Hyper.of(UpdaterKind.ADAM);
        float[] w = parameters(rnd, cols, true);
        float[] beta = Kernels.randomArray(rnd, cols, 0.5);
        KernelCore core = block(cols, cols, 0, batch, batch, true, adam, w, beta);
        TrainingReference.Updater gammaUpdater = new TrainingReference.Updater(adam, cols);
        TrainingReference.Updater betaUpdater = new TrainingReference.Updater(adam, cols);
        float[] gamma = row(w, 0, cols);
        for (int step = 0; step < 3; step++) {
            float[][] x = random(rnd, batch, cols);
            float[][] delta = random(rnd, batch, cols);
            for (float[] sample : x) {
                deliverSilently(core, Kernels.packets(IN, sample), rnd);
            }
            int[] out = outbox(core);
            core.batchNormForward(batch, out);
            for (float[] d : delta) {
                deliverSilently(core, Kernels.packets(E, d), rnd);
            }
            core.batchNormBackward(batch, out);
            BatchNormReference.Forward f = BatchNormReference.forward(x, gamma, beta, (float) EPS);
            BatchNormReference.Backward r = BatchNormReference.backward(x, delta, gamma, f);
            Kernels.applyUpdate(core, batch, step);
            gammaUpdater.apply(gamma, r.dGamma(), batch, step);
            betaUpdater.apply(beta, r.dBeta(), batch, step);
            Kernels.assertAllClose(gamma, row(core.readWeights(), 0, cols), 1e-6, "gamma, step " + step);
            Kernels.assertAllClose(beta, core.readBias(), 1e-6, "beta, step " + step);
            gamma = row(core.readWeights(), 0, cols);
            System.arraycopy(core.readBias(), 0, beta, 0, cols);
        }
        float[] m = core.readWeightState(1);
        for (int k = cols; k < m.length; k++) {
            assertEquals(0f, m[k], 0f, "no updater state but gamma's, " + k);
        }
        assertTrue(row(m, 0, cols)[0] != 0f, "gamma's state moved");
    }

    /**
     * Over many statistics (both kinds), the std an update derives from its new statistic is the host's
     * (PoolingSpec.std: a power in double, the square root of var + eps in float) bit for bit; the log10 std steps
     * through glibc's powf and logf stay within 2 ulp of the same step through a power and a logarithm in double.
     */
    @ParameterizedTest(name = "useLogStd {0}")
    @CsvSource({"true", "false"})
    void theUpdatedStdIsTheHostsBitForBit(boolean logStd) {
        int cols = 256;
        int batch = 2;
        int runs = 16;
        int differ = 0;
        for (int run = 0; run < runs; run++) {
            Random rnd = new Random(100 + run);
            float[] w = parameters(rnd, cols, logStd);
            for (int j = 0; j < cols; j++) {
                float stat = logStd ? rnd.nextFloat() * 5 - 3 : (float) Math.pow(10, rnd.nextFloat() * 6 - 4);
                w[2 * cols + j] = stat;
                w[3 * cols + j] = BatchNormReference.std(stat, logStd, EPS);
            }
            KernelCore core = block(cols, cols, 0, batch, batch, logStd, Hyper.sgd(LR), w, new float[cols]);
            float[][] x = random(rnd, batch, cols);
            for (float[] sample : x) {
                deliverSilently(core, Kernels.packets(IN, sample), rnd);
            }
            int[] out = outbox(core);
            core.batchNormForward(batch, out);
            for (int s = 0; s < batch; s++) {
                deliverSilently(core, Kernels.packets(E, new float[cols]), rnd);
            }
            core.batchNormBackward(batch, out);
            Kernels.applyUpdate(core, batch, 0);
            float[] now = core.readWeights();
            BatchNormReference.Forward f = BatchNormReference.forward(x, row(w, 0, cols), new float[cols], (float) EPS);
            for (int j = 0; j < cols; j++) {
                float stat = now[2 * cols + j];
                assertEquals(BatchNormReference.std(stat, logStd, EPS), now[3 * cols + j], 0f, "std of " + stat);
                if (logStd) {
                    float viaDouble = BatchNormReference.decayedLog10Std(w[2 * cols + j], f.var()[j], DECAY);
                    assertEquals(viaDouble, stat, 2 * Math.ulp(stat), "log10 std " + j);
                    differ += viaDouble != stat ? 1 : 0;
                }
            }
        }
        LOG.info("useLogStd {}: {} of {} log10 std steps differ from the double power and logarithm's", logStd,
                differ, runs * cols);
    }

    private static int code(Runnable call) {
        return Kernels.assertThrowsWith(KernelException.class, call::run).code();
    }

    /** Refusals: sizes, samples and deltas held, the events' order, and configs the mode does not take. */
    @Test
    void refusesWhatItCannotComputeExactly() {
        Random rnd = new Random(9);
        int cols = 3;
        float[] w = parameters(rnd, cols, false);
        KernelCore core = block(cols, cols, 0, 4, 6, false, Hyper.sgd(LR), w, new float[cols]);
        int[] out = outbox(core);
        assertTrue(core.maxSendsPerEvent() >= 4 * cols, "a mini-batch's sends fit one event");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.batchNormForward(0, out), "1..4");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.batchNormForward(5, out), "1..4");
        assertEquals(KernelException.NO_FORWARD, code(() -> core.batchNormBackward(2, out)));
        for (int s = 0; s < 3; s++) {
            deliverSilently(core, Kernels.packets(IN, Kernels.randomArray(rnd, cols, 1)), rnd);
        }
        Kernels.deliver(core, new Packet(E, 0));
        Kernels.deliver(core, new Packet(E + 1, 0));
        assertEquals(KernelException.NO_FORWARD, code(() -> Kernels.deliver(core, new Packet(E + 2, 0))),
                "a delta before the mini-batch's forward");
        assertEquals(KernelException.BATCH_HELD, code(() -> core.batchNormForward(4, out)), "3 samples held");
        assertEquals(KernelException.BATCH_HELD, code(() -> core.batchNormForward(2, out)), "3 samples held");
        Kernels.deliver(core, new Packet(IN, 0));
        assertEquals(KernelException.BATCH_HELD, code(() -> core.batchNormForward(3, out)), "part of a 4th");
        Kernels.deliver(core, new Packet(IN + 1, 0));
        Kernels.deliver(core, new Packet(IN + 2, 0));
        assertEquals(KernelException.IN_FLIGHT, code(() -> Kernels.deliver(core, new Packet(IN, 0))),
                "a 5th sample beyond the largest mini-batch");
        assertEquals(4 * cols, core.batchNormForward(4, out));
        assertEquals(KernelException.DUPLICATE_SYNC, code(() -> core.batchNormForward(4, out)));
        assertEquals(KernelException.IN_FLIGHT, code(() -> Kernels.deliver(core, new Packet(IN, 0))),
                "a next sample before the update");
        assertEquals(KernelException.INCOMPLETE, code(() -> Kernels.applyUpdate(core, 4, 0)), "before backward");
        for (int s = 0; s < 3; s++) {
            deliverSilently(core, Kernels.packets(E, Kernels.randomArray(rnd, cols, 1)), rnd);
        }
        assertEquals(KernelException.BATCH_SIZE, code(() -> core.batchNormBackward(3, out)), "the forward's was 4");
        assertEquals(KernelException.BATCH_HELD, code(() -> core.batchNormBackward(4, out)), "3 deltas in");
        deliverSilently(core, Kernels.packets(E, Kernels.randomArray(rnd, cols, 1)), rnd);
        Kernels.deliver(core, new Packet(E, 0));
        Kernels.deliver(core, new Packet(E + 1, 0));
        assertEquals(KernelException.TOO_MANY_BACKWARD, code(() -> Kernels.deliver(core, new Packet(E + 2, 0))),
                "a 5th delta");
        assertEquals(4 * cols, core.batchNormBackward(4, out));
        assertEquals(KernelException.NO_FORWARD, code(() -> core.batchNormBackward(4, out)), "ran already");
        assertEquals(KernelException.BATCH_SIZE, code(() -> Kernels.applyUpdate(core, 2, 0)), "the batch was 4");
        Kernels.applyUpdate(core, 4, 0);
        assertEquals(KernelException.INCOMPLETE, code(() -> Kernels.applyUpdate(core, 4, 1)), "updated already");
        TrainingConfig.Builder mode = TrainingConfig.builder(Hyper.sgd(LR).config()).backwardPartials(1)
                .batchNorm(new BatchNormTrainingConfig(4, DECAY, EPS, true));
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> mode.samplesInFlight(3).build(),
                "samplesInFlight >= it");
        TrainingConfig training = mode.samplesInFlight(4).build();
        List<KeyRange> inputs = List.of(KeyRange.data(IN, cols, 0), KeyRange.backwardPartial(E, cols, 0));
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.DENSE_BLOCK, cols,
                cols, KernelActivation.TANH, 0f, true, OUT, 0, 0, 0, inputs, training, PoolingConfig.norm(cols, 0)),
                "IDENTITY");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.DENSE_BLOCK, cols,
                cols, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0, inputs, training,
                PoolingConfig.avg(cols, 0, 1)), "batch normalization's block");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> new BatchNormTrainingConfig(4, 1.5, EPS, true), "decay");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> new BatchNormTrainingConfig(4, DECAY, 1e-60, true), "eps");
    }

    /** A block with its running statistics (score(DataSet)) has no mini-batch events. */
    @Test
    void withoutTheModeTheEventsAreRefused() {
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.DENSE_BLOCK, 2, 2, KernelActivation.IDENTITY, 0f, true, OUT, 0, 0, 0,
                List.of(KeyRange.data(IN, 2, 0), KeyRange.backwardPartial(E, 2, 0)),
                TrainingReference.hidden(Hyper.sgd(LR), DELTA, BACK, 1, true), PoolingConfig.norm(2, 0)),
                new float[] {1, 1, 0, 0, 1, 1, 1, 1}, new float[2]);
        int[] out = new int[2 * core.maxSendsPerEvent()];
        Kernels.assertThrowsWith(IllegalStateException.class, () -> core.batchNormForward(1, out), "no batch");
        Kernels.assertThrowsWith(IllegalStateException.class, () -> core.batchNormBackward(1, out), "no batch");
    }
}
