package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * What decides a core's DTCM size: its kind, block shape, how many key ranges it listens to
 * (softmax peers' ranges included) and, when it trains, its updater and whether it computes
 * the loss (an activating core of the output layer) with per-output weights or not.
 *
 * @param updater null for a core that does not train
 * @param lossWeighted an output-layer core whose loss has per-output weights (one per column in its state)
 */
public record CoreShape(VertexKind kind, int rows, int cols, boolean fused, int ranges, int softmaxPeers,
        UpdaterType updater, boolean outputLayer, boolean lossWeighted) {

    /** A shape whose loss, if it has one, is unweighted. */
    public CoreShape(VertexKind kind, int rows, int cols, boolean fused, int ranges, int softmaxPeers,
            UpdaterType updater, boolean outputLayer) {
        this(kind, rows, cols, fused, ranges, softmaxPeers, updater, outputLayer, false);
    }
}
