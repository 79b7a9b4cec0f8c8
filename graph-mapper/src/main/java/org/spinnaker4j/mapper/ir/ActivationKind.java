package org.spinnaker4j.mapper.ir;

/** The activation functions the kernels implement, with DL4J's semantics. */
public enum ActivationKind {
    IDENTITY, RELU, LEAKYRELU, SIGMOID, TANH, SOFTMAX, HARDTANH, SOFTPLUS, ELU
}
