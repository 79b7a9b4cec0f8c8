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
    /** This router's place in the {@link Cache}'s rows, or {@link #NO_SLOT} if its table is empty. */
    private final int slot;
    private static final int NO_SLOT = -1;

    /**
     * The routes found so far of every router with a routing entry, by key number and then router: a row per key,
     * so the routers a packet crosses read their routes from one row, which the first of them brought into the
     * host's cache (an array per router, as long as the machine has keys, cost a cache miss at nearly every router).
     * The rows of {@value #CHUNK} consecutive keys share one array, made when one of them first comes by: a lookup
     * reads the small array of chunks and then the route, where an array per key cost a second cache miss for the
     * row's own header (12 % of a CNN training's samples, JFR); and routers without entries (most of a big machine's
     * when few of its chips are used) take no place in a row.
     */
    static final class Cache {
        private static final int CHUNK_BITS = 6;
        private static final int CHUNK = 1 << CHUNK_BITS;
        private final int[][] chunks;
        /** Places in a row: the routers that have joined. */
        private int routers;
        private boolean rowsMade;

        /** A cache for {@code keys} key numbers. */
        Cache(int keys) {
            this.chunks = new int[(keys + CHUNK - 1) >>> CHUNK_BITS][];
        }

        /** A place in every row for one more router; before the first lookup. */
        private int join() {
            if (rowsMade) {
                throw new IllegalStateException("a router joined the route cache after its first lookup");
            }
            return routers++;
        }

        /** The rows of the chunk holding key number {@code keyId}, made at its first lookup. */
        private int[] chunk(int keyId) {
            int[] chunk = chunks[keyId >>> CHUNK_BITS];
            if (chunk == null) {
                rowsMade = true;
                chunk = new int[routers << CHUNK_BITS];
                Arrays.fill(chunk, UNKNOWN);
                chunks[keyId >>> CHUNK_BITS] = chunk;
            }
            return chunk;
        }

        /** Where in its chunk the route of key number {@code keyId} at the router in place {@code slot} is. */
        private int index(int keyId, int slot) {
            return (keyId & (CHUNK - 1)) * routers + slot;
        }
    }

    /** The routes of {@code table}, with the other routers sharing {@code cache}. */
    RouteTable(RoutingTable table, Cache cache) {
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
        this.slot = entries.isEmpty() ? NO_SLOT : cache.join();
    }

    /** The route word of {@code key} (numbered {@code keyId}), or {@link #NO_ENTRY}. */
    int route(int key, int keyId) {
        if (slot == NO_SLOT) {
            return NO_ENTRY;
        }
        int[] routes = cache.chunk(keyId);
        int at = cache.index(keyId, slot);
        int route = routes[at];
        if (route == UNKNOWN) {
            int first = firstMatch(key);
            route = first < 0 ? NO_ENTRY : entries.get(first).route();
            routes[at] = route;
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
