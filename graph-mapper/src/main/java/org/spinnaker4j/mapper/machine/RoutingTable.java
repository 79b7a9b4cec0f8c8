package org.spinnaker4j.mapper.machine;

import java.util.List;
import java.util.Optional;

/** The multicast routing table of one chip: entries in priority order (the lowest index wins). */
public record RoutingTable(ChipLocation chip, List<MulticastRoutingEntry> entries) {

    public RoutingTable {
        entries = List.copyOf(entries);
    }

    /** The entry the router uses for a key: the first that matches, or empty (default routing). */
    public Optional<MulticastRoutingEntry> lookup(int key) {
        for (MulticastRoutingEntry e : entries) {
            if (e.matches(key)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    public int size() {
        return entries.size();
    }
}
