package org.spinnaker4j.mapper.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.graph.PoolingWork;
import org.spinnaker4j.mapper.graph.Slice;

/** A pooling layer: a sequence's geometry with as many channels out as in, no weights (MAX and AVG train). */
class PoolingSpecTest {

    /** Kernel 3, stride 1, one position of padding on each side, over 5 positions of 4 channels. */
    private static final Conv1DGeometry PADDED = new Conv1DGeometry(4, 5, 4, 3, 1, 1, 5, false);

    @Test
    void aPoolingLayerHasNoWeightsNorMacs() {
        DenseLayerSpec pool = DenseLayerSpec.pooling(PADDED, new PoolingSpec(PoolingSpec.Kind.MAX, false, false));
        assertEquals(20, pool.nIn());
        assertEquals(20, pool.nOut());
        assertEquals(0, pool.weightRows());
        assertEquals(4, pool.weightCols());
        assertEquals(0, pool.macsPerSample());
    }

    @Test
    void avgDividesByTheTapsOnTheInputOrTheKernel() {
        PoolingSpec excluding = new PoolingSpec(PoolingSpec.Kind.AVG, false, false);
        PoolingSpec including = new PoolingSpec(PoolingSpec.Kind.AVG, true, false);
        assertEquals(List.of(2, 3, 3, 3, 2), List.of(0, 1, 2, 3, 4).stream().map(t -> excluding.divisor(PADDED, t))
                .toList());
        assertEquals(3, including.divisor(PADDED, 0));
        assertThrows(IllegalArgumentException.class, () -> new PoolingSpec(PoolingSpec.Kind.MAX, true, false));
    }

    /**
     * Across an image's rows (2 channels, 5 × 5, window 3 × 3 at stride 2 after 1 pixel of padding: 3 × 3 outputs), a
     * block of output row 0's outputs 1 ... 4 (pixel 0's channel 1 to pixel 2's channel 0) pools image rows 0 and 1:
     * per row 3 windows of 2, 3 and 2 pixels, 1, 2 and 1 of whose channels it holds.
     */
    @Test
    void acrossAnImagesRowsABlockPoolsItsWindowsPixels() {
        Conv1DGeometry g = new Conv2DGeometry(2, 5, 5, 2, 3, 3, 2, 2, 1, 1, 3, 3, false).alongRows();
        DenseLayerSpec pool = DenseLayerSpec.pooling(g, new PoolingSpec(PoolingSpec.Kind.AVG, false, false));
        assertEquals(50, pool.nIn());
        assertEquals(18, pool.nOut());
        assertEquals(new PoolingWork(PoolingSpec.Kind.AVG, 6, 14, 20),
                PoolingWork.of(PoolingSpec.Kind.AVG, g, new Slice(0, 20), new Slice(1, 5)));
        assertEquals(2, new PoolingSpec(PoolingSpec.Kind.AVG, false, false).divisor(g, 0), "rows 0 and 1");
        assertThrows(IllegalArgumentException.class, () -> DenseLayerSpec.pooling(
                new Conv2DGeometry(2, 5, 5, 3, 3, 3, 2, 2, 1, 1, 3, 3, false).alongRows(),
                new PoolingSpec(PoolingSpec.Kind.MAX, false, false)), "as many channels out as in");
    }

    /**
     * A batch normalization after a 2-D convolution (3 channels, 4 × 5) takes one position of its rows' lowering, an
     * image row of 15 values as the row of one pixel, whatever its image: a block of 6 of its columns pools one window
     * of one pixel, its 6 values.
     */
    @Test
    void aBatchNormalizationsBlockPoolsOnePositionOfItsRow() {
        Conv1DGeometry g = new Conv2DGeometry(3, 4, 5, 3, 1, 1, 1, 1, 0, 0, 4, 5, false).alongRows();
        PoolingSpec norm = PoolingSpec.batchNorm(1e-5, true);
        assertEquals(60, DenseLayerSpec.batchNorm(g, norm).nIn());
        assertEquals(new PoolingWork(PoolingSpec.Kind.NORM, 1, 1, 6),
                PoolingWork.of(PoolingSpec.Kind.NORM, g, new Slice(30, 45), new Slice(34, 40)));
    }

    @Test
    void maxStartsWhereLibnd4jDoes() {
        assertEquals(0xff7ffffd, Float.floatToRawIntBits(new PoolingSpec(PoolingSpec.Kind.MAX, false, false)
                .maxStart()));
        assertEquals(Float.NEGATIVE_INFINITY, new PoolingSpec(PoolingSpec.Kind.MAX, false, true).maxStart());
    }

    /**
     * A batch normalization: a window of one position holding 4 rows of weights per channel and its beta as the bias;
     * its std is nd4j's float expression, sqrt(var + eps) with var = (10^stat)² under useLogStd.
     */
    @Test
    void aBatchNormalizationHoldsFourRowsAndBeta() {
        Conv1DGeometry perPosition = new Conv1DGeometry(4, 5, 4, 1, 1, 0, 5, false);
        DenseLayerSpec norm = DenseLayerSpec.batchNorm(perPosition, PoolingSpec.batchNorm(1e-3, true));
        assertEquals(PoolingSpec.NORM_ROWS, norm.weightRows());
        assertEquals(4, norm.weightCols());
        assertEquals(true, norm.hasBias());
        assertEquals(true, norm.isBatchNorm());
        float s = (float) Math.pow(10, 0.25f);
        assertEquals((float) Math.sqrt(s * s + 1e-3f), PoolingSpec.batchNorm(1e-3, true).std(0.25f));
        assertEquals((float) Math.sqrt(0.5f + 1e-5f), PoolingSpec.batchNorm(1e-5, false).std(0.5f));
        assertThrows(IllegalArgumentException.class, () -> DenseLayerSpec.batchNorm(PADDED,
                PoolingSpec.batchNorm(1e-3, true)), "a window of one position");
        assertThrows(IllegalArgumentException.class, () -> PoolingSpec.batchNorm(0, true), "eps > 0");
        assertThrows(IllegalArgumentException.class,
                () -> new PoolingSpec(PoolingSpec.Kind.MAX, false, false, 1e-3, false, 0), "only NORM has an eps");
    }

    @Test
    void invalidPoolingLayersAreRefused() {
        PoolingSpec max = new PoolingSpec(PoolingSpec.Kind.MAX, false, false);
        Activation identity = Activation.of(ActivationKind.IDENTITY);
        Conv1DGeometry widening = new Conv1DGeometry(4, 5, 6, 3, 1, 1, 5, false);
        assertThrows(IllegalArgumentException.class, () -> DenseLayerSpec.pooling(widening, max));
        assertThrows(IllegalArgumentException.class,
                () -> new DenseLayerSpec(20, 20, identity, true, PADDED, max), "a pooling layer has no bias");
        assertThrows(IllegalArgumentException.class, () -> DenseLayerSpec.pooling(PADDED,
                new PoolingSpec(PoolingSpec.Kind.AVG, false, true)), "a global pooling layer has one position");
        DenseLayerSpec pool = DenseLayerSpec.pooling(PADDED, max);
        TrainingSpec sgd = new TrainingSpec(LossFunction.MSE, Collections.nCopies(1,
                new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f)), true);
        assertTrue(new NetworkSpec(List.of(pool), sgd).trains(), "MAX and AVG pooling layers train (no parameters)");
    }

    /**
     * A batch normalization has a training mapping (score(DataSet) runs it with the running statistics), but the
     * cores do not update it: its network does not update on the machine, whatever other pooling layers do.
     */
    @Test
    void aBatchNormalizationScoresButDoesNotUpdate() {
        DenseLayerSpec norm = DenseLayerSpec.batchNorm(new Conv1DGeometry(4, 5, 4, 1, 1, 0, 5, false),
                PoolingSpec.batchNorm(1e-3, true));
        TrainingSpec sgd = new TrainingSpec(LossFunction.MSE, Collections.nCopies(1,
                new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f)), true);
        NetworkSpec network = new NetworkSpec(List.of(norm), sgd);
        assertTrue(network.trains());
        assertFalse(network.updatesOnTheMachine());
        assertTrue(new NetworkSpec(List.of(DenseLayerSpec.pooling(PADDED, new PoolingSpec(PoolingSpec.Kind.AVG, false,
                false))), sgd).updatesOnTheMachine(), "an AVG pooling layer alone updates (nothing)");
    }
}
