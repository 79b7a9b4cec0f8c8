package org.spinnaker4j.backend.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationCube;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationRationalTanh;
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
import org.nd4j.linalg.api.buffer.DataType;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;

/**
 * Lowers a DL4J {@link MultiLayerConfiguration} into the mapper's {@link NetworkSpec}: a chain of
 * DenseLayers and an OutputLayer (with a BatchNormalization: as an image network of one pixel,
 * {@link ImageTranslator}), or a network that starts with a {@code Convolution1DLayer}
 * ({@link SequenceTranslator}, with its pooling layers) or a 2-D {@code ConvolutionLayer} ({@link ImageTranslator}).
 * Everything it cannot lower is collected and reported together in one {@link UnsupportedNetworkException}.
 * Dropout ({@code dropOut(p)}, DL4J's {@link Dropout}) acts in training forward passes only, so it lowers to
 * nothing: a {@link DropoutLayer} has no layer in the IR ({@link #irLayers} numbers the IR's layers), and the
 * entry points that would apply dropout refuse such networks ({@link #dropoutLayers}).
 */
public final class Dl4jFrontEnd {

    /**
     * The activations without parameters, by their exact class: a subclass may compute something else, so it is
     * reported as unsupported rather than run as its parent.
     */
    private static final Map<Class<? extends IActivation>, ActivationKind> PARAMETERLESS = Map.ofEntries(
            Map.entry(ActivationIdentity.class, ActivationKind.IDENTITY),
            Map.entry(ActivationSigmoid.class, ActivationKind.SIGMOID),
            Map.entry(ActivationTanH.class, ActivationKind.TANH),
            Map.entry(ActivationSoftmax.class, ActivationKind.SOFTMAX),
            Map.entry(ActivationHardTanH.class, ActivationKind.HARDTANH),
            Map.entry(ActivationSoftPlus.class, ActivationKind.SOFTPLUS),
            Map.entry(ActivationSwish.class, ActivationKind.SWISH),
            Map.entry(ActivationGELU.class, ActivationKind.GELU),
            Map.entry(ActivationSELU.class, ActivationKind.SELU),
            Map.entry(ActivationMish.class, ActivationKind.MISH),
            Map.entry(ActivationSoftSign.class, ActivationKind.SOFTSIGN),
            Map.entry(ActivationRationalTanh.class, ActivationKind.RATIONALTANH),
            Map.entry(ActivationRectifiedTanh.class, ActivationKind.RECTIFIEDTANH),
            Map.entry(ActivationCube.class, ActivationKind.CUBE),
            Map.entry(ActivationReLU6.class, ActivationKind.RELU6));

    private Dl4jFrontEnd() {
    }

    /**
     * The IR of a configuration, or an exception listing every unsupported layer and option. The
     * IR carries the training options when the last layer is an OutputLayer (a network without
     * one can run inference but not train).
     */
    public static NetworkSpec translate(MultiLayerConfiguration conf) {
        return translate(conf, true);
    }

    /**
     * As {@link #translate(MultiLayerConfiguration)}; with {@code training} false the training options are
     * neither checked nor lowered, and the IR is for inference only.
     */
    public static NetworkSpec translate(MultiLayerConfiguration conf, boolean training) {
        return translate(conf, training, 0);
    }

    /**
     * As {@link #translate(MultiLayerConfiguration, boolean)}, a network that starts with a
     * {@code Convolution1DLayer} taking sequences of {@code sequenceLength} positions (0: unknown, which such a
     * network reports as a problem).
     */
    public static NetworkSpec translate(MultiLayerConfiguration conf, boolean training, int sequenceLength) {
        return translate(conf, training, sequenceLength, 0, 0);
    }

    /**
     * As {@link #translate(MultiLayerConfiguration, boolean, int)}, a network that starts with a 2-D
     * {@code ConvolutionLayer} taking images of {@code imageHeight} × {@code imageWidth} (0: unknown, which such a
     * network reports as a problem unless a FeedForwardToCnnPreProcessor in front of it gives the size).
     */
    public static NetworkSpec translate(MultiLayerConfiguration conf, boolean training, int sequenceLength,
            int imageHeight, int imageWidth) {
        return translate(conf, training, sequenceLength, imageHeight, imageWidth, Arithmetic.FLOAT32);
    }

    /**
     * As {@link #translate(MultiLayerConfiguration, boolean, int, int, int)}, for the cores computing in
     * {@code arithmetic}: in {@link Arithmetic#S16_15} the same one exception also lists what fixed point cannot
     * run ({@link FixedPointCheck}).
     */
    public static NetworkSpec translate(MultiLayerConfiguration conf, boolean training, int sequenceLength,
            int imageHeight, int imageWidth, Arithmetic arithmetic) {
        List<Problem> problems = new ArrayList<>();
        if (arithmetic == Arithmetic.S16_15) {
            FixedPointCheck.check(conf, training, problems);
        }
        if (conf.getDataType() != DataType.FLOAT) {
            problems.add(new Problem(-1, "MultiLayerConfiguration",
                    "data type " + conf.getDataType() + "; the kernels compute in float32 (FLOAT)"));
        }
        if (conf.getBackpropType() == BackpropType.TruncatedBPTT) {
            problems.add(new Problem(-1, "MultiLayerConfiguration", "truncated BPTT is for recurrent networks"));
        }
        Map<Integer, InputPreProcessor> preprocessors = conf.getInputPreProcessors();
        List<DenseLayerSpec> layers = new ArrayList<>();
        int firstLayer = 0;
        while (firstLayer < conf.getConfs().size() - 1 && isDropoutLayer(conf.getConf(firstLayer).getLayer())) {
            firstLayer++;
        }
        Layer first = conf.getConf(firstLayer).getLayer();
        SequenceTranslator sequence = SequenceTranslator.startsSequence(first)
                ? new SequenceTranslator((int) ((FeedForwardLayer) first).getNIn(), sequenceLength, problems) : null;
        // a fully connected network with a batch normalization runs as an image network of one pixel
        boolean normalizes = conf.getConfs().stream().anyMatch(c -> BatchNormTranslator.isBatchNorm(c.getLayer()));
        ImageTranslator image = ImageTranslator.startsImage(first) ? new ImageTranslator(first,
                ImageTranslator.inputChannels(conf), preprocessors == null ? null : preprocessors.get(firstLayer),
                imageHeight, imageWidth, problems)
                : sequence == null && normalizes && first instanceof FeedForwardLayer ff
                        ? ImageTranslator.rows((int) ff.getNIn(), problems) : null;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            String type = layer.getClass().getSimpleName();
            InputPreProcessor preprocessor = preprocessors == null ? null : preprocessors.get(i);
            if (preprocessor != null && sequence == null && image == null) {
                problems.add(new Problem(i, type, "input preprocessor "
                        + preprocessor.getClass().getSimpleName() + " is not supported"));
            }
            if (isDropoutLayer(layer)) {
                if (preprocessor != null && (sequence != null || image != null)) {
                    problems.add(new Problem(i, type, "input preprocessor " + preprocessor.getClass().getSimpleName()
                            + " is not supported in front of a DropoutLayer"));
                }
                checkDropout(i, type, layer.getIDropout(), problems);
                continue;
            }
            if (ImageTranslator.isPooling(layer)) {
                if (image == null) {
                    problems.add(new Problem(i, type, "a SubsamplingLayer must be the first layer or follow a 2-D "
                            + "ConvolutionLayer or SubsamplingLayer"));
                } else {
                    DenseLayerSpec spec = image.pooling(i, (SubsamplingLayer) layer, preprocessor);
                    if (spec != null) {
                        layers.add(spec);
                    }
                }
                continue;
            }
            if (SequenceTranslator.isPooling(layer)) {
                if (sequence == null) {
                    problems.add(new Problem(i, type, "a pooling layer must follow a Convolution1DLayer"));
                } else {
                    DenseLayerSpec spec = sequence.pooling(i, layer, preprocessor);
                    if (spec != null) {
                        layers.add(spec);
                    }
                }
                continue;
            }
            if (BatchNormTranslator.isBatchNorm(layer)) {
                BatchNormalization norm = (BatchNormalization) layer;
                DenseLayerSpec spec = sequence != null ? sequence.batchNorm(i, norm, preprocessor)
                        : image != null ? image.batchNorm(i, norm, preprocessor) : null;
                if (sequence == null && image == null) {
                    problems.add(new Problem(i, type, "a batch normalization runs after a 2-D convolution or in a "
                            + "network of DenseLayers, not after a " + first.getClass().getSimpleName()));
                }
                if (spec != null) {
                    layers.add(spec);
                }
                // its training mapping scores with the running statistics; fit names it
                continue;
            }
            boolean convolution = sequence != null ? SequenceTranslator.isConvolution(layer)
                    : image != null ? ImageTranslator.isConvolution(layer)
                    : SequenceTranslator.isConvolution(layer) || ImageTranslator.isConvolution(layer);
            if (convolution && sequence == null && image == null) {
                problems.add(new Problem(i, type, "a " + type + " must be the first layer or follow one"));
                continue;
            }
            if (layer.getClass() != DenseLayer.class && layer.getClass() != OutputLayer.class && !convolution) {
                problems.add(new Problem(i, type, "layer type " + type + " is not supported"
                        + (layer instanceof ConvolutionLayer ? " (of the convolutions, Convolution1DLayer and the "
                        + "2-D ConvolutionLayer run, each in a network of its own kind)" : "")));
                continue;
            }
            int before = problems.size();
            checkOptions(i, (FeedForwardLayer) layer, problems);
            Activation activation = activation(i, type, ((BaseLayer) layer).getActivationFn(), problems);
            if (problems.size() == before) {
                FeedForwardLayer ff = (FeedForwardLayer) layer;
                boolean hasBias = layer instanceof DenseLayer d ? d.hasBias()
                        : layer instanceof OutputLayer o ? o.hasBias() : ((ConvolutionLayer) layer).hasBias();
                DenseLayerSpec spec = sequence != null ? sequence.translate(i, layer, preprocessor, activation, hasBias)
                        : image != null ? image.translate(i, layer, preprocessor, activation, hasBias)
                        : new DenseLayerSpec((int) ff.getNIn(), (int) ff.getNOut(), activation, hasBias);
                if (spec != null) {
                    layers.add(spec);
                }
            }
        }
        if (layers.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(-1, "MultiLayerConfiguration", "no layer other than DropoutLayers"));
        }
        TrainingSpec trainingSpec = training ? TrainingTranslator.translate(conf, problems) : null;
        if (!problems.isEmpty()) {
            throw new UnsupportedNetworkException(problems);
        }
        return new NetworkSpec(layers, trainingSpec).withArithmetic(arithmetic);
    }

    private static void checkOptions(int i, FeedForwardLayer layer, List<Problem> problems) {
        String type = layer.getClass().getSimpleName();
        if (layer.getNIn() < 1 || layer.getNOut() < 1) {
            problems.add(new Problem(i, type, "nIn/nOut not set (nIn " + layer.getNIn() + ", nOut "
                    + layer.getNOut() + "); set them or call setInputType on the configuration"));
        }
        if (layer.getNIn() > Integer.MAX_VALUE || layer.getNOut() > Integer.MAX_VALUE) {
            problems.add(new Problem(i, type, "nIn/nOut above 2^31"));
        }
        checkDropout(i, type, layer.getIDropout(), problems);
        if (layer.getWeightNoise() != null) {
            problems.add(new Problem(i, type, "weight noise is not supported"));
        }
        if (layer.getConstraints() != null && !layer.getConstraints().isEmpty()) {
            problems.add(new Problem(i, type, "parameter constraints are not supported"));
        }
        if (layer instanceof DenseLayer d && d.hasLayerNorm()) {
            problems.add(new Problem(i, type, "layer normalisation is not supported"));
        }
    }

    /**
     * Refuses every dropout but DL4J's {@link Dropout} (by exact class): AlphaDropout, GaussianDropout, GaussianNoise
     * and SpatialDropout compute something else in training and are named.
     */
    static void checkDropout(int i, String type, IDropout dropout, List<Problem> problems) {
        if (dropout != null && dropout.getClass() != Dropout.class) {
            problems.add(new Problem(i, type, "dropout " + dropout.getClass().getSimpleName()
                    + " is not supported; Dropout (dropOut(p)) is"));
        }
    }

    /** Whether {@code layer} is a pooling layer, along a sequence or across an image (it has no parameters). */
    static boolean isPooling(Layer layer) {
        return SequenceTranslator.isPooling(layer) || ImageTranslator.isPooling(layer);
    }

    /** Whether {@code layer} is a {@link DropoutLayer} (by exact class), which has no layer in the IR. */
    public static boolean isDropoutLayer(Layer layer) {
        return layer.getClass() == DropoutLayer.class;
    }

    /**
     * For each of the configuration's layers, the IR layer whose output is its output (as {@link #translate} lowers
     * it): its own, or for a {@link DropoutLayer}, which passes its input on outside training, the IR layer before
     * it (-1: the network's input).
     */
    public static int[] irLayers(MultiLayerConfiguration conf) {
        int[] ir = new int[conf.getConfs().size()];
        int last = -1;
        for (int i = 0; i < ir.length; i++) {
            if (!isDropoutLayer(conf.getConf(i).getLayer())) {
                last++;
            }
            ir[i] = last;
        }
        return ir;
    }

    /**
     * The configuration's layers that apply dropout in a training forward pass ("layer i (Type, dropout)"), comma
     * separated; empty if none does.
     */
    public static String dropoutLayers(MultiLayerConfiguration conf) {
        StringBuilder named = new StringBuilder();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            if (layer.getIDropout() != null) {
                named.append(named.length() == 0 ? "" : ", ").append("layer ").append(i).append(" (")
                        .append(layer.getClass().getSimpleName()).append(", ").append(describe(layer.getIDropout()))
                        .append(')');
            }
        }
        return named.toString();
    }

    /** "Dropout(p=0.5)", "Dropout(pSchedule=...)", or the class of another dropout. */
    private static String describe(IDropout dropout) {
        if (dropout instanceof Dropout d) {
            return "Dropout(" + (d.getPSchedule() != null ? "pSchedule=" + d.getPSchedule() : "p=" + d.getP()) + ")";
        }
        return dropout.getClass().getSimpleName();
    }

    private static Activation activation(int i, String type, IActivation fn, List<Problem> problems) {
        if (fn instanceof ActivationReLU relu) {
            if (relu.getMax() != null || relu.getThreshold() != null || relu.getNegativeSlope() != null) {
                problems.add(new Problem(i, type, "relu with max/threshold/negativeSlope is not supported; "
                        + "use plain relu, leakyrelu, relu6 or thresholdedrelu"));
            }
            return Activation.of(ActivationKind.RELU);
        }
        if (fn instanceof ActivationLReLU lrelu) {
            return new Activation(ActivationKind.LEAKYRELU, (float) lrelu.getAlpha());
        }
        if (fn instanceof ActivationELU elu) {
            return new Activation(ActivationKind.ELU, (float) elu.getAlpha());
        }
        if (fn instanceof ActivationThresholdedReLU thresholded) {
            float theta = (float) thresholded.getTheta();
            if (!Float.isFinite(theta)) {
                problems.add(new Problem(i, type, "thresholdedrelu with theta " + thresholded.getTheta()
                        + ", not a finite float32"));
                return null;
            }
            return new Activation(ActivationKind.THRESHOLDEDRELU, theta);
        }
        if (fn instanceof ActivationGELU gelu && gelu.isPrecise()) {
            problems.add(new Problem(i, type, "gelu(precise=true) is not supported; the kernels compute DL4J's "
                    + "default gelu, x sigmoid(1.702 x) (Activation.GELU, new ActivationGELU())"));
            return null;
        }
        ActivationKind kind = parameterless(fn);
        if (kind == null) {
            problems.add(new Problem(i, type, "activation " + fn + " is not supported"));
            return null;
        }
        return Activation.of(kind);
    }

    /** The kind of an activation without parameters, or null if the kernels do not implement it. */
    private static ActivationKind parameterless(IActivation fn) {
        return PARAMETERLESS.get(fn.getClass());
    }
}
