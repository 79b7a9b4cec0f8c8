package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** When a core completing column by column sends each column, at the latest, from when its packets may arrive. */
class ColumnStreamingTest {

    private static ColumnStreaming.Arrival at(long clocks, int column) {
        return new ColumnStreaming.Arrival(clocks, clocks, column);
    }

    private static ColumnStreaming.Arrival between(long earliest, long latest, int column) {
        return new ColumnStreaming.Arrival(earliest, latest, column);
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
    void packetsSentBeforeAColumnsLastMayOvertakeIt() {
        // column 0's packet, from a far sender, may arrive as late as 300; column 1's two, from nearer senders sent
        // after it, may arrive as early as 100 and 200: all three by 300, column 1's first, so column 0 waits for them
        List<ColumnStreaming.Arrival> arrivals = List.of(between(0, 300, 0), between(100, 400, 1),
                between(200, 500, 1));
        long[] ready = ColumnStreaming.ready(arrivals, 2, 50, 7);
        // column 0: 300→350→400→450 (its packet last), +7; column 1: 300→350 (+7), 400→450, 500→550, +7
        assertArrayEquals(new long[] {457, 557}, ready);
    }

    @Test
    void aPacketSentAfterAColumnsLastArrivalDoesNotDelayIt() {
        long[] ready = ColumnStreaming.ready(List.of(between(0, 300, 0), between(301, 400, 1)), 2, 50, 7);
        assertEquals(357, ready[0]);
    }

    @Test
    void noOrderOfArrivalsWithinTheirBoundsSendsAColumnLater() {
        Random random = new Random(21);
        for (int trial = 0; trial < 2000; trial++) {
            int columns = 1 + random.nextInt(6);
            List<ColumnStreaming.Arrival> bounds = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                for (int k = random.nextInt(3); k >= 0; k--) {
                    long earliest = random.nextInt(1000);
                    bounds.add(between(earliest, earliest + random.nextInt(600), c));
                }
            }
            long packetCycles = 1 + random.nextInt(120);
            long columnCycles = random.nextInt(60);
            long[] ready = ColumnStreaming.ready(bounds, columns, packetCycles, columnCycles);
            for (int run = 0; run < 20; run++) {
                long[] sent = queuePlayed(bounds, columns, packetCycles, columnCycles, random);
                for (int c = 0; c < columns; c++) {
                    assertTrue(sent[c] <= ready[c], "trial " + trial + ": column " + c + " sent at " + sent[c]
                            + ", bound " + ready[c] + " for " + bounds);
                }
            }
        }
    }

    /**
     * One way the core may go: each packet arriving at a random time within its bounds (equal times in a random
     * order), handled in order of arrival, each column sent once its packets and the earlier columns are.
     */
    private static long[] queuePlayed(List<ColumnStreaming.Arrival> bounds, int columns, long packetCycles,
            long columnCycles, Random random) {
        record Packet(long time, int tie, int column) {
        }
        List<Packet> packets = new ArrayList<>();
        int[] missing = new int[columns];
        for (ColumnStreaming.Arrival a : bounds) {
            packets.add(new Packet(a.earliest() + random.nextInt((int) (a.latest() - a.earliest() + 1)),
                    random.nextInt(), a.column()));
            missing[a.column()]++;
        }
        packets.sort(Comparator.comparingLong(Packet::time).thenComparingInt(Packet::tie));
        long[] sent = new long[columns];
        int next = 0;
        long busyUntil = 0;
        for (Packet p : packets) {
            busyUntil = Math.max(busyUntil, p.time()) + packetCycles;
            missing[p.column()]--;
            while (next < columns && missing[next] == 0) {
                busyUntil += columnCycles;
                sent[next++] = busyUntil;
            }
        }
        return sent;
    }

    @Test
    void aColumnWithoutPacketsInTheWindowIsNotFollowed() {
        assertNull(ColumnStreaming.ready(List.of(at(0, 0), at(5, 2)), 3, 10, 1));
    }

    @Test
    void aPacketCannotArriveBeforeItIsSent() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> between(10, 9, 0));
        assertTrue(e.getMessage().contains("10 > 9"), e.getMessage());
    }
}
