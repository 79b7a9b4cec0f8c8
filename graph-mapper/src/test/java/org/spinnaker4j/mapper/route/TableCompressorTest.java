package org.spinnaker4j.mapper.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;

class TableCompressorTest {

    private static final ChipLocation CHIP = new ChipLocation(0, 0);
    private static final int SPACE_BITS = 12;
    /** Keys live in 0x5A000000 | [0, 4096): random upper bits plus an exhaustively checked low part. */
    private static final int HIGH = 0x5A000000;

    /** The router's rule written out: route of the first matching entry, or -1 for none. */
    private static int routeOf(List<MulticastRoutingEntry> entries, int key) {
        for (MulticastRoutingEntry e : entries) {
            if ((key & e.mask()) == e.key()) {
                return e.route();
            }
        }
        return -1;
    }

    private static boolean overlap(int k1, int m1, int k2, int m2) {
        return ((k1 ^ k2) & m1 & m2) == 0;
    }

    /** Random non-overlapping entries: masks all-ones above bit 12, random (not necessarily contiguous) below. */
    private static List<MulticastRoutingEntry> randomTable(Random rnd, int attempts, int nRoutes, boolean contiguous) {
        int[] routes = new int[nRoutes];
        for (int i = 0; i < nRoutes; i++) {
            routes[i] = 1 + rnd.nextInt(0xFFFFFF);
        }
        List<MulticastRoutingEntry> entries = new ArrayList<>();
        for (int a = 0; a < attempts; a++) {
            int low;
            if (contiguous) {
                int freeBits = rnd.nextInt(10) < 6 ? 0 : rnd.nextInt(4);
                low = ((1 << SPACE_BITS) - 1) & ~((1 << freeBits) - 1);
            } else {
                // mostly ones, each bit zero with probability 1/8, wherever it falls
                low = ((1 << SPACE_BITS) - 1)
                        & ~(rnd.nextInt(1 << SPACE_BITS) & rnd.nextInt(1 << SPACE_BITS) & rnd.nextInt(1 << SPACE_BITS));
            }
            int mask = 0xFFFFF000 | low;
            int key = (HIGH | rnd.nextInt(1 << SPACE_BITS)) & mask;
            boolean clash = false;
            for (MulticastRoutingEntry e : entries) {
                if (overlap(key, mask, e.key(), e.mask())) {
                    clash = true;
                    break;
                }
            }
            if (!clash) {
                entries.add(new MulticastRoutingEntry(key, mask, routes[rnd.nextInt(nRoutes)]));
            }
        }
        return entries;
    }

    private static void assertEquivalent(List<MulticastRoutingEntry> original, RoutingTable compressed, Random rnd) {
        assertTrue(compressed.size() <= original.size(),
                "compressed " + compressed.size() + " > original " + original.size());
        for (int low = 0; low < 1 << SPACE_BITS; low++) {
            int key = HIGH | low;
            assertEquals(routeOf(original, key), routeOf(compressed.entries(), key), String.format("key 0x%08x", key));
        }
        for (MulticastRoutingEntry e : original) {
            assertEquals(e.route(), routeOf(compressed.entries(), e.key()));
        }
        for (int i = 0; i < 20_000; i++) {
            int key = rnd.nextInt();
            assertEquals(routeOf(original, key), routeOf(compressed.entries(), key), String.format("key 0x%08x", key));
        }
        // every compressed entry is legal and no two overlap, so entry order never matters
        List<MulticastRoutingEntry> c = compressed.entries();
        for (int i = 0; i < c.size(); i++) {
            for (int j = i + 1; j < c.size(); j++) {
                assertTrue(!overlap(c.get(i).key(), c.get(i).mask(), c.get(j).key(), c.get(j).mask()),
                        c.get(i) + " overlaps " + c.get(j));
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void randomTablesRouteEveryKeyAsBefore(long seed) {
        Random rnd = new Random(seed);
        boolean contiguous = seed % 2 == 0;
        List<MulticastRoutingEntry> original = randomTable(rnd, 50 + rnd.nextInt(1500), 1 + rnd.nextInt(4), contiguous);
        RoutingTable compressed = new TableCompressor().compress(new RoutingTable(CHIP, original));
        assertEquals(CHIP, compressed.chip());
        assertEquivalent(original, compressed, rnd);
    }

    @Test
    void denseSingleKeysWithOneRouteCompressALot() {
        // every key of [0x100, 0x200) with the same route: one entry of mask 0xFFFFFF00
        List<MulticastRoutingEntry> original = new ArrayList<>();
        for (int k = 0x100; k < 0x200; k++) {
            original.add(new MulticastRoutingEntry(k, -1, 0b100));
        }
        RoutingTable c = new TableCompressor().compress(new RoutingTable(CHIP, original));
        assertEquals(List.of(new MulticastRoutingEntry(0x100, 0xFFFFFF00, 0b100)), c.entries());
    }

    @Test
    void differentRoutesAreNeverMerged() {
        List<MulticastRoutingEntry> original = List.of(
                new MulticastRoutingEntry(0, -1, 1), new MulticastRoutingEntry(1, -1, 2),
                new MulticastRoutingEntry(2, -1, 1), new MulticastRoutingEntry(3, -1, 1));
        RoutingTable c = new TableCompressor().compress(new RoutingTable(CHIP, original));
        // one pair of the three route-1 keys merges; key 1 (route 2) stays on its own
        assertEquals(3, c.size());
        for (int k = 0; k < 8; k++) {
            assertEquals(routeOf(original, k), routeOf(c.entries(), k));
        }
    }

    @Test
    void mergesNeverCaptureDefaultRoutedKeys() {
        // keys 0, 1, 2 share a route; key 3 has no entry and must stay default-routed
        List<MulticastRoutingEntry> original = List.of(
                new MulticastRoutingEntry(0, -1, 1), new MulticastRoutingEntry(1, -1, 1),
                new MulticastRoutingEntry(2, -1, 1));
        RoutingTable c = new TableCompressor().compress(new RoutingTable(CHIP, original));
        assertEquals(2, c.size());
        assertEquals(-1, routeOf(c.entries(), 3));
        assertEquals(1, routeOf(c.entries(), 2));
    }

    @Test
    void compressesEveryTableOfAMap() {
        ChipLocation other = new ChipLocation(1, 0);
        Map<ChipLocation, RoutingTable> out = new TableCompressor().compress(Map.of(
                CHIP, new RoutingTable(CHIP, List.of(new MulticastRoutingEntry(4, -1, 1), new MulticastRoutingEntry(5, -1, 1))),
                other, new RoutingTable(other, List.of(new MulticastRoutingEntry(4, -1, 1)))));
        assertEquals(1, out.get(CHIP).size());
        assertEquals(new MulticastRoutingEntry(4, 0xFFFFFFFE, 1), out.get(CHIP).entries().get(0));
        assertEquals(1, out.get(other).size());
    }
}
