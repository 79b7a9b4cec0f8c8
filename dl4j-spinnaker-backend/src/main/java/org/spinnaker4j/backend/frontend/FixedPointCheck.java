package org.spinnaker4j.backend.frontend;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.spinnaker4j.kernels.FixedPointFunctions;

/**
 * What the s16.15 fixed-point mode ({@link org.spinnaker4j.mapper.ir.Arithmetic#S16_15}) cannot run, as
 * {@link Problem}s beside the float front end's. At inference every layer and activation the float front end maps
 * runs on words (docs/fixed-point.md): DenseLayer, OutputLayer, the convolutions, the pooling layers and
 * BatchNormalization, a DropoutLayer (no layer on the machine at inference), and each activation exactly on the word
 * or by the fixed-point functions within their stated bounds. Refused: a softmax over more than
 * {@link FixedPointFunctions#SOFTMAX_MAX_WIDTH} outputs, whose exact sum must fit a packet; for training, what
 * {@link FixedPointTrainingCheck} refuses.
 */
final class FixedPointCheck {

    private static final String MODE = "in s16.15 fixed point (Arithmetic.S16_15) ";

    private FixedPointCheck() {
    }

    /** Adds a problem for everything {@code conf} (mapped for training if {@code training}) cannot do in s16.15. */
    static void check(MultiLayerConfiguration conf, boolean training, List<Problem> problems) {
        if (training) {
            FixedPointTrainingCheck.check(conf, problems);
        }
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            if (layer instanceof FeedForwardLayer ff && ff.getActivationFn() instanceof ActivationSoftmax
                    && ff.getNOut() > FixedPointFunctions.SOFTMAX_MAX_WIDTH) {
                problems.add(new Problem(i, layer.getClass().getSimpleName(), MODE + "a softmax of " + ff.getNOut()
                        + " outputs: at most " + FixedPointFunctions.SOFTMAX_MAX_WIDTH + " fit its exact sum in a "
                        + "packet's 32 bits"));
            }
        }
    }
}
