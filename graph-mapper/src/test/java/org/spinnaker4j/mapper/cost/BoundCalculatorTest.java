package org.spinnaker4j.mapper.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.InputDropout;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.place.Placements;
import org.spinnaker4j.mapper.TestSupport;

/**
 * The bound of small mappings worked out by hand: a 4 → 3 identity layer whose input source (reading its slice of
 * each sample from SDRAM), fused block and output sink sit on three chips of a 2 × 2 grid, so each partition crosses
 * one link.
 */
class BoundCalculatorTest {

    private static final CoreCostModel COST = CoreCostModel.ARM968_SOFT_FLOAT;
    private static final BoundCalculator BOUNDS = new BoundCalculator(COST, MachineTiming.SPINNAKER1);
    private static final MachineVertex SOURCE = new MachineVertex(0, VertexKind.INPUT_SOURCE, -1, null,
            new Slice(0, 4), false);
    private static final MachineVertex BLOCK = new MachineVertex(1, VertexKind.DENSE_BLOCK, 0, new Slice(0, 4),
            new Slice(0, 3), true);
    private static final MachineVertex SINK = new MachineVertex(2, VertexKind.OUTPUT_SINK, 1, null,
            new Slice(0, 3), false);
    /** Source on (0,0), block on (1,0), sink on (1,1): the inputs cross (0,0) east, the outputs (1,0) north. */
    private static final Placements THREE_CHIPS = new Placements(List.of(new CoreLocation(0, 0, 1),
            new CoreLocation(1, 0, 1), new CoreLocation(1, 1, 1)));

    private static MachineGraph graph() {
        return new MachineGraph(List.of(SOURCE, BLOCK, SINK), List.of(
                new OutgoingPartition(0, 0, PartitionKind.FORWARD, new Slice(0, 4), List.of(1)),
                new OutgoingPartition(1, 1, PartitionKind.FORWARD, new Slice(0, 3), List.of(2))));
    }

    @Test
    void inferenceBoundIsTheBusiestOfCoresLinksAndRouters() {
        NetworkSpec network = TestSupport.network(ActivationKind.IDENTITY, 4, 3);
        SampleBound bound = BOUNDS.bound(network, graph(), THREE_CHIPS, Machine.grid(2, 2, false));

        // the source reads its slice from SDRAM (starting the DMA, dispatching its completion), then sends it
        long source = CoreCostModel.DMA_START_CYCLES + COST.dispatchCycles()
                + COST.completionCycles(SOURCE, ActivationKind.IDENTITY);
        long block = 4 * COST.forwardPacketCycles(BLOCK) + COST.completionCycles(BLOCK, ActivationKind.IDENTITY);
        long sink = 3 * COST.packetCycles(SINK);
        assertEquals(List.of(source, block, sink), java.util.Arrays.stream(BOUNDS.coreCycles(network, graph()))
                .boxed().toList());
        assertEquals(block, bound.coreClocks());
        assertEquals(1, bound.busiestCore());
        // 4 inputs on the busiest link at 380 ns = 76 core clocks each
        assertEquals(4 * 76.0, bound.linkClocks());
        // chip (1,0) routes the 4 inputs arriving and the 3 outputs leaving, at 7.5 ns = 1.5 clocks each
        assertEquals(7 * 1.5, bound.routerClocks());
        assertEquals("core", bound.limitedBy());
        assertEquals(block * 0.005, bound.microseconds(MachineTiming.SPINNAKER1), 1e-9);
    }

    @Test
    void aSlowLinkSetsTheBound() {
        NetworkSpec network = TestSupport.network(ActivationKind.IDENTITY, 4, 3);
        MachineTiming slowLinks = new MachineTiming(5_000, 7_500, 10_000_000);
        SampleBound bound = new BoundCalculator(COST, slowLinks).bound(network, graph(), THREE_CHIPS,
                Machine.grid(2, 2, false));
        // 10 µs per packet: 2000 clocks
        assertEquals(4 * 2000.0, bound.linkClocks());
        assertEquals("link", bound.limitedBy());
        assertEquals(8000.0, bound.clocks());
    }

    @Test
    void trainingAddsTheBackwardPassOfEveryCore() {
        NetworkSpec network = TestSupport.training(TestSupport.network(ActivationKind.SOFTMAX, 4, 3));
        MachineVertex labels = new MachineVertex(1, VertexKind.LABEL_SOURCE, 0, null, new Slice(0, 3), false);
        MachineVertex block = new MachineVertex(2, VertexKind.DENSE_BLOCK, 0, new Slice(0, 4), new Slice(0, 3), true);
        MachineVertex sink = new MachineVertex(3, VertexKind.OUTPUT_SINK, 1, null, new Slice(0, 3), false);
        MachineVertex loss = new MachineVertex(4, VertexKind.LOSS_SINK, 1, null, new Slice(0, 1), false);
        MachineGraph graph = new MachineGraph(List.of(SOURCE, labels, block, sink, loss), List.of(
                new OutgoingPartition(0, 0, PartitionKind.FORWARD, new Slice(0, 4), List.of(2)),
                new OutgoingPartition(1, 1, PartitionKind.LABEL, new Slice(0, 3), List.of(2)),
                new OutgoingPartition(2, 2, PartitionKind.FORWARD, new Slice(0, 3), List.of(3)),
                new OutgoingPartition(3, 2, PartitionKind.LOSS, new Slice(0, 1), List.of(4))));

        long[] cycles = BOUNDS.coreCycles(network, graph);

        // forward: 4 inputs filed and their rows multiplied in, then the block completes; backward: 3
        // labels filed, then its deltas (charged as its loss's) and dW (a first-layer block sends nothing back)
        long forward = 4 * COST.forwardPacketCycles(block) + COST.completionCycles(block, ActivationKind.SOFTMAX);
        long backward = 3 * COST.packetCycles(block)
                + COST.deltaCycles(block, ActivationKind.SOFTMAX, OutputLoss.of(network, block))
                + COST.blockBackwardCycles(block, false);
        assertNotEquals(COST.deltaCycles(block, ActivationKind.SOFTMAX), COST.deltaCycles(block,
                ActivationKind.SOFTMAX, OutputLoss.of(network, block)), "an output core's deltas cost its loss's");
        assertEquals(forward + backward, cycles[2]);
        assertEquals(COST.packetCycles(loss), cycles[4]);
        assertEquals(CoreCostModel.DMA_START_CYCLES + COST.dispatchCycles()
                + COST.completionCycles(labels, ActivationKind.IDENTITY), cycles[1]);

        // its input dropped: each row filed pays the dropout's hash, mask and scaling (a first-layer block sends
        // no gradient back to mask)
        TrainingSpec t = network.training();
        NetworkSpec dropped = new NetworkSpec(network.layers(), new TrainingSpec(t.loss(), t.updaters(), t.miniBatch(),
                t.lossWeights(), List.of(InputDropout.INPUT_AND_GRADIENT)));
        assertEquals(forward + backward + 4 * COST.dropoutRowCycles(block), BOUNDS.coreCycles(dropped, graph)[2]);
        assertNotEquals(0, COST.dropoutRowCycles(block));
        assertEquals(COST.forwardPacketCycles(block) + COST.dropoutRowCycles(block),
                COST.forwardPacketCycles(block, InputDropout.INPUT));
        assertEquals(0, COST.dropoutBackwardCycles(block, InputDropout.INPUT, true), "a Conv1D's own: not masked");
        assertEquals(COST.dropoutBackwardCycles(block), COST.dropoutBackwardCycles(block,
                InputDropout.INPUT_AND_GRADIENT, true));
    }
}
