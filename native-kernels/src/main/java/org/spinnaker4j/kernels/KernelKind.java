package org.spinnaker4j.kernels;

/** The kind of program a simulated SpiNNaker core runs; {@link #code()} is the value the C kernels use. */
public enum KernelKind {
    /** Emits one sample's values loaded by the host. */
    INPUT_SOURCE,
    /** Holds a block of a dense layer's weights and multiplies the inputs it receives. */
    DENSE_BLOCK,
    /** Adds partial sums from several blocks, then adds the bias and applies the activation. */
    REDUCE,
    /** Collects a layer's outputs for the host to read. */
    OUTPUT_SINK;

    /** The numeric code of this kind in the C kernels. */
    public int code() {
        return switch (this) {
            case INPUT_SOURCE -> KernelAbi.KIND_INPUT_SOURCE;
            case DENSE_BLOCK -> KernelAbi.KIND_DENSE_BLOCK;
            case REDUCE -> KernelAbi.KIND_REDUCE;
            case OUTPUT_SINK -> KernelAbi.KIND_OUTPUT_SINK;
        };
    }
}
