package org.spinnaker4j.mapper.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.RoutingSimulator;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.SampleBound;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.Machine;

/** FASTEST against FEWEST_CORES: never slower, always within the machine, and small networks stay small. */
class FastestPartitionerTest {

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("seed inference", TestSupport.deep()),
                Arguments.of("seed training", TestSupport.training(TestSupport.deep())),
                Arguments.of("MNIST inference", TestSupport.mnist()),
                Arguments.of("MNIST training", TestSupport.training(TestSupport.mnist())));
    }

    private static SampleBound bound(Mapping m) {
        return BoundCalculator.SPINNAKER1.bound(m.network(), m.graph(), m.placements(), m.machine());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void fastestIsFasterThanFewestCoresWithinTheMachine(String name, NetworkSpec network) {
        Machine machine = Machine.spinn5();
        Mapping fastest = new Mapper(PartitioningStrategy.FASTEST, TestSupport.TRAINING_MEMORY).map(network, machine);
        Mapping fewest = new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.TRAINING_MEMORY)
                .map(network, machine);

        assertTrue(bound(fastest).clocks() < 0.5 * bound(fewest).clocks(),
                name + ": FASTEST " + bound(fastest) + " against FEWEST_CORES " + bound(fewest));
        assertTrue(fastest.coresUsed() <= machine.applicationCores(), fastest.describe());
        assertTrue(fastest.maxRoutingEntries() <= Chip.ROUTER_ENTRIES, fastest.describe());
        for (MachineVertex v : fastest.graph().vertices()) {
            int bytes = DtcmCheck.bytesOf(network, fastest.graph(), v, TestSupport.TRAINING_MEMORY);
            assertTrue(bytes <= TestSupport.DTCM_BYTES, v + " needs " + bytes);
        }
        RoutingSimulator.assertAllPartitionsDeliver(fastest);
    }

    @Test
    void aTinyNetworkStaysOnFewCores() {
        // FEWEST_CORES maps 4-3-2 on 4 cores (a source, two fused blocks, a sink); each core
        // FASTEST adds must save 0.2 µs, so it stops at a few dozen cores rather than spreading over the board
        NetworkSpec tiny = TestSupport.network(ActivationKind.RELU, 4, 3, 2);
        Mapping m = new Mapper(PartitioningStrategy.FASTEST, TestSupport.MEMORY).map(tiny, Machine.spinn5());
        assertTrue(m.coresUsed() <= 32, m.describe());
        assertTrue(m.placements().chipsUsed() <= 2, m.describe());
    }

    @Test
    void finerSlicingsShrinkTheLargestSlice() {
        // 256 values in 16 slices of 16; 17 slices still leave slices of 16, 18 make them at most 15
        assertEquals(18, Slicing.finer(256, 16));
        assertEquals(2, Slicing.finer(10, 1));
        assertEquals(10, Slicing.finer(10, 5));
        assertEquals(10, Slicing.finer(10, 10));
    }
}
