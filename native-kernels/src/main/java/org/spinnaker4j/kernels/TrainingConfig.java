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
 * <p>The learning rate, the momentum and the regularization coefficients here are the values the core is loaded
 * with; every update brings the values of its own iteration ({@link UpdateValues}), which replace them.
 *
 * @param updater DL4J's updater, applied by {@link KernelCore#applyUpdate(int, int, UpdateValues, UpdateValues)}
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
 * @param biasUpdater the updater of an activator's bias (DL4J's {@code biasUpdater}: the weights' updater unless the
 *        layer sets its own); the parameters above ({@code updater} to {@code epsilon}) are the weights'
 * @param gradientNormalization how the core normalizes its gradient before the regularization
 * @param samplesInFlight how many samples the core holds between their forward and their backward pass (its inputs,
 *        outputs and labels), 1 to {@link #MAX_SAMPLES_IN_FLIGHT}: 1 when samples run one after another, more when
 *        they are pipelined
 * @param lossWeights an output-layer activator's per-output loss weights, one per column of the core (finite), for a
 *        loss that {@link LossKind#takesWeights() takes them}; empty: unweighted
 */
public record TrainingConfig(UpdaterKind updater, float learningRate, float momentumOrBeta1, float beta2,
                             float epsilon, LossKind loss, int layerOutputs, int deltaKeyBase, int backwardKeyBase,
                             int lossKeyBase, int expectedBackwardPartials, boolean sendsBackward,
                             RegularizationConfig weightRegularization, RegularizationConfig biasRegularization,
                             UpdaterConfig biasUpdater, GradientNormalizationConfig gradientNormalization,
                             int samplesInFlight, List<Float> lossWeights) {

    /** The most samples a core holds between their forward and backward passes. */
    public static final int MAX_SAMPLES_IN_FLIGHT = KernelAbi.MAX_IN_FLIGHT;

    /** Validates what does not depend on the core. */
    public TrainingConfig {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(weightRegularization, "weightRegularization");
        Objects.requireNonNull(biasRegularization, "biasRegularization");
        Objects.requireNonNull(biasUpdater, "biasUpdater");
        new UpdaterConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon); // validates the weights' updater
        Objects.requireNonNull(gradientNormalization, "gradientNormalization");
        lossWeights = List.copyOf(lossWeights);
        if (!lossWeights.isEmpty() && !loss.takesWeights()) {
            throw new IllegalArgumentException("loss " + loss + " takes no per-output weights, got " + lossWeights);
        }
        if (lossWeights.stream().anyMatch(w -> !Float.isFinite(w))) {
            throw new IllegalArgumentException("loss weights must be finite, got " + lossWeights);
        }
        if (layerOutputs < 0 || (loss != LossKind.NONE && layerOutputs == 0)) {
            throw new IllegalArgumentException("layerOutputs (nOut of the whole layer) must be "
                    + (loss != LossKind.NONE ? "positive with a loss" : ">= 0") + ", got " + layerOutputs);
        }
        if (samplesInFlight < 1 || samplesInFlight > MAX_SAMPLES_IN_FLIGHT) {
            throw new IllegalArgumentException("samplesInFlight must be in 1.." + MAX_SAMPLES_IN_FLIGHT + ", got "
                    + samplesInFlight);
        }
        if (expectedBackwardPartials < 0) {
            throw new IllegalArgumentException("expectedBackwardPartials must be >= 0, got " + expectedBackwardPartials);
        }
        if (loss != LossKind.NONE && expectedBackwardPartials != 0) {
            throw new IllegalArgumentException("an output-layer activator (loss " + loss + ") gets labels, not backward "
                    + "partials: expectedBackwardPartials must be 0, got " + expectedBackwardPartials);
        }
    }

    /** A config without regularization, the bias updated as the weights, for samples one after another. */
    public TrainingConfig(UpdaterKind updater, float learningRate, float momentumOrBeta1, float beta2, float epsilon,
                          LossKind loss, int layerOutputs, int deltaKeyBase, int backwardKeyBase, int lossKeyBase,
                          int expectedBackwardPartials, boolean sendsBackward) {
        this(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs, deltaKeyBase, backwardKeyBase,
                lossKeyBase, expectedBackwardPartials, sendsBackward, RegularizationConfig.NONE,
                RegularizationConfig.NONE);
    }

    /** The weights' updater ({@code updater} to {@code epsilon}). */
    public UpdaterConfig weightUpdater() {
        return new UpdaterConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon);
    }

    /** This config with the bias updated by {@code bias} (DL4J's {@code biasUpdater}). */
    public TrainingConfig withBiasUpdater(UpdaterConfig bias) {
        return new TrainingConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs,
                deltaKeyBase, backwardKeyBase, lossKeyBase, expectedBackwardPartials, sendsBackward,
                weightRegularization, biasRegularization, bias, gradientNormalization, samplesInFlight, lossWeights);
    }

    /** A config without gradient normalization, the bias updated as the weights, for samples one after another. */
    public TrainingConfig(UpdaterKind updater, float learningRate, float momentumOrBeta1, float beta2, float epsilon,
                          LossKind loss, int layerOutputs, int deltaKeyBase, int backwardKeyBase, int lossKeyBase,
                          int expectedBackwardPartials, boolean sendsBackward, RegularizationConfig weightRegularization,
                          RegularizationConfig biasRegularization) {
        this(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs, deltaKeyBase, backwardKeyBase,
                lossKeyBase, expectedBackwardPartials, sendsBackward, weightRegularization, biasRegularization,
                new UpdaterConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon),
                GradientNormalizationConfig.NONE, 1, List.of());
    }

    /** This config with the given regularization of the weights and of the bias. */
    public TrainingConfig withRegularization(RegularizationConfig weights, RegularizationConfig bias) {
        return new TrainingConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs,
                deltaKeyBase, backwardKeyBase, lossKeyBase, expectedBackwardPartials, sendsBackward, weights, bias,
                biasUpdater, gradientNormalization, samplesInFlight, lossWeights);
    }

    /** This config with the given gradient normalization. */
    public TrainingConfig withGradientNormalization(GradientNormalizationConfig normalization) {
        return new TrainingConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs,
                deltaKeyBase, backwardKeyBase, lossKeyBase, expectedBackwardPartials, sendsBackward,
                weightRegularization, biasRegularization, biasUpdater, normalization, samplesInFlight, lossWeights);
    }

    /** This config holding {@code samples} samples between their forward and backward passes. */
    public TrainingConfig withSamplesInFlight(int samples) {
        return new TrainingConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs,
                deltaKeyBase, backwardKeyBase, lossKeyBase, expectedBackwardPartials, sendsBackward,
                weightRegularization, biasRegularization, biasUpdater, gradientNormalization, samples, lossWeights);
    }

    /** This config with the given per-output loss weights (one per column of the core; empty: unweighted). */
    public TrainingConfig withLossWeights(List<Float> weights) {
        return new TrainingConfig(updater, learningRate, momentumOrBeta1, beta2, epsilon, loss, layerOutputs,
                deltaKeyBase, backwardKeyBase, lossKeyBase, expectedBackwardPartials, sendsBackward,
                weightRegularization, biasRegularization, biasUpdater, gradientNormalization, samplesInFlight, weights);
    }

    /** Whether this is the config of an output-layer activator (it has a loss). */
    public boolean isOutputLayer() {
        return loss != LossKind.NONE;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("training ").append(weightUpdater());
        if (!biasUpdater.equals(weightUpdater())) {
            sb.append(" bias ").append(biasUpdater);
        }
        if (!weightRegularization.isNone()) {
            sb.append(" weights ").append(weightRegularization);
        }
        if (!biasRegularization.isNone()) {
            sb.append(" bias ").append(biasRegularization);
        }
        if (!gradientNormalization.isNone()) {
            sb.append(" gradient ").append(gradientNormalization);
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
        if (samplesInFlight > 1) {
            sb.append(" holds ").append(samplesInFlight).append(" samples");
        }
        return sb.toString();
    }
}
