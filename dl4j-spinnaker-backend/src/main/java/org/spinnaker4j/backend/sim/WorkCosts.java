package org.spinnaker4j.backend.sim;

import org.spinnaker4j.kernels.KernelWork;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.ir.ActivationKind;

/**
 * What each kind of work its kernel reports ({@link KernelWork}, and the rows a block multiplies in) costs one core,
 * in cycles of the cost model.
 */
final class WorkCosts {

    private static final KernelWork[] WORK = KernelWork.values();

    private final long[] cycles = new long[WORK.length];
    private final long rowCycles;

    WorkCosts(CoreCostModel cost, MachineVertex v, ActivationKind activation, boolean sendsBackward) {
        rowCycles = cost.rowCycles(v);
        for (KernelWork w : WORK) {
            cycles[w.ordinal()] = switch (w) {
                case FORWARD -> cost.completionCycles(v, activation);
                case SOFTMAX_SUM, SOFTMAX_NORMALISE, SOFTMAX_DOT ->
                        (long) v.cols().size() * cost.activationCycles(activation);
                case DELTAS -> cost.deltaCycles(v, activation);
                case BLOCK_BACKWARD -> cost.blockBackwardCycles(v, sendsBackward);
            };
        }
    }

    /** The cycles of multiplying {@code rows} rows into a block's sums (forward-pass work). */
    long rowCycles(int rows) {
        return rows * rowCycles;
    }

    /** The cycles of the work in {@code work}, a set of {@link KernelWork#code()} bits: each piece once. */
    long cycles(int work) {
        return cycles(work, true);
    }

    /** The cycles of the forward-pass work in {@code work}: what the event does before any backward-pass work. */
    long forwardCycles(int work) {
        return cycles(work, false);
    }

    private long cycles(int work, boolean withBackward) {
        long sum = 0;
        for (KernelWork w : WORK) {
            if (w.in(work) && (withBackward || !w.backward())) {
                sum += cycles[w.ordinal()];
            }
        }
        return sum;
    }
}
