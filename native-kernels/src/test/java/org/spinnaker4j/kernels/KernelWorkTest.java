package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;

/**
 * What work each event reports ({@link KernelCore#lastWork()}): every {@link KernelWork} alone, so its Java code is
 * the C kernels' bit, and the events that do several at once, whether or not they send anything.
 */
class KernelWorkTest {

    private static final int IN = 0x100;
    private static final int BACK_IN = 0x200;
    private static final int LABELS = 0x300;
    private static final int DELTA = 0x400;
    private static final int OUT = 0x500;
    private static final int BACK_OUT = 0x600;
    private static final int DELTA_OUT = 0x700;
    private static final int LOSS = 0x800;
    private static final int SYNC = 0xE000_0000;

    /** Delivers {@code p}; returns the work it did. */
    private static Set<KernelWork> work(KernelCore core, Packet p) {
        Kernels.deliver(core, p);
        return setOf(core.lastWork());
    }

    private static Set<KernelWork> setOf(int bits) {
        Set<KernelWork> set = EnumSet.noneOf(KernelWork.class);
        for (KernelWork w : KernelWork.values()) {
            if (w.in(bits)) {
                set.add(w);
            }
        }
        assertEquals(bits, set.stream().mapToInt(KernelWork::code).sum(), "no bits beyond KernelWork's");
        return set;
    }

    /** Delivers all of {@code packets}; asserts that only the last one did work, and returns its work. */
    private static Set<KernelWork> workOfLast(KernelCore core, List<Packet> packets) {
        for (Packet p : packets.subList(0, packets.size() - 1)) {
            assertEquals(Set.of(), work(core, p), "a packet that completes nothing");
        }
        return work(core, packets.get(packets.size() - 1));
    }

    private static List<Packet> ramp(int base, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.25f * (i + 1);
        }
        return Kernels.packets(base, v);
    }

    private static KernelCore loaded(KernelConfig config) {
        KernelCore core = new KernelCore();
        core.load(config, new float[(int) config.weightCount()], new float[config.hasBias() ? config.nCols() : 0]);
        return core;
    }

    /** Two reduces of one softmax layer, each with 2 outputs and one partial per output. */
    private static List<KernelCore> softmaxPeers(boolean training) {
        List<KernelCore> peers = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            KeyRange peer = training ? KeyRange.trainingSoftmaxSync(SYNC + 0x10 * (1 - c))
                    : KeyRange.softmaxSync(SYNC + 0x10 * (1 - c));
            List<KeyRange> in = new ArrayList<>(List.of(KeyRange.data(IN + 2 * c, 2, 0), peer));
            if (training) {
                in.add(KeyRange.backwardPartial(BACK_IN + 2 * c, 2, 0));
            }
            peers.add(loaded(new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.SOFTMAX, 0f, false,
                    OUT + 2 * c, 1, 1, SYNC + 0x10 * c, in,
                    training ? TrainingReference.hidden(Hyper.sgd(0.1f), DELTA_OUT + 2 * c, 0, 1, false) : null)));
        }
        return peers;
    }

    /** Both peers' forward passes, their max and sum exchanged. */
    private static void softmaxForward(List<KernelCore> peers) {
        List<Packet> sync = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            sync.addAll(Kernels.deliver(peers.get(c), ramp(IN + 2 * c, 2).get(0)));
            sync.addAll(Kernels.deliver(peers.get(c), ramp(IN + 2 * c, 2).get(1)));
        }
        for (int round = 0; round < 2; round++) {
            List<Packet> next = new ArrayList<>();
            for (Packet p : sync) {
                int to = (p.key() - SYNC) / 0x10 == 0 ? 1 : 0;
                next.addAll(Kernels.deliver(peers.get(to), p).stream()
                        .filter(q -> Integer.compareUnsigned(q.key(), SYNC) >= 0).toList());
            }
            sync = next;
        }
    }

    @Test
    void everyKindOfWorkAloneHasTheKernelsCode() {
        KernelCore source = loaded(Kernels.source(3, OUT));
        source.loadInput(new float[] {1, 2, 3});
        Kernels.start(source);
        assertEquals(KernelWork.FORWARD.code(), source.lastWork(), "a source's start");
        KernelCore sink = loaded(Kernels.sink(2, List.of(KeyRange.data(IN, 2, 0))));
        Kernels.start(sink);
        assertEquals(0, sink.lastWork(), "a sink's start does nothing");
        assertEquals(Set.of(), workOfLast(sink, ramp(IN, 2)), "a sink only files values");

        KernelCore block = loaded(Kernels.dense(3, 2, true, KernelActivation.RELU, 0f, OUT,
                List.of(KeyRange.data(IN, 3, 0))));
        assertEquals(Set.of(KernelWork.FORWARD), workOfLast(block, ramp(IN, 3)), "the last row");
        KernelCore streaming = loaded(Kernels.reduce(2, 1, KernelActivation.RELU, 0f, OUT,
                List.of(KeyRange.data(IN, 2, 0))));
        assertEquals(Set.of(KernelWork.COLUMN), work(streaming, ramp(IN, 2).get(0)),
                "an inference reduce's column complete: that column sent");

        List<KernelCore> peers = softmaxPeers(false);
        KernelCore a = peers.get(0);
        List<Packet> fromA = new ArrayList<>(Kernels.deliver(a, ramp(IN, 2).get(0)));
        fromA.addAll(Kernels.deliver(a, ramp(IN, 2).get(1)));
        assertEquals(KernelWork.FORWARD.code(), a.lastWork(), "z complete: its local max sent");
        KernelCore b = peers.get(1);
        Kernels.deliver(b, ramp(IN + 2, 2).get(0));
        Packet maxOfB = Kernels.deliver(b, ramp(IN + 2, 2).get(1)).get(0);
        Packet sumOfB = Kernels.deliver(b, fromA.get(0)).get(0);
        assertEquals(Set.of(KernelWork.SOFTMAX_SUM), setOf(b.lastWork()), "B has every max: its sum");
        Kernels.deliver(a, maxOfB);
        assertEquals(KernelWork.SOFTMAX_SUM.code(), a.lastWork());
        assertEquals(Set.of(KernelWork.SOFTMAX_NORMALISE), work(a, sumOfB), "A has every sum: its outputs");

        List<KernelCore> training = softmaxPeers(true);
        softmaxForward(training);
        assertEquals(Set.of(KernelWork.SOFTMAX_DOT), workOfLast(training.get(0), ramp(BACK_IN, 2)),
                "backward partials in, the peer's dot missing: the local dot");

        KernelCore outputReduce = loaded(new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.SIGMOID, 0f,
                false, OUT, 1, 0, 0, List.of(KeyRange.data(IN, 2, 0), KeyRange.label(LABELS, 2, 0)),
                TrainingReference.output(Hyper.sgd(0.1f), LossKind.MSE, 2, DELTA_OUT, 0, LOSS, false)));
        assertEquals(Set.of(KernelWork.FORWARD), workOfLast(outputReduce, ramp(IN, 2)));
        assertEquals(Set.of(KernelWork.DELTAS), workOfLast(outputReduce, ramp(LABELS, 2)),
                "labels after the forward pass: the deltas, sent to the blocks");

        KernelCore partialBlock = loaded(new KernelConfig(KernelKind.DENSE_BLOCK, 2, 3, KernelActivation.IDENTITY, 0f,
                false, OUT, 0, 0, 0, List.of(KeyRange.data(IN, 2, 0), KeyRange.delta(DELTA, 3, 0)),
                TrainingReference.hidden(Hyper.sgd(0.1f), 0, BACK_OUT, 0, true)));
        assertEquals(Set.of(KernelWork.FORWARD), workOfLast(partialBlock, ramp(IN, 2)));
        assertEquals(Set.of(KernelWork.BLOCK_BACKWARD), workOfLast(partialBlock, ramp(DELTA, 3)));
    }

    @Test
    void aFirstLayerBlockWorksBackwardWithoutSending() {
        KernelCore first = loaded(new KernelConfig(KernelKind.DENSE_BLOCK, 3, 2, KernelActivation.TANH, 0f, true,
                OUT, 0, 0, 0, List.of(KeyRange.data(IN, 3, 0), KeyRange.backwardPartial(BACK_IN, 2, 0)),
                TrainingReference.hidden(Hyper.sgd(0.1f), 0, 0, 1, false)));
        assertEquals(Set.of(KernelWork.FORWARD), workOfLast(first, ramp(IN, 3)));
        List<Packet> partials = ramp(BACK_IN, 2);
        Kernels.deliver(first, partials.get(0));
        assertEquals(List.of(), Kernels.deliver(first, partials.get(1)), "the first layer sends nothing back");
        assertEquals(EnumSet.of(KernelWork.DELTAS, KernelWork.BLOCK_BACKWARD), setOf(first.lastWork()),
                "but computes its deltas and accumulates dW and db");
    }

    @Test
    void labelsBeforeTheForwardPassMakeItsLastRowDoTheBackwardPassToo() {
        KernelCore output = loaded(new KernelConfig(KernelKind.DENSE_BLOCK, 3, 2, KernelActivation.IDENTITY, 0f, true,
                OUT, 0, 0, 0, List.of(KeyRange.data(IN, 3, 0), KeyRange.label(LABELS, 2, 0)),
                TrainingReference.output(Hyper.sgd(0.1f), LossKind.MSE, 2, 0, BACK_OUT, LOSS, true)));
        assertEquals(Set.of(), workOfLast(output, ramp(LABELS, 2)), "labels before the forward pass wait");
        List<Packet> rows = ramp(IN, 3);
        Kernels.deliver(output, rows.get(0));
        Kernels.deliver(output, rows.get(1));
        assertEquals(2 + 1 + 3, Kernels.deliver(output, rows.get(2)).size(), "outputs, the loss, W·delta");
        assertEquals(EnumSet.of(KernelWork.FORWARD, KernelWork.DELTAS, KernelWork.BLOCK_BACKWARD),
                setOf(output.lastWork()));
    }

    @Test
    void oneSyncPacketCanCompleteBothSoftmaxSteps() {
        List<KernelCore> peers = softmaxPeers(false);
        KernelCore a = peers.get(0);
        KernelCore b = peers.get(1);
        Kernels.deliver(a, ramp(IN, 2).get(0));
        Packet maxOfA = Kernels.deliver(a, ramp(IN, 2).get(1)).get(0);
        Kernels.deliver(b, ramp(IN + 2, 2).get(0));
        Packet maxOfB = Kernels.deliver(b, ramp(IN + 2, 2).get(1)).get(0);
        Packet sumOfB = Kernels.deliver(b, maxOfA).get(0);
        assertEquals(Set.of(), work(a, sumOfB), "B's sum before its max: A cannot use it yet");
        assertEquals(EnumSet.of(KernelWork.SOFTMAX_SUM, KernelWork.SOFTMAX_NORMALISE), work(a, maxOfB));
    }

    @Test
    void aRejectedEventReportsNoWork() {
        KernelCore block = loaded(Kernels.dense(2, 2, true, KernelActivation.RELU, 0f, OUT,
                List.of(KeyRange.data(IN, 2, 0))));
        List<Packet> rows = ramp(IN, 2);
        Kernels.deliver(block, rows.get(0));
        Kernels.deliver(block, rows.get(1));
        assertEquals(KernelWork.FORWARD.code(), block.lastWork());
        Kernels.assertThrowsWith(KernelException.class, () -> Kernels.deliver(block, new Packet(IN + 2, 0)),
                "unknown key");
        assertEquals(0, block.lastWork());
    }
}
