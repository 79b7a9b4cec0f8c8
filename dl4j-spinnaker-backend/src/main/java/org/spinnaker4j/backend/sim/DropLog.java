package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.List;

/** Where packets were dropped, which drops were recovered and which were lost, with the first few described. */
final class DropLog {

    private static final int DESCRIBED = 5;

    private final List<String> firstLosses = new ArrayList<>();
    long dropped;
    long reinjected;
    long lost;

    /** A packet lost for good (not reinjected): described while few. */
    void lost(String where) {
        lost++;
        if (firstLosses.size() < DESCRIBED) {
            firstLosses.add(where);
        }
    }

    List<String> firstLosses() {
        return firstLosses;
    }

    void reset() {
        firstLosses.clear();
        dropped = 0;
        reinjected = 0;
        lost = 0;
    }
}
