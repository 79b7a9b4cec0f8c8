package org.spinnaker4j.backend.frontend;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * Lowers a network that starts with a 2-D {@code ConvolutionLayer} (NCHW input of one image size: the
 * {@code FeedForwardToCnnPreProcessor} of {@code InputType.convolutionalFlat} gives it, else the options must): each
 * {@code ConvolutionLayer} (stride, padding, {@code ConvolutionMode} Same, Truncate or Strict, kernel and stride
 * not square) into the convolution along the image's rows of its {@link Conv2DGeometry}, the DenseLayer or
 * OutputLayer behind the {@code CnnToFeedForwardPreProcessor} into a dense layer over the image, and the layers after
 * it into layers of one position; a {@code SubsamplingLayer} (MAX or AVG, the same options, on the input or among the
 * convolutions) into a pooling layer across the image's rows on the same lowering. Everything else is a
 * {@link Problem}: dilation, another data format or preprocessor, a softmax over a convolution's output, a
 * convolution or pooling after a dense layer, image rows a convolution or pooling never reads, PNORM and SUM.
 */
final class ImageTranslator {

    private final List<Problem> problems;
    /** The image the next layer takes: channels × height × width; height 0 when unknown. */
    private int channels;
    private int height;
    private int width;
    /** Whether the image has gone through CnnToFeedForward: layers from here on are fully connected. */
    private boolean flat;
    /** Whether the input is rows of a fully connected network, lowered as images of one pixel ({@link #rows}). */
    private boolean rows;

    /**
     * {@code preprocessor} is the first layer's (the caller has not reported it); {@code height} and {@code width}
     * the options' image size (0: not set); {@code channels} the input's ({@link #inputChannels}).
     */
    ImageTranslator(Layer first, int channels, InputPreProcessor preprocessor, int height, int width,
            List<Problem> problems) {
        this.problems = problems;
        this.channels = channels;
        String type = first.getClass().getSimpleName();
        if (preprocessor != null && preprocessor.getClass() == FeedForwardToCnnPreProcessor.class) {
            FeedForwardToCnnPreProcessor flatInput = (FeedForwardToCnnPreProcessor) preprocessor;
            if (height > 0 && (flatInput.getInputHeight() != height || flatInput.getInputWidth() != width)) {
                problems.add(new Problem(0, type, "SpiNNakerOptions' image size " + height + " × " + width
                        + " differs from the FeedForwardToCnnPreProcessor's " + flatInput.getInputHeight() + " × "
                        + flatInput.getInputWidth()));
            }
            this.height = (int) flatInput.getInputHeight();
            this.width = (int) flatInput.getInputWidth();
        } else {
            if (preprocessor != null) {
                problems.add(new Problem(0, type, "input preprocessor " + preprocessor.getClass().getSimpleName()
                        + " is not supported in front of a convolution"));
            }
            this.height = height;
            this.width = width;
            if (height < 1) {
                problems.add(new Problem(0, type, "the image size is not known: DL4J's configuration does not keep "
                        + "the one setInputType(InputType.convolutional(h, w, c)) had, and the machine is mapped for "
                        + "one; set SpiNNakerOptions.builder().imageSize(h, w) or use InputType.convolutionalFlat"));
            }
        }
    }

    /**
     * A fully connected network (rows of {@code nIn} values in) lowered as an image network of one pixel, so that its
     * batch normalizations run per feature as an image's run per channel: its layers become one-position
     * convolutions (the first a dense layer over the 1 × 1 image), read back as DL4J's rows.
     */
    static ImageTranslator rows(int nIn, List<Problem> problems) {
        ImageTranslator t = new ImageTranslator(problems, nIn);
        t.rows = true;
        return t;
    }

    private ImageTranslator(List<Problem> problems, int nIn) {
        this.problems = problems;
        this.channels = nIn;
        this.height = 1;
        this.width = 1;
    }

    /** Whether a network whose first layer is {@code first} is an image network. */
    static boolean startsImage(Layer first) {
        return isConvolution(first) || isPooling(first);
    }

    /**
     * The channels of an image network's input: its first convolution's nIn, or, in front of a pooling layer (which
     * has none), the FeedForwardToCnnPreProcessor's, or the nIn of the first convolution after the pooling layers
     * (they keep the channels), or the CnnToFeedForwardPreProcessor's after them; 0 if none says.
     */
    static int inputChannels(MultiLayerConfiguration conf) {
        Map<Integer, InputPreProcessor> preprocessors = conf.getInputPreProcessors();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            InputPreProcessor preprocessor = preprocessors == null ? null : preprocessors.get(i);
            if (preprocessor instanceof FeedForwardToCnnPreProcessor p && i == 0) {
                return (int) p.getNumChannels();
            }
            if (preprocessor instanceof CnnToFeedForwardPreProcessor p) {
                return (int) p.getNumChannels();
            }
            if (!isPooling(layer)) {
                return isConvolution(layer) ? (int) ((ConvolutionLayer) layer).getNIn() : 0;
            }
        }
        return 0;
    }

    /** Whether {@code layer} is a 2-D convolution (by exact class: its subclasses compute something else). */
    static boolean isConvolution(Layer layer) {
        return layer.getClass() == ConvolutionLayer.class;
    }

    /** Whether {@code layer} is a 2-D pooling layer (by exact class: Subsampling1DLayer is a sequence's). */
    static boolean isPooling(Layer layer) {
        return layer.getClass() == SubsamplingLayer.class;
    }

    /**
     * Layer i's IR, a 2-D pooling layer ({@link #isPooling}), or null with problems added. {@code preprocessor} is
     * the one DL4J put in front of it (the caller has not reported it).
     */
    DenseLayerSpec pooling(int i, SubsamplingLayer layer, InputPreProcessor preprocessor) {
        String type = layer.getClass().getSimpleName();
        int before = problems.size();
        checkWindow(i, type, preprocessor, "a pooling layer", "pooling", layer.getCnn2dDataFormat(),
                layer.getDilation());
        ConvolutionMode mode = layer.getConvolutionMode();
        checkMode(i, type, mode);
        PoolingType pooling = layer.getPoolingType();
        if (pooling != PoolingType.MAX && pooling != PoolingType.AVG) {
            problems.add(new Problem(i, type, "pooling type " + pooling + " is not supported (MAX, AVG)"));
        }
        if (layer.getIDropout() != null) {
            problems.add(new Problem(i, type, "dropout (" + layer.getIDropout() + ") is not supported"));
        }
        if (layer.getConstraints() != null && !layer.getConstraints().isEmpty()) {
            problems.add(new Problem(i, type, "parameter constraints are not supported"));
        }
        if (channels < 1) {
            problems.add(new Problem(i, type, "the input's channels are not known: a pooling layer has no nIn; "
                    + "use InputType.convolutionalFlat or a convolution after it"));
        }
        // DL4J's pooling does not refuse Strict where the stride does not divide the span: it truncates
        ConvolutionMode truncating = mode == ConvolutionMode.Strict ? ConvolutionMode.Truncate : mode;
        WindowAxis rows = problems.size() > before || height < 1 ? null : WindowAxis.of(problems, i, type, "height",
                height, layer.getKernelSize()[0], layer.getStride()[0], layer.getPadding()[0], truncating);
        WindowAxis columns = rows == null ? null : WindowAxis.of(problems, i, type, "width", width,
                layer.getKernelSize()[1], layer.getStride()[1], layer.getPadding()[1], truncating);
        if (columns == null) {
            height = 0;
            return null;
        }
        Conv1DGeometry g = alongRows(i, type, channels, channels, layer.getKernelSize(), layer.getStride(), rows,
                columns);
        if (g == null) {
            return null;
        }
        PoolingSpec.Kind kind = pooling == PoolingType.MAX ? PoolingSpec.Kind.MAX : PoolingSpec.Kind.AVG;
        return DenseLayerSpec.pooling(g, new PoolingSpec(kind, kind == PoolingSpec.Kind.AVG
                && layer.isAvgPoolIncludePadInDivisor(), false));
    }

    /**
     * The options a 2-D convolution and a 2-D pooling layer ({@code what}, named {@code after} behind a dense layer)
     * share: no preprocessor after the first layer, not behind a fully connected layer, NCHW, no dilation.
     */
    private void checkWindow(int i, String type, InputPreProcessor preprocessor, String what, String after,
            CNN2DFormat format, int[] dilation) {
        if (preprocessor != null && i > 0) {
            problems.add(new Problem(i, type, "input preprocessor " + preprocessor.getClass().getSimpleName()
                    + " is not supported in front of " + what));
        }
        if (flat) {
            problems.add(new Problem(i, type, after + " after a fully connected layer is not supported"));
        }
        if (format != CNN2DFormat.NCHW) {
            problems.add(new Problem(i, type, "data format " + format + " is not supported (NCHW only)"));
        }
        if (dilation[0] != 1 || dilation[1] != 1) {
            problems.add(new Problem(i, type, "dilation " + dilation[0] + " × " + dilation[1]
                    + " is not supported (1 × 1 only)"));
        }
    }

    /** Adds a problem unless {@code mode} is one DL4J's 2-D windows run here: Same, Truncate or Strict. */
    private void checkMode(int i, String type, ConvolutionMode mode) {
        if (mode != ConvolutionMode.Same && mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
            problems.add(new Problem(i, type, "convolution mode " + mode + " is not supported (Same, Truncate, "
                    + "Strict)"));
        }
    }

    /** Whether every image row of the layer before is read by an output row of {@code g}; else adds a problem. */
    private boolean readsEveryRow(int i, String type, Conv1DGeometry g) {
        int unread = SequenceTranslator.firstUnread(g);
        if (unread >= 0) {
            problems.add(new Problem(i, type, "no output row reads input row " + unread + " of " + height
                    + " (kernel height " + g.kernel() + ", stride " + g.stride() + "); a previous layer's "
                    + "values nobody reads are not supported"));
            height = 0;
            return false;
        }
        return true;
    }

    /** Layer i's IR, or null with problems added. */
    DenseLayerSpec translate(int i, Layer layer, InputPreProcessor preprocessor, Activation activation,
            boolean hasBias) {
        return isConvolution(layer) ? convolution(i, (ConvolutionLayer) layer, preprocessor, activation, hasBias)
                : dense(i, (FeedForwardLayer) layer, preprocessor, activation, hasBias);
    }

    private DenseLayerSpec convolution(int i, ConvolutionLayer c, InputPreProcessor preprocessor,
            Activation activation, boolean hasBias) {
        String type = c.getClass().getSimpleName();
        int before = problems.size();
        checkWindow(i, type, preprocessor, "a convolution", "a convolution", c.getCnn2dDataFormat(), c.getDilation());
        ConvolutionMode mode = c.getConvolutionMode();
        checkMode(i, type, mode);
        if (activation != null && activation.kind() == ActivationKind.SOFTMAX) {
            problems.add(new Problem(i, type, "softmax over a convolution's output is not supported; put it on a "
                    + "layer after the convolution"));
        }
        if (c.getNIn() != channels && channels > 0) {
            problems.add(new Problem(i, type, "nIn " + c.getNIn() + " but its input has " + channels + " channels"));
        }
        WindowAxis rows = problems.size() > before || height < 1 ? null : WindowAxis.of(problems, i, type, "height",
                height, c.getKernelSize()[0], c.getStride()[0], c.getPadding()[0], mode);
        WindowAxis columns = rows == null ? null : WindowAxis.of(problems, i, type, "width", width,
                c.getKernelSize()[1], c.getStride()[1], c.getPadding()[1], mode);
        channels = (int) c.getNOut();
        if (columns == null) {
            height = 0; // the next layers are checked against this one's channels; its size is not known
            return null;
        }
        Conv1DGeometry g = alongRows(i, type, (int) c.getNIn(), channels, c.getKernelSize(), c.getStride(), rows,
                columns);
        return g == null ? null : DenseLayerSpec.convolution(g, activation, hasBias);
    }

    /**
     * The window of layer {@code i} over the current image as a convolution along its rows, the image then its
     * output; null, with a problem listed (or the rows a previous layer made that it never reads), where it does not
     * fit.
     */
    private Conv1DGeometry alongRows(int i, String type, int channelsIn, int channelsOut, int[] kernel, int[] stride,
            WindowAxis rows, WindowAxis columns) {
        Conv1DGeometry g;
        try {
            g = new Conv2DGeometry(channelsIn, height, width, channelsOut, kernel[0], kernel[1], stride[0], stride[1],
                    rows.padding(), columns.padding(), rows.outSize(), columns.outSize(), false).alongRows();
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(i, type, e.getMessage()));
            height = 0;
            return null;
        }
        if (i > 0 && !readsEveryRow(i, type, g)) {
            return null;
        }
        height = g.outLength();
        width = g.image().outWidth();
        return g;
    }

    /**
     * Layer i's IR, a batch normalization per channel at every pixel, or null with problems added (or with the
     * image size unknown).
     */
    DenseLayerSpec batchNorm(int i, BatchNormalization layer, InputPreProcessor preprocessor) {
        int before = problems.size();
        PoolingSpec norm = BatchNormTranslator.spec(i, layer, preprocessor, channels, problems);
        if (problems.size() > before || height < 1) {
            return null;
        }
        // behind a fully connected layer or on a fully connected network's input, DL4J's rows of features: a one-pixel
        // image read back as rows (dense)
        return DenseLayerSpec.batchNorm(flat || rows ? Conv2DGeometry.dense(channels, 1, 1, channels).alongRows()
                : new Conv2DGeometry(channels, height, width, channels, 1, 1, 1, 1, 0, 0, height, width, false)
                        .alongRows(), norm);
    }

    private DenseLayerSpec dense(int i, FeedForwardLayer layer, InputPreProcessor preprocessor, Activation activation,
            boolean hasBias) {
        String type = layer.getClass().getSimpleName();
        int before = problems.size();
        if (flat || rows) {
            if (preprocessor != null) {
                problems.add(new Problem(i, type, "input preprocessor " + preprocessor.getClass().getSimpleName()
                        + " is not supported here"));
            }
            if (layer.getNIn() != channels) {
                problems.add(new Problem(i, type, "nIn " + layer.getNIn() + " but its input has " + channels
                        + " values"));
            }
        } else if (preprocessor == null || preprocessor.getClass() != CnnToFeedForwardPreProcessor.class) {
            problems.add(new Problem(i, type, "after a convolution a " + type + " needs the "
                    + "CnnToFeedForwardPreProcessor DL4J's setInputType inserts, got "
                    + (preprocessor == null ? "none" : preprocessor.getClass().getSimpleName())));
        } else {
            CnnToFeedForwardPreProcessor cnn = (CnnToFeedForwardPreProcessor) preprocessor;
            if (cnn.getFormat() != CNN2DFormat.NCHW) {
                problems.add(new Problem(i, type, "CnnToFeedForwardPreProcessor with data format " + cnn.getFormat()
                        + " is not supported (NCHW only)"));
            } else if (height > 0 && (cnn.getInputHeight() != height || cnn.getInputWidth() != width
                    || cnn.getNumChannels() != channels)) {
                problems.add(new Problem(i, type, "its CnnToFeedForwardPreProcessor takes " + cnn.getNumChannels()
                        + " × " + cnn.getInputHeight() + " × " + cnn.getInputWidth() + " but the convolution before "
                        + "it makes " + channels + " × " + height + " × " + width));
            }
            if (layer.getNIn() != (long) channels * height * width && height > 0) {
                problems.add(new Problem(i, type, "nIn " + layer.getNIn() + " but its input has " + channels
                        + " × " + height + " × " + width + " values"));
            }
        }
        boolean ok = problems.size() == before && height > 0 && activation != null;
        Conv1DGeometry g = !ok ? null : flat ? Conv1DGeometry.pointwise(channels, (int) layer.getNOut(), 1)
                : Conv2DGeometry.dense(channels, height, width, (int) layer.getNOut()).alongRows();
        // the next layers are fully connected, checked against this one's outputs
        flat = true;
        channels = (int) layer.getNOut();
        return ok ? DenseLayerSpec.convolution(g, activation, hasBias) : null;
    }
}
