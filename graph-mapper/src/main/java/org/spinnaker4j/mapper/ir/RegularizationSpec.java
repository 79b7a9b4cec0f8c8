package org.spinnaker4j.mapper.ir;

/**
 * DL4J's regularization of one kind of parameter (a layer's weights or its bias): l1 and l2 added to the averaged
 * gradient before the updater (in the configuration's order: {@code l2First}), weight decay added to the updater's
 * step after it, its coefficient already multiplied by the learning rate where DL4J's {@code applyLR} says so,
 * {@code weightDecayTimes} times (DL4J's layer lists can hold the network-wide WeightDecay twice, and DL4J then
 * applies it twice). 0 means none.
 */
public record RegularizationSpec(float l1, float l2, float weightDecay, boolean l2First, int weightDecayTimes) {

    /** No regularization. */
    public static final RegularizationSpec NONE = new RegularizationSpec(0f, 0f, 0f, false, 0);

    public RegularizationSpec {
        if (!(l1 >= 0) || !(l2 >= 0) || !(weightDecay >= 0) || !Float.isFinite(l1) || !Float.isFinite(l2)
                || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("regularization coefficients must be finite and >= 0, got l1=" + l1
                    + " l2=" + l2 + " weightDecay=" + weightDecay);
        }
        if (weightDecay != 0 ? weightDecayTimes < 1 || weightDecayTimes > 255 : weightDecayTimes != 0) {
            throw new IllegalArgumentException("weightDecayTimes must be in [1, 255] with a weight decay and 0 without, "
                    + "got " + weightDecayTimes + " with weightDecay=" + weightDecay);
        }
    }
}
