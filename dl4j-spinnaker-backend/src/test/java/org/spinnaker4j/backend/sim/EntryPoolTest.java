package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The wheels' entry pool keeps each entry's time, order words, action and link, and takes freed entries again, the last
 * freed first.
 */
class EntryPoolTest {

    @Test
    void keepsEventsAndLinksAndGrowsBeyondItsFirstArray() {
        EntryPool pool = new EntryPool();
        int n = 5_000;
        for (int k = 0; k < n; k++) {
            int e = pool.take(1_000L * k, 500L * k, k + 7, k + 3);
            assertEquals(k, e);
            assertEquals(EntryPool.NONE, pool.next(e));
            if (k > 0) {
                pool.setNext(k - 1, e);
            }
        }
        for (int k = 0; k < n; k++) {
            assertEquals(1_000L * k, pool.timeOf(k));
            assertEquals(500L * k, pool.scheduledAtOf(k));
            assertEquals(k + 7, pool.originOf(k));
            assertEquals(k + 3, pool.actionOf(k)); // kept beside the link, which changes without touching it
            assertEquals(k + 1 < n ? k + 1 : EntryPool.NONE, pool.next(k));
        }
        // entry 3 is (3_000, 1_500, 10): by time, then when scheduled, then origin
        assertEquals(true, pool.before(3, 3_000, 1_500, 11));
        assertEquals(false, pool.before(3, 3_000, 1_500, 10));
        assertEquals(true, pool.before(3, 3_000, 1_501, 0));
        assertEquals(false, pool.before(3, 3_000, 1_499, 99));
        assertEquals(false, pool.before(3, 2_999, 9_999, 99));
        int last = pool.take(1, 2, 3, Integer.MAX_VALUE);
        pool.setNext(last, 1);
        assertEquals(Integer.MAX_VALUE, pool.actionOf(last));
        assertEquals(1, pool.next(last));
    }

    @Test
    void takesFreedEntriesAgainLastFreedFirst() {
        EntryPool pool = new EntryPool();
        for (int k = 0; k < 6; k++) {
            pool.take(k, k, k, 0);
        }
        pool.setNext(1, 2);
        pool.setNext(2, 3);
        pool.free(1, 3); // the list 1, 2, 3
        pool.free(5, 5);
        assertEquals(5, pool.take(50, 50, 50, 0));
        assertEquals(1, pool.take(10, 10, 10, 0));
        assertEquals(2, pool.take(20, 20, 20, 0));
        assertEquals(3, pool.take(30, 30, 30, 0));
        assertEquals(6, pool.take(60, 60, 60, 0)); // none free: a new one
        assertEquals(20, pool.timeOf(2));
        pool.clearEntries();
        assertEquals(0, pool.take(1, 1, 1, 0));
    }
}
