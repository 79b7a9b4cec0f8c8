package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * The simulator's clock and pending events, in time order (ties in the order they were
 * scheduled). The simulation spends much of its time here, so the order is kept over primitive
 * (time, order) pairs, where an order word is the event's sequence number and its action's
 * number: events due within a few microseconds in a {@link TimingWheel}, those due within some
 * milliseconds in a coarser {@link FarWheel} that releases them into it, later ones in an
 * {@link EventHeap}, those scheduled for the current time in a first-in first-out ring, and the
 * earliest of their first events runs next. An owner may {@link #defer} an event it expects to find
 * nothing to do: the event keeps its place in the order but stays out of the queue unless the owner
 * {@link #settle}s it before it is due. The routers, links and
 * cores {@link #register} their actions once and schedule them by number, so scheduling one
 * stores no object reference; a one-off action takes a numbered slot until it runs. Their own
 * actions (a router's service, a link's arrival, a core's four events) are registered by kind and
 * run by a direct call: a {@link Runnable} each would make every event an interface call with
 * many targets, which the JIT can neither predict nor inline.
 */
final class EventQueue {

    /** Low bits of an order word: the number of the event's action. */
    private static final int ACTION_BITS = 24;
    private static final long ACTION_MASK = (1L << ACTION_BITS) - 1;
    /** Actions numbered from this are one-off slots; below it, registered actions. */
    private static final int FIRST_SLOT = 1 << (ACTION_BITS - 1);
    /** Sequence numbers fill the order word's other bits and keep it positive. */
    private static final long MAX_SEQ = 1L << (Long.SIZE - 1 - ACTION_BITS);

    /** Kinds of registered action: a {@link Runnable}, or which simulator object's event it is. */
    private static final byte RUNNABLE = 0;
    private static final byte ROUTER_SERVE = 1;
    private static final byte LINK_ARRIVE = 2;
    static final byte CORE_INTERRUPT = 3;
    static final byte CORE_FINISH_PACKET = 4;
    static final byte CORE_INJECT = 5;
    static final byte CORE_BACKGROUND = 6;
    private static final byte ROUTER_WAIT1 = 7;

    private final TimingWheel soon = new TimingWheel();
    private final FarWheel far = new FarWheel();
    private final EventHeap later = new EventHeap();
    /** Orders of the events scheduled for the current time, in the order they were scheduled (a ring). */
    private long[] dueNow = new long[256];
    private int dueNowFirst;
    private int dueNowSize;
    /**
     * Registered action k's deferred event, while {@code deferred[k]}: its time and order at {@code deferredAt[2k]} and
     * {@code deferredAt[2k + 1]}, side by side so that deferring and settling it touch one cache line (see
     * {@link #defer}).
     */
    private boolean[] deferred = new boolean[1024];
    private long[] deferredAt = new long[2 * 1024];
    /** The actions deferred in this run, each once (some since settled), for the end of the run. */
    private int[] deferredList = new int[64];
    private boolean[] listed = new boolean[1024];
    private int nListed;
    /** The order of the event running now; {@link Long#MAX_VALUE} between runs (every event due now has run). */
    private long current = Long.MAX_VALUE;
    /** Registered action k: {@code kinds[k]} of {@code targets[k]} (a Runnable, router, link or core). */
    private Object[] targets = new Object[1024];
    private byte[] kinds = new byte[1024];
    private int nRegistered;
    private Runnable[] slots = new Runnable[64];
    private int[] freeSlots = new int[64];
    private int nFree;
    private int nSlots;
    private long seq;
    private long now;
    private long processed;

    /** The current time in picoseconds. */
    long now() {
        return now;
    }

    /** Numbers an action that will be scheduled many times, for {@link #at(long, int)}; for the queue's life. */
    int register(Runnable action) {
        return register(RUNNABLE, action);
    }

    /** Numbers a router's service event ({@link SimRouter#serve()}). */
    int register(SimRouter router) {
        return register(ROUTER_SERVE, router);
    }

    /** Numbers a router's wait1 timeout ({@link SimRouter#wait1Expired()}). */
    int registerWait1(SimRouter router) {
        return register(ROUTER_WAIT1, router);
    }

    /** Numbers a link's arrival event ({@link SimLink#arrive()}). */
    int register(SimLink link) {
        return register(LINK_ARRIVE, link);
    }

    /** Numbers one of a core's events: {@link #CORE_INTERRUPT}, {@link #CORE_FINISH_PACKET}, ... */
    int register(SimCore core, byte event) {
        if (event < CORE_INTERRUPT || event > CORE_BACKGROUND) {
            throw new IllegalArgumentException("not a core event: " + event);
        }
        return register(event, core);
    }

    private int register(byte kind, Object target) {
        if (nRegistered == FIRST_SLOT) {
            throw new IllegalStateException("more than " + FIRST_SLOT + " actions registered");
        }
        if (nRegistered == targets.length) {
            targets = Arrays.copyOf(targets, 2 * nRegistered);
            kinds = Arrays.copyOf(kinds, 2 * nRegistered);
            deferred = Arrays.copyOf(deferred, 2 * nRegistered);
            deferredAt = Arrays.copyOf(deferredAt, 4 * nRegistered);
            listed = Arrays.copyOf(listed, 2 * nRegistered);
        }
        targets[nRegistered] = target;
        kinds[nRegistered] = kind;
        return nRegistered++;
    }

    /** Schedules the registered action {@code action} at {@code time} (or now, if that has passed). */
    void at(long time, int action) {
        long order = nextOrder(action);
        if (time <= now) {
            addDueNow(order);
        } else {
            insert(time, order);
        }
    }

    private long nextOrder(int action) {
        if (seq == MAX_SEQ) {
            throw new IllegalStateException("more than " + MAX_SEQ + " events scheduled in one run");
        }
        return seq++ << ACTION_BITS | action;
    }

    /**
     * Puts an event due after now, or one due now that is not the last scheduled, into the timing wheel if its far
     * bucket has been released, else into the far wheel, else (beyond both) into the heap.
     */
    private void insert(long time, long order) {
        if (!(far.isReleased(time) && soon.offer(time, order)) && !far.offer(time, order)) {
            later.add(time, order);
        }
    }

    /** Queues an event scheduled now for now: it comes after every event already scheduled for now. */
    private void addDueNow(long order) {
        if (dueNowSize == dueNow.length) {
            long[] bigger = new long[2 * dueNow.length];
            for (int k = 0; k < dueNowSize; k++) {
                bigger[k] = dueNow[(dueNowFirst + k) & (dueNow.length - 1)];
            }
            dueNow = bigger;
            dueNowFirst = 0;
        }
        dueNow[(dueNowFirst + dueNowSize++) & (dueNow.length - 1)] = order;
    }

    /**
     * Schedules the registered action {@code action} at {@code time} (or now) as {@link #at(long, int)} would, but
     * keeps it out of the queue: for an event that will do nothing but end a state of its owner unless something
     * happens to the owner first. The owner asks {@link #settle} when something does, before it acts. One
     * deferred event per action at a time; at the end of the run, those still deferred run (at their time, or now
     * if that has passed: they do nothing but move the clock on).
     */
    void defer(long time, int action) {
        if (deferred[action]) {
            throw new IllegalStateException("action " + action + " is already deferred");
        }
        deferred[action] = true;
        deferredAt[2 * action] = Math.max(time, now);
        deferredAt[2 * action + 1] = nextOrder(action);
        if (!listed[action]) {
            listed[action] = true;
            if (nListed == deferredList.length) {
                deferredList = Arrays.copyOf(deferredList, 2 * nListed);
            }
            deferredList[nListed++] = action;
        }
    }

    /**
     * Settles {@code action}'s deferred event, if it has one: if it would have run before the event running now, it
     * counts as run and this returns true (its owner does what it would have done); if not, it goes into the queue
     * in its place, to run then, and this returns false. Returns false if the action has no deferred event.
     */
    boolean settle(int action) {
        if (!deferred[action]) {
            return false;
        }
        deferred[action] = false;
        long time = deferredAt[2 * action];
        long order = deferredAt[2 * action + 1];
        if (time < now || time == now && order < current) {
            processed++;
            return true;
        }
        insert(time, order);
        return false;
    }

    /** Puts every event still deferred into the queue (at its time, or now); returns whether there was one. */
    private boolean scheduleDeferred() {
        boolean any = false;
        for (int k = 0; k < nListed; k++) {
            int action = deferredList[k];
            listed[action] = false;
            if (deferred[action]) {
                deferred[action] = false;
                insert(Math.max(deferredAt[2 * action], now), deferredAt[2 * action + 1]);
                any = true;
            }
        }
        nListed = 0;
        return any;
    }

    void after(long delay, int action) {
        at(now + delay, action);
    }

    /** Schedules a one-off {@code action} at {@code time} (or now, if that has passed). */
    void at(long time, Runnable action) {
        int slot = takeSlot();
        slots[slot] = action;
        at(time, FIRST_SLOT + slot);
    }

    void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs events until none is left (deferred ones included). */
    void runUntilIdle() {
        while (true) {
            long order;
            if (dueNowSize > 0) {
                order = takeDueNow();
            } else if (soon.isEmpty() && !far.isEmpty()
                    && (later.isEmpty() || later.firstTime() >= far.firstStart())) {
                // nothing due before the far wheel's first bucket: move the timing wheel on to it, and pick again
                moveTo(far.firstStart());
                continue;
            } else if (soon.isEmpty()) {
                if (later.isEmpty()) {
                    if (scheduleDeferred()) {
                        continue;
                    }
                    current = Long.MAX_VALUE;
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
            moveTo(now);
            current = order;
            int number = (int) (order & ACTION_MASK);
            processed++;
            if (number < FIRST_SLOT) {
                run(number);
            } else {
                runSlot(number - FIRST_SLOT);
            }
        }
    }

    /**
     * Moves the timing wheel's current time on to {@code time} (now, or the start of the far wheel's first bucket
     * when nothing is due before it) and releases the far buckets that are now within its horizon.
     */
    private void moveTo(long time) {
        soon.advance(time);
        long last = (time >>> FarWheel.BUCKET_BITS) + 1;
        if (last > far.released()) {
            far.releaseThrough(last, soon);
        }
    }

    /** Runs registered action {@code number}, by a direct call for the simulator's own kinds. */
    private void run(int number) {
        Object target = targets[number];
        switch (kinds[number]) {
            case ROUTER_SERVE -> ((SimRouter) target).serve();
            case ROUTER_WAIT1 -> ((SimRouter) target).wait1Expired();
            case LINK_ARRIVE -> ((SimLink) target).arrive();
            case CORE_INTERRUPT -> ((SimCore) target).interrupt();
            case CORE_FINISH_PACKET -> ((SimCore) target).finishPacket();
            case CORE_INJECT -> ((SimCore) target).inject();
            case CORE_BACKGROUND -> ((SimCore) target).backgroundDone();
            default -> ((Runnable) target).run();
        }
    }

    /**
     * Takes the first event due now: the first of those scheduled for now, unless the wheel or the heap holds one
     * due now that comes before it (scheduled earlier, or deferred and then settled).
     */
    private long takeDueNow() {
        long order = dueNow[dueNowFirst];
        boolean wheelFirst = soon.firstBefore(now, order);
        if (!later.isEmpty() && later.firstTime() == now
                && later.firstOrder() < (wheelFirst ? soon.order(soon.firstBucket()) : order)) {
            return takeLater();
        }
        if (wheelFirst) {
            int bucket = soon.firstBucket();
            order = soon.order(bucket);
            soon.removeFirst(bucket);
            return order;
        }
        dueNowFirst = (dueNowFirst + 1) & (dueNow.length - 1);
        dueNowSize--;
        return order;
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

    private void runSlot(int slot) {
        Runnable action = slots[slot];
        slots[slot] = null;
        freeSlots[nFree++] = slot;
        action.run();
    }

    private int takeSlot() {
        if (nFree > 0) {
            return freeSlots[--nFree];
        }
        if (nSlots == slots.length) {
            if (FIRST_SLOT + nSlots > ACTION_MASK) {
                throw new IllegalStateException("more than " + nSlots + " one-off events pending at once");
            }
            slots = Arrays.copyOf(slots, 2 * nSlots);
            freeSlots = Arrays.copyOf(freeSlots, 2 * nSlots);
        }
        return nSlots++;
    }

    long processed() {
        return processed;
    }

    /** Forgets every pending event (registered actions stay) and starts the clock at 0. */
    void reset() {
        Arrays.fill(slots, 0, nSlots, null);
        soon.clear();
        far.clear();
        later.clear();
        dueNowSize = 0;
        for (int k = 0; k < nListed; k++) {
            deferred[deferredList[k]] = false;
            listed[deferredList[k]] = false;
        }
        nListed = 0;
        current = Long.MAX_VALUE;
        nSlots = 0;
        nFree = 0;
        seq = 0;
        now = 0;
        processed = 0;
    }
}
