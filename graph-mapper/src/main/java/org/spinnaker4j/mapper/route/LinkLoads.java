package org.spinnaker4j.mapper.route;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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

    /**
     * The loads of {@code graph} placed by {@code placements} on {@code machine}, along its partitions' trees
     * ({@link PartitionTrees}), each walked over chip and link numbers with the chips and links it reaches marked by
     * the partition's stamp, so a walk allocates nothing per link.
     */
    public static LinkLoads of(MachineGraph graph, Placements placements, Machine machine) {
        LinkLoads loads = new LinkLoads(machine);
        PartitionTrees trees = PartitionTrees.of(graph, placements, machine);
        int nChips = loads.routerPackets.length;
        int[] outLinks = new int[nChips];
        // per chip and link: the stamp of the last partition whose tree reaches it (as a target, or at all)
        int[] targetStamp = new int[nChips];
        int[] chipStamp = new int[nChips];
        int[] linkStamp = new int[nChips * DIRECTIONS];
        int[] inLink = new int[nChips];
        int[] chips = new int[nChips];
        int stamp = 0;
        List<OutgoingPartition> partitions = graph.partitions();
        for (int i = 0; i < partitions.size(); i++) {
            OutgoingPartition p = partitions.get(i);
            if (p.kind().perMiniBatch()) {
                continue; // once per mini-batch, not per sample
            }
            stamp++;
            ChipLocation sourceLocation = placements.of(p.source()).chip();
            int source = loads.chip(sourceLocation);
            int[] links = trees.links(i);
            int nReached = 0;
            chipStamp[source] = stamp;
            chips[nReached++] = source;
            for (int t : p.targets()) {
                int c = loads.chip(placements.of(t).chip());
                targetStamp[c] = stamp;
                if (chipStamp[c] != stamp) {
                    chipStamp[c] = stamp;
                    chips[nReached++] = c;
                }
            }
            for (int link : links) {
                int head = trees.head(link);
                inLink[head] = link;
                linkStamp[link] = stamp;
                outLinks[link / DIRECTIONS]++;
                if (chipStamp[head] != stamp) {
                    chipStamp[head] = stamp;
                    chips[nReached++] = head;
                }
            }
            if (p.kind() == PartitionKind.SOFTMAX_SYNC) {
                int[] hops = machine.hopNumbers(sourceLocation);
                loads.syncDepth.merge(p.source(), p.targets().stream()
                        .mapToInt(t -> hops[loads.chip(placements.of(t).chip())]).max().orElse(0), Math::max);
            }
            for (int link : links) {
                loads.linkPackets[link] += p.packets();
                loads.linkUsed[link] = true;
                if (p.kind() == PartitionKind.FORWARD) {
                    if (loads.forwardSenders[link] == null) {
                        loads.forwardSenders[link] = new HashSet<>();
                    }
                    loads.forwardSenders[link].add(p.source());
                }
            }
            for (int k = 0; k < nReached; k++) {
                int chip = chips[k];
                loads.routerPackets[chip] += p.packets();
                // a chip a packet only passes through, straight on, needs no entry (default routing)
                boolean straightOn = chip != source && targetStamp[chip] != stamp && outLinks[chip] == 1
                        && linkStamp[chip * DIRECTIONS + inLink[chip] % DIRECTIONS] == stamp;
                if (!straightOn) {
                    loads.entries[chip]++;
                }
            }
            for (int link : links) {
                outLinks[link / DIRECTIONS] = 0;
            }
        }
        return loads;
    }

    private int chip(ChipLocation c) {
        return c.x() * height + c.y();
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
