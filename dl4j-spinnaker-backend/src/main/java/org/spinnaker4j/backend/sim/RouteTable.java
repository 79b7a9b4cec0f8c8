package org.spinnaker4j.backend.sim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;

/**
 * A router's route for each key, by its {@link KeyIds} number: the route of the chip's first
 * entry that matches the key, found the first time the key comes by, then read from an array.
 * To find it, the entries are grouped by mask, each group a sorted array of its entries' keys
 * with the lowest index of an entry of that key and mask: one binary search per distinct mask,
 * where a scan would try every entry.
 */
final class RouteTable {

    /** The route of a key without an entry. */
    static final int NO_ENTRY = -1;
    private static final int UNKNOWN = Integer.MIN_VALUE;

    private final List<MulticastRoutingEntry> entries;
    private final int[] masks;
    private final int[][] keysByMask;
    private final int[][] firstEntryByMask;
    private final int keys;
    /** Routes by key number; made when the first packet comes by, so a router no packet crosses holds none. */
    private int[] routes;

    RouteTable(RoutingTable table, int keys) {
        this.entries = table.entries();
        Map<Integer, TreeMap<Integer, Integer>> byMask = new LinkedHashMap<>();
        for (int e = 0; e < entries.size(); e++) {
            MulticastRoutingEntry entry = entries.get(e);
            byMask.computeIfAbsent(entry.mask(), m -> new TreeMap<>()).putIfAbsent(entry.key(), e);
        }
        masks = new int[byMask.size()];
        keysByMask = new int[byMask.size()][];
        firstEntryByMask = new int[byMask.size()][];
        int g = 0;
        for (Map.Entry<Integer, TreeMap<Integer, Integer>> group : byMask.entrySet()) {
            masks[g] = group.getKey();
            keysByMask[g] = group.getValue().keySet().stream().mapToInt(Integer::intValue).toArray();
            firstEntryByMask[g] = group.getValue().values().stream().mapToInt(Integer::intValue).toArray();
            g++;
        }
        this.keys = keys;
    }

    /** The route word of {@code key} (numbered {@code keyId}), or {@link #NO_ENTRY}. */
    int route(int key, int keyId) {
        if (routes == null) {
            routes = new int[keys];
            Arrays.fill(routes, UNKNOWN);
        }
        int route = routes[keyId];
        if (route == UNKNOWN) {
            int first = firstMatch(key);
            route = first < 0 ? NO_ENTRY : entries.get(first).route();
            routes[keyId] = route;
        }
        return route;
    }

    /** The index of the first entry that matches {@code key}, or -1. */
    private int firstMatch(int key) {
        int first = Integer.MAX_VALUE;
        for (int g = 0; g < masks.length; g++) {
            int at = Arrays.binarySearch(keysByMask[g], key & masks[g]);
            if (at >= 0) {
                first = Math.min(first, firstEntryByMask[g][at]);
            }
        }
        return first == Integer.MAX_VALUE ? -1 : first;
    }
}
