package org.spinnaker4j.mapper.ir;

import java.util.Objects;

/**
 * A layer's gradient normalization: applied to its averaged gradient before the regularization and the updater, as
 * DL4J's {@code BaseMultiLayerUpdater.preApply} does, with DL4J's {@code gradientNormalizationThreshold}.
 *
 * @param type the normalization
 * @param threshold its threshold: finite; 0 with {@link GradientNormalizationType#NONE}
 */
public record GradientNormalizationSpec(GradientNormalizationType type, float threshold) {

    /** No normalization. */
    public static final GradientNormalizationSpec NONE = new GradientNormalizationSpec(GradientNormalizationType.NONE,
            0f);

    public GradientNormalizationSpec {
        Objects.requireNonNull(type, "type");
        if (!Float.isFinite(threshold) || (type == GradientNormalizationType.NONE && threshold != 0f)) {
            throw new IllegalArgumentException("the gradient normalization threshold must be finite, and 0 without a "
                    + "normalization; got " + threshold + " with " + type);
        }
    }
}
