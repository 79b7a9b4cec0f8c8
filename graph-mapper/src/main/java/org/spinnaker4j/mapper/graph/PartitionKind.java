package org.spinnaker4j.mapper.graph;

/** What the packets of an outgoing partition carry; phases never share a partition. */
public enum PartitionKind {
    /** Forward values: inputs, partial sums or activations, one key per value. */
    FORWARD,
    /** Softmax synchronisation between the cores of one layer: key 0 the local max, key 1 the local sum. */
    SOFTMAX_SYNC
}
