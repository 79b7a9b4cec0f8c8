package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The wheels' entry pool keeps each entry's pair and link, and takes freed entries again, the last freed first. */
class EntryPoolTest {

    @Test
    void keepsPairsAndLinksAndGrowsBeyondItsFirstArray() {
        EntryPool pool = new EntryPool();
        int n = 5_000;
        for (int k = 0; k < n; k++) {
            int e = pool.take(1_000L * k, k + 7);
            assertEquals(k, e);
            assertEquals(EntryPool.NONE, pool.next(e));
            if (k > 0) {
                pool.setNext(k - 1, e);
            }
        }
        for (int k = 0; k < n; k++) {
            assertEquals(1_000L * k, pool.timeOf(k));
            assertEquals(k + 7, pool.orderOf(k));
            assertEquals(k + 1 < n ? k + 1 : EntryPool.NONE, pool.next(k));
        }
        assertEquals(true, pool.before(3, 3_000, 11));
        assertEquals(false, pool.before(3, 3_000, 10));
        assertEquals(false, pool.before(3, 2_999, 99));
    }

    @Test
    void takesFreedEntriesAgainLastFreedFirst() {
        EntryPool pool = new EntryPool();
        for (int k = 0; k < 6; k++) {
            pool.take(k, k);
        }
        pool.setNext(1, 2);
        pool.setNext(2, 3);
        pool.free(1, 3); // the list 1, 2, 3
        pool.free(5, 5);
        assertEquals(5, pool.take(50, 50));
        assertEquals(1, pool.take(10, 10));
        assertEquals(2, pool.take(20, 20));
        assertEquals(3, pool.take(30, 30));
        assertEquals(6, pool.take(60, 60)); // none free: a new one
        assertEquals(20, pool.timeOf(2));
        pool.clearEntries();
        assertEquals(0, pool.take(1, 1));
    }
}
