package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * The simulator's clock and pending events, in time order (ties in the order they were
 * scheduled): a binary heap over parallel arrays, since the simulation spends much of its
 * time here.
 */
final class EventQueue {

    private long[] times = new long[1024];
    private long[] seqs = new long[1024];
    private Runnable[] actions = new Runnable[1024];
    private int size;
    private long seq;
    private long now;
    private long processed;

    /** The current time in picoseconds. */
    long now() {
        return now;
    }

    void at(long time, Runnable action) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            seqs = Arrays.copyOf(seqs, size * 2);
            actions = Arrays.copyOf(actions, size * 2);
        }
        int i = size++;
        long t = Math.max(time, now);
        long s = seq++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(t, s, times[parent], seqs[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        times[i] = t;
        seqs[i] = s;
        actions[i] = action;
    }

    void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs events until none is left. */
    void runUntilIdle() {
        while (size > 0) {
            now = times[0];
            Runnable action = actions[0];
            removeFirst();
            processed++;
            action.run();
        }
    }

    private void removeFirst() {
        int last = --size;
        long t = times[last];
        long s = seqs[last];
        Runnable a = actions[last];
        actions[last] = null;
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(times[child + 1], seqs[child + 1], times[child], seqs[child])) {
                child++;
            }
            if (!before(times[child], seqs[child], t, s)) {
                break;
            }
            move(child, i);
            i = child;
        }
        if (size > 0) {
            times[i] = t;
            seqs[i] = s;
            actions[i] = a;
        }
    }

    private void move(int from, int to) {
        times[to] = times[from];
        seqs[to] = seqs[from];
        actions[to] = actions[from];
    }

    private static boolean before(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    long processed() {
        return processed;
    }

    void reset() {
        Arrays.fill(actions, 0, size, null);
        size = 0;
        now = 0;
        processed = 0;
    }
}
