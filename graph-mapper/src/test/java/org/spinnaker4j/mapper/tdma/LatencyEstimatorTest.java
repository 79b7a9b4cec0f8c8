package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.route.LinkLoads;

/**
 * The partitioner's latency and period estimates against the TDMA schedule the mapper then lays out (whose step
 * the simulator's latency matches): both within {@link #TOLERANCE} on the reference networks' inference mappings.
 */
class LatencyEstimatorTest {

    /**
     * How far an estimate may be from the schedule. The estimate has every window send at its fastest as soon as
     * its senders are ready; the modulo-scheduled TDMA may open a window later, where the windows already placed
     * leave its links and receivers room, or send it slower so that a later one need not wait: taking each
     * window's earliest-ending slot made MNIST's step 15 % longer than estimated, choosing slots for the step's
     * end brings it back within a few per cent (MNIST's, as the machine report maps it: 1.6 %).
     */
    static final double TOLERANCE = 0.12;

    static Stream<Arguments> mappings() {
        return Stream.of(
                Arguments.of("seed FASTEST", PartitioningStrategy.FASTEST, TestSupport.deep()),
                Arguments.of("MNIST FASTEST", PartitioningStrategy.FASTEST, TestSupport.mnist()),
                Arguments.of("softmax network FASTEST", PartitioningStrategy.FASTEST,
                        TestSupport.network(ActivationKind.SOFTMAX, 100, 100, 100, 300, 100, 100)),
                Arguments.of("MNIST FEWEST_CORES", PartitioningStrategy.FEWEST_CORES, TestSupport.mnist()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mappings")
    void estimatesAreCloseToTheSchedule(String name, PartitioningStrategy strategy, NetworkSpec network) {
        Mapping m = new Mapper(strategy, TestSupport.MEMORY).map(network, Machine.spinn5());
        LatencyEstimator.Estimate e = new LatencyEstimator(CoreCostModel.ARM968_SOFT_FLOAT, MachineTiming.SPINNAKER1)
                .forward(network, m.graph(), LinkLoads.of(m.graph(), m.placements(), m.machine()));
        TdmaSchedule tdma = m.tdma();
        assertTrue(tdma.pipelined(), name + ": " + m.describe());
        double step = (double) e.stepClocks() / tdma.stepClocks();
        assertTrue(Math.abs(step - 1) < TOLERANCE,
                name + ": estimated step " + e.stepClocks() + " clocks, scheduled " + tdma.stepClocks());
        double bound = BoundCalculator.SPINNAKER1.bound(network, m.graph(), m.placements(), m.machine()).clocks();
        double period = Math.max(bound / TdmaScheduler.SENDING_FRACTION, e.windowClocks()) / tdma.periodClocks();
        assertTrue(Math.abs(period - 1) < TOLERANCE, name + ": estimated period " + e.windowClocks() + " (bound "
                + bound + "), scheduled " + tdma.periodClocks());
    }
}
