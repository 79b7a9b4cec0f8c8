package org.spinnaker4j.mapper.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;

/**
 * Shrinks routing tables without changing what any key does: two entries with the same
 * route and mask whose keys differ in one bit become one entry with that bit masked out,
 * repeated until nothing merges. The merged entry matches exactly the keys of the two, so
 * no other key (nor a default-routed one) is captured and entry order stays irrelevant.
 */
public final class TableCompressor {

    private record KeyMask(int key, int mask) {
    }

    public Map<ChipLocation, RoutingTable> compress(Map<ChipLocation, RoutingTable> tables) {
        Map<ChipLocation, RoutingTable> out = new TreeMap<>();
        tables.forEach((chip, table) -> out.put(chip, compress(table)));
        return out;
    }

    public RoutingTable compress(RoutingTable table) {
        Map<Integer, Set<KeyMask>> byRoute = new TreeMap<>();
        for (MulticastRoutingEntry e : table.entries()) {
            byRoute.computeIfAbsent(e.route(), r -> new LinkedHashSet<>()).add(new KeyMask(e.key(), e.mask()));
        }
        List<MulticastRoutingEntry> merged = new ArrayList<>();
        byRoute.forEach((route, set) -> {
            mergeAll(set);
            set.forEach(km -> merged.add(new MulticastRoutingEntry(km.key(), km.mask(), route)));
        });
        merged.sort(Comparator.comparingLong(e -> Integer.toUnsignedLong(e.key())));
        return new RoutingTable(table.chip(), merged);
    }

    private static void mergeAll(Set<KeyMask> set) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (KeyMask km : List.copyOf(set)) {
                if (!set.contains(km)) {
                    continue;
                }
                for (int bit = 0; bit < 32; bit++) {
                    int b = 1 << bit;
                    if ((km.mask() & b) == 0) {
                        continue;
                    }
                    KeyMask partner = new KeyMask(km.key() ^ b, km.mask());
                    if (set.contains(partner)) {
                        set.remove(km);
                        set.remove(partner);
                        set.add(new KeyMask(km.key() & ~b, km.mask() & ~b));
                        changed = true;
                        break;
                    }
                }
            }
        }
    }
}
