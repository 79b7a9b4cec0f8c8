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
    ELU;

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
        };
    }
}
