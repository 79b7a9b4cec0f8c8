package org.spinnaker4j.kernels;

/** The activation a core applies to its outputs, with DL4J's semantics; {@link #code()} is the C value. */
public enum KernelActivation {
    /** {@code x}. */
    IDENTITY,
    /** {@code max(0, x)}. */
    RELU,
    /** {@code x >= 0 ? x : alpha * x}. */
    LEAKYRELU,
    /** {@code 1 / (1 + exp(-x))}. */
    SIGMOID,
    /** {@code tanh(x)}. */
    TANH,
    /** {@code exp(z - max) / sum} over the whole layer, even when it is split over several cores. */
    SOFTMAX,
    /** {@code x} clamped to {@code [-1, 1]}. */
    HARDTANH,
    /** {@code log(1 + exp(x))} ({@code x} itself for {@code x > 20}). */
    SOFTPLUS,
    /** {@code x >= 0 ? x : alpha * (exp(x) - 1)}. */
    ELU,
    /** {@code x sigmoid(x)}. */
    SWISH,
    /** {@code x sigmoid(1.702 x)}: DL4J's default GELU, the sigmoid approximation (not the precise tanh form). */
    GELU,
    /** {@code lambda x} above 0, {@code lambda alpha (exp(x) - 1)} at or below it (libnd4j's fixed lambda, alpha). */
    SELU,
    /** {@code x tanh(log(1 + exp(x)))}. */
    MISH,
    /** {@code x / (1 + |x|)}. */
    SOFTSIGN,
    /** {@code 1.7159 sgn(d) (1 - 1 / (1 + |d| + d^2 + 1.41645 d^4))} with {@code d = 2x/3}. */
    RATIONALTANH,
    /** {@code max(0, tanh(x))}. */
    RECTIFIEDTANH,
    /** {@code x^3}. */
    CUBE,
    /** {@code x > theta ? x : 0}, theta in the config's alpha. */
    THRESHOLDEDRELU,
    /** {@code min(max(0, x), 6)}. */
    RELU6;

    /** Whether the activation reads the config's alpha: leakyrelu's slope, elu's scale, thresholdedrelu's theta. */
    public boolean hasParameter() {
        return this == LEAKYRELU || this == ELU || this == THRESHOLDEDRELU;
    }

    /** The numeric code of this activation in the C kernels. */
    public int code() {
        return switch (this) {
            case IDENTITY -> KernelAbi.ACT_IDENTITY;
            case RELU -> KernelAbi.ACT_RELU;
            case LEAKYRELU -> KernelAbi.ACT_LEAKYRELU;
            case SIGMOID -> KernelAbi.ACT_SIGMOID;
            case TANH -> KernelAbi.ACT_TANH;
            case SOFTMAX -> KernelAbi.ACT_SOFTMAX;
            case HARDTANH -> KernelAbi.ACT_HARDTANH;
            case SOFTPLUS -> KernelAbi.ACT_SOFTPLUS;
            case ELU -> KernelAbi.ACT_ELU;
            case SWISH -> KernelAbi.ACT_SWISH;
            case GELU -> KernelAbi.ACT_GELU;
            case SELU -> KernelAbi.ACT_SELU;
            case MISH -> KernelAbi.ACT_MISH;
            case SOFTSIGN -> KernelAbi.ACT_SOFTSIGN;
            case RATIONALTANH -> KernelAbi.ACT_RATIONALTANH;
            case RECTIFIEDTANH -> KernelAbi.ACT_RECTIFIEDTANH;
            case CUBE -> KernelAbi.ACT_CUBE;
            case THRESHOLDEDRELU -> KernelAbi.ACT_THRESHOLDEDRELU;
            case RELU6 -> KernelAbi.ACT_RELU6;
        };
    }
}
