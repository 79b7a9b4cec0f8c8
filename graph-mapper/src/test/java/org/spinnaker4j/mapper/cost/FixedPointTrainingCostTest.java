package org.spinnaker4j.mapper.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.PoolingWork;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.PoolingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * An s16.15 training block's backward pass and update are charged the s16.15 training kernels' figures, in the cycles
 * the calibration estimates ({@code fix.backward.*}, {@code fix.loss.output.*} and {@code fix.update.*} as
 * {@code .cycles}); a float32 block keeps the float kernels' instructions at 1.3 cycles each; what the s16.15 kernels
 * do not train has no cost and throws.
 */
class FixedPointTrainingCostTest {

    private static final CoreCostModel COST = CoreCostModel.ARM968_SOFT_FLOAT;
    private static final InstructionCounts TABLE = InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT);
    private static final int ROWS = 12;
    private static final int COLS = 10;
    private static final MachineVertex FIXED = block(Arithmetic.S16_15);
    private static final MachineVertex FLOATING = block(Arithmetic.FLOAT32);
    private static final OutputLoss MCXENT = new OutputLoss(LossFunction.MCXENT, false);
    private static final OutputLoss MSE = new OutputLoss(LossFunction.MSE, false);

    private static MachineVertex block(Arithmetic arithmetic) {
        return new MachineVertex(0, VertexKind.DENSE_BLOCK, 1, new Slice(0, ROWS), new Slice(0, COLS), true, null,
                null, arithmetic, true);
    }

    private static double cycles(String key) {
        return TABLE.of(key + ".cycles");
    }

    private static long floatCycles(double instructions) {
        return Math.round(instructions * COST.cyclesPerInstruction());
    }

    private static String key(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    @Test
    void aFixedHiddenBlocksDeltasAreItsActivationsBackwardFigurePerColumn() {
        for (ActivationKind a : List.of(ActivationKind.IDENTITY, ActivationKind.RELU, ActivationKind.TANH,
                ActivationKind.SIGMOID)) {
            long expected = Math.round(COLS * cycles("fix.backward.output." + key(a)));
            assertEquals(expected, COST.deltaCycles(FIXED, a), a.toString());
            assertEquals(expected, COST.deltaCycles(FIXED, a, null, false), a.toString());
            assertNotEquals(COST.deltaCycles(FLOATING, a), COST.deltaCycles(FIXED, a), a + ": not float's");
        }
    }

    @Test
    void aFixedOutputBlocksDeltasAreItsLossesFigurePerColumn() {
        assertEquals(Math.round(COLS * cycles("fix.loss.output.softmax.mcxent")),
                COST.deltaCycles(FIXED, ActivationKind.SOFTMAX, MCXENT));
        assertEquals(Math.round(COLS * cycles("fix.loss.output.identity.mse")),
                COST.deltaCycles(FIXED, ActivationKind.IDENTITY, MSE));
        assertNotEquals(COST.deltaCycles(FLOATING, ActivationKind.SOFTMAX, MCXENT),
                COST.deltaCycles(FIXED, ActivationKind.SOFTMAX, MCXENT));
    }

    /**
     * The event completing a block's backward pass: fixed, per weight dW (and the error W·delta, sending backward),
     * per row the row kept or its error sent.
     */
    @Test
    void aFixedBlocksBackwardPassIsItsFixedWeightsAndRows() {
        long weights = (long) ROWS * COLS;
        long kept = Math.round(cycles("fix.backward.fixed") + weights * cycles("fix.backward.dw")
                + ROWS * cycles("fix.backward.row.kept"));
        long sent = Math.round(cycles("fix.backward.fixed") + weights * cycles("fix.backward.dw_and_error")
                + ROWS * cycles("fix.backward.row.sent"));
        assertEquals(kept, COST.blockBackwardCycles(FIXED, false));
        assertEquals(sent, COST.blockBackwardCycles(FIXED, true));
        assertEquals(COST.deltaCycles(FIXED, ActivationKind.RELU) + sent,
                COST.backwardCycles(FIXED, ActivationKind.RELU, true));
        assertEquals(COST.deltaCycles(FIXED, ActivationKind.SOFTMAX, MCXENT) + kept,
                COST.backwardCycles(FIXED, ActivationKind.SOFTMAX, MCXENT, false));
    }

    /** A word (an error word or a label) filed without completing the backward pass: dispatch and its own figure. */
    @Test
    void aFixedBlocksBackwardPacketIsItsWordsFigure() {
        long packet = COST.dispatchCycles() + Math.round(cycles("fix.backward.value"));
        assertEquals(packet, COST.backwardPacketCycles(FIXED));
        assertNotEquals(COST.packetCycles(FIXED), packet, "not a forward word's");
        assertEquals(7 * packet + COST.backwardCycles(FIXED, ActivationKind.TANH, true),
                COST.backwardSampleCycles(FIXED, ActivationKind.TANH, null, 7, true, false));
        assertEquals(3 * packet + COST.backwardCycles(FIXED, ActivationKind.IDENTITY, MSE, false),
                COST.backwardSampleCycles(FIXED, ActivationKind.IDENTITY, MSE, 3, false, false));
    }

    /** Every weight and bias, whatever the updater and rounding, at {@code fix.update.<updater>.<rounding>}. */
    @Test
    void aFixedBlocksUpdateIsItsUpdatersAndRoundingsFigurePerParameter() {
        long parameters = (long) ROWS * COLS + COLS;
        for (UpdaterType u : List.of(UpdaterType.SGD, UpdaterType.ADAM)) {
            assertEquals(Math.round(parameters * cycles("fix.update." + key(u) + ".nearest")),
                    COST.fixedUpdateCycles(FIXED, u, false), u.toString());
            assertEquals(Math.round(parameters * cycles("fix.update." + key(u) + ".stochastic")),
                    COST.fixedUpdateCycles(FIXED, u, true), u.toString());
        }
        MachineVertex unfused = new MachineVertex(0, VertexKind.DENSE_BLOCK, 1, new Slice(0, ROWS),
                new Slice(0, COLS), false, null, null, Arithmetic.S16_15, true);
        assertEquals(Math.round((long) ROWS * COLS * cycles("fix.update.sgd.nearest")),
                COST.fixedUpdateCycles(unfused, UpdaterType.SGD, false), "no bias: it does not activate");
    }

    /** The float32 figures, worked out from the table as before the s16.15 ones came. */
    @Test
    void aFloatBlocksBackwardPassAndUpdateStayTheFloatInstructions() {
        long weights = (long) ROWS * COLS;
        assertEquals(floatCycles(COLS * TABLE.of("backward.output.relu")),
                COST.deltaCycles(FLOATING, ActivationKind.RELU));
        assertEquals(floatCycles(COLS * TABLE.of("loss.output.softmax.mcxent")),
                COST.deltaCycles(FLOATING, ActivationKind.SOFTMAX, MCXENT));
        assertEquals(floatCycles(COLS * TABLE.of("softmax.split.deltas")),
                COST.deltaCycles(FLOATING, ActivationKind.SOFTMAX, null, true));
        assertEquals(floatCycles(TABLE.of("backward.fixed") + weights * TABLE.of("backward.dw")),
                COST.blockBackwardCycles(FLOATING, false));
        assertEquals(floatCycles(TABLE.of("backward.fixed") + weights * TABLE.of("backward.dw_and_w_delta")
                + ROWS * TABLE.of("backward.row")), COST.blockBackwardCycles(FLOATING, true));
        assertEquals(COST.packetCycles(FLOATING), COST.backwardPacketCycles(FLOATING));
        assertEquals(5 * COST.packetCycles(FLOATING) + COST.backwardCycles(FLOATING, ActivationKind.RELU, true),
                COST.backwardSampleCycles(FLOATING, ActivationKind.RELU, null, 5, true, false));
        assertEquals(floatCycles((weights + COLS) * TABLE.of("update.adam")),
                COST.updateCycles(FLOATING, UpdaterType.ADAM));
    }

    @Test
    void whatTheFixedTrainingKernelsLackThrowsNamingIt() {
        MachineVertex pooling = new MachineVertex(0, VertexKind.DENSE_BLOCK, 1, new Slice(0, ROWS),
                new Slice(0, COLS), true, new PoolingWork(PoolingSpec.Kind.MAX, 3, 5, 12), null, Arithmetic.S16_15,
                true);
        MachineVertex convolution = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, 3 * 9 * 3),
                new Slice(0, 36), true, null, new Conv2DGeometry(3, 7, 9, 4, 3, 5, 2, 1, 1, 2, 4, 9, false),
                Arithmetic.S16_15, true);
        UpdaterSpec sgd = new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f);
        List<Executable> refused = List.of(
                () -> COST.deltaCycles(FIXED, ActivationKind.LEAKYRELU),
                () -> COST.deltaCycles(FIXED, ActivationKind.SOFTMAX),
                () -> COST.deltaCycles(FIXED, ActivationKind.IDENTITY, MCXENT),
                () -> COST.deltaCycles(FIXED, ActivationKind.SOFTMAX, MSE),
                () -> COST.deltaCycles(FIXED, ActivationKind.SIGMOID, new OutputLoss(LossFunction.XENT, false)),
                () -> COST.deltaCycles(FIXED, ActivationKind.IDENTITY, new OutputLoss(LossFunction.MSE, true)),
                () -> COST.deltaCycles(FIXED, ActivationKind.IDENTITY, new OutputLoss(LossFunction.L2, false)),
                () -> COST.deltaCycles(FIXED, ActivationKind.SOFTMAX, null, true),
                () -> COST.blockBackwardCycles(pooling, true),
                () -> COST.blockBackwardCycles(convolution, false),
                () -> COST.fixedUpdateCycles(FIXED, UpdaterType.ADAMAX, true),
                () -> COST.fixedUpdateCycles(FIXED, UpdaterType.NESTEROVS, false),
                () -> COST.fixedUpdateCycles(FLOATING, UpdaterType.SGD, false),
                () -> COST.updateCycles(FIXED, sgd),
                () -> COST.updateCycles(FIXED, UpdaterType.ADAM));
        List<String> named = List.of("LEAKYRELU", "SOFTMAX", "MCXENT", "MSE", "XENT", "weighted", "L2", "softmax",
                "pools", "convolution", "ADAMAX", "NESTEROVS", "FLOAT32", "fixedUpdateCycles", "fixedUpdateCycles");
        for (int k = 0; k < refused.size(); k++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, refused.get(k), named.get(k));
            assertTrue(e.getMessage().contains(named.get(k)), named.get(k) + ": " + e.getMessage());
        }
    }
}
