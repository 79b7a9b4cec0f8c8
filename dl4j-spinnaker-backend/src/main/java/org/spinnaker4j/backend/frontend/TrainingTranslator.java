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
import org.spinnaker4j.mapper.ir.RegularizationSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * Lowers a configuration's training options (the output layer's loss, each layer's updater and regularization,
 * which may differ) into a {@link TrainingSpec}, adding a {@link Problem} for each option the kernels do not
 * implement: learning-rate schedules, a separate bias updater, regularization schedules, gradient normalisation,
 * miniBatch set differently per layer, other optimisation algorithms and step functions, layers without bias (and,
 * through {@link LossTranslator}, the loss's).
 */
final class TrainingTranslator {

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
        for (int i = 0; i <= last; i++) {
            if (!(conf.getConf(i).getLayer() instanceof BaseLayer layer)) {
                continue;
            }
            String type = layer.getClass().getSimpleName();
            UpdaterSpec mine = updater(i, type, layer.getIUpdater(), problems);
            if (layer.getBiasUpdater() != null && !layer.getBiasUpdater().equals(layer.getIUpdater())) {
                problems.add(new Problem(i, type, "a separate bias updater (" + layer.getBiasUpdater()
                        + ") is not supported yet: a core applies one updater to its weights and its bias"));
            }
            RegularizationSpec weights = RegularizationTranslator.translate(i, type, "regularization",
                    layer.getRegularization(), layer.getIUpdater(), problems);
            RegularizationSpec bias = RegularizationTranslator.translate(i, type, "regularizationBias",
                    layer.getRegularizationBias(), layer.getIUpdater(), problems);
            if (mine != null && weights != null && bias != null) {
                mine = new UpdaterSpec(mine.type(), mine.learningRate(), mine.momentumOrBeta1(), mine.beta2(),
                        mine.epsilon(), weights, bias);
            }
            if (layer.getGradientNormalization() != null
                    && layer.getGradientNormalization() != GradientNormalization.None) {
                problems.add(new Problem(i, type, "gradient normalization " + layer.getGradientNormalization()
                        + " is not supported"));
            }
            checkSolver(i, type, conf.getConf(i), problems);
            if (!hasBias(layer)) {
                problems.add(new Problem(i, type, "hasBias(false) does not train on SpiNNaker yet (the cores would "
                        + "train a bias the layer does not have)"));
            }
            updaters.add(mine);
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
        return problems.size() == before ? new TrainingSpec(loss.function(), updaters, miniBatch, loss.weights()) : null;
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

    private static boolean hasBias(BaseLayer layer) {
        return layer instanceof DenseLayer d ? d.hasBias() : !(layer instanceof OutputLayer o) || o.hasBias();
    }

    private static UpdaterSpec updater(int i, String type, IUpdater u, List<Problem> problems) {
        if (u != null && schedule(u) != null) {
            problems.add(new Problem(i, type, "learning-rate or momentum schedules are not supported (got "
                    + schedule(u).getClass().getSimpleName() + ")"));
            return null;
        }
        UpdaterSpec spec = spec(u);
        if (spec == null) {
            problems.add(new Problem(i, type, "updater " + (u == null ? "none" : u.getClass().getSimpleName())
                    + " is not supported; use Sgd, Nesterovs, Adam, AdaMax, Nadam, AMSGrad, AdaGrad, AdaDelta, "
                    + "RmsProp or NoOp"));
        }
        return spec;
    }

    /** The spec of a DL4J updater without schedules, or null if the kernels do not implement it. */
    private static UpdaterSpec spec(IUpdater u) {
        if (u instanceof Sgd sgd) {
            return spec(UpdaterType.SGD, sgd.getLearningRate(), 0, 0, 0);
        } else if (u instanceof Nesterovs n) {
            return spec(UpdaterType.NESTEROVS, n.getLearningRate(), n.getMomentum(), 0, 0);
        } else if (u instanceof Adam a) {
            return spec(UpdaterType.ADAM, a.getLearningRate(), a.getBeta1(), a.getBeta2(), a.getEpsilon());
        } else if (u instanceof AdaMax a) {
            return spec(UpdaterType.ADAMAX, a.getLearningRate(), a.getBeta1(), a.getBeta2(), a.getEpsilon());
        } else if (u instanceof Nadam a) {
            return spec(UpdaterType.NADAM, a.getLearningRate(), a.getBeta1(), a.getBeta2(), a.getEpsilon());
        } else if (u instanceof AMSGrad a) {
            return spec(UpdaterType.AMSGRAD, a.getLearningRate(), a.getBeta1(), a.getBeta2(), a.getEpsilon());
        } else if (u instanceof AdaGrad a) {
            return spec(UpdaterType.ADAGRAD, a.getLearningRate(), 0, 0, a.getEpsilon());
        } else if (u instanceof AdaDelta a) {
            return spec(UpdaterType.ADADELTA, 0, a.getRho(), 0, a.getEpsilon());
        } else if (u instanceof RmsProp r) {
            return spec(UpdaterType.RMSPROP, r.getLearningRate(), r.getRmsDecay(), 0, r.getEpsilon());
        } else if (u instanceof NoOp) {
            return spec(UpdaterType.NOOP, 0, 0, 0, 0);
        }
        return null;
    }

    private static UpdaterSpec spec(UpdaterType type, double lr, double b1, double b2, double eps) {
        return new UpdaterSpec(type, (float) lr, (float) b1, (float) b2, (float) eps);
    }

    /** The schedule driving the updater's learning rate (or Nesterovs' momentum), or null. */
    private static ISchedule schedule(IUpdater u) {
        if (u instanceof Nesterovs n && n.getMomentumISchedule() != null) {
            return n.getMomentumISchedule();
        }
        return u instanceof Sgd a ? a.getLearningRateSchedule()
                : u instanceof Nesterovs a ? a.getLearningRateSchedule()
                : u instanceof Adam a ? a.getLearningRateSchedule()
                : u instanceof AdaMax a ? a.getLearningRateSchedule()
                : u instanceof Nadam a ? a.getLearningRateSchedule()
                : u instanceof AMSGrad a ? a.getLearningRateSchedule()
                : u instanceof AdaGrad a ? a.getLearningRateSchedule()
                : u instanceof RmsProp a ? a.getLearningRateSchedule() : null;
    }
}
