package org.spinnaker4j.mapper.graph;

import java.util.List;

/**
 * The packets one vertex multicasts to a set of targets under one key range. For FORWARD
 * partitions, atom a carries the value at index {@code values.lo + a} of the vector.
 */
public record OutgoingPartition(int id, int source, PartitionKind kind, Slice values, List<Integer> targets) {

    public OutgoingPartition {
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("partition " + id + " of vertex " + source + " has no targets");
        }
    }

    /** Keys this partition needs: one per value, or two for a softmax sync. */
    public int nKeys() {
        return kind == PartitionKind.FORWARD ? values.size() : 2;
    }
}
