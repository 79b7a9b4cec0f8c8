package org.spinnaker4j.backend.runtime;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumQuantiser.Quantised;
import org.spinnaker4j.kernels.BatchNormFold;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * The host's side of a fixed-point network's runs (docs/fixed-point.md): at load, each layer's weights and biases
 * quantised and their saturations counted and logged, and the 64-bit sums checked against overflow; per run, the
 * samples quantised (a NaN refused before any kernel runs), their saturations counted, and the sums the kernels
 * saturated when rounding them reported per layer. A batch normalization's parameters are counted as its blocks are
 * loaded with them, folded to a = gamma / sqrt(var + eps) and c = beta - mean a ({@link BatchNormFold}): its sums are
 * one product x a + c 2^15, fan-in 1.
 *
 * <p>Layers are numbered as mapped ("mapped layer l"): a configuration's DropoutLayer has no layer on the machine
 * ({@code Dl4jFrontEnd.irLayers} maps the configuration's indices to these).
 *
 * <p>Overflow: a layer's sum is Σ x̂ ŵ + b̂ 2^15 in 64 bits, so it is safe while fan-in × max|x̂| × max|ŵ| + max|b̂| ×
 * 2^15 stays below 2^63; a convolution's fan-in is its kernel's (kH·kW·channels in), not its whole input. Layer 0's inputs are known per run and checked then; a later layer's inputs are the words
 * its previous layer sent, bounded here by 2^31 (any word), the loosest bound, checked at load.
 */
public final class FixedPointRun {

    private static final Logger LOG = LoggerFactory.getLogger(FixedPointRun.class);
    private static final double LIMIT = 0x1p63;
    private static final double ANY_WORD = 0x1p31;

    private final long[] parameterSaturations;
    private final long[] maxWeight;
    private final long[] maxBias;
    private final int[] fanIn;
    private final long[] sumsBefore;
    private long inputSaturations;

    /**
     * Quantises {@code parameters} (one per layer of {@code network}), logging one WARN per layer that saturated.
     *
     * @throws IllegalArgumentException if a parameter is NaN, or a layer after the first could overflow its sums
     */
    public FixedPointRun(NetworkSpec network, List<DenseParameters> parameters) {
        int n = parameters.size();
        parameterSaturations = new long[n];
        maxWeight = new long[n];
        maxBias = new long[n];
        fanIn = new int[n];
        sumsBefore = new long[n];
        for (int l = 0; l < n; l++) {
            DenseParameters p = parameters.get(l);
            DenseLayerSpec layer = network.layers().get(l);
            PoolingSpec pooling = layer.pooling();
            int[] weights;
            int[] bias;
            double largest;
            if (layer.isBatchNorm()) {
                // folded as its blocks are (CoreData): one product x a + c 2^15 per output
                BatchNormFold.Folded f = BatchNormFold.fold(p.weights(), p.bias(), pooling.eps(), pooling.logStd(),
                        "mapped layer " + l + " batch normalization");
                weights = f.weights();
                bias = f.bias();
                parameterSaturations[l] = f.saturations();
                largest = f.largestSaturated();
                fanIn[l] = 1;
            } else {
                Quantised w = AccumQuantiser.quantise(p.weights(), p.nOut(), "mapped layer " + l + " W");
                Quantised b = AccumQuantiser.quantise(p.bias(), p.nOut(), "mapped layer " + l + " b");
                weights = w.words();
                bias = b.words();
                parameterSaturations[l] = w.saturations() + b.saturations();
                largest = Math.max(w.largestSaturated(), b.largestSaturated());
                fanIn[l] = layer.fanIn();
            }
            if (parameterSaturations[l] > 0) {
                LOG.warn("s16.15: mapped layer {}: {} {} saturated on load, the largest magnitude {}", l,
                        parameterSaturations[l], layer.isBatchNorm()
                                ? "folded batch normalization parameters (a, c)" : "weights and biases", largest);
            }
            maxWeight[l] = AccumQuantiser.maxMagnitude(weights);
            maxBias[l] = AccumQuantiser.maxMagnitude(bias);
            if (l > 0) {
                requireNoOverflow(l, ANY_WORD, "any s16.15 word from layer " + (l - 1));
            }
        }
    }

    /**
     * The samples as words, their saturations counted (one WARN if any) and layer 0's sums checked against overflow.
     *
     * @throws IllegalArgumentException naming the sample and column of a NaN, or if layer 0 could overflow
     */
    public int[][] quantiseInputs(float[][] samples) {
        int[][] words = new int[samples.length][];
        long saturations = 0;
        double largest = 0;
        long maxInput = 0;
        for (int s = 0; s < samples.length; s++) {
            Quantised q = AccumQuantiser.quantise(samples[s], samples[s].length, "sample " + s + " input");
            words[s] = q.words();
            saturations += q.saturations();
            largest = Math.max(largest, q.largestSaturated());
            maxInput = Math.max(maxInput, AccumQuantiser.maxMagnitude(q.words()));
        }
        if (saturations > 0) {
            LOG.warn("s16.15: input: {} values saturated, the largest magnitude {}", saturations, largest);
        }
        requireNoOverflow(0, maxInput, "these samples' largest input word");
        inputSaturations = saturations;
        return words;
    }

    /**
     * The run's saturations, given every layer's saturated sums as its kernels count them since load (one WARN per
     * layer that saturated in this run) and, after a training run, every layer's update steps ({@code steps}, empty
     * otherwise: one WARN per layer whose steps saturated a parameter or clipped a mean gradient).
     */
    public RunStats.Saturations finish(long[] sumsSinceLoad, List<RunStats.Steps> steps) {
        long[] sums = new long[sumsSinceLoad.length];
        for (int l = 0; l < sums.length; l++) {
            sums[l] = sumsSinceLoad[l] - sumsBefore[l];
            sumsBefore[l] = sumsSinceLoad[l];
            if (sums[l] > 0) {
                LOG.warn("s16.15: mapped layer {}: {} sums saturated when rounded to s16.15", l, sums[l]);
            }
        }
        for (int l = 0; l < steps.size(); l++) {
            RunStats.Steps s = steps.get(l);
            if (s.saturated() > 0 || s.clipped() > 0) {
                LOG.warn("s16.15: mapped layer {}: the update saturated {} parameters and clipped {} mean gradients", l,
                        s.saturated(), s.clipped());
            }
        }
        return new RunStats.Saturations(parameterSaturations.clone(), inputSaturations, sums, steps);
    }

    private void requireNoOverflow(int layer, double maxInput, String inputs) {
        double bound = (double) fanIn[layer] * maxInput * maxWeight[layer] + (double) maxBias[layer] * (1 << 15);
        if (bound >= LIMIT) {
            throw new IllegalArgumentException(String.format("s16.15: mapped layer %d's 64-bit sums could overflow: fan-in "
                    + "%d x max|x| %.0f (%s) x max|w| %d + max|b| %d x 2^15 reaches %.3g >= 2^63 (in units of 2^-30); "
                    + "scale the layer's weights or inputs down, or use Arithmetic.FLOAT32", layer, fanIn[layer],
                    maxInput, inputs, maxWeight[layer], maxBias[layer], bound));
        }
    }
}
