package org.spinnaker4j.mapper.place;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Machine;

/** The placer's errors: what is missing, where, and the smallest standard machine that would do. */
final class PlacementErrors {

    /** Chips named in a message before the rest are only counted. */
    private static final int LISTED = 6;
    /** SpiNN-5 boards in a triad, the unit {@link Machine#spinn5Triads} tiles a torus with. */
    private static final int BOARDS_PER_TRIAD = 3;

    private PlacementErrors() {
    }

    static MappingException deadEthernetChip(Machine machine, int needed) {
        return new MappingException(String.format("the Ethernet chip %s of %s is dead, and the host loads every"
                + " input and reads every output through it, so none of its %d working chips can be used;"
                + " use a machine whose chip %s works and has at least %d application cores, e.g. %s",
                machine.ethernetChip(), machine.description(), machine.chips().size(), machine.ethernetChip(),
                needed, smallestStandardMachine(needed)));
    }

    static MappingException tooFewCores(Machine machine, List<ChipLocation> reachable, int reachableCores,
            int needed) {
        StringBuilder msg = new StringBuilder(String.format("the network needs %d cores but %s has only %d"
                + " application cores", needed, machine.description(), reachableCores));
        Set<ChipLocation> reached = Set.copyOf(reachable);
        List<ChipLocation> cutOff = machine.chips().stream().map(Chip::location).filter(c -> !reached.contains(c))
                .toList();
        if (cutOff.isEmpty()) {
            msg.append(String.format(" (%d per chip); use a machine with at least %d application cores, e.g. %s",
                    Chip.APPLICATION_CORES, needed, smallestStandardMachine(needed)));
        } else {
            msg.append(String.format(" on the %s its Ethernet chip %s reaches over working links %s; dead chips or"
                    + " links cut it off from the other %s %s; use a machine with at least %d application cores"
                    + " reachable from its Ethernet chip, e.g. %s", chips(reachable.size()), machine.ethernetChip(),
                    list(reachable), chips(cutOff.size()), list(cutOff), needed, smallestStandardMachine(needed)));
        }
        return new MappingException(msg.toString());
    }

    /** The first few chips, in brackets. */
    private static String list(List<ChipLocation> chips) {
        String first = chips.stream().limit(LISTED).map(ChipLocation::toString).collect(Collectors.joining(", "));
        return "[" + first + (chips.size() > LISTED ? ", …]" : "]");
    }

    private static String chips(int n) {
        return n == 1 ? "1 working chip" : n + " working chips";
    }

    /** The call that builds the smallest of spinn3, spinn5 and the triad tori with enough application cores. */
    private static String smallestStandardMachine(int cores) {
        if (cores <= Machine.spinn3().applicationCores()) {
            return "Machine.spinn3() (" + Machine.spinn3().applicationCores() + " application cores)";
        }
        if (cores <= Machine.spinn5().applicationCores()) {
            return "Machine.spinn5() (" + Machine.spinn5().applicationCores() + " application cores)";
        }
        int perTriad = Machine.spinn5Triads(1, 1).applicationCores();
        int triads = (cores + perTriad - 1) / perTriad;
        int high = 1;
        for (int h = 2; h * h <= triads; h++) {
            if (triads % h == 0) {
                high = h;
            }
        }
        return String.format("Machine.spinn5Triads(%d, %d) (%d boards, %d application cores)", triads / high, high,
                BOARDS_PER_TRIAD * triads, triads * perTriad);
    }
}
