package org.spinnaker4j.mapper.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A 2-D convolution runs as a convolution along its image's rows, and trains where its kernel falls on the image. */
class Conv2DGeometryTest {

    /** 3 channels × 7 rows × 9 columns → 4 channels, kernel 3 × 5, stride 2 × 1, padding 1 × 2: 4 × 9 outputs. */
    private static final Conv2DGeometry CONV = new Conv2DGeometry(3, 7, 9, 4, 3, 5, 2, 1, 1, 2, 4, 9, false);

    @Test
    void rowsAreThePositions() {
        Conv1DGeometry rows = CONV.alongRows();
        assertEquals(new Conv1DGeometry(9 * 3, 7, 9 * 4, 3, 2, 1, 4, false, CONV), rows);
        DenseLayerSpec layer = DenseLayerSpec.convolution(rows, Activation.of(ActivationKind.RELU), true);
        assertEquals(7 * 9 * 3, layer.nIn());
        assertEquals(4 * 9 * 4, layer.nOut());
        assertEquals(3 * 9 * 3, layer.weightRows(), "kernel rows × whole input rows");
        assertEquals(9 * 4, layer.weightCols(), "every output column's channels");
    }

    @Test
    void kernelColumnsUnderEachOutputColumn() {
        // output column 0 starts at input column −2 (the padding): input columns 0..2 are kernel columns 2..4
        assertEquals(-1, CONV.kernelColumn(0, 3));
        assertEquals(2, CONV.kernelColumn(0, 0));
        assertEquals(4, CONV.kernelColumn(0, 2));
        // output column 8 starts at 6: input columns 6..8 are kernel columns 0..2
        assertEquals(0, CONV.kernelColumn(8, 6));
        assertEquals(-1, CONV.kernelColumn(8, 5));
    }

    /**
     * A 2-D convolution trains where each kernel row falls on the image at two output rows or more (its blocks'
     * copies exchange) and each kernel column at some output column; a dense layer over an image holds its kernel
     * once.
     */
    @Test
    void imagesTrainWhereEveryKernelRowAndColumnFallsOnTheImage() {
        Conv1DGeometry rows = CONV.alongRows();
        assertTrue(rows.holdsEveryTap());
        assertTrue(rows.sharesEveryTap());
        assertTrue(rows.copiesKernel());
        // one output row: every kernel row is held, but by one row's blocks alone, which no exchange covers
        Conv2DGeometry single = new Conv2DGeometry(2, 3, 3, 4, 3, 2, 1, 1, 0, 0, 1, 2, false);
        assertEquals(1, single.alongRows().outLength());
        assertTrue(single.alongRows().holdsEveryTap());
        assertTrue(single.alongRows().copiesKernel(), "each output column's block holds a copy of the kernel");
        assertFalse(single.alongRows().sharesEveryTap());
        // kernel 5 wide over an image one column wide, padded by 2: kernel columns 0, 1, 3 and 4 see only padding
        Conv2DGeometry narrow = new Conv2DGeometry(1, 4, 1, 2, 3, 5, 1, 1, 1, 2, 4, 1, false);
        assertTrue(narrow.kernelColumnOnImage(2));
        assertFalse(narrow.kernelColumnOnImage(0));
        assertFalse(narrow.kernelColumnOnImage(4));
        assertFalse(narrow.alongRows().holdsEveryTap());
        Conv1DGeometry dense = Conv2DGeometry.dense(2, 3, 3, 5).alongRows();
        assertTrue(dense.holdsEveryTap());
        assertFalse(dense.copiesKernel());
    }

    @Test
    void aRowGeometryMustMatchItsImage() {
        assertThrows(IllegalArgumentException.class, () -> new Conv1DGeometry(9 * 3, 7, 9 * 4, 3, 1, 1, 7, false,
                CONV));
        assertThrows(IllegalArgumentException.class, () -> new Conv2DGeometry(2, 3, 3, 5, 3, 3, 1, 1, 1, 0, 1, 1,
                true));
    }
}
