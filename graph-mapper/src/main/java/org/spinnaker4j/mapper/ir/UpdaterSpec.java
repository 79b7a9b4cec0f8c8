package org.spinnaker4j.mapper.ir;

import java.util.Objects;

/**
 * A layer's updater, its hyper-parameters, its regularization and its gradient normalization: Sgd(learningRate), Nesterovs(learningRate,
 * momentum), Adam, AdaMax, Nadam, AMSGrad(learningRate, beta1, beta2, epsilon), AdaGrad(learningRate, epsilon),
 * AdaDelta(rho in momentumOrBeta1, epsilon), RmsProp(learningRate, decay in momentumOrBeta1, epsilon), NoOp;
 * unused parameters are 0. The learning rate and momentum are the first update's (schedules give each update its own).
 *
 * @param biasUpdater the bias' own updater (DL4J's {@code biasUpdater}; its regularizations and gradient normalization
 *        are unused), or null when the bias is updated as the weights: see {@link #forBias()}
 */
public record UpdaterSpec(UpdaterType type, float learningRate, float momentumOrBeta1, float beta2, float epsilon,
                          RegularizationSpec weights, RegularizationSpec bias, UpdaterSpec biasUpdater,
                          GradientNormalizationSpec gradientNormalization) {

    public UpdaterSpec {
        if (type == null) {
            throw new IllegalArgumentException("updater type must not be null");
        }
        if (!(learningRate >= 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate);
        }
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(gradientNormalization, "gradientNormalization");
        if (biasUpdater != null && biasUpdater.biasUpdater() != null) {
            throw new IllegalArgumentException("a bias updater has no bias updater of its own");
        }
    }

    /** An updater with the given regularization, the bias updated as the weights, without gradient normalization. */
    public UpdaterSpec(UpdaterType type, float learningRate, float momentumOrBeta1, float beta2, float epsilon,
                       RegularizationSpec weights, RegularizationSpec bias) {
        this(type, learningRate, momentumOrBeta1, beta2, epsilon, weights, bias, null, GradientNormalizationSpec.NONE);
    }

    /** The updater of the bias: its own, or this one. */
    public UpdaterSpec forBias() {
        return biasUpdater != null ? biasUpdater : this;
    }

    /** An updater without regularization. */
    public UpdaterSpec(UpdaterType type, float learningRate, float momentumOrBeta1, float beta2, float epsilon) {
        this(type, learningRate, momentumOrBeta1, beta2, epsilon, RegularizationSpec.NONE, RegularizationSpec.NONE);
    }
}
