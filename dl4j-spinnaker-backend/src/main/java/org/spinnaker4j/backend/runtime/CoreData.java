package org.spinnaker4j.backend.runtime;

import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCore;

/** What one core is loaded with: its kernel configuration, weights and bias (empty where unused). */
public record CoreData(KernelConfig config, float[] weights, float[] bias) {

    /** Loads {@code kernel} with this data; a fixed-point config's weights and bias as s16.15 words. */
    public void loadInto(KernelCore kernel) {
        if (!config.fixedPoint()) {
            kernel.load(config, weights, bias);
            return;
        }
        kernel.loadWords(config, words(weights, "weights"), words(bias, "bias"));
    }

    private static int[] words(float[] values, String what) {
        return values == null ? null : AccumQuantiser.quantise(values, 1, what).words();
    }
}
