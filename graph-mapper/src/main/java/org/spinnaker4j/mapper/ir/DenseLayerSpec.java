package org.spinnaker4j.mapper.ir;

/** A fully connected layer of the IR: y = activation(x·W + b), W of shape nIn × nOut. */
public record DenseLayerSpec(int nIn, int nOut, Activation activation, boolean hasBias) {

    public DenseLayerSpec {
        if (nIn < 1 || nOut < 1) {
            throw new IllegalArgumentException("a dense layer needs nIn ≥ 1 and nOut ≥ 1, got " + nIn + " × " + nOut);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null");
        }
    }
}
