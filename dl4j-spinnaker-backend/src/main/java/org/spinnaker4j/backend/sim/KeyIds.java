package org.spinnaker4j.backend.sim;

import java.util.List;
import org.spinnaker4j.mapper.graph.OutgoingPartition;

/**
 * Numbers every key the mapping's partitions send, from 0, partition after partition: a packet
 * carries its key's number so that each router finds its route in an array rather than a table.
 */
final class KeyIds {

    private final int[] first;
    private final int count;

    KeyIds(List<OutgoingPartition> partitions) {
        first = new int[partitions.size()];
        int next = 0;
        for (OutgoingPartition p : partitions) {
            first[p.id()] = next;
            next = Math.addExact(next, p.nKeys());
        }
        count = next;
    }

    /** The number of the first key of partition {@code partition}; its atom k's is this + k. */
    int first(int partition) {
        return first[partition];
    }

    /** How many keys there are. */
    int count() {
        return count;
    }
}
