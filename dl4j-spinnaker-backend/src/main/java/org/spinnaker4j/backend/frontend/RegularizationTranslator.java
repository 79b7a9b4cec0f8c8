package org.spinnaker4j.backend.frontend;

import java.util.List;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.spinnaker4j.mapper.ir.RegularizationSpec;

/**
 * Lowers one of a layer's regularization lists (DL4J's {@code regularization} for the weights,
 * {@code regularizationBias} for the bias) into a {@link RegularizationSpec}, as DL4J's {@code UpdaterBlock}
 * applies it: L1Regularization and L2Regularization before the updater, in the list's order; WeightDecay after it,
 * its coefficient times the updater's learning rate (1 for updaters without one) when {@code applyLR}, computed in
 * double as DL4J does, once per time it is listed (DL4J's layer validation adds the network-wide WeightDecay to a
 * layer's list a second time, and DL4J then applies it twice). Adds a {@link Problem} for a schedule, L1 or L2
 * listed twice, weight decays that differ, or a regularization of another class.
 */
final class RegularizationTranslator {

    private RegularizationTranslator() {
    }

    /** The spec, or null after adding a problem; {@code what} names the list ("regularization", ...). */
    static RegularizationSpec translate(int layer, String type, String what, List<Regularization> list,
                                        IUpdater updater, List<Problem> problems) {
        if (list == null || list.isEmpty()) {
            return RegularizationSpec.NONE;
        }
        Double l1 = null;
        Double l2 = null;
        Double decay = null;
        int decayTimes = 0;
        boolean l2First = false;
        for (Regularization r : list) {
            String kind = r == null ? "null" : r.getClass().getSimpleName();
            ISchedule schedule = r instanceof L1Regularization a ? a.getL1() : r instanceof L2Regularization b
                    ? b.getL2() : r instanceof WeightDecay w ? w.getCoeff() : null;
            if (schedule == null) {
                problems.add(new Problem(layer, type, what + " " + kind + " is not supported; use L1Regularization, "
                        + "L2Regularization or WeightDecay"));
                return null;
            }
            if (!(schedule instanceof FixedSchedule fixed)) {
                problems.add(new Problem(layer, type, what + " " + kind + " with a schedule ("
                        + schedule.getClass().getSimpleName() + ") is not supported; use a fixed coefficient"));
                return null;
            }
            double c = fixed.getValue();
            if (r instanceof L1Regularization ? l1 != null : r instanceof L2Regularization && l2 != null) {
                problems.add(new Problem(layer, type, what + " lists " + kind + " twice; list each kind once"));
                return null;
            }
            if (r instanceof L1Regularization) {
                l1 = c;
            } else if (r instanceof L2Regularization) {
                l2 = c;
                l2First = l1 == null;
            } else {
                double d = ((WeightDecay) r).isApplyLR() ? c * learningRate(updater) : c;
                if (decay != null && decay != d) {
                    problems.add(new Problem(layer, type, what + " lists weight decays of different coefficients ("
                            + decay + " and " + d + "); list one"));
                    return null;
                }
                decay = d;
                decayTimes++;
            }
        }
        try {
            return new RegularizationSpec(value(l1), value(l2), value(decay), l2First && l1 != null,
                    value(decay) == 0f ? 0 : decayTimes);
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(layer, type, what + ": " + e.getMessage()));
            return null;
        }
    }

    /** The learning rate DL4J's UpdaterBlock gives WeightDecay: the updater's, or 1 if it has none. */
    private static double learningRate(IUpdater updater) {
        return updater != null && updater.hasLearningRate() ? updater.getLearningRate(0, 0) : 1.0;
    }

    private static float value(Double coefficient) {
        return coefficient == null ? 0f : (float) coefficient.doubleValue();
    }
}
