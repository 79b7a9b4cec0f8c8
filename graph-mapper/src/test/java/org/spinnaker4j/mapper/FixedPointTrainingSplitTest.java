package org.spinnaker4j.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.graph.BackwardSendOrder;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.keys.InputRange;
import org.spinnaker4j.mapper.keys.ReceiveKind;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.tdma.Phase;

/**
 * FEWEST_CORES on an s16.15 training network (docs/fixed-point.md, "Training in s16.15 through fit", "Layers split by
 * columns", "A part of the rows a receiver"): every layer's blocks fused and holding all its rows, the layers too
 * wide for one core cut by columns, the output layer on one block; a block of a split layer sends each row's error
 * back as two keys (halves), in one partition per block below that carries only that block's columns (end to end in
 * the sender's keys), the TDMA schedule gives it two packets a row, and the blocks of a layer start at different
 * receivers.
 */
class FixedPointTrainingSplitTest {

    private static final NetworkSpec WIDE = TestSupport.training(
            TestSupport.network(ActivationKind.SOFTMAX, 300, 200, 100, 10));

    @Test
    void layersAreCutByColumnsOnlyAndSplitLayersSendHalves() {
        NetworkSpec net = WIDE.withArithmetic(Arithmetic.S16_15);
        Mapping m = new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.TRAINING_MEMORY)
                .map(net, Machine.spinn5());
        int[] blocks = new int[3];
        for (MachineVertex v : m.graph().vertices()) {
            assertTrue(v.kind() != VertexKind.REDUCE && v.kind() != VertexKind.RELAY, v.toString());
            if (v.kind() == VertexKind.DENSE_BLOCK) {
                assertTrue(v.fused(), v.toString());
                assertEquals(new Slice(0, net.layers().get(v.layer()).nIn()), v.rows(), v.toString());
                blocks[v.layer()]++;
            }
        }
        assertTrue(blocks[0] > 1 && blocks[1] > 1, blocks[0] + " and " + blocks[1] + " blocks");
        assertEquals(1, blocks[2], "the output layer on one block");
        int halves = 0;
        for (MachineVertex source : m.graph().vertices()) {
            List<OutgoingPartition> back = m.graph().outgoing(source.id()).stream()
                    .filter(p -> p.kind() == PartitionKind.BACKWARD).toList();
            if (back.isEmpty()) {
                continue;
            }
            boolean split = blocks[source.layer()] > 1;
            int k = split ? OutgoingPartition.PARTIAL_HALVES : 1;
            assertEquals(k * source.rows().size(), m.tdma().of(Phase.BACKWARD, source.id()).packetsPerStep(),
                    "packets a row in its slot: " + source);
            if (!split) {
                // the output block's error words: one partition of all its rows, each block below taking its own
                assertEquals(1, back.size(), back.toString());
                assertEquals(source.rows(), back.get(0).values(), back.toString());
                assertEquals(blocks[source.layer() - 1], back.get(0).targets().size(), back.toString());
                continue;
            }
            assertEquals(blocks[source.layer() - 1], back.size(), "a part for each block below: " + back);
            halves++;
            int first = m.keys().of(back.get(0).id()).key();
            int next = source.rows().lo();
            for (OutgoingPartition p : back) {
                assertEquals(k, p.keysPerValue(), p.toString());
                assertEquals(next, p.values().lo(), "the parts tile the rows in order: " + back);
                next = p.values().hi();
                int key = m.keys().of(p.id()).key();
                assertEquals(first + k * (p.values().lo() - source.rows().lo()), key, "row i at the first key + ki");
                assertEquals(1, p.targets().size(), p.toString());
                MachineVertex receiver = m.graph().vertex(p.targets().get(0));
                assertEquals(receiver.cols(), p.values(), "each block below gets its own columns only: " + p);
                List<InputRange> ranges = m.receiveTables().get(receiver.id()).stream()
                        .filter(r -> r.keyLo() < key + p.nKeys() && r.keyHi() > key).toList();
                assertEquals(List.of(new InputRange(key, key + p.nKeys(), 0, ReceiveKind.BACKWARD_PARTIAL)), ranges,
                        "keys " + receiver + " files from " + p);
            }
            assertEquals(source.rows().hi(), next, "the parts tile the rows: " + back);
        }
        assertEquals(blocks[1], halves, "the split layer's blocks send halves");
        assertEachReceiverHearsOneBlockARound(m);
        int packets = m.graph().partitions().stream().mapToInt(OutgoingPartition::nKeys).sum();
        assertEquals(packets, RoutingSimulator.assertAllPartitionsDeliver(m), "every key reaches its targets");
    }

    /**
     * The blocks of a split layer start sending their rows back at parts spread over the receivers
     * ({@link BackwardSendOrder}), so in every round of their window each receiver gets at most one block's packet.
     */
    private static void assertEachReceiverHearsOneBlockARound(Mapping m) {
        BackwardSendOrder order = BackwardSendOrder.of(m.graph());
        Map<Integer, Map<Integer, Integer>> senderOfRound = new HashMap<>();
        Set<Integer> firstRows = new HashSet<>();
        for (OutgoingPartition p : m.graph().partitions()) {
            if (p.kind() != PartitionKind.BACKWARD || p.keysPerValue() != OutgoingPartition.PARTIAL_HALVES) {
                continue;
            }
            MachineVertex source = m.graph().vertex(p.source());
            firstRows.add(order.firstRow(source.id()));
            int first = order.firstPacket(p);
            assertTrue(first >= 0 && first + p.nKeys() <= 2 * source.rows().size(), p + " from packet " + first);
            Map<Integer, Integer> senders = senderOfRound.computeIfAbsent(p.targets().get(0), t -> new HashMap<>());
            for (int round = first; round < first + p.nKeys(); round++) {
                Integer other = senders.put(round, p.source());
                assertTrue(other == null, "receiver " + p.targets() + " hears blocks " + other + " and " + p.source()
                        + " in round " + round);
            }
        }
        assertEquals(m.graph().vertices().stream().filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 1)
                .count(), firstRows.size(), "each block of layer 1 starts at a row of its own: " + firstRows);
    }

    @Test
    void aFloatTrainingNetworkIsSlicedAsBefore() {
        Mapping m = new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.TRAINING_MEMORY)
                .map(WIDE, Machine.spinn5());
        assertTrue(m.graph().partitions().stream().allMatch(p -> p.keysPerValue() == 1));
        // the float slicing shares each vector's slices between the layer producing it and the one consuming it
        for (MachineVertex v : m.graph().vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK && v.layer() > 0) {
                assertTrue(m.graph().vertices().stream().anyMatch(u -> u.layer() == v.layer() - 1
                        && u.activates() && u.cols().equals(v.rows())), v.toString());
            }
        }
    }
}
