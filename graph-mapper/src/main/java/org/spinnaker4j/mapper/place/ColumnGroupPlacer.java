package org.spinnaker4j.mapper.place;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.route.LinkLoads;

/**
 * Keeps each column group of a layer (the blocks of one column slice and their reduce core) on
 * one chip where it fits, so partial sums never cross a link (a relay that feeds blocks each alone in their
 * column, a convolution's position, joins them), and spreads the groups (every other
 * vertex, an input source say, is a group of its own) over the chips in breadth-first order from
 * the Ethernet chip, at most a cap of cores per chip. It tries caps of 16, 8, 4, 2 and 1 cores
 * per chip, halving the cap while that lowers the packets per sample on the busiest link, and
 * keeps the last placement that did. A group larger than the cap fills its chip. A group starts on a fresh chip
 * only while the board has spare cores to leave behind; then groups run on across chips. With several input
 * sources it also tries each moved to the middle of its own run of the chips used (trading cores with a block),
 * and with several relays each layer's relays (the sources of the next layer's multicast, each tree reaching every
 * column group) moved likewise over the chips of the blocks they feed, so that their trees leave different chips
 * (placed in vertex order they sat on one or two chips and every tree crossed the same links: on the s16.15 MNIST
 * MLP a link carried all 256 of the second layer's inputs); per cap it keeps whichever placement loads the busiest
 * link less.
 */
public final class ColumnGroupPlacer implements Placer {

    @Override
    public Placements place(MachineGraph graph, Machine machine) {
        return placeWithLoads(graph, machine).placements();
    }

    /** Which vertices a placement moves, once the groups are placed, to spread their multicast trees' roots. */
    private enum Spread {
        /** None. */
        NONE,
        /** The input sources, over the chips used. */
        SOURCES,
        /** The input sources, and each layer's relays (alone in their groups) over the chips of their targets. */
        SOURCES_AND_RELAYS
    }

    /**
     * A placement, the graph as placed ({@link SdramPartials#mark}: which partial sums go through SDRAM) and the link
     * loads they give.
     */
    public record Placed(Placements placements, MachineGraph graph, LinkLoads loads) {

        static Placed of(MachineGraph graph, Placements placements, Machine machine) {
            MachineGraph placed = SdramPartials.mark(graph, placements);
            return new Placed(placements, placed, LinkLoads.of(placed, placements, machine));
        }
    }

    /** {@link #place}, with the loads of the placement chosen (computed to choose it). */
    public Placed placeWithLoads(MachineGraph graph, Machine machine) {
        int needed = graph.vertices().size();
        List<List<CoreLocation>> chips = ReachableCores.of(machine, needed);
        List<List<Integer>> groups = groups(graph);
        Placed best = null;
        List<Spread> spreadOptions = new ArrayList<>(List.of(Spread.NONE));
        if (graph.count(VertexKind.INPUT_SOURCE) > 1) {
            spreadOptions.add(Spread.SOURCES);
        }
        if (graph.count(VertexKind.RELAY) > 1) {
            spreadOptions.add(Spread.SOURCES_AND_RELAYS);
        }
        for (int cap = Chip.APPLICATION_CORES; cap >= 1 && (best == null || best.loads().maxLinkPackets() > 0);
                cap /= 2) {
            Placed atCap = null;
            // spreading the sources pays where several trees would leave the same few chips
            for (Spread spread : spreadOptions) {
                CoreLocation[] cores = fill(graph, groups, chips, cap, needed, spread);
                if (cores != null) {
                    Placed placed = Placed.of(graph, new Placements(Arrays.asList(cores)), machine);
                    if (atCap == null || placed.loads().maxLinkPackets() < atCap.loads().maxLinkPackets()) {
                        atCap = placed;
                    }
                }
            }
            if (atCap == null || best != null && atCap.loads().maxLinkPackets() >= best.loads().maxLinkPackets()) {
                break;
            }
            best = atCap;
        }
        if (best == null) {
            // the groups leave cores unused; fill every core in vertex order instead
            return Placed.of(graph, new BreadthFirstPlacer().place(graph, machine), machine);
        }
        return best;
    }

    /**
     * Vertex ids by group, groups in the order of their first vertex: a layer's column groups, and a relay together
     * with the blocks it feeds when each of them is a column group alone (a convolution's blocks of one position,
     * whose receptive field the relay gathers) and they fit one chip, so the relay's field goes to its blocks
     * without crossing a link.
     */
    private static List<List<Integer>> groups(MachineGraph graph) {
        Map<Object, Integer> columnSizes = new HashMap<>();
        graph.vertices().stream().filter(ColumnGroupPlacer::inColumn)
                .forEach(v -> columnSizes.merge(columnKey(v), 1, Integer::sum));
        Map<Integer, Integer> fedBy = new HashMap<>();
        for (MachineVertex r : graph.vertices()) {
            if (r.kind() == VertexKind.RELAY) {
                List<Integer> fed = graph.outgoing(r.id()).stream().filter(p -> p.kind() == PartitionKind.FORWARD).flatMap(p -> p.targets().stream()).distinct()
                        .toList();
                boolean alone = fed.stream().map(graph::vertex).allMatch(
                        b -> b.kind() == VertexKind.DENSE_BLOCK && columnSizes.get(columnKey(b)) == 1);
                if (alone && fed.size() < Chip.APPLICATION_CORES) {
                    fed.forEach(b -> fedBy.put(b, r.id()));
                }
            }
        }
        Map<Object, List<Integer>> groups = new LinkedHashMap<>();
        for (MachineVertex v : graph.vertices()) {
            Object key = fedBy.containsKey(v.id()) ? Integer.valueOf(fedBy.get(v.id()))
                    : inColumn(v) ? columnKey(v) : Integer.valueOf(v.id());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(v.id());
        }
        return new ArrayList<>(groups.values());
    }

    private static boolean inColumn(MachineVertex v) {
        return v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
    }

    private static Object columnKey(MachineVertex v) {
        return List.of(v.layer(), v.cols());
    }

    /**
     * Each group on the current chip if it has room under {@code cap}, else on the next, then the input sources (and,
     * spreading them, the relays alone in their groups) spread evenly over the chips used that have a core left (the
     * next chips if none has), so that their multicast trees start on different chips rather than all leaving one
     * chip by the same links, then, as {@code spread} says, moved ({@link #spreadOver}); null if chips run out.
     */
    private static CoreLocation[] fill(MachineGraph graph, List<List<Integer>> groups, List<List<CoreLocation>> chips,
            int cap, int needed, Spread spread) {
        CoreLocation[] cores = new CoreLocation[needed];
        int[] used = new int[chips.size()];
        List<Integer> sources = new ArrayList<>();
        for (List<Integer> group : groups) {
            if (placedLast(graph, group, spread)) {
                sources.addAll(group);
            }
        }
        // cores that may stay free so that groups start on a fresh chip rather than split
        long slack = chips.stream().mapToLong(List::size).sum() - needed;
        int chip = 0;
        for (List<Integer> group : groups) {
            if (placedLast(graph, group, spread)) {
                continue;
            }
            if (chip == chips.size()) {
                return null;
            }
            int limit = Math.min(cap, chips.get(chip).size());
            int left = chips.get(chip).size() - used[chip];
            if (used[chip] > 0 && used[chip] + group.size() > limit && left <= slack) {
                slack -= left;
                chip++;
            }
            for (int v : group) {
                while (chip < chips.size() && used[chip] == chips.get(chip).size()) {
                    chip++;
                }
                if (chip == chips.size()) {
                    return null;
                }
                cores[v] = chips.get(chip).get(used[chip]++);
            }
        }
        List<Integer> roomy = new ArrayList<>();
        for (int c = 0; c <= Math.min(chip, chips.size() - 1); c++) {
            if (used[c] < chips.get(c).size()) {
                roomy.add(c);
            }
        }
        for (int i = 0; i < sources.size(); i++) {
            int c = -1;
            for (int k = 0; k < roomy.size() && c < 0; k++) {
                int candidate = roomy.get((int) (((long) i * roomy.size() / sources.size() + k) % roomy.size()));
                c = used[candidate] < chips.get(candidate).size() ? candidate : -1;
            }
            for (int next = chip + 1; c < 0 && next < chips.size(); next++) {
                c = used[next] < chips.get(next).size() ? next : -1;
            }
            if (c < 0) {
                return null;
            }
            cores[sources.get(i)] = chips.get(c).get(used[c]++);
        }
        if (spread != Spread.NONE) {
            List<Integer> inputs = sources.stream().filter(v -> graph.vertex(v).kind() == VertexKind.INPUT_SOURCE)
                    .toList();
            spreadOver(graph, inputs, cores, chips, 0, chip + 1);
        }
        if (spread == Spread.SOURCES_AND_RELAYS) {
            spreadRelays(graph, sources, cores, chips);
        }
        return cores;
    }

    /** Whether {@code group} is placed after the others: an input source, or a relay alone when relays spread. */
    private static boolean placedLast(MachineGraph graph, List<Integer> group, Spread spread) {
        VertexKind kind = graph.vertex(group.get(0)).kind();
        return kind == VertexKind.INPUT_SOURCE
                || spread == Spread.SOURCES_AND_RELAYS && kind == VertexKind.RELAY && group.size() == 1;
    }

    /** Each layer's relays among {@code placed} spread ({@link #spreadOver}) over the chips of the blocks they feed. */
    private static void spreadRelays(MachineGraph graph, List<Integer> placed, CoreLocation[] cores,
            List<List<CoreLocation>> chips) {
        Map<ChipLocation, Integer> chipIndex = new HashMap<>();
        for (int c = 0; c < chips.size(); c++) {
            chipIndex.put(chips.get(c).get(0).chip(), c);
        }
        Map<Integer, List<Integer>> relaysByLayer = new TreeMap<>();
        for (int v : placed) {
            if (graph.vertex(v).kind() == VertexKind.RELAY) {
                relaysByLayer.computeIfAbsent(graph.vertex(v).layer(), k -> new ArrayList<>()).add(v);
            }
        }
        for (List<Integer> relays : relaysByLayer.values()) {
            int first = Integer.MAX_VALUE;
            int end = 0;
            for (int r : relays) {
                for (OutgoingPartition p : graph.outgoing(r)) {
                    for (int t : p.targets()) {
                        int c = chipIndex.get(cores[t].chip());
                        first = Math.min(first, c);
                        end = Math.max(end, c + 1);
                    }
                }
            }
            if (first < end) {
                spreadOver(graph, relays, cores, chips, first, end);
            }
        }
    }

    /**
     * Moves source i (an input source or a relay) to the middle of the i-th of as many equal runs of chips
     * {@code first} to {@code end} (exclusive), trading cores with a block there (whose partial sums then cross links;
     * a source's multicast tree reaches every column group, so sources clustered where the groups left cores free load
     * the links out of there with all of them), never one whose partial sums could go through SDRAM
     * ({@link SdramPartials#together}): moved off its reduce's chip, its reduce would take every block's as packets.
     */
    private static void spreadOver(MachineGraph graph, List<Integer> sources, CoreLocation[] cores,
            List<List<CoreLocation>> chips, int first, int end) {
        boolean[] together = SdramPartials.together(graph);
        Map<CoreLocation, Integer> vertexAt = new HashMap<>();
        for (int v = 0; v < cores.length; v++) {
            vertexAt.put(cores[v], v);
        }
        for (int i = 0; i < sources.size(); i++) {
            int source = sources.get(i);
            int middle = first + (int) ((2L * i + 1) * (Math.min(end, chips.size()) - first) / (2L * sources.size()));
            List<CoreLocation> chip = chips.get(middle);
            if (chip.contains(cores[source])) {
                continue;
            }
            for (int k = chip.size() - 1; k >= 0; k--) {
                Integer other = vertexAt.get(chip.get(k));
                if (other != null && graph.vertex(other).kind() == VertexKind.DENSE_BLOCK && !together[other]) {
                    CoreLocation mine = cores[source];
                    cores[source] = chip.get(k);
                    cores[other] = mine;
                    vertexAt.put(mine, other);
                    vertexAt.put(chip.get(k), source);
                    break;
                }
            }
        }
    }
}
