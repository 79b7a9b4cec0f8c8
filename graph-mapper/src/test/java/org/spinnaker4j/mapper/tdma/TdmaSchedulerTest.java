package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

class TdmaSchedulerTest {

    @Test
    void slotsByHand() {
        List<MachineVertex> vs = List.of(
                new MachineVertex(0, VertexKind.INPUT_SOURCE, -1, null, new Slice(0, 5), false),
                new MachineVertex(1, VertexKind.DENSE_BLOCK, 0, new Slice(0, 5), new Slice(0, 1), true),
                new MachineVertex(2, VertexKind.DENSE_BLOCK, 0, new Slice(0, 5), new Slice(1, 2), true),
                new MachineVertex(3, VertexKind.OUTPUT_SINK, 1, null, new Slice(0, 2), false));
        List<OutgoingPartition> ps = List.of(
                new OutgoingPartition(0, 0, PartitionKind.FORWARD, new Slice(0, 5), List.of(1, 2)),
                new OutgoingPartition(1, 1, PartitionKind.FORWARD, new Slice(0, 1), List.of(3)),
                new OutgoingPartition(2, 2, PartitionKind.FORWARD, new Slice(1, 2), List.of(3)),
                new OutgoingPartition(3, 1, PartitionKind.SOFTMAX_SYNC, new Slice(0, 1), List.of(2)),
                new OutgoingPartition(4, 2, PartitionKind.SOFTMAX_SYNC, new Slice(1, 2), List.of(1)));
        TdmaSchedule s = new TdmaScheduler().schedule(new MachineGraph(vs, ps));
        // source: 5 packets; each block: 1 forward + 2 sync; sink sends nothing
        assertEquals(new CoreSlot(0, 0, 5), s.of(0));
        assertEquals(new CoreSlot(1, 5 * 76, 3), s.of(1));
        assertEquals(new CoreSlot(2, 8 * 76, 3), s.of(2));
        assertEquals(new CoreSlot(-1, 0, 0), s.of(3));
        assertEquals(76, s.clocksBetweenSends());
        assertEquals(11 * 76, s.stepClocks());
    }

    @Test
    void slotsNeverOverlapOnARealGraph() {
        MachineGraph g = PartitioningStrategy.BLOCK.partitioner().partition(TestSupport.mnist(),
                TestSupport.tightMemory(16));
        TdmaSchedule s = new TdmaScheduler().schedule(g);
        long end = 0;
        long total = 0;
        for (MachineVertex v : g.vertices()) {
            CoreSlot slot = s.of(v.id());
            int packets = g.outgoing(v.id()).stream().mapToInt(OutgoingPartition::nKeys).sum();
            assertEquals(packets, slot.packetsPerStep());
            if (packets > 0) {
                assertTrue(slot.offsetClocks() >= end, v + " starts before the previous slot ends");
                end = slot.offsetClocks() + (long) packets * s.clocksBetweenSends();
                total += packets;
            }
        }
        assertEquals(total * 76, s.stepClocks());
        assertEquals(end, s.stepClocks());
    }
}
