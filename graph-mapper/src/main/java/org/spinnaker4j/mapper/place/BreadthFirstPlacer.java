package org.spinnaker4j.mapper.place;

import java.util.ArrayList;
import java.util.List;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * Fills cores in vertex order (inputs, layer by layer, outputs: the order data flows), chip
 * by chip in breadth-first order from the machine's first chip (the Ethernet chip, where
 * the host's data enters). Neighbouring layers so land on the same or adjacent chips.
 */
public final class BreadthFirstPlacer implements Placer {

    @Override
    public Placements place(MachineGraph graph, Machine machine) {
        int needed = graph.vertices().size();
        ChipLocation origin = machine.chips().iterator().next().location();
        List<CoreLocation> free = new ArrayList<>();
        for (ChipLocation c : machine.breadthFirstFrom(origin)) {
            for (int p : machine.chip(c).orElseThrow().applicationProcessors()) {
                free.add(new CoreLocation(c, p));
            }
        }
        if (needed > free.size()) {
            throw new MappingException("the network needs " + needed + " cores but " + machine
                    + " has " + free.size() + " reachable application cores (" + Chip.APPLICATION_CORES
                    + " per chip); use a bigger machine (e.g. Machine.spinn5Triads(w, h)), or BLOCK partitioning,"
                    + " which needs far fewer cores than NEURON_PER_CORE");
        }
        return new Placements(free.subList(0, needed));
    }
}
