package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;

/**
 * A router's routes by key number are those of the table's first matching entry, overlapping entries too,
 * routers that share a cache keep their own, and a router without entries routes nothing.
 */
class RouteTableTest {

    @Test
    void routesLikeTheFirstMatchingEntry() {
        Random random = new Random(11);
        int keys = 0x4000;
        RouteTable.Cache cache = new RouteTable.Cache(keys + 5);
        RoutingTable[] tables = {randomTable(random), new RoutingTable(new ChipLocation(1, 0), List.of()),
                randomTable(random)};
        RouteTable[] routes = {new RouteTable(tables[0], cache), new RouteTable(tables[1], cache),
                new RouteTable(tables[2], cache)};
        int matched = 0;
        int differ = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int key = 0; key < keys; key++) {
                for (int r = 0; r < 3; r++) {
                    int expected = tables[r].lookup(key).map(MulticastRoutingEntry::route).orElse(RouteTable.NO_ENTRY);
                    assertEquals(expected, routes[r].route(key, key), String.format("router %d, key 0x%x", r, key));
                    matched += expected == RouteTable.NO_ENTRY ? 0 : 1;
                }
                differ += routes[0].route(key, key) != routes[2].route(key, key) ? 1 : 0;
            }
        }
        assertEquals(true, matched > 0 && matched < 4 * keys, "some keys match, some do not: " + matched);
        assertEquals(RouteTable.NO_ENTRY, routes[1].route(3, 3));
        assertEquals(true, differ > 0, "the two routers route some keys differently");
    }

    private static RoutingTable randomTable(Random random) {
        int[] masks = {0xFFFFFFFF, 0xFFFFFFF0, 0xFFFFFF00, 0xFFFFF0F0};
        List<MulticastRoutingEntry> entries = new ArrayList<>();
        for (int e = 0; e < 300; e++) {
            int mask = masks[random.nextInt(masks.length)];
            entries.add(new MulticastRoutingEntry(random.nextInt(0x4000) & mask, mask, 1 + random.nextInt(0xFFFFFF)));
        }
        return new RoutingTable(new ChipLocation(0, 0), entries);
    }
}
