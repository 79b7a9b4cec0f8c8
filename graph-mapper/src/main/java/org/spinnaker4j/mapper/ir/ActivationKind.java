package org.spinnaker4j.mapper.ir;

/** The activation functions the kernels implement, with DL4J's semantics. */
public enum ActivationKind {
    IDENTITY, RELU, LEAKYRELU, SIGMOID, TANH, SOFTMAX, HARDTANH, SOFTPLUS, ELU,
    SWISH, GELU, SELU, MISH, SOFTSIGN, RATIONALTANH, RECTIFIEDTANH, CUBE, THRESHOLDEDRELU, RELU6;

    /** Whether the activation has a parameter: leakyrelu's slope, elu's scale, thresholdedrelu's threshold theta. */
    public boolean hasParameter() {
        return this == LEAKYRELU || this == ELU || this == THRESHOLDEDRELU;
    }
}
