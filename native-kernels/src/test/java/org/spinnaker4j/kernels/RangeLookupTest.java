package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A packet's range: a core finds the ranges whose keys lie equally far apart from the first on by a multiply (a
 * reduce's sources, whose keys the mapper allocates block after block), the others by comparing the key with each.
 * Either way a key finds the range that holds it, its source index is the range's place among the sources (which
 * orders a float reduce's sum), and a key no range holds is refused. The partials make the float sum depend on that
 * order (1e8 + 1 loses the 1), so a wrong source index shows in the result.
 */
class RangeLookupTest {

    private static final int COLS = 2;
    private static final int OUT = 0x7000;
    /** Partial of output j from source k; a float sum in another order gives another result. */
    private static final float[][] PARTIALS = {
        {1e8f, -3e8f},
        {1f, 3f},
        {-1e8f, 3e8f},
        {1f, 3f},
        {0.5f, 1.5f},
    };

    /** Sources 0 to 3 four keys apart (a uniform run), source 4 elsewhere. */
    private static final int[] FOUR_APART = {0x1000, 0x1004, 0x1008, 0x100C, 0x3000};
    /** All five sources 928 keys apart, as a reduce's blocks in a row-major slicing. */
    private static final int[] ROW_SLICES_APART = {0x660, 0xA00, 0xDA0, 0x1140, 0x14E0};
    /** Only sources 0 and 1 run uniformly. */
    private static final int[] UNEVEN = {0x1000, 0x1004, 0x1009, 0x2000, 0x2003};
    /** Sources 0 to 2 run uniformly; sources 3 and 4 lie in the gaps of sources 1 and 2. */
    private static final int[] IN_THE_GAPS = {0x1000, 0x1004, 0x1008, 0x1006, 0x100A};
    /** Byte of the layout's count of uniform ranges: the 16-bit word 8 bytes before the range table. */
    private static final int UNIFORM_RANGES_BYTE = Kernels.RANGE_TABLE_BYTE - 8;

    private static KernelCore reduce(int[] keys) {
        List<KeyRange> ranges = new ArrayList<>();
        for (int key : keys) {
            ranges.add(KeyRange.data(key, COLS, 0));
        }
        KernelCore core = new KernelCore();
        core.load(Kernels.reduce(COLS, keys.length, KernelActivation.IDENTITY, 0f, OUT, ranges), new float[0],
                new float[COLS]);
        return core;
    }

    private static float sourceOrderSum(int j) {
        float acc = 0f;
        for (float[] partial : PARTIALS) {
            acc += partial[j];
        }
        return acc;
    }

    private static float[] run(int[] keys, int[] order) {
        KernelCore core = reduce(keys);
        List<Packet> sent = new ArrayList<>();
        for (int k : order) {
            for (int j = 0; j < COLS; j++) {
                sent.addAll(Kernels.deliver(core, new Packet(keys[k] + j, Float.floatToRawIntBits(PARTIALS[k][j]))));
            }
        }
        return Kernels.valuesByKey(sent, OUT, COLS);
    }

    @Test
    void everySourceIsFoundAndAddedInSourceOrder() {
        float[] expected = {sourceOrderSum(0), sourceOrderSum(1)};
        for (int[] keys : List.of(FOUR_APART, ROW_SLICES_APART, UNEVEN, IN_THE_GAPS)) {
            for (int[] order : List.of(new int[] {0, 1, 2, 3, 4}, new int[] {4, 2, 0, 3, 1})) {
                Kernels.assertSameBits(expected, run(keys, order), String.format("sources at 0x%x.., order %d%d%d%d%d",
                        keys[0], order[0], order[1], order[2], order[3], order[4]));
            }
        }
    }

    /** The run each layout's kernel finds: the ranges whose keys its multiply maps (the rest it compares). */
    @Test
    void theUniformRunIsTheEquallySpacedRangesFromTheFirst() {
        assertEquals(4, uniformRanges(FOUR_APART));
        assertEquals(5, uniformRanges(ROW_SLICES_APART));
        assertEquals(2, uniformRanges(UNEVEN));
        assertEquals(3, uniformRanges(IN_THE_GAPS));
    }

    private static int uniformRanges(int[] keys) {
        return reduce(keys).dtcm().getShort(UNIFORM_RANGES_BYTE);
    }

    @Test
    void aKeyNoRangeHoldsIsRefused() {
        refused(FOUR_APART, 0x0FFF, 0x1002, 0x1003, 0x1006, 0x100E, 0x1010, 0x1FFF, 0x2FFF, 0x3002, 0xFFFFFFFF, 0);
        refused(ROW_SLICES_APART, 0x65F, 0x662, 0x9FF, 0xA02, 0x1142, 0x14E2, 0x1880, 0xFFFFFFFF, 0);
        refused(UNEVEN, 0x0FFF, 0x1002, 0x1006, 0x1008, 0x100B, 0x1FFF, 0x2002, 0x2005);
        refused(IN_THE_GAPS, 0x0FFF, 0x1002, 0x1003, 0x100C, 0x100E);
    }

    private static void refused(int[] keys, int... outside) {
        for (int key : outside) {
            KernelCore core = reduce(keys);
            KernelException e = Kernels.assertThrowsWith(KernelException.class,
                    () -> core.onPacket(key, 0, new int[2 * core.maxSendsPerEvent()]), "UNKNOWN_KEY");
            assertEquals(KernelException.UNKNOWN_KEY, e.code(), String.format("key 0x%x", key));
        }
    }
}
