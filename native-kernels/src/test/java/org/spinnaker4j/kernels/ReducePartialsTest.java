package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A reduce's packets given at once ({@link KernelCore#onPartials}, {@code s4j_on_partials}: a block's partial sums
 * read back from its chip's SDRAM) do exactly what the same packets do one by one in key order: the same sends bit for
 * bit, the same work and the same DTCM state after every block, in s16.15 (a 64-bit partial as two halves) and
 * float32, whatever order the blocks come in; and each refusal has its error.
 */
class ReducePartialsTest {

    private static final int BLOCKS = 3;
    private static final int COLS = 5;
    private static final int BLOCK_OUT = 0x2000;
    private static final int OUT = 0x7000;
    private static final int SAMPLES = 6;

    /** How a reduce takes its blocks' packets. */
    enum Arithmetic {
        S16_15(2), FLOAT32(1);

        final int keysPerColumn;

        Arithmetic(int keysPerColumn) {
            this.keysPerColumn = keysPerColumn;
        }
    }

    /** Block b's first key. */
    private static int blockKey(int b) {
        return BLOCK_OUT + 0x100 * b;
    }

    private static KernelConfig reduce(Arithmetic a, KernelActivation act) {
        List<KeyRange> inputs = new ArrayList<>();
        for (int b = 0; b < BLOCKS; b++) {
            inputs.add(KeyRange.data(blockKey(b), a.keysPerColumn * COLS, 0));
        }
        boolean fixed = a == Arithmetic.S16_15;
        return new KernelConfig(KernelKind.REDUCE, 0, COLS, act, 0f, false, OUT, BLOCKS, 0, 0, inputs, null, null,
                null, fixed, fixed);
    }

    /** Two reduces loaded alike: one fed packets, one fed each block's packets at once. */
    private record Pair(KernelCore packets, KernelCore bursts) {
    }

    private static Pair load(Arithmetic a, KernelActivation act, Random rnd) {
        Pair p = new Pair(new KernelCore(), new KernelCore());
        float[] bias = Kernels.randomArray(rnd, COLS, 1.0);
        int[] words = new int[COLS];
        for (int j = 0; j < COLS; j++) {
            words[j] = (int) Math.round(bias[j] * AccumQuantiser.ONE);
        }
        for (KernelCore core : List.of(p.packets(), p.bursts())) {
            if (a == Arithmetic.S16_15) {
                core.loadWords(reduce(a, act), null, words);
            } else {
                core.load(reduce(a, act), null, bias);
            }
        }
        return p;
    }

    /**
     * Block b's payloads of one sample: an s16.15 partial (units of 2^-30, some beyond 32 bits) as its low and high
     * words, or a float's bits.
     */
    private static int[] payloads(Arithmetic a, Random rnd) {
        int[] words = new int[a.keysPerColumn * COLS];
        for (int j = 0; j < COLS; j++) {
            if (a == Arithmetic.S16_15) {
                long partial = (long) (rnd.nextGaussian() * (1L << 33));
                words[2 * j] = (int) partial;
                words[2 * j + 1] = (int) (partial >>> 32);
            } else {
                words[j] = Float.floatToRawIntBits((float) rnd.nextGaussian());
            }
        }
        return words;
    }

    @ParameterizedTest
    @EnumSource(Arithmetic.class)
    void eachBlocksPartialsAtOnceDoWhatTheirPacketsDo(Arithmetic a) {
        for (KernelActivation act : List.of(KernelActivation.IDENTITY, KernelActivation.RELU,
                KernelActivation.SOFTMAX)) {
            Random rnd = new Random(act.ordinal() * 10L + a.ordinal());
            Pair p = load(a, act, rnd);
            int[] outbox = new int[2 * p.bursts().maxSendsPerEvent()];
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
            for (int s = 0; s < SAMPLES; s++) {
                Collections.shuffle(order, rnd);
                List<Packet> byPacket = new ArrayList<>();
                List<Packet> byBurst = new ArrayList<>();
                int packetWork = 0;
                int burstWork = 0;
                for (int b : order) {
                    int[] words = payloads(a, rnd);
                    for (int k = 0; k < words.length; k++) {
                        byPacket.addAll(Kernels.deliver(p.packets(), new Packet(blockKey(b) + k, words[k])));
                        packetWork |= p.packets().lastWork();
                    }
                    int n = p.bursts().onPartials(blockKey(b), words, outbox);
                    byBurst.addAll(Kernels.sends(outbox, n));
                    burstWork |= p.bursts().lastWork();
                    String what = a + " " + act + " sample " + s + " block " + b;
                    assertArrayEquals(Kernels.image(p.packets()), Kernels.image(p.bursts()), what + ": the DTCM state");
                }
                String what = a + " " + act + " sample " + s;
                assertEquals(byPacket, byBurst, what + ": sends, keys and payloads");
                assertEquals(COLS, byBurst.size(), what + ": every column sent");
                assertEquals(packetWork, burstWork, what + ": work");
            }
        }
    }

    @Test
    void partOfABlocksKeysAtOnceFilesThemAndTheRestFollowAsPackets() {
        Random rnd = new Random(7);
        Pair p = load(Arithmetic.S16_15, KernelActivation.IDENTITY, rnd);
        int[] outbox = new int[2 * p.bursts().maxSendsPerEvent()];
        List<Packet> byPacket = new ArrayList<>();
        List<Packet> mixed = new ArrayList<>();
        for (int b = 0; b < BLOCKS; b++) {
            int[] words = payloads(Arithmetic.S16_15, rnd);
            for (int k = 0; k < words.length; k++) {
                byPacket.addAll(Kernels.deliver(p.packets(), new Packet(blockKey(b) + k, words[k])));
            }
            int n = p.bursts().onPartials(blockKey(b) + 3, Arrays.copyOfRange(words, 3, words.length), outbox);
            mixed.addAll(Kernels.sends(outbox, n));
            for (int k = 0; k < 3; k++) {
                mixed.addAll(Kernels.deliver(p.bursts(), new Packet(blockKey(b) + k, words[k])));
            }
        }
        assertArrayEquals(Kernels.image(p.packets()), Kernels.image(p.bursts()), "the DTCM state");
        assertEquals(byPacket.stream().sorted(Comparator.comparingInt(Packet::key)).toList(),
                mixed.stream().sorted(Comparator.comparingInt(Packet::key)).toList(), "the columns sent");
        assertEquals(COLS, mixed.size(), "every column sent");
    }

    private static int code(Runnable r) {
        return assertThrows(KernelException.class, r::run).code();
    }

    @Test
    void eachRefusalHasItsError() {
        Random rnd = new Random(9);
        KernelCore core = load(Arithmetic.S16_15, KernelActivation.IDENTITY, rnd).bursts();
        int[] outbox = new int[2 * core.maxSendsPerEvent()];
        int keys = 2 * COLS;
        assertEquals(KernelException.KEY_RANGE, code(() -> core.onPartials(blockKey(0) + 1, new int[keys], outbox)),
                "one key beyond block 0's range");
        assertEquals(KernelException.UNKNOWN_KEY, code(() -> core.onPartials(OUT, new int[2], outbox)),
                "a key no range holds");
        assertEquals(KernelException.BAD_ARGUMENT, code(() -> core.onPartials(blockKey(0), new int[0], outbox)),
                "no payloads");
        assertThrows(NullPointerException.class, () -> core.onPartials(blockKey(0), null, outbox));
        core.onPartials(blockKey(1), new int[keys], outbox);
        KernelException twice = assertThrows(KernelException.class,
                () -> core.onPartials(blockKey(1), new int[keys], outbox));
        assertEquals(KernelException.TOO_MANY_PARTIALS, twice.code(), "block 1's partials again in one sample");
        assertTrue(twice.getMessage().contains("onPartials of keys 0x00002100 .. 0x00002109"), twice.getMessage());

        KernelCore block = new KernelCore();
        block.load(Kernels.dense(4, 2, false, KernelActivation.IDENTITY, 0f, OUT, List.of(KeyRange.data(0x100, 4, 0))),
                new float[8], null);
        assertEquals(KernelException.WRONG_KIND,
                code(() -> block.onPartials(0x100, new int[2], new int[2 * block.maxSendsPerEvent()])), "a block");
    }
}
