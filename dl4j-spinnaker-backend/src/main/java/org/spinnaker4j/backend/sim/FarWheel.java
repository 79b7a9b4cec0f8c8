package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * The {@link EventQueue}'s events due beyond the {@link TimingWheel}'s reach and within about 69 ms: a ring of
 * {@value #BUCKETS} coarse buckets of {@value #BUCKET_PS} ps (half the timing wheel's horizon), each an unsorted list
 * of events (entries of the {@link EntryPool} it is). A bucket is released whole into the timing wheel,
 * which sorts its events, once the current time reaches the bucket before it; so each far event is moved once, where a
 * heap would sift it through a dozen levels on the way in and out (a core's TDMA sends are scheduled up to 27.8 ms
 * ahead). Buckets up to {@link #released()} are empty: their events belong in the timing wheel.
 */
final class FarWheel extends EntryPool {

    /** Bits of a time below its bucket number: a bucket is half the timing wheel's horizon. */
    static final int BUCKET_BITS = Long.numberOfTrailingZeros(TimingWheel.BUCKETS * TimingWheel.BUCKET_PS) - 1;
    /** Picoseconds per bucket, ≈ 16.8 µs. */
    static final long BUCKET_PS = 1L << BUCKET_BITS;
    /** Buckets in the ring: the horizon is {@code BUCKETS * BUCKET_PS} ≈ 68.7 ms. */
    static final int BUCKETS = 1 << 12;
    private static final int WORDS = BUCKETS / Long.SIZE;

    /** Bucket b's first entry at {@code ends[2b]}, its last at {@code ends[2b + 1]} (entry numbers, or NONE). */
    private final int[] ends = new int[2 * BUCKETS];
    private final long[] occupied = new long[WORDS];
    private int size;
    /** The number of the last bucket released into the timing wheel. */
    private long released;

    FarWheel() {
        clear();
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The number of the last bucket released: an event due in a bucket up to it belongs in the timing wheel. */
    long released() {
        return released;
    }

    /** Whether an event due at {@code time} belongs in the timing wheel: its bucket has been released. */
    boolean isReleased(long time) {
        return time >>> BUCKET_BITS <= released;
    }

    /** Takes the event if its bucket is after the released ones and within the horizon; returns whether it did. */
    boolean offer(long time, long scheduledAt, long origin, int action) {
        long number = time >>> BUCKET_BITS;
        if (number <= released || number - released > BUCKETS) {
            return false;
        }
        int bucket = (int) (number & (BUCKETS - 1));
        int e = take(time, scheduledAt, origin, action);
        int tail = ends[2 * bucket + 1];
        if (tail == NONE) {
            ends[2 * bucket] = e;
            occupied[bucket >>> 6] |= 1L << bucket;
        } else {
            setNext(tail, e);
        }
        ends[2 * bucket + 1] = e;
        size++;
        return true;
    }

    /** The start of the earliest bucket in use; the wheel must not be empty. */
    long firstStart() {
        long from = released + 1;
        int start = (int) (from & (BUCKETS - 1));
        int word = start >>> 6;
        long bits = occupied[word] & (-1L << start);
        while (bits == 0) {
            word = (word + 1) & (WORDS - 1);
            bits = occupied[word];
        }
        int bucket = word << 6 | Long.numberOfTrailingZeros(bits);
        return from + ((bucket - start) & (BUCKETS - 1)) << BUCKET_BITS;
    }

    /**
     * Moves the events of every bucket up to number {@code last} into {@code wheel}, whose current time must be in
     * bucket {@code last - 1} or later (so that they are within its horizon).
     */
    void releaseThrough(long last, TimingWheel wheel) {
        long end = Math.min(last, released + BUCKETS);
        for (long number = released + 1; number <= end && size > 0; number++) {
            releaseBucket((int) (number & (BUCKETS - 1)), wheel);
        }
        released = Math.max(released, last);
    }

    /** Moves the bucket's events, in the order they came, into the timing wheel, and frees its entries. */
    private void releaseBucket(int bucket, TimingWheel wheel) {
        int first = ends[2 * bucket];
        if (first == NONE) {
            return;
        }
        for (int e = first; e != NONE; e = next(e)) {
            if (!wheel.offer(timeOf(e), scheduledAtOf(e), originOf(e), actionOf(e))) {
                throw new IllegalStateException("a far event beyond the timing wheel's horizon");
            }
            size--;
        }
        free(first, ends[2 * bucket + 1]);
        ends[2 * bucket] = NONE;
        ends[2 * bucket + 1] = NONE;
        occupied[bucket >>> 6] &= ~(1L << bucket);
    }

    /** Forgets every entry; the current time is 0 (buckets 0 and 1 are the timing wheel's). */
    void clear() {
        Arrays.fill(ends, NONE);
        Arrays.fill(occupied, 0);
        clearEntries();
        size = 0;
        released = 1;
    }
}
