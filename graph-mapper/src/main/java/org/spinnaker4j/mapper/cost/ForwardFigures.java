package org.spinnaker4j.mapper.cost;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;

/**
 * The cost table's figures for the forward work of one arithmetic's kernels: a block's value filed, MAC and row (a 2-D
 * convolution's block: its row and its runs besides their MACs), its
 * completion (fixed and per column, fused or not, its activation per output), a reduce's partial filed and its columns
 * completed (streamed, or all at once), a relay's, a softmax's forward steps over several cores, a sink's value and a
 * source's. {@link #inCycles()} says their unit: the float32 kernels' are ARM instructions, which
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
    private final double unfusedFixed;
    private final double unfusedColumn;
    private final double reducePartial;
    /** Per column a reduce streams, by activation (its partials summed, bias, activation, emit and send). */
    private final Map<ActivationKind, Double> reduceColumn;
    /** Per column a reduce completes at once, by activation. */
    private final Map<ActivationKind, Double> reduceOutput;
    /** Per column of a softmax reduce spread over cores, its completing partial (the first step, whole). */
    private final double reduceSplitMax;
    /** Per column a relay forwards, besides its packet. */
    private final double relayColumn;
    /** A row a 2-D convolution's block multiplies in, besides its runs and MACs (the output columns under it). */
    private final double rowConvRow;
    /** A run of one output column's channels a 2-D convolution's block multiplies a row into, besides its MACs. */
    private final double rowConvRun;
    /** Per output of an activating core, besides a block's {@link #blockColumn}. */
    private final Map<ActivationKind, Double> perOutput;
    private final Map<SoftmaxStep, Double> softmaxSplit;

    private ForwardFigures(Arithmetic arithmetic, boolean inCycles, double[] figures,
            Map<ActivationKind, Double> perOutput, Map<SoftmaxStep, Double> softmaxSplit,
            Map<ActivationKind, Double> reduceColumn, Map<ActivationKind, Double> reduceOutput) {
        this.arithmetic = arithmetic;
        this.inCycles = inCycles;
        this.valuePacket = figures[0];
        this.sinkPacket = figures[1];
        this.mac = figures[2];
        this.blockRow = figures[3];
        this.blockFixed = figures[4];
        this.blockColumn = figures[5];
        this.sourceValue = figures[6];
        this.unfusedFixed = figures[7];
        this.unfusedColumn = figures[8];
        this.reducePartial = figures[9];
        this.reduceSplitMax = figures[10];
        this.relayColumn = figures[11];
        this.rowConvRow = figures[12];
        this.rowConvRun = figures[13];
        this.reduceColumn = reduceColumn;
        this.reduceOutput = reduceOutput;
        this.perOutput = perOutput;
        this.softmaxSplit = softmaxSplit;
    }

    /**
     * The float32 kernels' figures, in instructions: a block's completion is the same fused or not (a fused block's
     * activation per output is a reduce's whole output), a reduce's streamed column its whole output and its own loop
     * ({@code reduce.column}), a relay's column a reduce's with the identity.
     */
    static ForwardFigures float32(InstructionCounts table) {
        Map<ActivationKind, Double> perOutput = new EnumMap<>(ActivationKind.class);
        Map<ActivationKind, Double> reduceColumn = new EnumMap<>(ActivationKind.class);
        double streamLoop = table.of("reduce.column");
        for (ActivationKind a : ActivationKind.values()) {
            perOutput.put(a, table.of("forward.output." + key(a)));
            reduceColumn.put(a, perOutput.get(a) + streamLoop);
        }
        Map<SoftmaxStep, Double> split = new EnumMap<>(SoftmaxStep.class);
        for (SoftmaxStep step : FORWARD_STEPS) {
            split.put(step, table.of("softmax.split." + key(step)));
        }
        double fixed = table.of("block.completion.fixed");
        double column = table.of("block.completion.column");
        return new ForwardFigures(Arithmetic.FLOAT32, false, new double[] {table.of("block.value"),
            table.of("sink.value"), table.of("block.mac"), table.of("block.row"), fixed, column,
            table.of("source.value"), fixed, column, table.of("reduce.partial"), split.get(SoftmaxStep.MAX),
            reduceColumn.get(ActivationKind.IDENTITY), table.of("rowconv.row"), table.of("rowconv.run")}, perOutput,
            split, reduceColumn, perOutput);
    }

    /**
     * The s16.15 kernels' figures, in estimated cycles: a fused block's completion per column is measured whole for
     * each activation ({@code fix.block.completion.column.<activation>}, identity's without a suffix), so its
     * activation per output is the difference to identity's; likewise the first step of a softmax spread over cores.
     * An unfused block's completion (its sums sent as two halves each, not rounded) and a reduce's columns (halves
     * summed, rounded once: {@code fix.reduce.column.<activation>} streamed, a softmax's all at once) are measured
     * whole; a relay's column besides its word's filing ({@code fix.reduce.partial}).
     */
    static ForwardFigures s16_15(InstructionCounts table) {
        double column = table.of("fix.block.completion.column.cycles");
        double reduceIdentity = table.of("fix.reduce.column.cycles");
        Map<ActivationKind, Double> perOutput = new EnumMap<>(ActivationKind.class);
        Map<ActivationKind, Double> reduceColumn = new EnumMap<>(ActivationKind.class);
        for (ActivationKind a : FIXED_ACTIVATIONS) {
            perOutput.put(a, a == ActivationKind.IDENTITY ? 0.0
                    : table.of("fix.block.completion.column." + key(a) + ".cycles") - column);
            if (a != ActivationKind.SOFTMAX) {
                reduceColumn.put(a, a == ActivationKind.IDENTITY ? reduceIdentity
                        : table.of("fix.reduce.column." + key(a) + ".cycles"));
            }
        }
        // a reduce completes its columns at once only with a softmax (s4j_streams_columns), else as it streams them;
        // a softmax's column, which never streams, is its share of that completion
        reduceColumn.put(ActivationKind.SOFTMAX, table.of("fix.reduce.completion.column.softmax.cycles"));
        double splitMax = table.of("fix.softmax.split.max.cycles");
        Map<SoftmaxStep, Double> split = new EnumMap<>(SoftmaxStep.class);
        split.put(SoftmaxStep.MAX, splitMax - column);
        split.put(SoftmaxStep.SUM, table.of("fix.softmax.split.sum.cycles"));
        split.put(SoftmaxStep.NORMALISE, table.of("fix.softmax.split.normalise.cycles"));
        return new ForwardFigures(Arithmetic.S16_15, true, new double[] {table.of("fix.block.value.cycles"),
            table.of("fix.sink.value.cycles"), table.of("fix.block.mac.cycles"), table.of("fix.block.row.cycles"),
            table.of("fix.block.completion.fixed.cycles"), column, table.of("fix.source.value.cycles"),
            table.of("fix.unfused.completion.fixed.cycles"), table.of("fix.unfused.completion.column.cycles"),
            table.of("fix.reduce.partial.cycles"), splitMax, table.of("fix.relay.column.cycles"),
            table.of("fix.rowconv.row.cycles"), table.of("fix.rowconv.run.cycles")},
            perOutput, split, reduceColumn, reduceColumn);
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

    /** A row a 2-D convolution's block multiplies in, besides its runs and MACs. */
    double rowConvRow() {
        return rowConvRow;
    }

    /** A run of one output column's channels a 2-D convolution's block multiplies a row into, besides its MACs. */
    double rowConvRun() {
        return rowConvRun;
    }

    /** The fixed work of the event that completes a block ({@code fused} or not), besides its row and columns. */
    double blockFixed(boolean fused) {
        return fused ? blockFixed : unfusedFixed;
    }

    /** Per column of the event that completes a block ({@code fused} or not), besides its row and activation. */
    double blockColumn(boolean fused) {
        return fused ? blockColumn : unfusedColumn;
    }

    /** A partial filed by a reduce (an s16.15 reduce's: a half of a block's 64-bit sum) or a word by a relay. */
    double reducePartial() {
        return reducePartial;
    }

    /** Per column a reduce streams as its partials arrive ({@code ColumnStreaming}). */
    double reduceColumn(ActivationKind activation) {
        return known(reduceColumn, activation);
    }

    /**
     * Per column of a reduce that completes its columns at once: its whole output, or with {@code softmaxSplit} the
     * first step of a softmax spread over cores (its sums, bias, local max).
     */
    double reduceOutput(ActivationKind activation, boolean softmaxSplit) {
        return softmaxSplit ? reduceSplitMax : known(reduceOutput, activation);
    }

    /** Per column a relay forwards, besides its packet ({@link #reducePartial()}). */
    double relayColumn() {
        return relayColumn;
    }

    private double known(Map<ActivationKind, Double> figures, ActivationKind activation) {
        Double f = figures.get(activation);
        if (f == null) {
            throw new IllegalArgumentException("the " + arithmetic + " kernels do not compute " + activation
                    + " (the host refuses it at init()), so it has no cost");
        }
        return f;
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
        return known(perOutput, activation);
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
