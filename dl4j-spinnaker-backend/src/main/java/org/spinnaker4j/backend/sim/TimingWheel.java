package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * The {@link EventQueue}'s events due soon: a ring of buckets of {@value #BUCKET_PS} ps covering
 * the {@value #BUCKETS} buckets from the current time's, each a list of (time, order) pairs
 * kept in that order, with a bitmap of the buckets in use. Adding and removing cost about the
 * same however many events are pending, where a heap's cost grows with their number; an event
 * due beyond the horizon is refused and goes to the {@link EventHeap}.
 */
final class TimingWheel {

    private static final int BUCKET_BITS = 12;
    /** Picoseconds per bucket. */
    static final long BUCKET_PS = 1L << BUCKET_BITS;
    /** Buckets in the ring: the horizon is {@code BUCKETS * BUCKET_PS} ≈ 33.5 µs. */
    static final int BUCKETS = 1 << 13;
    private static final int WORDS = BUCKETS / Long.SIZE;
    private static final int NONE = -1;

    private final int[] heads = new int[BUCKETS];
    private final int[] tails = new int[BUCKETS];
    private final long[] occupied = new long[WORDS];
    /** Entry e: its time, its order, the next entry of its bucket (or the next free entry). */
    private long[] times = new long[1024];
    private long[] orders = new long[1024];
    private int[] next = new int[1024];
    private int free = NONE;
    private int used;
    private int size;
    /** The bucket number (time / BUCKET_PS) of the current time; every entry's is at least this. */
    private long cursor;

    TimingWheel() {
        clear();
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The current time is now {@code time}, no later than any entry. */
    void advance(long time) {
        cursor = time >>> BUCKET_BITS;
    }

    /** Takes the pair if it is due within the horizon; returns whether it did. */
    boolean offer(long time, long order) {
        long bucketNumber = time >>> BUCKET_BITS;
        if (bucketNumber - cursor >= BUCKETS) {
            return false;
        }
        int bucket = (int) (bucketNumber & (BUCKETS - 1));
        int e = newEntry(time, order);
        int tail = tails[bucket];
        if (tail == NONE) {
            heads[bucket] = e;
            tails[bucket] = e;
            occupied[bucket >>> 6] |= 1L << bucket;
        } else if (before(tail, time, order)) {
            next[tail] = e;
            tails[bucket] = e;
        } else {
            insertBefore(bucket, e, time, order);
        }
        size++;
        return true;
    }

    /** Puts entry e into its non-empty bucket before the tail, which is later than it. */
    private void insertBefore(int bucket, int e, long time, long order) {
        int head = heads[bucket];
        if (!before(head, time, order)) {
            next[e] = head;
            heads[bucket] = e;
            return;
        }
        int at = head;
        while (before(next[at], time, order)) {
            at = next[at];
        }
        next[e] = next[at];
        next[at] = e;
    }

    /** Whether entry e comes before (time, order). */
    private boolean before(int e, long time, long order) {
        return times[e] < time || times[e] == time && orders[e] < order;
    }

    private int newEntry(long time, long order) {
        int e;
        if (free != NONE) {
            e = free;
            free = next[e];
        } else {
            if (used == times.length) {
                times = Arrays.copyOf(times, 2 * used);
                orders = Arrays.copyOf(orders, 2 * used);
                next = Arrays.copyOf(next, 2 * used);
            }
            e = used++;
        }
        times[e] = time;
        orders[e] = order;
        next[e] = NONE;
        return e;
    }

    /** Whether the earliest entry comes before ({@code time}, {@code order}), where {@code time} is the current time. */
    boolean firstBefore(long time, long order) {
        int head = heads[(int) (cursor & (BUCKETS - 1))];
        return head != NONE && before(head, time, order);
    }

    /** The bucket holding the earliest entry; the wheel must not be empty. */
    int firstBucket() {
        int start = (int) (cursor & (BUCKETS - 1));
        int word = start >>> 6;
        long bits = occupied[word] & (-1L << start);
        for (int k = 1; bits == 0; k++) {
            word = (word + 1) & (WORDS - 1);
            bits = k < WORDS ? occupied[word] : occupied[word] & ~(-1L << start);
        }
        return word << 6 | Long.numberOfTrailingZeros(bits);
    }

    long time(int bucket) {
        return times[heads[bucket]];
    }

    long order(int bucket) {
        return orders[heads[bucket]];
    }

    /** Removes the earliest entry of {@code bucket}. */
    void removeFirst(int bucket) {
        int e = heads[bucket];
        int after = next[e];
        heads[bucket] = after;
        if (after == NONE) {
            tails[bucket] = NONE;
            occupied[bucket >>> 6] &= ~(1L << bucket);
        }
        next[e] = free;
        free = e;
        size--;
    }

    void clear() {
        Arrays.fill(heads, NONE);
        Arrays.fill(tails, NONE);
        Arrays.fill(occupied, 0);
        free = NONE;
        used = 0;
        size = 0;
        cursor = 0;
    }
}
