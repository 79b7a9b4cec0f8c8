package org.spinnaker4j.mapper.ir;

/** How a network trains: the output layer's loss and the updater every layer uses. */
public record TrainingSpec(LossFunction loss, UpdaterSpec updater) {

    public TrainingSpec {
        if (loss == null || updater == null) {
            throw new IllegalArgumentException("loss and updater must not be null");
        }
    }
}
