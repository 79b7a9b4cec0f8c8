package org.spinnaker4j.mapper.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A 2-D convolution's block holds its columns' channels' kernel once and does only the products of real weights. */
class RowBlockTest {

    /** 3 channels × 7 rows × 9 columns → 4 channels, kernel 3 × 5, stride 2 × 1, padding 1 × 2: 4 × 9 outputs. */
    private static final Conv2DGeometry CONV = new Conv2DGeometry(3, 7, 9, 4, 3, 5, 2, 1, 1, 2, 4, 9, false);
    private static final int FIELD = 3 * 9 * 3;

    /** The lowered kernel's nonzero products of a block: its field's rows × its columns where a kernel column is. */
    private static long loweredNonzeros(RowBlock b, int rows) {
        long n = 0;
        for (int i = 0; i < rows; i++) {
            int x = i % (9 * 3) / 3;
            for (int j = b.firstColumn(); j < b.firstColumn() + b.nCols(); j++) {
                if (CONV.kernelColumn(j / 4, x) >= 0) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void aBlockWithinOneOutputColumnHoldsItsChannels() {
        RowBlock b = new RowBlock(CONV, 4 * 3 + 1, 2); // output column 3, channels 1 and 2
        assertEquals(1, b.firstChannel());
        assertEquals(2, b.channels());
        assertEquals(3 * 5 * 3 * 2, b.weights(FIELD), "3 taps × 5 kernel columns × 3 channels in × 2 out");
        assertEquals(loweredNonzeros(b, FIELD), b.macs(FIELD));
        assertEquals(3 * 5 * 3, b.runs(FIELD), "every input value under its one output column, once");
    }

    @Test
    void aBlockSpanningOutputColumnsHoldsEveryChannel() {
        RowBlock b = new RowBlock(CONV, 3, 7); // channel 3 of column 0, all of 1, channels 0 and 1 of 2
        assertEquals(0, b.firstChannel());
        assertEquals(4, b.channels());
        // column 0 starts in the padding: it sees input columns 0 .. 2 only
        assertEquals(loweredNonzeros(b, FIELD), b.macs(FIELD));
        assertEquals(2 * 5 * 3 * 4, b.weights(2 * 9 * 3), "a field of 2 taps (the padding's has no rows)");
        assertEquals(loweredNonzeros(b, 2 * 9 * 3), b.macs(2 * 9 * 3));
    }

    @Test
    void aWholeRowDoesTheUsefulProducts() {
        RowBlock b = new RowBlock(CONV, 0, 9 * 4);
        assertEquals(loweredNonzeros(b, FIELD), b.macs(FIELD));
        assertEquals(3 * 5 * 3 * 4, b.weights(FIELD));
        assertThrows(IllegalArgumentException.class, () -> new RowBlock(CONV, 30, 7), "beyond the output row");
        assertThrows(IllegalArgumentException.class, () -> new RowBlock(Conv2DGeometry.dense(3, 7, 9, 5), 0, 5));
    }
}
