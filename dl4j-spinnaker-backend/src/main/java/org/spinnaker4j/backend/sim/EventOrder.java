package org.spinnaker4j.backend.sim;

/**
 * The order of the simulator's events, which each chip can work out on its own: by time, then by the time each was
 * scheduled, then by its origin, the chip it is on and that chip's own count of the events scheduled on it
 * ({@code chip number << COUNT_BITS | count}). A router's and a core's events are on their chip, a link's arrival
 * on its sending chip, and a one-off action on the chip of the event that scheduled it. The chip number of chip (x, y)
 * is {@code 1 + 256 x + y}; 0 is the host, which schedules between runs. No global counter takes part, so chips
 * simulated apart would still put their events in the same order, run after run. Two limits follow from packing the
 * origin into one word: chips up to {@value #MAX_SIDE} × {@value #MAX_SIDE}, and {@code 2^COUNT_BITS} events per chip
 * in a run.
 */
final class EventOrder {

    /** Bits of an origin below its chip number: the chip's count. */
    static final int COUNT_BITS = 40;
    /** The events a chip may schedule in one run. */
    static final long MAX_COUNT = 1L << COUNT_BITS;
    /** Chips per row and per column. */
    static final int MAX_SIDE = 256;
    /** The host's chip number, for one-off events scheduled when no chip's event is running. */
    static final int HOST = 0;
    /** One more than the highest chip number. */
    static final int CHIP_NUMBERS = 1 + MAX_SIDE * MAX_SIDE;

    private EventOrder() {
    }

    /** The number of chip (x, y), from 1; refuses a chip beyond {@value #MAX_SIDE} × {@value #MAX_SIDE}. */
    static int chipNumber(int x, int y) {
        if (x < 0 || y < 0 || x >= MAX_SIDE || y >= MAX_SIDE) {
            throw new IllegalArgumentException("chip (" + x + ", " + y + ") is outside the " + MAX_SIDE + " × "
                    + MAX_SIDE + " chips the embedded simulator can order events for (its chip numbers fill "
                    + (Long.SIZE - 1 - COUNT_BITS) + " bits of an event's origin word); simulate a machine of at most "
                    + MAX_SIDE + " × " + MAX_SIDE + " chips");
        }
        return 1 + MAX_SIDE * x + y;
    }

    /** The origin of the event on chip number {@code chip} after {@code count} others; refuses one too many. */
    static long origin(int chip, long count) {
        if (count == MAX_COUNT) {
            throw new IllegalStateException("chip number " + chip + " has had " + MAX_COUNT + " events scheduled on"
                    + " it in one run, as many as an event's origin word can count; run fewer samples per run");
        }
        return (long) chip << COUNT_BITS | count;
    }

    /** Whether the event (time, scheduledAt, origin) comes before the event (time2, scheduledAt2, origin2). */
    static boolean before(long time, long scheduledAt, long origin, long time2, long scheduledAt2, long origin2) {
        return time < time2 || time == time2 && (scheduledAt < scheduledAt2
                || scheduledAt == scheduledAt2 && origin < origin2);
    }
}
