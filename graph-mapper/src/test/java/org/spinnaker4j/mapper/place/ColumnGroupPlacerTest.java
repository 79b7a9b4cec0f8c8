package org.spinnaker4j.mapper.place;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.InputPath;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.partition.Slicings;
import org.spinnaker4j.mapper.route.LinkLoads;
import org.spinnaker4j.mapper.route.RouteWalker;

class ColumnGroupPlacerTest {

    @Test
    void everyBlockOfAColumnGroupThatFitsAChipSharesItWithItsReduce() {
        // tight DTCM: 784-256-128-10 in row blocks with reduce cores, several column groups per layer;
        // the first layer's groups are wider than a chip
        MachineGraph g = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, TestSupport.mnist(),
                TestSupport.tightMemory(16));
        Placements p = new ColumnGroupPlacer().place(g, Machine.spinn5());
        int blocks = 0;
        for (MachineVertex b : g.vertices()) {
            long groupSize = g.vertices().stream().filter(o -> o.layer() == b.layer() && o.cols().equals(b.cols())
                    && o.kind() != VertexKind.OUTPUT_SINK).count();
            if (b.kind() == VertexKind.DENSE_BLOCK && !b.fused() && groupSize <= Chip.APPLICATION_CORES) {
                MachineVertex reduce = g.vertices().stream().filter(r -> r.kind() == VertexKind.REDUCE
                        && r.layer() == b.layer() && r.cols().equals(b.cols())).findFirst().orElseThrow();
                assertEquals(p.of(reduce.id()).chip(), p.of(b.id()).chip(), b + " and " + reduce);
                blocks++;
            }
        }
        assertTrue(blocks > 16, "expected many row blocks in groups that fit a chip, got " + blocks);
        assertEquals(g.vertices().size(), new HashSet<>(p.cores()).size(), "every core once");
    }

    /**
     * A convolution's relay gathers one position's receptive field for the blocks of that position (its channel
     * slices), each a column group alone: it shares their chip, so the field reaches them without crossing a link.
     */
    @Test
    void aConvolutionsRelaySharesTheChipOfTheBlocksItFeeds() {
        MachineGraph g = TestSupport.partition(PartitioningStrategy.NEURON_PER_CORE, TestSupport.convolutional(),
                TestSupport.MEMORY);
        Placements p = new ColumnGroupPlacer().place(g, Machine.spinn5());
        int relays = 0;
        for (MachineVertex r : g.vertices()) {
            if (r.kind() == VertexKind.RELAY) {
                List<Integer> fed = g.outgoing(r.id()).stream().filter(o -> o.kind() == PartitionKind.FORWARD)
                        .flatMap(o -> o.targets().stream()).toList();
                for (int b : fed) {
                    assertEquals(p.of(r.id()).chip(), p.of(b).chip(), r + " and " + g.vertex(b));
                }
                relays++;
            }
        }
        assertTrue(relays > 0, "the convolutions' fields come from several producers: relays");
    }

    @Test
    void inputSourcesSpreadOverTheChipsOfTheColumnGroups() {
        // FASTEST's MNIST: a dozen or more sources and first-layer column groups on chips of their own; sources on one
        // chip would all leave it by the same links
        MachineGraph g = TestSupport.partition(PartitioningStrategy.FASTEST, TestSupport.mnist(), TestSupport.MEMORY);
        ColumnGroupPlacer.Placed placed = new ColumnGroupPlacer().placeWithLoads(g, Machine.spinn5());
        List<Integer> sources = g.vertices().stream().filter(v -> v.kind() == VertexKind.INPUT_SOURCE)
                .map(MachineVertex::id).toList();
        Map<ChipLocation, Long> perChip = sources.stream()
                .collect(Collectors.groupingBy(v -> placed.placements().of(v).chip(), Collectors.counting()));
        assertTrue(sources.size() > 4 && perChip.size() > sources.size() / 2
                && perChip.values().stream().allMatch(n -> n <= 2), sources.size() + " sources: " + perChip);
        assertEquals(LinkLoads.of(g, placed.placements(), Machine.spinn5()).maxLinkPackets(),
                placed.loads().maxLinkPackets(), "the loads returned are the placement's");
        assertEquals(g.vertices().size(), new HashSet<>(placed.placements().cores()).size(), "every core once");
    }

    @Test
    void aLayersRelaysSendTheirTreesOverDifferentLinks() {
        // FASTEST's s16.15 MNIST reading its input from SDRAM before session 33 (its relay-free slicings since): the
        // second layer's inputs come from several relays, each multicasting to every column group; placed one after
        // another, all their trees left by the same links
        NetworkSpec net = TestSupport.mnist().withArithmetic(Arithmetic.S16_15).withInput(InputPath.SDRAM);
        MachineGraph g = Slicings.relayed(net, new int[] {5, 52, 32, 3}, new int[] {1, 9, 8, 1});
        ColumnGroupPlacer.Placed placed = new ColumnGroupPlacer().placeWithLoads(g, Machine.spinn5());
        Map<Integer, Set<Integer>> relaysByLayer = g.vertices().stream().filter(v -> v.kind() == VertexKind.RELAY)
                .collect(Collectors.groupingBy(MachineVertex::layer,
                        Collectors.mapping(MachineVertex::id, Collectors.toSet())));
        assertTrue(relaysByLayer.values().stream().anyMatch(r -> r.size() > 2), "relays: " + relaysByLayer);
        for (Set<Integer> relays : relaysByLayer.values()) {
            for (Map.Entry<RouteWalker.LinkUse, Set<Integer>> link : placed.loads().forwardSenders().entrySet()) {
                assertTrue(relays.size() < 2 || !link.getValue().containsAll(relays),
                        "every relay of " + relays + " sends over " + link.getKey());
            }
        }
    }

    @Test
    void itsBusiestLinkCarriesNoMoreThanBreadthFirstPlacements() {
        Machine machine = Machine.spinn5();
        for (MachineGraph g : List.of(
                TestSupport.partition(PartitioningStrategy.FEWEST_CORES, TestSupport.mnist(), TestSupport.tightMemory(16)),
                TestSupport.partition(PartitioningStrategy.FEWEST_CORES, TestSupport.deep(), TestSupport.tightMemory(128)))) {
            long grouped = LinkLoads.of(g, new ColumnGroupPlacer().place(g, machine), machine).maxLinkPackets();
            long breadthFirst = LinkLoads.of(g, new BreadthFirstPlacer().place(g, machine), machine).maxLinkPackets();
            assertTrue(grouped <= breadthFirst, grouped + " packets against " + breadthFirst);
        }
    }

    @Test
    void aGraphWhosePacketsStayOnOneChipIsNotSpread() {
        // 8 sources of 100 values each, all to one sink: on one chip no packet crosses a link
        List<MachineVertex> vs = new ArrayList<>();
        List<OutgoingPartition> ps = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            vs.add(new MachineVertex(i, VertexKind.INPUT_SOURCE, -1, null, new Slice(100 * i, 100 * i + 100), false));
            ps.add(new OutgoingPartition(i, i, PartitionKind.FORWARD, new Slice(100 * i, 100 * i + 100), List.of(8)));
        }
        vs.add(new MachineVertex(8, VertexKind.OUTPUT_SINK, 1, null, new Slice(0, 800), false));
        MachineGraph g = new MachineGraph(vs, ps);

        Placements p = new ColumnGroupPlacer().place(g, Machine.spinn5());

        assertEquals(1, p.chipsUsed());
        assertEquals(9, new HashSet<>(p.cores()).size());
    }
}
