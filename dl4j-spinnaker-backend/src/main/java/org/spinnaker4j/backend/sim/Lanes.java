package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A run's chips split over two host threads, each lane of chips with its own {@link EventQueue}, run in windows of
 * one link's time: no chip acts on another sooner than a packet takes to cross the link between them, so the packets
 * a lane sends the other in one window are due in a later one, and are handed over between windows. The sending
 * lane's link counts every packet as taken at its arrival, as the receiving router takes every packet in a TDMA run
 * (docs/simulator-speed.md); the receiving lane offers it to its router in the place the link's arrival holds in the
 * one-queue order ({@link EventOrder} needs no counter shared between chips), so each lane runs its chips' events in
 * the order one queue would. Two threads run the lanes, each its own lane's windows and the other's when no thread
 * has claimed it, so that a thread the host does not schedule slows the run but does not stop it. A refused packet,
 * or an exception in either lane, fails the run ({@link #run} returns false): the caller runs it again on one thread
 * from the state before it.
 */
final class Lanes implements AutoCloseable {

    /** The lanes: the calling thread runs lane 0, a worker lane 1. */
    static final int COUNT = 2;
    /** The second thread of the simulator's lanes: a daemon, so that a simulator left open does not keep a JVM up. */
    static final ThreadFactory WORKER_THREADS = task -> {
        Thread t = new Thread(task, "spinnaker4j-lane-1");
        t.setDaemon(true);
        return t;
    };
    /**
     * How long a thread that has run its lane's window waits for the other thread to claim the other lane's before it
     * runs that too: the other, if running, claims it within a fraction of this; if its core went to another
     * process, waiting on would stop both lanes.
     */
    private static final long GRACE_NANOS = 20_000;
    /** Spins a waiting thread makes before it yields its core between checks. */
    private static final int SPINS = 1 << 10;
    /** The states of a run's worker ({@link #workerGate}): may start, started, kept out (the run ended without it). */
    private static final long OPEN = 0;
    private static final long TAKEN = 1;
    private static final long CLOSED = 2;
    /** {@link #window}'s value once a run has ended. */
    private static final int OVER = -1;

    private final EventQueue[] queues = {new EventQueue(), new EventQueue()};
    private final int[] laneOfChip;
    private final long windowPs;
    private final ThreadFactory workerThreads;
    private final List<Crossing> crossings = new ArrayList<>();
    /** Each lane's packets for the other, one outbox per parity of the window that sent them. */
    private final Outbox[][] outboxes = {{new Outbox(), new Outbox()}, {new Outbox(), new Outbox()}};
    /** Per lane, of the window run last: its next event or packet for the other lane, and its clock. */
    private final long[] nextOf = new long[COUNT];
    private final long[] nowOf = new long[COUNT];
    /** Per lane: the last window a thread claimed it for. */
    private final AtomicIntegerArray claimed = new AtomicIntegerArray(COUNT);
    /** The lanes' windows finished: the thread that finishes a window's second opens the next. */
    private final AtomicInteger lanesDone = new AtomicInteger();
    /** The window the lanes run now, or {@link #OVER} once the run has ended; its end in {@link #end}. */
    private volatile int window;
    private long end;
    private final int[] offersRun = new int[COUNT];
    /** Per lane: the window it runs now, by whichever thread (its packets for the other lane go by its parity). */
    private final int[] runningWindow = new int[COUNT];
    private int extraHostEvents;
    private volatile boolean failed;
    /** What a lane's events threw in the last run, first; null if nothing. */
    private volatile Throwable thrown;
    /** This run's number times 4 plus its worker's state ({@link #OPEN}, {@link #TAKEN}, {@link #CLOSED}). */
    private final AtomicLong workerGate = new AtomicLong();
    private long runs;
    private ExecutorService worker;


    /**
     * Lanes for chips numbered up to {@code laneOfChip.length - 1} ({@link EventOrder#chipNumber}), chip c on lane
     * {@code laneOfChip[c]}; {@code windowPs} the least time a packet takes from one chip to the next; the second
     * thread made by {@code workerThreads} ({@link #WORKER_THREADS}; tests: one that starts late or never).
     */
    Lanes(int[] laneOfChip, long windowPs, ThreadFactory workerThreads) {
        if (windowPs < 1) {
            throw new IllegalArgumentException("a lane's window must be at least 1 ps, got " + windowPs);
        }
        this.laneOfChip = laneOfChip.clone();
        this.windowPs = windowPs;
        this.workerThreads = workerThreads;
    }

    /** The lane of chip number {@code chip}. */
    int laneOf(int chip) {
        return laneOfChip[chip];
    }

    /** The event queue of {@code lane}. */
    EventQueue queue(int lane) {
        return queues[lane];
    }

    /** The lane of the chip a router is on: its queue. */
    EventQueue queueOf(SimRouter router) {
        return queues[laneOf(router.chipNumber())];
    }

    /**
     * The receiving half of the link from {@code from} to {@code to}, whose chips are on different lanes: its
     * arrivals' offers are events of {@code to}'s lane, on the sending chip as the link's arrival is.
     */
    Crossing cross(SimRouter from, SimRouter to) {
        int fromLane = laneOf(from.chipNumber());
        int toLane = laneOf(to.chipNumber());
        if (fromLane == toLane) {
            throw new IllegalArgumentException("chips " + from.chip() + " and " + to.chip() + " share lane "
                    + fromLane + ": their link needs no crossing");
        }
        Crossing c = new Crossing(crossings.size(), fromLane, to);
        c.offerEvent = queues[toLane].register(c, from.chipNumber());
        crossings.add(c);
        return c;
    }

    /** Schedules a one-off host event on {@code lane} at {@code time}, before a run: each lane its own chips' part. */
    void atHost(int lane, long time, Runnable action) {
        queues[lane].at(time, action);
        if (lane > 0) {
            extraHostEvents++;
        }
    }

    /** Clears every queue and packet handed over, for a new run. */
    void reset() {
        for (int l = 0; l < COUNT; l++) {
            queues[l].reset();
            outboxes[l][0].clear();
            outboxes[l][1].clear();
            offersRun[l] = 0;
        }
        crossings.forEach(c -> c.arriving.clear());
        extraHostEvents = 0;
        failed = false;
        thrown = null;
    }

    /** What a lane's events threw in the last run (the first, if both threw); null if nothing did. */
    Throwable thrown() {
        return thrown;
    }

    /**
     * Runs every event of both lanes, the host's scheduled before; returns false if the run failed (a router refused
     * a packet from the other lane, or a lane threw), when the lanes' state is the failed run's. After a run, both
     * lanes' clocks show its end, as one queue's would. The calling thread and a worker each run their own lane's
     * windows, and either runs the other's window too when it finds it unclaimed (the other thread has not started,
     * or its core went to another process): so a thread the host does not schedule slows the run, not stops it.
     */
    boolean run() {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(workerThreads);
        }
        long first = Math.min(queues[0].nextTime(), queues[1].nextTime());
        if (first == Long.MAX_VALUE) {
            return true;
        }
        end = windowEnd(first);
        for (int l = 0; l < COUNT; l++) {
            claimed.set(l, -1);
        }
        lanesDone.set(0);
        window = 0;
        long gate = 4 * ++runs;
        workerGate.set(gate + OPEN);
        Future<?> other = worker.submit(() -> {
            if (workerGate.compareAndSet(gate + OPEN, gate + TAKEN)) {
                work(1);
            }
        });
        work(0);
        if (!workerGate.compareAndSet(gate + OPEN, gate + CLOSED)) {
            awaitWorker(other);
        }
        if (failed) {
            return false;
        }
        long last = now();
        queues[0].advanceIdleTo(last);
        queues[1].advanceIdleTo(last);
        return true;
    }

    /**
     * Waits for a run's worker, which took part in it, to end: at once, since the run is over; if the calling thread
     * is interrupted meanwhile it waits on (a worker still in the loop would take part in the next run) and then sets
     * its interrupt flag again.
     */
    private static void awaitWorker(Future<?> worker) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    worker.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the simulator's second lane failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The later of the lanes' clocks: the run's end. */
    long now() {
        return Math.max(queues[0].now(), queues[1].now());
    }

    /** The events run, counted as one queue would: a link's arrival once, the host's events once. */
    long processed() {
        return queues[0].processed() + queues[1].processed() - offersRun[0] - offersRun[1] - extraHostEvents;
    }

    private long windowEnd(long start) {
        return start > Long.MAX_VALUE - windowPs ? Long.MAX_VALUE : start + windowPs;
    }

    /**
     * A thread's part of the run, {@code own} its lane: in each window it runs its lane, then the other if no thread
     * has claimed it within {@link #GRACE_NANOS} (at once if this thread ran the other's last window too: the other
     * thread is away), then waits for the next window; until the run is over.
     */
    private void work(int own) {
        int seen = OVER;
        int spins = 0;
        boolean otherAway = false;
        while (true) {
            int w = window;
            if (w == OVER) {
                return;
            }
            if (w != seen) {
                seen = w;
                spins = 0;
                runIfUnclaimed(own, w);
                if (!otherAway) {
                    awaitClaim(1 - own, w);
                }
                otherAway = runIfUnclaimed(1 - own, w);
            } else if (spins++ < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Waits up to {@link #GRACE_NANOS} for a thread to claim lane {@code lane}'s window {@code w}. */
    private void awaitClaim(int lane, int w) {
        long start = System.nanoTime();
        while (claimed.get(lane) < w && System.nanoTime() - start < GRACE_NANOS) {
            Thread.onSpinWait();
        }
    }

    /**
     * Runs lane {@code lane}'s window {@code w} if no thread has claimed it yet, and returns whether it did; the thread
     * that finishes a window's last lane opens the next.
     */
    private boolean runIfUnclaimed(int lane, int w) {
        if (!claimed.compareAndSet(lane, w - 1, w)) {
            return false;
        }
        runWindow(lane, w);
        if (lanesDone.incrementAndGet() == COUNT) {
            lanesDone.set(0);
            openNext(w);
        }
        return true;
    }

    /**
     * Lane {@code lane}'s window {@code w}: the other lane's packets of the window before put into its queue in their
     * places, then its events due before the window's end. Whatever they throw fails the run (the one-thread run that
     * follows throws it in its place).
     */
    private void runWindow(int lane, int w) {
        EventQueue q = queues[lane];
        runningWindow[lane] = w;
        long next = Long.MAX_VALUE;
        try {
            if (!failed) {
                if (w > 0) {
                    deliver(lane, outboxes[1 - lane][(w - 1) & 1]);
                }
                q.runBefore(end);
                next = Math.min(q.nextTime(), outboxes[lane][w & 1].firstTime);
            }
        } catch (Throwable e) {
            fail(e);
        }
        nextOf[lane] = next;
        nowOf[lane] = q.now();
    }

    /**
     * After both lanes' window {@code w}: the next window starts at the earlier lane's next event or packet for the
     * other; if neither has one, the deferred events run at the later clock, as one queue runs them at its end, and
     * if still nothing is due, or the run failed, the run is over.
     */
    private void openNext(int w) {
        long global = Math.min(nextOf[0], nextOf[1]);
        if (!failed && global == Long.MAX_VALUE) {
            try {
                long later = Math.max(nowOf[0], nowOf[1]);
                queues[0].scheduleDeferredAfter(later);
                queues[1].scheduleDeferredAfter(later);
                global = Math.min(queues[0].nextTime(), queues[1].nextTime());
            } catch (Throwable e) {
                fail(e);
            }
        }
        if (failed || global == Long.MAX_VALUE) {
            window = OVER;
            return;
        }
        end = windowEnd(global);
        window = w + 1;
    }

    private synchronized void fail(Throwable e) {
        if (thrown == null) {
            thrown = e;
        }
        failed = true;
    }

    /** The other lane's packets of the window before, put into {@code lane}'s queue in their places. */
    private void deliver(int lane, Outbox box) {
        EventQueue q = queues[lane];
        for (int k = 0; k < box.size; k++) {
            Crossing c = crossings.get(box.ints[Outbox.INTS * k]);
            int at = Outbox.INTS * k;
            c.arriving.add(box.ints[at + 1], box.ints[at + 2], box.ints[at + 3], box.ints[at + 4], box.ints[at + 5]);
            q.atPlaceOf(box.longs[Outbox.LONGS * k], box.longs[Outbox.LONGS * k + 1], box.longs[Outbox.LONGS * k + 2],
                    c.offerEvent);
        }
        box.clear();
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.shutdownNow();
            worker = null;
        }
    }

    /**
     * The link into a router from a chip of the other lane: the sending lane {@link #post}s each packet as it starts
     * to cross, and the receiving lane {@link #offer}s it to the router at the arrival's place in the order.
     */
    final class Crossing {
        private final int id;
        private final int fromLane;
        private final SimRouter to;
        private final PacketQueue arriving = new PacketQueue(4);
        private int offerEvent;

        private Crossing(int id, int fromLane, SimRouter to) {
            this.id = id;
            this.fromLane = fromLane;
            this.to = to;
        }

        /** On the sending lane: a packet that arrives at {@code time}, its arrival event scheduled now with origin. */
        void post(long time, long scheduledAt, long origin, int key, int payload, int keyId, int inLink, int hops) {
            outboxes[fromLane][runningWindow[fromLane] & 1].add(time, scheduledAt, origin, id, key, payload, keyId,
                    inLink, hops);
        }

        /** On the receiving lane, the arrival's other half: the first packet offered; a refusal fails the run. */
        void offer() {
            offersRun[laneOf(to.chipNumber())]++;
            boolean taken = to.offer(arriving.key(), arriving.payload(), arriving.keyId(), arriving.inLink(),
                    arriving.hops(), () -> { });
            arriving.removeFirst();
            if (!taken) {
                failed = true;
            }
        }
    }

    /** One lane's packets for the other from one window, as primitive words. */
    private static final class Outbox {
        static final int LONGS = 3;
        static final int INTS = 6;
        long[] longs = new long[LONGS * 64];
        int[] ints = new int[INTS * 64];
        int size;
        long firstTime = Long.MAX_VALUE;

        void add(long time, long scheduledAt, long origin, int crossing, int key, int payload, int keyId, int inLink,
                int hops) {
            if (LONGS * size == longs.length) {
                longs = Arrays.copyOf(longs, 2 * longs.length);
                ints = Arrays.copyOf(ints, 2 * ints.length);
            }
            longs[LONGS * size] = time;
            longs[LONGS * size + 1] = scheduledAt;
            longs[LONGS * size + 2] = origin;
            int at = INTS * size;
            ints[at] = crossing;
            ints[at + 1] = key;
            ints[at + 2] = payload;
            ints[at + 3] = keyId;
            ints[at + 4] = inLink;
            ints[at + 5] = hops;
            size++;
            firstTime = Math.min(firstTime, time);
        }

        void clear() {
            size = 0;
            firstTime = Long.MAX_VALUE;
        }
    }
}
