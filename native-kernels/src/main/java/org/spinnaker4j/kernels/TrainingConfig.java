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
 * <p>Build one with {@link #builder(UpdaterConfig)}: everything but the weights' updater has a default (a hidden
 * core without loss, regularization or gradient normalization, that sends nothing backward, its bias updated as its
 * weights, for samples one after another).
 *
 * @param weightUpdater DL4J's updater of the weights and its hyper-parameters, applied by
 *        {@link KernelCore#applyUpdate(int, int, UpdateValues, UpdateValues)}
 * @param loss the loss of an output-layer activator, {@link LossKind#NONE} for every other core
 * @param layerOutputs nOut of the whole layer (MSE and MAE divide by it); {@code >= nCols} with a loss, else unused
 * @param deltaKeyBase REDUCE: the key of {@code delta_0} (local column 0)
 * @param backwardKeyBase DENSE_BLOCK with {@code sendsBackward}: the key of {@code e_0} (local row 0)
 * @param backwardFirstRow an s16.15 DENSE_BLOCK that sends its rows' errors back as halves: the local row it sends
 *        first, then on in order, wrapping to row 0 (blocks of a layer starting at different rows reach different
 *        receivers at once); 0 for every other core
 * @param lossKeyBase output-layer activator: the key of its loss packet
 * @param expectedBackwardPartials hidden-layer activator: backward partials per output per sample ({@code > 0});
 *        0 for every other core
 * @param sendsBackward DENSE_BLOCK: whether it sends {@code e} to the previous layer (false for the first layer)
 * @param weightRegularization the regularization of a DENSE_BLOCK's weights
 * @param biasRegularization the regularization of an activator's bias
 * @param biasUpdater the updater of an activator's bias (DL4J's {@code biasUpdater}: the weights' updater unless the
 *        layer sets its own)
 * @param gradientNormalization how the core normalizes its gradient before the regularization
 * @param samplesInFlight how many samples the core holds between their forward and their backward pass (its inputs,
 *        outputs and labels), 1 to {@link #MAX_SAMPLES_IN_FLIGHT}: 1 when samples run one after another, more when
 *        they are pipelined
 * @param lossWeights an output-layer activator's per-output loss weights, one per column of the core (finite), for a
 *        loss that {@link LossKind#takesWeights() takes them}; empty: unweighted
 * @param copy a fused block holding one of several copies of a convolution's kernel slice: its part in their
 *        exchange; {@link KernelCopyConfig#NONE} otherwise
 * @param batchNorm a batch normalization's block training with the mini-batch's statistics: its mode;
 *        {@link BatchNormTrainingConfig#NONE} otherwise
 */
public record TrainingConfig(UpdaterConfig weightUpdater, LossKind loss, int layerOutputs, int deltaKeyBase,
                             int backwardKeyBase, int backwardFirstRow, int lossKeyBase, int expectedBackwardPartials,
                             boolean sendsBackward,
                             RegularizationConfig weightRegularization, RegularizationConfig biasRegularization,
                             UpdaterConfig biasUpdater, GradientNormalizationConfig gradientNormalization,
                             int samplesInFlight, List<Float> lossWeights, KernelCopyConfig copy,
                             BatchNormTrainingConfig batchNorm) {

    /** The most samples a core holds between their forward and backward passes. */
    public static final int MAX_SAMPLES_IN_FLIGHT = KernelAbi.MAX_IN_FLIGHT;

    /** Validates what does not depend on the core. */
    public TrainingConfig {
        Objects.requireNonNull(weightUpdater, "weightUpdater");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(weightRegularization, "weightRegularization");
        Objects.requireNonNull(biasRegularization, "biasRegularization");
        Objects.requireNonNull(biasUpdater, "biasUpdater");
        Objects.requireNonNull(gradientNormalization, "gradientNormalization");
        Objects.requireNonNull(copy, "copy");
        Objects.requireNonNull(batchNorm, "batchNorm");
        lossWeights = List.copyOf(lossWeights);
        if (copy.isCopy() && gradientNormalization.kind().needsNorm()) {
            throw new IllegalArgumentException("a kernel copy cannot yet take an L2 gradient normalization ("
                    + gradientNormalization + "): its owners' summed chunks are not normed");
        }
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
        if (batchNorm.maxBatch() > samplesInFlight) {
            throw new IllegalArgumentException("a batch normalization keeps its mini-batch's samples in its ring: its "
                    + "largest mini-batch " + batchNorm.maxBatch() + " needs samplesInFlight >= it, got "
                    + samplesInFlight);
        }
        if (batchNorm.isOn() && (loss != LossKind.NONE || !gradientNormalization.isNone() || copy.isCopy())) {
            throw new IllegalArgumentException("a batch normalization training with the mini-batch's statistics is a "
                    + "hidden layer without gradient normalization or kernel copies, got loss " + loss + ", "
                    + gradientNormalization + ", " + copy);
        }
        if (backwardFirstRow < 0 || (backwardFirstRow != 0 && !sendsBackward)) {
            throw new IllegalArgumentException("backwardFirstRow must be >= 0, and 0 unless the core sends backward, "
                    + "got " + backwardFirstRow);
        }
        if (expectedBackwardPartials < 0) {
            throw new IllegalArgumentException("expectedBackwardPartials must be >= 0, got " + expectedBackwardPartials);
        }
        if (loss != LossKind.NONE && expectedBackwardPartials != 0) {
            throw new IllegalArgumentException("an output-layer activator (loss " + loss + ") gets labels, not backward "
                    + "partials: expectedBackwardPartials must be 0, got " + expectedBackwardPartials);
        }
    }

    /** A builder of the config of a core whose weights {@code weights} updates; the rest starts at its default. */
    public static Builder builder(UpdaterConfig weights) {
        return new Builder(weights);
    }

    /** A builder that starts from this config. */
    public Builder toBuilder() {
        Builder b = new Builder(weightUpdater);
        b.loss = loss;
        b.layerOutputs = layerOutputs;
        b.deltaKeyBase = deltaKeyBase;
        b.backwardKeyBase = backwardKeyBase;
        b.backwardFirstRow = backwardFirstRow;
        b.lossKeyBase = lossKeyBase;
        b.expectedBackwardPartials = expectedBackwardPartials;
        b.sendsBackward = sendsBackward;
        b.weightRegularization = weightRegularization;
        b.biasRegularization = biasRegularization;
        b.biasUpdater = biasUpdater;
        b.gradientNormalization = gradientNormalization;
        b.samplesInFlight = samplesInFlight;
        b.lossWeights = lossWeights;
        b.copy = copy;
        b.batchNorm = batchNorm;
        return b;
    }

    /** Builds a {@link TrainingConfig}; {@link #build()} validates it. */
    public static final class Builder {
        private final UpdaterConfig weightUpdater;
        private LossKind loss = LossKind.NONE;
        private int layerOutputs;
        private int deltaKeyBase;
        private int backwardKeyBase;
        private int backwardFirstRow;
        private int lossKeyBase;
        private int expectedBackwardPartials;
        private boolean sendsBackward;
        private RegularizationConfig weightRegularization = RegularizationConfig.NONE;
        private RegularizationConfig biasRegularization = RegularizationConfig.NONE;
        private UpdaterConfig biasUpdater;
        private GradientNormalizationConfig gradientNormalization = GradientNormalizationConfig.NONE;
        private int samplesInFlight = 1;
        private List<Float> lossWeights = List.of();
        private KernelCopyConfig copy = KernelCopyConfig.NONE;
        private BatchNormTrainingConfig batchNorm = BatchNormTrainingConfig.NONE;

        private Builder(UpdaterConfig weightUpdater) {
            this.weightUpdater = weightUpdater;
        }

        /** An output-layer activator: its loss, nOut of its whole layer and the key of its loss packet. */
        public Builder loss(LossKind kind, int outputsOfLayer, int keyOfLoss) {
            this.loss = kind;
            this.layerOutputs = outputsOfLayer;
            this.lossKeyBase = keyOfLoss;
            return this;
        }

        /**
         * A hidden layer's core: nOut of its whole layer. An s16.15 training block that sends back needs it: holding
         * fewer columns than its layer, it sends each row's error as its partial's two halves (docs/fixed-point.md,
         * "Training in s16.15 on the machine").
         */
        public Builder layerOutputs(int outputsOfLayer) {
            this.layerOutputs = outputsOfLayer;
            return this;
        }

        /** A REDUCE: the key of its {@code delta_0}. */
        public Builder deltaKeyBase(int key) {
            this.deltaKeyBase = key;
            return this;
        }

        /** A DENSE_BLOCK that sends {@code e} to the previous layer, {@code e_0} with key {@code key}. */
        public Builder sendsBackward(int key) {
            this.sendsBackward = true;
            this.backwardKeyBase = key;
            return this;
        }

        /** An s16.15 DENSE_BLOCK that sends halves: the local row it sends first ({@link TrainingConfig}). */
        public Builder backwardFirstRow(int row) {
            this.backwardFirstRow = row;
            return this;
        }

        /** A hidden-layer activator: the backward partials it gets per output per sample. */
        public Builder backwardPartials(int partials) {
            this.expectedBackwardPartials = partials;
            return this;
        }

        /** The regularization of the weights and of the bias. */
        public Builder regularization(RegularizationConfig weights, RegularizationConfig bias) {
            this.weightRegularization = weights;
            this.biasRegularization = bias;
            return this;
        }

        /** The bias' own updater (DL4J's {@code biasUpdater}); by default the weights'. */
        public Builder biasUpdater(UpdaterConfig bias) {
            this.biasUpdater = bias;
            return this;
        }

        /** How the core normalizes its gradient. */
        public Builder gradientNormalization(GradientNormalizationConfig normalization) {
            this.gradientNormalization = normalization;
            return this;
        }

        /** How many samples the core holds between their forward and backward passes. */
        public Builder samplesInFlight(int samples) {
            this.samplesInFlight = samples;
            return this;
        }

        /** An output-layer activator's per-output loss weights (one per column of the core; empty: unweighted). */
        public Builder lossWeights(List<Float> weights) {
            this.lossWeights = weights;
            return this;
        }

        /** A fused block's part in the exchange of its kernel slice's copies. */
        public Builder copy(KernelCopyConfig kernelCopy) {
            this.copy = kernelCopy;
            return this;
        }

        /** A batch normalization's block training with the mini-batch's statistics. */
        public Builder batchNorm(BatchNormTrainingConfig mode) {
            this.batchNorm = mode;
            return this;
        }

        /** The config; throws {@link IllegalArgumentException} or {@link NullPointerException} if it is invalid. */
        public TrainingConfig build() {
            return new TrainingConfig(weightUpdater, loss, layerOutputs, deltaKeyBase, backwardKeyBase,
                    backwardFirstRow, lossKeyBase,
                    expectedBackwardPartials, sendsBackward, weightRegularization, biasRegularization,
                    biasUpdater == null ? weightUpdater : biasUpdater, gradientNormalization, samplesInFlight,
                    lossWeights, copy, batchNorm);
        }
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
        if (copy.isCopy()) {
            sb.append(' ').append(copy);
        }
        if (batchNorm.isOn()) {
            sb.append(' ').append(batchNorm);
        }
        return sb.toString();
    }
}
