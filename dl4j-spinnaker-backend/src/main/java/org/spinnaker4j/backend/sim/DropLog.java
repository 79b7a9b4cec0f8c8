package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where packets were dropped, which drops were recovered and which were lost, with the first
 * few described and the causes of the router's losses.
 */
final class DropLog {

    private static final int DESCRIBED = 5;

    private final List<String> firstLosses = new ArrayList<>();
    private final Set<LossCause> routerLossCauses = EnumSet.noneOf(LossCause.class);
    long dropped;
    long reinjected;
    long lost;

    /**
     * A packet lost for good (not reinjected): described while few ({@code where} is asked only then: a run that
     * loses many packets would spend much of its time formatting descriptions no one reads).
     */
    void lost(Supplier<String> where) {
        lost++;
        if (firstLosses.size() < DESCRIBED) {
            firstLosses.add(where.get());
        }
    }

    /** A packet a router lost for good, for {@code cause}. */
    void lost(LossCause cause, Supplier<String> where) {
        routerLossCauses.add(cause);
        lost(where);
    }

    List<String> firstLosses() {
        return firstLosses;
    }

    /** Why routers lost packets; a core's losses are its {@code receiveDrops}. */
    Set<LossCause> routerLossCauses() {
        return routerLossCauses;
    }

    void reset() {
        firstLosses.clear();
        routerLossCauses.clear();
        dropped = 0;
        reinjected = 0;
        lost = 0;
    }
}
