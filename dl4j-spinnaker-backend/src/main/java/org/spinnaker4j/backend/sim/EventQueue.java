package org.spinnaker4j.backend.sim;

import java.util.PriorityQueue;

/** The simulator's clock and pending events, in time order (ties in the order they were scheduled). */
final class EventQueue {

    /** Picoseconds per 200 MHz core clock. */
    static final long PS_PER_CORE_CLOCK = 5_000;

    private record Event(long time, long seq, Runnable action) {
    }

    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
            a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private long seq;
    private long now;
    private long processed;

    /** The current time in picoseconds. */
    long now() {
        return now;
    }

    void at(long time, Runnable action) {
        events.add(new Event(Math.max(time, now), seq++, action));
    }

    void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs events until none is left. */
    void runUntilIdle() {
        Event e;
        while ((e = events.poll()) != null) {
            now = e.time;
            processed++;
            e.action.run();
        }
    }

    long processed() {
        return processed;
    }

    void reset() {
        events.clear();
        now = 0;
        processed = 0;
    }
}
