package org.spinnaker4j.mapper.ir;

/**
 * The output-layer losses the kernels implement, with DL4J's definitions and scaling. {@link #SPARSE_MCXENT} is
 * {@link #MCXENT} with each example's label given as a class index; the host turns it into a one-hot row.
 */
public enum LossFunction {
    MSE, L1, L2, MAE, XENT, MCXENT, NEGATIVELOGLIKELIHOOD, HINGE, SQUARED_HINGE, KL_DIVERGENCE, POISSON,
    COSINE_PROXIMITY, MEAN_ABSOLUTE_PERCENTAGE_ERROR, MEAN_SQUARED_LOGARITHMIC_ERROR, WASSERSTEIN, SPARSE_MCXENT;

    /**
     * Whether the loss needs the whole output row on one core: COSINE_PROXIMITY's norms and dot span the layer, and
     * the cores of a split layer exchange no such sums (a split softmax exchanges one).
     */
    public boolean needsWholeLayer() {
        return this == COSINE_PROXIMITY;
    }
}
