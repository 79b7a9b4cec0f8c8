package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * What decides a core's DTCM size: its kind, block shape, how many key ranges it listens to
 * (softmax peers' ranges included) and, when it trains, its updater and whether it computes
 * the loss (an activating core of the output layer), and the partials of an L2 gradient normalization it exchanges.
 *
 * @param updater null for a core that does not train
 * @param normKeys the keys of each core's partials of its layer's L2 gradient normalization, 0 without one
 * @param normPeers the other cores whose partials it receives (one key range each, among {@code ranges})
 */
public record CoreShape(VertexKind kind, int rows, int cols, boolean fused, int ranges, int softmaxPeers,
        UpdaterType updater, boolean outputLayer, int normKeys, int normPeers) {

    /** A core without an L2 gradient normalization. */
    public CoreShape(VertexKind kind, int rows, int cols, boolean fused, int ranges, int softmaxPeers,
            UpdaterType updater, boolean outputLayer) {
        this(kind, rows, cols, fused, ranges, softmaxPeers, updater, outputLayer, 0, 0);
    }
}
