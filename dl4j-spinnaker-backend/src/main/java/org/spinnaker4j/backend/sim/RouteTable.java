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
 * entry that matches the key, found the first time the key comes by, then read from the machine's
 * {@link Cache}. To find it, the entries are grouped by mask, each group a sorted array of its entries' keys
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
    private final Cache cache;
    /** This router's index in the {@link Cache}'s rows. */
    private final int chip;

    /**
     * Every router's routes found so far, by key number and then router: a row per key, made when the key's first
     * packet comes by, so the routers a packet crosses read their routes from one row, which the first of them
     * brought into the host's cache (an array per router, as long as the machine has keys, cost a cache miss at
     * nearly every router).
     */
    static final class Cache {
        private final int[][] rows;
        private final int routers;

        /** A cache for {@code keys} key numbers and {@code routers} routers. */
        Cache(int keys, int routers) {
            this.rows = new int[keys][];
            this.routers = routers;
        }

        private int[] row(int keyId) {
            int[] row = rows[keyId];
            if (row == null) {
                row = new int[routers];
                Arrays.fill(row, UNKNOWN);
                rows[keyId] = row;
            }
            return row;
        }
    }

    /** The routes of {@code table}, router {@code chip} (from 0) of those sharing {@code cache}. */
    RouteTable(RoutingTable table, Cache cache, int chip) {
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
        this.cache = cache;
        this.chip = chip;
    }

    /** The route word of {@code key} (numbered {@code keyId}), or {@link #NO_ENTRY}. */
    int route(int key, int keyId) {
        int[] routes = cache.row(keyId);
        int route = routes[chip];
        if (route == UNKNOWN) {
            int first = firstMatch(key);
            route = first < 0 ? NO_ENTRY : entries.get(first).route();
            routes[chip] = route;
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
