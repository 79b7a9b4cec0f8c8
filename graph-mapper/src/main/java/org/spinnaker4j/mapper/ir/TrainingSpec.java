package org.spinnaker4j.mapper.ir;

import java.util.List;

/**
 * How a network trains: the output layer's loss and its per-output weights (empty: unweighted; else one finite
 * weight per output of the layer), each layer's updater ({@code updaters.get(l)} for layer l; DL4J lets layers
 * differ, in kind or only in learning rate) and whether gradients and score are averaged over the mini-batch
 * (DL4J's {@code miniBatch}, true by default) or summed; and each layer's {@link InputDropout} (empty: none drops).
 */
public record TrainingSpec(LossFunction loss, List<UpdaterSpec> updaters, boolean miniBatch, List<Float> lossWeights,
        List<InputDropout> dropout) {

    public TrainingSpec {
        if (loss == null || updaters == null || updaters.isEmpty() || updaters.stream().anyMatch(u -> u == null)) {
            throw new IllegalArgumentException("a loss and an updater per layer are needed, got " + loss + " and "
                    + updaters);
        }
        updaters = List.copyOf(updaters);
        lossWeights = List.copyOf(lossWeights);
        dropout = List.copyOf(dropout);
        if (!dropout.isEmpty() && dropout.size() != updaters.size()) {
            throw new IllegalArgumentException("a dropout per layer is needed, got " + dropout.size() + " for "
                    + updaters.size() + " layers");
        }
        if (lossWeights.stream().anyMatch(w -> !Float.isFinite(w))) {
            throw new IllegalArgumentException("loss weights must be finite, got " + lossWeights);
        }
    }

    /** A network without dropout. */
    public TrainingSpec(LossFunction loss, List<UpdaterSpec> updaters, boolean miniBatch, List<Float> lossWeights) {
        this(loss, updaters, miniBatch, lossWeights, List.of());
    }

    /** An unweighted loss. */
    public TrainingSpec(LossFunction loss, List<UpdaterSpec> updaters, boolean miniBatch) {
        this(loss, updaters, miniBatch, List.of());
    }

    /** Layer l's updater. */
    public UpdaterSpec updater(int layer) {
        return updaters.get(layer);
    }

    /** The dropout of layer l's input ({@link InputDropout#NONE} for l outside the layers). */
    public InputDropout dropout(int layer) {
        return dropout.isEmpty() || layer < 0 || layer >= dropout.size() ? InputDropout.NONE : dropout.get(layer);
    }
}
