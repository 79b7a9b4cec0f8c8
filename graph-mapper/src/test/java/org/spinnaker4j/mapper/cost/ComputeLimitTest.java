package org.spinnaker4j.mapper.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;

/** The compute limit counts a pass's MACs and spreads them over every application core. */
class ComputeLimitTest {

    @Test
    void mnistOnOneBoard() {
        NetworkSpec mnist = TestSupport.mnist();
        long forward = 784L * 256 + 256L * 128 + 128L * 10;
        assertEquals(forward, ComputeLimit.macsPerSample(mnist));
        CoreCostModel cost = CoreCostModel.ARM968_SOFT_FLOAT;
        double seconds = forward * cost.macCycles(Arithmetic.FLOAT32, false) * 5e-9 / 768;
        assertEquals(seconds, ComputeLimit.secondsPerSample(mnist, Machine.spinn5(), cost, MachineTiming.SPINNAKER1),
                1e-15);
    }

    @Test
    void trainingAddsDwEverywhereAndWDeltaBehindTheFirstLayer() {
        NetworkSpec trains = new NetworkSpec(TestSupport.mnist().layers(), new TrainingSpec(LossFunction.MCXENT,
                Collections.nCopies(3, new UpdaterSpec(UpdaterType.SGD, 0.1f, 0, 0, 0)), true));
        long first = 784L * 256;
        long rest = 256L * 128 + 128L * 10;
        assertEquals(2 * first + 3 * rest, ComputeLimit.macsPerSample(trains));
    }
}
