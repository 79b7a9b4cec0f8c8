package org.spinnaker4j.kernels;

/** The gradient updater a training core applies at the end of each mini-batch (DL4J's IUpdater); {@link #code()} is the C value. */
public enum UpdaterKind {
    /** DL4J's {@code Sgd}: {@code W -= lr * g}. */
    SGD,
    /** DL4J's {@code Nesterovs}: {@code v' = mu v - lr g; W -= mu v + (-mu - 1) v'} (one state array per parameter). */
    NESTEROVS,
    /**
     * DL4J's {@code Adam}: {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * W -= m alpha_t / (sqrt(v) + eps)} with {@code alpha_t = lr sqrt(1-b2^(t+1)) / (1-b1^(t+1))}
     * (two state arrays per parameter).
     */
    ADAM;

    /** The numeric code of this updater in the C kernels. */
    public int code() {
        return switch (this) {
            case SGD -> KernelAbi.UPDATER_SGD;
            case NESTEROVS -> KernelAbi.UPDATER_NESTEROVS;
            case ADAM -> KernelAbi.UPDATER_ADAM;
        };
    }

    /** Arrays of updater state the core keeps per parameter: 0, 1 or 2. */
    public int stateArrays() {
        return switch (this) {
            case SGD -> 0;
            case NESTEROVS -> 1;
            case ADAM -> 2;
        };
    }
}
