package org.spinnaker4j.kernels;

import java.util.Objects;

/**
 * One of DL4J's updaters with its hyper-parameters, as a training core applies it to one parameter array (its
 * weights, or its bias: DL4J's {@code biasUpdater} may differ from the layer's updater). The learning rate and
 * Nesterovs' momentum are the values at load; every update brings its own ({@link UpdateValues}).
 *
 * @param kind the updater
 * @param learningRate the learning rate (finite, {@code >= 0})
 * @param momentumOrBeta1 NESTEROVS: the momentum ({@code >= 0}); the Adam family: beta1, ADADELTA: rho, RMSPROP:
 *        the decay, all in {@code [0, 1)}; otherwise unused
 * @param beta2 the Adam family: beta2 in {@code [0, 1)}; otherwise unused
 * @param epsilon the Adam family, ADAGRAD, ADADELTA, RMSPROP: epsilon ({@code > 0}); otherwise unused
 */
public record UpdaterConfig(UpdaterKind kind, float learningRate, float momentumOrBeta1, float beta2, float epsilon) {

    /** Validates the hyper-parameters the kind uses. */
    public UpdaterConfig {
        Objects.requireNonNull(kind, "kind");
        if (!Float.isFinite(learningRate) || learningRate < 0) {
            throw new IllegalArgumentException("learningRate must be finite and >= 0, got " + learningRate);
        }
        if (!Float.isFinite(momentumOrBeta1) || !Float.isFinite(beta2) || !Float.isFinite(epsilon)) {
            throw new IllegalArgumentException("momentumOrBeta1, beta2 and epsilon must be finite, got "
                    + momentumOrBeta1 + ", " + beta2 + ", " + epsilon);
        }
        if (kind == UpdaterKind.NESTEROVS && momentumOrBeta1 < 0) {
            throw new IllegalArgumentException("NESTEROVS momentum must be >= 0, got " + momentumOrBeta1);
        }
        if (kind.usesMoments() && (momentumOrBeta1 < 0 || momentumOrBeta1 >= 1 || beta2 < 0 || beta2 >= 1
                || epsilon <= 0)) {
            throw new IllegalArgumentException(kind + " needs beta1 and beta2 in [0, 1) and epsilon > 0, got beta1="
                    + momentumOrBeta1 + " beta2=" + beta2 + " epsilon=" + epsilon);
        }
        if (kind == UpdaterKind.ADAGRAD && epsilon <= 0) {
            throw new IllegalArgumentException("ADAGRAD needs epsilon > 0, got " + epsilon);
        }
    }

    /**
     * Writes the config into {@code words} from {@code offset} (S4J_CFG_UPDATER or S4J_CFG_BIAS_UPDATER): kind,
     * learning rate, beta1, beta2, epsilon, as s4j_kernels.h orders them.
     */
    void pack(int[] words, int offset) {
        words[offset] = kind.code();
        words[offset + 1] = Float.floatToRawIntBits(learningRate);
        words[offset + 2] = Float.floatToRawIntBits(momentumOrBeta1);
        words[offset + 3] = Float.floatToRawIntBits(beta2);
        words[offset + 4] = Float.floatToRawIntBits(epsilon);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(kind).append(" lr=").append(learningRate);
        switch (kind) {
            case NESTEROVS -> sb.append(" momentum=").append(momentumOrBeta1);
            case ADAM, ADAMAX, NADAM, AMSGRAD -> sb.append(" beta1=").append(momentumOrBeta1).append(" beta2=")
                    .append(beta2).append(" eps=").append(epsilon);
            case ADADELTA, RMSPROP -> sb.append(kind == UpdaterKind.ADADELTA ? " rho=" : " decay=")
                    .append(momentumOrBeta1).append(" eps=").append(epsilon);
            case ADAGRAD -> sb.append(" eps=").append(epsilon);
            case SGD, NOOP -> { }
        }
        return sb.toString();
    }
}
