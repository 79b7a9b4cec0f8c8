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
 * key per sample), and the routing entries each chip would need before compression. The
 * partitioner's search computes these for every candidate placement, so the counts are kept in
 * arrays by chip number ({@code x * height + y}) and link number (chip number × 6 + direction), not
 * in maps keyed by location records.
 */
public final class LinkLoads {

    private static final int DIRECTIONS = Direction.values().length;

    private final int height;
    /** Per link number: packets per sample, and whether any partition's tree crosses it. */
    private final long[] linkPackets;
    private final boolean[] linkUsed;
    private final long[] routerPackets;
    private final int[] entries;
    /** Per link number: the vertices whose forward values cross it (null: none). */
    private final Set<Integer>[] forwardSenders;
    private final Map<Integer, Integer> syncDepth = new HashMap<>();

    @SuppressWarnings("unchecked")
    private LinkLoads(Machine machine) {
        this.height = machine.height();
        int chips = machine.width() * height;
        linkPackets = new long[chips * DIRECTIONS];
        linkUsed = new boolean[chips * DIRECTIONS];
        routerPackets = new long[chips];
        entries = new int[chips];
        forwardSenders = new Set[chips * DIRECTIONS];
    }

    /** The loads of {@code graph} placed by {@code placements} on {@code machine}. */
    public static LinkLoads of(MachineGraph graph, Placements placements, Machine machine) {
        LinkLoads loads = new LinkLoads(machine);
        MulticastTrees trees = new MulticastTrees(machine);
        int[] outLinks = new int[loads.routerPackets.length];
        for (OutgoingPartition p : graph.partitions()) {
            if (p.kind() == PartitionKind.NORM || p.kind() == PartitionKind.SHARE || p.kind() == PartitionKind.PARAM) {
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
            Set<ChipLocation> chips = new HashSet<>(targets);
            chips.add(source);
            for (RouteWalker.LinkUse l : links) {
                int link = loads.link(l.chip(), l.direction());
                loads.linkPackets[link] += p.nKeys();
                loads.linkUsed[link] = true;
                if (p.kind() == PartitionKind.FORWARD) {
                    if (loads.forwardSenders[link] == null) {
                        loads.forwardSenders[link] = new HashSet<>();
                    }
                    loads.forwardSenders[link].add(p.source());
                }
                outLinks[loads.chip(l.chip())]++;
                chips.add(machine.neighbour(l.chip(), l.direction()).orElseThrow());
            }
            for (ChipLocation c : chips) {
                int chip = loads.chip(c);
                loads.routerPackets[chip] += p.nKeys();
                boolean straightOn = !c.equals(source) && !targets.contains(c) && outLinks[chip] == 1
                        && links.contains(new RouteWalker.LinkUse(c, arrival.get(c)));
                if (!straightOn) {
                    loads.entries[chip]++;
                }
            }
            for (RouteWalker.LinkUse l : links) {
                outLinks[loads.chip(l.chip())] = 0;
            }
        }
        return loads;
    }

    private int chip(ChipLocation c) {
        return c.x() * height + c.y();
    }

    private int link(ChipLocation c, Direction d) {
        return chip(c) * DIRECTIONS + d.id();
    }

    private RouteWalker.LinkUse linkUse(int link) {
        int chip = link / DIRECTIONS;
        return new RouteWalker.LinkUse(new ChipLocation(chip / height, chip % height),
                Direction.byId(link % DIRECTIONS));
    }

    /** Packets per sample on every link that carries any. */
    public Map<RouteWalker.LinkUse, Long> linkPackets() {
        Map<RouteWalker.LinkUse, Long> packets = new HashMap<>();
        for (int link = 0; link < linkPackets.length; link++) {
            if (linkUsed[link]) {
                packets.put(linkUse(link), linkPackets[link]);
            }
        }
        return Map.copyOf(packets);
    }

    /**
     * The vertices whose forward values cross each link (every link that carries any): a TDMA window is as slow
     * as its busiest link's senders need ({@link org.spinnaker4j.mapper.tdma.LatencyEstimator}).
     */
    public Map<RouteWalker.LinkUse, Set<Integer>> forwardSenders() {
        Map<RouteWalker.LinkUse, Set<Integer>> senders = new HashMap<>();
        for (int link = 0; link < forwardSenders.length; link++) {
            if (forwardSenders[link] != null) {
                senders.put(linkUse(link), Collections.unmodifiableSet(forwardSenders[link]));
            }
        }
        return Collections.unmodifiableMap(senders);
    }

    /** The most links from {@code vertex} to one of its softmax exchange peers' chips down its trees. */
    public int softmaxSyncDepth(int vertex) {
        return syncDepth.getOrDefault(vertex, 0);
    }

    /** Packets per sample on the busiest link (0 if no packet leaves its chip). */
    public long maxLinkPackets() {
        long max = 0;
        for (long packets : linkPackets) {
            max = Math.max(max, packets);
        }
        return max;
    }

    /** Packets per sample through the busiest router. */
    public long maxRouterPackets() {
        long max = 0;
        for (long packets : routerPackets) {
            max = Math.max(max, packets);
        }
        return max;
    }

    /** Routing entries the fullest chip needs before compression: an upper bound on what it needs. */
    public int maxEntries() {
        int max = 0;
        for (int e : entries) {
            max = Math.max(max, e);
        }
        return max;
    }
}
