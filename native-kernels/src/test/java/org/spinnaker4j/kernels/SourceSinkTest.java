package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SourceSinkTest {

    private static final int N = 6;
    private static final int BASE = 0xFFFF_FFF0; // near the top of the unsigned key space

    @Test
    void sourceToSinkRoundTripKeepsEveryBit() {
        KernelCore source = new KernelCore();
        source.load(Kernels.source(N, BASE), null, null);
        KernelCore sink = new KernelCore();
        // two ranges, the second one out of order in local space
        sink.load(Kernels.sink(N, List.of(KeyRange.data(BASE + 4, 2, 4), KeyRange.data(BASE, 4, 0))), null, null);
        assertEquals(N, source.maxSendsPerEvent());
        assertEquals(0, sink.maxSendsPerEvent());

        Random rnd = new Random(5);
        float[][] samples = {
            {1.5f, -0f, Float.intBitsToFloat(0x7fc1_2345), Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -3.25f},
            Kernels.randomArray(rnd, N, 10.0),
        };
        for (float[] values : samples) {
            source.loadInput(values);
            assertEquals(N, source.receivedCount());
            int[] outbox = new int[2 * N];
            assertEquals(N, source.start(outbox));
            List<Packet> sent = Kernels.sends(outbox, N);
            for (int j = 0; j < N; j++) {
                assertEquals(BASE + j, sent.get(j).key(), "source sends in order of j");
                assertEquals(Float.floatToRawIntBits(values[j]), sent.get(j).payload());
            }
            assertEquals(0, source.receivedCount(), "start consumes the loaded input");

            List<Packet> shuffled = new ArrayList<>(sent);
            Collections.shuffle(shuffled, rnd);
            for (int k = 0; k < N; k++) {
                if (k == 3) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, sink::readOutput);
                    assertTrue(e.getMessage().contains("only 3 of the 6"), e.getMessage());
                }
                assertEquals(0, sink.onPacket(shuffled.get(k).key(), shuffled.get(k).payload(), new int[0]));
                assertEquals(k + 1, sink.receivedCount());
            }
            assertArrayEquals(Kernels.bits(values), Kernels.bits(sink.readOutput()));
            assertEquals(0, sink.receivedCount(), "readOutput resets the count");
        }
    }

    @Test
    void sourceNeedsAnInputForEachStart() {
        KernelCore source = new KernelCore();
        source.load(Kernels.source(3, 10), null, new float[0]);
        int[] outbox = new int[6];
        KernelException e = assertThrows(KernelException.class, () -> source.start(outbox));
        assertEquals(KernelException.NO_INPUT, e.code());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> source.loadInput(new float[2]));
        assertTrue(wrong.getMessage().contains("sends 3 values, got 2"), wrong.getMessage());
        source.loadInput(new float[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> source.start(new int[5]));
        assertEquals(3, source.start(outbox));
        assertThrows(KernelException.class, () -> source.start(outbox));
    }

    @Test
    void otherKindsSendNothingOnStart() {
        KernelCore sink = new KernelCore();
        sink.load(Kernels.sink(2, List.of(KeyRange.data(0, 2, 0))), null, null);
        assertEquals(0, sink.start(new int[0]));
        assertThrows(IllegalStateException.class, () -> sink.loadInput(new float[2]));
        KernelCore block = new KernelCore();
        block.load(Kernels.dense(1, 1, false, KernelActivation.IDENTITY, 0f, 5, List.of(KeyRange.data(0, 1, 0))),
                new float[] {2f}, null);
        assertEquals(0, block.start(new int[0]));
        assertThrows(IllegalStateException.class, block::readOutput);
    }
}
