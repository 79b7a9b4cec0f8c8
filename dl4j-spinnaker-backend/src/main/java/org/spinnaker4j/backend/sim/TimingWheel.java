package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * The {@link EventQueue}'s events due soon: a ring of buckets of {@value #BUCKET_PS} ps covering the {@value #BUCKETS}
 * buckets from the current time's, each a list of events kept in their {@link EventOrder} (entries of the
 * {@link EntryPool} it is), with a bitmap of the buckets in use. Adding and removing cost about the same however many
 * events are pending, where a heap's cost grows with their number; an event due beyond the horizon is refused and goes
 * to the {@link FarWheel} or the {@link EventHeap}. The simulator's working set is larger than the host's caches, so
 * the layout counts: an entry's words lie side by side, and so do a bucket's head and tail, so adding or removing an
 * entry touches a few cache lines rather than one per array.
 */
final class TimingWheel extends EntryPool {

    private static final int BUCKET_BITS = 12;
    /** Picoseconds per bucket. */
    static final long BUCKET_PS = 1L << BUCKET_BITS;
    /** Buckets in the ring: the horizon is {@code BUCKETS * BUCKET_PS} ≈ 33.5 µs. */
    static final int BUCKETS = 1 << 13;
    private static final int WORDS = BUCKETS / Long.SIZE;
    /** Longs of the summary bitmap: one bit per word of {@link #occupied}. */
    private static final int SUMMARY_WORDS = WORDS / Long.SIZE;

    /** Bucket b's first entry at {@code ends[2b]}, its last at {@code ends[2b + 1]} (entry numbers, or NONE). */
    private final int[] ends = new int[2 * BUCKETS];
    private final long[] occupied = new long[WORDS];
    /**
     * Bit w set while {@code occupied[w]} is not 0, so that finding the earliest bucket when the next event is far
     * off reads two longs rather than walking up to {@value #WORDS} words (that walk was 8 % of the event loop's
     * samples in an MNIST inference).
     */
    private final long[] summary = new long[SUMMARY_WORDS];
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

    /** Takes the event if it is due within the horizon; returns whether it did. */
    boolean offer(long time, long scheduledAt, long origin, int action) {
        long bucketNumber = time >>> BUCKET_BITS;
        if (bucketNumber - cursor >= BUCKETS) {
            return false;
        }
        int bucket = (int) (bucketNumber & (BUCKETS - 1));
        int e = take(time, scheduledAt, origin, action);
        int tail = ends[2 * bucket + 1];
        if (tail == NONE) {
            ends[2 * bucket] = e;
            ends[2 * bucket + 1] = e;
            occupied[bucket >>> 6] |= 1L << bucket;
            summary[bucket >>> 12] |= 1L << (bucket >>> 6);
        } else if (before(tail, time, scheduledAt, origin)) {
            setNext(tail, e);
            ends[2 * bucket + 1] = e;
        } else {
            insertBefore(bucket, e, time, scheduledAt, origin);
        }
        size++;
        return true;
    }

    /** Puts entry e into its non-empty bucket before the tail, which is later than it. */
    private void insertBefore(int bucket, int e, long time, long scheduledAt, long origin) {
        int head = ends[2 * bucket];
        if (!before(head, time, scheduledAt, origin)) {
            setNext(e, head);
            ends[2 * bucket] = e;
            return;
        }
        int at = head;
        while (before(next(at), time, scheduledAt, origin)) {
            at = next(at);
        }
        setNext(e, next(at));
        setNext(at, e);
    }

    /**
     * Whether the earliest entry comes before the event ({@code time}, {@code scheduledAt}, {@code origin}), where
     * {@code time} is the current time.
     */
    boolean firstBefore(long time, long scheduledAt, long origin) {
        int head = ends[2 * (int) (cursor & (BUCKETS - 1))];
        return head != NONE && before(head, time, scheduledAt, origin);
    }

    /** The bucket holding the earliest entry; the wheel must not be empty. */
    int firstBucket() {
        int start = (int) (cursor & (BUCKETS - 1));
        int word = start >>> 6;
        long bits = occupied[word] & (-1L << start);
        if (bits == 0) {
            // none at or after the current bucket in its word: the next word in use round the ring (this one again
            // if only its buckets before the current one, the ring's last, are in use)
            word = nextWord((word + 1) & (WORDS - 1));
            bits = occupied[word];
        }
        return word << 6 | Long.numberOfTrailingZeros(bits);
    }

    /** The first word of {@link #occupied} that is not 0, from word {@code from} on round the ring; one must be. */
    private int nextWord(int from) {
        int at = from >>> 6;
        long bits = summary[at] & (-1L << from);
        while (bits == 0) {
            at = (at + 1) & (SUMMARY_WORDS - 1);
            bits = summary[at];
        }
        return at << 6 | Long.numberOfTrailingZeros(bits);
    }

    long time(int bucket) {
        return timeOf(ends[2 * bucket]);
    }

    long scheduledAt(int bucket) {
        return scheduledAtOf(ends[2 * bucket]);
    }

    long origin(int bucket) {
        return originOf(ends[2 * bucket]);
    }

    int action(int bucket) {
        return actionOf(ends[2 * bucket]);
    }

    /** Removes the earliest entry of {@code bucket}. */
    void removeFirst(int bucket) {
        int e = ends[2 * bucket];
        int after = next(e);
        ends[2 * bucket] = after;
        if (after == NONE) {
            ends[2 * bucket + 1] = NONE;
            occupied[bucket >>> 6] &= ~(1L << bucket);
            if (occupied[bucket >>> 6] == 0) {
                summary[bucket >>> 12] &= ~(1L << (bucket >>> 6));
            }
        }
        free(e, e);
        size--;
    }

    void clear() {
        Arrays.fill(ends, NONE);
        Arrays.fill(occupied, 0);
        Arrays.fill(summary, 0);
        clearEntries();
        size = 0;
        cursor = 0;
    }
}
