package org.spinnaker4j.mapper.tdma;

/**
 * One core's place in the TDMA schedule: its stage (how many hops of data flow from the
 * inputs), its slot within the stage, when in the time step it sends its first packet, the
 * time between its sends, and how many scheduled packets it sends per step (softmax
 * synchronisation packets are few and sent as soon as they are ready, outside the schedule).
 */
public record CoreSlot(int stage, int slot, long offsetClocks, long clocksBetweenSends, int packetsPerStep) {

    /** The slot of a core that sends nothing. */
    public static final CoreSlot SILENT = new CoreSlot(-1, -1, 0, 0, 0);

    /** When, after the step starts, this core may send its k-th scheduled packet of the step. */
    public long sendClock(int k) {
        return offsetClocks + k * clocksBetweenSends;
    }
}
