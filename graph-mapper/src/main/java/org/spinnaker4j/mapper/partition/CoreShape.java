package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * What decides a core's DTCM size: its kind, block shape, how many key ranges it listens to
 * (softmax peers' ranges included) and, when it trains, the updaters of its weights and its bias and whether it
 * computes the loss (an activating core of the output layer).
 *
 * @param updater the weights' updater; null for a core that does not train
 * @param biasUpdater the bias' updater (the weights' unless the layer has a bias updater of its own); null for a
 *        core that does not train
 */
public record CoreShape(VertexKind kind, int rows, int cols, boolean fused, int ranges, int softmaxPeers,
        UpdaterType updater, UpdaterType biasUpdater, boolean outputLayer) {

    public CoreShape {
        if ((updater == null) != (biasUpdater == null)) {
            throw new IllegalArgumentException("a training core has both updaters, an inference core neither");
        }
    }
}
