package org.spinnaker4j.mapper.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Builds the per-chip tables that realise each partition's multicast tree ({@link PartitionTrees}: a shortest path to
 * every target chip, spread over the links), so every target gets exactly one copy. A chip where the packet only
 * passes straight through gets no entry (the router's default routing carries it); the source chip always gets one,
 * since a locally sent packet cannot be default-routed.
 */
public final class Router {

    private static final int DIRECTIONS = Direction.values().length;

    public Map<ChipLocation, RoutingTable> route(MachineGraph graph, Placements placements,
            RoutingInfo keys, Machine machine) {
        PartitionTrees trees = PartitionTrees.of(graph, placements, machine);
        int height = machine.height();
        Map<ChipLocation, List<MulticastRoutingEntry>> entries = new TreeMap<>();
        List<OutgoingPartition> partitions = graph.partitions();
        for (int i = 0; i < partitions.size(); i++) {
            OutgoingPartition p = partitions.get(i);
            ChipLocation source = placements.of(p.source()).chip();
            Map<ChipLocation, Integer> routes = new HashMap<>();
            Map<ChipLocation, Direction> arrival = new HashMap<>();
            routes.put(source, 0);
            for (int link : trees.links(i)) {
                int from = link / DIRECTIONS;
                int to = trees.head(link);
                Direction d = Direction.byId(link % DIRECTIONS);
                routes.merge(new ChipLocation(from / height, from % height), MulticastRoutingEntry.linkBit(d),
                        (a, b) -> a | b);
                arrival.put(new ChipLocation(to / height, to % height), d);
            }
            for (int t : p.targets()) {
                CoreLocation core = placements.of(t);
                routes.merge(core.chip(), MulticastRoutingEntry.coreBit(core.p()), (a, b) -> a | b);
            }
            KeyAndMask km = keys.of(p.id());
            for (Map.Entry<ChipLocation, Integer> r : routes.entrySet()) {
                ChipLocation chip = r.getKey();
                boolean passThrough = !chip.equals(source)
                        && r.getValue() == MulticastRoutingEntry.linkBit(arrival.get(chip));
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
}
