package org.spinnaker4j.mapper.graph;

import java.util.List;

/**
 * The packets one vertex multicasts to a set of targets under one key range: atom a carries
 * value {@code values.lo + a / keysPerValue} (of the vector for FORWARD and LABEL, of the layer's columns for
 * DELTA, of the layer's rows for BACKWARD, the sending core's index for LOSS; for SOFTMAX_SYNC
 * and NORM values is [0, number of keys)). {@code keysPerValue} is 1 but for an s16.15 block's partial sums to its
 * reduces (FORWARD) and an s16.15 training block's partial errors W·δ when its layer's columns are on several blocks
 * (BACKWARD) ({@link #PARTIAL_HALVES}): each value a 64-bit sum, sent as its low word (atom 2k) and high word
 * (2k + 1). With {@code throughSdram} (a block's partial sums to its one reduce on the same chip) the source writes
 * a sample's values to their chip's SDRAM and sends one packet, its first key, on which the reduce reads them back:
 * the keys stay those of the values, which the reduce files as if each had come as its packet.
 */
public record OutgoingPartition(int id, int source, PartitionKind kind, Slice values, List<Integer> targets,
        int keysPerValue, boolean throughSdram) {

    /**
     * Keys a value of an s16.15 (fixed-point) block's partial sums or partial errors takes: a 64-bit sum's low and
     * high words.
     */
    public static final int PARTIAL_HALVES = 2;

    public OutgoingPartition {
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("partition " + id + " of vertex " + source + " has no targets");
        }
        if (keysPerValue != 1 && !(keysPerValue == PARTIAL_HALVES
                && (kind == PartitionKind.FORWARD || kind == PartitionKind.BACKWARD))) {
            throw new IllegalArgumentException("partition " + id + " of vertex " + source + ": " + keysPerValue
                    + " keys a value; only FORWARD partial sums and BACKWARD partial errors take " + PARTIAL_HALVES);
        }
        if (throughSdram && (kind != PartitionKind.FORWARD || targets.size() != 1)) {
            throw new IllegalArgumentException("partition " + id + " of vertex " + source + " (" + kind + " to "
                    + targets + ") cannot go through SDRAM: only FORWARD partial sums to one reduce do");
        }
    }

    /** A partition whose packets carry its values. */
    public OutgoingPartition(int id, int source, PartitionKind kind, Slice values, List<Integer> targets,
            int keysPerValue) {
        this(id, source, kind, values, targets, keysPerValue, false);
    }

    /** This partition with its values through its chip's SDRAM. */
    public OutgoingPartition withThroughSdram() {
        return new OutgoingPartition(id, source, kind, values, targets, keysPerValue, true);
    }

    /** A partition of one key per value. */
    public OutgoingPartition(int id, int source, PartitionKind kind, Slice values, List<Integer> targets) {
        this(id, source, kind, values, targets, 1);
    }

    /** Keys this partition needs: {@code keysPerValue} per value. */
    public int nKeys() {
        return values.size() * keysPerValue;
    }

    /** Packets this partition sends a sample: one a key, or the one that says its values are in SDRAM. */
    public int packets() {
        return throughSdram ? 1 : nKeys();
    }
}
