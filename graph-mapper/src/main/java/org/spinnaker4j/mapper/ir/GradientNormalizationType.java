package org.spinnaker4j.mapper.ir;

/** The kinds of DL4J's {@code GradientNormalization} the cores apply. */
public enum GradientNormalizationType {
    /** The gradient is left as it is. */
    NONE,
    /** DL4J's {@code ClipElementWiseAbsoluteValue}: each value of the averaged gradient clipped to ±threshold. */
    CLIP_ELEMENT_WISE_ABSOLUTE_VALUE,
    /** DL4J's {@code RenormalizeL2PerLayer}: the layer's gradient divided by its L2 norm. */
    RENORMALIZE_L2_PER_LAYER,
    /** DL4J's {@code RenormalizeL2PerParamType}: the weights' and the bias' gradients each divided by its L2 norm. */
    RENORMALIZE_L2_PER_PARAM_TYPE,
    /** DL4J's {@code ClipL2PerLayer}: the layer's gradient scaled down to L2 norm threshold where it is above. */
    CLIP_L2_PER_LAYER,
    /** DL4J's {@code ClipL2PerParamType}: the weights' and the bias' gradients each scaled down so. */
    CLIP_L2_PER_PARAM_TYPE;

    /**
     * The partial sums of squares each parameter-owning core of the layer sends the others: 1 (its share of the
     * layer's) per layer, 2 (the weights', the bias') per param type, 0 for the modes without an L2 norm.
     */
    public int normKeys() {
        return switch (this) {
            case NONE, CLIP_ELEMENT_WISE_ABSOLUTE_VALUE -> 0;
            case RENORMALIZE_L2_PER_LAYER, CLIP_L2_PER_LAYER -> 1;
            case RENORMALIZE_L2_PER_PARAM_TYPE, CLIP_L2_PER_PARAM_TYPE -> 2;
        };
    }
}
