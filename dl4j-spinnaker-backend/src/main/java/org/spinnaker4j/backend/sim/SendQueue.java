package org.spinnaker4j.backend.sim;

/**
 * A core's packets waiting to be sent, in order of when each is due (first in first out among
 * equals), as primitive fields (no object per packet): when each is due, its key, payload, key id
 * and TDMA phase (ordinal). A core's phases have slots of their own (in pipelined training, one
 * sample's backward window while a later one's forward window), so a packet may be due before
 * packets queued earlier; most are not, so a packet is inserted from the back.
 */
final class SendQueue {

    private long[] due = new long[16];
    private int[] fields = new int[4 * 16];
    private int first;
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    void add(long dueAt, int key, int payload, int keyId, int phase) {
        if (size == due.length) {
            grow();
        }
        int mask = due.length - 1;
        int k = size;
        while (k > 0 && due[(first + k - 1) & mask] > dueAt) {
            int from = (first + k - 1) & mask;
            int to = (first + k) & mask;
            due[to] = due[from];
            System.arraycopy(fields, 4 * from, fields, 4 * to, 4);
            k--;
        }
        int at = (first + k) & mask;
        due[at] = dueAt;
        fields[4 * at] = key;
        fields[4 * at + 1] = payload;
        fields[4 * at + 2] = keyId;
        fields[4 * at + 3] = phase;
        size++;
    }

    long due() {
        return due[first];
    }

    int key() {
        return fields[4 * first];
    }

    int payload() {
        return fields[4 * first + 1];
    }

    int keyId() {
        return fields[4 * first + 2];
    }

    int phase() {
        return fields[4 * first + 3];
    }

    void removeFirst() {
        first = (first + 1) & (due.length - 1);
        size--;
    }

    private void grow() {
        long[] moreDue = new long[2 * due.length];
        int[] moreFields = new int[2 * fields.length];
        for (int k = 0; k < size; k++) {
            int from = (first + k) & (due.length - 1);
            moreDue[k] = due[from];
            System.arraycopy(fields, 4 * from, moreFields, 4 * k, 4);
        }
        due = moreDue;
        fields = moreFields;
        first = 0;
    }

    void clear() {
        first = 0;
        size = 0;
    }
}
