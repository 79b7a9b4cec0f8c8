package org.spinnaker4j.mapper.cost;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;

/**
 * The cost table's figures for the forward work of one arithmetic's kernels: a block's value filed, MAC and row, its
 * completion (fixed and per column, its activation per output), a softmax's forward steps over several cores, a sink's value
 * and a source's. {@link #inCycles()} says their unit: the float32 kernels' are ARM instructions, which
 * {@link CoreCostModel} turns into cycles with its cycles per instruction; the s16.15 kernels' are cycles estimated
 * from the same calibration traces (the {@code *.cycles} keys, {@code arm9e-cycles.awk}), because their loops run at
 * very different cycles per instruction (the MAC at 3.6) from float's (about 1.3).
 */
final class ForwardFigures {

    /** The activations the s16.15 kernels compute (the host refuses every other at init()). */
    private static final Set<ActivationKind> FIXED_ACTIVATIONS = EnumSet.of(ActivationKind.IDENTITY,
            ActivationKind.RELU, ActivationKind.LEAKYRELU, ActivationKind.HARDTANH, ActivationKind.SIGMOID,
            ActivationKind.TANH, ActivationKind.SOFTPLUS, ActivationKind.ELU, ActivationKind.SOFTMAX);

    /** The forward steps of a softmax spread over cores (the backward ones are training work, float32's only). */
    static final Set<SoftmaxStep> FORWARD_STEPS = EnumSet.of(SoftmaxStep.MAX, SoftmaxStep.SUM, SoftmaxStep.NORMALISE);

    private final Arithmetic arithmetic;
    private final boolean inCycles;
    private final double valuePacket;
    private final double sinkPacket;
    private final double mac;
    private final double blockRow;
    private final double blockFixed;
    private final double blockColumn;
    private final double sourceValue;
    /** Per output of an activating core, besides a block's {@link #blockColumn}. */
    private final Map<ActivationKind, Double> perOutput;
    private final Map<SoftmaxStep, Double> softmaxSplit;

    private ForwardFigures(Arithmetic arithmetic, boolean inCycles, double[] figures,
            Map<ActivationKind, Double> perOutput, Map<SoftmaxStep, Double> softmaxSplit) {
        this.arithmetic = arithmetic;
        this.inCycles = inCycles;
        this.valuePacket = figures[0];
        this.sinkPacket = figures[1];
        this.mac = figures[2];
        this.blockRow = figures[3];
        this.blockFixed = figures[4];
        this.blockColumn = figures[5];
        this.sourceValue = figures[6];
        this.perOutput = perOutput;
        this.softmaxSplit = softmaxSplit;
    }

    /** The float32 kernels' figures, in instructions. */
    static ForwardFigures float32(InstructionCounts table) {
        Map<ActivationKind, Double> perOutput = new EnumMap<>(ActivationKind.class);
        for (ActivationKind a : ActivationKind.values()) {
            perOutput.put(a, table.of("forward.output." + key(a)));
        }
        Map<SoftmaxStep, Double> split = new EnumMap<>(SoftmaxStep.class);
        for (SoftmaxStep step : FORWARD_STEPS) {
            split.put(step, table.of("softmax.split." + key(step)));
        }
        return new ForwardFigures(Arithmetic.FLOAT32, false, new double[] {table.of("block.value"),
            table.of("sink.value"), table.of("block.mac"), table.of("block.row"), table.of("block.completion.fixed"),
            table.of("block.completion.column"), table.of("source.value")}, perOutput, split);
    }

    /**
     * The s16.15 kernels' figures, in estimated cycles: a fused block's completion per column is measured whole for
     * each activation ({@code fix.block.completion.column.<activation>}, identity's without a suffix), so its
     * activation per output is the difference to identity's; likewise the first step of a softmax spread over cores.
     */
    static ForwardFigures s16_15(InstructionCounts table) {
        double column = table.of("fix.block.completion.column.cycles");
        Map<ActivationKind, Double> perOutput = new EnumMap<>(ActivationKind.class);
        for (ActivationKind a : FIXED_ACTIVATIONS) {
            perOutput.put(a, a == ActivationKind.IDENTITY ? 0.0
                    : table.of("fix.block.completion.column." + key(a) + ".cycles") - column);
        }
        Map<SoftmaxStep, Double> split = new EnumMap<>(SoftmaxStep.class);
        split.put(SoftmaxStep.MAX, table.of("fix.softmax.split.max.cycles") - column);
        split.put(SoftmaxStep.SUM, table.of("fix.softmax.split.sum.cycles"));
        split.put(SoftmaxStep.NORMALISE, table.of("fix.softmax.split.normalise.cycles"));
        return new ForwardFigures(Arithmetic.S16_15, true, new double[] {table.of("fix.block.value.cycles"),
            table.of("fix.sink.value.cycles"), table.of("fix.block.mac.cycles"), table.of("fix.block.row.cycles"),
            table.of("fix.block.completion.fixed.cycles"), column, table.of("fix.source.value.cycles")},
            perOutput, split);
    }

    /** An activation's or softmax step's name in the cost table's keys. */
    static String key(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Whether the figures are cycles (else instructions). */
    boolean inCycles() {
        return inCycles;
    }

    /** A value filed by a block without multiplying a row in. */
    double valuePacket() {
        return valuePacket;
    }

    /** A value filed by a sink. */
    double sinkPacket() {
        return sinkPacket;
    }

    /** One multiply-accumulate as a block multiplies a row in. */
    double mac() {
        return mac;
    }

    /** A row a block multiplies in, besides its MACs. */
    double blockRow() {
        return blockRow;
    }

    /** The fixed work of the event that completes a block, besides its row and columns. */
    double blockFixed() {
        return blockFixed;
    }

    /** Per column of the event that completes a block, besides its row and activation. */
    double blockColumn() {
        return blockColumn;
    }

    /** A value a source sends. */
    double sourceValue() {
        return sourceValue;
    }

    /**
     * Per output of an activating core, its activation: a reduce's whole output (float32), or what a fused block's
     * column costs beyond {@link #blockColumn()} (s16.15, where it may be negative: a softmax's column is rounded
     * and kept, not sent).
     */
    double perOutput(ActivationKind activation) {
        Double f = perOutput.get(activation);
        if (f == null) {
            throw new IllegalArgumentException("the " + arithmetic + " kernels do not compute " + activation
                    + " (the host refuses it at init()), so it has no cost");
        }
        return f;
    }

    /**
     * Per output of one forward step of a softmax spread over cores ({@link #FORWARD_STEPS}; the first,
     * {@link SoftmaxStep#MAX}, as {@link #perOutput}).
     */
    double softmaxStep(SoftmaxStep step) {
        Double f = softmaxSplit.get(step);
        if (f == null) {
            throw new IllegalArgumentException(step + " is not a forward step of a softmax");
        }
        return f;
    }
}
