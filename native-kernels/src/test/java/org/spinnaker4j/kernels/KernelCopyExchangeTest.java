package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;
import org.spinnaker4j.kernels.TrainingReference.Net;

/**
 * The owners update of a kernel slice held by three copies (the position blocks of a convolution): each copy trains
 * on its own position's inputs and labels, sends each owner its share of the owner's chunks, the owners add the shares
 * in position order and update their chunks alone, and send the new values to the other copies. After several
 * mini-batches the copies must hold bit-identical parameters, equal (within float reordering) to one core that sees
 * every position's sample as a sample of its own; the updater state of each chunk lives on its owner.
 */
class KernelCopyExchangeTest {

    private static final int ROWS = 3;
    private static final int COLS = 2;
    private static final int PARAMS = ROWS * COLS + COLS;
    private static final int COPIES = 3;
    private static final int IN = 0x100;
    private static final int LABEL = 0x200;
    private static final int OUT = 0x300;
    private static final int LOSS = 0x400;
    private static final int SHARE = 0x1000;
    private static final int PARAM = 0x2000;
    private static final int BATCH = 4;
    private static final int UPDATES = 5;

    /** The chunks as KernelCopies deals them: weights cut in three, the two biases one each; owners round robin. */
    private static final int[][] CHUNKS = {{0, 2, 0}, {2, 4, 1}, {4, 6, 2}, {6, 7, 0}, {7, 8, 1}};

    private final Random rnd = new Random(11);
    private final float[] w = Kernels.randomArray(rnd, ROWS * COLS, 1.0);
    private final float[] b = Kernels.randomArray(rnd, COLS, 0.5);
    private final float[][][] x = new float[UPDATES * BATCH][COPIES][];
    private final float[][][] t = new float[UPDATES * BATCH][COPIES][];

    KernelCopyExchangeTest() {
        for (int s = 0; s < x.length; s++) {
            for (int c = 0; c < COPIES; c++) {
                x[s][c] = Kernels.randomArray(rnd, ROWS, 1.0);
                t[s][c] = Kernels.randomArray(rnd, COLS, 1.0);
            }
        }
    }

    /** Owner o's offset of parameter k among the parameters it owns. */
    private static int ownedOffset(int k) {
        int owner = ownerOf(k);
        int offset = 0;
        for (int[] c : CHUNKS) {
            if (c[2] == owner) {
                if (k < c[1]) {
                    return offset + Math.max(0, k - c[0]);
                }
                offset += c[1] - c[0];
            }
        }
        throw new IllegalArgumentException("parameter " + k);
    }

    private static int ownerOf(int k) {
        for (int[] c : CHUNKS) {
            if (c[0] <= k && k < c[1]) {
                return c[2];
            }
        }
        throw new IllegalArgumentException("parameter " + k);
    }

    private static int owned(int copy) {
        int n = 0;
        for (int[] c : CHUNKS) {
            n += c[2] == copy ? c[1] - c[0] : 0;
        }
        return n;
    }

    /** The keys copy {@code c} sends owner {@code o} its shares under: one block per (copy, owner) pair. */
    private static int shareKey(int c, int o) {
        return SHARE + (c * COPIES + o) * 0x10;
    }

    private static KernelCopyConfig copyConfig(int c) {
        List<KernelCopyConfig.Chunk> chunks = new ArrayList<>();
        int slot = 0;
        int held = 0;
        for (int[] k : CHUNKS) {
            int o = k[2];
            if (o == c) {
                chunks.add(new KernelCopyConfig.Chunk(k[0], k[1], slot, PARAM + o * 0x10 + slot));
                slot += k[1] - k[0];
            } else {
                chunks.add(new KernelCopyConfig.Chunk(k[0], k[1], -1, shareKey(c, o) + ownedOffset(k[0])));
                held += k[1] - k[0];
            }
        }
        return new KernelCopyConfig(COPIES, c, owned(c) * (COPIES - 1), held, chunks);
    }

    private static List<KeyRange> copyRanges(int c) {
        List<KeyRange> ranges = new ArrayList<>();
        for (int p = 0; p < COPIES; p++) {
            if (p != c) {
                ranges.add(KeyRange.share(shareKey(p, c), owned(c), p * owned(c)));
            }
        }
        for (int[] k : CHUNKS) {
            if (k[2] != c) {
                ranges.add(KeyRange.param(PARAM + k[2] * 0x10 + ownedOffset(k[0]), k[1] - k[0], k[0]));
            }
        }
        return ranges;
    }

    /** A fused output block of the slice: copy {@code c} (its position's keys), or the one core ({@code c < 0}). */
    private KernelCore block(Net net, Hyper u, int c) {
        int at = Math.max(c, 0) * 0x10;
        List<KeyRange> ranges = new ArrayList<>(List.of(KeyRange.data(IN + at, ROWS, 0),
                KeyRange.label(LABEL + at, COLS, 0)));
        TrainingConfig.Builder training = TrainingReference.output(u, LossKind.MSE, COLS, 0, 0, LOSS + at, false)
                .toBuilder();
        if (c >= 0) {
            ranges.addAll(copyRanges(c));
            training.copy(copyConfig(c));
        }
        return net.add(new KernelConfig(KernelKind.DENSE_BLOCK, ROWS, COLS, KernelActivation.TANH, 0f, true,
                OUT + at, 0, 0, 0, ranges, training.build()), w.clone(), b.clone());
    }

    private static float[] parameters(KernelCore core) {
        float[] p = new float[PARAMS];
        System.arraycopy(core.readWeights(), 0, p, 0, ROWS * COLS);
        System.arraycopy(core.readBias(), 0, p, ROWS * COLS, COLS);
        return p;
    }

    private static float[] state(KernelCore core, int array) {
        float[] s = new float[PARAMS];
        System.arraycopy(core.readWeightState(array), 0, s, 0, ROWS * COLS);
        System.arraycopy(core.readBiasState(array), 0, s, ROWS * COLS, COLS);
        return s;
    }

    /**
     * Each copy sends its shares from the chunk after the first it owns, round to the chunks before it, so the copies'
     * first shares go to three different owners (in chunk order all three would start with chunk 0's owner or 1's).
     */
    @Test
    void eachCopyStartsItsSharesAfterItsOwnChunk() {
        Hyper u = Hyper.of(UpdaterKind.ADAM);
        Net net = new Net();
        List<KernelCore> copies = new ArrayList<>();
        for (int c = 0; c < COPIES; c++) {
            copies.add(block(net, u, c));
        }
        int[][] ownersInOrder = {{1, 1, 2, 2, 1}, {2, 2, 0, 0, 0}, {0, 1, 0, 0, 1, 1}};
        int[] outbox = new int[2 * copies.get(0).maxSendsPerEvent()];
        for (int c = 0; c < COPIES; c++) {
            List<Packet> shares = Kernels.sends(outbox, copies.get(c).startShares(outbox));
            int[] owners = shares.stream().mapToInt(p -> (p.key() - SHARE) / 0x10 % COPIES).toArray();
            assertArrayEquals(ownersInOrder[c], owners, "copy " + c + "'s shares' owners, in the order it sends them");
        }
    }

    @Test
    void copiesUpdateAsOneCoreAndStayBitIdentical() {
        for (UpdaterKind kind : List.of(UpdaterKind.ADAM, UpdaterKind.NESTEROVS)) {
            Hyper u = Hyper.of(kind);
            Net one = new Net();
            KernelCore whole = block(one, u, -1);
            Net net = new Net();
            List<KernelCore> copies = new ArrayList<>();
            for (int c = 0; c < COPIES; c++) {
                copies.add(block(net, u, c));
            }
            int[] outbox = new int[2 * copies.get(0).maxSendsPerEvent()];
            for (int update = 0; update < UPDATES; update++) {
                for (int s = update * BATCH; s < (update + 1) * BATCH; s++) {
                    List<Packet> in = new ArrayList<>();
                    for (int c = 0; c < COPIES; c++) {
                        one.run(Kernels.packets(IN, x[s][c]), rnd);
                        one.run(Kernels.packets(LABEL, t[s][c]), rnd);
                        in.addAll(Kernels.packets(IN + c * 0x10, x[s][c]));
                        in.addAll(Kernels.packets(LABEL + c * 0x10, t[s][c]));
                    }
                    net.run(in, rnd);
                }
                one.host.clear();
                net.host.clear();
                Kernels.applyUpdate(whole, BATCH * COPIES, update);

                KernelException early = assertThrows(KernelException.class,
                        () -> Kernels.applyUpdate(copies.get(0), BATCH * COPIES, 0));
                assertEquals(KernelException.INCOMPLETE, early.code(), "no update before the shares are in");
                List<Packet> shares = new ArrayList<>();
                for (KernelCore c : copies) {
                    shares.addAll(Kernels.sends(outbox, c.startShares(outbox)));
                }
                assertEquals(ROWS * COLS * (COPIES - 1) + COLS * (COPIES - 1), shares.size(),
                        "each parameter's share from each copy but its owner");
                net.run(shares, rnd);
                assertEquals(List.of(), net.host, "every share filed by its owner");
                for (KernelCore c : copies) {
                    Kernels.applyUpdate(c, BATCH * COPIES, update);
                }
                KernelException stale = assertThrows(KernelException.class,
                        () -> net.run(Kernels.packets(IN, x[0][0]), rnd));
                assertEquals(KernelException.INCOMPLETE, stale.code(), "no forward pass on stale parameters");
                List<Packet> values = new ArrayList<>();
                for (KernelCore c : copies) {
                    values.addAll(Kernels.sends(outbox, c.sendParameters(outbox)));
                }
                assertEquals(PARAMS, values.size(), "each parameter's new value once, from its owner");
                net.run(values, rnd);
                assertEquals(List.of(), net.host, "every new value filed by its holders");

                float[] first = parameters(copies.get(0));
                for (KernelCore c : copies) {
                    assertArrayEquals(first, parameters(c), kind + " update " + update + ": copies bit-identical");
                }
                Kernels.assertAllClose(parameters(whole), first, 2e-6, kind + " update " + update
                        + ": the copies' parameters against one core's");
            }
            for (int a = 1; a <= kind.stateArrays(); a++) {
                float[] expected = state(whole, a);
                for (int k = 0; k < PARAMS; k++) {
                    float got = state(copies.get(ownerOf(k)), a)[k];
                    assertEquals(expected[k], got, 2e-6 * Math.max(1, Math.abs(expected[k])),
                            kind + " state " + a + " of parameter " + k + " on its owner");
                }
            }
        }
    }
}
