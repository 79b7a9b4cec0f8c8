package org.spinnaker4j.mapper.cost;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;

/**
 * The cost table's figures for the backward pass of one arithmetic's training kernels: a word filed without completing
 * a sample's backward pass, an activating core's delta per output (hidden, or from its loss), a block's backward pass
 * (dW per weight, with the error W·delta if it sends backward; per row; fixed). {@link #inCycles()} says their unit,
 * as {@link ForwardFigures}': the float32 kernels' are ARM instructions, the s16.15 kernels' cycles estimated from the
 * calibration traces ({@code fix.*.cycles}). The s16.15 kernels train fused dense blocks only (no pooling, no 2-D
 * convolution, no softmax spread over cores), their hidden layers with identity, relu, tanh or sigmoid and their
 * output layer with softmax and MCXENT or identity and MSE: every other figure throws rather than fall back on
 * float's.
 */
final class BackwardFigures implements KernelFigures {

    /** The hidden activations the s16.15 training kernels differentiate (the front end refuses every other). */
    private static final Set<ActivationKind> FIXED_ACTIVATIONS = EnumSet.of(ActivationKind.IDENTITY,
            ActivationKind.RELU, ActivationKind.TANH, ActivationKind.SIGMOID);

    private final Arithmetic arithmetic;
    private final InstructionCounts table;
    /** A backward-pass word filed; empty: the kernel files it as any value. */
    private final OptionalDouble value;
    private final double dw;
    private final double dwAndError;
    private final double rowKept;
    private final double rowSent;
    private final double fixed;
    /** Per output of an activating core of a softmax spread over cores, its deltas; null: none is in training. */
    private final Double splitDelta;
    /** Per output of a hidden activating core, by activation. */
    private final Map<ActivationKind, Double> hidden = new EnumMap<>(ActivationKind.class);

    private BackwardFigures(Arithmetic arithmetic, InstructionCounts table) {
        this.arithmetic = arithmetic;
        this.table = table;
        if (arithmetic == Arithmetic.FLOAT32) {
            this.value = OptionalDouble.empty();
            this.dw = table.of("backward.dw");
            this.dwAndError = table.of("backward.dw_and_w_delta");
            this.rowKept = 0.0;
            this.rowSent = table.of("backward.row");
            this.fixed = table.of("backward.fixed");
            this.splitDelta = table.of("softmax.split." + ForwardFigures.key(SoftmaxStep.DELTAS));
            for (ActivationKind a : ActivationKind.values()) {
                hidden.put(a, table.of("backward.output." + ForwardFigures.key(a)));
            }
        } else {
            this.value = OptionalDouble.of(table.of("fix.backward.value.cycles"));
            this.dw = table.of("fix.backward.dw.cycles");
            this.dwAndError = table.of("fix.backward.dw_and_error.cycles");
            this.rowKept = table.of("fix.backward.row.kept.cycles");
            this.rowSent = table.of("fix.backward.row.sent.cycles");
            this.fixed = table.of("fix.backward.fixed.cycles");
            this.splitDelta = null;
            for (ActivationKind a : FIXED_ACTIVATIONS) {
                hidden.put(a, table.of("fix.backward.output." + ForwardFigures.key(a) + ".cycles"));
            }
        }
    }

    /**
     * The float32 kernels' figures, in instructions: a backward-pass value is filed as any value, a block sends each
     * row of W·delta at {@code backward.row} and keeps none, an output core's delta is its loss's ({@link LossCosts}).
     */
    static BackwardFigures float32(InstructionCounts table) {
        return new BackwardFigures(Arithmetic.FLOAT32, table);
    }

    /**
     * The s16.15 kernels' figures, in estimated cycles: {@code fix.backward.*.cycles}, an output block's delta
     * {@code fix.loss.output.<activation>.<loss>.cycles}.
     */
    static BackwardFigures s16_15(InstructionCounts table) {
        return new BackwardFigures(Arithmetic.S16_15, table);
    }

    @Override
    public boolean inCycles() {
        return arithmetic == Arithmetic.S16_15;
    }

    /**
     * A word (an error word or a label) filed without completing the sample's backward pass: s16.15's
     * {@code fix.backward.value}; empty for float32, whose kernels file it as any value
     * ({@link CoreCostModel#packetCycles}).
     */
    OptionalDouble value() {
        return value;
    }

    /** Per weight of the event that completes a block's backward pass: dW, and the error W·delta if it sends it. */
    double dw(boolean sendsBackward) {
        return sendsBackward ? dwAndError : dw;
    }

    /** Per row of the same event: a row sent back (its error emitted and sent), or one kept (float32: 0). */
    double row(boolean sendsBackward) {
        return sendsBackward ? rowSent : rowKept;
    }

    /** The fixed work of the same event. */
    double fixed() {
        return fixed;
    }

    /** Per output of a hidden activating core: its delta from its errors (derivative, db, its share of the loops). */
    double hiddenDelta(ActivationKind activation) {
        Double f = hidden.get(activation);
        if (f == null) {
            throw new IllegalArgumentException("the " + arithmetic + " training kernels do not differentiate "
                    + activation + " (the front end refuses it), so its backward pass has no cost");
        }
        return f;
    }

    /**
     * Per output of an output-layer core with {@code activation} and {@code loss}: float32's through {@link LossCosts};
     * s16.15's the pair's own figure, {@code fix.loss.output.<activation>.<loss>.cycles} (a weighted loss's with
     * {@code _weighted}), which only softmax with MCXENT and identity with MSE have.
     */
    double outputDelta(ActivationKind activation, OutputLoss loss) {
        if (arithmetic == Arithmetic.FLOAT32) {
            return LossCosts.perOutput(table, hidden, activation, loss);
        }
        String key = "fix.loss.output." + ForwardFigures.key(activation) + "."
                + loss.function().name().toLowerCase(Locale.ROOT) + (loss.weighted() ? "_weighted" : "") + ".cycles";
        Double f = table.figures().get(key);
        if (f == null) {
            throw new IllegalArgumentException("the " + arithmetic + " training kernels do not compute "
                    + (loss.weighted() ? "a weighted " : "") + loss.function() + " with " + activation
                    + " (only softmax with MCXENT or identity with MSE, unweighted), so it has no cost (" + key
                    + ")");
        }
        return f;
    }

    /**
     * Per output of an activating core of a softmax spread over several cores, its deltas once the peers' dots are in
     * (float32's {@code softmax.split.deltas}; the s16.15 kernels spread no softmax in training).
     */
    double splitDelta() {
        if (splitDelta == null) {
            throw new IllegalArgumentException("the " + arithmetic + " training kernels spread no softmax over "
                    + "several cores, so its backward steps have no cost");
        }
        return splitDelta;
    }

    /**
     * Checks that the kernels train block {@code v}: the float32 ones any; the s16.15 ones a dense block of weights,
     * not a pooling block or a 2-D convolution's.
     */
    void checkTrains(MachineVertex v) {
        if (arithmetic != Arithmetic.FLOAT32 && (v.pooling() != null || v.rowBlock() != null)) {
            throw new IllegalArgumentException("the " + arithmetic + " training kernels train dense blocks of weights "
                    + "only: " + v + (v.pooling() != null ? " pools" : " is a 2-D convolution's")
                    + ", so its backward pass has no cost");
        }
    }
}
