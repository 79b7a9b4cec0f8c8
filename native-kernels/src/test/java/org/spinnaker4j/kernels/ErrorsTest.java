package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    private static final List<KeyRange> ROWS = List.of(KeyRange.data(0x100, 4, 0));

    private static KernelCore block() {
        KernelCore core = new KernelCore();
        core.load(Kernels.dense(4, 3, true, KernelActivation.RELU, 0f, 0x200, ROWS), new float[12], new float[3]);
        return core;
    }

    @Test
    void unknownKeyIsReportedInHex() {
        KernelCore core = block();
        KernelException e = Kernels.assertThrowsWith(KernelException.class,
                () -> core.onPacket(0xDEADBEEF, 0, new int[6]), "UNKNOWN_KEY", "0xdeadbeef");
        assertEquals(KernelException.UNKNOWN_KEY, e.code());
        // one past the range is unknown too, and the core still works afterwards
        assertThrows(KernelException.class, () -> core.onPacket(0x104, 0, new int[6]));
        assertEquals(0, core.onPacket(0x100, 0, new int[6]));
    }

    @Test
    void duplicateRowInOneSample() {
        KernelCore core = block();
        int[] outbox = new int[6];
        core.onPacket(0x102, Float.floatToRawIntBits(1f), outbox);
        KernelException e = Kernels.assertThrowsWith(KernelException.class,
                () -> core.onPacket(0x102, Float.floatToRawIntBits(2f), outbox), "DUPLICATE_ROW", "duplicate row 2");
        assertEquals(KernelException.DUPLICATE_ROW, e.code());
        assertEquals(1, core.receivedCount());
    }

    @Test
    void tooManyPartials() {
        KernelCore reduce = new KernelCore();
        reduce.load(Kernels.reduce(2, 2, KernelActivation.IDENTITY, 0f, 0x50,
                List.of(KeyRange.data(0x10, 2, 0), KeyRange.data(0x20, 2, 0))), null, new float[2]);
        int[] outbox = new int[4];
        reduce.onPacket(0x11, 0, outbox);
        reduce.onPacket(0x21, 0, outbox);
        Kernels.assertThrowsWith(KernelException.class, () -> reduce.onPacket(0x11, 0, outbox),
                "TOO_MANY_PARTIALS", "output 1", "expected 2");
    }

    @Test
    void duplicateSoftmaxSync() {
        KernelCore core = new KernelCore();
        core.load(new KernelConfig(KernelKind.REDUCE, 0, 2, KernelActivation.SOFTMAX, 0f, false, 0x50, 1, 1, 0x70,
                List.of(KeyRange.data(0x10, 2, 0), KeyRange.softmaxSync(0x80))), null, new float[2]);
        int[] outbox = new int[8];
        assertEquals(0, core.onPacket(0x81, Float.floatToRawIntBits(3f), outbox));
        Kernels.assertThrowsWith(KernelException.class, () -> core.onPacket(0x81, 0, outbox), "DUPLICATE_SYNC", "sum");
    }

    @Test
    void wrongWeightAndBiasLengths() {
        KernelCore core = new KernelCore();
        KernelConfig fused = Kernels.dense(4, 3, true, KernelActivation.RELU, 0f, 0, ROWS);
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.load(fused, new float[11], new float[3]),
                "4 x 3", "needs 12 weights", "got 11");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.load(fused, null, new float[3]),
                "needs 12 weights", "got null");
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.load(fused, new float[12], new float[2]),
                "bias of nCols = 3", "got 2");
        KernelConfig partial = Kernels.dense(4, 3, false, KernelActivation.RELU, 0f, 0, ROWS);
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.load(partial, new float[12], new float[3]),
                "bias must be null or empty");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> core.load(Kernels.sink(2, List.of(KeyRange.data(0, 2, 0))), new float[1], null),
                "weights must be null or empty for OUTPUT_SINK");
        assertTrue(!core.isLoaded());
    }

    @Test
    void configTooLargeForDtcmNamesTheBytes() {
        KernelConfig big = Kernels.dense(200, 128, false, KernelActivation.IDENTITY, 0f, 0,
                List.of(KeyRange.data(0, 200, 0)));
        int bytes = KernelCore.stateBytes(big);
        assertTrue(bytes > 200 * 128 * 4);
        KernelCore core = new KernelCore();
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.load(big, new float[200 * 128], null),
                "block of 200 x 128 needs " + String.format(Locale.US, "%,d", bytes) + " bytes of DTCM",
                "a core has 65,536", "the mapper must split it further");
        KernelConfig wideSink = Kernels.sink(20_000, List.of(KeyRange.data(0, 20_000, 0)));
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.load(wideSink, null, null),
                "OUTPUT_SINK core of 20,000 values", "65,536");
    }

    @Test
    void outboxTooSmall() {
        KernelCore core = block();
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> core.onPacket(0x100, 0, new int[5]),
                "outbox too small", "3 packets", "6 ints", "has 5 ints");
        assertThrows(IllegalArgumentException.class, () -> core.onPacket(0x100, 0, null));
        assertEquals(0, core.receivedCount(), "a rejected packet changes nothing");
    }

    @Test
    void unloadedCoreThrowsIllegalState() {
        KernelCore core = new KernelCore();
        assertTrue(!core.isLoaded());
        int[] outbox = new int[64];
        assertThrows(IllegalStateException.class, () -> core.onPacket(0, 0, outbox));
        assertThrows(IllegalStateException.class, () -> core.start(outbox));
        assertThrows(IllegalStateException.class, core::receivedCount);
        assertThrows(IllegalStateException.class, core::readOutput);
        assertThrows(IllegalStateException.class, core::maxSendsPerEvent);
        assertThrows(IllegalStateException.class, () -> core.loadInput(new float[1]));
        assertThrows(IllegalStateException.class, core::config);
    }

    @Test
    void overwrittenMagicIsDetectedByEveryBuild() {
        KernelCore core = block();
        ByteBuffer dtcm = core.dtcm();
        int magic = dtcm.getInt(0);
        dtcm.putInt(0, 0);
        KernelException e = Kernels.assertThrowsWith(KernelException.class, () -> core.onPacket(0x100, 0, new int[6]),
                "NOT_LOADED");
        assertEquals(KernelException.NOT_LOADED, e.code());
        dtcm.putInt(0, magic);
        assertEquals(0, core.onPacket(0x100, 0, new int[6]));
    }

    /** Header words of the 4 x 3 block's state (s4j_header), and where its cached layout starts. */
    private static final int N_COLS_AT = 4 * 4;
    private static final int RECEIVED_AT = 14 * 4;
    private static final int ROWS_DONE_AT = 21 * 4;
    private static final int LAYOUT_AT = 46 * 4;

    @Test
    void checkedKernelsRejectACorruptedState() {
        assumeTrue(KernelCore.checkedKernels(), "only the checked build re-validates a state; the lean one trusts it");
        KernelCore core = block();
        ByteBuffer dtcm = core.dtcm();
        assertEquals(3, dtcm.getInt(N_COLS_AT), "header word 4 is nCols");
        // a header claiming a state far larger than the buffer
        assertCorruptUntilRestored(core, N_COLS_AT, 1 << 20);
        // a header at odds with the rows that arrived: all 4 in, or more in z than exist
        assertCorruptUntilRestored(core, RECEIVED_AT, 4);
        assertCorruptUntilRestored(core, ROWS_DONE_AT, 5);
        // a cached layout at odds with the header: z (the 6th offset) moved onto the weights (the 3rd)
        short weights = dtcm.getShort(LAYOUT_AT + 2 * 2);
        short z = dtcm.getShort(LAYOUT_AT + 5 * 2);
        dtcm.putShort(LAYOUT_AT + 5 * 2, weights);
        assertEquals(KernelException.CORRUPT,
                assertThrows(KernelException.class, () -> core.onPacket(0x100, 0, new int[6])).code());
        dtcm.putShort(LAYOUT_AT + 5 * 2, z);
        assertEquals(0, core.onPacket(0x100, 0, new int[6]), "restored, the state works again");
    }

    /** Overwrites the int at {@code at} with {@code value}: the next packet is refused as CORRUPT; then restores it. */
    private static void assertCorruptUntilRestored(KernelCore core, int at, int value) {
        ByteBuffer dtcm = core.dtcm();
        int saved = dtcm.getInt(at);
        dtcm.putInt(at, value);
        assertEquals(KernelException.CORRUPT,
                assertThrows(KernelException.class, () -> core.onPacket(0x101, 0, new int[6])).code(), "word " + at);
        dtcm.putInt(at, saved);
    }

    @Test
    void invalidConfigsAreRejectedInJava() {
        assertThrows(IllegalArgumentException.class, () -> new KeyRange(5, 5, 0, RangeKind.DATA));
        assertThrows(IllegalArgumentException.class, () -> new KeyRange(0xFFFF_FFFF, 0x10, 0, RangeKind.DATA));
        assertThrows(IllegalArgumentException.class, () -> new KeyRange(0, 1, -1, RangeKind.DATA));
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> Kernels.dense(4, 3, false, KernelActivation.IDENTITY, 0f, 0, List.of(KeyRange.data(0, 5, 0))),
                "local indices up to 4", "4 rows");
        Kernels.assertThrowsWith(IllegalArgumentException.class,
                () -> Kernels.dense(4, 3, false, KernelActivation.IDENTITY, 0f, 0,
                        List.of(KeyRange.data(0, 2, 0), KeyRange.data(1, 2, 2))), "overlap");
        assertThrows(IllegalArgumentException.class,
                () -> Kernels.dense(0, 3, false, KernelActivation.IDENTITY, 0f, 0, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> Kernels.reduce(3, 0, KernelActivation.IDENTITY, 0f, 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Kernels.source(4, 0xFFFF_FFFE));
        Kernels.assertThrowsWith(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.REDUCE, 0, 2,
                KernelActivation.SOFTMAX, 0f, false, 0, 1, 2, 0x70, List.of(KeyRange.softmaxSync(0x80))),
                "SOFTMAX_SYNC");
        assertThrows(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.REDUCE, 0, 2,
                KernelActivation.TANH, 0f, false, 0, 1, 1, 0x70, List.of(KeyRange.softmaxSync(0x80))));
        assertThrows(IllegalArgumentException.class, () -> new KernelConfig(KernelKind.INPUT_SOURCE, 0, 2,
                KernelActivation.IDENTITY, 0f, false, 0, 0, 0, 0, List.of(KeyRange.data(0, 1, 0))));
        assertThrows(NullPointerException.class, () -> new KernelConfig(KernelKind.REDUCE, 0, 2,
                null, 0f, false, 0, 1, 0, 0, List.of()));
    }
}
