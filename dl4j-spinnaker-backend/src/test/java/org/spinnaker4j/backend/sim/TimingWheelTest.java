package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The timing wheel finds its earliest entry however far ahead of the current time it lies round the ring: in the
 * current time's word of the bitmap, in a later word, or in the current time's word again after the ring wraps.
 */
class TimingWheelTest {

    @Test
    void findsALoneEntryAnywhereWithinTheHorizon() {
        TimingWheel wheel = new TimingWheel();
        long[] starts = {0, 5 * TimingWheel.BUCKET_PS, 63 * TimingWheel.BUCKET_PS,
                (3L * TimingWheel.BUCKETS + 4_000) * TimingWheel.BUCKET_PS + 17};
        for (long now : starts) {
            for (long ahead = 0; ahead < TimingWheel.BUCKETS; ahead += ahead < 200 ? 1 : 61) {
                wheel.clear();
                wheel.advance(now);
                long time = now + ahead * TimingWheel.BUCKET_PS;
                assertEquals(true, wheel.offer(time, 0, 42, 9));
                int bucket = wheel.firstBucket();
                assertEquals(time, wheel.time(bucket), "now " + now + ", " + ahead + " buckets ahead");
                wheel.removeFirst(bucket);
                assertEquals(true, wheel.isEmpty());
            }
        }
    }

    @Test
    void keepsABucketsEventsInTheEventOrder() {
        TimingWheel wheel = new TimingWheel();
        long time = 10 * TimingWheel.BUCKET_PS + 5;
        long[][] events = {{time, 20, 3}, {time - 1, 90, 9}, {time, 10, 8}, {time, 20, 1}, {time + 1, 0, 0}};
        for (int k = 0; k < events.length; k++) {
            wheel.offer(events[k][0], events[k][1], events[k][2], k);
        }
        for (int expected : new int[] {1, 2, 3, 0, 4}) { // by time, then when scheduled, then origin
            int bucket = wheel.firstBucket();
            assertEquals(expected, wheel.action(bucket));
            wheel.removeFirst(bucket);
        }
        assertEquals(true, wheel.isEmpty());
    }

    @Test
    void findsTheEarliestOfEntriesSpreadRoundTheRing() {
        TimingWheel wheel = new TimingWheel();
        long now = 1_000 * TimingWheel.BUCKET_PS;
        wheel.advance(now);
        long[] aheads = {TimingWheel.BUCKETS - 1, 7_000, 4_097, 130, 64, 1};
        for (int k = 0; k < aheads.length; k++) {
            wheel.offer(now + aheads[k] * TimingWheel.BUCKET_PS, now, k, 100 + k);
        }
        for (int k = aheads.length - 1; k >= 0; k--) {
            int bucket = wheel.firstBucket();
            assertEquals(now + aheads[k] * TimingWheel.BUCKET_PS, wheel.time(bucket));
            assertEquals(now, wheel.scheduledAt(bucket));
            assertEquals(k, wheel.origin(bucket));
            assertEquals(100 + k, wheel.action(bucket));
            wheel.removeFirst(bucket);
        }
        assertEquals(true, wheel.isEmpty());
    }
}
