package org.spinnaker4j.mapper.tdma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * Reduces and relays that complete column by column. In inference, a reduce whose activation acts on each output
 * alone (every activation but a softmax), and a relay (a reduce of one partial per value, the identity), sends each
 * column as soon as its partials, and every earlier column's, are in: the kernel sums the column's partials in the
 * same order as a whole z's, adds its bias, activates it and sends it ({@code S4J_WORK_COLUMN}). Its values window
 * may then open before its inputs' window has ended, as long as each of its packets is ready by its slot:
 * {@link #ready} tells when each column is, from when its packets arrive.
 */
public final class ColumnStreaming {

    private ColumnStreaming() {
    }

    /** Whether vertex {@code v} of {@code graph}, mapped for {@code network}, completes column by column. */
    public static boolean streams(NetworkSpec network, MachineGraph graph, int v) {
        MachineVertex vertex = graph.vertex(v);
        if (network.trains() || graph.splitsSoftmax(v)) {
            return false;
        }
        return vertex.kind() == VertexKind.RELAY || (vertex.kind() == VertexKind.REDUCE
                && network.layers().get(vertex.layer()).activation().kind() != ActivationKind.SOFTMAX);
    }

    /**
     * A packet of a column-by-column core's inputs: it arrives no earlier than {@code earliest} (sent in its slot, on
     * its way at the fastest) and no later than {@code latest}, and it is for the core's column {@code column}.
     */
    record Arrival(long earliest, long latest, int column) {
        Arrival {
            if (earliest > latest) {
                throw new IllegalArgumentException("Expected a packet's earliest arrival no later than its latest, got "
                        + earliest + " > " + latest);
            }
        }
    }

    /**
     * When each of a core's {@code columns} columns is sent, at the latest, whatever order its packets arrive in within
     * their bounds: the receive queue handles them in order of arrival ({@code packetCycles} a packet), and after the
     * packet that completes a column (the last of its {@code arrivals}) each column from the next unsent on whose
     * packets are all in, {@code columnCycles} each. A packet that may arrive before column c's last needed one (its
     * earliest arrival no later than that one's latest) may be handled first, even if it arrives last as the senders'
     * slots go: a nearer sender's packet overtakes a farther one sent before it. So column c is timed by the queue
     * played through with every such packet arriving as late as it may but no later than column c's last needed one
     * (its columns' packets last among equal times): of the orders the bounds allow, the one that keeps the core
     * busiest before column c. Null if a column has no packet among {@code arrivals} (its partials come from an earlier
     * window).
     */
    static long[] ready(List<Arrival> arrivals, int columns, long packetCycles, long columnCycles) {
        int[] packets = new int[columns];
        for (Arrival a : arrivals) {
            packets[a.column()]++;
        }
        if (Arrays.stream(packets).anyMatch(m -> m == 0)) {
            return null;
        }
        List<Arrival> byLatest = arrivals.stream().sorted(Comparator.comparingLong(Arrival::latest)).toList();
        long[] ready = new long[columns];
        long due = Long.MIN_VALUE;
        for (int c = 0; c < columns; c++) {
            for (Arrival a : arrivals) {
                if (a.column() == c) {
                    due = Math.max(due, a.latest());
                }
            }
            ready[c] = played(byLatest, packets, c, due, packetCycles, columnCycles);
        }
        return ready;
    }

    /**
     * When column {@code last} is sent: the packets that may arrive by {@code due} (the latest arrival of that column's
     * and every earlier column's packets), each at its latest or {@code due}, played through the receive queue;
     * {@code byLatest} holds them in order of their latest arrival.
     */
    private static long played(List<Arrival> byLatest, int[] packets, int last, long due, long packetCycles,
            long columnCycles) {
        int[] missing = packets.clone();
        long busyUntil = Long.MIN_VALUE;
        int next = 0;
        // those that may come at due: the later columns' first, as they hold up column last the most
        List<Arrival> atDue = new ArrayList<>();
        for (Arrival a : byLatest) {
            if (a.latest() < due) {
                busyUntil = Math.max(busyUntil, a.latest()) + packetCycles;
                missing[a.column()]--;
                // column last's packets are not all in before due: next stays at or below last
                while (missing[next] == 0) {
                    busyUntil += columnCycles;
                    next++;
                }
            } else if (a.earliest() <= due) {
                if (a.column() > last) {
                    busyUntil = Math.max(busyUntil, due) + packetCycles;
                } else {
                    atDue.add(a);
                }
            }
        }
        for (Arrival a : atDue) {
            busyUntil = Math.max(busyUntil, due) + packetCycles;
            missing[a.column()]--;
        }
        while (next <= last && missing[next] == 0) {
            busyUntil += columnCycles;
            next++;
        }
        return busyUntil;
    }
}
