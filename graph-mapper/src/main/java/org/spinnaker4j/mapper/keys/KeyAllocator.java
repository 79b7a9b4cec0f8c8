package org.spinnaker4j.mapper.keys;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;

/**
 * Gives each partition a contiguous key range under one mask: its size rounded up to a power
 * of two, aligned to that size. Forward partitions are allocated first, in partition order,
 * so one-key partitions of neighbouring vertices get consecutive keys (which receivers and
 * the table compressor can then treat as one range).
 */
public final class KeyAllocator {

    public RoutingInfo allocate(MachineGraph graph) {
        KeyAndMask[] keys = new KeyAndMask[graph.partitions().size()];
        long next = 0;
        for (PartitionKind kind : PartitionKind.values()) {
            for (OutgoingPartition p : graph.partitions()) {
                if (p.kind() != kind) {
                    continue;
                }
                long size = Long.highestOneBit(Math.max(1, p.nKeys()) * 2L - 1);
                long base = (next + size - 1) / size * size;
                if (base + size > 1L << 32) {
                    throw new MappingException("the graph needs more than 2^32 multicast keys");
                }
                keys[p.id()] = new KeyAndMask((int) base, (int) ~(size - 1), p.nKeys());
                next = base + size;
            }
        }
        List<KeyAndMask> list = new ArrayList<>(Arrays.asList(keys));
        return new RoutingInfo(list);
    }
}
