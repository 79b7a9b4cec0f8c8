package org.spinnaker4j.mapper.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.keys.KeyAllocator;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The loads counted before routing are those of the tables the router then builds; a walk's depth is the most links
 * on the way to one of the cores it reaches.
 */
class LinkLoadsTest {

    /** Links from {@code source} to the farthest chip with a core {@code walk} reaches, down the walk's tree. */
    private static int deepestCore(ChipLocation source, RouteWalker.Walk walk, Machine machine) {
        Map<ChipLocation, Integer> hops = new HashMap<>();
        hops.put(source, 0);
        for (boolean grew = true; grew;) {
            grew = false;
            for (RouteWalker.LinkUse l : walk.links()) {
                ChipLocation next = machine.neighbour(l.chip(), l.direction()).orElseThrow();
                if (hops.containsKey(l.chip()) && !hops.containsKey(next)) {
                    hops.put(next, hops.get(l.chip()) + 1);
                    grew = true;
                }
            }
        }
        return walk.cores().stream().mapToInt(c -> hops.get(c.chip())).max().orElse(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"FASTEST", "FEWEST_CORES", "NEURON_PER_CORE"})
    void linkPacketsAreWhatTheTablesCarry(String strategy) {
        Machine machine = Machine.spinn5().withoutChip(new ChipLocation(2, 2));
        Mapping m = new Mapper(PartitioningStrategy.valueOf(strategy), TestSupport.TRAINING_MEMORY)
                .map(TestSupport.training(TestSupport.deep()), machine);
        RouteWalker walker = new RouteWalker(machine, m.routingTables());
        Map<RouteWalker.LinkUse, Long> walked = new HashMap<>();
        Map<ChipLocation, Long> routed = new HashMap<>();
        for (OutgoingPartition p : m.graph().partitions()) {
            ChipLocation source = m.placements().of(p.source()).chip();
            RouteWalker.Walk walk = walker.walk(source, m.keys().of(p.id()).key());
            Set<ChipLocation> chips = new HashSet<>();
            chips.add(source);
            for (RouteWalker.LinkUse l : walk.links()) {
                walked.merge(l, (long) p.nKeys(), Long::sum);
                chips.add(machine.neighbour(l.chip(), l.direction()).orElseThrow());
            }
            chips.forEach(c -> routed.merge(c, (long) p.nKeys(), Long::sum));
            assertEquals(deepestCore(source, walk, machine), walk.depth(), "partition " + p.id());
        }

        LinkLoads loads = LinkLoads.of(m.graph(), m.placements(), machine);

        assertEquals(walked, loads.linkPackets());
        assertEquals(routed.values().stream().mapToLong(Long::longValue).max().orElse(0), loads.maxRouterPackets());
        Map<ChipLocation, RoutingTable> uncompressed = new Router().route(m.graph(), m.placements(),
                new KeyAllocator().allocate(m.graph()), machine);
        assertEquals(uncompressed.values().stream().mapToInt(RoutingTable::size).max().orElse(0), loads.maxEntries());
        assertTrue(loads.maxEntries() >= m.maxRoutingEntries());
    }
}
