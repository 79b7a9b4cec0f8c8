package org.spinnaker4j.mapper.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.spinnaker4j.backend.frontend.Dl4jFrontEnd;
import org.spinnaker4j.backend.runtime.NativeCoreMemory;
import org.spinnaker4j.backend.sim.SimulatorParameters;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * The shortest laid-out step found by hand for the seed network away from FASTEST's earlier choice (docs/architecture.md,
 * "The seed network's 0.5 ms: slicings far from FASTEST's choice"): its 300-wide vector in 100 slices instead of 68,
 * gathered 10 to a relay instead of 7, so layer 3 keeps 10 row slices. Two numbers from that choice, which no move of
 * the search reached until the laid-out phase tried {@link Slicing#regroupings regroupings}; FASTEST's choice now
 * beats it by the last phase's rule ({@link FastestPartitioner#paysForPeriod}): a lower period, unless this one's step
 * is worth twice the period it gives up, or a step that pays for a longer period.
 */
class SeedNetworkFarSlicingTest {

    private static final Slicing WIDER_LAYER_2 = new Slicing(new int[] {2, 6, 10, 100, 17, 8},
            new int[] {1, 1, 4, 10, 6, 1}, 1);

    @Test
    void fastestsChoiceIsAtLeastAsQuickAsTheHandSlicing() {
        NetworkSpec network = Dl4jFrontEnd.translate(ReferenceNetworks.seedNetwork(), false);
        SimulatorParameters parameters = SimulatorParameters.defaults();
        Mapper mapper = new Mapper(PartitioningStrategy.FASTEST, new NativeCoreMemory(), new TdmaScheduler(
                parameters.cost(), parameters.timing(), parameters.coreReceiveDepth()));
        Mapping choice = mapper.map(network, Machine.spinn5());
        Mapping byHand = mapper.layOut(network, GraphBuilder.build(network, WIDER_LAYER_2.layerSlicing(network)),
                Machine.spinn5());
        assertEquals(733, byHand.coresUsed(), byHand.describe());
        // since session 20 a shorter period wins over a shorter step worth less than twice it (578 cores, 146.5 µs a
        // sample against 149.0, a step of 785.2 µs against 744.2): by the last phase's rule, neither may the hand
        // slicing's step pay for its longer period nor, if its period is lower, the choice's step not pay for its own
        FastestPartitioner.Figures chosen = new FastestPartitioner.Figures(choice.tdma().periodClocks(),
                choice.tdma().stepClocks(), choice.coresUsed());
        FastestPartitioner.Figures hand = new FastestPartitioner.Figures(byHand.tdma().periodClocks(),
                byHand.tdma().stepClocks(), byHand.coresUsed());
        if (hand.weighedPeriod() < chosen.weighedPeriod()) {
            assertTrue(FastestPartitioner.paysForPeriod(hand, chosen), choice.describe() + byHand.describe());
        } else {
            assertFalse(FastestPartitioner.paysForPeriod(chosen, hand), choice.describe() + byHand.describe());
        }
    }
}
