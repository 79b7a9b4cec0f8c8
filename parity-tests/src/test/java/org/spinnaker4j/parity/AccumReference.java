package org.spinnaker4j.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumQuantiser.Quantised;
import org.spinnaker4j.kernels.FixedPointFunctions;
import org.spinnaker4j.kernels.KernelActivation;

/**
 * A dense network computed on the host in s16.15 fixed point as docs/fixed-point.md specifies the kernels'
 * arithmetic: inputs, weights and biases quantised ({@link AccumQuantiser}); per output, the products of s16.15 words
 * summed exactly in 64 bits (s33.30) with the bias, rounded once to s16.15 (nearest, ties away from zero, saturating,
 * counted); relu and identity exact on the word, sigmoid and tanh by {@link FixedPointFunctions#activate}, softmax
 * over the layer's words by {@link FixedPointFunctions#softmax} (the kernels' C code). It gives the quantised
 * activations of every layer, which {@link AccumErrorBound} bounds against float for relu/identity networks, and the
 * saturations per layer.
 *
 * <p>Also, written here from the statements of docs/fixed-point.md ("Pooling and batch normalization"), not from the
 * kernels: a 2-D {@code SubsamplingLayer} on the network's flat image input (MAX the largest word of each window from
 * INT32_MIN; AVG the exact sum of its words over the taps on the image, or kH·kW counting the padding, rounded half
 * away from zero), and a {@code BatchNormalization} of a feature vector folded to a = gamma / sqrt(var + eps),
 * c = beta − mean·a in double, each quantised, ŷ = round((x̂·â + ĉ·2^15) / 2^15).
 */
final class AccumReference {

    /** The activations the reference computes, by their exact DL4J class. */
    private static final Map<Class<? extends IActivation>, KernelActivation> ACTIVATIONS = Map.of(
            ActivationReLU.class, KernelActivation.RELU, ActivationIdentity.class, KernelActivation.IDENTITY,
            ActivationSigmoid.class, KernelActivation.SIGMOID, ActivationTanH.class, KernelActivation.TANH,
            ActivationSoftmax.class, KernelActivation.SOFTMAX);

    /** One layer on words; counts its saturated roundings in {@code sumSaturations[l]}. */
    private interface Step {
        int[] apply(int[] x, long[] sumSaturations, int l);
    }

    private final List<Step> steps = new ArrayList<>();
    private final long[] parameterSaturations;

    AccumReference(MultiLayerNetwork net) {
        int n = net.getnLayers();
        parameterSaturations = new long[n];
        for (int l = 0; l < n; l++) {
            Layer layer = net.getLayerWiseConfigurations().getConf(l).getLayer();
            if (layer instanceof SubsamplingLayer pool) {
                steps.add(pooling(net, l, pool));
            } else if (layer instanceof BatchNormalization norm) {
                steps.add(batchNorm(net, l, norm));
            } else {
                steps.add(dense(net, l, (BaseLayer) layer));
            }
        }
    }

    private Step dense(MultiLayerNetwork net, int l, BaseLayer layer) {
        KernelActivation act = ACTIVATIONS.get(layer.getActivationFn().getClass());
        if (act == null) {
            throw new IllegalArgumentException("layer " + l + ": " + layer.getActivationFn() + "; the reference "
                    + "computes " + ACTIVATIONS.values());
        }
        Quantised qw = AccumQuantiser.quantise(parameter(net, l, "W"), 1, "W");
        Quantised qb = AccumQuantiser.quantise(parameter(net, l, "b"), 1, "b");
        parameterSaturations[l] = qw.saturations() + qb.saturations();
        int[] w = qw.words();
        int[] b = qb.words();
        return (x, sumSaturations, layerIndex) -> {
            int nOut = b.length;
            requireNoOverflow(layerIndex, x, w, b);
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
                z[j] = rounded(s[j], sumSaturations, layerIndex);
            }
            return activate(act, z);
        };
    }

    /** A 2-D pooling layer on the flat image input (NCHW, as its FeedForwardToCnnPreProcessor reads it). */
    private static Step pooling(MultiLayerNetwork net, int l, SubsamplingLayer pool) {
        if (!(net.getLayerWiseConfigurations().getInputPreProcess(l) instanceof FeedForwardToCnnPreProcessor in)
                || pool.getConvolutionMode() == ConvolutionMode.Same
                || (pool.getPoolingType() != PoolingType.MAX && pool.getPoolingType() != PoolingType.AVG)) {
            throw new IllegalArgumentException("layer " + l + ": the reference pools MAX or AVG on the flat image "
                    + "input, Truncate or Strict");
        }
        int channels = (int) in.getNumChannels();
        int height = (int) in.getInputHeight();
        int width = (int) in.getInputWidth();
        int[] k = pool.getKernelSize();
        int[] st = pool.getStride();
        int[] pad = pool.getPadding();
        int outH = (height + 2 * pad[0] - k[0]) / st[0] + 1;
        int outW = (width + 2 * pad[1] - k[1]) / st[1] + 1;
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
        long v = AccumQuantiser.roundSum(sum);
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

    /** {@code act} on a layer's rounded words, as the kernels apply it. */
    private static int[] activate(KernelActivation act, int[] z) {
        return switch (act) {
            case IDENTITY -> z;
            case RELU -> Arrays.stream(z).map(v -> Math.max(v, 0)).toArray();
            case SOFTMAX -> FixedPointFunctions.softmax(z);
            default -> FixedPointFunctions.activate(act, 0, z);
        };
    }

    /** As the host checks before the kernels run: n products and the bias must stay below 2^63. */
    private static void requireNoOverflow(int layer, int[] x, int[] w, int[] b) {
        long maxX = 0;
        for (int v : x) {
            maxX = Math.max(maxX, Math.abs((long) v));
        }
        long maxW = 0;
        for (int v : w) {
            maxW = Math.max(maxW, Math.abs((long) v));
        }
        long maxB = 0;
        for (int v : b) {
            maxB = Math.max(maxB, Math.abs((long) v));
        }
        if ((double) maxX * maxW * x.length + (double) maxB * (1 << 15) >= 0x1p63) {
            throw new ArithmeticException("layer " + layer + ": a 64-bit sum could overflow");
        }
    }
}
