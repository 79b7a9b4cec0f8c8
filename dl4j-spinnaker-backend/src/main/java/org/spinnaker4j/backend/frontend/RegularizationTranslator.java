package org.spinnaker4j.backend.frontend;

import java.util.List;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.spinnaker4j.mapper.ir.RegularizationSpec;

/**
 * Lowers one of a layer's regularization lists (DL4J's {@code regularization} for the weights,
 * {@code regularizationBias} for the bias) into a {@link RegularizationSpec}, as DL4J's {@code UpdaterBlock}
 * applies it: L1Regularization and L2Regularization before the updater, in the list's order; WeightDecay after it,
 * its coefficient times the updater's learning rate (1 for updaters without one) when {@code applyLR}, computed in
 * double as DL4J does, once per time it is listed (DL4J's layer validation adds the network-wide WeightDecay to a
 * layer's list a second time, and DL4J then applies it twice). Each coefficient may follow a schedule: the spec
 * holds the first update's values, {@link #at} each update's. Adds a {@link Problem} for L1 or L2 listed twice,
 * weight decays that differ, or a regularization of another class.
 */
final class RegularizationTranslator {

    /** One list's coefficients at one update (0: none). */
    record Coefficients(float l1, float l2, float weightDecay) {
    }

    private RegularizationTranslator() {
    }

    /** The spec, or null after adding a problem; {@code what} names the list ("regularization", ...). */
    static RegularizationSpec translate(int layer, String type, String what, List<Regularization> list,
                                        IUpdater updater, List<Problem> problems) {
        if (list == null || list.isEmpty()) {
            return RegularizationSpec.NONE;
        }
        boolean l1 = false;
        boolean l2 = false;
        boolean l2First = false;
        WeightDecay decay = null;
        int decayTimes = 0;
        for (Regularization r : list) {
            String kind = r == null ? "null" : r.getClass().getSimpleName();
            if (schedule(r) == null) {
                problems.add(new Problem(layer, type, what + " " + kind + " is not supported; use L1Regularization, "
                        + "L2Regularization or WeightDecay"));
                return null;
            }
            if (r instanceof L1Regularization ? l1 : r instanceof L2Regularization && l2) {
                problems.add(new Problem(layer, type, what + " lists " + kind + " twice; list each kind once"));
                return null;
            }
            if (r instanceof L1Regularization) {
                l1 = true;
            } else if (r instanceof L2Regularization) {
                l2 = true;
                l2First = !l1;
            } else {
                if (decay != null && !decay.equals(r)) {
                    problems.add(new Problem(layer, type, what + " lists weight decays that differ (" + decay + " and "
                            + r + "); list one"));
                    return null;
                }
                decay = (WeightDecay) r;
                decayTimes++;
            }
        }
        try {
            Coefficients first = at(list, updater, 0, 0);
            return new RegularizationSpec(first.l1(), first.l2(), first.weightDecay(), l2First && l1, decayTimes);
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(layer, type, what + ": " + e.getMessage()));
            return null;
        }
    }

    /**
     * The coefficients DL4J's regularization of a list {@link #translate} accepted gives the update at
     * {@code iteration} and {@code epoch}: each schedule's {@code valueAt}, the weight decay's times the updater's
     * learning rate at the same iteration and epoch where {@code applyLR} (in double, then rounded to float).
     */
    static Coefficients at(List<Regularization> list, IUpdater updater, int iteration, int epoch) {
        double l1 = 0;
        double l2 = 0;
        double decay = 0;
        for (Regularization r : list == null ? List.<Regularization>of() : list) {
            double c = schedule(r).valueAt(iteration, epoch);
            if (r instanceof L1Regularization) {
                l1 = c;
            } else if (r instanceof L2Regularization) {
                l2 = c;
            } else {
                decay = ((WeightDecay) r).isApplyLR() ? c * learningRate(updater, iteration, epoch) : c;
            }
        }
        return new Coefficients((float) l1, (float) l2, (float) decay);
    }

    /** The coefficient's schedule of a regularization the kernels implement (a fixed one is a FixedSchedule), or null. */
    private static ISchedule schedule(Regularization r) {
        return r instanceof L1Regularization a ? a.getL1() : r instanceof L2Regularization b ? b.getL2()
                : r instanceof WeightDecay w ? w.getCoeff() : null;
    }

    /** The learning rate DL4J's UpdaterBlock gives WeightDecay: the updater's at this update, or 1 if it has none. */
    private static double learningRate(IUpdater updater, int iteration, int epoch) {
        return updater != null && updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : 1.0;
    }
}
