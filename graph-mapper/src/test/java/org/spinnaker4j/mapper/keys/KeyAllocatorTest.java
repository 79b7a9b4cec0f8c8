package org.spinnaker4j.mapper.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.partition.CoreMemory;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

class KeyAllocatorTest {

    static Stream<Arguments> graphs() {
        return TestSupport.mappingCases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphs")
    void keyRangesAreDisjointAndMatchTheirMasks(String name, PartitioningStrategy s, NetworkSpec net, CoreMemory mem) {
        MachineGraph graph = TestSupport.partition(s, net, mem);
        RoutingInfo info = new KeyAllocator().allocate(graph);
        assertEquals(graph.partitions().size(), info.keys().size());
        List<long[]> ranges = new ArrayList<>();
        for (OutgoingPartition p : graph.partitions()) {
            KeyAndMask km = info.of(p.id());
            assertEquals(p.nKeys(), km.nKeys());
            assertEquals(p.kind() == PartitionKind.FORWARD ? p.values().size() : 2, km.nKeys());
            // the mask is a run of ones above a run of zeros, and the key has no bits outside it
            long blockSize = (~km.mask() & 0xFFFFFFFFL) + 1;
            assertEquals(1, Long.bitCount(blockSize), "block size " + blockSize);
            assertTrue(blockSize >= km.nKeys() && blockSize < 2L * km.nKeys(), "block " + blockSize + " for " + km);
            assertEquals(0, km.key() & ~km.mask());
            for (int a = 0; a < km.nKeys(); a++) {
                int key = km.keyOf(a);
                assertEquals(km.key(), key & km.mask(), "atom " + a + " of " + km);
            }
            assertThrows(IllegalArgumentException.class, () -> km.keyOf(km.nKeys()));
            long lo = Integer.toUnsignedLong(km.key());
            ranges.add(new long[] {lo, lo + blockSize, p.id()});
        }
        // the whole masked blocks (not only the used keys) never overlap
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++) {
            assertTrue(ranges.get(i - 1)[1] <= ranges.get(i)[0],
                    "partitions " + ranges.get(i - 1)[2] + " and " + ranges.get(i)[2] + " overlap");
        }
        // consecutive one-key forward partitions get consecutive keys
        int pairs = 0;
        for (int i = 1; i < graph.partitions().size(); i++) {
            OutgoingPartition a = graph.partitions().get(i - 1);
            OutgoingPartition b = graph.partitions().get(i);
            if (a.kind() == PartitionKind.FORWARD && b.kind() == PartitionKind.FORWARD
                    && a.nKeys() == 1 && b.nKeys() == 1) {
                assertEquals(info.of(a.id()).key() + 1, info.of(b.id()).key(), "partitions " + a.id() + ", " + b.id());
                pairs++;
            }
        }
        if (s == PartitioningStrategy.NEURON_PER_CORE) {
            assertTrue(pairs > 100, "NPC has hundreds of one-key partitions in a row");
        }
    }

    /**
     * A reduce's sources (its blocks, one partition each) have keys equally far apart, in the order of its range
     * table, so its kernel finds a packet's range by a multiply, not a compare a range (s4j_find_uniform_ranges).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("graphs")
    void aReducesSourcesHaveKeysEquallyFarApart(String name, PartitioningStrategy s, NetworkSpec net, CoreMemory mem) {
        MachineGraph graph = TestSupport.partition(s, net, mem);
        RoutingInfo info = new KeyAllocator().allocate(graph);
        List<List<InputRange>> tables = new ReceiveTableBuilder().build(graph, info);
        int reduces = 0;
        for (MachineVertex v : graph.vertices()) {
            List<InputRange> ranges = tables.get(v.id());
            if (v.kind() != VertexKind.REDUCE || ranges.size() < 2) {
                continue;
            }
            long first = Integer.toUnsignedLong(ranges.get(0).keyLo());
            long stride = Integer.toUnsignedLong(ranges.get(1).keyLo()) - first;
            int sources = (int) graph.incoming(v.id()).stream().filter(p -> p.kind() == PartitionKind.FORWARD).count();
            for (int i = 0; i < sources; i++) {
                InputRange r = ranges.get(i);
                assertEquals(ReceiveKind.DATA, r.kind(), v + ", range " + i);
                assertEquals(first + i * stride, Integer.toUnsignedLong(r.keyLo()), v + ", range " + i);
                assertTrue(Integer.toUnsignedLong(r.keyHi()) - Integer.toUnsignedLong(r.keyLo()) <= stride,
                        v + ", range " + i);
            }
            reduces++;
        }
        if (name.startsWith("FASTEST mnist")) {
            assertTrue(reduces > 0, "FASTEST's MNIST mappings have reduces of several sources");
        }
    }

    @Test
    void handComputedAllocation() {
        // vertex 0 sends five partitions of 1, 1, 3, 1 and 5 forward values and one softmax sync
        List<MachineVertex> vertices = List.of(
                new MachineVertex(0, VertexKind.INPUT_SOURCE, -1, null, new Slice(0, 5), false),
                new MachineVertex(1, VertexKind.OUTPUT_SINK, 1, null, new Slice(0, 5), false));
        List<OutgoingPartition> partitions = List.of(
                new OutgoingPartition(0, 0, PartitionKind.FORWARD, new Slice(0, 1), List.of(1)),
                new OutgoingPartition(1, 0, PartitionKind.FORWARD, new Slice(1, 2), List.of(1)),
                new OutgoingPartition(2, 0, PartitionKind.FORWARD, new Slice(0, 3), List.of(1)),
                new OutgoingPartition(3, 0, PartitionKind.FORWARD, new Slice(2, 3), List.of(1)),
                new OutgoingPartition(4, 0, PartitionKind.SOFTMAX_SYNC, new Slice(0, 2), List.of(1)),
                new OutgoingPartition(5, 0, PartitionKind.FORWARD, new Slice(0, 5), List.of(1)));
        RoutingInfo info = new KeyAllocator().allocate(new MachineGraph(vertices, partitions));
        // forward first: 0 → key 0; 1 → key 1; 3 keys → block of 4 aligned at 4; 1 → key 8;
        // 5 keys → block of 8 aligned at 16; then the sync's 2 keys → 24
        assertEquals(new KeyAndMask(0, 0xFFFFFFFF, 1), info.of(0));
        assertEquals(new KeyAndMask(1, 0xFFFFFFFF, 1), info.of(1));
        assertEquals(new KeyAndMask(4, 0xFFFFFFFC, 3), info.of(2));
        assertEquals(new KeyAndMask(8, 0xFFFFFFFF, 1), info.of(3));
        assertEquals(new KeyAndMask(24, 0xFFFFFFFE, 2), info.of(4));
        assertEquals(new KeyAndMask(16, 0xFFFFFFF8, 5), info.of(5));
        assertEquals(6, info.of(2).keyOf(2));
    }

    @Test
    void aBlocksPartsOfItsRowsLieEndToEndAndRouteAsExactBlocks() {
        // vertex 0 sends its rows [0, 8) back in three parts (two keys a row), vertex 3 its rows [0, 3) whole
        List<MachineVertex> vertices = List.of(
                new MachineVertex(0, VertexKind.DENSE_BLOCK, 1, new Slice(0, 8), new Slice(0, 4), true),
                new MachineVertex(1, VertexKind.DENSE_BLOCK, 0, new Slice(0, 4), new Slice(0, 3), true),
                new MachineVertex(2, VertexKind.DENSE_BLOCK, 0, new Slice(0, 4), new Slice(3, 5), true),
                new MachineVertex(3, VertexKind.DENSE_BLOCK, 1, new Slice(0, 3), new Slice(4, 8), true),
                new MachineVertex(4, VertexKind.DENSE_BLOCK, 0, new Slice(0, 4), new Slice(5, 8), true));
        List<OutgoingPartition> partitions = List.of(
                new OutgoingPartition(0, 0, PartitionKind.BACKWARD, new Slice(0, 3), List.of(1), 2),
                new OutgoingPartition(1, 0, PartitionKind.BACKWARD, new Slice(3, 5), List.of(2), 2),
                new OutgoingPartition(2, 0, PartitionKind.BACKWARD, new Slice(5, 8), List.of(4), 2),
                new OutgoingPartition(3, 3, PartitionKind.BACKWARD, new Slice(0, 3), List.of(1)),
                new OutgoingPartition(4, 1, PartitionKind.FORWARD, new Slice(0, 1), List.of(0)));
        RoutingInfo info = new KeyAllocator().allocate(new MachineGraph(vertices, partitions));
        // forward first: key 0; vertex 0's 16 keys in one block aligned at 16, its parts end to end; then 3 keys at 32
        assertEquals(new KeyAndMask(0, 0xFFFFFFFF, 1), info.of(4));
        assertEquals(KeyAndMask.piece(16, 6), info.of(0));
        assertEquals(KeyAndMask.piece(22, 4), info.of(1));
        assertEquals(KeyAndMask.piece(26, 6), info.of(2));
        assertEquals(new KeyAndMask(32, 0xFFFFFFFC, 3), info.of(3));
        assertEquals(25, info.of(1).keyOf(3));
        assertEquals(List.of(new KeyAndMask(16, 0xFFFFFFFC, 4), new KeyAndMask(20, 0xFFFFFFFE, 2)),
                info.of(0).routingBlocks());
        assertEquals(List.of(new KeyAndMask(22, 0xFFFFFFFE, 2), new KeyAndMask(24, 0xFFFFFFFE, 2)),
                info.of(1).routingBlocks());
        assertEquals(List.of(new KeyAndMask(26, 0xFFFFFFFE, 2), new KeyAndMask(28, 0xFFFFFFFC, 4)),
                info.of(2).routingBlocks());
        assertEquals(List.of(info.of(3)), info.of(3).routingBlocks());
    }
}
