package org.spinnaker4j.mapper.tdma;

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

    /** A packet of a column-by-column core's inputs: when it arrives, and which of the core's columns it is for. */
    record Arrival(long clocks, int column) {
    }

    /**
     * When each of a core's {@code columns} columns is sent, at the earliest: its receive queue played through in
     * order of arrival ({@code packetCycles} a packet), and after the packet that completes a column (the last of its
     * {@code arrivals}) each column from the next unsent on whose packets are all in, {@code columnCycles} each. Null
     * if a column has no packet among {@code arrivals} (its partials come from an earlier window).
     */
    static long[] ready(List<Arrival> arrivals, int columns, long packetCycles, long columnCycles) {
        int[] missing = new int[columns];
        for (Arrival a : arrivals) {
            missing[a.column()]++;
        }
        if (Arrays.stream(missing).anyMatch(m -> m == 0)) {
            return null;
        }
        long[] ready = new long[columns];
        int next = 0;
        long busyUntil = 0;
        for (Arrival a : arrivals.stream().sorted(Comparator.comparingLong(Arrival::clocks)).toList()) {
            busyUntil = Math.max(busyUntil, a.clocks()) + packetCycles;
            missing[a.column()]--;
            while (next < columns && missing[next] == 0) {
                busyUntil += columnCycles;
                ready[next++] = busyUntil;
            }
        }
        return ready;
    }
}
