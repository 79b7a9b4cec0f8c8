package org.spinnaker4j.mapper.ir;

import java.util.Objects;

/**
 * A layer's updater, its hyper-parameters, its regularization and its gradient normalization: Sgd(learningRate), Nesterovs(learningRate,
 * momentum), Adam, AdaMax, Nadam, AMSGrad(learningRate, beta1, beta2, epsilon), AdaGrad(learningRate, epsilon),
 * AdaDelta(rho in momentumOrBeta1, epsilon), RmsProp(learningRate, decay in momentumOrBeta1, epsilon), NoOp;
 * unused parameters are 0.
 */
public record UpdaterSpec(UpdaterType type, float learningRate, float momentumOrBeta1, float beta2, float epsilon,
                          RegularizationSpec weights, RegularizationSpec bias,
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
    }

    /** An updater with regularization, without gradient normalization. */
    public UpdaterSpec(UpdaterType type, float learningRate, float momentumOrBeta1, float beta2, float epsilon,
                       RegularizationSpec weights, RegularizationSpec bias) {
        this(type, learningRate, momentumOrBeta1, beta2, epsilon, weights, bias, GradientNormalizationSpec.NONE);
    }

    /** An updater without regularization. */
    public UpdaterSpec(UpdaterType type, float learningRate, float momentumOrBeta1, float beta2, float epsilon) {
        this(type, learningRate, momentumOrBeta1, beta2, epsilon, RegularizationSpec.NONE, RegularizationSpec.NONE);
    }
}
