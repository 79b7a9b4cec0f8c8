package org.spinnaker4j.mapper;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * A mapping that fails names the other partitioning strategy only when that strategy maps the
 * network onto the same machine, with its numbers; a FEWEST_CORES mapping is never told to use FEWEST_CORES.
 */
class MappingAdviceTest {

    private static String failure(PartitioningStrategy strategy, NetworkSpec network, Machine machine) {
        return assertThrows(MappingException.class,
                () -> new Mapper(strategy, TestSupport.MEMORY).map(network, machine)).getMessage();
    }

    @Test
    void neuronPerCoreOutOfCoresIsToldBlockWithItsNumbersAndABigEnoughMachine() {
        // NPC 784-256-128-10: one source, 256 + 128 + 10 neurons, one sink; FEWEST_CORES needs 33 cores
        String m = failure(PartitioningStrategy.NEURON_PER_CORE, TestSupport.mnist(), Machine.spinn3());
        assertTrue(m.startsWith("the network needs 396 cores but SpiNN-3 (4 chips) has only 64 application cores"), m);
        assertTrue(m.contains("e.g. Machine.spinn5() (768 application cores)"), m);
        assertTrue(m.contains("; use PartitioningStrategy.FEWEST_CORES instead, which maps this network onto this machine"
                + " (33 cores, at most "), m);
    }

    @Test
    void blockOutOfCoresIsNotToldBlockNorAStrategyThatDoesNotFitEither() {
        // FEWEST_CORES needs 33 cores, NEURON_PER_CORE 396: one chip's 16 are too few for either
        String m = failure(PartitioningStrategy.FEWEST_CORES, TestSupport.mnist(), Machine.grid(1, 1, false));
        assertTrue(m.startsWith("the network needs 33 cores but 1 × 1 grid has only 16 application cores"), m);
        assertTrue(m.contains("e.g. Machine.spinn3() (64 application cores)"), m);
        assertFalse(m.contains("FEWEST_CORES") || m.contains("NEURON_PER_CORE"), m);
    }

    @Test
    void aColumnTooTallForOneCoreIsToldBlockOnlyWhereBlockMaps() {
        // one column of a 10000-input layer needs 80104 bytes; FEWEST_CORES cuts the 10000 x 10 layer into 16 cores
        NetworkSpec tenWide = TestSupport.network(ActivationKind.RELU, 10000, 10);
        String fits = failure(PartitioningStrategy.NEURON_PER_CORE, tenWide, Machine.spinn3());
        assertTrue(fits.startsWith("NEURON_PER_CORE cannot fit"), fits);
        assertTrue(fits.contains("; use PartitioningStrategy.FEWEST_CORES instead, which maps this network onto this machine"
                + " (16 cores, "), fits);

        // 40 columns: FEWEST_CORES needs more than the 16 cores of one chip
        NetworkSpec fortyWide = TestSupport.network(ActivationKind.RELU, 10000, 40);
        String doesNotFit = failure(PartitioningStrategy.NEURON_PER_CORE, fortyWide, Machine.grid(1, 1, false));
        assertTrue(doesNotFit.startsWith("NEURON_PER_CORE cannot fit"), doesNotFit);
        assertFalse(doesNotFit.contains("FEWEST_CORES"), doesNotFit);
    }

    @Test
    void aDeadEthernetChipFailsTheMappingWithoutStrategyAdvice() {
        // before: FEWEST_CORES mapped the network from chip (0,1) as if it were the Ethernet chip
        String m = failure(PartitioningStrategy.NEURON_PER_CORE, TestSupport.deep(),
                Machine.spinn5().withoutChip(new ChipLocation(0, 0)));
        assertTrue(m.startsWith("the Ethernet chip (0,0) of SpiNN-5 (48 chips) less chip (0,0) is dead"), m);
        assertFalse(m.contains("FEWEST_CORES"), "no strategy maps onto a machine without its Ethernet chip: " + m);
    }
}
