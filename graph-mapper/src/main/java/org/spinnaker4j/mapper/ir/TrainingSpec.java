package org.spinnaker4j.mapper.ir;

import java.util.List;

/**
 * How a network trains: the output layer's loss and its per-output weights (empty: unweighted; else one finite
 * weight per output of the layer), each layer's updater ({@code updaters.get(l)} for layer l; DL4J lets layers
 * differ, in kind or only in learning rate) and whether gradients and score are averaged over the mini-batch
 * (DL4J's {@code miniBatch}, true by default) or summed.
 */
public record TrainingSpec(LossFunction loss, List<UpdaterSpec> updaters, boolean miniBatch, List<Float> lossWeights) {

    public TrainingSpec {
        if (loss == null || updaters == null || updaters.isEmpty() || updaters.stream().anyMatch(u -> u == null)) {
            throw new IllegalArgumentException("a loss and an updater per layer are needed, got " + loss + " and "
                    + updaters);
        }
        updaters = List.copyOf(updaters);
        lossWeights = List.copyOf(lossWeights);
        if (lossWeights.stream().anyMatch(w -> !Float.isFinite(w))) {
            throw new IllegalArgumentException("loss weights must be finite, got " + lossWeights);
        }
    }

    /** An unweighted loss. */
    public TrainingSpec(LossFunction loss, List<UpdaterSpec> updaters, boolean miniBatch) {
        this(loss, updaters, miniBatch, List.of());
    }

    /** Layer l's updater. */
    public UpdaterSpec updater(int layer) {
        return updaters.get(layer);
    }
}
