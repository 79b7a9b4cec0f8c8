package org.spinnaker4j.mapper.cost;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * How many 200 MHz ARM968 clock cycles a core's work takes, for the simulator (how long a
 * core is busy) and the TDMA scheduler (how fast a core can be fed). The kernels' own work is
 * counted in ARM instructions measured on the real kernels ({@code make calibrate} in
 * native-kernels/src/main/c: arm-none-eabi-gcc 12 -O2, soft float, under qemu-arm) and turned
 * into cycles with {@code cyclesPerInstruction}; the interrupt, dispatch and send figures and
 * the cycles per instruction are estimates. Sources: docs/machine-model.md.
 *
 * @param cyclesPerInstruction   est. 1.3 (ARM9E pipeline: 1.2–1.5)
 * @param receiveInterruptCycles the packet-received interrupt that empties the receive register (est.)
 * @param dispatchCycles         queueing and dispatching the packet callback (est.)
 * @param sendPacketCycles       writing one packet to the communications controller (est.)
 */
public record CoreCostModel(double cyclesPerInstruction, int receiveInterruptCycles, int dispatchCycles,
        int sendPacketCycles) implements Serializable {

    /** The default model. */
    public static final CoreCostModel ARM968_SOFT_FLOAT = new CoreCostModel(1.3, 40, 120, 30);

    // ARM instructions measured with `make calibrate` on 2026-11-27 (see docs/machine-model.md).
    /** A value filed by a block (or a label, delta or backward partial by its core), not completing. */
    private static final double VALUE_PACKET = 358;
    /** A partial sum added by a reduce core. */
    private static final double PARTIAL_PACKET = 387;
    /** A value filed by a sink. */
    private static final double SINK_PACKET = 308;
    /** One soft-float multiply-accumulate in a block's forward pass (random operands). */
    private static final double MAC = 78.4;
    /** A completing block's fixed, per-row and per-column forward work (besides the MACs). */
    private static final double BLOCK_FIXED = 526;
    private static final double BLOCK_ROW = 10;
    private static final double BLOCK_COLUMN = 24.75;
    /** dW += x·delta, and dW with W·delta, per weight; per row sent back; fixed. */
    private static final double DW = 52;
    private static final double DW_AND_BACKWARD = 134;
    private static final double BACKWARD_ROW = 44;
    private static final double BACKWARD_FIXED = 717;
    /** A source's value sent (est.: a block's per-column emit). */
    private static final double SOURCE_VALUE = BLOCK_COLUMN;
    /** Per output of an activating core: bias add, activation, emit and send. */
    private static final Map<ActivationKind, Double> FORWARD_OUTPUT = perActivation(
            85, 120, 135, 1275, 1765, 1393, 136, 2296, 644);
    /** Per output of a hidden activating core in the backward pass: derivative, db, delta sent (leakyrelu and
     * hardtanh est. as relu, softplus as sigmoid, elu as tanh). */
    private static final Map<ActivationKind, Double> BACKWARD_OUTPUT = perActivation(
            92, 125, 125, 183, 190, 209, 125, 183, 190);
    /** Per parameter of an update. */
    private static final Map<UpdaterType, Double> UPDATE = Map.of(
            UpdaterType.SGD, 109.0, UpdaterType.NESTEROVS, 246.0, UpdaterType.ADAM, 890.0);

    public CoreCostModel {
        if (!(cyclesPerInstruction > 0) || receiveInterruptCycles < 1 || dispatchCycles < 0 || sendPacketCycles < 1) {
            throw new IllegalArgumentException("cycles per instruction and cycle counts must be positive: "
                    + cyclesPerInstruction + ", " + receiveInterruptCycles + ", " + dispatchCycles + ", "
                    + sendPacketCycles);
        }
    }

    private static Map<ActivationKind, Double> perActivation(double identity, double relu, double leakyRelu,
            double sigmoid, double tanh, double softmax, double hardTanh, double softPlus, double elu) {
        Map<ActivationKind, Double> m = new EnumMap<>(ActivationKind.class);
        m.put(ActivationKind.IDENTITY, identity);
        m.put(ActivationKind.RELU, relu);
        m.put(ActivationKind.LEAKYRELU, leakyRelu);
        m.put(ActivationKind.SIGMOID, sigmoid);
        m.put(ActivationKind.TANH, tanh);
        m.put(ActivationKind.SOFTMAX, softmax);
        m.put(ActivationKind.HARDTANH, hardTanh);
        m.put(ActivationKind.SOFTPLUS, softPlus);
        m.put(ActivationKind.ELU, elu);
        return m;
    }

    private long cycles(double instructions) {
        return Math.round(instructions * cyclesPerInstruction);
    }

    /** Cycles to dispatch one received packet and file its value (a reduce core adds it). */
    public long packetCycles(VertexKind kind) {
        return dispatchCycles + cycles(switch (kind) {
            case REDUCE -> PARTIAL_PACKET;
            case OUTPUT_SINK, LOSS_SINK -> SINK_PACKET;
            default -> VALUE_PACKET;
        });
    }

    /** Cycles of the work a vertex does once its last input value of a sample has arrived. */
    public long completionCycles(MachineVertex v, ActivationKind activation) {
        int cols = v.cols().size();
        return switch (v.kind()) {
            case DENSE_BLOCK -> cycles(BLOCK_FIXED + (double) v.rows().size() * cols * MAC
                    + v.rows().size() * BLOCK_ROW + cols * BLOCK_COLUMN
                    + (v.fused() ? cols * FORWARD_OUTPUT.get(activation) : 0));
            case REDUCE -> cycles(cols * FORWARD_OUTPUT.get(activation));
            case INPUT_SOURCE, LABEL_SOURCE -> cycles(cols * SOURCE_VALUE);
            case OUTPUT_SINK, LOSS_SINK -> 0;
        };
    }

    /**
     * Cycles a vertex spends on one sample's forward pass: dispatching and filing each of the
     * {@code packetsReceived} packets it receives, its completion work and, for an activating core
     * of a softmax spread over several cores, its two synchronisation steps (exponentials and local
     * sum, then division). The partitioner's time bound adds these up, so it follows this model.
     */
    public long forwardSampleCycles(MachineVertex v, ActivationKind activation, int packetsReceived,
            boolean softmaxSync) {
        return packetsReceived * packetCycles(v.kind()) + completionCycles(v, activation)
                + (softmaxSync ? 2L * v.cols().size() * activationCycles(activation) : 0);
    }

    /**
     * Cycles a vertex spends on one sample's backward pass: each of the {@code packetsReceived}
     * labels, deltas or backward partials dispatched and filed, its {@link #backwardCycles backward
     * work} and, for a core of a softmax spread over several cores, its synchronisation step (the dot).
     */
    public long backwardSampleCycles(MachineVertex v, ActivationKind activation, int packetsReceived,
            boolean sendsBackward, boolean softmaxSync) {
        return packetsReceived * packetCycles(v.kind()) + backwardCycles(v, activation, sendsBackward)
                + (softmaxSync ? (long) v.cols().size() * activationCycles(activation) : 0);
    }

    /** Cycles per output of a softmax synchronisation step (costed like applying the activation). */
    public long activationCycles(ActivationKind activation) {
        return cycles(FORWARD_OUTPUT.get(activation));
    }

    /**
     * Cycles of the backward work a vertex does once its last delta, label or backward partial
     * of a sample has arrived: its {@link #deltaCycles deltas} if it activates, and its
     * {@link #blockBackwardCycles block's backward pass} if it is a block.
     */
    public long backwardCycles(MachineVertex v, ActivationKind activation, boolean sendsBackward) {
        return deltaCycles(v, activation) + blockBackwardCycles(v, sendsBackward);
    }

    /**
     * Cycles of an activating vertex's deltas (from its labels or backward partials: derivative,
     * db, deltas sent); 0 for a vertex that does not activate.
     */
    public long deltaCycles(MachineVertex v, ActivationKind activation) {
        return v.activates() ? cycles(v.cols().size() * BACKWARD_OUTPUT.get(activation)) : 0;
    }

    /**
     * Cycles of a block's backward pass once its deltas are in: dW = x·deltaᵀ accumulated and, if
     * it sends backward, W·delta sent; 0 for a vertex that is not a block.
     */
    public long blockBackwardCycles(MachineVertex v, boolean sendsBackward) {
        if (v.kind() != VertexKind.DENSE_BLOCK) {
            return 0;
        }
        int rows = v.rows().size();
        return cycles(BACKWARD_FIXED + (double) rows * v.cols().size() * (sendsBackward ? DW_AND_BACKWARD : DW)
                + (sendsBackward ? rows * BACKWARD_ROW : 0));
    }

    /** Cycles to apply an update to a vertex's parameters (its block of W and, if it activates, its bias). */
    public long updateCycles(MachineVertex v, UpdaterType updater) {
        long parameters = (v.kind() == VertexKind.DENSE_BLOCK ? (long) v.rows().size() * v.cols().size() : 0)
                + (v.activates() ? v.cols().size() : 0);
        return cycles(parameters * UPDATE.get(updater));
    }
}
