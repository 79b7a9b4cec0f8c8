package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * The entries of a wheel's buckets ({@link TimingWheel}, {@link FarWheel}): numbered (time, order, next) triples in
 * one array, where next links an entry to the next of its bucket, or a freed entry to the next free one. An entry's
 * three words share a cache line or two, and freed entries are taken again last in, first out, so the entries in use
 * stay few and close together however many events pass through. The wheels extend it rather than hold one, so that
 * their hot path reads the array without another object in between (held in a field, it cost the CNN demo's training
 * 2 to 4 % of its host time).
 */
class EntryPool {

    /** No entry: the end of a bucket's list or of the free list. */
    static final int NONE = -1;
    /** Longs per entry: its time, its order and its next entry. */
    private static final int STRIDE = 3;
    private static final int TIME = 0;
    private static final int ORDER = 1;
    private static final int NEXT = 2;

    /** Entry e at {@code entries[STRIDE * e + TIME / ORDER / NEXT]}. */
    private long[] entries = new long[STRIDE * 1024];
    private int free = NONE;
    private int used;

    /** A new entry holding the pair, with no next entry. */
    int take(long time, long order) {
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
        entries[STRIDE * e + ORDER] = order;
        entries[STRIDE * e + NEXT] = NONE;
        return e;
    }

    long timeOf(int e) {
        return entries[STRIDE * e + TIME];
    }

    long orderOf(int e) {
        return entries[STRIDE * e + ORDER];
    }

    /** Whether entry e comes before (time, order): earlier, or at the same time scheduled before it. */
    boolean before(int e, long time, long order) {
        long t = entries[STRIDE * e + TIME];
        return t < time || t == time && entries[STRIDE * e + ORDER] < order;
    }

    int next(int e) {
        return (int) entries[STRIDE * e + NEXT];
    }

    void setNext(int e, int next) {
        entries[STRIDE * e + NEXT] = next;
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
