package org.spinnaker4j.kernels;

import java.util.Objects;

/**
 * How a training core normalizes the gradient of its parameters before the regularization and the updater (DL4J's
 * {@code GradientNormalization} with its {@code gradientNormalizationThreshold}).
 *
 * @param kind the normalization
 * @param threshold its threshold: finite; 0 with {@link GradientNormalizationKind#NONE}
 */
public record GradientNormalizationConfig(GradientNormalizationKind kind, float threshold) {

    /** No normalization. */
    public static final GradientNormalizationConfig NONE =
            new GradientNormalizationConfig(GradientNormalizationKind.NONE, 0f);

    /** Validates the threshold. */
    public GradientNormalizationConfig {
        Objects.requireNonNull(kind, "kind");
        if (!Float.isFinite(threshold) || (kind == GradientNormalizationKind.NONE && threshold != 0f)) {
            throw new IllegalArgumentException("the gradient normalization threshold must be finite, and 0 without a "
                    + "normalization; got " + threshold + " with " + kind);
        }
    }

    /** Whether the gradient is left as it is. */
    public boolean isNone() {
        return kind == GradientNormalizationKind.NONE;
    }

    @Override
    public String toString() {
        return isNone() ? "none" : kind + " threshold=" + threshold;
    }
}
