package org.spinnaker4j.backend.sim;

/**
 * A core's background work (the backward-pass work of training), first in first out, as primitive fields (no object
 * per item): each item's remaining time, whether it ends a sample's backward work, and the backward-phase packets
 * (key and payload) it sends once done.
 */
final class BackgroundQueue {

    private long[] remainingPs = new long[16];
    private int[] sends = new int[16];
    private boolean[] endsBackward = new boolean[16];
    private int first;
    private int size;
    /** The items' packets, key and payload one after the other, in item order. */
    private int[] packets = new int[64];
    private int firstPacket;
    private int packetInts;

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds an item of {@code ps} that sends the first {@code n} packets of {@code outbox} (key, payload pairs). */
    void add(long ps, boolean endsSampleBackward, int[] outbox, int n) {
        if (size == remainingPs.length) {
            grow();
        }
        while (packetInts + 2 * n > packets.length) {
            growPackets();
        }
        int at = (first + size) & (remainingPs.length - 1);
        remainingPs[at] = ps;
        sends[at] = n;
        endsBackward[at] = endsSampleBackward;
        int mask = packets.length - 1;
        for (int k = 0; k < 2 * n; k++) {
            packets[(firstPacket + packetInts + k) & mask] = outbox[k];
        }
        packetInts += 2 * n;
        size++;
    }

    /** The head item's remaining time. */
    long remainingPs() {
        return remainingPs[first];
    }

    void setRemainingPs(long ps) {
        remainingPs[first] = ps;
    }

    /** Whether the head item ends a sample's backward work. */
    boolean endsBackward() {
        return endsBackward[first];
    }

    /** Removes the head item and copies its packets into {@code outbox}; returns how many. */
    int removeFirst(int[] outbox) {
        int n = sends[first];
        int mask = packets.length - 1;
        for (int k = 0; k < 2 * n; k++) {
            outbox[k] = packets[(firstPacket + k) & mask];
        }
        firstPacket = (firstPacket + 2 * n) & mask;
        packetInts -= 2 * n;
        first = (first + 1) & (remainingPs.length - 1);
        size--;
        return n;
    }

    private void grow() {
        int n = remainingPs.length;
        long[] moreRemaining = new long[2 * n];
        int[] moreSends = new int[2 * n];
        boolean[] moreEnds = new boolean[2 * n];
        for (int k = 0; k < size; k++) {
            int from = (first + k) & (n - 1);
            moreRemaining[k] = remainingPs[from];
            moreSends[k] = sends[from];
            moreEnds[k] = endsBackward[from];
        }
        remainingPs = moreRemaining;
        sends = moreSends;
        endsBackward = moreEnds;
        first = 0;
    }

    private void growPackets() {
        int[] more = new int[2 * packets.length];
        for (int k = 0; k < packetInts; k++) {
            more[k] = packets[(firstPacket + k) & (packets.length - 1)];
        }
        packets = more;
        firstPacket = 0;
    }

    void clear() {
        first = 0;
        size = 0;
        firstPacket = 0;
        packetInts = 0;
    }
}
