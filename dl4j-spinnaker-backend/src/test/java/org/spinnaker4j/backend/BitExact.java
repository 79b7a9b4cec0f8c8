package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bit-for-bit comparison of arrays, for tests that claim identity ({@code INDArray.equals} tolerates 1e-5). */
public final class BitExact {

    private BitExact() {
    }

    /** Asserts same shape and the same float bits in every element (-0 is not 0; NaNs match NaNs). */
    public static void assertSameBits(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertArrayEquals(expected.castTo(DataType.FLOAT).ravel().toFloatVector(),
                actual.castTo(DataType.FLOAT).ravel().toFloatVector(), what);
    }
}
