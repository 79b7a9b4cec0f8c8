package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateBytesTest {

    private static int denseBytes(int rows, int cols, boolean fused) {
        return KernelCore.stateBytes(Kernels.dense(rows, cols, fused, KernelActivation.RELU, 0f, 0,
                List.of(KeyRange.data(0, rows, 0))));
    }

    @Test
    void stateBytesGrowsWithTheWeightBlock() {
        int previous = 0;
        for (int rows : new int[] {1, 7, 32, 33, 100}) {
            for (int cols : new int[] {1, 5, 64, 100}) {
                int bytes = denseBytes(rows, cols, true);
                int weights = rows * cols * 4;
                assertTrue(bytes >= weights, rows + " x " + cols);
                // the rest is header, range table, bias, x, z and a row bitmap: linear in rows + cols
                assertTrue(bytes - weights <= 256 + 8 * (rows + cols), rows + " x " + cols + ": " + bytes);
                // one more row costs its weights, its x and at most one bitmap word
                int moreRows = denseBytes(rows + 1, cols, true) - bytes;
                assertTrue(moreRows >= cols * 4 + 4 && moreRows <= cols * 4 + 8, "row step " + moreRows);
                // one more column costs its weights, its bias and its z
                assertEquals(rows * 4 + 8, denseBytes(rows, cols + 1, true) - bytes, "column step");
                if (cols == 1) {
                    assertTrue(bytes > previous);
                }
                previous = cols == 1 ? bytes : previous;
            }
        }
        assertTrue(denseBytes(10, 10, true) > denseBytes(10, 10, false), "a fused block also holds a bias");
        assertTrue(denseBytes(2, 2, false) > 0);
    }

    @Test
    void moreInputRangesCostMoreBytes() {
        List<KeyRange> ranges = new ArrayList<>();
        int previous = 0;
        for (int k = 0; k < 8; k++) {
            ranges.add(KeyRange.data(0x1000 * k, 2, 2 * k));
            int bytes = KernelCore.stateBytes(Kernels.sink(16, ranges));
            assertTrue(bytes > previous);
            previous = bytes;
        }
    }

    @Test
    void javaAndCAgreeOnTheDtcmLimit() {
        int rows = 100;
        int cols = 1;
        while (denseBytes(rows, cols + 1, false) <= KernelCore.DTCM_BYTES) {
            cols++;
        }
        KernelCore core = new KernelCore();
        List<KeyRange> in = List.of(KeyRange.data(0, rows, 0));
        KernelConfig fits = Kernels.dense(rows, cols, false, KernelActivation.IDENTITY, 0f, 0, in);
        core.load(fits, new float[rows * cols], null);
        assertTrue(core.isLoaded());
        int wider = cols + 1;
        KernelConfig tooBig = Kernels.dense(rows, wider, false, KernelActivation.IDENTITY, 0f, 0, in);
        assertThrows(IllegalArgumentException.class, () -> core.load(tooBig, new float[rows * wider], null));
        assertTrue(KernelCore.stateBytes(tooBig) > KernelCore.DTCM_BYTES);
    }

    @Test
    void hugeConfigsSaturateInsteadOfOverflowing() {
        KernelConfig huge = Kernels.dense(1 << 20, 1 << 20, false, KernelActivation.IDENTITY, 0f, 0, List.of());
        assertEquals(Integer.MAX_VALUE, KernelCore.stateBytes(huge));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KernelCore().load(huge, null, null));
        assertTrue(e.getMessage().contains("needs"), e.getMessage());
    }
}
