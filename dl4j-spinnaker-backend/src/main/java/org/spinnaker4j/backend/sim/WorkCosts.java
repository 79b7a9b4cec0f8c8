package org.spinnaker4j.backend.sim;

import org.spinnaker4j.kernels.KernelWork;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.OutputLoss;
import org.spinnaker4j.mapper.cost.SoftmaxStep;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.ir.ActivationKind;

/**
 * What each kind of work its kernel reports ({@link KernelWork}, and the rows a block multiplies in) costs one core,
 * in cycles of the cost model.
 */
final class WorkCosts {

    private static final KernelWork[] WORK = KernelWork.values();

    /** Every {@link KernelWork#code()} bit. */
    private static final int ALL_WORK = allWork();

    /** The cycles of every set of work, indexed by its code bits: all of it, and its forward-pass work only. */
    private final long[] cycles = new long[ALL_WORK + 1];
    private final long[] forwardCycles = new long[ALL_WORK + 1];
    /** The cycles of multiplying one row into a block's sums. */
    private final long rowCycles;
    /** The cycles of one column a reduce completing column by column sends. */
    private final long columnCycles;

    /**
     * {@code softmaxSplit}: {@code v} is an activating core of a softmax spread over several cores; {@code trains}: its
     * network trains (else its backward-pass work costs nothing: it does none, and an s16.15 core's may have no
     * figures, its kernels training fewer activations and layers than they run).
     */
    WorkCosts(CoreCostModel cost, MachineVertex v, ActivationKind activation, OutputLoss loss,
            boolean sendsBackward, boolean softmaxSplit, boolean trains) {
        rowCycles = cost.rowCycles(v);
        columnCycles = cost.columnCycles(v, activation);
        long[] each = new long[WORK.length];
        for (KernelWork w : WORK) {
            each[w.ordinal()] = w.backward() && !trains ? 0 : switch (w) {
                case FORWARD -> cost.completionCycles(v, activation, softmaxSplit);
                case SOFTMAX_SUM -> cost.softmaxStepCycles(v, SoftmaxStep.SUM);
                case SOFTMAX_NORMALISE -> cost.softmaxStepCycles(v, SoftmaxStep.NORMALISE);
                case SOFTMAX_DOT -> cost.softmaxStepCycles(v, SoftmaxStep.DOT);
                case DELTAS -> cost.deltaCycles(v, activation, loss, softmaxSplit);
                case BLOCK_BACKWARD -> cost.blockBackwardCycles(v, sendsBackward);
                case DROPOUT_ROW -> cost.dropoutRowCycles(v);
                case DROPOUT_BACK -> cost.dropoutBackwardCycles(v);
                case COLUMN -> 0; // per column sent: columnCycles
            };
        }
        for (int work = 0; work <= ALL_WORK; work++) {
            for (KernelWork w : WORK) {
                if (w.in(work)) {
                    cycles[work] += each[w.ordinal()];
                    forwardCycles[work] += w.backward() ? 0 : each[w.ordinal()];
                }
            }
        }
    }

    private static int allWork() {
        int all = 0;
        for (KernelWork w : WORK) {
            all |= w.code();
        }
        return all;
    }

    /** The cycles of multiplying {@code rows} rows into a block's sums (forward-pass work). */
    long rowCycles(int rows) {
        return rows * rowCycles;
    }

    /**
     * The cycles of the columns a reduce completing column by column sent in an event that did {@code work} and made
     * {@code sends} sends (forward-pass work); 0 unless it did {@link KernelWork#COLUMN}.
     */
    long columnCycles(int work, int sends) {
        return KernelWork.COLUMN.in(work) ? sends * columnCycles : 0;
    }

    /** The cycles of the work in {@code work}, a set of {@link KernelWork#code()} bits: each piece once. */
    long cycles(int work) {
        return cycles[work & ALL_WORK];
    }

    /** The cycles of the forward-pass work in {@code work}: what the event does before any backward-pass work. */
    long forwardCycles(int work) {
        return forwardCycles[work & ALL_WORK];
    }
}
