package org.spinnaker4j.mapper.place;

import java.util.List;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * Fills cores in vertex order (inputs, layer by layer, outputs: the order data flows), chip
 * by chip in breadth-first order from the machine's Ethernet chip, where the host's data
 * enters. Neighbouring layers so land on the same or adjacent chips. Chips the Ethernet chip
 * cannot reach over working links are never used; a dead Ethernet chip fails the placement.
 */
public final class BreadthFirstPlacer implements Placer {

    @Override
    public Placements place(MachineGraph graph, Machine machine) {
        int needed = graph.vertices().size();
        List<CoreLocation> free = ReachableCores.of(machine, needed).stream().flatMap(List::stream).toList();
        return new Placements(free.subList(0, needed));
    }
}
