package org.spinnaker4j.kernels;

/** The loss of an output layer's activator (DL4J's LossFunctions.LossFunction); {@link #code()} is the C value. */
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
    NEGATIVELOGLIKELIHOOD;

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
        };
    }
}
