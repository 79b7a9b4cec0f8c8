package org.spinnaker4j.mapper.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.PoolingWork;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.GradientNormalizationSpec;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.PoolingSpec;
import org.spinnaker4j.mapper.ir.RegularizationSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;

class CoreCostModelTest {

    private static final CoreCostModel COST = CoreCostModel.ARM968_SOFT_FLOAT;
    private static final MachineVertex BLOCK = new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, 10),
            new Slice(0, 4), true);
    private static final MachineVertex WIDER = new MachineVertex(1, VertexKind.DENSE_BLOCK, 0, new Slice(0, 10),
            new Slice(0, 8), true);
    private static final MachineVertex REDUCE = new MachineVertex(2, VertexKind.REDUCE, 0, new Slice(0, 10),
            new Slice(0, 4), false);

    /**
     * A pooling block pools every row when its last arrives: its rows cost nothing as they come and all of their
     * compares or adds in its completion, with its own figures (a block of weights' rows would cost a MAC per column).
     */
    @Test
    void aPoolingBlockIsChargedItsRowsAtCompletion() {
        InstructionCounts table = InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT);
        for (PoolingSpec.Kind kind : PoolingSpec.Kind.values()) {
            String k = kind.name().toLowerCase(Locale.ROOT);
            MachineVertex pool = new MachineVertex(3, VertexKind.DENSE_BLOCK, 0, new Slice(0, 12), new Slice(0, 4),
                    true, new PoolingWork(kind, 3, 5, 12));
            assertEquals(0, COST.rowCycles(pool));
            double instructions = table.of("pool.completion.fixed." + k) + 12 * table.of("pool.value." + k)
                    + 3 * table.of("pool.window." + k) + 5 * table.of("pool.pixel." + k)
                    + 4 * table.of("pool.completion.column." + k);
            assertEquals(Math.round(instructions * COST.cyclesPerInstruction()),
                    COST.completionCycles(pool, ActivationKind.IDENTITY), kind.toString());
        }
        assertTrue(COST.rowCycles(BLOCK) > 4 * table.of("block.mac"));
    }

    /**
     * A training MAX or AVG pooling block's backward pass is charged its own figures: its values, those beyond its rows
     * (windows overlapping on a row), its rows sent back and its columns; nothing if it sends nothing back (the first
     * layer), and no dW.
     */
    @Test
    void aPoolingBlocksBackwardIsChargedItsWindows() {
        InstructionCounts table = InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT);
        for (PoolingSpec.Kind kind : List.of(PoolingSpec.Kind.MAX, PoolingSpec.Kind.AVG)) {
            String k = kind.name().toLowerCase(Locale.ROOT);
            MachineVertex pool = new MachineVertex(3, VertexKind.DENSE_BLOCK, 0, new Slice(0, 12), new Slice(0, 4),
                    true, new PoolingWork(kind, 3, 5, 20));
            double instructions = table.of("poolback.fixed." + k) + 20 * table.of("poolback.value." + k)
                    + 8 * table.of("poolback.overlap." + k) + 12 * table.of("poolback.row." + k)
                    + 4 * table.of("poolback.column." + k);
            assertEquals(Math.round(instructions * COST.cyclesPerInstruction()), COST.blockBackwardCycles(pool, true),
                    kind.toString());
            assertEquals(0, COST.blockBackwardCycles(pool, false), kind + " on the first layer");
        }
    }

    @Test
    void theCostTableHoldsEveryFigureTheModelNeeds() {
        InstructionCounts table = InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT);
        assertTrue(table.figures().size() >= 30, "figures: " + table.figures().keySet());
        assertTrue(table.of("block.mac") > 20, "a soft-float MAC takes tens of instructions");
        // every figure each method reads: a missing one would fail here (and the model's class would not load)
        for (ActivationKind a : ActivationKind.values()) {
            assertTrue(COST.completionCycles(BLOCK, a) > 0, a.toString());
            assertTrue(COST.completionCycles(REDUCE, a) > 0, a.toString());
            assertTrue(COST.deltaCycles(REDUCE, a) > 0, a.toString());
        }
        for (SoftmaxStep step : SoftmaxStep.values()) {
            assertTrue(COST.softmaxStepCycles(REDUCE, step) > 0, step.toString());
        }
        for (UpdaterType u : UpdaterType.values()) {
            assertTrue(COST.updateCycles(BLOCK, u) > 0, u.toString());
            UpdaterSpec plain = new UpdaterSpec(u, 0.1f, 0.9f, 0.999f, 1e-8f);
            UpdaterSpec regularized = new UpdaterSpec(u, 0.1f, 0.9f, 0.999f, 1e-8f,
                    new RegularizationSpec(0f, 1e-4f, 0f, false, 0), RegularizationSpec.NONE);
            assertEquals(COST.updateCycles(BLOCK, u), COST.updateCycles(BLOCK, plain), u.toString());
            assertTrue(COST.updateCycles(BLOCK, regularized) > COST.updateCycles(BLOCK, plain), u.toString());
        }
        UpdaterSpec adam = new UpdaterSpec(UpdaterType.ADAM, 0.1f, 0.9f, 0.999f, 1e-8f);
        UpdaterSpec adamWithSgdBias = new UpdaterSpec(UpdaterType.ADAM, 0.1f, 0.9f, 0.999f, 1e-8f,
                RegularizationSpec.NONE, RegularizationSpec.NONE, new UpdaterSpec(UpdaterType.SGD, 0.1f, 0, 0, 0),
                GradientNormalizationSpec.NONE);
        assertTrue(COST.updateCycles(REDUCE, adamWithSgdBias) < COST.updateCycles(REDUCE, adam),
                "a bias is updated at its own updater's cost");
        assertEquals(COST.updateCycles(REDUCE, UpdaterType.SGD), COST.updateCycles(REDUCE, adamWithSgdBias));
        for (VertexKind k : VertexKind.values()) {
            assertTrue(COST.packetCycles(new MachineVertex(0, k, 0, new Slice(0, 4), new Slice(0, 4), false))
                    > COST.dispatchCycles(), k.toString());
        }
        assertTrue(COST.blockBackwardCycles(BLOCK, true) > COST.blockBackwardCycles(BLOCK, false));
    }

    /**
     * A batch normalization's mini-batch events are charged per sample and column with the table's fit, and its update charges gamma and beta as parameters plus each column's statistics step.
     */
    @Test
    void aBatchNormalizationsMiniBatchIsChargedItsMeasuredWork() {
        InstructionCounts table = InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT);
        for (String event : List.of("forward", "backward")) {
            double perSample = table.of("bn." + event + ".sample");
            double perColumn = table.of("bn." + event + ".column");
            double perValue = table.of("bn." + event + ".value");
            double fixed = table.of("bn." + event + ".fixed");
            long expected = Math.round((fixed + 16 * perSample + 12 * perColumn + 16 * 12 * perValue) * 1.3);
            long charged = event.equals("forward") ? COST.batchNormForwardCycles(12, 16)
                    : COST.batchNormBackwardCycles(12, 16);
            assertEquals(expected, charged, 1, event);
            assertTrue(perValue > 100 && perColumn > 0, event + ": a value's soft-float work and send");
        }
        assertTrue(COST.batchNormForwardCycles(1, 1) > 0, "never free");
        assertTrue(COST.batchNormBackwardCycles(8, 32) > COST.batchNormForwardCycles(8, 32), "backward does more");
        assertThrows(IllegalArgumentException.class, () -> COST.batchNormForwardCycles(0, 4));
        MachineVertex norm = new MachineVertex(3, VertexKind.DENSE_BLOCK, 0, new Slice(0, 12), new Slice(0, 12),
                true, new PoolingWork(PoolingSpec.Kind.NORM, 1, 1, 12));
        double perColumn = 2 * table.of("update.sgd") + Math.max(table.of("bn.update.log"), table.of("bn.update.var"));
        assertEquals(Math.round(12 * perColumn * 1.3), COST.updateCycles(norm, UpdaterType.SGD), 1,
                "gamma and beta, then the statistics, per column");
    }

    /**
     * In channel mode each exchange round and the forward and backward events are charged their own fit plus, per
     * column, every block's partial sum of each total they add; a block alone runs its rounds within its events.
     */
    @Test
    void aBatchNormalizationsExchangeIsChargedPerRoundAndBlock() {
        InstructionCounts table = InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT);
        double block = table.of("bn.sum.block");
        String[] events = {"exchange0", "exchange1", "exchange2", "chforward", "chbackward"};
        int[] totals = {0, 1, 0, 1, 5};
        for (int e = 0; e < events.length; e++) {
            String p = "bn." + events[e] + ".";
            long expected = Math.round((table.of(p + "fixed") + 16 * table.of(p + "sample") + 12 * table.of(p + "column")
                    + 16 * 12 * table.of(p + "value")) * 1.3) + Math.round(12.0 * totals[e] * 3 * block * 1.3);
            long charged = e < 3 ? COST.batchNormExchangeCycles(e, 12, 16, 3)
                    : e == 3 ? COST.batchNormChannelForwardCycles(12, 16, 3) : COST.batchNormChannelBackwardCycles(12, 16, 3);
            assertEquals(expected, charged, 1, events[e]);
        }
        assertTrue(block > 0 && table.of("bn.partial") > 0, "a block's sum added, a partial filed");
        assertEquals(COST.batchNormExchangeCycles(0, 12, 16, 1) + COST.batchNormExchangeCycles(1, 12, 16, 1)
                + COST.batchNormChannelForwardCycles(12, 16, 2) - Math.round(12.0 * block * 1.3),
                COST.batchNormChannelForwardCycles(12, 16, 1), 2, "a block alone runs rounds 0 and 1 itself");
        assertTrue(COST.batchNormChannelBackwardCycles(12, 16, 8) > COST.batchNormChannelBackwardCycles(12, 16, 2),
                "more blocks, more sums added");
        assertThrows(IllegalArgumentException.class, () -> COST.batchNormExchangeCycles(3, 12, 16, 2));
        assertThrows(IllegalArgumentException.class, () -> COST.batchNormChannelForwardCycles(12, 16, 0));
    }

    @Test
    void anOutputCoreIsChargedItsLossesMeasuredWork() {
        InstructionCounts table = InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT);
        Map<ActivationKind, Double> backward = new EnumMap<>(ActivationKind.class);
        for (ActivationKind a : ActivationKind.values()) {
            backward.put(a, table.of("backward.output." + a.name().toLowerCase(Locale.ROOT)));
        }
        // a pair the table holds is its figure
        assertEquals(table.of("loss.output.identity.hinge"), LossCosts.perOutput(table, backward,
                ActivationKind.IDENTITY, new OutputLoss(LossFunction.HINGE, false)));
        assertEquals(table.of("loss.output.softmax.mcxent_weighted"), LossCosts.perOutput(table, backward,
                ActivationKind.SOFTMAX, new OutputLoss(LossFunction.SPARSE_MCXENT, true)));
        // another activation: the loss's own work plus that activation's backward work
        assertEquals(table.of("loss.output.identity.hinge") - backward.get(ActivationKind.IDENTITY)
                + backward.get(ActivationKind.TANH), LossCosts.perOutput(table, backward, ActivationKind.TANH,
                new OutputLoss(LossFunction.HINGE, false)), 1e-9);
        // weights not measured with this loss: what they add to the MSE
        assertEquals(LossCosts.perOutput(table, backward, ActivationKind.SOFTPLUS,
                new OutputLoss(LossFunction.MEAN_SQUARED_LOGARITHMIC_ERROR, false))
                + table.of("loss.output.identity.mse_weighted") - table.of("loss.output.identity.mse"),
                LossCosts.perOutput(table, backward, ActivationKind.SOFTPLUS,
                        new OutputLoss(LossFunction.MEAN_SQUARED_LOGARITHMIC_ERROR, true)), 1e-9);
        for (LossFunction l : LossFunction.values()) {
            for (ActivationKind a : ActivationKind.values()) {
                for (boolean weighted : new boolean[] {false, true}) {
                    assertTrue(COST.deltaCycles(REDUCE, a, new OutputLoss(l, weighted)) > 0, l + " " + a);
                }
            }
        }
    }

    @Test
    void aBlockPaysForEachRowItMultipliesIn() {
        long row = COST.rowCycles(BLOCK);
        long mac = Math.round(InstructionCounts.load(InstructionCounts.ARM968_SOFT_FLOAT).of("block.mac") * 1.3);
        assertTrue(COST.rowCycles(WIDER) - row >= 4 * mac - 4, "four more columns cost four more MACs per row");
        assertEquals(0, COST.rowCycles(REDUCE), "a reduce multiplies no rows");
        assertEquals(COST.packetCycles(BLOCK) + row, COST.forwardPacketCycles(BLOCK));
        assertEquals(COST.packetCycles(REDUCE), COST.forwardPacketCycles(REDUCE));
    }

    @Test
    void forwardSampleCyclesCountsPacketsRowsAndCompletion() {
        long packet = COST.packetCycles(BLOCK);
        assertEquals(10 * packet + 10 * COST.rowCycles(BLOCK) + COST.completionCycles(BLOCK, ActivationKind.RELU),
                COST.forwardSampleCycles(BLOCK, ActivationKind.RELU, 10, false, false));
        assertEquals(packet, COST.forwardSampleCycles(BLOCK, ActivationKind.RELU, 11, false, false)
                - COST.forwardSampleCycles(BLOCK, ActivationKind.RELU, 10, false, false), "each packet once");
        assertEquals(8 * COST.packetCycles(REDUCE) + COST.completionCycles(REDUCE, ActivationKind.SIGMOID),
                COST.forwardSampleCycles(REDUCE, ActivationKind.SIGMOID, 8, false, false));
    }

    @Test
    void aCoreCompletingColumnByColumnPaysEachColumnsWork() {
        long columns = REDUCE.cols().size() * COST.columnCycles(REDUCE, ActivationKind.SIGMOID);
        assertEquals(8 * COST.packetCycles(REDUCE) + columns,
                COST.forwardSampleCycles(REDUCE, ActivationKind.SIGMOID, 8, false, true));
        // each column's work is the whole z's per output and the loop finding the column
        assertTrue(columns > COST.completionCycles(REDUCE, ActivationKind.SIGMOID), columns + " cycles");
        assertEquals(COST.completionCycles(REDUCE, ActivationKind.SIGMOID),
                COST.forwardWorkCycles(REDUCE, ActivationKind.SIGMOID, false, false));
    }

    @Test
    void aSoftmaxSpreadOverCoresCostsItsStepsOnceEach() {
        // the steps, measured apart, add up to about one unsplit softmax per output, forward and backward:
        // a split adds its exchanges (packets), not the activation twice more
        long unsplit = COST.completionCycles(REDUCE, ActivationKind.SOFTMAX);
        long split = COST.completionCycles(REDUCE, ActivationKind.SOFTMAX, true)
                + COST.softmaxStepCycles(REDUCE, SoftmaxStep.SUM) + COST.softmaxStepCycles(REDUCE, SoftmaxStep.NORMALISE);
        assertEquals(unsplit, split, 0.05 * unsplit);
        assertEquals(split, COST.forwardSampleCycles(REDUCE, ActivationKind.SOFTMAX, 0, true, false));
        assertEquals(split, COST.forwardWorkCycles(REDUCE, ActivationKind.SOFTMAX, true));
        long unsplitBack = COST.deltaCycles(REDUCE, ActivationKind.SOFTMAX);
        long splitBack = COST.deltaCycles(REDUCE, ActivationKind.SOFTMAX, null, true)
                + COST.softmaxStepCycles(REDUCE, SoftmaxStep.DOT);
        assertEquals(unsplitBack, splitBack, 0.05 * unsplitBack);
        assertEquals(splitBack, COST.backwardSampleCycles(REDUCE, ActivationKind.SOFTMAX, null, 0, false, true));
        assertTrue(COST.completionCycles(REDUCE, ActivationKind.SOFTMAX, true) < unsplit / 5);
    }

    @Test
    void aTableWithoutAFigureOrWithABadOneSaysWhich() throws IOException {
        InstructionCounts partial = InstructionCounts.parse(new StringReader("# a comment\nblock.value = 129\n"), "t");
        assertEquals(129.0, partial.of("block.value"));
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> partial.of("block.mac"));
        assertTrue(missing.getMessage().contains("block.mac") && missing.getMessage().contains("make"),
                missing.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> InstructionCounts.parse(new StringReader("block.mac = many\n"), "t"));
        assertTrue(bad.getMessage().contains("block.mac = many"), bad.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> InstructionCounts.parse(new StringReader("block.mac = -3\n"), "t"));
    }
}
