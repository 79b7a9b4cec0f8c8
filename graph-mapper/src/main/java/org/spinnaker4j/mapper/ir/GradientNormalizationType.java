package org.spinnaker4j.mapper.ir;

/** The kinds of DL4J's {@code GradientNormalization} the cores apply. */
public enum GradientNormalizationType {
    /** The gradient is left as it is. */
    NONE,
    /** DL4J's {@code ClipElementWiseAbsoluteValue}: each value of the averaged gradient clipped to ±threshold. */
    CLIP_ELEMENT_WISE_ABSOLUTE_VALUE
}
