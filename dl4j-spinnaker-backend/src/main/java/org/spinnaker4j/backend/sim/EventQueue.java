package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * The simulator's clock and pending events, in the {@link EventOrder}: by time, ties by when they were scheduled and
 * then by the chip each is on and that chip's own count, so that no counter is shared between chips. The simulation
 * spends much of its time here, so events are kept as primitive words (time, when scheduled, origin, action number):
 * events due within a few microseconds in a {@link TimingWheel}, those due within some
 * milliseconds in a coarser {@link FarWheel} that releases them into it, later ones in an
 * {@link EventHeap}, those scheduled now for now in a ring kept in their order, and the
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

    /** Actions numbered from this are one-off slots; below it, registered actions. */
    private static final int FIRST_SLOT = 1 << 23;
    /** Words per event in the due-now ring: its origin and its action. */
    private static final int DUE_STRIDE = 2;

    /** Kinds of registered action: a {@link Runnable}, or which simulator object's event it is. */
    private static final byte RUNNABLE = 0;
    private static final byte ROUTER_SERVE = 1;
    private static final byte LINK_ARRIVE = 2;
    static final byte CORE_INTERRUPT = 3;
    static final byte CORE_FINISH_PACKET = 4;
    static final byte CORE_INJECT = 5;
    static final byte CORE_BACKGROUND = 6;
    private static final byte ROUTER_WAIT1 = 7;
    private static final byte LINK_OFFER = 8;

    private final TimingWheel soon = new TimingWheel();
    private final FarWheel far = new FarWheel();
    private final EventHeap later = new EventHeap();
    /**
     * The events scheduled at the current time for the current time (a ring of (origin, action) pairs, in the order
     * of their origins): all were scheduled now, so their origins alone order them.
     */
    private long[] dueNow = new long[DUE_STRIDE * 256];
    private int dueNowFirst;
    private int dueNowSize;
    /**
     * Registered action k's deferred event, while {@code deferred[k]}: its time, when it was scheduled and its origin
     * at {@code deferredAt[3k]} to {@code deferredAt[3k + 2]}, side by side so that deferring and settling it touch a
     * cache line or two (see {@link #defer}).
     */
    private boolean[] deferred = new boolean[1024];
    private long[] deferredAt = new long[3 * 1024];
    /** The actions deferred in this run, each once (some since settled), for the end of the run. */
    private int[] deferredList = new int[64];
    private boolean[] listed = new boolean[1024];
    private int nListed;
    /**
     * When the event running now was scheduled, and its origin; {@link Long#MAX_VALUE} between runs (every event due
     * now has run).
     */
    private long currentScheduledAt = Long.MAX_VALUE;
    private long currentOrigin = Long.MAX_VALUE;
    /** The chip number of the event running now (the host's between runs): that of the one-off events it schedules. */
    private int currentChip = EventOrder.HOST;
    /** Chip number c's count of the events scheduled on it since the last reset. */
    private long[] counts = new long[1];
    /**
     * Registered action k: {@code kinds[k]} of {@code targets[k]} (a Runnable, router, link or core), on chip number
     * {@code chips[k]}.
     */
    private Object[] targets = new Object[1024];
    private byte[] kinds = new byte[1024];
    private int[] chips = new int[1024];
    private int nRegistered;
    /** One-off slot k: its action, and the chip number of the event that scheduled it, on which it runs. */
    private Runnable[] slots = new Runnable[64];
    private int[] slotChips = new int[64];
    private int[] freeSlots = new int[64];
    private int nFree;
    private int nSlots;
    private long now;
    private long processed;

    /** The current time in picoseconds. */
    long now() {
        return now;
    }

    /**
     * Numbers an action that will be scheduled many times, for {@link #at(long, int)}, on chip number {@code chip}
     * ({@link EventOrder#chipNumber}, or {@link EventOrder#HOST}); for the queue's life.
     */
    int register(Runnable action, int chip) {
        return register(RUNNABLE, action, chip);
    }

    /** Numbers a router's service event ({@link SimRouter#serve()}). */
    int register(SimRouter router) {
        return register(ROUTER_SERVE, router, router.chipNumber());
    }

    /** Numbers a router's wait1 timeout ({@link SimRouter#wait1Expired()}). */
    int registerWait1(SimRouter router) {
        return register(ROUTER_WAIT1, router, router.chipNumber());
    }

    /** Numbers a link's arrival event ({@link SimLink#arrive()}), on the sending chip. */
    int register(SimLink link, SimRouter from) {
        return register(LINK_ARRIVE, link, from.chipNumber());
    }

    /**
     * Numbers the receiving half of a link's arrival from another lane ({@link Lanes.Crossing#offer()}), on the
     * sending chip {@code chip} as the arrival is.
     */
    int register(Lanes.Crossing crossing, int chip) {
        return register(LINK_OFFER, crossing, chip);
    }

    /** Numbers one of a core's events ({@link #CORE_INTERRUPT}, {@link #CORE_FINISH_PACKET}, ...) on its chip. */
    int register(SimCore core, byte event, SimRouter router) {
        if (event < CORE_INTERRUPT || event > CORE_BACKGROUND) {
            throw new IllegalArgumentException("not a core event: " + event);
        }
        return register(event, core, router.chipNumber());
    }

    private int register(byte kind, Object target, int chip) {
        if (nRegistered == FIRST_SLOT) {
            throw new IllegalStateException("more than " + FIRST_SLOT + " actions registered");
        }
        if (chip < EventOrder.HOST || chip >= EventOrder.CHIP_NUMBERS) {
            throw new IllegalArgumentException("not a chip number: " + chip);
        }
        if (nRegistered == targets.length) {
            targets = Arrays.copyOf(targets, 2 * nRegistered);
            kinds = Arrays.copyOf(kinds, 2 * nRegistered);
            chips = Arrays.copyOf(chips, 2 * nRegistered);
            deferred = Arrays.copyOf(deferred, 2 * nRegistered);
            deferredAt = Arrays.copyOf(deferredAt, 6 * nRegistered);
            listed = Arrays.copyOf(listed, 2 * nRegistered);
        }
        if (chip >= counts.length) {
            counts = Arrays.copyOf(counts, chip + 1);
        }
        targets[nRegistered] = target;
        kinds[nRegistered] = kind;
        chips[nRegistered] = chip;
        return nRegistered++;
    }

    /**
     * Schedules the registered action {@code action} at {@code time} (or now, if that has passed); returns the
     * event's origin, its place among the events due at the same time and scheduled now.
     */
    long at(long time, int action) {
        long origin = nextOrigin(action);
        if (time <= now) {
            addDueNow(origin, action);
        } else {
            insert(time, now, origin, action);
        }
        return origin;
    }

    /**
     * Schedules {@code action} in the place another lane's queue gave an event: at {@code time}, scheduled at
     * {@code scheduledAt} with {@code origin} ({@link Lanes}: the receiving half of a link's arrival). The time must
     * be after now: a lane takes another's events a link's time ahead.
     */
    void atPlaceOf(long time, long scheduledAt, long origin, int action) {
        if (time <= now) {
            throw new IllegalStateException("an event from another lane is due at " + time + " ps, not after now ("
                    + now + " ps): the lanes ran more than a link's time apart");
        }
        insert(time, scheduledAt, origin, action);
    }

    /** The origin of an event of {@code action}: the action's chip, and that chip's count of events, counted. */
    private long nextOrigin(int action) {
        int chip = action < FIRST_SLOT ? chips[action] : slotChips[action - FIRST_SLOT];
        return EventOrder.origin(chip, counts[chip]++);
    }

    /**
     * Puts an event due after now, or a settled or end-of-run deferred one due now, into the timing wheel if its far
     * bucket has been released, else into the far wheel, else (beyond both) into the heap.
     */
    private void insert(long time, long scheduledAt, long origin, int action) {
        if (!(far.isReleased(time) && soon.offer(time, scheduledAt, origin, action))
                && !far.offer(time, scheduledAt, origin, action)) {
            later.add(time, scheduledAt, origin, action);
        }
    }

    /**
     * Queues an event scheduled now for now in its place among the others scheduled now for now: after those of lower
     * origin (usually all of them, as the same chip's events follow each other).
     */
    private void addDueNow(long origin, int action) {
        int mask = dueNow.length / DUE_STRIDE - 1;
        if (dueNowSize == mask + 1) {
            long[] bigger = new long[2 * dueNow.length];
            for (int k = 0; k < dueNowSize; k++) {
                System.arraycopy(dueNow, DUE_STRIDE * ((dueNowFirst + k) & mask), bigger, DUE_STRIDE * k, DUE_STRIDE);
            }
            dueNow = bigger;
            dueNowFirst = 0;
            mask = dueNow.length / DUE_STRIDE - 1;
        }
        int k = dueNowSize++;
        while (k > 0) {
            int before = DUE_STRIDE * ((dueNowFirst + k - 1) & mask);
            if (dueNow[before] < origin) {
                break;
            }
            int after = DUE_STRIDE * ((dueNowFirst + k) & mask);
            dueNow[after] = dueNow[before];
            dueNow[after + 1] = dueNow[before + 1];
            k--;
        }
        int at = DUE_STRIDE * ((dueNowFirst + k) & mask);
        dueNow[at] = origin;
        dueNow[at + 1] = action;
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
        deferredAt[3 * action] = Math.max(time, now);
        deferredAt[3 * action + 1] = now;
        deferredAt[3 * action + 2] = nextOrigin(action);
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
        long time = deferredAt[3 * action];
        long scheduledAt = deferredAt[3 * action + 1];
        long origin = deferredAt[3 * action + 2];
        if (EventOrder.before(time, scheduledAt, origin, now, currentScheduledAt, currentOrigin)) {
            processed++;
            return true;
        }
        insert(time, scheduledAt, origin, action);
        return false;
    }

    /**
     * With no event pending, moves the clock on to {@code time} if it is later (the end of another lane's events) and
     * puts every event still deferred into the queue ({@link #scheduleDeferred}).
     */
    void scheduleDeferredAfter(long time) {
        advanceIdleTo(time);
        scheduleDeferred();
    }

    /** With no event pending, moves the clock on to {@code time} if it is later (another lane's end). */
    void advanceIdleTo(long time) {
        if (time > now) {
            now = time;
            moveTo(now);
        }
    }

    /** Puts every event still deferred into the queue (at its time, or now); returns whether there was one. */
    private boolean scheduleDeferred() {
        boolean any = false;
        for (int k = 0; k < nListed; k++) {
            int action = deferredList[k];
            listed[action] = false;
            if (deferred[action]) {
                deferred[action] = false;
                insert(Math.max(deferredAt[3 * action], now), deferredAt[3 * action + 1], deferredAt[3 * action + 2],
                        action);
                any = true;
            }
        }
        nListed = 0;
        return any;
    }

    long after(long delay, int action) {
        return at(now + delay, action);
    }

    /** Schedules a one-off {@code action} at {@code time} (or now, if that has passed), on the running event's chip. */
    void at(long time, Runnable action) {
        int slot = takeSlot();
        slots[slot] = action;
        slotChips[slot] = currentChip;
        at(time, FIRST_SLOT + slot);
    }

    void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs events until none is left (deferred ones included). */
    void runUntilIdle() {
        do {
            runBefore(Long.MAX_VALUE);
        } while (scheduleDeferred());
    }

    /**
     * Runs the events due before {@code end}, and returns once the next is due at or after it or none is left;
     * deferred events stay deferred ({@link #scheduleDeferred}: a lane's window, {@link Lanes}).
     */
    void runBefore(long end) {
        while (true) {
            int action;
            if (dueNowSize > 0) {
                if (now >= end) {
                    break;
                }
                action = takeDueNow();
            } else if (soon.isEmpty() && !far.isEmpty()
                    && (later.isEmpty() || later.firstTime() >= far.firstStart())) {
                // nothing due before the far wheel's first bucket: move the timing wheel on to it, and pick again
                if (far.firstStart() >= end) {
                    break;
                }
                moveTo(far.firstStart());
                continue;
            } else if (soon.isEmpty()) {
                if (later.isEmpty() || later.firstTime() >= end) {
                    break;
                }
                action = takeLater();
            } else {
                int bucket = soon.firstBucket();
                if (later.isEmpty() || soonerThanLater(bucket)) {
                    if (soon.time(bucket) >= end) {
                        break;
                    }
                    now = soon.time(bucket);
                    action = takeSoon(bucket);
                } else {
                    if (later.firstTime() >= end) {
                        break;
                    }
                    action = takeLater();
                }
            }
            moveTo(now);
            processed++;
            if (action < FIRST_SLOT) {
                currentChip = chips[action];
                run(action);
            } else {
                runSlot(action - FIRST_SLOT);
            }
        }
        currentScheduledAt = Long.MAX_VALUE;
        currentOrigin = Long.MAX_VALUE;
        currentChip = EventOrder.HOST;
    }

    /**
     * The time of the next event, or a time no later than it (the far wheel's first bucket's start); {@link
     * Long#MAX_VALUE} if none is pending but deferred ones.
     */
    long nextTime() {
        long next = dueNowSize > 0 ? now : Long.MAX_VALUE;
        if (!soon.isEmpty()) {
            next = Math.min(next, soon.time(soon.firstBucket()));
        }
        if (!far.isEmpty()) {
            next = Math.min(next, far.firstStart());
        }
        return later.isEmpty() ? next : Math.min(next, later.firstTime());
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
            case LINK_OFFER -> ((Lanes.Crossing) target).offer();
            case CORE_INTERRUPT -> ((SimCore) target).interrupt();
            case CORE_FINISH_PACKET -> ((SimCore) target).finishPacket();
            case CORE_INJECT -> ((SimCore) target).inject();
            case CORE_BACKGROUND -> ((SimCore) target).backgroundDone();
            default -> ((Runnable) target).run();
        }
    }

    /**
     * Takes the first event due now and returns its action: the first of those scheduled now for now, unless the
     * wheel or the heap holds one due now that comes before it (scheduled earlier, or deferred and then settled).
     */
    private int takeDueNow() {
        long origin = dueNow[DUE_STRIDE * dueNowFirst];
        boolean wheelFirst = soon.firstBefore(now, now, origin);
        if (!later.isEmpty() && later.firstTime() == now) {
            int bucket = wheelFirst ? soon.firstBucket() : -1;
            if (wheelFirst ? EventOrder.before(now, later.firstScheduledAt(), later.firstOrigin(),
                    now, soon.scheduledAt(bucket), soon.origin(bucket))
                    : EventOrder.before(now, later.firstScheduledAt(), later.firstOrigin(), now, now, origin)) {
                return takeLater();
            }
        }
        if (wheelFirst) {
            return takeSoon(soon.firstBucket());
        }
        int action = (int) dueNow[DUE_STRIDE * dueNowFirst + 1];
        dueNowFirst = (dueNowFirst + 1) & (dueNow.length / DUE_STRIDE - 1);
        dueNowSize--;
        currentScheduledAt = now;
        currentOrigin = origin;
        return action;
    }

    /** Takes the first event of {@code bucket}, due now, and returns its action. */
    private int takeSoon(int bucket) {
        currentScheduledAt = soon.scheduledAt(bucket);
        currentOrigin = soon.origin(bucket);
        int action = soon.action(bucket);
        soon.removeFirst(bucket);
        return action;
    }

    private boolean soonerThanLater(int bucket) {
        return EventOrder.before(soon.time(bucket), soon.scheduledAt(bucket), soon.origin(bucket),
                later.firstTime(), later.firstScheduledAt(), later.firstOrigin());
    }

    /** Takes the heap's first event, moving the clock to it, and returns its action. */
    private int takeLater() {
        now = later.firstTime();
        currentScheduledAt = later.firstScheduledAt();
        currentOrigin = later.firstOrigin();
        int action = later.firstAction();
        later.removeFirst();
        return action;
    }

    private void runSlot(int slot) {
        Runnable action = slots[slot];
        slots[slot] = null;
        currentChip = slotChips[slot];
        freeSlots[nFree++] = slot;
        action.run();
    }

    private int takeSlot() {
        if (nFree > 0) {
            return freeSlots[--nFree];
        }
        if (nSlots == slots.length) {
            if (FIRST_SLOT + 2L * nSlots > Integer.MAX_VALUE) {
                throw new IllegalStateException("more than " + nSlots + " one-off events pending at once");
            }
            slots = Arrays.copyOf(slots, 2 * nSlots);
            slotChips = Arrays.copyOf(slotChips, 2 * nSlots);
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
        currentScheduledAt = Long.MAX_VALUE;
        currentOrigin = Long.MAX_VALUE;
        currentChip = EventOrder.HOST;
        Arrays.fill(counts, 0);
        nSlots = 0;
        nFree = 0;
        now = 0;
        processed = 0;
    }
}
