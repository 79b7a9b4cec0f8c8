package org.spinnaker4j.kernels;

/** The kind of program a simulated SpiNNaker core runs; {@link #code()} is the value the C kernels use. */
public enum KernelKind {
    /** Emits one sample's values loaded by the host. */
    INPUT_SOURCE(0),
    /** Holds a block of a dense layer's weights and multiplies the inputs it receives. */
    DENSE_BLOCK(1),
    /** Adds partial sums from several blocks, then adds the bias and applies the activation. */
    REDUCE(2),
    /** Collects a layer's outputs for the host to read. */
    OUTPUT_SINK(3);

    private final int code;

    KernelKind(int code) {
        this.code = code;
    }

    /** The numeric code of this kind in the C kernels. */
    public int code() {
        return code;
    }
}
