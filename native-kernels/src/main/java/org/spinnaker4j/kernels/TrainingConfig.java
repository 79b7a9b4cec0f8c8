package org.spinnaker4j.kernels;

import java.util.List;
import java.util.Objects;

/**
 * How a DENSE_BLOCK or REDUCE core trains: DL4J's updater and its hyper-parameters, the loss of an output layer,
 * and the keys of the backward pass. Part of a {@link KernelConfig}; whether a combination fits the core (loss
 * only on an activator, ...) is checked there.
 *
 * <ul>
 *   <li>An <b>output-layer activator</b> (a REDUCE or fused DENSE_BLOCK with {@code loss != NONE}) receives the
 *       labels on LABEL ranges, computes {@code delta = dL/dz} and its partial loss, sends one loss packet
 *       {@code (lossKeyBase, bits(loss))} and, if it is a REDUCE, {@code (deltaKeyBase + j, bits(delta_j))}.</li>
 *   <li>A <b>hidden-layer activator</b> ({@code loss == NONE}) receives {@code expectedBackwardPartials} partials of
 *       {@code dL/dy_j} per output on BACKWARD_PARTIAL ranges, then sends its deltas like an output activator.</li>
 *   <li>A <b>DENSE_BLOCK</b> (its deltas from DELTA ranges, or its own if fused) accumulates {@code dW += x delta}
 *       and, if {@code sendsBackward}, sends {@code (backwardKeyBase + i, bits(sum_j W[i][j] delta_j))}.</li>
 * </ul>
 *
 * @param updater DL4J's updater, applied by {@link KernelCore#applyUpdate(int, int)}
 * @param learningRate the learning rate (finite, {@code >= 0})
 * @param momentumOrBeta1 NESTEROVS: the momentum ({@code >= 0}); the Adam family: beta1, ADADELTA: rho, RMSPROP:
 *        the decay, all in {@code [0, 1)}; otherwise unused
 * @param beta2 the Adam family: beta2 in {@code [0, 1)}; otherwise unused
 * @param epsilon the Adam family, ADAGRAD, ADADELTA, RMSPROP: epsilon ({@code > 0}); otherwise unused
 * @param loss the loss of an output-layer activator, {@link LossKind#NONE} for every other core
 * @param layerOutputs nOut of the whole layer (MSE and MAE divide by it); {@code >= nCols} with a loss, else unused
 * @param deltaKeyBase REDUCE: the key of {@code delta_0} (local column 0)
 * @param backwardKeyBase DENSE_BLOCK with {@code sendsBackward}: the key of {@code e_0} (local row 0)
 * @param lossKeyBase output-layer activator: the key of its loss packet
 * @param expectedBackwardPartials hidden-layer activator: backward partials per output per sample ({@code > 0});
 *        0 for every other core
 * @param sendsBackward DENSE_BLOCK: whether it sends {@code e} to the previous layer (false for the first layer)
 * @param weightRegularization the regularization of a DENSE_BLOCK's weights
 * @param biasRegularization the regularization of an activator's bias
 * @param lossWeights an output-layer activator's per-output loss weights, one per column of the core (finite), for a
 *        loss that {@link LossKind#takesWeights() takes them}; empty: unweighted
 */
public record TrainingConfig(UpdaterKind updater, float learningRate, float momentumOrBeta1, float beta2,
                             float epsilon, LossKind loss, int layerOutputs, int deltaKeyBase, int backwardKeyBase,
                             int lossKeyBase, int expectedBackwardPartials, boolean sendsBackward,
                             RegularizationConfig weightRegularization, RegularizationConfig biasRegularization,
                             List<Float> lossWeights) {

    /** Validates what does not depend on the core. */
    public TrainingConfig {
        Objects.requireNonNull(updater, "updater");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(weightRegularization, "weightRegularization");
        Objects.requireNonNull(biasRegularization, "biasRegularization");
        lossWeights = List.copyOf(lossWeights);
        if (!lossWeights.isEmpty() && !loss.takesWeights()) {
            throw new IllegalArgumentException("loss " + loss + " takes no per-output weights, got " + lossWeights);
        }
        if (lossWeights.stream().anyMatch(w -> !Float.isFinite(w))) {
            throw new IllegalArgumentException("loss weights must be finite, got " + lossWeights);
        }
        if (!Float.isFinite(learningRate) || learningRate < 0) {
            throw new IllegalArgumentException("learningRate must be finite and >= 0, got " + learningRate);
        }
        if (!Float.isFinite(momentumOrBeta1) || !Float.isFinite(beta2) || !Float.isFinite(epsilon)) {
            throw new IllegalArgumentException("momentumOrBeta1, beta2 and epsilon must be finite, got "
                    + momentumOrBeta1 + ", " + beta2 + ", " + epsilon);
        }
        if (updater == UpdaterKind.NESTEROVS && momentumOrBeta1 < 0) {
            throw new IllegalArgumentException("NESTEROVS momentum must be >= 0, got " + momentumOrBeta1);
        }
        if (updater.usesMoments() && (momentumOrBeta1 < 0 || momentumOrBeta1 >= 1 || beta2 < 0 || beta2 >= 1
                || epsilon <= 0)) {
            throw new IllegalArgumentException(updater + " needs beta1 and beta2 in [0, 1) and epsilon > 0, got beta1="
                    + momentumOrBeta1 + " beta2=" + beta2 + " epsilon=" + epsilon);
        }
        if (updater == UpdaterKind.ADAGRAD && epsilon <= 0) {
            throw new IllegalArgumentException("ADAGRAD needs epsilon > 0, got " + epsilon);
        }
        if (layerOutputs < 0 || (loss != LossKind.NONE && layerOutputs == 0)) {
            throw new IllegalArgumentException("layerOutputs (nOut of the whole layer) must be "
                    + (loss != LossKind.NONE ? "positive with a loss" : ">= 0") + ", got " + layerOutputs);
        }
        if (expectedBackwardPartials < 0) {
            throw new IllegalArgumentException("expectedBackwardPartials must be >= 0, got " + expectedBackwardPartials);
        }
        if (loss != LossKind.NONE && expectedBackwardPartials != 0) {
            throw new IllegalArgumentException("an output-layer activator (loss " + loss + ") gets labels, not backward "
                    + "partials: expectedBackwardPartials must be 0, got " + expectedBackwardPartials);
        }
    }

    /** An unweighted config. */
    public TrainingConfig(UpdaterKind updater, float learningRate, float momentumOrBeta1, float beta2, float epsilon,
                          LossKind loss, int layerOutputs, int deltaKeyBase, int backwardKeyBase, int lossKeyBase,
                          int expectedBackwardPartials, boolean sendsBackward,
                          RegularizationConfig weightRegularization, RegularizationConfig biasRegularization) {
        this(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs, deltaKeyBase, backwardKeyBase,
                lossKeyBase, expectedBackwardPartials, sendsBackward, weightRegularization, biasRegularization,
                List.of());
    }

    /** A config without regularization. */
    public TrainingConfig(UpdaterKind updater, float learningRate, float momentumOrBeta1, float beta2, float epsilon,
                          LossKind loss, int layerOutputs, int deltaKeyBase, int backwardKeyBase, int lossKeyBase,
                          int expectedBackwardPartials, boolean sendsBackward) {
        this(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs, deltaKeyBase, backwardKeyBase,
                lossKeyBase, expectedBackwardPartials, sendsBackward, RegularizationConfig.NONE,
                RegularizationConfig.NONE);
    }

    /** This config with the given regularization of the weights and of the bias. */
    public TrainingConfig withRegularization(RegularizationConfig weights, RegularizationConfig bias) {
        return new TrainingConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs,
                deltaKeyBase, backwardKeyBase, lossKeyBase, expectedBackwardPartials, sendsBackward, weights, bias,
                lossWeights);
    }

    /** This config with the given per-output loss weights (one per column of the core; empty: unweighted). */
    public TrainingConfig withLossWeights(List<Float> weights) {
        return new TrainingConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs,
                deltaKeyBase, backwardKeyBase, lossKeyBase, expectedBackwardPartials, sendsBackward,
                weightRegularization, biasRegularization, weights);
    }

    /** Whether this is the config of an output-layer activator (it has a loss). */
    public boolean isOutputLayer() {
        return loss != LossKind.NONE;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("training ").append(updater).append(" lr=").append(learningRate);
        switch (updater) {
            case NESTEROVS -> sb.append(" momentum=").append(momentumOrBeta1);
            case ADAM, ADAMAX, NADAM, AMSGRAD -> sb.append(" beta1=").append(momentumOrBeta1).append(" beta2=")
                    .append(beta2).append(" eps=").append(epsilon);
            case ADADELTA, RMSPROP -> sb.append(updater == UpdaterKind.ADADELTA ? " rho=" : " decay=")
                    .append(momentumOrBeta1).append(" eps=").append(epsilon);
            case ADAGRAD -> sb.append(" eps=").append(epsilon);
            case SGD, NOOP -> { }
        }
        if (!weightRegularization.isNone()) {
            sb.append(" weights ").append(weightRegularization);
        }
        if (!biasRegularization.isNone()) {
            sb.append(" bias ").append(biasRegularization);
        }
        if (loss != LossKind.NONE) {
            sb.append(" loss ").append(loss).append(lossWeights.isEmpty() ? "" : " weighted").append(" of ")
                    .append(layerOutputs).append(" outputs")
                    .append(String.format(" (loss key 0x%08x)", lossKeyBase));
        } else if (expectedBackwardPartials > 0) {
            sb.append(" backward partials=").append(expectedBackwardPartials);
        }
        sb.append(String.format(" delta 0x%08x", deltaKeyBase));
        if (sendsBackward) {
            sb.append(String.format(" backward 0x%08x", backwardKeyBase));
        }
        return sb.toString();
    }
}
