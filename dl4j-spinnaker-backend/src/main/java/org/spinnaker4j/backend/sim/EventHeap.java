package org.spinnaker4j.backend.sim;

import java.util.Arrays;

/**
 * A 4-ary min-heap of primitive (time, order) pairs, ordered by time and then order: the
 * {@link EventQueue}'s events beyond the {@link TimingWheel}'s horizon. Moving an entry moves
 * two longs, not an object.
 */
final class EventHeap {

    /** Entry k: {@code heap[2k]} its time, {@code heap[2k + 1]} its order. */
    private long[] heap = new long[2 * 256];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    long firstTime() {
        return heap[0];
    }

    long firstOrder() {
        return heap[1];
    }

    void add(long time, long order) {
        if (2 * size == heap.length) {
            heap = Arrays.copyOf(heap, 2 * heap.length);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long pt = heap[2 * parent];
            long po = heap[2 * parent + 1];
            if (pt < time || pt == time && po < order) {
                break;
            }
            heap[2 * i] = pt;
            heap[2 * i + 1] = po;
            i = parent;
        }
        heap[2 * i] = time;
        heap[2 * i + 1] = order;
    }

    void removeFirst() {
        int last = --size;
        long t = heap[2 * last];
        long o = heap[2 * last + 1];
        int i = 0;
        while (true) {
            int first = 4 * i + 1;
            if (first >= size) {
                break;
            }
            int end = Math.min(first + 4, size);
            int min = first;
            long mt = heap[2 * first];
            long mo = heap[2 * first + 1];
            for (int c = first + 1; c < end; c++) {
                long ct = heap[2 * c];
                long co = heap[2 * c + 1];
                if (ct < mt || ct == mt && co < mo) {
                    min = c;
                    mt = ct;
                    mo = co;
                }
            }
            if (t < mt || t == mt && o < mo) {
                break;
            }
            heap[2 * i] = mt;
            heap[2 * i + 1] = mo;
            i = min;
        }
        heap[2 * i] = t;
        heap[2 * i + 1] = o;
    }

    void clear() {
        size = 0;
    }
}
