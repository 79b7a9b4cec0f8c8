package org.spinnaker4j.mapper.cost;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;

/**
 * The cost table's figures for the forward work of one arithmetic's kernels: a block's value filed, MAC and row (a 2-D
 * convolution's block: its row and its runs besides their MACs; an s16.15 dense block: its word, kept for its
 * completion if it does not train, multiplied in as it arrives if it does), its
 * completion (fixed and per column, fused or not, its activation per output), a reduce's partial filed and its columns
 * completed (streamed, or all at once), a relay's, a softmax's forward steps over several cores, a sink's value and a
 * source's. {@link #inCycles()} says their unit: the float32 kernels' are ARM instructions, which
 * {@link CoreCostModel} turns into cycles with its cycles per instruction; the s16.15 kernels' are cycles estimated
 * from the same calibration traces (the {@code *.cycles} keys, {@code arm9e-cycles.awk}), because their loops run at
 * very different cycles per instruction (the MAC at 3.6) from float's (about 1.3).
 */
final class ForwardFigures implements KernelFigures {

    /** The forward steps of a softmax spread over cores (the backward ones are training work, float32's only). */
    static final Set<SoftmaxStep> FORWARD_STEPS = EnumSet.of(SoftmaxStep.MAX, SoftmaxStep.SUM, SoftmaxStep.NORMALISE);

    /** The columns of a panel of an s16.15 inference block's weights (the kernels' S4J_PANEL_COLS). */
    static final int PANEL_COLUMNS = 3;

    private final Arithmetic arithmetic;
    private final boolean inCycles;
    private final double valuePacket;
    /** A value a dense block (not pooling, not a 2-D convolution's) files, besides the row it may multiply in. */
    private final double wordPacket;
    /** The same, a training block's: s16.15's multiplied in as it arrives, besides its MACs. */
    private final double trainWordPacket;
    /**
     * An s16.15 inference block's MACs in its completion, in panels of three columns: per MAC and per panel, the
     * call, and the last panel's when it has 2 or 1 columns: per word and whole (all 0 in float32).
     */
    private final double panelMac;
    private final double panelFixed;
    private final double panelCall;
    private final double[] lastPanelRow = new double[PANEL_COLUMNS];
    private final double[] lastPanelFixed = new double[PANEL_COLUMNS];
    private final double sinkPacket;
    private final double mac;
    private final double blockRow;
    private final double blockFixed;
    private final double blockColumn;
    private final double sourceValue;
    /**
     * A first-layer block's rows read from SDRAM ({@code s4j_on_rows}): per call, and per row besides the row's own
     * multiply ({@link #blockRow} and its MACs, which the rows multiplied in are charged as by packet).
     */
    private final double dmaEvent;
    private final double dmaRow;
    /** The same of a training block (s16.15's: its words kept in its x ring and multiplied in, besides their MACs). */
    private final double trainDmaEvent;
    private final double trainDmaRow;
    private final double unfusedFixed;
    private final double unfusedColumn;
    private final double reducePartial;
    /** A block's partial sums a reduce reads back from SDRAM and files at once ({@code s4j_on_partials}): per call, per key. */
    private final double burstEvent;
    private final double burstKey;
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

    /**
     * Reads each figure by name under its key ({@link #tableKey}): the figures both arithmetics' kernels share, then
     * the ones float32's and s16.15's measure differently ({@link #float32}, {@link #s16_15}).
     */
    private ForwardFigures(Arithmetic arithmetic, InstructionCounts table) {
        this.arithmetic = arithmetic;
        this.inCycles = arithmetic == Arithmetic.S16_15;
        ToDoubleFunction<String> figure = name -> table.of(tableKey(arithmetic, name));
        this.valuePacket = figure.applyAsDouble("block.value");
        this.sinkPacket = figure.applyAsDouble("sink.value");
        this.mac = figure.applyAsDouble("block.mac");
        this.blockFixed = figure.applyAsDouble("block.completion.fixed");
        this.blockColumn = figure.applyAsDouble("block.completion.column");
        this.sourceValue = figure.applyAsDouble("source.value");
        this.dmaEvent = figure.applyAsDouble("block.dma.event");
        this.reducePartial = figure.applyAsDouble("reduce.partial");
        this.burstEvent = figure.applyAsDouble("reduce.burst.event");
        this.burstKey = figure.applyAsDouble("reduce.burst.key");
        this.rowConvRow = figure.applyAsDouble("rowconv.row");
        this.rowConvRun = figure.applyAsDouble("rowconv.run");
        // float32's: the stream loop besides a column's whole output; s16.15's: identity's whole streamed column
        double reduceColumnFigure = figure.applyAsDouble("reduce.column");
        Map<SoftmaxStep, Double> split = new EnumMap<>(SoftmaxStep.class);
        for (SoftmaxStep step : FORWARD_STEPS) {
            split.put(step, figure.applyAsDouble("softmax.split." + key(step)));
        }
        this.reduceSplitMax = split.get(SoftmaxStep.MAX);
        this.perOutput = new EnumMap<>(ActivationKind.class);
        this.reduceColumn = new EnumMap<>(ActivationKind.class);
        if (arithmetic == Arithmetic.FLOAT32) {
            for (ActivationKind a : ActivationKind.values()) {
                perOutput.put(a, table.of("forward.output." + key(a)));
                reduceColumn.put(a, perOutput.get(a) + reduceColumnFigure);
            }
            // a block files each value, then multiplies the rows in order (float addition is not associative)
            this.wordPacket = valuePacket;
            this.trainWordPacket = valuePacket;
            this.panelMac = 0.0;
            this.panelFixed = 0.0;
            this.panelCall = 0.0;
            this.blockRow = figure.applyAsDouble("block.row");
            this.unfusedFixed = blockFixed;
            this.unfusedColumn = blockColumn;
            this.relayColumn = reduceColumn.get(ActivationKind.IDENTITY);
            this.reduceOutput = perOutput;
        } else {
            for (ActivationKind a : ActivationKind.values()) {
                perOutput.put(a, a == ActivationKind.IDENTITY ? 0.0
                        : figure.applyAsDouble("block.completion.column." + key(a)) - blockColumn);
                if (a != ActivationKind.SOFTMAX) {
                    reduceColumn.put(a, a == ActivationKind.IDENTITY ? reduceColumnFigure
                            : figure.applyAsDouble("reduce.column." + key(a)));
                }
            }
            // a reduce completes its columns at once only with a softmax (s4j_streams_columns), else as it streams
            // them; a softmax's column, which never streams, is its share of that completion
            reduceColumn.put(ActivationKind.SOFTMAX, figure.applyAsDouble("reduce.completion.column.softmax"));
            split.put(SoftmaxStep.MAX, reduceSplitMax - blockColumn);
            // exact sums, any order: an inference block keeps each word and multiplies them all at its completion,
            // in panels; a training block multiplies each word in as it arrives, the word's filing and its call of
            // the MAC one figure, its row no more than its MACs
            this.wordPacket = figure.applyAsDouble("block.word");
            this.trainWordPacket = figure.applyAsDouble("block.train.word");
            this.panelMac = figure.applyAsDouble("block.panel.mac");
            this.panelFixed = figure.applyAsDouble("block.panel.fixed");
            this.panelCall = figure.applyAsDouble("block.panel.call");
            for (int width = 1; width < PANEL_COLUMNS; width++) {
                lastPanelRow[width] = figure.applyAsDouble("block.panel.row." + width);
                lastPanelFixed[width] = figure.applyAsDouble("block.panel.fixed." + width);
            }
            this.blockRow = 0.0;
            this.unfusedFixed = figure.applyAsDouble("unfused.completion.fixed");
            this.unfusedColumn = figure.applyAsDouble("unfused.completion.column");
            this.relayColumn = figure.applyAsDouble("relay.column");
            this.reduceOutput = reduceColumn;
        }
        this.softmaxSplit = split;
        // block.dma.row is measured with the row's loop (float32's block.row; s16.15's inference block keeps its word)
        this.dmaRow = figure.applyAsDouble("block.dma.row") - blockRow;
        this.trainDmaEvent = arithmetic == Arithmetic.FLOAT32 ? dmaEvent : figure.applyAsDouble("block.train.dma.event");
        this.trainDmaRow = arithmetic == Arithmetic.FLOAT32 ? dmaRow : figure.applyAsDouble("block.train.dma.row");
    }

    /**
     * The float32 kernels' figures, in instructions: a block's completion is the same fused or not (a fused block's
     * activation per output is a reduce's whole output), a reduce's streamed column its whole output and its own loop
     * ({@code reduce.column}), a relay's column a reduce's with the identity.
     */
    static ForwardFigures float32(InstructionCounts table) {
        return new ForwardFigures(Arithmetic.FLOAT32, table);
    }

    /**
     * The s16.15 kernels' figures, in estimated cycles: a fused block's completion per column is measured whole for
     * each activation ({@code fix.block.completion.column.<activation>.cycles}, identity's without a suffix), so its
     * activation per output is the difference to identity's; likewise the first step of a softmax spread over cores.
     * An unfused block's completion (its sums sent as two halves each, not rounded) and a reduce's columns (halves
     * summed, rounded once: {@code fix.reduce.column.<activation>.cycles} streamed, a softmax's all at once) are
     * measured whole; a relay's column besides its word's filing ({@code fix.reduce.partial.cycles}).
     */
    static ForwardFigures s16_15(InstructionCounts table) {
        return new ForwardFigures(Arithmetic.S16_15, table);
    }

    /**
     * The cost table's key of the figure {@code name} for {@code arithmetic}'s kernels: float32's instructions under
     * the name itself ({@code block.value}), s16.15's estimated cycles under {@code fix.<name>.cycles}
     * ({@code fix.block.value.cycles}).
     */
    private static String tableKey(Arithmetic arithmetic, String name) {
        return arithmetic == Arithmetic.FLOAT32 ? name : "fix." + name + ".cycles";
    }

    /** An activation's or softmax step's name in the cost table's keys. */
    static String key(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean inCycles() {
        return inCycles;
    }

    /** A value filed by a block without multiplying a row in. */
    double valuePacket() {
        return valuePacket;
    }

    /**
     * A value filed by a dense block that is neither pooling nor a 2-D convolution's, besides the row it may
     * multiply in ({@link #blockRow()}, {@link #mac()}): float32's {@link #valuePacket()}, its rows multiplied in
     * order; s16.15's the word an inference block keeps for its completion ({@code fix.block.word.cycles}).
     */
    double wordPacket() {
        return wordPacket;
    }

    /**
     * {@link #wordPacket()} of a training block: float32's the same; s16.15's the word multiplied in as it arrives
     * ({@code fix.block.train.word.cycles}), its filing, its copy into the x ring and the call of the MAC.
     */
    double trainWordPacket() {
        return trainWordPacket;
    }

    /**
     * The MACs of an s16.15 inference block's completion, {@code rows} words into {@code cols} columns
     * ({@code fix.block.panel.*.cycles}): its weights in panels of three columns, each panel's sums in registers while
     * its words stream past; 0 in float32, whose blocks multiply their rows as they come.
     */
    double panelMacs(int rows, int cols) {
        int last = cols % PANEL_COLUMNS;
        return panelCall + cols / PANEL_COLUMNS * (panelFixed + (double) rows * PANEL_COLUMNS * panelMac)
                + lastPanelFixed[last] + rows * lastPanelRow[last];
    }

    /** One MAC of an s16.15 inference block's completion ({@code fix.block.panel.mac.cycles}; 0 in float32). */
    double panelMac() {
        return panelMac;
    }

    /** A value filed by a sink. */
    double sinkPacket() {
        return sinkPacket;
    }

    /** One multiply-accumulate as a block multiplies a row in (s16.15: a training block's, as its word arrives). */
    double mac() {
        return mac;
    }

    /** A row a block multiplies in, besides its MACs (s16.15: 0, in its word's {@link #trainWordPacket()}). */
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

    double burstEvent() {
        return burstEvent;
    }

    double burstKey() {
        return burstKey;
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

    double dmaEvent() {
        return dmaEvent;
    }

    double dmaRow() {
        return dmaRow;
    }

    /** {@link #dmaEvent()} of a training block. */
    double trainDmaEvent() {
        return trainDmaEvent;
    }

    /** {@link #dmaRow()} of a training block. */
    double trainDmaRow() {
        return trainDmaRow;
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
