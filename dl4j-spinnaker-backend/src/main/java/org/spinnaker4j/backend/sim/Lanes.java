package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A run's chips split over two host threads, each lane of chips with its own {@link EventQueue}, run in windows of
 * one link's time: no chip acts on another sooner than a packet takes to cross the link between them, so the packets
 * a lane sends the other in one window are due in a later one, and are handed over between windows. The sending
 * lane's link counts every packet as taken at its arrival, as the receiving router takes every packet in a TDMA run
 * (docs/simulator-speed.md); the receiving lane offers it to its router in the place the link's arrival holds in the
 * one-queue order ({@link EventOrder} needs no counter shared between chips), so each lane runs its chips' events in
 * the order one queue would. A refused packet, or an exception in either lane, fails the run ({@link #run} returns
 * false): the caller runs it again on one thread from the state before it.
 */
final class Lanes implements AutoCloseable {

    /** The lanes: the calling thread runs lane 0, a worker lane 1. */
    static final int COUNT = 2;
    /** Spins a waiting lane makes before it yields its core between checks. */
    private static final int SPINS = 1 << 10;

    private final EventQueue[] queues = {new EventQueue(), new EventQueue()};
    private final int[] laneOfChip;
    private final long windowPs;
    private final List<Crossing> crossings = new ArrayList<>();
    /** Each lane's packets for the other, one outbox per parity of the window that sent them. */
    private final Outbox[][] outboxes = {{new Outbox(), new Outbox()}, {new Outbox(), new Outbox()}};
    /** Per lane and parity of window: its next event or packet for the other lane, and its clock. */
    private final long[][] nextOf = new long[COUNT][2];
    private final long[][] nowOf = new long[COUNT][2];
    /** Per lane: the windows it has finished (a two-party barrier). */
    private final PaddedCounter[] finished = {new PaddedCounter(), new PaddedCounter()};
    private final int[] offersRun = new int[COUNT];
    private final int[] window = new int[COUNT];
    private int extraHostEvents;
    private volatile boolean failed;
    /** What a lane's events threw in the last run, first; null if nothing. */
    private volatile Throwable thrown;
    private ExecutorService worker;

    /**
     * Lanes for chips numbered up to {@code laneOfChip.length - 1} ({@link EventOrder#chipNumber}), chip c on lane
     * {@code laneOfChip[c]}; {@code windowPs} the least time a packet takes from one chip to the next.
     */
    Lanes(int[] laneOfChip, long windowPs) {
        if (windowPs < 1) {
            throw new IllegalArgumentException("a lane's window must be at least 1 ps, got " + windowPs);
        }
        this.laneOfChip = laneOfChip.clone();
        this.windowPs = windowPs;
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
            window[l] = 0;
            finished[l].value = 0;
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
     * lanes' clocks show its end, as one queue's would.
     */
    boolean run() {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, "spinnaker4j-lane-1");
                t.setDaemon(true);
                return t;
            });
        }
        long first = Math.min(queues[0].nextTime(), queues[1].nextTime());
        if (first == Long.MAX_VALUE) {
            return true;
        }
        long end = windowEnd(first);
        Future<?> other = worker.submit(() -> runLane(1, end));
        runLane(0, end);
        try {
            other.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the simulator's second lane ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the simulator's second lane failed", e.getCause());
        }
        if (failed) {
            return false;
        }
        long last = now();
        queues[0].advanceIdleTo(last);
        queues[1].advanceIdleTo(last);
        return true;
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
     * Lane {@code lane}'s windows, the first ending at {@code firstEnd}, until both lanes are idle or the run has
     * failed. Whatever a lane's events throw fails the run (the one-thread run that follows throws it in its place),
     * and the lane still meets the other at the window's end, so that neither waits for ever.
     */
    private void runLane(int lane, long firstEnd) {
        EventQueue q = queues[lane];
        long end = firstEnd;
        while (true) {
            int w = window[lane];
            long next = Long.MAX_VALUE;
            try {
                if (!failed) {
                    q.runBefore(end);
                    next = Math.min(q.nextTime(), outboxes[lane][w & 1].firstTime);
                }
            } catch (Throwable e) {
                fail(e);
            }
            long global = finishWindow(lane, w, next);
            if (failed) {
                return;
            }
            try {
                deliver(lane, outboxes[1 - lane][w & 1]);
                if (global == Long.MAX_VALUE) {
                    // both idle: the deferred events run at the later clock, as one queue runs them at its end
                    q.scheduleDeferredAfter(Math.max(nowOf[0][w & 1], nowOf[1][w & 1]));
                }
            } catch (Throwable e) {
                fail(e);
            }
            if (global == Long.MAX_VALUE) {
                global = finishWindow(lane, window[lane], q.nextTime());
                if (failed || global == Long.MAX_VALUE) {
                    return;
                }
            }
            end = windowEnd(global);
        }
    }

    private synchronized void fail(Throwable e) {
        if (thrown == null) {
            thrown = e;
        }
        failed = true;
    }

    /**
     * Publishes lane {@code lane}'s next time for window {@code w}, waits for the other lane to finish the window,
     * and returns the earlier of the two.
     */
    private long finishWindow(int lane, int w, long next) {
        nextOf[lane][w & 1] = next;
        nowOf[lane][w & 1] = queues[lane].now();
        window[lane] = w + 1;
        finished[lane].value = w + 1;
        PaddedCounter theirs = finished[1 - lane];
        for (int spins = 0; theirs.value <= w; spins++) {
            if (spins < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return Math.min(nextOf[0][w & 1], nextOf[1][w & 1]);
    }

    /** The other lane's packets of the window just finished, put into {@code lane}'s queue in their places. */
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
            outboxes[fromLane][window[fromLane] & 1].add(time, scheduledAt, origin, id, key, payload, keyId, inLink,
                    hops);
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

    /** A lane's count of finished windows, alone on its cache lines so the two lanes' spinning does not collide. */
    private static final class PaddedCounter {
        @SuppressWarnings("unused")
        private long p1, p2, p3, p4, p5, p6, p7;
        volatile int value;
        @SuppressWarnings("unused")
        private long q1, q2, q3, q4, q5, q6, q7;
    }
}
