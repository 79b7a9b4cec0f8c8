package org.spinnaker4j.backend.frontend;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.stepfunctions.NegativeGradientStepFunction;
import org.deeplearning4j.nn.conf.stepfunctions.StepFunction;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.learning.config.AMSGrad;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;
import org.spinnaker4j.mapper.ir.GradientNormalizationSpec;
import org.spinnaker4j.mapper.ir.GradientNormalizationType;
import org.spinnaker4j.mapper.ir.InputDropout;
import org.spinnaker4j.mapper.ir.RegularizationSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * Lowers a configuration's training options (the output layer's loss, each layer's updater and regularization,
 * which may differ) into a {@link TrainingSpec}, adding a {@link Problem} for each option the kernels do not
 * implement: miniBatch set differently per layer, other optimisation algorithms and step functions, layers without
 * bias (and, through {@link LossTranslator}, the loss's). Learning rates, Nesterovs' momentum and regularization
 * coefficients may follow any {@code ISchedule}: the spec holds their first update's values,
 * {@link UpdateValuesTranslator} each update's. A layer's {@code biasUpdater} that differs from its updater becomes
 * the spec's bias updater (the cores that own the bias apply it).
 */
final class TrainingTranslator {

    /**
     * A pooling layer's updater: it has no parameters, and its blocks update nothing; a batch normalization's along a
     * sequence too (its training is not built).
     */
    private static final UpdaterSpec POOLING = new UpdaterSpec(UpdaterType.NOOP, 0f, 0f, 0f, 0f);

    private TrainingTranslator() {
    }

    /** The training spec, or null if there are problems (added to {@code problems}) or no output layer. */
    static TrainingSpec translate(MultiLayerConfiguration conf, List<Problem> problems) {
        int last = conf.getConfs().size() - 1;
        if (!(conf.getConf(last).getLayer() instanceof OutputLayer output)) {
            return null;
        }
        int before = problems.size();
        List<UpdaterSpec> updaters = new ArrayList<>();
        List<InputDropout> dropout = new ArrayList<>();
        int firstLayer = 0;
        while (firstLayer < last && Dl4jFrontEnd.isDropoutLayer(conf.getConf(firstLayer).getLayer())) {
            firstLayer++;
        }
        Layer first = conf.getConf(firstLayer).getLayer();
        // a batch normalization trains per feature and per channel of an image, not along a sequence
        boolean normalizationsTrain = !SequenceTranslator.startsSequence(first);
        for (int i = 0; i <= last; i++) {
            if (normalizationsTrain && BatchNormTranslator.isBatchNorm(conf.getConf(i).getLayer())) {
                updaters.add(batchNorm(i, conf.getConf(i), problems));
                dropout.add(DropoutTranslator.inputDropout(conf, i));
                continue;
            }
            if (Dl4jFrontEnd.isPooling(conf.getConf(i).getLayer())
                    || BatchNormTranslator.isBatchNorm(conf.getConf(i).getLayer())) {
                updaters.add(POOLING);
                dropout.add(DropoutTranslator.inputDropout(conf, i));
                continue;
            }
            if (!(conf.getConf(i).getLayer() instanceof BaseLayer layer) || Dl4jFrontEnd.isDropoutLayer(layer)) {
                continue;
            }
            String type = layer.getClass().getSimpleName();
            UpdaterSpec mine = updater(i, type, "updater", layer.getIUpdater(), problems);
            IUpdater biasUpdater = UpdateValuesTranslator.biasUpdater(layer);
            boolean sameUpdater = biasUpdater == layer.getIUpdater();
            UpdaterSpec ownBias = sameUpdater ? null : updater(i, type, "biasUpdater", biasUpdater, problems);
            RegularizationSpec weights = RegularizationTranslator.translate(i, type, "regularization",
                    layer.getRegularization(), layer.getIUpdater(), problems);
            RegularizationSpec bias = RegularizationTranslator.translate(i, type, "regularizationBias",
                    layer.getRegularizationBias(), biasUpdater, problems);
            GradientNormalizationSpec normalization = normalization(i, type, layer, problems);
            if (mine != null && weights != null && bias != null && normalization != null
                    && (sameUpdater || ownBias != null)) {
                mine = new UpdaterSpec(mine.type(), mine.learningRate(), mine.momentumOrBeta1(), mine.beta2(),
                        mine.epsilon(), weights, bias, ownBias, normalization);
            }
            checkSolver(i, type, conf.getConf(i), problems);
            if (!hasBias(layer)) {
                problems.add(new Problem(i, type, "hasBias(false) does not train on SpiNNaker yet (the cores would "
                        + "train a bias the layer does not have)"));
            }
            updaters.add(mine);
            dropout.add(DropoutTranslator.inputDropout(conf, i));
        }
        LossTranslator.Loss loss = LossTranslator.translate(last, output, problems);
        boolean miniBatch = conf.getConf(0).isMiniBatch();
        for (int i = 1; i <= last; i++) {
            if (conf.getConf(i).isMiniBatch() != miniBatch) {
                problems.add(new Problem(i, conf.getConf(i).getLayer().getClass().getSimpleName(), "miniBatch("
                        + conf.getConf(i).isMiniBatch() + ") differs from layer 0's; DL4J averages the gradients by "
                        + "the network's setting and the score by the output layer's: set it for the whole network"));
            }
        }
        return problems.size() == before ? new TrainingSpec(loss.function(), updaters, miniBatch, loss.weights(),
                dropout) : null;
    }

    /**
     * The solver options of a layer's configuration: DL4J's fit uses the optimisation algorithm and step function of
     * its configurations; the cores run stochastic gradient descent.
     * ({@code minimize} and {@code maxNumLineSearchIterations} are read by no solver that runs here: DL4J's own
     * stochastic gradient descent ignores them, and line searches are refused.)
     */
    private static void checkSolver(int i, String type, NeuralNetConfiguration layerConf, List<Problem> problems) {
        OptimizationAlgorithm algorithm = layerConf.getOptimizationAlgo();
        if (algorithm != null && algorithm != OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT) {
            problems.add(new Problem(i, type, "optimizationAlgo(" + algorithm + ") is not supported; the cores train "
                    + "with STOCHASTIC_GRADIENT_DESCENT and the layer's updater"));
        }
        StepFunction step = layerConf.getStepFunction();
        if (step != null && !(step instanceof NegativeGradientStepFunction)) {
            problems.add(new Problem(i, type, "stepFunction(" + step.getClass().getSimpleName() + ") is not supported; "
                    + "the cores apply DL4J's default for stochastic gradient descent (NegativeGradientStepFunction)"));
        }
    }

    /**
     * A batch normalization's updater (per feature or per channel of an image), or null with a problem: DL4J steps
     * gamma and beta through the layer's updater (its bias updater takes no part) and never regularizes them; the
     * running mean and statistic take a no-op updater (the kernel steps them towards the mini-batch's).
     */
    private static UpdaterSpec batchNorm(int i, NeuralNetConfiguration layerConf, List<Problem> problems) {
        BatchNormalization norm = (BatchNormalization) layerConf.getLayer();
        String type = norm.getClass().getSimpleName();
        UpdaterSpec updater = updater(i, type, "updater", norm.getIUpdater(), problems);
        GradientNormalization g = norm.getGradientNormalization();
        if (g != null && g != GradientNormalization.None) {
            problems.add(new Problem(i, type, "gradientNormalization(" + g + ") is not supported on a batch "
                    + "normalization (None, the default)"));
        }
        checkSolver(i, type, layerConf, problems);
        return updater;
    }

    /** A layer's gradient normalization, or null with a problem (a threshold that is not a finite float). */
    private static GradientNormalizationSpec normalization(int i, String type, BaseLayer layer,
            List<Problem> problems) {
        GradientNormalization g = layer.getGradientNormalization();
        if (g == null || g == GradientNormalization.None) {
            return GradientNormalizationSpec.NONE;
        }
        float threshold = (float) layer.getGradientNormalizationThreshold();
        if (!Float.isFinite(threshold)) {
            problems.add(new Problem(i, type, "gradientNormalizationThreshold(" + layer.getGradientNormalizationThreshold()
                    + ") is not a finite float"));
            return null;
        }
        return new GradientNormalizationSpec(switch (g) {
            case None -> GradientNormalizationType.NONE;
            case ClipElementWiseAbsoluteValue -> GradientNormalizationType.CLIP_ELEMENT_WISE_ABSOLUTE_VALUE;
            case RenormalizeL2PerLayer -> GradientNormalizationType.RENORMALIZE_L2_PER_LAYER;
            case RenormalizeL2PerParamType -> GradientNormalizationType.RENORMALIZE_L2_PER_PARAM_TYPE;
            case ClipL2PerLayer -> GradientNormalizationType.CLIP_L2_PER_LAYER;
            case ClipL2PerParamType -> GradientNormalizationType.CLIP_L2_PER_PARAM_TYPE;
        }, threshold);
    }

    private static boolean hasBias(BaseLayer layer) {
        return layer instanceof DenseLayer d ? d.hasBias() : layer instanceof ConvolutionLayer c ? c.hasBias()
                : !(layer instanceof OutputLayer o) || o.hasBias();
    }

    /** The spec of the layer's {@code what} ("updater" or "biasUpdater"), or null after adding a problem. */
    private static UpdaterSpec updater(int i, String type, String what, IUpdater u, List<Problem> problems) {
        UpdaterSpec spec = spec(u);
        if (spec == null) {
            problems.add(new Problem(i, type, what + " " + (u == null ? "none" : u.getClass().getSimpleName())
                    + " is not supported; use Sgd, Nesterovs, Adam, AdaMax, Nadam, AMSGrad, AdaGrad, AdaDelta, "
                    + "RmsProp or NoOp"));
        }
        return spec;
    }

    /**
     * The spec of a DL4J updater, or null if the kernels do not implement it. Its learning rate (and Nesterovs'
     * momentum) are the first update's: where they follow schedules, {@link UpdateValuesTranslator} gives each
     * update's.
     */
    private static UpdaterSpec spec(IUpdater u) {
        if (u instanceof Sgd) {
            return spec(UpdaterType.SGD, u, 0, 0, 0);
        } else if (u instanceof Nesterovs n) {
            return spec(UpdaterType.NESTEROVS, u, n.currentMomentum(0, 0), 0, 0);
        } else if (u instanceof Adam a) {
            return spec(UpdaterType.ADAM, u, a.getBeta1(), a.getBeta2(), a.getEpsilon());
        } else if (u instanceof AdaMax a) {
            return spec(UpdaterType.ADAMAX, u, a.getBeta1(), a.getBeta2(), a.getEpsilon());
        } else if (u instanceof Nadam a) {
            return spec(UpdaterType.NADAM, u, a.getBeta1(), a.getBeta2(), a.getEpsilon());
        } else if (u instanceof AMSGrad a) {
            return spec(UpdaterType.AMSGRAD, u, a.getBeta1(), a.getBeta2(), a.getEpsilon());
        } else if (u instanceof AdaGrad a) {
            return spec(UpdaterType.ADAGRAD, u, 0, 0, a.getEpsilon());
        } else if (u instanceof AdaDelta a) {
            return spec(UpdaterType.ADADELTA, u, a.getRho(), 0, a.getEpsilon());
        } else if (u instanceof RmsProp r) {
            return spec(UpdaterType.RMSPROP, u, r.getRmsDecay(), 0, r.getEpsilon());
        } else if (u instanceof NoOp) {
            return spec(UpdaterType.NOOP, u, 0, 0, 0);
        }
        return null;
    }

    private static UpdaterSpec spec(UpdaterType type, IUpdater u, double b1, double b2, double eps) {
        return new UpdaterSpec(type, UpdateValuesTranslator.learningRate(u, 0, 0), (float) b1, (float) b2,
                (float) eps);
    }
}
