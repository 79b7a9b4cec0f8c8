package org.spinnaker4j.backend.runtime;

import org.spinnaker4j.kernels.GradientNormalizationKind;
import org.spinnaker4j.kernels.KernelActivation;
import org.spinnaker4j.kernels.KernelKind;
import org.spinnaker4j.kernels.LossKind;
import org.spinnaker4j.kernels.RangeKind;
import org.spinnaker4j.kernels.RegularizationConfig;
import org.spinnaker4j.kernels.RowConvConfig;
import org.spinnaker4j.kernels.UpdaterConfig;
import org.spinnaker4j.kernels.UpdaterKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.GradientNormalizationType;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.RegularizationSpec;
import org.spinnaker4j.mapper.ir.RowBlock;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.keys.ReceiveKind;

/**
 * The kernels' kinds for the mapper's: which kernel program runs each kind of vertex, which activation, updater and
 * loss it applies, what its key ranges carry. Exhaustive switches, so a constant added to or renamed in either enum
 * fails compilation here.
 */
public final class KernelKinds {

    private KernelKinds() {
    }

    public static KernelKind of(VertexKind kind) {
        return switch (kind) {
            case INPUT_SOURCE, LABEL_SOURCE -> KernelKind.INPUT_SOURCE;
            case DENSE_BLOCK -> KernelKind.DENSE_BLOCK;
            case REDUCE, RELAY -> KernelKind.REDUCE;
            case OUTPUT_SINK, LOSS_SINK -> KernelKind.OUTPUT_SINK;
        };
    }

    public static UpdaterKind of(UpdaterType type) {
        return switch (type) {
            case SGD -> UpdaterKind.SGD;
            case NESTEROVS -> UpdaterKind.NESTEROVS;
            case ADAM -> UpdaterKind.ADAM;
            case ADAMAX -> UpdaterKind.ADAMAX;
            case NADAM -> UpdaterKind.NADAM;
            case AMSGRAD -> UpdaterKind.AMSGRAD;
            case ADAGRAD -> UpdaterKind.ADAGRAD;
            case ADADELTA -> UpdaterKind.ADADELTA;
            case RMSPROP -> UpdaterKind.RMSPROP;
            case NOOP -> UpdaterKind.NOOP;
        };
    }

    /** The kernels' config of an updater and its hyper-parameters (its regularizations are not part of it). */
    public static UpdaterConfig of(UpdaterSpec u) {
        return new UpdaterConfig(of(u.type()), u.learningRate(), u.momentumOrBeta1(), u.beta2(), u.epsilon());
    }

    public static RegularizationConfig of(RegularizationSpec r) {
        return new RegularizationConfig(r.l1(), r.l2(), r.weightDecay(), r.l2First(), r.weightDecayTimes());
    }

    public static GradientNormalizationKind of(GradientNormalizationType type) {
        return switch (type) {
            case NONE -> GradientNormalizationKind.NONE;
            case CLIP_ELEMENT_WISE_ABSOLUTE_VALUE -> GradientNormalizationKind.CLIP_ELEMENT_WISE;
            case RENORMALIZE_L2_PER_LAYER -> GradientNormalizationKind.RENORM_L2_PER_LAYER;
            case RENORMALIZE_L2_PER_PARAM_TYPE -> GradientNormalizationKind.RENORM_L2_PER_PARAM_TYPE;
            case CLIP_L2_PER_LAYER -> GradientNormalizationKind.CLIP_L2_PER_LAYER;
            case CLIP_L2_PER_PARAM_TYPE -> GradientNormalizationKind.CLIP_L2_PER_PARAM_TYPE;
        };
    }

    public static KernelActivation of(ActivationKind kind) {
        return switch (kind) {
            case IDENTITY -> KernelActivation.IDENTITY;
            case RELU -> KernelActivation.RELU;
            case LEAKYRELU -> KernelActivation.LEAKYRELU;
            case SIGMOID -> KernelActivation.SIGMOID;
            case TANH -> KernelActivation.TANH;
            case SOFTMAX -> KernelActivation.SOFTMAX;
            case HARDTANH -> KernelActivation.HARDTANH;
            case SOFTPLUS -> KernelActivation.SOFTPLUS;
            case ELU -> KernelActivation.ELU;
            case SWISH -> KernelActivation.SWISH;
            case GELU -> KernelActivation.GELU;
            case SELU -> KernelActivation.SELU;
            case MISH -> KernelActivation.MISH;
            case SOFTSIGN -> KernelActivation.SOFTSIGN;
            case RATIONALTANH -> KernelActivation.RATIONALTANH;
            case RECTIFIEDTANH -> KernelActivation.RECTIFIEDTANH;
            case CUBE -> KernelActivation.CUBE;
            case THRESHOLDEDRELU -> KernelActivation.THRESHOLDEDRELU;
            case RELU6 -> KernelActivation.RELU6;
        };
    }

    public static LossKind of(LossFunction loss) {
        return switch (loss) {
            case MSE -> LossKind.MSE;
            case L1 -> LossKind.L1;
            case L2 -> LossKind.L2;
            case MAE -> LossKind.MAE;
            case XENT -> LossKind.XENT;
            case MCXENT, SPARSE_MCXENT -> LossKind.MCXENT;
            case NEGATIVELOGLIKELIHOOD -> LossKind.NEGATIVELOGLIKELIHOOD;
            case HINGE -> LossKind.HINGE;
            case SQUARED_HINGE -> LossKind.SQUARED_HINGE;
            case KL_DIVERGENCE -> LossKind.KL_DIVERGENCE;
            case POISSON -> LossKind.POISSON;
            case COSINE_PROXIMITY -> LossKind.COSINE_PROXIMITY;
            case MEAN_ABSOLUTE_PERCENTAGE_ERROR -> LossKind.MEAN_ABSOLUTE_PERCENTAGE_ERROR;
            case MEAN_SQUARED_LOGARITHMIC_ERROR -> LossKind.MEAN_SQUARED_LOGARITHMIC_ERROR;
            case WASSERSTEIN -> LossKind.WASSERSTEIN;
        };
    }

    public static RangeKind of(ReceiveKind kind) {
        return switch (kind) {
            case DATA -> RangeKind.DATA;
            case SOFTMAX_SYNC -> RangeKind.SOFTMAX_SYNC;
            case LABEL -> RangeKind.LABEL;
            case DELTA -> RangeKind.DELTA;
            case BACKWARD_PARTIAL -> RangeKind.BACKWARD_PARTIAL;
            case IGNORE -> RangeKind.IGNORE;
            case NORM -> RangeKind.NORM;
            case SHARE -> RangeKind.SHARE;
            case PARAM -> RangeKind.PARAM;
            case BN_PARTIAL -> RangeKind.BN_PARTIAL;
        };
    }

    /** A 2-D convolution's block that holds its kernel once, as the kernel runs it; null for null. */
    public static RowConvConfig of(RowBlock block) {
        if (block == null) {
            return null;
        }
        Conv2DGeometry g = block.image();
        return new RowConvConfig(g.kernelW(), g.width(), g.channelsIn(), g.strideW(), g.padLeft(), g.channelsOut(),
                block.firstColumn(), block.firstChannel(), block.channels());
    }
}
