package org.spinnaker4j.mapper.ir;

/**
 * An updater and its hyper-parameters: Sgd(learningRate), Nesterovs(learningRate, momentum),
 * Adam(learningRate, beta1, beta2, epsilon); unused parameters are 0.
 */
public record UpdaterSpec(UpdaterType type, float learningRate, float momentumOrBeta1, float beta2, float epsilon) {

    public UpdaterSpec {
        if (type == null) {
            throw new IllegalArgumentException("updater type must not be null");
        }
        if (!(learningRate >= 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate);
        }
    }
}
