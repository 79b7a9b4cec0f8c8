package org.spinnaker4j.backend.sim;

/**
 * For a simulator left to choose its host threads: whether a run that may go on two {@link Lanes} does, by which of
 * one thread and two lanes last ran this simulator's runs faster (host nanoseconds an event). Each is tried once
 * first, one thread first (lanes lose on mappings whose chips exchange few packets, where each window holds little
 * work); then the faster runs, and now and then the other once more, so that a host that gets busier or idler is
 * noticed: after {@link #FIRST_PROBE} runs, then twice as many each time the probe leaves the choice as it was (up to
 * {@link #LONGEST_PROBE}), and {@link #FIRST_PROBE} again once a probe changes it. Either way a run's results are the
 * same bits.
 */
final class LaneChoice {

    /** Runs of the faster before the first probe of the slower, and after a probe that changed the choice. */
    static final int FIRST_PROBE = 8;
    /** The most runs of the faster between two probes. */
    static final int LONGEST_PROBE = 128;

    /** Host nanoseconds an event on one thread [0] and on lanes [1], as last measured; NaN before. */
    private final double[] nanosPerEvent = {Double.NaN, Double.NaN};
    private int probeEvery = FIRST_PROBE;
    private int sinceProbe;
    private boolean probing;

    /** Whether the next run goes on lanes. */
    boolean onLanes() {
        if (Double.isNaN(nanosPerEvent[0])) {
            return false;
        }
        if (Double.isNaN(nanosPerEvent[1])) {
            return true;
        }
        probing = ++sinceProbe >= probeEvery;
        return probing != lanesFaster();
    }

    /** The run just chosen for, on lanes or one thread, took {@code nanos} of host time for {@code events} events. */
    void measured(boolean lanes, long nanos, long events) {
        if (events <= 0) {
            return;
        }
        boolean lanesFasterBefore = lanesFaster();
        nanosPerEvent[lanes ? 1 : 0] = (double) nanos / events;
        if (probing) {
            probing = false;
            sinceProbe = 0;
            probeEvery = lanesFaster() == lanesFasterBefore ? Math.min(2 * probeEvery, LONGEST_PROBE) : FIRST_PROBE;
        }
    }

    private boolean lanesFaster() {
        return nanosPerEvent[1] < nanosPerEvent[0];
    }
}
