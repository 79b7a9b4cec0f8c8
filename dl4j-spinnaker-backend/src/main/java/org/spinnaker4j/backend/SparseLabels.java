package org.spinnaker4j.backend;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The labels of a SPARSE_MCXENT output layer, one class index per example ({@code [batch, 1]}, or {@code [batch]},
 * as DL4J's LossSparseMCXENT takes them), turned into the one-hot rows the output cores receive, which is what DL4J
 * computes with too. An index that is not an integer in {@code [0, nOut)} is refused: nd4j's OneHot would silently
 * give that example an all-zero label row.
 */
final class SparseLabels {

    private SparseLabels() {
    }

    /** One one-hot row of {@code nOut} values per example. */
    static float[][] oneHot(INDArray labels, int rows, int nOut) {
        if (labels == null || labels.rank() < 1 || labels.rank() > 2 || (labels.rank() == 2 && labels.size(1) != 1)) {
            throw new IllegalArgumentException("SPARSE_MCXENT labels must be class indices [batch, 1] (or [batch]), got "
                    + (labels == null ? "null" : "shape " + Arrays.toString(labels.shape())));
        }
        if (labels.size(0) != rows) {
            throw new IllegalArgumentException("features have " + rows + " rows but labels have " + labels.size(0)
                    + "; each example needs one class index");
        }
        double[] indices = labels.castTo(DataType.DOUBLE).ravel().toDoubleVector();
        float[][] y = new float[rows][nOut];
        for (int i = 0; i < rows; i++) {
            double c = indices[i];
            if (c != Math.rint(c) || c < 0 || c >= nOut) {
                throw new IllegalArgumentException("SPARSE_MCXENT label " + c + " of example " + i
                        + " is not a class index in [0, " + nOut + ")");
            }
            y[i][(int) c] = 1f;
        }
        return y;
    }
}
