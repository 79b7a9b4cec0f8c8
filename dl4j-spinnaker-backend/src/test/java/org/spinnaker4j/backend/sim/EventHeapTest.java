package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The heap gives back its events in the event order, each with its own order words and action. */
class EventHeapTest {

    @Test
    void givesBackEventsByTimeThenWhenScheduledThenOriginWithTheirActions() {
        Random random = new Random(24);
        EventHeap heap = new EventHeap();
        List<long[]> events = new ArrayList<>();
        for (int k = 0; k < 3_000; k++) { // many ties in time and in when scheduled, so every word is compared
            long origin = (long) random.nextInt(1 << 10) << 20 | k; // unique, as origins are
            long[] event = {random.nextInt(50), random.nextInt(5), origin, k};
            events.add(event);
            heap.add(event[0], event[1], event[2], k);
        }
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1])
                .thenComparingLong(e -> e[2]));
        for (long[] event : events) {
            assertEquals(event[0], heap.firstTime());
            assertEquals(event[1], heap.firstScheduledAt());
            assertEquals(event[2], heap.firstOrigin());
            assertEquals(event[3], heap.firstAction());
            heap.removeFirst();
        }
        assertEquals(true, heap.isEmpty());
    }
}
