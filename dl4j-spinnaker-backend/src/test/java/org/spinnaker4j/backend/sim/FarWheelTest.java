package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The far wheel finds its earliest bucket anywhere round its ring and hands whole buckets to the timing wheel; the
 * event queue runs events spread over the timing wheel, the far wheel and the heap beyond it in time order.
 */
class FarWheelTest {

    private static final long FAR_HORIZON = FarWheel.BUCKETS * FarWheel.BUCKET_PS;

    @Test
    void findsALoneEntryAnywhereRoundTheRingAndReleasesIt() {
        FarWheel far = new FarWheel();
        TimingWheel wheel = new TimingWheel();
        for (int ahead = 2; ahead <= FarWheel.BUCKETS + 1; ahead += ahead < 200 ? 1 : 37) {
            far.clear();
            wheel.clear();
            long start = 3 * FarWheel.BUCKET_PS; // the current time's bucket is 3: buckets 2..4 belong to the wheel
            wheel.advance(start);
            far.releaseThrough(4, wheel);
            long time = (3 + ahead) * FarWheel.BUCKET_PS + ahead;
            assertEquals(true, far.offer(time, 5, 7, 11), "ahead " + ahead);
            assertEquals((3 + ahead) * FarWheel.BUCKET_PS, far.firstStart(), "ahead " + ahead);
            wheel.advance(far.firstStart());
            far.releaseThrough(3 + ahead + 1, wheel);
            assertEquals(true, far.isEmpty());
            int bucket = wheel.firstBucket();
            assertEquals(time, wheel.time(bucket));
            assertEquals(5, wheel.scheduledAt(bucket));
            assertEquals(7, wheel.origin(bucket));
            assertEquals(11, wheel.action(bucket));
        }
    }

    @Test
    void refusesEntriesOfReleasedBucketsAndBeyondTheHorizon() {
        FarWheel far = new FarWheel();
        assertEquals(false, far.offer(FarWheel.BUCKET_PS + 5, 0, 1, 1)); // bucket 1 is the timing wheel's
        assertEquals(true, far.offer(2 * FarWheel.BUCKET_PS, 0, 2, 2));
        assertEquals(true, far.offer(FAR_HORIZON + FarWheel.BUCKET_PS, 0, 3, 3));
        assertEquals(false, far.offer(FAR_HORIZON + 2 * FarWheel.BUCKET_PS, 0, 4, 4)); // for the heap
    }

    @Test
    void runsEventsNearFarAndBeyondTheFarWheelInTimeThenSchedulingOrder() {
        Random random = new Random(15);
        EventQueue clock = new EventQueue();
        List<long[]> scheduled = new ArrayList<>();
        List<long[]> ran = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            clock.reset();
            scheduled.clear();
            ran.clear();
            for (int k = 0; k < 3_000; k++) {
                schedule(clock, random, scheduled, ran, 2);
            }
            clock.runUntilIdle();
            List<long[]> expected = new ArrayList<>(scheduled);
            expected.sort(Comparator.<long[]>comparingLong(s -> s[0]).thenComparingLong(s -> s[1]));
            assertEquals(expected.size(), ran.size());
            for (int k = 0; k < expected.size(); k++) {
                assertEquals(expected.get(k)[0], ran.get(k)[0], "event " + k + " of round " + round);
                assertEquals(expected.get(k)[1], ran.get(k)[1], "event " + k + " of round " + round);
            }
        }
    }

    /** Schedules one event (due in the timing wheel, the far wheel or beyond) that may schedule {@code depth} more. */
    private static void schedule(EventQueue clock, Random random, List<long[]> scheduled, List<long[]> ran,
            int depth) {
        long delay = switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1 << 20);
            case 2 -> (long) (random.nextDouble() * 3 * FarWheel.BUCKET_PS);
            case 3 -> FarWheel.BUCKET_PS * random.nextInt(4) + random.nextInt(3); // ties at bucket starts
            case 4 -> (long) (random.nextDouble() * FAR_HORIZON);
            default -> (long) (random.nextDouble() * 3 * FAR_HORIZON);
        };
        long[] s = {clock.now() + delay, scheduled.size()};
        scheduled.add(s);
        clock.at(s[0], () -> {
            ran.add(s);
            if (depth > 0 && random.nextBoolean()) {
                schedule(clock, random, scheduled, ran, depth - 1);
            }
        });
    }
}
