package org.spinnaker4j.backend.frontend;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1D;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationCube;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationRectifiedTanh;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.spinnaker4j.kernels.FixedPointFunctions;

/**
 * What the s16.15 fixed-point mode ({@link org.spinnaker4j.mapper.ir.Arithmetic#S16_15}) cannot run yet, as
 * {@link Problem}s beside the float front end's. Every layer the float front end maps runs on words: DenseLayer,
 * OutputLayer, the convolutions (ConvolutionLayer, whose blocks hold the kernel once; Convolution1DLayer), the pooling
 * layers and BatchNormalization (whose MAX and AVG pool words exactly and whose running statistics are folded), and
 * DropoutLayer, which has no layer on the machine at inference. Refused: activations other than those the kernels
 * compute (relu, relu6, leakyrelu, hardtanh, thresholdedrelu, cube and identity on the word; sigmoid, tanh,
 * rectifiedtanh, softplus, elu, selu, softsign, swish, gelu (DL4J's default, x sigmoid(1.702 x); the float front end
 * refuses the precise one) and mish by the fixed-point functions: all but rationaltanh), a softmax over more than
 * {@link FixedPointFunctions#SOFTMAX_MAX_WIDTH} outputs, whose exact sum must fit a packet; for training, what
 * {@link FixedPointTrainingCheck} refuses. A layer's fan-in may be split over cores: its blocks send 64-bit partial
 * sums as two packets and its reduces round once.
 */
final class FixedPointCheck {

    /** The activations a fixed-point kernel computes, by their exact class. */
    private static final Set<Class<? extends IActivation>> RUNS = Set.of(ActivationReLU.class,
            ActivationReLU6.class, ActivationLReLU.class, ActivationHardTanH.class, ActivationThresholdedReLU.class,
            ActivationCube.class, ActivationIdentity.class, ActivationSigmoid.class, ActivationTanH.class,
            ActivationRectifiedTanh.class, ActivationSoftPlus.class, ActivationELU.class, ActivationSELU.class,
            ActivationSoftSign.class, ActivationSwish.class, ActivationGELU.class, ActivationMish.class,
            ActivationSoftmax.class);

    /**
     * The layers whose activation a fixed-point kernel applies, by their exact class (a 2-D convolution's: row blocks);
     * the pooling, normalization and dropout layers have none, and any other the float front end refuses.
     */
    private static final Set<Class<? extends Layer>> ACTIVATES = Set.of(DenseLayer.class, OutputLayer.class,
            ConvolutionLayer.class, Convolution1DLayer.class, Convolution1D.class);

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
            String type = layer.getClass().getSimpleName();
            if (!ACTIVATES.contains(layer.getClass())) {
                continue;
            }
            IActivation fn = ((BaseLayer) layer).getActivationFn();
            if (fn == null || !RUNS.contains(fn.getClass())) {
                problems.add(new Problem(i, type, MODE + "activation " + fn + " has no kernel yet (relu, relu6, "
                        + "leakyrelu, hardtanh, thresholdedrelu, cube, identity, sigmoid, tanh, rectifiedtanh, softplus, "
                        + "elu, selu, softsign, swish, gelu, mish and softmax do)"));
            } else if (fn instanceof ActivationSoftmax && layer instanceof FeedForwardLayer
                    && ((FeedForwardLayer) layer).getNOut() > FixedPointFunctions.SOFTMAX_MAX_WIDTH) {
                problems.add(new Problem(i, type, MODE + "a softmax of " + ((FeedForwardLayer) layer).getNOut()
                        + " outputs: at most " + FixedPointFunctions.SOFTMAX_MAX_WIDTH + " fit its exact sum in a "
                        + "packet's 32 bits"));
            }
        }
    }
}
