package org.spinnaker4j.backend.runtime;

import org.spinnaker4j.kernels.KernelConfig;

/** What one core is loaded with: its kernel configuration, weights and bias (empty where unused). */
public record CoreData(KernelConfig config, float[] weights, float[] bias) {
}
