package org.spinnaker4j.mapper.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.keys.KeyAndMask;
import org.spinnaker4j.mapper.keys.RoutingInfo;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.place.Placements;

/**
 * Builds a multicast tree per partition and the per-chip tables that realise it. Each tree
 * is the part of a breadth-first shortest-path tree from the source chip that reaches the
 * target chips ({@link MulticastTrees}), so every target gets exactly one copy. A chip where the packet only passes
 * straight through gets no entry (the router's default routing carries it); the source chip
 * always gets one, since a locally sent packet cannot be default-routed.
 */
public final class Router {

    public Map<ChipLocation, RoutingTable> route(MachineGraph graph, Placements placements,
            RoutingInfo keys, Machine machine) {
        MulticastTrees trees = new MulticastTrees(machine);
        Map<ChipLocation, List<MulticastRoutingEntry>> entries = new TreeMap<>();
        for (OutgoingPartition p : graph.partitions()) {
            ChipLocation source = placements.of(p.source()).chip();
            Map<ChipLocation, Direction> parentLink = trees.arrivalLinks(source);
            Map<ChipLocation, Integer> routes = new HashMap<>();
            routes.put(source, 0);
            for (int t : p.targets()) {
                CoreLocation core = placements.of(t);
                ChipLocation chip = core.chip();
                if (!chip.equals(source) && !parentLink.containsKey(chip)) {
                    throw new MappingException("no working path from chip " + source + " to chip " + chip
                            + " for partition " + p.id() + " of vertex " + p.source());
                }
                routes.merge(chip, MulticastRoutingEntry.coreBit(core.p()), (a, b) -> a | b);
                ChipLocation c = chip;
                while (!c.equals(source)) {
                    Direction in = parentLink.get(c);
                    ChipLocation parent = step(machine, c, in.opposite());
                    int bit = MulticastRoutingEntry.linkBit(in);
                    int before = routes.getOrDefault(parent, 0);
                    routes.put(parent, before | bit);
                    if ((before & bit) != 0) {
                        break;
                    }
                    c = parent;
                }
            }
            KeyAndMask km = keys.of(p.id());
            for (Map.Entry<ChipLocation, Integer> r : routes.entrySet()) {
                ChipLocation chip = r.getKey();
                boolean passThrough = !chip.equals(source)
                        && r.getValue() == MulticastRoutingEntry.linkBit(parentLink.get(chip));
                if (!passThrough) {
                    km.routingBlocks().forEach(block -> entries.computeIfAbsent(chip, c -> new ArrayList<>())
                            .add(new MulticastRoutingEntry(block.key(), block.mask(), r.getValue())));
                }
            }
        }
        Map<ChipLocation, RoutingTable> tables = new TreeMap<>();
        entries.forEach((chip, list) -> tables.put(chip, new RoutingTable(chip, list)));
        return tables;
    }

    private static ChipLocation step(Machine machine, ChipLocation c, Direction d) {
        return machine.neighbour(c, d).orElseThrow();
    }
}
