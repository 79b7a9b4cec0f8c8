package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;
import org.spinnaker4j.parity.FixedPointTrainingMnist.Result;

/**
 * Issue 12 part 4's claim on the host reference, in a run short enough for a test: the MNIST MLP (Adam 1e-3) trained
 * for one epoch on the first 2,000 digits (63 mini-batches of 32, in order) in s16.15 by
 * {@link AccumTrainingReference}, with nearest and with stochastic rounding, is within 1 point of DL4J's float32
 * training on the 2,000 test digits, with no saturation and no clipped gradient. The demo's two epochs on 8,000 digits
 * take over 2 minutes on a loaded host: {@link FixedPointTrainingMnist} measures them (docs/fixed-point.md).
 */
class FixedPointTrainingAccuracyTest {

    @Test
    void oneShortEpochInFixedPointIsWithinOnePointOfFloat() throws IOException {
        // the module's directory is the tests' working directory; the digits are the repository's data/mnist
        DataSet all = MnistIdx.load(Path.of("..", "data", "mnist"));
        DataSet train = (DataSet) all.getRange(0, 2000);
        DataSet test = (DataSet) all.getRange(8000, 10000);
        double cpu = FixedPointTrainingMnist.floatAccuracy("adam", 1, train, test);
        for (Rounding rounding : Rounding.values()) {
            Result fixed = FixedPointTrainingMnist.fixedAccuracy("adam", rounding, FixedPointTrainingMnist.SEED, 1, train, test, System.out);
            System.out.printf("MNIST MLP, 1 epoch on 2,000 digits: float32 %.2f %%, s16.15 %s %.2f %%%n", 100 * cpu, rounding,
                    100 * fixed.accuracy());
            assertTrue(Math.abs(fixed.accuracy() - cpu) <= 0.01, rounding + ": " + fixed.accuracy() + " against "
                    + cpu);
            assertEquals(0, fixed.counts().parameterSaturations, "parameters saturated");
            assertEquals(0, fixed.counts().forwardSaturations() + fixed.counts().backwardSaturations,
                    "sums saturated");
            assertEquals(0, fixed.counts().gradientClips, "mean gradients clipped to m's range");
            assertTrue(fixed.counts().stepsRoundedToZero > 0, "some steps underflow");
        }
    }
}
