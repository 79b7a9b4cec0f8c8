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
    CLIP_ELEMENT_WISE;

    /** The numeric code of this normalization in the C kernels. */
    public int code() {
        return switch (this) {
            case NONE -> KernelAbi.GRAD_NORM_NONE;
            case CLIP_ELEMENT_WISE -> KernelAbi.GRAD_NORM_CLIP_ELEMENT_WISE;
        };
    }
}
