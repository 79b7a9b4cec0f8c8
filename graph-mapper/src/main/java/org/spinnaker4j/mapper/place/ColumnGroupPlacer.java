package org.spinnaker4j.mapper.place;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.route.LinkLoads;

/**
 * Keeps each column group of a layer (the blocks of one column slice and their reduce core) on
 * one chip where it fits, so partial sums never cross a link, and spreads the groups (every other
 * vertex, an input source say, is a group of its own) over the chips in breadth-first order from
 * the Ethernet chip, at most a cap of cores per chip. It tries caps of 16, 8, 4, 2 and 1 cores
 * per chip, halving the cap while that lowers the packets per sample on the busiest link, and
 * keeps the last placement that did. A group larger than the cap fills its chip.
 */
public final class ColumnGroupPlacer implements Placer {

    @Override
    public Placements place(MachineGraph graph, Machine machine) {
        int needed = graph.vertices().size();
        List<List<CoreLocation>> chips = ReachableCores.of(machine, needed);
        List<List<Integer>> groups = groups(graph);
        Placements best = null;
        long bestLoad = Long.MAX_VALUE;
        for (int cap = Chip.APPLICATION_CORES; cap >= 1 && bestLoad > 0; cap /= 2) {
            CoreLocation[] cores = fill(groups, chips, cap, needed);
            if (cores == null) {
                break;
            }
            Placements p = new Placements(Arrays.asList(cores));
            long load = LinkLoads.of(graph, p, machine).maxLinkPackets();
            if (load >= bestLoad) {
                break;
            }
            best = p;
            bestLoad = load;
        }
        if (best == null) {
            // the groups leave cores unused; fill every core in vertex order instead
            return new BreadthFirstPlacer().place(graph, machine);
        }
        return best;
    }

    /** Vertex ids by group, groups in the order of their first vertex. */
    private static List<List<Integer>> groups(MachineGraph graph) {
        Map<Object, List<Integer>> groups = new LinkedHashMap<>();
        for (MachineVertex v : graph.vertices()) {
            boolean inColumn = v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
            Object key = inColumn ? List.of(v.layer(), v.cols()) : Integer.valueOf(v.id());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(v.id());
        }
        return new ArrayList<>(groups.values());
    }

    /** Each group on the current chip if it has room under {@code cap}, else on the next; null if chips run out. */
    private static CoreLocation[] fill(List<List<Integer>> groups, List<List<CoreLocation>> chips, int cap,
            int needed) {
        CoreLocation[] cores = new CoreLocation[needed];
        int chip = 0;
        int used = 0;
        for (List<Integer> group : groups) {
            int limit = Math.min(cap, chips.get(chip).size());
            if (used > 0 && used + group.size() > limit) {
                chip++;
                used = 0;
            }
            for (int v : group) {
                while (chip < chips.size() && used == chips.get(chip).size()) {
                    chip++;
                    used = 0;
                }
                if (chip == chips.size()) {
                    return null;
                }
                cores[v] = chips.get(chip).get(used++);
            }
        }
        return cores;
    }
}
