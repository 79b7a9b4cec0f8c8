package org.spinnaker4j.kernels;

/** The gradient updater a training core applies at the end of each mini-batch (DL4J's IUpdater); {@link #code()} is the C value. */
public enum UpdaterKind {
    /** DL4J's {@code Sgd}: {@code W -= lr * g}. */
    SGD(0),
    /** DL4J's {@code Nesterovs}: {@code v' = mu v - lr g; W -= mu v + (-mu - 1) v'} (one state array per parameter). */
    NESTEROVS(1),
    /**
     * DL4J's {@code Adam}: {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * W -= m alpha_t / (sqrt(v) + eps)} with {@code alpha_t = lr sqrt(1-b2^(t+1)) / (1-b1^(t+1))}
     * (two state arrays per parameter).
     */
    ADAM(2);

    private final int code;

    UpdaterKind(int code) {
        this.code = code;
    }

    /** The numeric code of this updater in the C kernels. */
    public int code() {
        return code;
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
