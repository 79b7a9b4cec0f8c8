package org.spinnaker4j.kernels;

/**
 * The gradient updater a training core applies at the end of each mini-batch (DL4J's IUpdater), with libnd4j's
 * float32 formulas (see {@code updater_step} in s4j_update.c); {@link #code()} is the C value. Its state arrays are
 * numbered from 1 in the order DL4J lays them out in the updater's state view.
 */
public enum UpdaterKind {
    /** DL4J's {@code Sgd}: {@code W -= lr * g}. */
    SGD,
    /** DL4J's {@code Nesterovs}: {@code v' = mu v - lr g; W -= mu v + (-mu - 1) v'}; state: v. */
    NESTEROVS,
    /**
     * DL4J's {@code Adam}: {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * W -= m alpha_t / (sqrt(v) + eps)} with {@code alpha_t = lr sqrt(1-b2^(t+1)) / (1-b1^(t+1))}; state: m, v.
     */
    ADAM,
    /** DL4J's {@code AdaMax}: m as Adam's, {@code u = max(b2 u, |g|)}, {@code W -= m lr / (1-b1^(t+1)) / u}; state: m, u. */
    ADAMAX,
    /** DL4J's {@code Nadam}: m, v as Adam's, {@code W -= lr (b1 m + (1-b1) g) / (1-b1^(t+1)) / (sqrt(v) + eps)}; state: m, v. */
    NADAM,
    /** DL4J's {@code AMSGrad}: Adam with {@code vHat = max(vHat, v)} in place of v in the step; state: m, v, vHat. */
    AMSGRAD,
    /** DL4J's {@code AdaGrad}: {@code h += g^2; W -= lr g / (sqrt(h) + eps)}; state: h (DL4J starts it at eps). */
    ADAGRAD,
    /** DL4J's {@code AdaDelta} (no learning rate): rho in the beta1 word; state: msg, msdx. */
    ADADELTA,
    /** DL4J's {@code RmsProp}: {@code G = decay G + (1-decay) g^2; W -= lr g / (sqrt(G) + eps)}; state: G. */
    RMSPROP,
    /** DL4J's {@code NoOp}: the updater leaves the gradient as it is, so {@code W -= g}. */
    NOOP;

    /** The numeric code of this updater in the C kernels. */
    public int code() {
        return switch (this) {
            case SGD -> KernelAbi.UPDATER_SGD;
            case NESTEROVS -> KernelAbi.UPDATER_NESTEROVS;
            case ADAM -> KernelAbi.UPDATER_ADAM;
            case ADAMAX -> KernelAbi.UPDATER_ADAMAX;
            case NADAM -> KernelAbi.UPDATER_NADAM;
            case AMSGRAD -> KernelAbi.UPDATER_AMSGRAD;
            case ADAGRAD -> KernelAbi.UPDATER_ADAGRAD;
            case ADADELTA -> KernelAbi.UPDATER_ADADELTA;
            case RMSPROP -> KernelAbi.UPDATER_RMSPROP;
            case NOOP -> KernelAbi.UPDATER_NOOP;
        };
    }

    /** Arrays of updater state the core keeps per parameter: 0 to 3. */
    public int stateArrays() {
        return switch (this) {
            case SGD, NOOP -> 0;
            case NESTEROVS, ADAGRAD, RMSPROP -> 1;
            case ADAM, ADAMAX, NADAM, ADADELTA -> 2;
            case AMSGRAD -> 3;
        };
    }

    /**
     * Whether the kernels require beta1 (or rho, or the decay) and beta2 in [0, 1) and epsilon &gt; 0 (the Adam
     * family, AdaDelta and RmsProp); AdaGrad requires epsilon &gt; 0 only.
     */
    boolean usesMoments() {
        return switch (this) {
            case ADAM, ADAMAX, NADAM, AMSGRAD, ADADELTA, RMSPROP -> true;
            case SGD, NESTEROVS, ADAGRAD, NOOP -> false;
        };
    }
}
