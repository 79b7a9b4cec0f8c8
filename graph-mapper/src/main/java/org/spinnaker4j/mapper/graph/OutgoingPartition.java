package org.spinnaker4j.mapper.graph;

import java.util.List;

/**
 * The packets one vertex multicasts to a set of targets under one key range: atom a carries
 * value {@code values.lo + a} (of the vector for FORWARD and LABEL, of the layer's columns for
 * DELTA, of the layer's rows for BACKWARD, the sending core's index for LOSS; for SOFTMAX_SYNC
 * and NORM values is [0, number of keys)).
 */
public record OutgoingPartition(int id, int source, PartitionKind kind, Slice values, List<Integer> targets) {

    public OutgoingPartition {
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("partition " + id + " of vertex " + source + " has no targets");
        }
    }

    /** Keys this partition needs: one per value. */
    public int nKeys() {
        return values.size();
    }
}
