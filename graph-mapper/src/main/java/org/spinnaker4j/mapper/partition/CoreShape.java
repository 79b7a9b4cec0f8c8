package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * What decides a core's DTCM size: its kind, block shape, how many key ranges it listens to
 * (softmax peers' ranges included) and, when it trains, its updater and whether it computes
 * the loss (an activating core of the output layer).
 *
 * @param updater null for a core that does not train
 */
public record CoreShape(VertexKind kind, int rows, int cols, boolean fused, int ranges, int softmaxPeers,
        UpdaterType updater, boolean outputLayer) {
}
