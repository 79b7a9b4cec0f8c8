package org.spinnaker4j.mapper.place;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * Fills cores in vertex order (inputs, layer by layer, outputs: the order data flows), chip
 * by chip in breadth-first order from the machine's Ethernet chip, where the host's data
 * enters. Neighbouring layers so land on the same or adjacent chips. Chips the Ethernet chip
 * cannot reach over working links are never used; a dead Ethernet chip fails the placement.
 */
public final class BreadthFirstPlacer implements Placer {

    private static final Logger LOG = LoggerFactory.getLogger(BreadthFirstPlacer.class);

    @Override
    public Placements place(MachineGraph graph, Machine machine) {
        int needed = graph.vertices().size();
        ChipLocation ethernet = machine.ethernetChip();
        if (machine.chip(ethernet).isEmpty()) {
            throw PlacementErrors.deadEthernetChip(machine, needed);
        }
        List<ChipLocation> reachable = machine.breadthFirstFrom(ethernet);
        List<CoreLocation> free = new ArrayList<>();
        for (ChipLocation c : reachable) {
            for (int p : machine.chip(c).orElseThrow().applicationProcessors()) {
                free.add(new CoreLocation(c, p));
            }
        }
        if (needed > free.size()) {
            throw PlacementErrors.tooFewCores(machine, reachable, free.size(), needed);
        }
        if (reachable.size() < machine.chips().size()) {
            LOG.warn("{} of the {} working chips of {} are cut off from its Ethernet chip {} and stay unused",
                    machine.chips().size() - reachable.size(), machine.chips().size(), machine.description(),
                    ethernet);
        }
        return new Placements(free.subList(0, needed));
    }
}
