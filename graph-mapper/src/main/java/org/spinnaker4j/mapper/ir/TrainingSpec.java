package org.spinnaker4j.mapper.ir;

import java.util.List;

/**
 * How a network trains: the output layer's loss, each layer's updater ({@code updaters.get(l)} for layer l;
 * DL4J lets layers differ, in kind or only in learning rate) and whether gradients and score are averaged over the
 * mini-batch (DL4J's {@code miniBatch}, true by default) or summed.
 */
public record TrainingSpec(LossFunction loss, List<UpdaterSpec> updaters, boolean miniBatch) {

    public TrainingSpec {
        if (loss == null || updaters == null || updaters.isEmpty() || updaters.stream().anyMatch(u -> u == null)) {
            throw new IllegalArgumentException("a loss and an updater per layer are needed, got " + loss + " and "
                    + updaters);
        }
        updaters = List.copyOf(updaters);
    }

    /** Layer l's updater. */
    public UpdaterSpec updater(int layer) {
        return updaters.get(layer);
    }
}
