package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.spinnaker4j.kernels.TrainingReference.Hyper;

/** Training's errors, IGNORE ranges, validation and state size. */
class TrainingErrorsTest {

    private static final int ROWS = 0x100;
    private static final int DELTA = 0x200;
    private static final int OUT = 0x300;
    private static final int BACK = 0x400;
    /** The update values of the SGD cores here (lr 0.1, no regularization). */
    private static final UpdateValues SGD_VALUES = new UpdateValues(0.1f, 0f, 0f, 0f, 0f);

    private static KernelConfig block(UpdaterKind u, int nRows, int nCols, List<KeyRange> extra) {
        List<KeyRange> in = new java.util.ArrayList<>(List.of(KeyRange.data(ROWS, nRows, 0),
                KeyRange.delta(DELTA, nCols, 0)));
        in.addAll(extra);
        return new KernelConfig(KernelKind.DENSE_BLOCK, nRows, nCols, KernelActivation.IDENTITY, 0f, false, OUT, 0, 0,
                0, in, TrainingReference.hidden(Hyper.of(u), 0, BACK, 0, true));
    }

    private static KernelCore loadedBlock(List<KeyRange> extra) {
        KernelCore core = new KernelCore();
        core.load(block(UpdaterKind.SGD, 2, 3, extra), new float[] {1, 2, 3, 4, 5, 6}, null);
        return core;
    }

    private static void forward(KernelCore core) {
        Kernels.deliver(core, new Packet(ROWS, Float.floatToRawIntBits(1f)));
        assertEquals(3, Kernels.deliver(core, new Packet(ROWS + 1, Float.floatToRawIntBits(2f))).size());
    }

    private static Packet delta(int j, float v) {
        return new Packet(DELTA + j, Float.floatToRawIntBits(v));
    }

    @Test
    void blockBackwardSendsEAndAccumulatesDw() {
        KernelCore core = loadedBlock(List.of());
        assertEquals(3, core.maxSendsPerEvent(), "max(nCols forward, nRows backward)");
        forward(core);   // x = (1, 2)
        assertEquals(List.of(), Kernels.deliver(core, delta(2, 0.5f)));
        assertEquals(List.of(), Kernels.deliver(core, delta(0, 1f)));
        List<Packet> e = Kernels.deliver(core, delta(1, -1f));
        // e_i = sum_j W[i][j] delta_j: (1 - 2 + 1.5, 4 - 5 + 3)
        assertArrayEquals(new float[] {0.5f, 2f}, Kernels.valuesByKey(e, BACK, 2));
        assertEquals(BACK, e.get(0).key(), "in order of rows");
        Kernels.applyUpdate(core, 1, 0);   // SGD lr 0.1: W -= 0.1 * x^T delta
        float[] w = core.readWeights();
        float[] expected = {1 - 0.1f * 1f, 2 - 0.1f * -1f, 3 - 0.1f * 0.5f, 4 - 0.1f * 2f, 5 - 0.1f * -2f, 6 - 0.1f * 1f};
        Kernels.assertAllClose(expected, w, 1e-7, "W after one SGD step");
        Kernels.applyUpdate(core, 1, 1);
        Kernels.assertSameBits(w, core.readWeights(), "the accumulators were zeroed: the weights are untouched");
    }

    @Test
    void duplicateDeltaInOneSample() {
        KernelCore core = loadedBlock(List.of());
        forward(core);
        Kernels.deliver(core, delta(1, 1f));
        KernelException e = Kernels.assertThrowsWith(KernelException.class, () -> Kernels.deliver(core, delta(1, 2f)),
                "DUPLICATE_DELTA", "duplicate delta for column 1");
        assertEquals(KernelException.DUPLICATE_DELTA, e.code());
    }

    @Test
    void backwardBeforeForwardAndAFullRing() {
        KernelCore core = loadedBlock(List.of());
        assertEquals(KernelException.NO_FORWARD,
                Kernels.assertThrowsWith(KernelException.class, () -> Kernels.deliver(core, delta(0, 1f)), "NO_FORWARD").code());
        Kernels.deliver(core, new Packet(ROWS, 0));   // half a forward pass
        assertEquals(KernelException.NO_FORWARD,
                assertThrows(KernelException.class, () -> Kernels.deliver(core, delta(0, 1f))).code());
        Kernels.deliver(core, new Packet(ROWS + 1, 0));
        Kernels.deliver(core, delta(0, 1f));          // half a backward pass
        // the block holds one sample (its ring has one entry): the next sample's forward must wait for its backward
        assertEquals(KernelException.IN_FLIGHT, Kernels.assertThrowsWith(KernelException.class,
                () -> Kernels.deliver(core, new Packet(ROWS, 0)), "IN_FLIGHT", "samplesInFlight").code());
        assertEquals(KernelException.INCOMPLETE,
                Kernels.assertThrowsWith(KernelException.class, () -> Kernels.applyUpdate(core, 1, 0), "INCOMPLETE").code());
        Kernels.deliver(core, delta(1, 1f));
        assertEquals(2, Kernels.deliver(core, delta(2, 1f)).size());
        // that sample's backward is done: another delta needs another forward
        assertEquals(KernelException.NO_FORWARD,
                assertThrows(KernelException.class, () -> Kernels.deliver(core, delta(0, 1f))).code());
        Kernels.applyUpdate(core, 1, 0);
    }

    @Test
    void ignoreRangesCountAndDropPackets() {
        KernelCore core = loadedBlock(List.of(KeyRange.ignore(0x500, 16)));
        assertEquals(0L, core.discardedCount());
        for (int k = 0; k < 5; k++) {
            assertEquals(List.of(), Kernels.deliver(core, new Packet(0x500 + 3 * k, k)));
        }
        assertEquals(5L, core.discardedCount());
        assertEquals(0, core.receivedCount(), "ignored packets are not inputs");
        forward(core);
        Kernels.deliver(core, new Packet(0x50F, 0));
        assertEquals(6L, core.discardedCount());
        assertThrows(KernelException.class, () -> Kernels.deliver(core, new Packet(0x510, 0)));
        // inference cores take IGNORE ranges too
        KernelCore sink = new KernelCore();
        sink.load(Kernels.sink(2, List.of(KeyRange.data(0, 2, 0), KeyRange.ignore(2, 100))), null, null);
        assertEquals(0, sink.onPacket(50, 0, new int[0]));
        assertEquals(1L, sink.discardedCount());
        assertEquals(0, sink.receivedCount());
        core.load(block(UpdaterKind.SGD, 2, 3, List.of(KeyRange.ignore(0x500, 16))), new float[6], null);
        assertEquals(0L, core.discardedCount(), "load resets the count");
    }

    private static KernelCore outputReduce(LossKind loss) {
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.SIGMOID, 0f, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(0x10, 2, 0), KeyRange.label(0x20, 2, 0)),
                TrainingReference.output(Hyper.sgd(0.1f), loss, 2, DELTA, 0, 0x30, false)), null, new float[2]);
        return core;
    }

    @Test
    void duplicateLabelAndTooManyBackwardPartials() {
        KernelCore out = outputReduce(LossKind.XENT);
        Kernels.deliver(out, new Packet(0x21, 0));
        Kernels.assertThrowsWith(KernelException.class, () -> Kernels.deliver(out, new Packet(0x21, 0)),
                "DUPLICATE_LABEL", "duplicate label for output 1");

        KernelCore hidden = new KernelCore();
        hidden.load(new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.TANH, 0f, false, OUT, 1, 0, 0,
                List.of(KeyRange.data(0x10, 2, 0), KeyRange.backwardPartial(0x40, 2, 0), KeyRange.backwardPartial(0x50, 2, 0)),
                TrainingReference.hidden(Hyper.sgd(0.1f), DELTA, 0, 2, false)), null, new float[2]);
        assertEquals(KernelException.NO_FORWARD,
                assertThrows(KernelException.class, () -> Kernels.deliver(hidden, new Packet(0x40, 0))).code());
        Kernels.deliver(hidden, new Packet(0x10, 0));
        Kernels.deliver(hidden, new Packet(0x11, 0));
        Kernels.deliver(hidden, new Packet(0x40, 0));
        Kernels.deliver(hidden, new Packet(0x50, 0));
        Kernels.assertThrowsWith(KernelException.class, () -> Kernels.deliver(hidden, new Packet(0x40, 0)),
                "TOO_MANY_BACKWARD", "output 0", "expected 2");
        assertEquals(List.of(), Kernels.deliver(hidden, new Packet(0x41, 0)));
        assertEquals(2, Kernels.deliver(hidden, new Packet(0x51, 0)).size());
    }

    @Test
    void applyUpdateAndReadsAreValidated() {
        KernelCore unloaded = new KernelCore();
        assertThrows(IllegalStateException.class, () -> unloaded.applyUpdate(1, 0, SGD_VALUES, SGD_VALUES));
        assertThrows(IllegalStateException.class, unloaded::readWeights);
        assertThrows(IllegalStateException.class, unloaded::discardedCount);

        KernelCore core = loadedBlock(List.of());
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> Kernels.applyUpdate(core, 0, 0), "batchSize must be positive");
        assertThrows(IllegalArgumentException.class, () -> Kernels.applyUpdate(core, -4, 0));
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> Kernels.applyUpdate(core, 4, -1), "iteration");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.applyUpdate(1, 0,
                new UpdateValues(0.1f, 0f, 0f, 0f, 1e-3f), SGD_VALUES), "weight decay of the weights", "config");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> new UpdateValues(Float.NaN, 0f, 0f, 0f, 0f),
                "finite and >= 0");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> new UpdateValues(0.1f, 0f, -1e-3f, 0f, 0f),
                "finite and >= 0");
        Kernels.assertThrowsWith(IllegalStateException.class, core::readBias, "REDUCE and fused DENSE_BLOCK",
                "a partial DENSE_BLOCK");
        Kernels.assertThrowsWith(IllegalStateException.class, core::lastPartialLoss, "output-layer");

        KernelCore inference = new KernelCore();
        float[] w = {1.5f, -2f, 3f, 0.25f};
        inference.load(Kernels.dense(2, 2, true, KernelActivation.RELU, 0f, 0, List.of(KeyRange.data(9, 2, 0))),
                w, new float[] {7f, 8f});
        Kernels.assertThrowsWith(IllegalStateException.class, () -> inference.applyUpdate(4, 0, SGD_VALUES, SGD_VALUES),
                "without a training config");
        assertArrayEquals(w, inference.readWeights(), "inference cores can be read too");
        assertArrayEquals(new float[] {7f, 8f}, inference.readBias());

        KernelCore reduce = outputReduce(LossKind.MSE);
        Kernels.assertThrowsWith(IllegalStateException.class, reduce::readWeights, "DENSE_BLOCK cores", "REDUCE");
        assertEquals(0f, reduce.lastPartialLoss(), "no backward yet");
    }

    @Test
    void stateBytesOfTraining() {
        int r = 7;
        int c = 5;
        KernelConfig sgd = block(UpdaterKind.SGD, r, c, List.of());
        // the same block without training (2 input ranges as well)
        int inference = KernelCore.stateBytes(Kernels.dense(r, c, false, KernelActivation.IDENTITY, 0f, OUT,
                List.of(KeyRange.data(ROWS, r, 0), KeyRange.ignore(DELTA, c))));
        int sgdBytes = KernelCore.stateBytes(sgd);
        int nesterovs = KernelCore.stateBytes(block(UpdaterKind.NESTEROVS, r, c, List.of()));
        int adam = KernelCore.stateBytes(block(UpdaterKind.ADAM, r, c, List.of()));
        assertEquals(4 * r * c, nesterovs - sgdBytes, "NESTEROVS: one state array per weight");
        assertEquals(2 * 4 * r * c, adam - sgdBytes, "ADAM: two state arrays per weight");
        // training header (64 words), delta[c], dW[r*c], delta bitmap
        assertEquals(64 * 4 + 4 * c + 4 * r * c + 4, sgdBytes - inference, "an SGD block's training part");

        KernelConfig fusedSgd = new KernelConfig(KernelKind.DENSE_BLOCK, r, c, KernelActivation.TANH, 0f, true, OUT,
                0, 0, 0, List.of(KeyRange.data(ROWS, r, 0)),
                TrainingReference.output(Hyper.of(UpdaterKind.SGD), LossKind.MSE, c, 0, BACK, 0, true));
        KernelConfig fusedAdam = fusedSgd.withTraining(
                TrainingReference.output(Hyper.of(UpdaterKind.ADAM), LossKind.MSE, c, 0, BACK, 0, true));
        assertEquals(2 * 4 * (r * c + c), KernelCore.stateBytes(fusedAdam) - KernelCore.stateBytes(fusedSgd),
                "ADAM: two state arrays per weight and per bias");

        // what the mapper asks for inference configs is unchanged
        assertEquals(KernelCore.stateBytes(Kernels.dense(r, c, false, KernelActivation.IDENTITY, 0f, 0,
                List.of(KeyRange.data(ROWS, r, 0), KeyRange.data(0x900, 1, 0)))), inference);

        // the largest Adam block that fits is smaller than the largest inference block
        int rows = 64;
        int cols = 1;
        while (KernelCore.stateBytes(block(UpdaterKind.ADAM, rows, cols + 1, List.of())) <= KernelCore.DTCM_BYTES) {
            cols++;
        }
        KernelCore core = new KernelCore();
        core.load(block(UpdaterKind.ADAM, rows, cols, List.of()), new float[rows * cols], null);
        int wider = cols + 1;
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> core.load(block(UpdaterKind.ADAM, rows, wider, List.of()), new float[rows * wider], null),
                "the mapper must split it further");
        // W, dW, m, v: 16 bytes per weight; 64 x 62 = 63,488 bytes plus 2,060 of the rest, 12 bytes more than DTCM
        // holds since the training header has a 64th word (S4J_CFG_BACKWARD_FIRST_ROW; 62 fitted exactly before) and
        // the layout the uniform ranges' count and reciprocal (8 bytes, session 37)
        assertEquals(61, cols, "the widest Adam block of 64 rows");
        assertEquals(65_548, KernelCore.stateBytes(block(UpdaterKind.ADAM, rows, cols + 1, List.of())));
    }

    @Test
    void regularizationAndTheNewUpdatersAreValidated() {
        rejects("finite and >= 0", () -> new RegularizationConfig(-1e-3f, 0f, 0f, false, 0));
        rejects("finite and >= 0", () -> new RegularizationConfig(0f, Float.NaN, 0f, false, 0));
        rejects("finite and >= 0", () -> new RegularizationConfig(0f, 0f, Float.POSITIVE_INFINITY, false, 1));
        rejects("at least 1 with a weight decay", () -> new RegularizationConfig(0f, 0f, 1e-3f, false, 0));
        rejects("weightDecayTimes must be in [0, 255]", () -> new RegularizationConfig(0f, 0f, 0f, false, 256));
        assertEquals(1, new RegularizationConfig(0f, 0f, 0f, false, 1).weightDecayTimes(),
                "a scheduled weight decay may be 0 at load and counted");
        rejects("RMSPROP needs beta1 and beta2 in [0, 1)",
                () -> new UpdaterConfig(UpdaterKind.RMSPROP, 0.1f, 1f, 0f, 1e-8f));
        rejects("ADADELTA needs", () -> new UpdaterConfig(UpdaterKind.ADADELTA, 0f, 0.95f, 0f, 0f));
        rejects("ADAGRAD needs epsilon > 0", () -> new UpdaterConfig(UpdaterKind.ADAGRAD, 0.1f, 0f, 0f, 0f));
        // the state the kernels keep for each updater: AMSGrad's three arrays per weight
        int sgd = KernelCore.stateBytes(block(UpdaterKind.SGD, 7, 5, List.of()));
        for (UpdaterKind u : UpdaterKind.values()) {
            assertEquals(u.stateArrays() * 4 * 7 * 5, KernelCore.stateBytes(block(u, 7, 5, List.of())) - sgd,
                    u.toString());
        }
    }

    private static void rejects(String part, Executable build) {
        Kernels.assertThrowsWith(IllegalArgumentException.class, build, part);
    }

    @Test
    void lossWeightsAreValidatedAndKeptInTheOutputCoresState() {
        Hyper sgd = Hyper.sgd(0.1f);
        List<KeyRange> rows = List.of(KeyRange.data(ROWS, 3, 0));
        TrainingConfig mse = TrainingReference.output(sgd, LossKind.MSE, 3, DELTA, 0, 0, false);
        rejects("takes no per-output weights", () -> TrainingReference.output(sgd, LossKind.HINGE, 3, DELTA, 0, 0,
                false).toBuilder().lossWeights(List.of(1f, 2f, 3f)).build());
        rejects("loss weights must be finite", () -> mse.toBuilder().lossWeights(List.of(1f, Float.NaN, 3f)).build());
        rejects("one loss weight per column", () -> new KernelConfig(KernelKind.REDUCE, 0, 3,
                KernelActivation.IDENTITY, 0f, false, OUT, 1, 0, 0, rows,
                mse.toBuilder().lossWeights(List.of(1f, 2f)).build()));
        rejects("COSINE_PROXIMITY needs the whole layer on one core", () -> new KernelConfig(KernelKind.REDUCE, 0, 3,
                KernelActivation.IDENTITY, 0f, false, OUT, 1, 0, 0, rows,
                TrainingReference.output(sgd, LossKind.COSINE_PROXIMITY, 4, DELTA, 0, 0, false)));
        int plain = KernelCore.stateBytes(new KernelConfig(KernelKind.REDUCE, 0, 3, KernelActivation.IDENTITY, 0f,
                false, OUT, 1, 0, 0, rows, mse));
        int weighted = KernelCore.stateBytes(new KernelConfig(KernelKind.REDUCE, 0, 3, KernelActivation.IDENTITY, 0f,
                false, OUT, 1, 0, 0, rows, mse.toBuilder().lossWeights(List.of(1f, 2f, 3f)).build()));
        assertEquals(3 * 4, weighted - plain, "one float per column");
    }

    @Test
    void trainingConfigsAreValidated() {
        Hyper sgd = Hyper.sgd(0.1f);
        List<KeyRange> rows = List.of(KeyRange.data(ROWS, 2, 0));
        rejects("a partial DENSE_BLOCK has no loss", () -> new KernelConfig(KernelKind.DENSE_BLOCK, 2, 2,
                KernelActivation.IDENTITY, 0f, false, OUT, 0, 0, 0, rows,
                TrainingReference.output(sgd, LossKind.MSE, 2, 0, 0, 0, false)));
        rejects("does not train with XENT", () -> new KernelConfig(KernelKind.REDUCE, 0, 2,
                KernelActivation.SOFTMAX, 0f, false, OUT, 1, 0, 0, rows,
                TrainingReference.output(sgd, LossKind.XENT, 2, DELTA, 0, 0, false)));
        rejects("expectedBackwardPartials", () -> new KernelConfig(KernelKind.REDUCE, 0, 2,
                KernelActivation.TANH, 0f, false, OUT, 1, 0, 0, rows, TrainingReference.hidden(sgd, DELTA, 0, 0, false)));
        rejects("expectedBackwardPartials must be 0", () -> TrainingConfig.builder(Hyper.sgd(0.1f).config())
                .loss(LossKind.MSE, 2, 0).backwardPartials(3).build());
        rejects("layerOutputs", () -> new KernelConfig(KernelKind.REDUCE, 0, 4, KernelActivation.IDENTITY, 0f,
                false, OUT, 1, 0, 0, rows, TrainingReference.output(sgd, LossKind.MAE, 3, DELTA, 0, 0, false)));
        rejects("only DENSE_BLOCK and REDUCE cores train", () -> new KernelConfig(KernelKind.OUTPUT_SINK, 0, 2,
                KernelActivation.IDENTITY, 0f, false, 0, 0, 0, 0, rows, TrainingReference.hidden(sgd, 0, 0, 0, false)));
        rejects("sendsBackward", () -> new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.TANH, 0f,
                false, OUT, 1, 0, 0, rows, TrainingReference.hidden(sgd, DELTA, 0, 1, true)));
        rejects("DELTA ranges are for training unfused DENSE_BLOCKs", () -> new KernelConfig(KernelKind.REDUCE, 0, 2,
                KernelActivation.TANH, 0f, false, OUT, 1, 0, 0, List.of(KeyRange.delta(0, 2, 0)),
                TrainingReference.hidden(sgd, DELTA, 0, 1, false)));
        rejects("DELTA ranges", () -> Kernels.dense(2, 2, false, KernelActivation.IDENTITY, 0f, 0,
                List.of(KeyRange.delta(0, 2, 0))));
        rejects("LABEL ranges", () -> new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.TANH, 0f, false,
                OUT, 1, 0, 0, List.of(KeyRange.label(0, 2, 0)), TrainingReference.hidden(sgd, DELTA, 0, 1, false)));
        rejects("BACKWARD_PARTIAL ranges", () -> new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.TANH,
                0f, false, OUT, 1, 0, 0, List.of(KeyRange.backwardPartial(0, 2, 0)),
                TrainingReference.output(sgd, LossKind.L2, 2, DELTA, 0, 0, false)));
        rejects("maps to local columns up to 2", () -> new KernelConfig(KernelKind.REDUCE, 0, 2,
                KernelActivation.TANH, 0f, false, OUT, 1, 0, 0, List.of(KeyRange.label(0, 2, 1)),
                TrainingReference.output(sgd, LossKind.L2, 2, DELTA, 0, 0, false)));
        rejects("exactly 3 keys (max, sum, backward dot)", () -> new KernelConfig(KernelKind.REDUCE, 0, 2,
                KernelActivation.SOFTMAX, 0f, false, OUT, 1, 1, 0x70, List.of(KeyRange.softmaxSync(0x80)),
                TrainingReference.hidden(sgd, DELTA, 0, 1, false)));
        rejects("exactly 2 keys (max, sum)", () -> new KernelConfig(KernelKind.REDUCE, 0, 2,
                KernelActivation.SOFTMAX, 0f, false, OUT, 1, 1, 0x70, List.of(KeyRange.trainingSoftmaxSync(0x80))));
        rejects("delta keys", () -> new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.TANH, 0f, false,
                OUT, 1, 0, 0, List.of(), TrainingReference.hidden(sgd, 0xFFFF_FFFF, 0, 1, false)));
        rejects("ADAM needs beta1 and beta2 in [0, 1)",
                () -> new UpdaterConfig(UpdaterKind.ADAM, 0.1f, 1f, 0.9f, 1e-8f));
        rejects("ADAM needs", () -> new UpdaterConfig(UpdaterKind.ADAM, 0.1f, 0.9f, 0.999f, 0f));
        rejects("learningRate", () -> new UpdaterConfig(UpdaterKind.SGD, Float.NaN, 0, 0, 0));
        assertThrows(NullPointerException.class, () -> TrainingConfig.builder(null).build());
        // the 11-argument constructor is an inference config
        KernelConfig plain = Kernels.dense(2, 2, false, KernelActivation.IDENTITY, 0f, 0, rows);
        assertEquals(null, plain.training());
        assertTrue(!plain.isTraining());
    }

    @Test
    void outputSoftmaxRejectsDots() {
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.SOFTMAX, 0f, false, OUT, 1, 1, 0x70,
                List.of(KeyRange.data(0x10, 2, 0), KeyRange.label(0x20, 2, 0), KeyRange.trainingSoftmaxSync(0x80)),
                TrainingReference.output(Hyper.sgd(0.1f), LossKind.MCXENT, 4, DELTA, 0, 0x30, false)),
                null, new float[2]);
        Kernels.assertThrowsWith(KernelException.class, () -> Kernels.deliver(core, new Packet(0x82, 0)), "WRONG_KIND",
                "backward dot");
    }
}
