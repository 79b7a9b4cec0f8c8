package org.spinnaker4j.backend.sim;

import java.util.function.IntUnaryOperator;

/** A router's key → route answers, remembered: open addressing over int arrays (keys are any 32-bit value). */
final class RouteCache {

    private int[] keys = new int[64];
    private int[] routes = new int[64];
    private boolean[] used = new boolean[64];
    private int size;

    /** The route of {@code key}, computed once by {@code lookup}. */
    int get(int key, IntUnaryOperator lookup) {
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (used[i]) {
            if (keys[i] == key) {
                return routes[i];
            }
            i = (i + 1) & mask;
        }
        int route = lookup.applyAsInt(key);
        keys[i] = key;
        routes[i] = route;
        used[i] = true;
        if (++size * 2 > keys.length) {
            grow();
        }
        return route;
    }

    private void grow() {
        int[] oldKeys = keys;
        int[] oldRoutes = routes;
        boolean[] oldUsed = used;
        keys = new int[oldKeys.length * 2];
        routes = new int[oldKeys.length * 2];
        used = new boolean[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldUsed[j]) {
                int i = mix(oldKeys[j]) & mask;
                while (used[i]) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                routes[i] = oldRoutes[j];
                used[i] = true;
            }
        }
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
