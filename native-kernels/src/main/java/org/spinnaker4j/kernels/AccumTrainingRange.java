package org.spinnaker4j.kernels;

import java.math.BigInteger;
import java.util.List;
import java.util.function.Supplier;

/**
 * The guard against a wrapped 64-bit sum in an s16.15 training step (docs/fixed-point.md, "How s16.15 training maps
 * onto the machine", "Overflow"). From what the host knows before a mini-batch (the parameter words, the mini-batch's
 * input and label words, its size, the activations and the loss) it bounds each layer's outputs, then per layer, for
 * any sample and any order of addition, the magnitude of every int64 sum of the backward pass: each row's error
 * Σ_j W_ij δ_j, each weight's gradient sum Σ_s x_i δ_j and each bias's Σ_s δ_j·2^15 (units of 2^-30). It refuses
 * the mini-batch when a bound could pass what the sum's next step needs: 2^63 − 1 for a gradient sum (the updates'
 * 96- and 128-bit products take any int64), 2^63 − 1 − 2^14 for an error sum (the reference's rounding adds half a
 * word's 2^14 to the magnitude).
 *
 * <p>Bounds (words; W = 2^31 bounds any word's magnitude, 1.0 is 2^15):
 * <ul>
 * <li>forward: a layer's input x is bounded by X (the first layer's: its largest input word); its sum for column j
 * by |b_j|·2^15 + Σ_i |W_ij| X, rounded (+ 2^14, / 2^15) and at most W; a relu's or identity's outputs by the
 * largest of these, a tanh's or sigmoid's by 1.0, a softmax's p in [0, 1.0];
 * <li>output δ: softmax + MCXENT |p − y| ≤ max over the labels of max(|y|, |1.0 − y|) (p in [0, 1.0]); identity +
 * MSE |round(2(a − y) / n)| ≤ (4(A + max|y|) + n) / 2n, A the outputs' bound; both at most W (saturated);
 * <li>error of a layer l ≥ 1 at row i: |Σ_j W_ij δ_j| ≤ Σ_j |W_ij| · D_l, its largest row taken; rounded it is at
 * most (that + 2^14) / 2^15 and W;
 * <li>δ below it: relu, identity, tanh (|1 − a²| ≤ 1) at most the error's bound E; sigmoid (a(1 − a) ≤ 1/4)
 * (E + 2) / 4, as the derivative rounds;
 * <li>gradient sums: B · X · D for weights, B · 1.0 · D for biases.
 * </ul>
 */
public final class AccumTrainingRange {

    /** The largest magnitude of a word. */
    public static final long WORD = 1L << 31;
    /** The largest gradient sum that cannot wrap. */
    public static final long GRADIENT_LIMIT = Long.MAX_VALUE;
    /** The largest error sum whose rounding (magnitude plus 2^14) cannot wrap. */
    public static final long ERROR_LIMIT = Long.MAX_VALUE - (1L << (AccumQuantiser.FRACTION_BITS - 1));

    private static final BigInteger HALF = BigInteger.ONE.shiftLeft(AccumQuantiser.FRACTION_BITS - 1);

    private AccumTrainingRange() {
    }

    /**
     * One layer's bounds over a mini-batch: every one is a magnitude none of the layer's values can exceed.
     *
     * @param layer      the layer's index
     * @param input      its input words x (a bias's 1.0 not included)
     * @param delta      its δ words
     * @param errorSum   its error sums W·δ, before their rounding (0 for the first layer, which sends none back)
     * @param weightSums its weights' gradient sums over the mini-batch, units of 2^-30
     * @param biasSums   its biases' gradient sums over the mini-batch, units of 2^-30
     */
    public record LayerRange(int layer, long input, long delta, long errorSum, long weightSums, long biasSums) {
    }

    /**
     * Every layer's bounds, which passed the guard.
     *
     * @param layers per layer, the first layer first
     */
    public record Range(List<LayerRange> layers) {

        /** The least headroom in bits of any sum below its limit: log2(limit / bound), the smallest over the layers. */
        public double headroomBits() {
            double least = Double.POSITIVE_INFINITY;
            for (LayerRange r : layers) {
                least = Math.min(least, bits(GRADIENT_LIMIT, Math.max(r.weightSums(), r.biasSums())));
                if (r.layer() > 0) {
                    least = Math.min(least, bits(ERROR_LIMIT, r.errorSum()));
                }
            }
            return least;
        }

        private static double bits(long limit, long bound) {
            return bound == 0 ? Double.POSITIVE_INFINITY : Math.log((double) limit / bound) / Math.log(2);
        }
    }

    /**
     * The bounds of one mini-batch, or a refusal.
     *
     * @param activations per layer; hidden ones relu, identity, tanh or sigmoid, the last softmax (with MCXENT) or
     *                    identity (with MSE)
     * @param loss        the output layer's loss
     * @param weights     per layer, its weight words (nIn × nOut, row-major)
     * @param biases      per layer, its bias words (nOut of them)
     * @param inputs      the mini-batch's input words, a row per sample (as the first layer receives them)
     * @param labels      its label words, a row per sample
     * @throws ArithmeticException naming the layer, the sum, its bound and what to change, if a sum could wrap
     * @throws IllegalArgumentException if the shapes disagree or an activation or loss has no bound here
     */
    public static Range check(KernelActivation[] activations, LossKind loss, int[][] weights, int[][] biases,
            int[][] inputs, int[][] labels) {
        int layers = activations.length;
        if (layers == 0 || weights.length != layers || biases.length != layers) {
            throw new IllegalArgumentException("Expected activations, weights and biases for each of at least one "
                    + "layer, got " + layers + ", " + weights.length + " and " + biases.length);
        }
        int batch = inputs.length;
        if (batch == 0 || labels.length != batch) {
            throw new IllegalArgumentException("Expected a non-empty mini-batch with a label row per sample, got "
                    + batch + " samples and " + labels.length + " label rows");
        }
        long[] rowAbs = new long[layers];
        int[] widestRow = new int[layers];
        long[] input = new long[layers + 1]; // input[l + 1]: layer l's outputs
        input[0] = maxMagnitude(inputs);
        for (int l = 0; l < layers; l++) {
            int n = biases[l].length;
            if (n < 1 || weights[l].length % n != 0) {
                throw new IllegalArgumentException("layer " + l + ": " + weights[l].length + " weights are not rows of "
                        + n + " biases");
            }
            long[] colAbs = new long[n];
            for (int i = 0, k = 0; i < weights[l].length / n; i++) {
                long sum = 0;
                for (int j = 0; j < n; j++, k++) {
                    long a = Math.abs((long) weights[l][k]);
                    sum += a; // at most 2^31 · 2^31: no wrap in a long
                    colAbs[j] += a;
                }
                if (sum > rowAbs[l]) {
                    rowAbs[l] = sum;
                    widestRow[l] = i;
                }
            }
            input[l + 1] = outputRange(l, activations[l], colAbs, biases[l], input[l]);
        }
        LayerRange[] out = new LayerRange[layers];
        long delta = outputDelta(activations[layers - 1], loss, labels, biases[layers - 1].length, input[layers]);
        for (int l = layers - 1; l >= 0; l--) {
            out[l] = layer(l, batch, input[l], delta, rowAbs[l], widestRow[l]);
            if (l > 0) {
                long error = BigInteger.valueOf(out[l].errorSum()).add(HALF)
                        .shiftRight(AccumQuantiser.FRACTION_BITS).min(BigInteger.valueOf(WORD)).longValueExact();
                delta = hiddenDelta(l - 1, activations[l - 1], error);
            }
        }
        return new Range(List.of(out));
    }

    /** Layer l's bounds from its input's and δ's, its widest row's Σ|W| (row {@code row}); refused past a limit. */
    private static LayerRange layer(int l, int batch, long input, long delta, long rowAbs, int row) {
        BigInteger d = BigInteger.valueOf(delta);
        BigInteger b = BigInteger.valueOf(batch);
        long weightSums = limited(b.multiply(BigInteger.valueOf(input)).multiply(d), GRADIENT_LIMIT, () -> "layer "
                + l + ": the weights' gradient sums Σ x·δ over " + batch + " samples could reach " + batch
                + " × " + input + " (largest |x|) × " + delta + " (largest |δ|)" + beyond(GRADIENT_LIMIT)
                + ": train on mini-batches of at most " + maxBatch(input, delta) + " samples"
                + (l > 0 ? ", or bound the layer's inputs (a tanh or sigmoid below it)" : ", or scale the inputs"));
        long biasSums = limited(b.multiply(BigInteger.valueOf(AccumQuantiser.ONE)).multiply(d), GRADIENT_LIMIT,
                () -> "layer " + l + ": the biases' gradient sums Σ δ over " + batch + " samples could reach "
                        + batch + " × 2^15 × " + delta + " (largest |δ|)" + beyond(GRADIENT_LIMIT)
                        + ": train on mini-batches of at most " + maxBatch(AccumQuantiser.ONE, delta) + " samples");
        long errorSum = l == 0 ? 0 : limited(BigInteger.valueOf(rowAbs).multiply(d), ERROR_LIMIT, () -> "layer " + l
                + ": the error sum W·δ of row " + row + " could reach " + rowAbs + " (Σ_j |W_ij|) × " + delta
                + " (largest |δ|)" + beyond(ERROR_LIMIT) + ", which its rounding needs: use smaller weights or a "
                + "loss with smaller errors (labels nearer the outputs' range)");
        return new LayerRange(l, input, delta, errorSum, weightSums, biasSums);
    }

    /** The output δ's bound. */
    private static long outputDelta(KernelActivation act, LossKind loss, int[][] labels, int n, long outputs) {
        long bound;
        if (act == KernelActivation.SOFTMAX && loss == LossKind.MCXENT) {
            bound = 0;
            for (int[] row : labels) {
                for (int y : row) {
                    bound = Math.max(bound, Math.max(Math.abs((long) y), Math.abs(AccumQuantiser.ONE - (long) y)));
                }
            }
        } else if (act == KernelActivation.IDENTITY && loss == LossKind.MSE) {
            bound = (4 * (outputs + maxMagnitude(labels)) + n) / (2L * n);
        } else {
            throw new IllegalArgumentException("the output layer: no δ bound for " + act + " with " + loss
                    + " (softmax with MCXENT, identity with MSE)");
        }
        return Math.min(WORD, bound);
    }

    /** The bound of the δ of hidden layer l with activation {@code act}, from its error's bound. */
    private static long hiddenDelta(int l, KernelActivation act, long error) {
        return switch (act) {
            case RELU, IDENTITY, TANH -> error;
            case SIGMOID -> (error + 2) >> 2;
            default -> throw new IllegalArgumentException("layer " + l + ": no δ bound for a hidden " + act
                    + " (relu, identity, tanh, sigmoid)");
        };
    }

    /**
     * The bound of layer l's output words from its columns' Σ_i |W_ij| ({@code colAbs}), its biases and its inputs'
     * bound: a relu's or identity's the largest rounded sum's (at most a word's), a tanh's, sigmoid's or softmax's 1.0.
     */
    private static long outputRange(int l, KernelActivation act, long[] colAbs, int[] biases, long input) {
        return switch (act) {
            case TANH, SIGMOID, SOFTMAX -> AccumQuantiser.ONE;
            case RELU, IDENTITY -> {
                BigInteger largest = BigInteger.ZERO;
                for (int j = 0; j < colAbs.length; j++) {
                    largest = largest.max(BigInteger.valueOf(colAbs[j]).multiply(BigInteger.valueOf(input))
                            .add(BigInteger.valueOf(Math.abs((long) biases[j]) << AccumQuantiser.FRACTION_BITS)));
                }
                yield largest.add(HALF).shiftRight(AccumQuantiser.FRACTION_BITS).min(BigInteger.valueOf(WORD))
                        .longValueExact();
            }
            default -> throw new IllegalArgumentException("layer " + l + ": no output bound for " + act
                    + " (relu, identity, tanh, sigmoid; softmax at the output)");
        };
    }

    private static long limited(BigInteger bound, long limit, Supplier<String> refusal) {
        if (bound.compareTo(BigInteger.valueOf(limit)) > 0) {
            throw new ArithmeticException(refusal.get());
        }
        return bound.longValueExact();
    }

    private static long maxMagnitude(int[][] rows) {
        long max = 0;
        for (int[] row : rows) {
            max = Math.max(max, AccumQuantiser.maxMagnitude(row));
        }
        return max;
    }

    private static String beyond(long limit) {
        return limit == GRADIENT_LIMIT ? ", beyond 2^63 − 1" : ", beyond 2^63 − 1 − 2^14";
    }

    /** The largest batch whose sums of x·δ (|x| ≤ x, |δ| ≤ delta) stay within a gradient sum's limit. */
    private static long maxBatch(long x, long delta) {
        return x == 0 || delta == 0 ? Long.MAX_VALUE : GRADIENT_LIMIT / x / delta;
    }
}
