package org.spinnaker4j.mapper.route;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.place.Placements;

/**
 * The traffic of one sample of a placed graph along the {@link Router}'s trees, before any table
 * is built: packets on every link and through every router (each partition sends one packet per
 * key per sample), and the routing entries each chip would need before compression.
 */
public final class LinkLoads {

    private final Map<RouteWalker.LinkUse, Long> linkPackets = new HashMap<>();
    private final Map<ChipLocation, Long> routerPackets = new HashMap<>();
    private final Map<ChipLocation, Integer> entries = new HashMap<>();
    private final Map<RouteWalker.LinkUse, Set<Integer>> forwardSenders = new HashMap<>();
    private final Map<Integer, Integer> syncDepth = new HashMap<>();

    private LinkLoads() {
    }

    /** The loads of {@code graph} placed by {@code placements} on {@code machine}. */
    public static LinkLoads of(MachineGraph graph, Placements placements, Machine machine) {
        LinkLoads loads = new LinkLoads();
        MulticastTrees trees = new MulticastTrees(machine);
        for (OutgoingPartition p : graph.partitions()) {
            if (p.kind() == PartitionKind.NORM) {
                continue; // once per mini-batch, not per sample
            }
            ChipLocation source = placements.of(p.source()).chip();
            Set<ChipLocation> targets = new HashSet<>();
            p.targets().forEach(t -> targets.add(placements.of(t).chip()));
            Set<RouteWalker.LinkUse> links = trees.links(source, targets);
            Map<ChipLocation, Direction> arrival = trees.arrivalLinks(source);
            if (p.kind() == PartitionKind.SOFTMAX_SYNC) {
                loads.syncDepth.merge(p.source(), targets.stream().mapToInt(t -> trees.hops(source, t)).max().orElse(0),
                        Math::max);
            }
            Map<ChipLocation, Integer> outLinks = new HashMap<>();
            Set<ChipLocation> chips = new HashSet<>(targets);
            chips.add(source);
            for (RouteWalker.LinkUse l : links) {
                loads.linkPackets.merge(l, (long) p.nKeys(), Long::sum);
                if (p.kind() == PartitionKind.FORWARD) {
                    loads.forwardSenders.computeIfAbsent(l, x -> new HashSet<>()).add(p.source());
                }
                outLinks.merge(l.chip(), 1, Integer::sum);
                chips.add(machine.neighbour(l.chip(), l.direction()).orElseThrow());
            }
            for (ChipLocation c : chips) {
                loads.routerPackets.merge(c, (long) p.nKeys(), Long::sum);
                boolean straightOn = !c.equals(source) && !targets.contains(c) && outLinks.getOrDefault(c, 0) == 1
                        && links.contains(new RouteWalker.LinkUse(c, arrival.get(c)));
                if (!straightOn) {
                    loads.entries.merge(c, 1, Integer::sum);
                }
            }
        }
        return loads;
    }

    /** Packets per sample on every link that carries any. */
    public Map<RouteWalker.LinkUse, Long> linkPackets() {
        return Map.copyOf(linkPackets);
    }

    /**
     * The vertices whose forward values cross each link (every link that carries any): a TDMA window is as slow
     * as its busiest link's senders need ({@link org.spinnaker4j.mapper.tdma.LatencyEstimator}).
     */
    public Map<RouteWalker.LinkUse, Set<Integer>> forwardSenders() {
        return Collections.unmodifiableMap(forwardSenders);
    }

    /** The most links from {@code vertex} to one of its softmax exchange peers' chips down its trees. */
    public int softmaxSyncDepth(int vertex) {
        return syncDepth.getOrDefault(vertex, 0);
    }

    /** Packets per sample on the busiest link (0 if no packet leaves its chip). */
    public long maxLinkPackets() {
        return linkPackets.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Packets per sample through the busiest router. */
    public long maxRouterPackets() {
        return routerPackets.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Routing entries the fullest chip needs before compression: an upper bound on what it needs. */
    public int maxEntries() {
        return entries.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
