package org.spinnaker4j.mapper.ir;

/**
 * DL4J's regularization of one kind of parameter (a layer's weights or its bias): l1 and l2 added to the averaged
 * gradient before the updater (in the configuration's order: {@code l2First}), weight decay added to the updater's
 * step after it, its coefficient already multiplied by the learning rate where DL4J's {@code applyLR} says so,
 * {@code weightDecayTimes} times (DL4J's layer lists can hold the network-wide WeightDecay twice, and DL4J then
 * applies it twice; it is counted even where a scheduled weight decay is 0 at first). 0 means none. The
 * coefficients are those of the first update (iteration 0, epoch 0); where they follow schedules, the host sends each
 * update's own with it.
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
        if (weightDecayTimes < 0 || weightDecayTimes > 255 || (weightDecay != 0 && weightDecayTimes == 0)) {
            throw new IllegalArgumentException("weightDecayTimes must be in [0, 255], at least 1 with a weight decay, "
                    + "got " + weightDecayTimes + " with weightDecay=" + weightDecay);
        }
    }
}
