package org.spinnaker4j.mapper.cost;

import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/** The loss an output-layer core computes, and whether it has per-output weights: what its deltas cost. */
public record OutputLoss(LossFunction function, boolean weighted) {

    /** The loss a vertex computes: the network's if it trains and the vertex activates its output layer, else null. */
    public static OutputLoss of(NetworkSpec network, MachineVertex v) {
        return network.trains() && v.activates() && v.layer() == network.layers().size() - 1
                ? new OutputLoss(network.training().loss(), !network.training().lossWeights().isEmpty()) : null;
    }
}
