package org.spinnaker4j.backend.sim;

/**
 * A first-in first-out queue of multicast packets in flight, kept as primitive fields in a ring
 * (no object per packet): each packet's key, payload, key id (its index in the simulator's
 * {@link KeyIds}), the link it arrived on (-1: from a local core) and its hops so far. The
 * simulator's buffers (router input stages, link queues, receive queues) are these.
 */
final class PacketQueue {

    private static final int KEY = 0;
    private static final int PAYLOAD = 1;
    private static final int KEY_ID = 2;
    private static final int IN_LINK = 3;
    private static final int HOPS = 4;
    private static final int FIELDS = 5;

    private int[] ring;
    private int first;
    private int size;

    PacketQueue(int capacity) {
        ring = new int[FIELDS * Integer.highestOneBit(Math.max(1, capacity - 1) * 2)];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(int key, int payload, int keyId, int inLink, int hops) {
        if (FIELDS * size == ring.length) {
            grow();
        }
        int at = FIELDS * ((first + size) & (ring.length / FIELDS - 1));
        ring[at + KEY] = key;
        ring[at + PAYLOAD] = payload;
        ring[at + KEY_ID] = keyId;
        ring[at + IN_LINK] = inLink;
        ring[at + HOPS] = hops;
        size++;
    }

    /** Moves the first packet of {@code from} to the end of this queue. */
    void takeFirst(PacketQueue from) {
        add(from.key(), from.payload(), from.keyId(), from.inLink(), from.hops());
        from.removeFirst();
    }

    int key() {
        return ring[FIELDS * first + KEY];
    }

    int payload() {
        return ring[FIELDS * first + PAYLOAD];
    }

    int keyId() {
        return ring[FIELDS * first + KEY_ID];
    }

    int inLink() {
        return ring[FIELDS * first + IN_LINK];
    }

    int hops() {
        return ring[FIELDS * first + HOPS];
    }

    void removeFirst() {
        first = (first + 1) & (ring.length / FIELDS - 1);
        size--;
    }

    private void grow() {
        int capacity = ring.length / FIELDS;
        int[] bigger = new int[2 * ring.length];
        for (int k = 0; k < size; k++) {
            System.arraycopy(ring, FIELDS * ((first + k) & (capacity - 1)), bigger, FIELDS * k, FIELDS);
        }
        ring = bigger;
        first = 0;
    }

    void clear() {
        first = 0;
        size = 0;
    }
}
