package org.spinnaker4j.mapper.ir;

/**
 * An activation function of the IR: its kind and its parameter {@code alpha}, for the kinds that
 * {@link ActivationKind#hasParameter() have one}: leaky ReLU's slope, ELU's scale, thresholded
 * ReLU's threshold theta (0 for the others).
 */
public record Activation(ActivationKind kind, float alpha) {

    public Activation {
        if (kind == null) {
            throw new IllegalArgumentException("activation kind must not be null");
        }
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("activation alpha must be finite, got " + alpha);
        }
    }

    /** An activation without a parameter. */
    public static Activation of(ActivationKind kind) {
        return new Activation(kind, 0f);
    }

    @Override
    public String toString() {
        return kind.hasParameter()
                ? kind.name().toLowerCase() + "(" + alpha + ")"
                : kind.name().toLowerCase();
    }
}
