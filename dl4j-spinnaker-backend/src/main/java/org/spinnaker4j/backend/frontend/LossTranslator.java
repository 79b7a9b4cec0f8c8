package org.spinnaker4j.backend.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossCosineProximity;
import org.nd4j.linalg.lossfunctions.impl.LossHinge;
import org.nd4j.linalg.lossfunctions.impl.LossKLD;
import org.nd4j.linalg.lossfunctions.impl.LossL1;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.linalg.lossfunctions.impl.LossMAE;
import org.nd4j.linalg.lossfunctions.impl.LossMAPE;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.lossfunctions.impl.LossMSLE;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;
import org.nd4j.linalg.lossfunctions.impl.LossPoisson;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossSquaredHinge;
import org.nd4j.linalg.lossfunctions.impl.LossWasserstein;
import org.spinnaker4j.mapper.ir.LossFunction;

/**
 * Lowers an output layer's DL4J loss into the kernels' {@link LossFunction} and its per-output weights, adding a
 * {@link Problem} for what the kernels do not compute exactly: other loss classes, clipping epsilons other than
 * DL4J's defaults (the kernels hold them as constants), weights that are not one finite value per output, binary
 * cross-entropy under a softmax (DL4J scores it with a log-softmax).
 */
final class LossTranslator {

    /** An output layer's loss and its weights (empty: unweighted). */
    record Loss(LossFunction function, List<Float> weights) {
    }

    /** The loss classes the kernels implement (exact classes: LossMSE extends LossL2, for one). */
    private static final Map<Class<?>, LossFunction> LOSSES = Map.ofEntries(
            Map.entry(LossMSE.class, LossFunction.MSE), Map.entry(LossL1.class, LossFunction.L1),
            Map.entry(LossL2.class, LossFunction.L2), Map.entry(LossMAE.class, LossFunction.MAE),
            Map.entry(LossBinaryXENT.class, LossFunction.XENT), Map.entry(LossMCXENT.class, LossFunction.MCXENT),
            Map.entry(LossNegativeLogLikelihood.class, LossFunction.NEGATIVELOGLIKELIHOOD),
            Map.entry(LossHinge.class, LossFunction.HINGE), Map.entry(LossSquaredHinge.class, LossFunction.SQUARED_HINGE),
            Map.entry(LossKLD.class, LossFunction.KL_DIVERGENCE), Map.entry(LossPoisson.class, LossFunction.POISSON),
            Map.entry(LossCosineProximity.class, LossFunction.COSINE_PROXIMITY),
            Map.entry(LossMAPE.class, LossFunction.MEAN_ABSOLUTE_PERCENTAGE_ERROR),
            Map.entry(LossMSLE.class, LossFunction.MEAN_SQUARED_LOGARITHMIC_ERROR),
            Map.entry(LossWasserstein.class, LossFunction.WASSERSTEIN),
            Map.entry(LossSparseMCXENT.class, LossFunction.SPARSE_MCXENT));

    /** LossMCXENT's default softmaxClipEps (private in DL4J), the kernels' constant. */
    private static final double MCXENT_CLIP = 1e-10;

    private LossTranslator() {
    }

    /** The output layer's loss, or null if there are problems (added to {@code problems}). */
    static Loss translate(int i, OutputLayer output, List<Problem> problems) {
        ILossFunction fn = output.getLossFn();
        LossFunction loss = fn == null ? null : LOSSES.get(fn.getClass());
        if (loss == null) {
            problems.add(new Problem(i, "OutputLayer", "loss " + fn + " is not supported; use MSE, L1, L2, MAE, "
                    + "XENT, MCXENT, NEGATIVELOGLIKELIHOOD, HINGE, SQUARED_HINGE, KL_DIVERGENCE, POISSON, "
                    + "COSINE_PROXIMITY, MEAN_ABSOLUTE_PERCENTAGE_ERROR, MEAN_SQUARED_LOGARITHMIC_ERROR, WASSERSTEIN "
                    + "or SPARSE_MCXENT"));
            return null;
        }
        int before = problems.size();
        if (fn instanceof LossMCXENT m && m.getSoftmaxClipEps() != MCXENT_CLIP) {
            problems.add(new Problem(i, "OutputLayer", loss + " with softmaxClipEps " + m.getSoftmaxClipEps()
                    + " is not supported; the cores clip at DL4J's default "
                    + MCXENT_CLIP));
        }
        if (fn instanceof LossBinaryXENT x && x.getClipEps() != LossBinaryXENT.DEFAULT_CLIPPING_EPSILON) {
            problems.add(new Problem(i, "OutputLayer", "XENT with clipEps " + x.getClipEps() + " is not supported; "
                    + "the cores clip at DL4J's default " + LossBinaryXENT.DEFAULT_CLIPPING_EPSILON));
        }
        if (loss == LossFunction.XENT && output.getActivationFn() instanceof ActivationSoftmax) {
            problems.add(new Problem(i, "OutputLayer", "XENT with a softmax activation is not supported (DL4J scores "
                    + "it with a log-softmax); use MCXENT"));
        }
        List<Float> weights = weights(i, weightsOf(fn), output.getNOut(), problems);
        return problems.size() == before ? new Loss(loss, weights) : null;
    }

    /** The weights of a weighted loss, or null. */
    private static INDArray weightsOf(ILossFunction fn) {
        return fn instanceof LossMCXENT m ? m.getWeights()
                : fn instanceof LossBinaryXENT x ? x.getWeights()
                : fn instanceof LossL2 l2 ? l2.getWeights()
                : fn instanceof LossL1 l1 ? l1.getWeights()
                : fn instanceof LossMAPE p ? p.getWeights()
                : fn instanceof LossMSLE s ? s.getWeights() : null;
    }

    private static List<Float> weights(int i, INDArray w, long nOut, List<Problem> problems) {
        if (w == null) {
            return List.of();
        }
        if (w.length() != nOut) {
            problems.add(new Problem(i, "OutputLayer", "the loss has " + w.length() + " weights but the layer has nOut "
                    + nOut + "; DL4J needs one weight per output"));
            return List.of();
        }
        List<Float> weights = new ArrayList<>();
        for (float v : w.castTo(DataType.FLOAT).toFloatVector()) {
            if (!Float.isFinite(v)) {
                problems.add(new Problem(i, "OutputLayer", "loss weight " + v + " is not finite"));
                return List.of();
            }
            weights.add(v);
        }
        return weights;
    }
}
