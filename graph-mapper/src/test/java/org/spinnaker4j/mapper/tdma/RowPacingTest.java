package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * A block multiplies each row in as it arrives (in order), so a forward window feeds it no faster than it
 * files a packet and multiplies its row, whatever the window's length: no row is left over for after it.
 */
class RowPacingTest {

    private static final CoreCostModel COST = CoreCostModel.ARM968_SOFT_FLOAT;

    @Test
    void theInputWindowFeedsTheBlockAsFastAsItMultipliesRowsIn() {
        for (int nIn : new int[] {100, 600}) {
            NetworkSpec net = new NetworkSpec(List.of(
                    new DenseLayerSpec(nIn, 4, Activation.of(ActivationKind.IDENTITY), true)));
            Mapping m = new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.MEMORY,
                    new TdmaScheduler(COST, MachineTiming.SPINNAKER1, TdmaScheduler.DEFAULT_RECEIVE_QUEUE)).map(net, Machine.spinn3());
            List<MachineVertex> blocks = m.graph().vertices().stream()
                    .filter(v -> v.kind() == VertexKind.DENSE_BLOCK).toList();
            assertEquals(1, blocks.size(), "one block takes every row");
            long need = COST.packetCycles(blocks.get(0)) + COST.rowCycles(blocks.get(0));
            TdmaSchedule.Stage input = m.tdma().stages().get(0);
            assertEquals(Phase.FORWARD, input.phase());
            assertEquals((long) Math.ceil(need / TdmaScheduler.SENDING_FRACTION), input.clocksBetweenSends(),
                    nIn + " rows from one source");
        }
    }
}
