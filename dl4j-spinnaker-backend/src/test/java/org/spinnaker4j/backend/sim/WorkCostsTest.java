package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.KernelWork;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.SoftmaxStep;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;

/**
 * A core of a softmax spread over cores is charged each step's own measured figure, once; a core's backward work only
 * when its network trains.
 */
class WorkCostsTest {

    private static final CoreCostModel COST = CoreCostModel.ARM968_SOFT_FLOAT;
    private static final MachineVertex REDUCE = new MachineVertex(0, VertexKind.REDUCE, 1, null, new Slice(0, 17),
            false);

    @Test
    void aSplitSoftmaxPaysEachStepAsMeasured() {
        WorkCosts split = new WorkCosts(COST, REDUCE, ActivationKind.SOFTMAX, null, false, true, true);
        assertEquals(COST.completionCycles(REDUCE, ActivationKind.SOFTMAX, true),
                split.cycles(KernelWork.FORWARD.code()));
        assertEquals(COST.softmaxStepCycles(REDUCE, SoftmaxStep.SUM), split.cycles(KernelWork.SOFTMAX_SUM.code()));
        assertEquals(COST.softmaxStepCycles(REDUCE, SoftmaxStep.NORMALISE),
                split.cycles(KernelWork.SOFTMAX_NORMALISE.code()));
        assertEquals(COST.softmaxStepCycles(REDUCE, SoftmaxStep.DOT), split.cycles(KernelWork.SOFTMAX_DOT.code()));
        assertEquals(COST.deltaCycles(REDUCE, ActivationKind.SOFTMAX, null, true), split.cycles(KernelWork.DELTAS.code()));
        int forward = KernelWork.FORWARD.code() | KernelWork.SOFTMAX_SUM.code() | KernelWork.SOFTMAX_NORMALISE.code();
        // the steps together cost about what one core's whole softmax does, not three of them
        WorkCosts whole = new WorkCosts(COST, REDUCE, ActivationKind.SOFTMAX, null, false, false, true);
        long unsplit = whole.cycles(KernelWork.FORWARD.code());
        assertTrue(Math.abs(split.cycles(forward) - unsplit) < 0.05 * unsplit, split.cycles(forward) + " against "
                + unsplit);
        assertEquals(split.cycles(forward), split.forwardCycles(forward | KernelWork.DELTAS.code()),
                "the deltas are backward-pass work");
    }

    /**
     * An s16.15 block runs activations its training kernels do not differentiate: at inference its backward work costs
     * nothing (it does none) rather than throw; in training it is the s16.15 figures'.
     */
    @Test
    void aFixedBlocksBackwardWorkIsChargedOnlyInTraining() {
        MachineVertex block = new MachineVertex(0, VertexKind.DENSE_BLOCK, 1, new Slice(0, 6), new Slice(0, 5), true,
                null, null, Arithmetic.S16_15);
        int backward = KernelWork.DELTAS.code() | KernelWork.BLOCK_BACKWARD.code();
        WorkCosts inference = new WorkCosts(COST, block, ActivationKind.LEAKYRELU, null, false, false, false);
        assertEquals(0, inference.cycles(backward));
        assertEquals(COST.completionCycles(block, ActivationKind.LEAKYRELU),
                inference.cycles(KernelWork.FORWARD.code()));
        assertThrows(IllegalArgumentException.class,
                () -> new WorkCosts(COST, block, ActivationKind.LEAKYRELU, null, false, false, true));
        WorkCosts training = new WorkCosts(COST, block, ActivationKind.RELU, null, true, false, true);
        assertEquals(COST.deltaCycles(block, ActivationKind.RELU) + COST.blockBackwardCycles(block, true),
                training.cycles(backward));
    }
}
