package org.spinnaker4j.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.keys.KeyAllocator;
import org.spinnaker4j.mapper.keys.RoutingInfo;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.place.BreadthFirstPlacer;
import org.spinnaker4j.mapper.place.Placements;
import org.spinnaker4j.mapper.route.Router;

/** End to end: every key of every partition reaches exactly its targets' cores through the tables. */
class MapperRoutingTest {

    private static final ChipLocation DEAD_CHIP = new ChipLocation(2, 2);
    private static final ChipLocation DEAD_LINK_FROM = new ChipLocation(1, 1);

    /** SpiNN-5 with chip (2,2) and the link (1,1)→(2,1) dead: both inside the area BFS placement fills first. */
    static Machine faultySpinn5() {
        return Machine.spinn5().withoutChip(DEAD_CHIP).withoutLink(DEAD_LINK_FROM, Direction.EAST);
    }

    /**
     * FEWEST_CORES with the plain formula packs these networks onto 1–3 chips; "FEWEST_CORES tight" charges
     * more per weight (16× for 784-256-128-10, 128× for the deep one) so that FEWEST_CORES too spreads
     * over 13+ chips, with reduce cores, and its routes cross the faults. FASTEST spreads them over
     * several chips to lower their time bound (how many follows the cost table).
     */
    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String config : List.of("FASTEST", "FEWEST_CORES", "FEWEST_CORES tight", "NEURON_PER_CORE")) {
            for (String net : List.of("784-256-128-10", "10-50-50-300-50-25")) {
                for (String machine : List.of("spinn5", "triad torus", "spinn5 less chip and link")) {
                    cases.add(Arguments.of(config, net, machine));
                }
            }
        }
        return cases.stream();
    }

    static NetworkSpec net(String name) {
        return name.startsWith("784") ? TestSupport.mnist() : TestSupport.deep();
    }

    static Machine machine(String name) {
        return switch (name) {
            case "spinn5" -> Machine.spinn5();
            case "triad torus" -> Machine.spinn5Triads(1, 1);
            default -> faultySpinn5();
        };
    }

    static Mapper mapper(String config, String netName) {
        return switch (config) {
            case "FASTEST" -> new Mapper(PartitioningStrategy.FASTEST, TestSupport.MEMORY);
            case "FEWEST_CORES" -> new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.MEMORY);
            case "FEWEST_CORES tight" -> new Mapper(PartitioningStrategy.FEWEST_CORES,
                    TestSupport.tightMemory(netName.startsWith("784") ? 16 : 128));
            default -> new Mapper(PartitioningStrategy.NEURON_PER_CORE, TestSupport.MEMORY);
        };
    }

    @ParameterizedTest(name = "{0} {1} on {2}")
    @MethodSource("cases")
    void everyKeyReachesExactlyItsTargets(String config, String netName, String machineName) {
        Machine machine = machine(machineName);
        Mapping m = mapper(config, netName).map(net(netName), machine);

        int expectedPackets = m.graph().partitions().stream().mapToInt(OutgoingPartition::nKeys).sum();
        assertEquals(expectedPackets, RoutingSimulator.assertAllPartitionsDeliver(m));
        assertTrue(m.graph().partitions().size() > 0);

        // the tables respect the hardware limit and only name working chips
        for (Map.Entry<ChipLocation, RoutingTable> e : m.routingTables().entrySet()) {
            assertTrue(machine.chip(e.getKey()).isPresent(), "table on missing chip " + e.getKey());
            assertTrue(e.getValue().size() <= 1023, "table of " + e.getKey());
            assertEquals(e.getKey(), e.getValue().chip());
        }
        Set<ChipLocation> used = new HashSet<>();
        m.placements().cores().forEach(c -> used.add(c.chip()));
        if (machineName.startsWith("spinn5 less")) {
            assertFalse(m.routingTables().containsKey(DEAD_CHIP));
            assertFalse(used.contains(DEAD_CHIP));
            if (config.startsWith("FEWEST_CORES tight") || config.equals("NEURON_PER_CORE")) {
                // the dead chip is surrounded by used chips, so routes had to go around it
                for (int[] d : new int[][] {{1, 0}, {1, 1}, {0, 1}, {-1, 0}, {-1, -1}, {0, -1}}) {
                    ChipLocation n = new ChipLocation(DEAD_CHIP.x() + d[0], DEAD_CHIP.y() + d[1]);
                    assertTrue(used.contains(n), "neighbour " + n + " of the dead chip should be used");
                }
                assertTrue(used.contains(DEAD_LINK_FROM) && used.contains(new ChipLocation(2, 1)));
            }
        }
        if (config.equals("FASTEST")) {
            // how far FASTEST spreads follows the cost table; it always leaves the Ethernet chip
            assertTrue(used.size() > 1, "expected a mapping over several chips, got " + used.size());
        } else if (!config.equals("FEWEST_CORES")) {
            assertTrue(used.size() >= 13, "expected a mapping over many chips, got " + used.size());
        }
    }

    @Test
    void packetsDetourAroundDeadChipAndLink() {
        // Direct check: from (1,1) the only 1-hop path east is dead, so (2,1) is 2 hops away;
        // (3,3) is normally reached through (2,2) and now needs a detour too.
        Machine machine = faultySpinn5();
        Mapping m = new Mapper(PartitioningStrategy.NEURON_PER_CORE, TestSupport.MEMORY)
                .map(TestSupport.deep(), machine);
        RoutingSimulator.assertAllPartitionsDeliver(m);
        for (ChipLocation c : m.routingTables().keySet()) {
            assertFalse(c.equals(DEAD_CHIP));
        }
        for (RoutingTable t : m.routingTables().values()) {
            for (MulticastRoutingEntry e : t.entries()) {
                if (t.chip().equals(DEAD_LINK_FROM)) {
                    assertEquals(0, e.route() & MulticastRoutingEntry.linkBit(Direction.EAST), e.toString());
                }
                if (t.chip().equals(new ChipLocation(2, 1))) {
                    assertEquals(0, e.route() & MulticastRoutingEntry.linkBit(Direction.WEST), e.toString());
                }
                for (Direction d : Direction.values()) {
                    if ((e.route() & MulticastRoutingEntry.linkBit(d)) != 0) {
                        assertTrue(machine.chip(t.chip()).orElseThrow().hasLink(d),
                                t.chip() + " routes over missing link " + d);
                    }
                }
            }
        }
    }

    @Test
    void wideSoftmaxBlockMappingDeliversSyncPackets() {
        NetworkSpec network = TestSupport.network(ActivationKind.SOFTMAX, 64, 2000);
        Mapping m = new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.MEMORY).map(network, Machine.spinn5());
        long sync = m.graph().partitions().stream().filter(p -> p.kind() == PartitionKind.SOFTMAX_SYNC).count();
        assertTrue(sync > 1, "a 2000-wide softmax layer must spread over several cores");
        RoutingSimulator.assertAllPartitionsDeliver(m);
    }

    @Test
    void uncompressedRouterTablesDeliverToo() {
        NetworkSpec network = TestSupport.mnist();
        Machine machine = Machine.spinn5Triads(1, 1);
        MachineGraph graph = TestSupport.partition(PartitioningStrategy.NEURON_PER_CORE, network, TestSupport.MEMORY);
        Placements placements = new BreadthFirstPlacer().place(graph, machine);
        RoutingInfo keys = new KeyAllocator().allocate(graph);
        Map<ChipLocation, RoutingTable> tables = new Router().route(graph, placements, keys, machine);
        RoutingSimulator.assertAllPartitionsDeliver(machine, tables, graph.partitions(), placements, keys);
    }

    // ---- the simulator itself must be able to fail ----

    @Test
    void simulatorDetectsAMissingEntry() {
        Mapping m = new Mapper(PartitioningStrategy.NEURON_PER_CORE, TestSupport.MEMORY)
                .map(TestSupport.deep(), Machine.spinn5());
        OutgoingPartition p = m.graph().partitions().get(0);
        ChipLocation source = m.placements().of(p.source()).chip();
        Map<ChipLocation, RoutingTable> broken = new HashMap<>(m.routingTables());
        broken.remove(source);
        assertThrows(AssertionFailedError.class, () -> RoutingSimulator.assertAllPartitionsDeliver(m.machine(),
                broken, List.of(p), m.placements(), m.keys()));
    }

    @Test
    void simulatorDetectsALoopAndAnExtraDelivery() {
        Machine machine = Machine.grid(2, 1, false);
        ChipLocation a = new ChipLocation(0, 0);
        ChipLocation b = new ChipLocation(1, 0);
        Map<ChipLocation, RoutingTable> loop = Map.of(
                a, new RoutingTable(a, List.of(new MulticastRoutingEntry(8, -1, MulticastRoutingEntry.linkBit(Direction.EAST)))),
                b, new RoutingTable(b, List.of(new MulticastRoutingEntry(8, -1, MulticastRoutingEntry.linkBit(Direction.WEST)))));
        assertThrows(AssertionFailedError.class, () -> RoutingSimulator.deliver(machine, loop, a, 8));

        Map<ChipLocation, RoutingTable> ok = Map.of(
                a, new RoutingTable(a, List.of(new MulticastRoutingEntry(8, 0xFFFFFFFE,
                        MulticastRoutingEntry.linkBit(Direction.EAST) | MulticastRoutingEntry.coreBit(3)))),
                b, new RoutingTable(b, List.of(new MulticastRoutingEntry(8, -1, MulticastRoutingEntry.coreBit(5)))));
        assertEquals(Map.of(new CoreLocation(0, 0, 3), 1, new CoreLocation(1, 0, 5), 1),
                RoutingSimulator.deliver(machine, ok, a, 8));
        // key 9 matches on a, but on b nothing matches after arriving from the west, so default
        // routing sends it east, off the edge of the machine
        assertThrows(AssertionFailedError.class, () -> RoutingSimulator.deliver(machine, ok, a, 9));
        // key 10 matches nothing on its source chip and is lost
        assertThrows(AssertionFailedError.class, () -> RoutingSimulator.deliver(machine, ok, a, 10));
    }
}
