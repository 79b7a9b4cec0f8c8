package org.spinnaker4j.backend.frontend;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1D;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * Lowers a network that starts with a {@code Convolution1DLayer} (NCW input of one sequence length, which DL4J's
 * configuration does not keep, so the options give it): each {@code Convolution1DLayer} (stride, padding,
 * {@code ConvolutionMode} Same, Truncate or Strict) into a convolution, and each DenseLayer or OutputLayer after
 * the {@code RnnToFeedForwardPreProcessor} DL4J 1.0.0-M2.1 inserts behind a convolution into the same layer applied
 * at every position (as DL4J does: its output has a row per sample and position). A {@code Subsampling1DLayer}
 * (MAX or AVG; kernel, stride, padding, {@code ConvolutionMode} Same, Truncate or Strict) becomes a pooling layer on
 * the same geometry, and a {@code GlobalPoolingLayer} (MAX or AVG, collapsing the sequence) one whose window is the
 * whole sequence; the layers after it run on its one row per sample, as DL4J's feed-forward layers do. Everything
 * else is a {@link Problem}: dilation, causal mode, another data format or preprocessor, a softmax over a
 * convolution's output, a convolution or pooling after a per-position layer, positions a layer never reads, PNORM
 * and SUM pooling.
 */
final class SequenceTranslator {

    private final List<Problem> problems;
    /** The sequence the next layer takes: channels × length; 0 when unknown. */
    private int channels;
    private int length;
    /** Whether the sequence has gone through RnnToFeedForward: layers from here on run per position. */
    private boolean perPosition;
    /** Whether a global pooling layer made the sequence one row per sample (so {@link #perPosition} too). */
    private boolean pooledWhole;

    SequenceTranslator(int channelsIn, int length, List<Problem> problems) {
        this.channels = channelsIn;
        this.length = length;
        this.problems = problems;
        if (length < 1) {
            problems.add(new Problem(0, "Convolution1DLayer", "the sequence length is not known: DL4J's "
                    + "configuration does not keep the one setInputType had, and the machine is mapped for one; "
                    + "set SpiNNakerOptions.builder().sequenceLength(n)"));
        }
    }

    /** Whether a network whose first layer is {@code first} is a sequence network. */
    static boolean startsSequence(Layer first) {
        return isConvolution(first);
    }

    /** Whether {@code layer} is a 1-D convolution (by exact class: a subclass may compute something else). */
    static boolean isConvolution(Layer layer) {
        return layer.getClass() == Convolution1DLayer.class || layer.getClass() == Convolution1D.class;
    }

    /** Whether {@code layer} is a pooling layer along a sequence (by exact class, as for convolutions). */
    static boolean isPooling(Layer layer) {
        return layer.getClass() == Subsampling1DLayer.class || layer.getClass() == GlobalPoolingLayer.class;
    }

    /**
     * Layer i's IR, a pooling layer ({@link #isPooling}), or null with problems added (or with the sequence length
     * unknown). {@code preprocessor} is the one DL4J put in front of it (the caller has not reported it).
     */
    DenseLayerSpec pooling(int i, Layer layer, InputPreProcessor preprocessor) {
        String type = layer.getClass().getSimpleName();
        int before = problems.size();
        if (preprocessor != null) {
            problems.add(new Problem(i, type, "input preprocessor " + preprocessor.getClass().getSimpleName()
                    + " is not supported in front of a pooling layer"));
        }
        if (perPosition) {
            problems.add(new Problem(i, type, "pooling after a layer applied per position is not supported"));
        }
        Dl4jFrontEnd.checkDropout(i, type, layer.getIDropout(), problems);
        if (layer.getConstraints() != null && !layer.getConstraints().isEmpty()) {
            problems.add(new Problem(i, type, "parameter constraints are not supported"));
        }
        return layer instanceof GlobalPoolingLayer global ? global(i, type, global, before)
                : subsampling(i, type, (Subsampling1DLayer) layer, before);
    }

    /**
     * Layer i's IR for a batch normalization: none. DL4J 1.0.0-M2.1 cannot run one on a sequence (its layer
     * reshapes the [batch, channels, length] input to [1, batch, channels, length] and refuses it: "input.size(1) does
     * not match expected input size"), so there is nothing to match; the problem says so.
     */
    DenseLayerSpec batchNorm(int i, BatchNormalization layer, InputPreProcessor preprocessor) {
        BatchNormTranslator.spec(i, layer, preprocessor, channels, problems);
        problems.add(new Problem(i, layer.getClass().getSimpleName(), "a batch normalization of a sequence is not "
                + "supported: DL4J 1.0.0-M2.1 cannot run it either (it reshapes [batch, channels, length] to [1, batch, "
                + "channels, length] and refuses the input); after a 2-D ConvolutionLayer it runs"));
        return null;
    }

    private PoolingSpec.Kind kind(int i, String type, PoolingType pooling) {
        if (pooling == PoolingType.MAX || pooling == PoolingType.AVG) {
            return pooling == PoolingType.MAX ? PoolingSpec.Kind.MAX : PoolingSpec.Kind.AVG;
        }
        problems.add(new Problem(i, type, "pooling type " + pooling + " is not supported (MAX, AVG)"));
        return null;
    }

    private DenseLayerSpec global(int i, String type, GlobalPoolingLayer layer, int before) {
        PoolingSpec.Kind kind = kind(i, type, layer.getPoolingType());
        int[] dimensions = layer.getPoolingDimensions();
        if (dimensions != null && !Arrays.equals(dimensions, new int[] {2})) {
            problems.add(new Problem(i, type, "pooling dimensions " + Arrays.toString(dimensions) + " are not "
                    + "supported (the sequence's, [2], the default)"));
        }
        if (!layer.isCollapseDimensions()) {
            problems.add(new Problem(i, type, "collapseDimensions(false) is not supported (the default, true: a row "
                    + "per sample)"));
        }
        perPosition = true;
        pooledWhole = true;
        if (problems.size() > before || length < 1) {
            length = 0;
            return null;
        }
        Conv1DGeometry g = new Conv1DGeometry(channels, length, channels, length, 1, 0, 1, false);
        length = 1;
        return DenseLayerSpec.pooling(g, new PoolingSpec(kind, false, true));
    }

    private DenseLayerSpec subsampling(int i, String type, Subsampling1DLayer layer, int before) {
        PoolingSpec.Kind kind = kind(i, type, layer.getPoolingType());
        if (layer.getDilation()[0] != 1) {
            problems.add(new Problem(i, type, "dilation " + layer.getDilation()[0] + " is not supported (1 only)"));
        }
        if (layer.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            problems.add(new Problem(i, type, "data format " + layer.getCnn2dDataFormat() + " is not supported "
                    + "(NCHW, the default)"));
        }
        ConvolutionMode mode = layer.getConvolutionMode();
        if (mode != ConvolutionMode.Same && mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
            problems.add(new Problem(i, type, "convolution mode " + mode + " is not supported (Same, Truncate, "
                    + "Strict)"));
        }
        int[] padding = layer.getPadding();
        if (mode != ConvolutionMode.Same && padding.length > 1 && padding[1] != 0) {
            problems.add(new Problem(i, type, "padding " + Arrays.toString(padding) + ": DL4J 1.0.0-M2.1 pads the "
                    + "unit second dimension too (Subsampling1DLayer.Builder.padding(p) sets [p, p]) and then cannot "
                    + "reshape its output to a sequence; set [" + padding[0] + ", 0] with setPadding"));
        }
        if (problems.size() > before || length < 1) {
            length = 0;
            return null;
        }
        int kernel = layer.getKernelSize()[0];
        int stride = layer.getStride()[0];
        // DL4J's pooling does not refuse Strict where the stride does not divide the span: it truncates
        WindowAxis axis = WindowAxis.of(problems, i, type, "length", length, kernel, stride, padding[0],
                mode == ConvolutionMode.Strict ? ConvolutionMode.Truncate : mode);
        if (axis == null) {
            return null;
        }
        Conv1DGeometry g;
        try {
            g = new Conv1DGeometry(channels, length, channels, kernel, stride, axis.padding(), axis.outSize(), false);
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(i, type, e.getMessage()));
            return null;
        }
        int unread = firstUnread(g);
        if (unread >= 0) {
            problems.add(new Problem(i, type, "no output position reads input position " + unread + " of " + length
                    + " (kernel " + kernel + ", stride " + stride + "); a previous layer's values nobody reads are "
                    + "not supported"));
            return null;
        }
        length = g.outLength();
        return DenseLayerSpec.pooling(g, new PoolingSpec(kind, kind == PoolingSpec.Kind.AVG
                && layer.isAvgPoolIncludePadInDivisor(), false));
    }

    /**
     * Layer i's IR, or null with problems added (or with the sequence length unknown, reported once).
     * {@code preprocessor} is the one DL4J put in front of it (the caller has not reported it).
     */
    DenseLayerSpec translate(int i, Layer layer, InputPreProcessor preprocessor, Activation activation,
            boolean hasBias) {
        return isConvolution(layer)
                ? convolution(i, (Convolution1DLayer) layer, preprocessor, activation, hasBias)
                : perPosition(i, (FeedForwardLayer) layer, preprocessor, activation, hasBias);
    }

    private DenseLayerSpec convolution(int i, Convolution1DLayer c, InputPreProcessor preprocessor,
            Activation activation, boolean hasBias) {
        String type = c.getClass().getSimpleName();
        int before = problems.size();
        if (preprocessor != null) {
            problems.add(new Problem(i, type, "input preprocessor " + preprocessor.getClass().getSimpleName()
                    + " is not supported in front of a convolution"));
        }
        if (perPosition) {
            problems.add(new Problem(i, type, "a convolution after a layer applied per position is not supported"));
        }
        if (c.getRnnDataFormat() != RNNFormat.NCW) {
            problems.add(new Problem(i, type, "data format " + c.getRnnDataFormat() + " is not supported (NCW only)"));
        }
        int kernel = c.getKernelSize()[0];
        int stride = c.getStride()[0];
        int padding = c.getPadding()[0];
        if (c.getDilation()[0] != 1) {
            problems.add(new Problem(i, type, "dilation " + c.getDilation()[0] + " is not supported (1 only)"));
        }
        ConvolutionMode mode = c.getConvolutionMode();
        if (mode != ConvolutionMode.Same && mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
            problems.add(new Problem(i, type, "convolution mode " + mode + " is not supported (Same, Truncate, "
                    + "Strict)"));
        }
        if (activation != null && activation.kind() == ActivationKind.SOFTMAX) {
            problems.add(new Problem(i, type, "softmax over a convolution's output is not supported; put it on a "
                    + "layer after the convolution"));
        }
        if (c.getNIn() != channels && channels > 0) {
            problems.add(new Problem(i, type, "nIn " + c.getNIn() + " but its input has " + channels + " channels"));
        }
        if (problems.size() > before || length < 1) {
            // the next layers are checked against this one's channels; its length is not known
            channels = (int) c.getNOut();
            length = 0;
            return null;
        }
        WindowAxis axis = WindowAxis.of(problems, i, type, "length", length, kernel, stride, padding, mode);
        if (axis == null) {
            return null;
        }
        Conv1DGeometry g;
        try {
            g = new Conv1DGeometry(channels, length, (int) c.getNOut(), kernel, stride, axis.padding(), axis.outSize(),
                    false);
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(i, type, e.getMessage()));
            return null;
        }
        if (i > 0) {
            int unread = firstUnread(g);
            if (unread >= 0) {
                problems.add(new Problem(i, type, "no output position reads input position " + unread + " of "
                        + length + " (kernel " + kernel + ", stride " + stride + "); a previous layer's values "
                        + "nobody reads are not supported"));
                return null;
            }
        }
        channels = g.channelsOut();
        length = g.outLength();
        return DenseLayerSpec.convolution(g, activation, hasBias);
    }

    /** The first input position no output position of {@code g} reads, or -1. */
    static int firstUnread(Conv1DGeometry g) {
        boolean[] read = new boolean[g.length()];
        for (int t = 0; t < g.outLength(); t++) {
            for (int tap = g.firstValidTap(t); tap < g.endValidTap(t); tap++) {
                read[g.firstInput(t) + tap] = true;
            }
        }
        for (int p = 0; p < read.length; p++) {
            if (!read[p]) {
                return p;
            }
        }
        return -1;
    }

    private DenseLayerSpec perPosition(int i, FeedForwardLayer layer, InputPreProcessor preprocessor,
            Activation activation, boolean hasBias) {
        String type = layer.getClass().getSimpleName();
        int before = problems.size();
        if (perPosition) {
            // DL4J's setInputType puts an RnnToFeedForwardPreProcessor after a global pooling layer too, which
            // passes its rows (rank 2) through
            boolean passesRows = pooledWhole && preprocessor != null
                    && preprocessor.getClass() == RnnToFeedForwardPreProcessor.class;
            if (preprocessor != null && !passesRows) {
                problems.add(new Problem(i, type, "input preprocessor " + preprocessor.getClass().getSimpleName()
                        + " is not supported here"));
            }
        } else if (!(preprocessor instanceof RnnToFeedForwardPreProcessor rnn)
                || preprocessor.getClass() != RnnToFeedForwardPreProcessor.class) {
            problems.add(new Problem(i, type, "after a convolution a " + type + " needs the "
                    + "RnnToFeedForwardPreProcessor DL4J's setInputType inserts, got "
                    + (preprocessor == null ? "none" : preprocessor.getClass().getSimpleName())));
        } else if (rnn.getRnnDataFormat() != RNNFormat.NCW) {
            problems.add(new Problem(i, type, "RnnToFeedForwardPreProcessor with data format "
                    + rnn.getRnnDataFormat() + " is not supported (NCW only)"));
        }
        if (layer.getNIn() != channels && channels > 0) {
            problems.add(new Problem(i, type, "nIn " + layer.getNIn() + " but each position of its input has "
                    + channels + " channels (DL4J 1.0.0-M2.1's setInputType sets a layer after a Convolution1DLayer"
                    + " to the wrong nIn; set nIn explicitly)"));
        }
        if (problems.size() > before || length < 1 || activation == null) {
            return null;
        }
        perPosition = true;
        Conv1DGeometry g = Conv1DGeometry.pointwise(channels, (int) layer.getNOut(), length);
        channels = g.channelsOut();
        return DenseLayerSpec.convolution(g, activation, hasBias);
    }
}
