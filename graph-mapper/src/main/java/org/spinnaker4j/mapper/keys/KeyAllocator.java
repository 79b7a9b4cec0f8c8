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
 * the table compressor can then treat as one range). A block's BACKWARD partitions that are
 * its receivers' parts of its rows share one block, laid end to end in row order, so the block
 * sends row i at the first part's key plus i times the keys a value.
 */
public final class KeyAllocator {

    /** Every partition's keys and mask, from key 0 up. */
    public RoutingInfo allocate(MachineGraph graph) {
        KeyAndMask[] keys = new KeyAndMask[graph.partitions().size()];
        KeySpace space = new KeySpace();
        for (PartitionKind kind : PartitionKind.values()) {
            List<OutgoingPartition> ofKind = graph.partitions().stream().filter(p -> p.kind() == kind).toList();
            for (int i = 0; i < ofKind.size(); i++) {
                OutgoingPartition first = ofKind.get(i);
                int end = i + 1;
                while (end < ofKind.size() && continues(ofKind.get(end - 1), ofKind.get(end))) {
                    end++;
                }
                if (end == i + 1) {
                    keys[first.id()] = space.block(first.nKeys());
                    continue;
                }
                int offset = 0;
                List<OutgoingPartition> pieces = ofKind.subList(i, end);
                int base = space.block(pieces.stream().mapToInt(OutgoingPartition::nKeys).sum()).key();
                for (OutgoingPartition p : pieces) {
                    keys[p.id()] = KeyAndMask.piece(base + offset, p.nKeys());
                    offset += p.nKeys();
                }
                i = end - 1;
            }
        }
        List<KeyAndMask> list = new ArrayList<>(Arrays.asList(keys));
        return new RoutingInfo(list);
    }

    /** Whether {@code b} carries the values right after {@code a}'s from the same sender: a piece of one range. */
    private static boolean continues(OutgoingPartition a, OutgoingPartition b) {
        return a.kind() == PartitionKind.BACKWARD && b.kind() == PartitionKind.BACKWARD && a.source() == b.source()
                && b.id() == a.id() + 1 && b.values().lo() == a.values().hi() && a.keysPerValue() == b.keysPerValue();
    }

    /** The 32-bit key space of one allocation: blocks taken from key 0 up. */
    private static final class KeySpace {
        /** The first key no block has taken. */
        private long next;

        /** The next aligned block of at least {@code nKeys} keys. */
        KeyAndMask block(int nKeys) {
            long size = Long.highestOneBit(Math.max(1, nKeys) * 2L - 1);
            long base = (next + size - 1) / size * size;
            if (base + size > 1L << 32) {
                throw new MappingException("the graph needs more than 2^32 multicast keys");
            }
            next = base + size;
            return new KeyAndMask((int) base, (int) ~(size - 1), nKeys);
        }
    }
}
