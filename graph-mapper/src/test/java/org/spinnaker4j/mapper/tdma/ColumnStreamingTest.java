package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a core completing column by column sends each column, from when its packets arrive. */
class ColumnStreamingTest {

    private static ColumnStreaming.Arrival at(long clocks, int column) {
        return new ColumnStreaming.Arrival(clocks, column);
    }

    @Test
    void aColumnIsSentOnceItsLastPacketIsHandledAndEveryEarlierColumnIsSent() {
        // two partials a column; column 1's second comes before column 0's, so both go after column 0's last
        List<ColumnStreaming.Arrival> arrivals = List.of(at(0, 0), at(10, 1), at(20, 1), at(100, 0), at(200, 2),
                at(205, 2));
        long[] ready = ColumnStreaming.ready(arrivals, 3, 50, 7);
        // queue: 0→50, 50→100 (column 1), 100→150 (column 1), 150→200 (column 0's last): columns 0 and 1 at 207, 214;
        // 214→264 (column 2), 264→314 (its last): column 2 at 321
        assertArrayEquals(new long[] {207, 214, 321}, ready);
    }

    @Test
    void aColumnWithoutPacketsInTheWindowIsNotFollowed() {
        assertNull(ColumnStreaming.ready(List.of(at(0, 0), at(5, 2)), 3, 10, 1));
    }
}
