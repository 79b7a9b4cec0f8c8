package org.spinnaker4j.mapper.ir;

/**
 * The dropout a training layer's blocks apply to their input ({@link TrainingSpec#dropout(int)}): none, the input
 * (each row filed times its mask), or the input and the gradient sent back for it (each row's W·delta times the same
 * mask). The cost model charges it; the values of p and the masks are per mini-batch host state, not here.
 */
public enum InputDropout {
    NONE,
    INPUT,
    INPUT_AND_GRADIENT;

    /** Whether the layer's blocks drop the rows they receive. */
    public boolean dropsInput() {
        return this != NONE;
    }

    /** Whether the layer's blocks mask the gradient they send back. */
    public boolean masksGradient() {
        return this == INPUT_AND_GRADIENT;
    }
}
