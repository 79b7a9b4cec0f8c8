package org.spinnaker4j.backend.frontend;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.spinnaker4j.kernels.FixedPointFunctions;

/**
 * What {@code fit} cannot train in s16.15, as {@link Problem}s (docs/fixed-point.md, "Training in s16.15 through
 * fit"): the kernels train DenseLayers with relu, identity, tanh or sigmoid under one OutputLayer, softmax with MCXENT
 * or identity with MSE (unweighted); every layer updated by Sgd or Adam at a fixed learning rate (the bias by the
 * same updater; a layer without a bias trains in no arithmetic yet, which the front end says); no regularization,
 * weight decay, gradient normalization or dropout; the gradients averaged over the mini-batch
 * ({@code miniBatch(true)}). The mapping is checked later ({@link FixedPointTrainingMapping}).
 */
final class FixedPointTrainingCheck {

    private static final Set<Class<? extends IActivation>> HIDDEN = Set.of(ActivationReLU.class,
            ActivationIdentity.class, ActivationTanH.class, ActivationSigmoid.class);

    private static final String MODE = "training in s16.15 fixed point (Arithmetic.S16_15): ";
    /** What helps a network that s16.15 runs but does not train: every activation runs at inference. */
    private static final String RUNS_AT_INFERENCE = " (it runs in s16.15 at inference: build the options with "
            + "SpiNNakerOptions.builder().inferenceOnly())";

    private FixedPointTrainingCheck() {
    }

    /** Adds a problem for everything {@code fit} cannot train of {@code conf} in s16.15. */
    static void check(MultiLayerConfiguration conf, List<Problem> problems) {
        int n = conf.getConfs().size();
        if (!conf.getConf(0).isMiniBatch()) {
            problems.add(new Problem(-1, "MultiLayerConfiguration", MODE + "miniBatch(false) sums the gradients; the "
                    + "s16.15 update averages them over the mini-batch (miniBatch(true))"));
        }
        for (int i = 0; i < n; i++) {
            Layer layer = conf.getConf(i).getLayer();
            String type = layer.getClass().getSimpleName();
            boolean last = i == n - 1;
            if (layer.getClass() != (last ? OutputLayer.class : DenseLayer.class)) {
                problems.add(new Problem(i, type, MODE + "only DenseLayers under one OutputLayer train"
                        + (runsAtInference(layer) ? RUNS_AT_INFERENCE : "")));
                continue;
            }
            BaseLayer base = (BaseLayer) layer;
            IActivation fn = base.getActivationFn();
            if (last) {
                checkOutput(i, (OutputLayer) layer, fn, problems);
            } else if (fn == null || !HIDDEN.contains(fn.getClass())) {
                problems.add(new Problem(i, type, MODE + "a hidden layer's activation is relu, identity, tanh or "
                        + "sigmoid, got " + fn + RUNS_AT_INFERENCE));
            }
            checkUpdater(i, type, base, problems);
            if (!base.getRegularization().isEmpty() || !base.getRegularizationBias().isEmpty()) {
                problems.add(new Problem(i, type, MODE + "no l1, l2 or weight decay, got "
                        + base.getRegularization() + " and bias " + base.getRegularizationBias()));
            }
            if (base.getGradientNormalization() != null
                    && base.getGradientNormalization() != GradientNormalization.None) {
                problems.add(new Problem(i, type, MODE + "no gradient normalization, got "
                        + base.getGradientNormalization()));
            }
            if (base.getIDropout() != null) {
                problems.add(new Problem(i, type, MODE + "no dropout, got " + base.getIDropout()));
            }
        }
    }

    /** Whether s16.15 runs {@code layer}, not a dense one, at inference: the other layers the front end maps. */
    private static boolean runsAtInference(Layer layer) {
        return Dl4jFrontEnd.isDropoutLayer(layer) || Dl4jFrontEnd.isPooling(layer)
                || BatchNormTranslator.isBatchNorm(layer) || ImageTranslator.isConvolution(layer)
                || SequenceTranslator.isConvolution(layer);
    }

    private static void checkOutput(int i, OutputLayer layer, IActivation fn, List<Problem> problems) {
        ILossFunction loss = layer.getLossFn();
        boolean softmax = fn instanceof ActivationSoftmax && loss != null && loss.getClass() == LossMCXENT.class
                && ((LossMCXENT) loss).getWeights() == null && layer.getNOut() <= FixedPointFunctions.SOFTMAX_MAX_WIDTH;
        boolean mse = fn != null && fn.getClass() == ActivationIdentity.class && loss != null
                && loss.getClass() == LossMSE.class && ((LossMSE) loss).getWeights() == null;
        if (!softmax && !mse) {
            problems.add(new Problem(i, "OutputLayer", MODE + "the output layer is softmax with MCXENT (at most "
                    + FixedPointFunctions.SOFTMAX_MAX_WIDTH + " outputs) or identity with MSE, unweighted; got " + fn
                    + " with " + loss + RUNS_AT_INFERENCE));
        }
    }

    private static void checkUpdater(int i, String type, BaseLayer layer, List<Problem> problems) {
        IUpdater u = layer.getIUpdater();
        boolean sgdOrAdam = (u instanceof Sgd s && s.getLearningRateSchedule() == null)
                || (u instanceof Adam a && a.getLearningRateSchedule() == null);
        if (!sgdOrAdam) {
            problems.add(new Problem(i, type, MODE + "the updater is Sgd or Adam at a fixed learning rate (no "
                    + "schedule), got " + u));
        }
        IUpdater bias = UpdateValuesTranslator.biasUpdater(layer);
        if (bias != u) {
            problems.add(new Problem(i, type, MODE + "the bias is updated as the weights (no biasUpdater of its own), "
                    + "got " + bias));
        }
    }
}
