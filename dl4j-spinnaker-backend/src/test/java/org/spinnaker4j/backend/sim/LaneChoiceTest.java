package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * A simulator choosing its host threads tries one thread, then lanes, then runs the faster, probing the slower after 8
 * runs, then after twice as many while the probes change nothing, and after 8 again once one does.
 */
class LaneChoiceTest {

    /** The runs (numbered from 1) that went on lanes, of {@code runs}, run r taking {@code nanos} an event. */
    private static List<Integer> runsOnLanes(int runs, IntToLongFunction lanesNanos, long oneNanos) {
        LaneChoice choice = new LaneChoice();
        List<Integer> onLanes = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            boolean lanes = choice.onLanes();
            if (lanes) {
                onLanes.add(r);
            }
            choice.measured(lanes, (lanes ? lanesNanos.applyAsLong(r) : oneNanos) * 1000, 1000);
        }
        return onLanes;
    }

    /** The runs from 1 to {@code last} but {@code but}. */
    private static List<Integer> allBut(int last, List<Integer> but) {
        List<Integer> runs = new ArrayList<>();
        for (int r = 1; r <= last; r++) {
            if (!but.contains(r)) {
                runs.add(r);
            }
        }
        return runs;
    }

    @Test
    void fasterLanesRunAllButTheFirstRunAndTheProbes() {
        // probes of one thread at runs 10 (the 8th after run 2), 26 (the 16th after), 58 (the 32nd after)
        assertEquals(allBut(70, List.of(1, 10, 26, 58)), runsOnLanes(70, r -> 40, 60));
    }

    @Test
    void slowerLanesRunOnlyTheSecondRunAndTheProbes() {
        assertEquals(List.of(2, 10, 26, 58), runsOnLanes(70, r -> 90, 60));
    }

    /** A host that gets busy: lanes slow down from run 5, which that run measures; after it, lanes only probe. */
    @Test
    void lanesThatSlowDownAreLeftAtOnce() {
        assertEquals(List.of(2, 3, 4, 5, 10, 26), runsOnLanes(40, r -> r < 5 ? 40 : 200, 60));
    }

    /**
     * A host that gets idle: lanes are slower at run 2, faster from run 8; the probe at run 10 finds it, and the next
     * probe (of one thread) comes 8 runs later, at run 18, then 16 after it.
     */
    @Test
    void aProbeThatChangesTheChoiceProbesAgainAfterEightRuns() {
        List<Integer> oneThread = new ArrayList<>(List.of(1, 3, 4, 5, 6, 7, 8, 9, 18, 34));
        assertEquals(allBut(40, oneThread), runsOnLanes(40, r -> r < 8 ? 90 : 40, 60));
    }

    /** A run of no events (nothing to measure) changes nothing. */
    @Test
    void aRunOfNoEventsIsNotMeasured() {
        LaneChoice choice = new LaneChoice();
        assertFalse(choice.onLanes());
        choice.measured(false, 1000, 0);
        assertFalse(choice.onLanes());
    }
}
