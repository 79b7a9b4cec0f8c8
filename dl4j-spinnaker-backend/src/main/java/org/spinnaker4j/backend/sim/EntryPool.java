package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * The entries of a wheel's buckets ({@link TimingWheel}, {@link FarWheel}): numbered events in one array, each its
 * time, the two words of its place in the {@link EventOrder} (when it was scheduled, and its origin) and a word
 * holding its action's number and its next entry, which links it to the next of its bucket, or a freed entry to the
 * next free one. An entry's four words fill half a cache line, and freed entries are taken again last in, first out,
 * so the entries in use stay few and close together however many events pass through. The wheels extend it rather
 * than hold one, so that their hot path reads the array without another object in between (held in a field, it cost
 * the CNN demo's training 2 to 4 % of its host time).
 */
class EntryPool {

    /** No entry: the end of a bucket's list or of the free list. */
    static final int NONE = -1;
    /** Longs per entry: its time, when it was scheduled, its origin, and its action (high half) and next (low). */
    private static final int STRIDE = 4;
    private static final int TIME = 0;
    private static final int SCHEDULED = 1;
    private static final int ORIGIN = 2;
    private static final int LINK = 3;
    private static final long NEXT_MASK = 0xFFFF_FFFFL;

    /** Entry e at {@code entries[STRIDE * e + TIME / SCHEDULED / ORIGIN / LINK]}. */
    private long[] entries = new long[STRIDE * 1024];
    private int free = NONE;
    private int used;

    /** A new entry holding the event, with no next entry. */
    int take(long time, long scheduledAt, long origin, int action) {
        int e;
        if (free != NONE) {
            e = free;
            free = next(e);
        } else {
            if (STRIDE * used == entries.length) {
                entries = Arrays.copyOf(entries, 2 * entries.length);
            }
            e = used++;
        }
        entries[STRIDE * e + TIME] = time;
        entries[STRIDE * e + SCHEDULED] = scheduledAt;
        entries[STRIDE * e + ORIGIN] = origin;
        entries[STRIDE * e + LINK] = (long) action << Integer.SIZE | NONE & NEXT_MASK;
        return e;
    }

    long timeOf(int e) {
        return entries[STRIDE * e + TIME];
    }

    long scheduledAtOf(int e) {
        return entries[STRIDE * e + SCHEDULED];
    }

    long originOf(int e) {
        return entries[STRIDE * e + ORIGIN];
    }

    int actionOf(int e) {
        return (int) (entries[STRIDE * e + LINK] >>> Integer.SIZE);
    }

    /** Whether entry e comes before the event (time, scheduledAt, origin) in the {@link EventOrder}. */
    boolean before(int e, long time, long scheduledAt, long origin) {
        int at = STRIDE * e;
        return EventOrder.before(entries[at + TIME], entries[at + SCHEDULED], entries[at + ORIGIN],
                time, scheduledAt, origin);
    }

    int next(int e) {
        return (int) entries[STRIDE * e + LINK];
    }

    void setNext(int e, int next) {
        int at = STRIDE * e + LINK;
        entries[at] = entries[at] & ~NEXT_MASK | next & NEXT_MASK;
    }

    /** Frees the entries from {@code first} to {@code last}, a list linked by next (one entry if they are equal). */
    void free(int first, int last) {
        setNext(last, free);
        free = first;
    }

    /** Forgets every entry. */
    void clearEntries() {
        free = NONE;
        used = 0;
    }
}
