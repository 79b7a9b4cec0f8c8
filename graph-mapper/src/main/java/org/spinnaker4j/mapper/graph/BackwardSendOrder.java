package org.spinnaker4j.mapper.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each block starts sending its rows' errors back. A block that sends them as halves in parts (one partition a
 * receiver, {@link OutgoingPartition#PARTIAL_HALVES}) starts at the first row of a part of its own: the blocks of a
 * layer spread evenly over their parts, so in each round of their TDMA window they send to different receivers
 * (starting alike, they would all send to one receiver at once, and that receiver taking all their packets would set
 * the window's pace). It sends on in order and wraps to its first row; the receivers add the halves exactly, in any
 * order. Every other block starts at its first row.
 */
public final class BackwardSendOrder {

    private final MachineGraph graph;
    private final int[] firstRow;

    private BackwardSendOrder(MachineGraph graph, int[] firstRow) {
        this.graph = graph;
        this.firstRow = firstRow;
    }

    /** The order of every block of {@code graph}. */
    public static BackwardSendOrder of(MachineGraph graph) {
        int[] first = new int[graph.vertices().size()];
        Map<Integer, List<List<OutgoingPartition>>> partsByLayer = new TreeMap<>();
        for (MachineVertex v : graph.vertices()) {
            first[v.id()] = v.rows() == null ? 0 : v.rows().lo();
            List<OutgoingPartition> parts = graph.outgoing(v.id()).stream()
                    .filter(p -> p.kind() == PartitionKind.BACKWARD).toList();
            if (parts.size() > 1 && parts.get(0).keysPerValue() == OutgoingPartition.PARTIAL_HALVES) {
                partsByLayer.computeIfAbsent(v.layer(), l -> new ArrayList<>()).add(parts);
            }
        }
        for (List<List<OutgoingPartition>> blocks : partsByLayer.values()) {
            for (int s = 0; s < blocks.size(); s++) {
                List<OutgoingPartition> parts = blocks.get(s);
                first[parts.get(0).source()] = parts.get((int) ((long) s * parts.size() / blocks.size())).values().lo();
            }
        }
        return new BackwardSendOrder(graph, first);
    }

    /** The row (of the layer's input) vertex {@code v} sends back first. */
    public int firstRow(int v) {
        return firstRow[v];
    }

    /**
     * The packet (of its backward window, from 0) with which {@code p}'s source starts sending BACKWARD partition
     * {@code p}: its rows from the first row on, {@code keysPerValue} packets a row, wrapping.
     */
    public int firstPacket(OutgoingPartition p) {
        if (p.kind() != PartitionKind.BACKWARD) {
            throw new IllegalArgumentException("partition " + p.id() + " is " + p.kind() + ", not BACKWARD");
        }
        Slice rows = graph.vertex(p.source()).rows();
        int after = p.values().lo() - firstRow[p.source()];
        return p.keysPerValue() * (after >= 0 ? after : after + rows.size());
    }
}
