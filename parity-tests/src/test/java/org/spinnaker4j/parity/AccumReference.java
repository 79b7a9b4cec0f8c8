package org.spinnaker4j.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.activations.impl.ActivationCube;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationRationalTanh;
import org.nd4j.linalg.activations.impl.ActivationRectifiedTanh;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.spinnaker4j.backend.frontend.Dl4jFrontEnd;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumQuantiser.Quantised;
import org.spinnaker4j.kernels.FixedPointFunctions;
import org.spinnaker4j.kernels.KernelActivation;

/**
 * A dense network computed on the host in s16.15 fixed point as docs/fixed-point.md specifies the kernels'
 * arithmetic: inputs, weights and biases quantised ({@link AccumQuantiser}); per output, the products of s16.15 words
 * summed exactly in 64 bits (s33.30) with the bias, rounded once to s16.15 (nearest, ties away from zero, saturating,
 * counted); a DropoutLayer passes its input on (inference); relu, relu6, thresholdedrelu (the words above
 * floor(theta 2^15)) and identity exact on the word, cube
 * by {@link AccumQuantiser#roundCube} (saturated, counted with the sums), sigmoid, tanh, rectifiedtanh, softsign,
 * swish, gelu, mish, selu and rationaltanh by {@link FixedPointFunctions#activate} (selu's saturations, which these tests never
 * reach, not counted), softmax
 * over the layer's words by {@link FixedPointFunctions#softmax} (the kernels' C code). It gives the quantised
 * activations of every layer, which {@link AccumErrorBound} bounds against float for relu/identity networks, and the
 * saturations per layer. A 2-D ConvolutionLayer (NCHW, its image size given by a FeedForwardToCnnPreProcessor or the
 * convolution before it), or a chain of Convolution1DLayers (NCW, as images of width 1), runs as its lowered dense
 * (Toeplitz) layer: every product the kernel makes, and zeros, which add nothing to an exact sum, so its sums are those
 * of any order and grouping the machine's blocks use.
 *
 * <p>Also, written here from the statements of docs/fixed-point.md ("Pooling and batch normalization"), not from the
 * kernels: a 2-D {@code SubsamplingLayer} on the network's flat image input or a convolution's output (MAX the largest word of each window from
 * INT32_MIN; AVG the exact sum of its words over the taps on the image, or kH·kW counting the padding, rounded half
 * away from zero), and a {@code BatchNormalization} of a feature vector folded to a = gamma / sqrt(var + eps),
 * c = beta − mean·a in double, each quantised, ŷ = round((x̂·â + ĉ·2^15) / 2^15).
 */
final class AccumReference {

    /** The activations the reference computes, by their exact DL4J class. */
    private static final Map<Class<? extends IActivation>, KernelActivation> ACTIVATIONS = Map.ofEntries(
            Map.entry(ActivationReLU.class, KernelActivation.RELU),
            Map.entry(ActivationIdentity.class, KernelActivation.IDENTITY),
            Map.entry(ActivationSigmoid.class, KernelActivation.SIGMOID),
            Map.entry(ActivationTanH.class, KernelActivation.TANH),
            Map.entry(ActivationSoftmax.class, KernelActivation.SOFTMAX),
            Map.entry(ActivationReLU6.class, KernelActivation.RELU6),
            Map.entry(ActivationThresholdedReLU.class, KernelActivation.THRESHOLDEDRELU),
            Map.entry(ActivationCube.class, KernelActivation.CUBE),
            Map.entry(ActivationRectifiedTanh.class, KernelActivation.RECTIFIEDTANH),
            Map.entry(ActivationSoftSign.class, KernelActivation.SOFTSIGN),
            Map.entry(ActivationSwish.class, KernelActivation.SWISH),
            Map.entry(ActivationGELU.class, KernelActivation.GELU),
            Map.entry(ActivationMish.class, KernelActivation.MISH),
            Map.entry(ActivationSELU.class, KernelActivation.SELU),
            Map.entry(ActivationRationalTanh.class, KernelActivation.RATIONALTANH));

    /** One layer on words; counts its saturated roundings in {@code sumSaturations[l]}. */
    private interface Step {
        int[] apply(int[] x, long[] sumSaturations, int l);
    }

    private final List<Step> steps = new ArrayList<>();
    private final long[] parameterSaturations;
    /** Per layer, its weights and bias as a dense layer (a convolution's lowered), or null for a pooling layer. */
    private final float[][] denseWeights;
    private final float[][] denseBiases;

    AccumReference(MultiLayerNetwork net) {
        this(net, null);
    }

    /**
     * The reference of a network that starts with a Convolution1DLayer on sequences of {@code channels} ×
     * {@code length} (NCW, run as images of height {@code length} and width 1), given as {@code {channels, length}}.
     */
    AccumReference(MultiLayerNetwork net, int[] sequence) {
        int n = net.getnLayers();
        parameterSaturations = new long[n];
        denseWeights = new float[n][];
        denseBiases = new float[n][];
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        // (channels, height, width) of the activations in a chain of convolutions
        int[] image = sequence == null ? null : new int[] {sequence[0], sequence[1], 1};
        for (int l = 0; l < n; l++) {
            InputPreProcessor pre = conf.getInputPreProcess(l);
            if (pre instanceof FeedForwardToCnnPreProcessor f) {
                image = new int[] {(int) f.getNumChannels(), (int) f.getInputHeight(), (int) f.getInputWidth()};
            }
            Layer layer = conf.getConf(l).getLayer();
            if (sequence != null && !(layer instanceof Convolution1DLayer)) {
                throw new IllegalArgumentException("layer " + l + ": after a Convolution1DLayer the reference lowers "
                        + "only Convolution1DLayers (DL4J runs a dense layer there at each position), got " + layer);
            }
            if (Dl4jFrontEnd.isDropoutLayer(layer)) {
                steps.add((x, sumSaturations, layerIndex) -> x); // at inference it passes its input on
            } else if (layer instanceof SubsamplingLayer pool) {
                steps.add(pooling(l, pool, image));
                image = pooledImage(pool, image);
            } else if (layer instanceof BatchNormalization norm) {
                steps.add(batchNorm(net, l, norm));
            } else {
                image = lower(net, l, (BaseLayer) layer, image);
                steps.add(dense(l, (BaseLayer) layer));
            }
        }
    }

    /**
     * Layer {@code l}'s weights and bias as a dense layer into {@link #denseWeights} and {@link #denseBiases}: a
     * convolution on {@code image} lowered; returns the image after the layer (null after a dense layer).
     */
    private int[] lower(MultiLayerNetwork net, int l, BaseLayer layer, int[] image) {
        // a Convolution1DLayer's W reports [nOut, nIn, k, 1] but holds w(tap, in, out) in that order after its
        // bias, as the layer's parameter vector shows (Dl4jState.kernelLayout)
        float[] dense = layer instanceof Convolution1DLayer ? Arrays.copyOfRange(
                net.getLayer(l).params().toFloatVector(), (int) ((Convolution1DLayer) layer).getNOut(),
                (int) net.getLayer(l).numParams()) : parameter(net, l, "W");
        float[] bias = parameter(net, l, "b");
        int[] after = null;
        if (layer instanceof ConvolutionLayer c) {
            if ((c.getClass() != ConvolutionLayer.class && c.getClass() != Convolution1DLayer.class)
                    || image == null) {
                throw new IllegalArgumentException("layer " + l + ": the reference lowers a 2-D ConvolutionLayer "
                        + "behind a FeedForwardToCnnPreProcessor or another one, or a chain of "
                        + "Convolution1DLayers, got " + c);
            }
            after = outputImage(c, image);
            dense = lowered(c, image, after, dense);
            bias = repeated(bias, after[1] * after[2]);
        }
        denseWeights[l] = dense;
        denseBiases[l] = bias;
        return after;
    }

    /** Layer {@code l} as a dense layer on words, from its {@link #lower lowered} weights and bias. */
    private Step dense(int l, BaseLayer layer) {
        KernelActivation act = activation(l, layer);
        Quantised qw = AccumQuantiser.quantise(denseWeights[l], 1, "W");
        Quantised qb = AccumQuantiser.quantise(denseBiases[l], 1, "b");
        parameterSaturations[l] = qw.saturations() + qb.saturations();
        int[] w = qw.words();
        int[] b = qb.words();
        int threshold = layer.getActivationFn() instanceof ActivationThresholdedReLU t
                ? (int) Math.floor((double) (float) t.getTheta() * AccumQuantiser.ONE) : 0;
        return (x, sumSaturations, layerIndex) -> denseWords(layerIndex, x, w, b, act, threshold, sumSaturations);
    }

    /** The kernels' activation of layer {@code l}, refused (naming the layer) if the reference does not compute it. */
    static KernelActivation activation(int l, BaseLayer layer) {
        KernelActivation act = ACTIVATIONS.get(layer.getActivationFn().getClass());
        if (act == null) {
            throw new IllegalArgumentException("layer " + l + ": " + layer.getActivationFn() + "; the reference "
                    + "computes " + ACTIVATIONS.values());
        }
        return act;
    }

    /**
     * A dense layer {@code l} on words: weights {@code w} (nIn × nOut, row-major) and bias {@code b}, every output's
     * products and b·2^15 summed exactly in 64 bits, rounded once (saturated, counted in {@code sumSaturations[l]})
     * and activated as the kernels do.
     *
     * @throws ArithmeticException if a 64-bit sum could overflow
     */
    static int[] denseWords(int l, int[] x, int[] w, int[] b, KernelActivation act, long[] sumSaturations) {
        return denseWords(l, x, w, b, act, 0, sumSaturations);
    }

    /** As {@link #denseWords(int, int[], int[], int[], KernelActivation, long[])}; a thresholdedrelu's word. */
    static int[] denseWords(int l, int[] x, int[] w, int[] b, KernelActivation act, int threshold,
            long[] sumSaturations) {
        int nOut = b.length;
        requireNoOverflow(l, x, w, b);
        long[] s = new long[nOut];
        for (int j = 0; j < nOut; j++) {
            s[j] = (long) b[j] << 15;
        }
        for (int i = 0; i < x.length; i++) {
            long xi = x[i];
            if (xi != 0) {
                for (int j = 0, k = i * nOut; j < nOut; j++, k++) {
                    s[j] += xi * w[k];
                }
            }
        }
        int[] z = new int[nOut];
        for (int j = 0; j < nOut; j++) {
            z[j] = rounded(s[j], sumSaturations, l);
        }
        return activate(act, threshold, z, sumSaturations, l);
    }

    /** The (channels, height, width) a pooling layer makes of {@code in} (Truncate or Strict, with its padding). */
    private static int[] pooledImage(SubsamplingLayer pool, int[] in) {
        if (in == null) {
            return null;
        }
        int[] k = pool.getKernelSize();
        int[] st = pool.getStride();
        int[] pad = pool.getPadding();
        return new int[] {in[0], (in[1] + 2 * pad[0] - k[0]) / st[0] + 1, (in[2] + 2 * pad[1] - k[1]) / st[1] + 1};
    }

    /**
     * A 2-D pooling layer on an NCHW {@code image}: the flat input's (as its FeedForwardToCnnPreProcessor reads it)
     * or the convolution's before it.
     */
    private static Step pooling(int l, SubsamplingLayer pool, int[] image) {
        if (image == null || pool.getConvolutionMode() == ConvolutionMode.Same
                || (pool.getPoolingType() != PoolingType.MAX && pool.getPoolingType() != PoolingType.AVG)) {
            throw new IllegalArgumentException("layer " + l + ": the reference pools MAX or AVG, Truncate or Strict, "
                    + "on the flat image input or a convolution's output");
        }
        int channels = image[0];
        int height = image[1];
        int width = image[2];
        int[] k = pool.getKernelSize();
        int[] st = pool.getStride();
        int[] pad = pool.getPadding();
        int[] out = pooledImage(pool, image);
        int outH = out[1];
        int outW = out[2];
        boolean max = pool.getPoolingType() == PoolingType.MAX;
        boolean padInDivisor = pool.isAvgPoolIncludePadInDivisor();
        return (x, sumSaturations, layerIndex) -> {
            int[] y = new int[channels * outH * outW];
            for (int c = 0; c < channels; c++) {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        long sum = 0;
                        int best = Integer.MIN_VALUE;
                        int taps = 0;
                        for (int ky = 0; ky < k[0]; ky++) {
                            for (int kx = 0; kx < k[1]; kx++) {
                                int py = oy * st[0] - pad[0] + ky;
                                int px = ox * st[1] - pad[1] + kx;
                                if (py >= 0 && py < height && px >= 0 && px < width) {
                                    int v = x[(c * height + py) * width + px];
                                    sum += v;
                                    best = Math.max(best, v);
                                    taps++;
                                }
                            }
                        }
                        long d = padInDivisor ? (long) k[0] * k[1] : taps;
                        long q = Math.floorDiv(2 * Math.abs(sum) + d, 2 * d);
                        y[(c * outH + oy) * outW + ox] = max ? best : Math.toIntExact(sum < 0 ? -q : q);
                    }
                }
            }
            return y;
        };
    }

    /** A batch normalization of a feature vector with its running statistics, folded (see the class comment). */
    private Step batchNorm(MultiLayerNetwork net, int l, BatchNormalization norm) {
        double[][] ac = fold(net, l, norm);
        Quantised qa = AccumQuantiser.quantise(ac[0], 1, "a");
        Quantised qc = AccumQuantiser.quantise(ac[1], 1, "c");
        parameterSaturations[l] = qa.saturations() + qc.saturations();
        int[] a = qa.words();
        int[] c = qc.words();
        return (x, sumSaturations, layerIndex) -> {
            int[] y = new int[x.length];
            for (int j = 0; j < x.length; j++) {
                y[j] = rounded((long) x[j] * a[j] + ((long) c[j] << 15), sumSaturations, layerIndex);
            }
            return y;
        };
    }

    /**
     * Layer {@code l}'s batch normalization folded in double: element 0 a = gamma / sqrt(var + eps) per feature
     * (var the stored variance, or (10^log10stdev)²), element 1 c = beta − mean·a.
     */
    static double[][] fold(MultiLayerNetwork net, int l, BatchNormalization norm) {
        float[] gamma = parameter(net, l, "gamma");
        float[] beta = parameter(net, l, "beta");
        float[] mean = parameter(net, l, "mean");
        float[] stat = parameter(net, l, norm.isUseLogStd() ? "log10stdev" : "var");
        double[][] ac = new double[2][gamma.length];
        for (int j = 0; j < gamma.length; j++) {
            double std = Math.pow(10, stat[j]);
            double var = norm.isUseLogStd() ? std * std : stat[j];
            ac[0][j] = gamma[j] / Math.sqrt(var + norm.getEps());
            ac[1][j] = beta[j] - mean[j] * ac[0][j];
        }
        return ac;
    }

    private static int rounded(long sum, long[] sumSaturations, int l) {
        return saturated(AccumQuantiser.roundSum(sum), sumSaturations, l);
    }

    /** A rounded value saturated to the words' range, counted in {@code sumSaturations[l]} if it was beyond it. */
    private static int saturated(long v, long[] sumSaturations, int l) {
        if (AccumQuantiser.saturates(v)) {
            sumSaturations[l]++;
        }
        return AccumQuantiser.saturate(v);
    }

    /** Layer {@code l}'s parameter {@code name} ("W": nIn × nOut; "b"), row-major. */
    static float[] parameter(MultiLayerNetwork net, int l, String name) {
        INDArray p = net.getLayer(l).getParam(name);
        return Nd4j.toFlattened('c', p).toFloatVector();
    }

    /**
     * The (channels, height, width) a convolution makes of {@code in}: DL4J's Truncate and Strict with its padding,
     * Same with ⌊total / 2⌋ on the top and left.
     */
    private static int[] outputImage(ConvolutionLayer c, int[] in) {
        int[] out = {(int) c.getNOut(), 0, 0};
        for (int d = 0; d < 2; d++) {
            int k = kernel(c)[d];
            int s = stride(c)[d];
            out[1 + d] = c.getConvolutionMode() == ConvolutionMode.Same ? (in[1 + d] + s - 1) / s
                    : (in[1 + d] + 2 * pad(c)[d] - k) / s + 1;
        }
        return out;
    }

    /** Kernel height and width: a Convolution1DLayer's is its kernel × 1 (along the sequence, as the height). */
    private static int[] kernel(ConvolutionLayer c) {
        return c instanceof Convolution1DLayer ? new int[] {c.getKernelSize()[0], 1} : c.getKernelSize();
    }

    /** Stride along the height and width (a Convolution1DLayer's: its stride, 1). */
    private static int[] stride(ConvolutionLayer c) {
        return c instanceof Convolution1DLayer ? new int[] {c.getStride()[0], 1} : c.getStride();
    }

    /** Padding of the height and width (a Convolution1DLayer's: its padding, 0). */
    private static int[] pad(ConvolutionLayer c) {
        return c instanceof Convolution1DLayer ? new int[] {c.getPadding()[0], 0} : c.getPadding();
    }

    /** The padding on the top (d 0) or left (d 1) of a convolution from {@code in} to {@code out}. */
    private static int padding(ConvolutionLayer c, int d, int[] in, int[] out) {
        if (c.getConvolutionMode() != ConvolutionMode.Same) {
            return pad(c)[d];
        }
        int pad = ((out[1 + d] - 1) * stride(c)[d] + kernel(c)[d] - in[1 + d]) / 2;
        if (pad < 0 || Arrays.stream(c.getDilation()).anyMatch(v -> v != 1)) {
            throw new IllegalArgumentException("the reference lowers no negative padding or dilation: " + c);
        }
        return pad;
    }

    /**
     * A convolution's kernel W[out, in, ky, kx] ('c' order; a Convolution1DLayer's w(tap, in, out)) as the dense
     * nIn × nOut matrix over NCHW-flat images:
     * row (in, y, x), column (out, oy, ox), y = oy·strideH − padTop + ky and x likewise; zero where no tap lies.
     */
    private static float[] lowered(ConvolutionLayer c, int[] in, int[] out, float[] kernel) {
        int kh = kernel(c)[0];
        int kw = kernel(c)[1];
        int top = padding(c, 0, in, out);
        int left = padding(c, 1, in, out);
        int nIn = in[0] * in[1] * in[2];
        int nOut = out[0] * out[1] * out[2];
        float[] w = new float[nIn * nOut];
        for (int o = 0; o < out[0]; o++) {
            for (int oy = 0; oy < out[1]; oy++) {
                for (int ox = 0; ox < out[2]; ox++) {
                    int j = (o * out[1] + oy) * out[2] + ox;
                    for (int ch = 0; ch < in[0]; ch++) {
                        for (int ky = 0; ky < kh; ky++) {
                            int y = oy * stride(c)[0] - top + ky;
                            for (int kx = 0; kx < kw; kx++) {
                                int x = ox * stride(c)[1] - left + kx;
                                if (y >= 0 && y < in[1] && x >= 0 && x < in[2]) {
                                    w[((ch * in[1] + y) * in[2] + x) * nOut + j] = kernel[c instanceof Convolution1DLayer
                                            ? (ky * in[0] + ch) * out[0] + o : ((o * in[0] + ch) * kh + ky) * kw + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
        return w;
    }

    /** Each channel's bias for each of its {@code positions} outputs (NCHW order). */
    private static float[] repeated(float[] bias, int positions) {
        float[] b = new float[bias.length * positions];
        for (int k = 0; k < b.length; k++) {
            b[k] = bias[k / positions];
        }
        return b;
    }

    /** Layer {@code l}'s weights as the reference's dense layer (nIn × nOut, row-major; a convolution's lowered). */
    float[] denseWeights(int l) {
        return denseWeights[l].clone();
    }

    /** Layer {@code l}'s bias as the reference's dense layer (a convolution's repeated for each position). */
    float[] denseBias(int l) {
        return denseBiases[l].clone();
    }

    /** Weights and biases (a batch normalization's folded a and c) saturated on load, per layer. */
    long[] parameterSaturations() {
        return parameterSaturations.clone();
    }

    /**
     * One sample through the network: element 0 the quantised input, element l + 1 layer l's activations (words);
     * {@code sumSaturations[l]} counts layer l's sums that saturated when rounded.
     */
    List<int[]> forward(int[] input, long[] sumSaturations) {
        List<int[]> activations = new ArrayList<>();
        activations.add(input);
        int[] x = input;
        for (int l = 0; l < steps.size(); l++) {
            x = steps.get(l).apply(x, sumSaturations, l);
            activations.add(x);
        }
        return activations;
    }

    /** {@code act} on a layer's rounded words, as the kernels apply it (a cube's saturations counted as the sums'). */
    private static int[] activate(KernelActivation act, int threshold, int[] z, long[] sumSaturations, int l) {
        return switch (act) {
            case IDENTITY -> z;
            case RELU -> Arrays.stream(z).map(v -> Math.max(v, 0)).toArray();
            case RELU6 -> Arrays.stream(z).map(v -> Math.max(0, Math.min(6 * AccumQuantiser.ONE, v))).toArray();
            case THRESHOLDEDRELU -> Arrays.stream(z).map(v -> v > threshold ? v : 0).toArray();
            case CUBE -> Arrays.stream(z).map(v -> saturated(AccumQuantiser.roundCube(v), sumSaturations, l)).toArray();
            case SOFTMAX -> FixedPointFunctions.softmax(z);
            default -> FixedPointFunctions.activate(act, 0, z);
        };
    }

    /** As the host checks before the kernels run: n products and the bias must stay below 2^63. */
    private static void requireNoOverflow(int layer, int[] x, int[] w, int[] b) {
        long maxX = AccumQuantiser.maxMagnitude(x);
        long maxW = AccumQuantiser.maxMagnitude(w);
        long maxB = AccumQuantiser.maxMagnitude(b);
        if ((double) maxX * maxW * x.length + (double) maxB * (1 << 15) >= 0x1p63) {
            throw new ArithmeticException("layer " + layer + ": a 64-bit sum could overflow");
        }
    }
}
