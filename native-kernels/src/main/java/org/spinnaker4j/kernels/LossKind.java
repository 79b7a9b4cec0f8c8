package org.spinnaker4j.kernels;

/**
 * The loss of an output layer's activator (DL4J's LossFunctions.LossFunction); {@link #code()} is the C value.
 * {@code y} is the activation, {@code t} the label, {@code nOut} the output count of the whole layer; with
 * per-output weights {@code w} each output's term (and its gradient) is multiplied by its weight, as DL4J does.
 * Under a softmax every loss but the unweighted {@link #MCXENT} and {@link #NEGATIVELOGLIKELIHOOD} passes its
 * gradient through the softmax's Jacobian, which needs the layer's sum: a softmax split over several cores
 * exchanges it as its backward dot.
 */
public enum LossKind {
    /** No loss: a hidden layer (or a core that is not an activator). */
    NONE,
    /** {@code sum (y-t)^2 / nOut}; {@code dL/dy = 2 (y-t) / nOut} ({@code nOut} of the whole layer). */
    MSE,
    /** {@code sum |y-t|}; {@code dL/dy = sign(y-t)}. */
    L1,
    /** {@code sum (y-t)^2}; {@code dL/dy = 2 (y-t)}. */
    L2,
    /** {@code sum |y-t| / nOut}; {@code dL/dy = sign(y-t) / nOut} ({@code nOut} of the whole layer). */
    MAE,
    /** Binary cross-entropy with y clipped to {@code [1e-5, 1-1e-5]}; {@code dL/dy = (y-t) / (y (1-y))}. */
    XENT,
    /** {@code -sum t log y}; with SOFTMAX, y clipped to {@code [1e-10, 1-1e-10]} in the loss and {@code delta = y - t}. */
    MCXENT,
    /** The same as {@link #MCXENT}. */
    NEGATIVELOGLIKELIHOOD,
    /** {@code sum max(0, 1 - t y)}; {@code dL/dy = -t} where {@code 1 - t y > 0}. */
    HINGE,
    /** {@code sum max(0, 1 - t y)^2}; {@code dL/dy = -2 t (1 - t y)} where {@code 1 - t y > 0}. */
    SQUARED_HINGE,
    /** Kullback-Leibler: {@code sum t' log(t'/y')}, both clipped to {@code [1e-5, 1]}; {@code dL/dy = -t/y}. */
    KL_DIVERGENCE,
    /** {@code sum y - t log y}; {@code dL/dy = 1 - t/y}. */
    POISSON,
    /** {@code -sum t y / (|t| |y|)} over the whole layer, which must be one core's. */
    COSINE_PROXIMITY,
    /** {@code sum 100 |(t-y)/t| / nOut}; {@code dL/dy = -100 sign(t-y) / (|t| nOut)}. */
    MEAN_ABSOLUTE_PERCENTAGE_ERROR,
    /** {@code sum log((y+1)/(t+1))^2 / nOut}; {@code dL/dy = 2 log((y+1)/(t+1)) / ((y+1) nOut)}. */
    MEAN_SQUARED_LOGARITHMIC_ERROR,
    /** {@code sum t y / nOut}; {@code dL/dy = t / nOut}. */
    WASSERSTEIN;

    /** The numeric code of this loss in the C kernels. */
    public int code() {
        return switch (this) {
            case NONE -> KernelAbi.LOSS_NONE;
            case MSE -> KernelAbi.LOSS_MSE;
            case L1 -> KernelAbi.LOSS_L1;
            case L2 -> KernelAbi.LOSS_L2;
            case MAE -> KernelAbi.LOSS_MAE;
            case XENT -> KernelAbi.LOSS_XENT;
            case MCXENT -> KernelAbi.LOSS_MCXENT;
            case NEGATIVELOGLIKELIHOOD -> KernelAbi.LOSS_NLL;
            case HINGE -> KernelAbi.LOSS_HINGE;
            case SQUARED_HINGE -> KernelAbi.LOSS_SQUARED_HINGE;
            case KL_DIVERGENCE -> KernelAbi.LOSS_KL_DIVERGENCE;
            case POISSON -> KernelAbi.LOSS_POISSON;
            case COSINE_PROXIMITY -> KernelAbi.LOSS_COSINE_PROXIMITY;
            case MEAN_ABSOLUTE_PERCENTAGE_ERROR -> KernelAbi.LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR;
            case MEAN_SQUARED_LOGARITHMIC_ERROR -> KernelAbi.LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR;
            case WASSERSTEIN -> KernelAbi.LOSS_WASSERSTEIN;
        };
    }

    /** Whether DL4J's loss takes per-output weights (and the kernels apply them). */
    public boolean takesWeights() {
        return switch (this) {
            case MSE, L1, L2, MAE, XENT, MCXENT, NEGATIVELOGLIKELIHOOD, MEAN_ABSOLUTE_PERCENTAGE_ERROR,
                    MEAN_SQUARED_LOGARITHMIC_ERROR -> true;
            default -> false;
        };
    }
}
