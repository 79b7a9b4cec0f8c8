package org.spinnaker4j.backend.frontend;

import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * The options of a DL4J {@code BatchNormalization} that the machine runs: inference with the running statistics,
 * gamma and beta learnt ({@code lockGammaBeta(false)}, the default), either statistic ({@code useLogStd}), any eps,
 * NCHW. DL4J 1.0.0-M2.1 applies no activation after the normalization (its layer returns the normalized values
 * whatever activation the configuration names), so neither do the kernels.
 */
final class BatchNormTranslator {

    private BatchNormTranslator() {
    }

    /** Whether {@code layer} is a batch normalization (by exact class, as for the other layers). */
    static boolean isBatchNorm(Layer layer) {
        return layer.getClass() == BatchNormalization.class;
    }

    /**
     * The normalization's spec, or null with problems added; {@code preprocessor} is the one DL4J put in front of
     * it (the caller has not reported it), {@code channels} the channels of its input (0: unknown).
     */
    static PoolingSpec spec(int i, BatchNormalization layer, InputPreProcessor preprocessor, int channels,
            List<Problem> problems) {
        String type = layer.getClass().getSimpleName();
        int before = problems.size();
        if (preprocessor != null) {
            problems.add(new Problem(i, type, "input preprocessor " + preprocessor.getClass().getSimpleName()
                    + " is not supported in front of a batch normalization"));
        }
        if (layer.isLockGammaBeta()) {
            problems.add(new Problem(i, type, "lockGammaBeta(true) is not supported (gamma and beta learnt, the "
                    + "default)"));
        }
        if (layer.getCnn2DFormat() != CNN2DFormat.NCHW) {
            problems.add(new Problem(i, type, "data format " + layer.getCnn2DFormat() + " is not supported (NCHW, "
                    + "the default)"));
        }
        if (layer.getIDropout() != null) {
            problems.add(new Problem(i, type, "dropout (" + layer.getIDropout() + ") is not supported"));
        }
        if (layer.getConstraints() != null && !layer.getConstraints().isEmpty()) {
            problems.add(new Problem(i, type, "parameter constraints are not supported"));
        }
        if (channels > 0 && layer.getNOut() != channels) {
            problems.add(new Problem(i, type, "nOut " + layer.getNOut() + " but its input has " + channels
                    + " channels"));
        }
        if (!(layer.getEps() > 0)) {
            problems.add(new Problem(i, type, "eps " + layer.getEps() + " is not supported (> 0)"));
        }
        return problems.size() > before ? null : PoolingSpec.batchNorm(layer.getEps(), layer.isUseLogStd(),
                layer.getDecay());
    }
}
