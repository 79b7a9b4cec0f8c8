package org.spinnaker4j.mapper.ir;

/**
 * The parameters of one dense layer: W row-major (W[i][j] at {@code i * nOut + j}) and the
 * bias (empty when the layer has none).
 */
public record DenseParameters(int nIn, int nOut, float[] weights, float[] bias) {

    public DenseParameters {
        if (weights.length != nIn * nOut) {
            throw new IllegalArgumentException("weights of a " + nIn + " × " + nOut + " layer need "
                    + (nIn * nOut) + " values, got " + weights.length);
        }
        if (bias.length != nOut && bias.length != 0) {
            throw new IllegalArgumentException("bias of a layer with nOut " + nOut + " needs "
                    + nOut + " values (or none), got " + bias.length);
        }
    }

    public float weight(int i, int j) {
        return weights[i * nOut + j];
    }
}
