package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.DemoPlan;
import org.spinnaker4j.demo.MnistIdx;

/**
 * The CNN demo's plan ({@code DemoPlan.named("cnn")}) on the demo's first training digits, with the partitioning it
 * trains on: three mini-batches of 32 train as on nd4j-native ({@link TrainingParity}: every score, the parameters
 * and the updater state, 0 drops) with no TDMA overrun, and the digits run (the mapping the demo evaluates on) as on
 * nd4j-native ({@link Parity}: outputs within 1e-4, 0 drops).
 */
class CnnDemoParityTest {

    private static final int BATCHES = 3;
    private static final int BATCH = 32;

    private static final DemoPlan PLAN = DemoPlan.named("cnn");
    private static final SpiNNakerOptions OPTIONS = SpiNNakerOptions.builder().partitioning(PLAN.trained()).build();

    private static DataSet digits;

    @BeforeAll
    static void loadDigits() throws IOException {
        // the module's directory is the tests' working directory; the digits are the repository's data/mnist
        digits = (DataSet) MnistIdx.load(Path.of("..", "data", "mnist")).getRange(0, BATCHES * BATCH);
    }

    @Test
    void trainsAsOnTheCpu() {
        RunStats stats = TrainingParity.assertTrainingParity("CNN demo", PLAN.network().get(), OPTIONS,
                digits.getFeatures(), digits.getLabels(), BATCHES, BATCH);
        assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
    }

    @Test
    void runsAsOnTheCpu() {
        Parity.assertParity(PLAN.network().get(), OPTIONS, digits.getFeatures());
    }
}
