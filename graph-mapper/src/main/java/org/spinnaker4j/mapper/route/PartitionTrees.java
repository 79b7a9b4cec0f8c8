package org.spinnaker4j.mapper.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.place.Placements;

/**
 * The multicast tree of every partition of a placed graph, chosen to spread the packets of a sample over the links:
 * each reaches every target chip by a shortest path (as many links as {@link Machine#hopNumbers} counts), and of those
 * paths takes one whose busiest new link carries the fewest packets with the partition's own added (each chip on the
 * way keeping its best such path from the tree so far; of equals the one that adds fewest links, then the source's
 * breadth-first tree's, {@link Machine#arrivalLinkNumbers}, whose link numbering this class uses). The partitions sent
 * every sample are laid down heaviest first (most keys), then each is taken up and laid down again once with all the
 * others' loads known; those sent once a mini-batch take their trees last, over the per-sample loads, adding none. The
 * {@link Router} builds its tables from these trees and {@link LinkLoads} counts along them, so the loads the mapper
 * schedules by are the ones the machine carries. Links are taken to work both ways (as {@link Machine#withoutLink} and
 * {@link Machine#withoutChip} remove them): the hops from a target stand for the hops to it.
 */
public final class PartitionTrees {

    /** Times every per-sample partition's tree is taken up and chosen again, with all the others' loads known. */
    static final int REROUTE_PASSES = 1;

    private static final int DIRECTIONS = Direction.values().length;
    /** Per direction id: the opposite direction's id. */
    private static final int[] OPPOSITE = Arrays.stream(Direction.values()).mapToInt(d -> d.opposite().id())
            .toArray();

    private final Machine machine;
    private final int height;
    private final int[] next;
    /** Per link number: the packets a sample the trees laid down so far put on it. */
    private final long[] load;
    /** Per partition (its place in the graph's list): its tree's links ({@link #links}). */
    private final int[][] links;
    // scratch per chip for one tree: the stamp of the tree that reaches it, and the best path's link into it, busiest
    // link and links added (choosePaths)
    private final int[] inTree;
    private final int[] parentLink;
    private final long[] bottleneck;
    private final int[] added;
    /** Per chip number: the machine's hop counts from it ({@link #hopsFrom}). */
    private final int[][] hopsByChip;
    /** Per chip number: the stamp of the last tree that counted it among its targets. */
    private final int[] targetStamp;
    private int stamp;

    private PartitionTrees(Machine machine, int partitions) {
        this.machine = machine;
        this.height = machine.height();
        int chips = machine.width() * height;
        next = machine.neighbourNumbers();
        load = new long[chips * DIRECTIONS];
        links = new int[partitions][];
        inTree = new int[chips];
        parentLink = new int[chips];
        bottleneck = new long[chips];
        added = new int[chips];
        hopsByChip = new int[chips][];
        targetStamp = new int[chips];
    }

    /** The trees of every partition of {@code graph} placed by {@code placements} on {@code machine}. */
    public static PartitionTrees of(MachineGraph graph, Placements placements, Machine machine) {
        List<OutgoingPartition> partitions = graph.partitions();
        PartitionTrees trees = new PartitionTrees(machine, partitions.size());
        List<Integer> perSample = new ArrayList<>();
        List<Integer> perMiniBatch = new ArrayList<>();
        for (int i = 0; i < partitions.size(); i++) {
            (partitions.get(i).kind().perMiniBatch() ? perMiniBatch : perSample).add(i);
        }
        perSample.sort(Comparator.comparingInt((Integer i) -> -partitions.get(i).packets()));
        for (int i : perSample) {
            trees.layDown(i, partitions.get(i), placements);
        }
        for (int pass = 0; pass < REROUTE_PASSES; pass++) {
            for (int i : perSample) {
                trees.carry(trees.links[i], -partitions.get(i).packets());
                trees.layDown(i, partitions.get(i), placements);
            }
        }
        for (int i : perMiniBatch) {
            trees.links[i] = trees.tree(partitions.get(i), placements);
        }
        return trees;
    }

    /**
     * The links of the tree of the partition at {@code index} in the graph's list, each once, each after the link
     * into the chip it leaves (none into the source): link number = the sending chip's number ({@code x * height + y})
     * × 6 + the direction's id. Shared: callers must not change it.
     */
    public int[] links(int index) {
        return links[index];
    }

    /** The chip number the link numbered {@code link} leads to. */
    public int head(int link) {
        return next[link];
    }

    private void layDown(int index, OutgoingPartition p, Placements placements) {
        links[index] = tree(p, placements);
        carry(links[index], p.packets());
    }

    private void carry(int[] tree, long packets) {
        for (int link : tree) {
            load[link] += packets;
        }
    }

    private int chip(ChipLocation c) {
        return c.x() * height + c.y();
    }

    /** A tree for {@code p} over the loads laid down so far: its target chips joined nearest the source first. */
    private int[] tree(OutgoingPartition p, Placements placements) {
        stamp++;
        ChipLocation sourceLocation = placements.of(p.source()).chip();
        int source = chip(sourceLocation);
        int[] hops = hopsFrom(source, sourceLocation);
        int[] arrival = machine.arrivalLinkNumbers(sourceLocation);
        int[] byHops = machine.chipNumbersByHops(sourceLocation);
        inTree[source] = stamp;
        // the target chips, each once, nearest the source first (hops, then chip number, in one long each)
        long[] targets = new long[p.targets().size()];
        int nTargets = 0;
        for (int t : p.targets()) {
            ChipLocation target = placements.of(t).chip();
            int c = chip(target);
            if (c != source && hops[c] < 0) {
                throw new MappingException("no working path from chip " + sourceLocation + " to chip " + target
                        + " for partition " + p.id() + " of vertex " + p.source());
            }
            if (c != source && targetStamp[c] != stamp) {
                targetStamp[c] = stamp;
                hopsFrom(c, target);
                targets[nTargets++] = (long) hops[c] << 32 | c;
            }
        }
        Arrays.sort(targets, 0, nTargets);
        int[] tree = new int[hops.length]; // a tree enters each chip at most once
        int n = 0;
        for (int k = 0; k < nTargets; k++) {
            int c = (int) targets[k];
            if (inTree[c] == stamp) {
                continue;
            }
            choosePaths(source, byHops, c, hops, hopsByChip[c], arrival, p.packets());
            int end = n;
            while (inTree[c] != stamp) {
                inTree[c] = stamp;
                tree[n++] = parentLink[c];
                c = parentLink[c] / DIRECTIONS;
            }
            // the path was walked from the target up: the links nearer the source first
            for (int a = end, b = n - 1; a < b; a++, b--) {
                int swap = tree[a];
                tree[a] = tree[b];
                tree[b] = swap;
            }
        }
        return Arrays.copyOf(tree, n);
    }

    /** The machine's hop counts from chip {@code c} (at {@code location}), kept by chip number once asked for. */
    private int[] hopsFrom(int c, ChipLocation location) {
        if (hopsByChip[c] == null) {
            hopsByChip[c] = machine.hopNumbers(location);
        }
        return hopsByChip[c];
    }

    /**
     * For each chip on a shortest path from {@code source} to {@code target}, nearest the source first ({@code byHops}:
     * the chips of one level in any order, as each takes its path from the level before): the link by
     * which to reach it from the tree so far ({@code parentLink}) that keeps the busiest link the path adds lowest
     * ({@code bottleneck}, the partition's {@code keys} added to each new link), of equals the one whose path adds
     * fewest links ({@code added}: each chip keeps only its best path, so fewest of those), then the link of the
     * source's breadth-first tree ({@code arrival}).
     */
    private void choosePaths(int source, int[] byHops, int target, int[] hops, int[] hopsToTarget, int[] arrival,
            int keys) {
        int length = hops[target];
        for (int c : byHops) {
            int level = hops[c];
            if (level > length) {
                break;
            }
            if (level == 0 || hopsToTarget[c] != length - level) {
                continue;
            }
            long best = Long.MAX_VALUE;
            int bestAdded = Integer.MAX_VALUE;
            int bestLink = -1;
            for (int d = 0; d < DIRECTIONS; d++) {
                int from = next[c * DIRECTIONS + d];
                if (from < 0 || hops[from] != level - 1 || hopsToTarget[from] != length - level + 1) {
                    continue;
                }
                int link = from * DIRECTIONS + OPPOSITE[d];
                if (next[link] != c) {
                    continue;
                }
                boolean fromTree = inTree[from] == stamp;
                long b = Math.max(fromTree ? 0 : bottleneck[from], load[link] + keys);
                int a = (fromTree ? 0 : added[from]) + 1;
                if (b < best || b == best && (a < bestAdded || a == bestAdded && link == arrival[c])) {
                    best = b;
                    bestAdded = a;
                    bestLink = link;
                }
            }
            if (bestLink < 0) {
                throw new MappingException("no working path from chip " + source / height + "," + source % height
                        + " reaches chip " + c / height + "," + c % height + " in " + level + " links");
            }
            bottleneck[c] = best;
            added[c] = bestAdded;
            parentLink[c] = bestLink;
        }
    }
}
