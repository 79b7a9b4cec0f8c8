package org.spinnaker4j.backend.runtime;

import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.BatchNormFold;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * What one core is loaded with: its kernel configuration, weights and bias (empty where unused), and for a batch
 * normalization's block its layer's {@link PoolingSpec} (eps and the statistic DL4J stores, which a fixed-point block
 * needs to fold its parameters; null for every other core).
 */
public record CoreData(KernelConfig config, float[] weights, float[] bias, PoolingSpec norm) {

    /** A core that is not a batch normalization's block. */
    public CoreData(KernelConfig config, float[] weights, float[] bias) {
        this(config, weights, bias, null);
    }

    /**
     * Loads {@code kernel} with this data; a fixed-point config's weights and bias as s16.15 words, a batch
     * normalization's folded first ({@link BatchNormFold}: â in weight row 0, ĉ as the bias).
     */
    public void loadInto(KernelCore kernel) {
        if (!config.fixedPoint()) {
            kernel.load(config, weights, bias);
            return;
        }
        if (norm != null) {
            BatchNormFold.Folded f = BatchNormFold.fold(weights, bias, norm.eps(), norm.logStd(), "batch normalization");
            kernel.loadWords(config, f.weights(), f.bias());
            return;
        }
        kernel.loadWords(config, words(weights, "weights"), words(bias, "bias"));
    }

    private static int[] words(float[] values, String what) {
        return values == null ? null : AccumQuantiser.quantise(values, 1, what).words();
    }
}
