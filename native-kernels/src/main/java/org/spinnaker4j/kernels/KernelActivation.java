package org.spinnaker4j.kernels;

/** The activation a core applies to its outputs, with DL4J's semantics; {@link #code()} is the C value. */
public enum KernelActivation {
    /** {@code x}. */
    IDENTITY(0),
    /** {@code max(0, x)}. */
    RELU(1),
    /** {@code x >= 0 ? x : alpha * x}. */
    LEAKYRELU(2),
    /** {@code 1 / (1 + exp(-x))}. */
    SIGMOID(3),
    /** {@code tanh(x)}. */
    TANH(4),
    /** {@code exp(z - max) / sum} over the whole layer, even when it is split over several cores. */
    SOFTMAX(5),
    /** {@code x} clamped to {@code [-1, 1]}. */
    HARDTANH(6),
    /** {@code log(1 + exp(x))} ({@code x} itself for {@code x > 20}). */
    SOFTPLUS(7),
    /** {@code x >= 0 ? x : alpha * (exp(x) - 1)}. */
    ELU(8);

    private final int code;

    KernelActivation(int code) {
        this.code = code;
    }

    /** The numeric code of this activation in the C kernels. */
    public int code() {
        return code;
    }
}
