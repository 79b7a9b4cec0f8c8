package org.spinnaker4j.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumUpdate;
import org.spinnaker4j.kernels.AccumUpdate.AdamConstants;
import org.spinnaker4j.kernels.AccumUpdate.AdamStep;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;
import org.spinnaker4j.kernels.AccumUpdate.Scale;
import org.spinnaker4j.kernels.KernelActivation;

/**
 * Mini-batch training of a DenseLayer/OutputLayer network in s16.15, defined bit for bit with integers only, so that
 * a kernel can later compute the same bits (docs/fixed-point.md, "Training in s16.15"). Parameters are s16.15 words
 * (DL4J's initial ones quantised as {@link AccumReference} does). Per mini-batch:
 * <ul>
 * <li>forward: {@link AccumReference#denseWords}, each layer's input words kept per sample;
 * <li>output delta: softmax + MCXENT p − y exactly; identity + MSE 2(a − y) / nOut (DL4J's LossMSE) rounded once;
 * <li>backward: ε = W·δ summed exactly in 64 bits and rounded once; relu and identity pass it or 0 exactly; tanh
 * multiplies it by 1 − a², sigmoid by a(1 − a), both exact in Q30, the product rounded once;
 * <li>gradients: G = Σ over the mini-batch of x·δ (a bias's x being 1), exact in units of 2^-30;
 * <li>update: Sgd or Adam (the network's updater, without schedules), the parameter's step rounded once to s16.15 by
 * {@link Rounding#NEAREST} or {@link Rounding#STOCHASTIC}, the parameter saturated and counted ({@link AccumUpdate}).
 * </ul>
 * Host constants (a learning rate over the batch size, Adam's bias-corrected rate) are {@link Scale}s: a 31-bit
 * mantissa and a shift. Adam's m is an int32 in units of 2^-30 (|m| &lt; 2, the mean gradient clipped to it, counted),
 * v an int64 in units of 2^-60, epsilon a whole number of 2^-30.
 */
final class AccumTrainingReference {

    /** What a loss the reference computes for its output layer. */
    private enum Loss {
        SOFTMAX_MCXENT, IDENTITY_MSE
    }

    private final int layers;
    private final int[] nIn;
    private final int[] nOut;
    private final KernelActivation[] activations;
    private final Loss loss;
    private final IUpdater updater;
    private final Rounding rounding;
    private final int seed;
    /** Per layer, words: weights (nIn × nOut, row-major) and biases; parameter k ≥ nIn·nOut is bias k − nIn·nOut. */
    private final int[][] weights;
    private final int[][] biases;
    /** Adam's state per layer and parameter (null for Sgd): m in units of 2^-30, v in units of 2^-60. */
    private final int[][] adamM;
    private final long[][] adamV;
    private int iteration;
    private final Counts counts;

    /**
     * The reference of {@code net}'s architecture and updater, starting from its current parameters quantised.
     *
     * @throws IllegalArgumentException naming the layer for anything it does not compute
     */
    AccumTrainingReference(MultiLayerNetwork net, Rounding rounding, int seed) {
        this.rounding = rounding;
        this.seed = seed;
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        layers = net.getnLayers();
        nIn = new int[layers];
        nOut = new int[layers];
        activations = new KernelActivation[layers];
        weights = new int[layers][];
        biases = new int[layers][];
        counts = new Counts(layers);
        IUpdater first = null;
        Loss lossKind = null;
        for (int l = 0; l < layers; l++) {
            Layer layer = conf.getConf(l).getLayer();
            boolean last = l == layers - 1;
            if (layer.getClass() != (last ? OutputLayer.class : DenseLayer.class)) {
                throw new IllegalArgumentException("layer " + l + ": the training reference computes DenseLayers "
                        + "then one OutputLayer, got " + layer.getClass().getSimpleName());
            }
            BaseLayer base = (BaseLayer) layer;
            requirePlain(l, base);
            activations[l] = AccumReference.activation(l, base);
            if (last) {
                lossKind = lossOf(l, (OutputLayer) layer, activations[l]);
            } else if (activations[l] == KernelActivation.SOFTMAX) {
                throw new IllegalArgumentException("layer " + l + ": a hidden softmax has no derivative here");
            }
            IUpdater u = base.getIUpdater();
            if (first != null && !first.equals(u)) {
                throw new IllegalArgumentException("layer " + l + ": every layer must have the same updater, got "
                        + first + " and " + u);
            }
            first = u;
            float[] w = AccumReference.parameter(net, l, "W");
            float[] b = AccumReference.parameter(net, l, "b");
            nOut[l] = b.length;
            nIn[l] = w.length / b.length;
            AccumQuantiser.Quantised qw = AccumQuantiser.quantise(w, nOut[l], "layer " + l + " W");
            AccumQuantiser.Quantised qb = AccumQuantiser.quantise(b, nOut[l], "layer " + l + " b");
            weights[l] = qw.words();
            biases[l] = qb.words();
            counts.parameterSaturations += qw.saturations() + qb.saturations();
        }
        loss = lossKind;
        updater = requireUpdater(first);
        boolean adam = updater instanceof Adam;
        adamM = adam ? new int[layers][] : null;
        adamV = adam ? new long[layers][] : null;
        for (int l = 0; adam && l < layers; l++) {
            adamM[l] = new int[parameterCount(l)];
            adamV[l] = new long[parameterCount(l)];
        }
    }

    private static void requirePlain(int l, BaseLayer layer) {
        if (!layer.getRegularization().isEmpty() || !layer.getRegularizationBias().isEmpty()
                || layer.getIDropout() != null || (layer.getGradientNormalization() != null
                && layer.getGradientNormalization() != GradientNormalization.None)) {
            throw new IllegalArgumentException("layer " + l + ": the training reference computes no regularization, "
                    + "dropout or gradient normalization, got " + layer);
        }
    }

    private static Loss lossOf(int l, OutputLayer layer, KernelActivation act) {
        ILossFunction fn = layer.getLossFn();
        if (fn.getClass() == LossMCXENT.class && act == KernelActivation.SOFTMAX
                && ((LossMCXENT) fn).getWeights() == null) {
            return Loss.SOFTMAX_MCXENT;
        }
        if (fn.getClass() == LossMSE.class && act == KernelActivation.IDENTITY && ((LossMSE) fn).getWeights() == null) {
            return Loss.IDENTITY_MSE;
        }
        throw new IllegalArgumentException("layer " + l + ": the training reference computes softmax with MCXENT or "
                + "identity with MSE (unweighted), got " + act + " with " + fn);
    }

    private static IUpdater requireUpdater(IUpdater u) {
        if (u instanceof Sgd s && s.getLearningRateSchedule() == null) {
            return u;
        }
        if (u instanceof Adam a && a.getLearningRateSchedule() == null) {
            return u;
        }
        throw new IllegalArgumentException("the training reference updates with Sgd or Adam at a fixed learning "
                + "rate, got " + u);
    }

    /** The exact gradient sums of one mini-batch (units of 2^-30) per layer, weights then biases, and its loss. */
    record Gradient(long[][] sums, double loss) {
    }

    /**
     * The exact gradient of the mini-batch {@code x} (rows are samples) with {@code labels}: per layer the sums over
     * the samples of x·δ (weights, row-major nIn × nOut) then of δ (biases), in units of 2^-30; and the mean loss of
     * the fixed-point outputs (MCXENT with p clipped at 1e-10, or MSE), in double, for monitoring only.
     *
     * @throws ArithmeticException if a 64-bit sum could overflow
     */
    Gradient gradient(float[][] x, float[][] labels) {
        if (x.length != labels.length || x.length == 0) {
            throw new IllegalArgumentException("Expected a non-empty mini-batch with a label row per sample, got "
                    + x.length + " samples and " + labels.length + " label rows");
        }
        long[][] g = new long[layers][];
        for (int l = 0; l < layers; l++) {
            g[l] = new long[parameterCount(l)];
        }
        double lossSum = 0;
        int batch = x.length;
        for (int s = 0; s < batch; s++) {
            AccumQuantiser.Quantised in = AccumQuantiser.quantise(x[s], nIn[0], "sample " + s);
            AccumQuantiser.Quantised y = AccumQuantiser.quantise(labels[s], nOut[layers - 1], "labels " + s);
            counts.inputSaturations += in.saturations() + y.saturations();
            Sample one = backprop(in.words(), y.words());
            lossSum += one.loss();
            for (int l = 0; l < layers; l++) {
                accumulate(l, s, batch, one.activations().get(l), one.deltas()[l], g[l]);
            }
        }
        return new Gradient(g, lossSum / batch);
    }

    /**
     * One sample's words through the network and back: {@code activations} as {@link #forward}; per layer l its
     * δ = dL/dz, and for l ≥ 1 {@code eps[l]} = W_l·δ_l rounded (the error at layer l − 1's outputs before its
     * derivative; {@code eps[0]} is null); the sample's loss in double.
     */
    record Sample(List<int[]> activations, int[][] eps, int[][] deltas, double loss) {
    }

    /** {@link Sample} of one quantised input and its quantised labels. */
    Sample backprop(int[] input, int[] labels) {
        if (labels.length != nOut[layers - 1]) {
            throw new IllegalArgumentException("Expected " + nOut[layers - 1] + " labels, got " + labels.length);
        }
        List<int[]> acts = forward(input);
        int[] out = acts.get(layers);
        int[][] eps = new int[layers][];
        int[][] deltas = new int[layers][];
        deltas[layers - 1] = outputDelta(out, labels);
        for (int l = layers - 1; l > 0; l--) {
            eps[l] = backward(l, deltas[l]);
            int[] a = acts.get(l);
            KernelActivation act = activations[l - 1];
            deltas[l - 1] = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                deltas[l - 1][i] = derivative(act, eps[l][i], a[i]);
            }
        }
        return new Sample(acts, eps, deltas, loss(out, labels));
    }

    /** One mini-batch: {@link #gradient}, then every parameter updated; returns the gradient. */
    Gradient fit(float[][] x, float[][] labels) {
        Gradient g = gradient(x, labels);
        update(g.sums(), x.length);
        return g;
    }

    /** Every layer's activations (words) of one quantised sample, the input first. */
    List<int[]> forward(int[] input) {
        if (input.length != nIn[0]) {
            throw new IllegalArgumentException("Expected " + nIn[0] + " input words, got " + input.length);
        }
        List<int[]> acts = new ArrayList<>(layers + 1);
        acts.add(input);
        int[] a = input;
        for (int l = 0; l < layers; l++) {
            a = AccumReference.denseWords(l, a, weights[l], biases[l], activations[l], counts.sumSaturations);
            acts.add(a);
        }
        return acts;
    }

    /** The output layer's δ = dL/dz of one sample, words: p − y exactly, or 2(a − y) / nOut rounded once. */
    private int[] outputDelta(int[] out, int[] y) {
        int[] delta = new int[out.length];
        for (int j = 0; j < out.length; j++) {
            long d = (long) out[j] - y[j];
            delta[j] = switch (loss) {
                case SOFTMAX_MCXENT -> saturated(d);
                case IDENTITY_MSE -> saturated(divideRounded(2 * d, out.length));
            };
        }
        return delta;
    }

    /** n / d rounded to nearest, ties away from zero (d &gt; 0, |n| &lt; 2^62). */
    static long divideRounded(long n, long d) {
        long q = (2 * Math.abs(n) + d) / (2 * d);
        return n < 0 ? -q : q;
    }

    private double loss(int[] out, int[] y) {
        double sum = 0;
        for (int j = 0; j < out.length; j++) {
            double a = out[j] / (double) AccumQuantiser.ONE;
            double t = y[j] / (double) AccumQuantiser.ONE;
            sum += loss == Loss.SOFTMAX_MCXENT ? -t * Math.log(Math.max(a, 1e-10)) : (a - t) * (a - t) / out.length;
        }
        return sum;
    }

    /** Adds x·δ (units 2^-30) to the weights' sums and δ·2^15 to the biases'. */
    private static void accumulate(int l, int sample, int batch, int[] x, int[] delta, long[] g) {
        long maxX = Math.max(AccumQuantiser.ONE, AccumQuantiser.maxMagnitude(x)); // a bias's x is 1.0
        long maxD = AccumQuantiser.maxMagnitude(delta);
        if ((double) maxX * maxD * batch >= 0x1p63) {
            throw new ArithmeticException("layer " + l + " sample " + sample + ": the gradient sums over " + batch
                    + " samples could overflow 64 bits (largest input word " + maxX + ", delta word " + maxD + ")");
        }
        int n = delta.length;
        for (int i = 0; i < x.length; i++) {
            long xi = x[i];
            if (xi != 0) {
                for (int j = 0, k = i * n; j < n; j++, k++) {
                    g[k] += xi * delta[j];
                }
            }
        }
        for (int j = 0, k = x.length * n; j < n; j++, k++) {
            g[k] += (long) delta[j] << AccumQuantiser.FRACTION_BITS;
        }
    }

    /** ε_i = Σ_j W_ij δ_j of layer l's δ, exact in 64 bits, rounded once (saturated, counted). */
    private int[] backward(int l, int[] delta) {
        int n = nOut[l];
        int[] w = weights[l];
        long maxW = AccumQuantiser.maxMagnitude(w);
        long maxD = AccumQuantiser.maxMagnitude(delta);
        if ((double) maxW * maxD * n >= 0x1p63) {
            throw new ArithmeticException("layer " + l + ": W·delta could overflow 64 bits");
        }
        int[] eps = new int[nIn[l]];
        for (int i = 0; i < eps.length; i++) {
            long sum = 0;
            for (int j = 0, k = i * n; j < n; j++, k++) {
                sum += (long) w[k] * delta[j];
            }
            long e = AccumQuantiser.roundSum(sum);
            if (AccumQuantiser.saturates(e)) {
                counts.backwardSaturations++;
            }
            eps[i] = AccumQuantiser.saturate(e);
        }
        return eps;
    }

    /** ε times the derivative of {@code act} at its output word {@code a}: exact, or rounded once from Q45. */
    static int derivative(KernelActivation act, int eps, int a) {
        long one = AccumQuantiser.ONE;
        return switch (act) {
            case IDENTITY -> eps;
            case RELU -> a > 0 ? eps : 0;
            // 1 − a² and a(1 − a) are exact in Q30; ε (Q15) times them is Q45, rounded once; |a| ≤ 1, so no overflow
            case TANH -> (int) AccumUpdate.roundShift(eps * (one * one - (long) a * a), 30);
            case SIGMOID -> (int) AccumUpdate.roundShift(eps * ((long) a * (one - a)), 30);
            default -> throw new IllegalArgumentException("the training reference has no derivative of " + act);
        };
    }

    private int saturated(long v) {
        if (AccumQuantiser.saturates(v)) {
            counts.backwardSaturations++;
        }
        return AccumQuantiser.saturate(v);
    }

    /** Updates every parameter from the mini-batch's gradient sums {@code g} over {@code batch} samples. */
    void update(long[][] g, int batch) {
        if (updater instanceof Sgd sgd) {
            Scale c = AccumUpdate.sgdConstant(sgd.getLearningRate(), batch);
            for (int l = 0; l < layers; l++) {
                for (int k = 0; k < parameterCount(l); k++) {
                    long gk = g[l][k];
                    apply(l, k, gk, AccumUpdate.sgdStep(gk, c, AccumUpdate.random(seed, l, k, iteration), rounding));
                }
            }
        } else {
            Adam a = (Adam) updater;
            AdamConstants c = AccumUpdate.AdamConstants.of(a.getLearningRate(), a.getBeta1(), a.getBeta2(),
                    a.getEpsilon(), batch, iteration + 1);
            for (int l = 0; l < layers; l++) {
                int[] m = adamM[l];
                long[] v = adamV[l];
                for (int k = 0; k < parameterCount(l); k++) {
                    long gk = g[l][k];
                    AdamStep s = AccumUpdate.adamStep(gk, m[k], v[k], c, AccumUpdate.random(seed, l, k, iteration),
                            rounding);
                    if (s.clipped()) {
                        counts.gradientClips++;
                    }
                    m[k] = s.m();
                    v[k] = s.v();
                    apply(l, k, gk, s.step());
                }
            }
        }
        iteration++;
    }

    /** Parameter k of layer l minus {@code step}, saturated and counted; a step of 0 for a non-zero gradient counted. */
    private void apply(int l, int k, long gradient, long step) {
        if (gradient != 0) {
            counts.nonZeroGradients++;
            if (step == 0) {
                counts.stepsRoundedToZero++;
            }
        }
        int[] words = k < weights[l].length ? weights[l] : biases[l];
        int i = k < weights[l].length ? k : k - weights[l].length;
        long p = AccumUpdate.subtract(words[i], step);
        if (AccumQuantiser.saturates(p)) {
            counts.parameterSaturations++;
        }
        words[i] = AccumQuantiser.saturate(p);
    }

    /** Layer {@code l}'s weights and biases. */
    private int parameterCount(int l) {
        return weights[l].length + biases[l].length;
    }

    /** Layer {@code l}'s weight words (nIn × nOut, row-major; a copy). */
    int[] weights(int l) {
        return weights[l].clone();
    }

    /** Layer {@code l}'s bias words (a copy). */
    int[] biases(int l) {
        return biases[l].clone();
    }

    /** The class the fixed-point network gives {@code x}: the argmax of its output words (first on a tie). */
    int classify(float[] x) {
        AccumQuantiser.Quantised in = AccumQuantiser.quantise(x, nIn[0], "sample");
        int[] out = forward(in.words()).get(layers);
        int best = 0;
        for (int j = 1; j < out.length; j++) {
            if (out[j] > out[best]) {
                best = j;
            }
        }
        return best;
    }

    /** Mini-batches updated so far. */
    int iterations() {
        return iteration;
    }

    /** What the training has counted so far (a copy). */
    Counts counts() {
        return counts.copy();
    }

    /** Counts over the training so far. */
    static final class Counts {
        /** Parameter words saturated: when quantised and when updated. */
        long parameterSaturations;
        /** Inputs and labels saturated when quantised. */
        long inputSaturations;
        /** Forward sums saturated when rounded, per layer. */
        long[] sumSaturations;
        /** Backward ε and δ words saturated. */
        long backwardSaturations;
        /** Adam: mean gradients clipped to m's range (|g| &lt; 2). */
        long gradientClips;
        /** Parameter updates with a non-zero gradient sum. */
        long nonZeroGradients;
        /** Of those, steps rounded to 0 (the parameter unchanged). */
        long stepsRoundedToZero;

        Counts(int layers) {
            sumSaturations = new long[layers];
        }

        Counts copy() {
            Counts c = new Counts(sumSaturations.length);
            c.parameterSaturations = parameterSaturations;
            c.inputSaturations = inputSaturations;
            c.sumSaturations = sumSaturations.clone();
            c.backwardSaturations = backwardSaturations;
            c.gradientClips = gradientClips;
            c.nonZeroGradients = nonZeroGradients;
            c.stepsRoundedToZero = stepsRoundedToZero;
            return c;
        }

        long forwardSaturations() {
            return Arrays.stream(sumSaturations).sum();
        }

        @Override
        public String toString() {
            return String.format("parameters saturated %d, inputs %d, forward sums %d, backward words %d, "
                    + "gradients clipped %d, steps rounded to 0: %d of %d (%.2f %%)", parameterSaturations,
                    inputSaturations, forwardSaturations(), backwardSaturations, gradientClips, stepsRoundedToZero,
                    nonZeroGradients, nonZeroGradients == 0 ? 0.0 : 100.0 * stepsRoundedToZero / nonZeroGradients);
        }
    }
}
