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
import org.deeplearning4j.nn.conf.layers.BaseLayer;
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
 */
final class AccumReference {

    /** The activations the reference computes, by their exact DL4J class. */
    private static final Map<Class<? extends IActivation>, KernelActivation> ACTIVATIONS = Map.of(
            ActivationReLU.class, KernelActivation.RELU, ActivationIdentity.class, KernelActivation.IDENTITY,
            ActivationSigmoid.class, KernelActivation.SIGMOID, ActivationTanH.class, KernelActivation.TANH,
            ActivationSoftmax.class, KernelActivation.SOFTMAX);

    private final List<int[]> weights = new ArrayList<>();
    private final List<int[]> biases = new ArrayList<>();
    private final List<KernelActivation> layerActivations = new ArrayList<>();
    private final long[] parameterSaturations;

    AccumReference(MultiLayerNetwork net) {
        int n = net.getnLayers();
        parameterSaturations = new long[n];
        for (int l = 0; l < n; l++) {
            IActivation fn = ((BaseLayer) net.getLayerWiseConfigurations().getConf(l).getLayer()).getActivationFn();
            KernelActivation act = ACTIVATIONS.get(fn.getClass());
            if (act == null) {
                throw new IllegalArgumentException("layer " + l + ": " + fn + "; the reference computes "
                        + ACTIVATIONS.values());
            }
            layerActivations.add(act);
            Quantised w = AccumQuantiser.quantise(parameter(net, l, "W"), 1, "W");
            Quantised b = AccumQuantiser.quantise(parameter(net, l, "b"), 1, "b");
            weights.add(w.words());
            biases.add(b.words());
            parameterSaturations[l] = w.saturations() + b.saturations();
        }
    }

    /** Layer {@code l}'s parameter {@code name} ("W": nIn × nOut; "b"), row-major. */
    static float[] parameter(MultiLayerNetwork net, int l, String name) {
        INDArray p = net.getLayer(l).getParam(name);
        return Nd4j.toFlattened('c', p).toFloatVector();
    }

    /** Weights and biases saturated on load, per layer. */
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
        for (int l = 0; l < weights.size(); l++) {
            int[] w = weights.get(l);
            int[] b = biases.get(l);
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
                long v = AccumQuantiser.roundSum(s[j]);
                if (AccumQuantiser.saturates(v)) {
                    sumSaturations[l]++;
                }
                z[j] = AccumQuantiser.saturate(v);
            }
            x = activate(layerActivations.get(l), z);
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
