package org.spinnaker4j.kernels;

/**
 * DL4J's gradient normalization as a training core applies it to the gradient it owns (DL4J's
 * {@code BaseMultiLayerUpdater.preApply}: after the division by the mini-batch size, before the regularization and
 * the updater); {@link #code()} is the C value.
 */
public enum GradientNormalizationKind {
    /** No normalization. */
    NONE,
    /** DL4J's {@code ClipElementWiseAbsoluteValue}: each gradient value clipped to {@code [-threshold, threshold]}. */
    CLIP_ELEMENT_WISE,
    /** DL4J's {@code RenormalizeL2PerLayer}: the layer's gradient divided by its L2 norm (1e-5 if 0). */
    RENORM_L2_PER_LAYER,
    /** DL4J's {@code RenormalizeL2PerParamType}: the weights' and the bias' gradients each divided by its L2 norm. */
    RENORM_L2_PER_PARAM_TYPE,
    /** DL4J's {@code ClipL2PerLayer}: the layer's gradient times {@code threshold / norm} where its norm is above. */
    CLIP_L2_PER_LAYER,
    /** DL4J's {@code ClipL2PerParamType}: the weights' and the bias' gradients each clipped so, by its own norm. */
    CLIP_L2_PER_PARAM_TYPE;

    /** Whether it needs the L2 norm of the layer's whole gradient, which the layer's cores exchange in packets. */
    public boolean needsNorm() {
        return normKeys() > 0;
    }

    /**
     * The keys (packets) of one core's partial sums of squares: 1 (the layer's) per layer, 2 (the weights', then the
     * bias') per param type, 0 without an L2 norm.
     */
    public int normKeys() {
        return switch (this) {
            case NONE, CLIP_ELEMENT_WISE -> 0;
            case RENORM_L2_PER_LAYER, CLIP_L2_PER_LAYER -> 1;
            case RENORM_L2_PER_PARAM_TYPE, CLIP_L2_PER_PARAM_TYPE -> 2;
        };
    }

    /** The numeric code of this normalization in the C kernels. */
    public int code() {
        return switch (this) {
            case NONE -> KernelAbi.GRAD_NORM_NONE;
            case CLIP_ELEMENT_WISE -> KernelAbi.GRAD_NORM_CLIP_ELEMENT_WISE;
            case RENORM_L2_PER_LAYER -> KernelAbi.GRAD_NORM_RENORM_L2_PER_LAYER;
            case RENORM_L2_PER_PARAM_TYPE -> KernelAbi.GRAD_NORM_RENORM_L2_PER_PARAM_TYPE;
            case CLIP_L2_PER_LAYER -> KernelAbi.GRAD_NORM_CLIP_L2_PER_LAYER;
            case CLIP_L2_PER_PARAM_TYPE -> KernelAbi.GRAD_NORM_CLIP_L2_PER_PARAM_TYPE;
        };
    }
}
