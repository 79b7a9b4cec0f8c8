package org.spinnaker4j.kernels;

/**
 * DL4J's regularization of one parameter array of a training core (its weights or its bias), as
 * {@code UpdaterBlock} applies it: {@code l1} and {@code l2} are added to the averaged gradient before the updater
 * ({@code g += l1 sign(p)}, {@code g += l2 p}, in the configuration's order), {@code weightDecay} to the updater's
 * step after it ({@code step += weightDecay p}, {@code weightDecayTimes} times: DL4J's layer lists can hold the network-wide
 * WeightDecay twice, and DL4J then applies it twice). 0 means none.
 *
 * @param l1 DL4J's L1Regularization coefficient
 * @param l2 DL4J's L2Regularization coefficient
 * @param weightDecay DL4J's WeightDecay coefficient, already multiplied by the learning rate where its
 *        {@code applyLR} says so (in double, as DL4J does, then rounded to float)
 * @param l2First whether l2 comes before l1 in the configuration's list (the order of the two float additions)
 * @param weightDecayTimes how many times the weight decay is added: 1 to 255 with one (also with a scheduled one
 *        that is 0 at load), 0 without
 */
public record RegularizationConfig(float l1, float l2, float weightDecay, boolean l2First, int weightDecayTimes) {

    /** No regularization. */
    public static final RegularizationConfig NONE = new RegularizationConfig(0f, 0f, 0f, false, 0);

    /** Validates the coefficients. */
    public RegularizationConfig {
        if (!(l1 >= 0) || !(l2 >= 0) || !(weightDecay >= 0) || !Float.isFinite(l1) || !Float.isFinite(l2)
                || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("regularization coefficients must be finite and >= 0, got l1=" + l1
                    + " l2=" + l2 + " weightDecay=" + weightDecay);
        }
        if (weightDecayTimes < 0 || weightDecayTimes > 255 || (weightDecay != 0 && weightDecayTimes == 0)) {
            throw new IllegalArgumentException("weightDecayTimes must be in [0, 255], at least 1 with a weight decay, "
                    + "got " + weightDecayTimes + " with weightDecay=" + weightDecay);
        }
    }

    /** Whether any coefficient is set. */
    public boolean isNone() {
        return l1 == 0 && l2 == 0 && weightDecay == 0 && weightDecayTimes == 0;
    }

    @Override
    public String toString() {
        return isNone() ? "none" : "l1=" + l1 + " l2=" + l2 + " weightDecay=" + weightDecay
                + (weightDecayTimes > 1 ? " x" + weightDecayTimes : "") + (l2First ? " (l2 first)" : "");
    }
}
