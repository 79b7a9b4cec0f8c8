package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * The simulator's clock and pending events, in time order (ties in the order they were
 * scheduled). The simulation spends much of its time here, so the order is kept over primitive
 * (time, order) pairs, where an order word is the event's sequence number and the slot holding
 * its action: events due within a few microseconds in a {@link TimingWheel}, later ones in an
 * {@link EventHeap}, and the earlier of their first events runs next.
 */
final class EventQueue {

    /** Picoseconds per 200 MHz core clock. */
    static final long PS_PER_CORE_CLOCK = 5_000;

    /** Low bits of an order word: the slot of the event's action. */
    private static final int SLOT_BITS = 24;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;
    /** Sequence numbers fill the order word's other bits and keep it positive. */
    private static final long MAX_SEQ = 1L << (Long.SIZE - 1 - SLOT_BITS);

    private final TimingWheel soon = new TimingWheel();
    private final EventHeap later = new EventHeap();
    private Runnable[] actions = new Runnable[1024];
    private int[] freeSlots = new int[1024];
    private int nFree;
    private int nSlots;
    private long seq;
    private long now;
    private long processed;

    /** The current time in picoseconds. */
    long now() {
        return now;
    }

    /** Schedules {@code action} at {@code time} (or now, if that has passed). */
    void at(long time, Runnable action) {
        if (seq == MAX_SEQ) {
            throw new IllegalStateException("more than " + MAX_SEQ + " events scheduled in one run");
        }
        int slot = takeSlot();
        actions[slot] = action;
        long t = Math.max(time, now);
        long order = seq++ << SLOT_BITS | slot;
        if (!soon.offer(t, order)) {
            later.add(t, order);
        }
    }

    void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs events until none is left. */
    void runUntilIdle() {
        while (true) {
            long order;
            if (soon.isEmpty()) {
                if (later.isEmpty()) {
                    return;
                }
                order = takeLater();
            } else {
                int bucket = soon.firstBucket();
                if (later.isEmpty() || soonerThanLater(bucket)) {
                    now = soon.time(bucket);
                    order = soon.order(bucket);
                    soon.removeFirst(bucket);
                } else {
                    order = takeLater();
                }
            }
            soon.advance(now);
            int slot = (int) (order & SLOT_MASK);
            Runnable action = actions[slot];
            actions[slot] = null;
            freeSlots[nFree++] = slot;
            processed++;
            action.run();
        }
    }

    private boolean soonerThanLater(int bucket) {
        long t = soon.time(bucket);
        long l = later.firstTime();
        return t < l || t == l && soon.order(bucket) < later.firstOrder();
    }

    private long takeLater() {
        now = later.firstTime();
        long order = later.firstOrder();
        later.removeFirst();
        return order;
    }

    private int takeSlot() {
        if (nFree > 0) {
            return freeSlots[--nFree];
        }
        if (nSlots == actions.length) {
            if (nSlots == 1 << SLOT_BITS) {
                throw new IllegalStateException("more than " + nSlots + " events pending at once");
            }
            actions = Arrays.copyOf(actions, 2 * nSlots);
            freeSlots = Arrays.copyOf(freeSlots, 2 * nSlots);
        }
        return nSlots++;
    }

    long processed() {
        return processed;
    }

    void reset() {
        Arrays.fill(actions, 0, nSlots, null);
        soon.clear();
        later.clear();
        nSlots = 0;
        nFree = 0;
        seq = 0;
        now = 0;
        processed = 0;
    }
}
