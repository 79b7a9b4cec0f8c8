package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;

/** A router's routes by key number are those of the table's first matching entry, overlapping entries too. */
class RouteTableTest {

    @Test
    void routesLikeTheFirstMatchingEntry() {
        Random random = new Random(11);
        int[] masks = {0xFFFFFFFF, 0xFFFFFFF0, 0xFFFFFF00, 0xFFFFF0F0};
        List<MulticastRoutingEntry> entries = new ArrayList<>();
        for (int e = 0; e < 300; e++) {
            int mask = masks[random.nextInt(masks.length)];
            entries.add(new MulticastRoutingEntry(random.nextInt(0x4000) & mask, mask, 1 + random.nextInt(0xFFFFFF)));
        }
        RoutingTable table = new RoutingTable(new ChipLocation(0, 0), entries);
        int keys = 0x4000;
        RouteTable routes = new RouteTable(table, keys);
        int matched = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int key = 0; key < keys; key++) {
                int expected = table.lookup(key).map(MulticastRoutingEntry::route).orElse(RouteTable.NO_ENTRY);
                assertEquals(expected, routes.route(key, key), String.format("key 0x%x", key));
                matched += expected == RouteTable.NO_ENTRY ? 0 : 1;
            }
        }
        assertEquals(true, matched > 0 && matched < 2 * keys, "some keys match, some do not: " + matched);
    }
}
