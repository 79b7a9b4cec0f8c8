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
 * where a scan would try every entry. The cache holds a byte per key and router: the index of the route among
 * the distinct routes this router has found (a chip has few: a route word is a set of its 24 outputs), so a
 * key's row is a byte per router, where a route word each made it four times as long and its routers read
 * different cache lines of it.
 */
final class RouteTable {

    /** The route of a key without an entry. */
    static final int NO_ENTRY = -1;
    /** A cached byte: the route is not found yet. */
    private static final int UNKNOWN = 0;
    /** A cached byte: the router has more distinct routes than a byte numbers; this key's is found each time. */
    private static final int UNNUMBERED = 0xFF;
    /** Cached bytes from 1 to this number the router's distinct routes. */
    private static final int MAX_NUMBERED = UNNUMBERED - 1;

    private final List<MulticastRoutingEntry> entries;
    private final int[] masks;
    private final int[][] keysByMask;
    private final int[][] firstEntryByMask;
    private final Cache cache;
    /** This router's place in the {@link Cache}'s rows, or {@link #NO_SLOT} if its table is empty. */
    private final int slot;
    private static final int NO_SLOT = -1;
    /** The distinct routes (or {@link #NO_ENTRY}) this router has found: cached byte b names {@code distinct[b - 1]}. */
    private int[] distinct = new int[8];
    private int nDistinct;

    /**
     * The routes found so far of every router with a routing entry, by key number and then router (as a byte: see
     * {@link RouteTable}): a row per key,
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
        private final byte[][] chunks;
        /** Places in a row: the routers that have joined. */
        private int routers;
        private boolean rowsMade;

        /** A cache for {@code keys} key numbers. */
        Cache(int keys) {
            this.chunks = new byte[(keys + CHUNK - 1) >>> CHUNK_BITS][];
        }

        /** A place in every row for one more router; before the first lookup. */
        private int join() {
            if (rowsMade) {
                throw new IllegalStateException("a router joined the route cache after its first lookup");
            }
            return routers++;
        }

        /** The rows of the chunk holding key number {@code keyId}, made at its first lookup. */
        private byte[] chunk(int keyId) {
            byte[] chunk = chunks[keyId >>> CHUNK_BITS];
            if (chunk == null) {
                rowsMade = true;
                chunk = new byte[routers << CHUNK_BITS]; // all UNKNOWN
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
        byte[] routes = cache.chunk(keyId);
        int at = cache.index(keyId, slot);
        int b = routes[at] & 0xFF;
        if (b != UNKNOWN && b != UNNUMBERED) {
            return distinct[b - 1];
        }
        int route = lookUp(key);
        if (b == UNKNOWN) {
            routes[at] = (byte) number(route);
        }
        return route;
    }

    /** The route of {@code key} from the table, or {@link #NO_ENTRY}. */
    private int lookUp(int key) {
        int first = firstMatch(key);
        return first < 0 ? NO_ENTRY : entries.get(first).route();
    }

    /** The byte that names {@code route} in the cache: its number among the distinct routes, or {@link #UNNUMBERED}. */
    private int number(int route) {
        for (int k = 0; k < nDistinct; k++) {
            if (distinct[k] == route) {
                return k + 1;
            }
        }
        if (nDistinct == MAX_NUMBERED) {
            return UNNUMBERED;
        }
        if (nDistinct == distinct.length) {
            distinct = Arrays.copyOf(distinct, 2 * nDistinct);
        }
        distinct[nDistinct++] = route;
        return nDistinct;
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
