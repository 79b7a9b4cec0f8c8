package org.spinnaker4j.mapper.place;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * The application cores a placer may use, chip by chip in breadth-first order from the
 * Ethernet chip, where the host's data enters: only chips it reaches over working links. Fails
 * with {@link PlacementErrors} when the Ethernet chip is dead or too few cores are reachable.
 */
final class ReachableCores {

    private static final Logger LOG = LoggerFactory.getLogger(ReachableCores.class);

    private ReachableCores() {
    }

    /** The reachable chips' application cores, one list per chip, for a graph of {@code needed} vertices. */
    static List<List<CoreLocation>> of(Machine machine, int needed) {
        ChipLocation ethernet = machine.ethernetChip();
        if (machine.chip(ethernet).isEmpty()) {
            throw PlacementErrors.deadEthernetChip(machine, needed);
        }
        List<ChipLocation> reachable = machine.breadthFirstFrom(ethernet);
        List<List<CoreLocation>> cores = new ArrayList<>();
        int total = 0;
        for (ChipLocation c : reachable) {
            List<CoreLocation> chip = new ArrayList<>();
            for (int p : machine.chip(c).orElseThrow().applicationProcessors()) {
                chip.add(new CoreLocation(c, p));
            }
            cores.add(chip);
            total += chip.size();
        }
        if (needed > total) {
            throw PlacementErrors.tooFewCores(machine, reachable, total, needed);
        }
        if (reachable.size() < machine.chips().size()) {
            LOG.warn("{} of the {} working chips of {} are cut off from its Ethernet chip {} and stay unused",
                    machine.chips().size() - reachable.size(), machine.chips().size(), machine.description(),
                    ethernet);
        }
        return cores;
    }
}
