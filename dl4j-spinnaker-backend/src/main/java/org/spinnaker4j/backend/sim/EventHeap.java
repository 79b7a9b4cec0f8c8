package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * A 4-ary min-heap of primitive events, each its time, the two words of its place in the {@link EventOrder} and its
 * action's number, in that order: the {@link EventQueue}'s events beyond the {@link FarWheel}'s horizon. Moving an
 * entry moves four longs, not an object.
 */
final class EventHeap {

    private static final int STRIDE = 4;

    /** Entry k: {@code heap[4k]} its time, then when it was scheduled, its origin and its action. */
    private long[] heap = new long[STRIDE * 256];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    long firstTime() {
        return heap[0];
    }

    long firstScheduledAt() {
        return heap[1];
    }

    long firstOrigin() {
        return heap[2];
    }

    int firstAction() {
        return (int) heap[3];
    }

    void add(long time, long scheduledAt, long origin, int action) {
        if (STRIDE * size == heap.length) {
            heap = Arrays.copyOf(heap, 2 * heap.length);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (before(parent, time, scheduledAt, origin)) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        put(i, time, scheduledAt, origin, action);
    }

    void removeFirst() {
        int last = --size;
        long t = heap[STRIDE * last];
        long s = heap[STRIDE * last + 1];
        long o = heap[STRIDE * last + 2];
        int a = (int) heap[STRIDE * last + 3];
        int i = 0;
        while (true) {
            int first = 4 * i + 1;
            if (first >= size) {
                break;
            }
            int end = Math.min(first + 4, size);
            int min = first;
            for (int c = first + 1; c < end; c++) {
                if (before(c, heap[STRIDE * min], heap[STRIDE * min + 1], heap[STRIDE * min + 2])) {
                    min = c;
                }
            }
            if (!before(min, t, s, o)) {
                break;
            }
            move(min, i);
            i = min;
        }
        put(i, t, s, o, a);
    }

    /** Whether entry k comes before the event (time, scheduledAt, origin). */
    private boolean before(int k, long time, long scheduledAt, long origin) {
        int at = STRIDE * k;
        return EventOrder.before(heap[at], heap[at + 1], heap[at + 2], time, scheduledAt, origin);
    }

    private void move(int from, int to) {
        int f = STRIDE * from;
        int t = STRIDE * to;
        heap[t] = heap[f];
        heap[t + 1] = heap[f + 1];
        heap[t + 2] = heap[f + 2];
        heap[t + 3] = heap[f + 3];
    }

    private void put(int k, long time, long scheduledAt, long origin, int action) {
        int at = STRIDE * k;
        heap[at] = time;
        heap[at + 1] = scheduledAt;
        heap[at + 2] = origin;
        heap[at + 3] = action;
    }

    void clear() {
        size = 0;
    }
}
