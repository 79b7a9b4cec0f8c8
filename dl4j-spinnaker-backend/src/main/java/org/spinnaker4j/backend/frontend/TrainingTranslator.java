package org.spinnaker4j.backend.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.stepfunctions.NegativeGradientStepFunction;
import org.deeplearning4j.nn.conf.stepfunctions.StepFunction;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossL1;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.linalg.lossfunctions.impl.LossMAE;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * Lowers a configuration's training options (the output layer's loss, each layer's updater, which may differ)
 * into a {@link TrainingSpec}, adding a {@link Problem} for each option the kernels do not
 * implement: other updaters, learning-rate schedules, a separate bias updater, regularisation,
 * gradient normalisation, per-output loss weights, miniBatch set differently per layer, other
 * optimisation algorithms and step functions, layers without bias.
 */
final class TrainingTranslator {

    /** The loss classes the kernels implement (exact classes: LossMSE extends LossL2, for one). */
    private static final Map<Class<?>, LossFunction> LOSSES = Map.of(LossMSE.class, LossFunction.MSE,
            LossL1.class, LossFunction.L1, LossL2.class, LossFunction.L2, LossMAE.class, LossFunction.MAE,
            LossBinaryXENT.class, LossFunction.XENT, LossMCXENT.class, LossFunction.MCXENT,
            LossNegativeLogLikelihood.class, LossFunction.NEGATIVELOGLIKELIHOOD);

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
                problems.add(new Problem(i, type, "a separate bias updater is not supported"));
            }
            if (!isEmpty(layer.getRegularization()) || !isEmpty(layer.getRegularizationBias())) {
                problems.add(new Problem(i, type, "regularization (l1/l2/weight decay) is not supported yet"));
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
        LossFunction loss = loss(last, output, problems);
        boolean miniBatch = conf.getConf(0).isMiniBatch();
        for (int i = 1; i <= last; i++) {
            if (conf.getConf(i).isMiniBatch() != miniBatch) {
                problems.add(new Problem(i, conf.getConf(i).getLayer().getClass().getSimpleName(), "miniBatch("
                        + conf.getConf(i).isMiniBatch() + ") differs from layer 0's; DL4J averages the gradients by "
                        + "the network's setting and the score by the output layer's: set it for the whole network"));
            }
        }
        return problems.size() == before ? new TrainingSpec(loss, updaters, miniBatch) : null;
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

    private static boolean isEmpty(List<?> list) {
        return list == null || list.isEmpty();
    }

    private static UpdaterSpec updater(int i, String type, IUpdater u, List<Problem> problems) {
        if (u instanceof Sgd sgd && sgd.getLearningRateSchedule() == null) {
            return new UpdaterSpec(UpdaterType.SGD, (float) sgd.getLearningRate(), 0, 0, 0);
        }
        if (u instanceof Nesterovs n && n.getLearningRateSchedule() == null && n.getMomentumISchedule() == null) {
            return new UpdaterSpec(UpdaterType.NESTEROVS, (float) n.getLearningRate(), (float) n.getMomentum(), 0, 0);
        }
        if (u instanceof Adam a && a.getLearningRateSchedule() == null) {
            return new UpdaterSpec(UpdaterType.ADAM, (float) a.getLearningRate(), (float) a.getBeta1(),
                    (float) a.getBeta2(), (float) a.getEpsilon());
        }
        boolean known = u instanceof Sgd || u instanceof Nesterovs || u instanceof Adam;
        problems.add(new Problem(i, type, known ? "learning-rate or momentum schedules are not supported"
                : "updater " + (u == null ? "none" : u.getClass().getSimpleName())
                        + " is not supported; use Sgd, Nesterovs or Adam"));
        return null;
    }

    private static LossFunction loss(int i, OutputLayer output, List<Problem> problems) {
        ILossFunction fn = output.getLossFn();
        LossFunction loss = fn == null ? null : LOSSES.get(fn.getClass());
        if (loss == null) {
            problems.add(new Problem(i, "OutputLayer", "loss " + fn + " is not supported; use MSE, L1, L2, MAE, "
                    + "XENT, MCXENT or NEGATIVELOGLIKELIHOOD"));
            return null;
        }
        if (weighted(fn)) {
            problems.add(new Problem(i, "OutputLayer", "per-output loss weights are not supported"));
            return null;
        }
        boolean softmax = output.getActivationFn() instanceof ActivationSoftmax;
        if (softmax && loss != LossFunction.MCXENT && loss != LossFunction.NEGATIVELOGLIKELIHOOD) {
            problems.add(new Problem(i, "OutputLayer", "a softmax output trains only with MCXENT or "
                    + "NEGATIVELOGLIKELIHOOD, not " + loss));
            return null;
        }
        return loss;
    }

    private static boolean weighted(ILossFunction fn) {
        if (fn instanceof LossMCXENT m) {
            return m.getWeights() != null;
        }
        if (fn instanceof LossBinaryXENT x) {
            return x.getWeights() != null;
        }
        if (fn instanceof LossL2 l2) {
            return l2.getWeights() != null;
        }
        return fn instanceof LossL1 l1 && l1.getWeights() != null;
    }
}
