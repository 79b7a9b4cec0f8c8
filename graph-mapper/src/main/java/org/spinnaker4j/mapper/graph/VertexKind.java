package org.spinnaker4j.mapper.graph;

/** What a machine vertex does; each kind is one kernel program on its core. */
public enum VertexKind {
    /** Sends one slice of the network's input vector, loaded by the host, each sample. */
    INPUT_SOURCE,
    /** Owns a block W[I, J] of a dense layer; sends partial sums, or activations when fused. */
    DENSE_BLOCK,
    /** Sums the partial sums of one column slice J, adds the bias, applies the activation. */
    REDUCE,
    /**
     * Gathers one slice of an activation vector from the several activating cores that produce its parts and sends
     * it on, in order, to the blocks of the next layer that take that slice as their rows (a reduce kernel with one
     * partial per value, no bias and the identity), so each of those blocks gets its rows from one sender in the
     * order it multiplies them in. Inference and training alike it only forwards values: no parameters, no
     * backward pass.
     */
    RELAY,
    /** Collects one slice of the network's output for the host. */
    OUTPUT_SINK,
    /** Training: sends one slice of a sample's labels, loaded by the host, to the output layer. */
    LABEL_SOURCE,
    /** Training: collects each output-layer core's share of a sample's loss for the host. */
    LOSS_SINK;

    /** Whether a core of this kind sends a slice of each sample the host loaded (its features or its labels). */
    public boolean isSource() {
        return this == INPUT_SOURCE || this == LABEL_SOURCE;
    }
}
