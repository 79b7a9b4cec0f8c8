package org.spinnaker4j.backend.frontend;

import java.util.List;
import java.util.stream.Collectors;

/** A network uses layers or options spinnaker4j cannot run; lists every problem at once. */
public class UnsupportedNetworkException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** What the front end accepts, appended to every message. */
    public static final String SUPPORTED = "Supported: DenseLayer and OutputLayer (float32, no "
            + "weight noise, constraints or layer norm, no input preprocessors); Dropout (dropOut(p)) and DropoutLayer "
            + "(fit drops on the cores; not before a pooling layer or a 2-D convolution, nor twice); a "
            + "chain of Convolution1DLayer (NCW, kernel, stride, padding, ConvolutionMode Same/Truncate/Strict; no "
            + "dilation, no softmax), with Subsampling1DLayer and GlobalPoolingLayer (MAX, AVG) among or after them, "
            + "followed by DenseLayers and an OutputLayer behind an RnnToFeedForwardPreProcessor, with "
            + "SpiNNakerOptions.sequenceLength set (fit refuses taps that see only padding, and an L2 gradient "
            + "normalization over several positions); or a chain of 2-D ConvolutionLayer (NCHW, the same options; fit "
            + "refuses the same), with SubsamplingLayer (MAX, AVG, the same options) on the input or among them, "
            + "followed by DenseLayers and an OutputLayer behind a "
            + "CnnToFeedForwardPreProcessor, with SpiNNakerOptions.imageSize "
            + "set or InputType.convolutionalFlat; with activations identity, "
            + "relu, leakyrelu, sigmoid, tanh, softmax, hardtanh, softplus, elu, swish, gelu (not precise), selu, "
            + "mish, softsign, rationaltanh, rectifiedtanh, cube, thresholdedrelu, relu6 (not hardsigmoid, rrelu, "
            + "prelu, or relu with max/threshold/negativeSlope); for training, updaters Sgd, "
            + "Nesterovs, Adam, AdaMax, Nadam, AMSGrad, AdaGrad, AdaDelta, RmsProp, NoOp (learning rate and "
            + "Nesterovs' momentum fixed or following any schedule, by iteration or epoch; per layer, with a bias "
            + "updater of its own or not; every gradient normalization), regularization l1, l2, weight decay "
            + "(weights and bias, coefficients fixed or scheduled) and losses MSE, L1, L2, MAE, XENT, MCXENT, "
            + "NEGATIVELOGLIKELIHOOD, HINGE, SQUARED_HINGE, KL_DIVERGENCE, POISSON, COSINE_PROXIMITY (output layer "
            + "on one core), MEAN_ABSOLUTE_PERCENTAGE_ERROR, MEAN_SQUARED_LOGARITHMIC_ERROR, WASSERSTEIN, "
            + "SPARSE_MCXENT, with per-output weights where DL4J takes them (default clipping epsilons; no XENT "
            + "under a softmax).";

    private final transient List<Problem> problems;

    public UnsupportedNetworkException(List<Problem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String message(List<Problem> problems) {
        return "This network cannot run on SpiNNaker (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "):\n"
                + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n"))
                + "\n" + SUPPORTED;
    }
}
