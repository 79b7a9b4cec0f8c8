package org.spinnaker4j.backend.runtime;

import org.spinnaker4j.kernels.AccumUpdate;

/**
 * A layer's update constants as DL4J's updater holds them, in double: what an s16.15 training core's update is computed
 * from ({@link AccumUpdate#sgdConstant} and {@link AccumUpdate.AdamConstants#of} take doubles; the float
 * {@link org.spinnaker4j.kernels.UpdateValues} would round them first).
 *
 * @param adam whether the updater is Adam (else Sgd, or an updater s16.15 does not train with: {@link #NONE})
 * @param learningRate the learning rate at this update
 * @param beta1 Adam's beta1 (0 for Sgd)
 * @param beta2 Adam's beta2 (0 for Sgd)
 * @param epsilon Adam's epsilon (0 for Sgd)
 */
public record ExactRates(boolean adam, double learningRate, double beta1, double beta2, double epsilon) {

    /** The rates of a layer whose updater is neither Sgd nor Adam (its float update takes UpdateValues). */
    public static final ExactRates NONE = new ExactRates(false, 0, 0, 0, 0);

    /** Sgd's constant of a mini-batch of {@code batch} samples. */
    public AccumUpdate.Scale sgdConstant(int batch) {
        return AccumUpdate.sgdConstant(learningRate, batch);
    }

    /** Adam's constants of a mini-batch of {@code batch} samples at {@code iteration} (0 for the first). */
    public AccumUpdate.AdamConstants adamConstants(int batch, int iteration) {
        return AccumUpdate.AdamConstants.of(learningRate, beta1, beta2, epsilon, batch, iteration + 1);
    }
}
