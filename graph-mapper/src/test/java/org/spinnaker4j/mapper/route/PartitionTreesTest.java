package org.spinnaker4j.mapper.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.RoutingSimulator;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.keys.KeyAllocator;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.place.Placements;

/** Each partition's tree reaches its targets by shortest paths, and the trees spread a sample's packets over links. */
class PartitionTreesTest {

    private static final int DIRECTIONS = Direction.values().length;

    /**
     * Two sources on chip (0,0) each send 10 values to a core on chip (2,1), two links away by two shortest paths
     * (east then north-east, or north-east then east): the source's breadth-first tree would put both on one, 20
     * packets a link; each takes its own, 10 a link, and the tables still deliver every key once.
     */
    @Test
    void twoPartitionsWithTwoShortestPathsTakeOneEach() {
        Machine machine = Machine.spinn5();
        List<MachineVertex> vertices = List.of(
                new MachineVertex(0, VertexKind.INPUT_SOURCE, -1, null, new Slice(0, 10), false),
                new MachineVertex(1, VertexKind.INPUT_SOURCE, -1, null, new Slice(10, 20), false),
                new MachineVertex(2, VertexKind.OUTPUT_SINK, 0, null, new Slice(0, 20), false));
        MachineGraph graph = new MachineGraph(vertices, List.of(
                new OutgoingPartition(0, 0, PartitionKind.FORWARD, new Slice(0, 10), List.of(2)),
                new OutgoingPartition(1, 1, PartitionKind.FORWARD, new Slice(10, 20), List.of(2))));
        Placements placements = new Placements(List.of(new CoreLocation(0, 0, 1), new CoreLocation(0, 0, 2),
                new CoreLocation(2, 1, 1)));

        PartitionTrees trees = PartitionTrees.of(graph, placements, machine);
        LinkLoads loads = LinkLoads.of(graph, placements, machine);

        assertEquals(2, trees.links(0).length);
        assertEquals(2, trees.links(1).length);
        assertNotEquals(trees.links(0)[0], trees.links(1)[0], "the two trees leave (0,0) by different links");
        assertEquals(10, loads.maxLinkPackets());
        RoutingSimulator.assertAllPartitionsDeliver(machine, new Router().route(graph, placements,
                new KeyAllocator().allocate(graph), machine), graph.partitions(), placements,
                new KeyAllocator().allocate(graph));
    }

    /**
     * FASTEST's s16.15 MNIST mapping (every per-sample partition, the input's 784 values to layer 0's blocks on many
     * chips among them): every tree is a tree (each chip entered once, from the source or a chip entered before), it
     * reaches every target chip in as many links as the machine's shortest path, and it crosses nothing else.
     */
    @Test
    void everyTreeReachesItsTargetsByShortestPathsOnly() {
        Machine machine = Machine.spinn5();
        Mapping m = new Mapper(PartitioningStrategy.FASTEST, TestSupport.MEMORY)
                .map(TestSupport.mnist().withArithmetic(Arithmetic.S16_15), machine);
        PartitionTrees trees = PartitionTrees.of(m.graph(), m.placements(), machine);
        int height = machine.height();
        List<OutgoingPartition> partitions = m.graph().partitions();
        assertTrue(partitions.size() > 100, m.describe());
        for (int i = 0; i < partitions.size(); i++) {
            OutgoingPartition p = partitions.get(i);
            ChipLocation sourceChip = m.placements().of(p.source()).chip();
            int source = sourceChip.x() * height + sourceChip.y();
            int[] hops = machine.hopNumbers(sourceChip);
            int[] depth = new int[hops.length];
            Set<Integer> reached = new HashSet<>(Set.of(source));
            for (int link : trees.links(i)) {
                int from = link / DIRECTIONS;
                int to = trees.head(link);
                assertTrue(reached.contains(from), "partition " + p.id() + " leaves chip " + from + " before entering");
                assertTrue(reached.add(to), "partition " + p.id() + " enters chip " + to + " twice");
                depth[to] = depth[from] + 1;
                assertEquals(hops[to], depth[to], "partition " + p.id() + ": chip " + to + " not on a shortest path");
            }
            Set<Integer> targets = new HashSet<>(Set.of(source));
            for (int t : p.targets()) {
                ChipLocation c = m.placements().of(t).chip();
                targets.add(c.x() * height + c.y());
            }
            assertTrue(reached.containsAll(targets), "partition " + p.id() + " reaches every target chip");
            // a leaf of the tree is a target: no link leads to a chip that needs nothing
            Set<Integer> leaves = new HashSet<>(reached);
            for (int link : trees.links(i)) {
                leaves.remove(link / DIRECTIONS);
            }
            leaves.removeAll(targets);
            assertFalse(leaves.stream().anyMatch(c -> c != source), "partition " + p.id() + " has leaves " + leaves);
        }
    }
}
