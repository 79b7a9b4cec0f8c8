package org.spinnaker4j.backend.sim;

import java.util.Arrays;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;

/**
 * A router's route for each key, by its {@link KeyIds} number: looked up in the chip's routing
 * table (first matching entry) the first time the key comes by, then read from an array.
 */
final class RouteTable {

    /** The route of a key without an entry. */
    static final int NO_ENTRY = -1;
    private static final int UNKNOWN = Integer.MIN_VALUE;

    private final RoutingTable table;
    private final int[] routes;

    RouteTable(RoutingTable table, int keys) {
        this.table = table;
        this.routes = new int[keys];
        Arrays.fill(routes, UNKNOWN);
    }

    /** The route word of {@code key} (numbered {@code keyId}), or {@link #NO_ENTRY}. */
    int route(int key, int keyId) {
        int route = routes[keyId];
        if (route == UNKNOWN) {
            route = table.lookup(key).map(MulticastRoutingEntry::route).orElse(NO_ENTRY);
            routes[keyId] = route;
        }
        return route;
    }
}
