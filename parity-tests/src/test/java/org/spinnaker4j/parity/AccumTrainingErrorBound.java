package org.spinnaker4j.parity;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.KernelActivation;

/**
 * A bound on |Ĝ − G̃| for every weight and bias gradient of one mini-batch, Ĝ the exact sums of
 * {@link AccumTrainingReference} (before any update: its parameters are the float network's quantised) and G̃ what
 * nd4j computes in float32 (docs/fixed-point.md, "Training in s16.15", "The gradient's bound"). With h = 2^-16, u =
 * 2^-24, γ_n = n u / (1 − n u), hats the fixed-point values and tildes the float ones, per sample:
 * <ul>
 * <li>forward, per layer: {@link AccumErrorBound#layer} bounds |ẑ − z̃|; relu and identity keep it; tanh adds
 * 0.51·2^-15 (the fixed function) and 4u|ã| (libnd4j's, taken as within 4 ulps); sigmoid likewise, from |ẑ − z̃| / 4;
 * a softmax output within 2^-15 (0.5 + 0.51 (1 + n p̂)) of the exact softmax of ẑ, which is within
 * p (e^{2E} − 1) of the exact softmax of z̃ (E the largest |ẑ − z̃|), itself within 2(n + 5)u p̃ of nd4j's;
 * <li>output δ: softmax + MCXENT that of p (the labels one-hot, exact); identity + MSE h + 2(e_a + h) / n +
 * 6u|ã − y| / n (the labels quantised, one rounding, nd4j's three float operations);
 * <li>ε_i = W_i·δ: h (its rounding) + Σ_j (h |δ̂_j| + |W_ij| e_δj) + γ_n Σ_j |W_ij| (|δ̂_j| + e_δj);
 * <li>δ of a hidden layer: identity e_ε; relu e_ε where both sides pass, 0 where both stop, |ε̂| + e_ε where they
 * differ (an output near 0); tanh h + e_ε |1 − â²| + (|ε̂| + e_ε)(e_a (|â| + |ã|) + 16u); sigmoid h + e_ε |â(1 − â)|
 * + (|ε̂| + e_ε)(e_a |1 − â − ã| + 16u) (16u for nd4j's derivative and product in float);
 * </ul>
 * and over the B samples, G_ij = Σ x_i δ_j: Σ (e_xi |δ̂_j| + |x̃_i| e_δj) + γ_B Σ |x̃_i| (|δ̂_j| + e_δj); a bias's x
 * is 1, exact on both sides. It holds while nothing saturates.
 */
final class AccumTrainingErrorBound {

    private static final double H = 0x1p-16;
    private static final double U = 0x1p-24;
    private static final double Q = 0x1p-15;

    private AccumTrainingErrorBound() {
    }

    /**
     * Per layer, the bound on every gradient (weights row-major nIn × nOut, then biases) of the mini-batch {@code x}
     * with {@code labels}, for {@code net} (float, its current parameters) and {@code fixed} built from it.
     */
    static double[][] gradient(MultiLayerNetwork net, AccumTrainingReference fixed, float[][] x, float[][] labels) {
        int layers = net.getnLayers();
        List<INDArray> floats = net.feedForward(Nd4j.create(x), false);
        double[][] bound = new double[layers][];
        double[][] floatTerms = new double[layers][];
        KernelActivation[] acts = new KernelActivation[layers];
        float[][] w = new float[layers][];
        float[][] b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            acts[l] = AccumReference.activation(l, (BaseLayer) net.getLayerWiseConfigurations().getConf(l).getLayer());
            w[l] = AccumReference.parameter(net, l, "W");
            b[l] = AccumReference.parameter(net, l, "b");
            bound[l] = new double[w[l].length + b[l].length];
            floatTerms[l] = new double[bound[l].length];
        }
        for (int s = 0; s < x.length; s++) {
            int[] in = AccumQuantiser.quantise(x[s], x[s].length, "sample").words();
            int[] y = AccumQuantiser.quantise(labels[s], labels[s].length, "labels").words();
            AccumTrainingReference.Sample one = fixed.backprop(in, y);
            double[][] e = new double[layers + 1][];
            e[0] = new double[in.length];
            Arrays.fill(e[0], H);
            float[][] tilde = new float[layers + 1][];
            for (int l = 0; l <= layers; l++) {
                tilde[l] = floats.get(l).getRow(s).toFloatVector();
            }
            for (int l = 0; l < layers; l++) {
                double[] ez = AccumErrorBound.layer(w[l], b[l], values(one.activations().get(l)), tilde[l], e[l]);
                e[l + 1] = activated(acts[l], ez, one.activations().get(l + 1), tilde[l + 1]);
            }
            double[] ed = outputDelta(acts[layers - 1], e[layers], tilde[layers], labels[s]);
            for (int l = layers - 1; l >= 0; l--) {
                int[] delta = one.deltas()[l];
                accumulate(values(one.activations().get(l)), tilde[l], e[l], delta, ed, bound[l], floatTerms[l]);
                if (l > 0) {
                    double[] eEps = eps(w[l], delta, ed);
                    ed = hidden(acts[l - 1], one.eps()[l], eEps, one.activations().get(l), tilde[l], e[l]);
                }
            }
        }
        double gamma = x.length * U / (1 - x.length * U);
        for (int l = 0; l < layers; l++) {
            for (int k = 0; k < bound[l].length; k++) {
                bound[l][k] += gamma * floatTerms[l][k];
            }
        }
        return bound;
    }

    /** The bound on a layer's activations from the bound {@code ez} on its sums (see the class comment). */
    private static double[] activated(KernelActivation act, double[] ez, int[] fixedA, float[] floatA) {
        int n = ez.length;
        double[] e = new double[n];
        double largest = 0;
        for (double v : ez) {
            largest = Math.max(largest, v);
        }
        for (int j = 0; j < n; j++) {
            e[j] = switch (act) {
                case RELU, IDENTITY -> ez[j];
                case TANH -> ez[j] + 0.51 * Q + 4 * U * Math.abs(floatA[j]);
                case SIGMOID -> ez[j] / 4 + 0.51 * Q + 4 * U * Math.abs(floatA[j]);
                case SOFTMAX -> Q * (0.5 + 0.51 * (1 + n * fixedA[j] * Q))
                        + floatA[j] * (1 + 2 * (n + 5) * U) * Math.expm1(2 * largest) + 2 * (n + 5) * U * floatA[j];
                default -> throw new IllegalArgumentException("no bound for " + act);
            };
        }
        return e;
    }

    private static double[] outputDelta(KernelActivation act, double[] ea, float[] floatA, float[] labels) {
        int n = ea.length;
        double[] e = new double[n];
        for (int j = 0; j < n; j++) {
            e[j] = act == KernelActivation.SOFTMAX ? ea[j]
                    : H + 2 * (ea[j] + H) / n + 6 * U * Math.abs(floatA[j] - labels[j]) / n;
        }
        return e;
    }

    /** The bound on ε = W·δ of a layer of float weights {@code w} (nIn × nOut). */
    private static double[] eps(float[] w, int[] delta, double[] ed) {
        int n = delta.length;
        int nIn = w.length / n;
        double gamma = n * U / (1 - n * U);
        double[] e = new double[nIn];
        for (int i = 0; i < nIn; i++) {
            double sum = H;
            double floatTerm = 0;
            for (int j = 0, k = i * n; j < n; j++, k++) {
                double d = Math.abs(delta[j] * Q);
                sum += H * d + Math.abs(w[k]) * ed[j];
                floatTerm += Math.abs(w[k]) * (d + ed[j]);
            }
            e[i] = sum + gamma * floatTerm;
        }
        return e;
    }

    /** The bound on a hidden layer's δ from its ε's (see the class comment). */
    private static double[] hidden(KernelActivation act, int[] eps, double[] eEps, int[] fixedA, float[] floatA,
            double[] ea) {
        double[] e = new double[eps.length];
        for (int i = 0; i < e.length; i++) {
            double a = fixedA[i] * Q;
            double t = floatA[i];
            double epsMax = Math.abs(eps[i] * Q) + eEps[i];
            e[i] = switch (act) {
                case IDENTITY -> eEps[i];
                case RELU -> (a > 0) != (t > 0) ? epsMax : a > 0 ? eEps[i] : 0;
                case TANH -> H + eEps[i] * Math.abs(1 - a * a) + epsMax * (ea[i] * (Math.abs(a) + Math.abs(t))
                        + 16 * U);
                case SIGMOID -> H + eEps[i] * Math.abs(a * (1 - a)) + epsMax * (ea[i] * Math.abs(1 - a - t)
                        + 16 * U);
                default -> throw new IllegalArgumentException("no derivative bound for " + act);
            };
        }
        return e;
    }

    private static void accumulate(double[] fixedX, float[] floatX, double[] ex, int[] delta, double[] ed,
            double[] bound, double[] floatTerms) {
        int n = delta.length;
        for (int i = 0; i < fixedX.length; i++) {
            for (int j = 0, k = i * n; j < n; j++, k++) {
                double d = Math.abs(delta[j] * Q);
                bound[k] += ex[i] * d + Math.abs(floatX[i]) * ed[j];
                floatTerms[k] += Math.abs(floatX[i]) * (d + ed[j]);
            }
        }
        for (int j = 0, k = fixedX.length * n; j < n; j++, k++) {
            bound[k] += ed[j];
            floatTerms[k] += Math.abs(delta[j] * Q) + ed[j];
        }
    }

    private static double[] values(int[] words) {
        double[] v = new double[words.length];
        for (int i = 0; i < words.length; i++) {
            v[i] = words[i] * Q;
        }
        return v;
    }
}
