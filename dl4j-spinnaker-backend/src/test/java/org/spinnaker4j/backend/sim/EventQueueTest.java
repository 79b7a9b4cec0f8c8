package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The event queue runs events in time order, ties in scheduling order, near and far, registered and one-off
 * alike; same-time events that chips scheduled at the same time run by chip number, then in each chip's own order.
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

    /** A lane's window: the events due before its end run, the rest wait, near or far, for the next window. */
    @Test
    void runBeforeRunsOnlyTheEventsDueBeforeItsEnd() {
        EventQueue clock = new EventQueue();
        long far = 3 * TimingWheel.BUCKETS * TimingWheel.BUCKET_PS;
        List<Long> ran = new ArrayList<>();
        for (long t : new long[] {far, 10, 20, 30}) {
            clock.at(t, () -> ran.add(clock.now()));
        }
        clock.runBefore(20);
        assertEquals(List.of(10L), ran);
        assertEquals(20, clock.nextTime());
        clock.runBefore(31);
        assertEquals(List.of(10L, 20L, 30L), ran);
        clock.runBefore(far);
        assertEquals(3, ran.size(), "the far event is due at the end, not before it");
        clock.runBefore(Long.MAX_VALUE);
        assertEquals(List.of(10L, 20L, 30L, far), ran);
        assertEquals(Long.MAX_VALUE, clock.nextTime());
    }

    /**
     * An event one queue schedules, put into another in the place the first gave it ({@link EventQueue#atPlaceOf}),
     * runs among the second's events where one queue holding both would run it: by when it was scheduled, then by its
     * chip's number.
     */
    @Test
    void anEventPlacedFromAnotherQueueRunsWhereOneQueueWouldRunIt() {
        List<String> together = new ArrayList<>();
        EventQueue one = new EventQueue();
        int[] actions = register(one, together);
        one.at(50, () -> {
            one.at(100, actions[0]);
            one.at(100, actions[1]);
            one.at(100, actions[2]);
        });
        one.at(80, () -> one.at(100, actions[1]));
        one.runUntilIdle();

        List<String> apart = new ArrayList<>();
        EventQueue sender = new EventQueue();
        EventQueue receiver = new EventQueue();
        int sent = register(sender, new ArrayList<>())[1];
        int[] own = register(receiver, apart);
        long[] origin = new long[1];
        sender.at(50, () -> origin[0] = sender.at(100, sent));
        receiver.at(50, () -> {
            receiver.at(100, own[0]);
            receiver.at(100, own[2]);
        });
        receiver.at(80, () -> receiver.at(100, own[1]));
        sender.runBefore(60);
        receiver.runBefore(60);
        receiver.atPlaceOf(100, 50, origin[0], own[1]);
        receiver.runUntilIdle();
        assertEquals(together, apart);
        assertThrows(IllegalStateException.class, () -> receiver.atPlaceOf(100, 50, origin[0], own[1]),
                "an event due no later than the queue's clock");
    }

    /** Actions on chips 1, 2 and 3 that add their chip's name to {@code log}. */
    private static int[] register(EventQueue clock, List<String> log) {
        int[] actions = new int[3];
        for (int c = 0; c < 3; c++) {
            String name = "chip " + (c + 1) + " at " + c;
            actions[c] = clock.register(() -> log.add(name + ", " + clock.now()), c + 1);
        }
        return actions;
    }

    @Test
    void eventsDueNowRunAfterThoseScheduledEarlierForNowInTheWheelOrTheHeap() {
        EventQueue clock = new EventQueue();
        long far = 3 * TimingWheel.BUCKETS * TimingWheel.BUCKET_PS; // beyond the wheel: in the heap
        List<String> ran = new ArrayList<>();
        clock.at(far, () -> {
            ran.add("first");
            clock.at(far, () -> ran.add("scheduled by first"));
        });
        clock.at(far - 100, () -> clock.at(far, () -> ran.add("scheduled before, in the wheel")));
        clock.at(far, () -> ran.add("second, in the heap"));
        clock.runUntilIdle();
        assertEquals(List.of("first", "second, in the heap", "scheduled before, in the wheel", "scheduled by first"),
                ran);
        assertEquals(far, clock.now());
    }

    @Test
    void sameTimeEventsRunByChipNumberWhateverOrderTheyWereScheduledIn() {
        long far = 3 * TimingWheel.BUCKETS * TimingWheel.BUCKET_PS; // beyond the wheel: in the heap
        for (boolean seventhFirst : new boolean[] {true, false}) {
            EventQueue clock = new EventQueue();
            List<String> ran = new ArrayList<>();
            int seventh = EventOrder.chipNumber(0, 7);
            int third = EventOrder.chipNumber(0, 3);
            int onSeventh = clock.register(() -> scheduleEach(clock, ran, "7", far), seventh);
            int onThird = clock.register(() -> scheduleEach(clock, ran, "3", far), third);
            clock.at(10, seventhFirst ? onSeventh : onThird);
            clock.at(10, seventhFirst ? onThird : onSeventh);
            clock.runUntilIdle();
            assertEquals(List.of("3 ran", "7 ran", "3 now", "7 now", "3 soon", "7 soon", "3 far", "7 far"), ran,
                    seventhFirst ? "chip (0, 7)'s event scheduled first" : "chip (0, 3)'s event scheduled first");
        }
    }

    /**
     * Schedules one-off events (on the running event's chip) named after the chip, one due now, one soon and one far
     * (in the heap), the far one first.
     */
    private static void scheduleEach(EventQueue clock, List<String> ran, String chip, long far) {
        ran.add(chip + " ran");
        clock.at(far, () -> ran.add(chip + " far"));
        clock.after(1_000, () -> ran.add(chip + " soon"));
        clock.after(0, () -> ran.add(chip + " now"));
    }

    @Test
    void aChipsOwnCountOrdersItsEventsAndWhenTheyWereScheduledComesBeforeTheChip() {
        EventQueue clock = new EventQueue();
        List<String> ran = new ArrayList<>();
        int onLow = clock.register(() -> ran.add("low chip's action, scheduled at 5 by the high chip"),
                EventOrder.chipNumber(0, 0));
        int high = clock.register(() -> {
            clock.at(100, () -> ran.add("high chip, scheduled at 5"));
            clock.at(100, onLow);
        }, EventOrder.chipNumber(200, 200));
        int low = clock.register(() -> {
            clock.at(100, () -> ran.add("low chip, scheduled at 10, first"));
            clock.at(100, () -> ran.add("low chip, scheduled at 10, second"));
            clock.at(10, () -> ran.add("low chip, due now, first"));
            clock.at(10, () -> ran.add("low chip, due now, second"));
        }, EventOrder.chipNumber(0, 0));
        clock.at(10, low);
        clock.at(5, high);
        clock.runUntilIdle();
        assertEquals(List.of("low chip, due now, first", "low chip, due now, second",
                "low chip's action, scheduled at 5 by the high chip", "high chip, scheduled at 5",
                "low chip, scheduled at 10, first", "low chip, scheduled at 10, second"), ran);
    }

    @Test
    void refusesChipsItCannotNumberAndNumbersTheLastItCan() {
        EventQueue clock = new EventQueue();
        assertEquals(EventOrder.CHIP_NUMBERS - 1, EventOrder.chipNumber(255, 255));
        assertThrows(IllegalArgumentException.class, () -> EventOrder.chipNumber(256, 0));
        assertThrows(IllegalArgumentException.class, () -> EventOrder.chipNumber(0, 256));
        assertThrows(IllegalArgumentException.class, () -> EventOrder.chipNumber(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> clock.register(() -> { }, EventOrder.CHIP_NUMBERS));
        assertThrows(IllegalArgumentException.class, () -> clock.register(() -> { }, -1));
    }

    @Test
    void refusesAChipsEventBeyondWhatItsOriginCanCount() {
        int chip = EventOrder.chipNumber(255, 255);
        long last = EventOrder.origin(chip, EventOrder.MAX_COUNT - 1);
        assertEquals(chip, last >>> EventOrder.COUNT_BITS);
        assertEquals(EventOrder.MAX_COUNT - 1, last & (EventOrder.MAX_COUNT - 1));
        assertEquals(true, last > 0, "origins stay positive");
        assertThrows(IllegalStateException.class, () -> EventOrder.origin(chip, EventOrder.MAX_COUNT));
    }

    @Test
    void aDeferredEventCountsAndOrdersAsIfItHadBeenScheduled() {
        for (int seed = 0; seed < 20; seed++) {
            Worker scheduled = new Worker(seed, false);
            Worker deferred = new Worker(seed, true);
            assertEquals(scheduled.starts, deferred.starts, "seed " + seed);
            assertEquals(scheduled.clock.processed(), deferred.clock.processed(), "seed " + seed);
            assertEquals(scheduled.clock.now(), deferred.clock.now(), "seed " + seed);
        }
    }

    @Test
    void deferredEventsOutliveTheActionsGrowthAndAreForgottenOnReset() {
        EventQueue clock = new EventQueue();
        List<Integer> ran = new ArrayList<>();
        List<Integer> actions = new ArrayList<>();
        for (int k = 0; k < 1_000; k++) {
            int id = k;
            actions.add(clock.register(() -> ran.add(id), EventOrder.HOST));
        }
        clock.defer(5_000, actions.get(900));
        assertThrows(IllegalStateException.class, () -> clock.defer(6_000, actions.get(900)));
        for (int k = 1_000; k < 1_500; k++) { // the queue's arrays grow while 900 is deferred
            int id = k;
            actions.add(clock.register(() -> ran.add(id), EventOrder.HOST));
        }
        clock.defer(4_000, actions.get(1_400));
        assertFalse(clock.settle(actions.get(3)), "never deferred");
        clock.runUntilIdle();
        assertEquals(List.of(1_400, 900), ran);
        assertEquals(5_000, clock.now());
        assertEquals(2, clock.processed());

        ran.clear();
        clock.reset();
        clock.defer(7_000, actions.get(900)); // run, so free to be deferred again
        clock.reset(); // forgotten
        clock.runUntilIdle();
        assertEquals(List.of(), ran);
        assertEquals(0, clock.processed());
        clock.defer(2_000, actions.get(900)); // and free again after the reset
        clock.at(1_000, () -> assertFalse(clock.settle(actions.get(900)), "due later: it goes into the queue"));
        clock.runUntilIdle();
        assertEquals(List.of(900), ran);
        assertEquals(2_000, clock.now());
        assertEquals(2, clock.processed());
    }

    /**
     * Jobs arrive at random times (ties and far ones among them) at a worker that does one at a time, as a core
     * handles packets; with {@code defer}, it defers the end of a job when no other job waits, as {@link SimCore}
     * does. Each job's start is recorded as (time, job).
     */
    private static final class Worker {
        final EventQueue clock = new EventQueue();
        final List<List<Long>> starts = new ArrayList<>();
        private final boolean defer;
        private final Random random;
        private final java.util.ArrayDeque<Integer> waiting = new java.util.ArrayDeque<>();
        private final int endEvent = clock.register(this::end, EventOrder.HOST);
        private boolean busy;

        Worker(int seed, boolean defer) {
            this.defer = defer;
            this.random = new Random(seed);
            for (int run = 0; run < 2; run++) {
                for (int job = 0; job < 300; job++) {
                    int id = job;
                    long at = random.nextInt(10) == 0 ? 5 * TimingWheel.BUCKETS * TimingWheel.BUCKET_PS
                            : 1000L * random.nextInt(2_000);
                    clock.at(at, () -> arrive(id));
                }
                clock.runUntilIdle();
                starts.add(List.of(-1L, clock.now()));
            }
        }

        private void arrive(int job) {
            waiting.add(job);
            if (busy && clock.settle(endEvent)) {
                busy = false;
            }
            if (!busy) {
                startNext();
            }
        }

        private void startNext() {
            starts.add(List.of(clock.now(), (long) waiting.poll()));
            busy = true;
            long done = clock.now() + 1000L * random.nextInt(4);
            if (defer && waiting.isEmpty()) {
                clock.defer(done, endEvent);
            } else {
                clock.at(done, endEvent);
            }
        }

        private void end() {
            busy = false;
            if (!waiting.isEmpty()) {
                startNext();
            }
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
            clock.after(delay, clock.register(action, EventOrder.HOST));
        } else {
            clock.after(delay, action);
        }
    }
}
