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
                assertEquals(true, wheel.offer(time, 42));
                int bucket = wheel.firstBucket();
                assertEquals(time, wheel.time(bucket), "now " + now + ", " + ahead + " buckets ahead");
                wheel.removeFirst(bucket);
                assertEquals(true, wheel.isEmpty());
            }
        }
    }

    @Test
    void findsTheEarliestOfEntriesSpreadRoundTheRing() {
        TimingWheel wheel = new TimingWheel();
        long now = 1_000 * TimingWheel.BUCKET_PS;
        wheel.advance(now);
        long[] aheads = {TimingWheel.BUCKETS - 1, 7_000, 4_097, 130, 64, 1};
        for (int k = 0; k < aheads.length; k++) {
            wheel.offer(now + aheads[k] * TimingWheel.BUCKET_PS, k);
        }
        for (int k = aheads.length - 1; k >= 0; k--) {
            int bucket = wheel.firstBucket();
            assertEquals(now + aheads[k] * TimingWheel.BUCKET_PS, wheel.time(bucket));
            assertEquals(k, wheel.order(bucket));
            wheel.removeFirst(bucket);
        }
        assertEquals(true, wheel.isEmpty());
    }
}
