package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The event queue runs events in time order, ties in scheduling order, near and far, registered and one-off
 * alike.
 */
class EventQueueTest {

    /** An event as scheduled: when it is due and its place in the scheduling order. */
    private record Scheduled(long time, int seq) {
    }

    @Test
    void runsEventsByTimeThenSchedulingOrder() {
        Random random = new Random(7);
        EventQueue clock = new EventQueue();
        List<Scheduled> scheduled = new ArrayList<>();
        List<Scheduled> ran = new ArrayList<>();
        long horizon = TimingWheel.BUCKETS * TimingWheel.BUCKET_PS;
        for (int round = 0; round < 3; round++) {
            clock.reset();
            scheduled.clear();
            ran.clear();
            for (int k = 0; k < 2_000; k++) {
                schedule(clock, random, horizon, scheduled, ran, 3);
            }
            clock.runUntilIdle();
            List<Scheduled> expected = new ArrayList<>(scheduled);
            expected.sort(Comparator.comparingLong(Scheduled::time).thenComparingInt(Scheduled::seq));
            assertEquals(expected, ran);
            assertEquals(scheduled.size(), clock.processed());
        }
    }

    /** Schedules one event (a tie, one in a nearby bucket, a near one or one beyond the wheel) that may schedule {@code depth} more. */
    private static void schedule(EventQueue clock, Random random, long horizon, List<Scheduled> scheduled,
            List<Scheduled> ran, int depth) {
        long delay = switch (random.nextInt(5)) {
            case 0 -> 0;
            case 1 -> random.nextInt(8) * TimingWheel.BUCKET_PS / 2;
            case 2 -> random.nextInt(3 * (int) TimingWheel.BUCKET_PS); // out of order within a bucket
            case 3 -> (long) (random.nextDouble() * horizon);
            default -> horizon + (long) (random.nextDouble() * 10 * horizon);
        };
        Scheduled s = new Scheduled(clock.now() + delay, scheduled.size());
        scheduled.add(s);
        Runnable action = () -> {
            assertEquals(s.time(), clock.now());
            ran.add(s);
            if (depth > 0 && random.nextBoolean()) {
                schedule(clock, random, horizon, scheduled, ran, depth - 1);
            }
        };
        if (random.nextBoolean()) {
            clock.after(delay, clock.register(action));
        } else {
            clock.after(delay, action);
        }
    }
}
