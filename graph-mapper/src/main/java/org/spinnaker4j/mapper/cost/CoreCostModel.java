package org.spinnaker4j.mapper.cost;

import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * How many 200 MHz ARM968 clock cycles a core's work takes, for the simulator (how long a
 * core is busy) and the TDMA scheduler (how fast a core can be fed). Every figure is listed
 * with its source in docs/machine-model.md; "est." figures are model assumptions to be
 * replaced by calibration.
 */
public record CoreCostModel(int receiveInterruptCycles, int packetCallbackCycles, int storeValueCycles,
        int sendPacketCycles,
        int floatMacCycles, int floatAddCycles, int floatDivCycles, int transcendentalCycles,
        int compareCycles) {

    /**
     * The default table: soft-float costs from instruction counts measured under qemu
     * (78 instructions per float multiply-accumulate, 15–58 per add, ≈ 115 per divide) at an
     * estimated 1.3 cycles per instruction; interrupt, callback, send and libm figures are estimates.
     */
    public static final CoreCostModel ARM968_SOFT_FLOAT = new CoreCostModel(40, 120, 10, 30, 100, 50, 150, 2000, 5);

    public CoreCostModel {
        if (receiveInterruptCycles < 1 || packetCallbackCycles < 1 || storeValueCycles < 0 || sendPacketCycles < 1 || floatMacCycles < 1
                || floatAddCycles < 1 || floatDivCycles < 1 || transcendentalCycles < 1 || compareCycles < 0) {
            throw new IllegalArgumentException("every cycle count must be positive: " + this);
        }
    }

    /** Cycles to take one packet off the receive queue and file its value. */
    public int packetCycles(VertexKind kind) {
        return packetCallbackCycles + (kind == VertexKind.REDUCE ? floatAddCycles : storeValueCycles);
    }

    /** Cycles of the work a vertex does once its last input value of a sample has arrived. */
    public long completionCycles(MachineVertex v, ActivationKind activation) {
        int cols = v.cols().size();
        return switch (v.kind()) {
            case DENSE_BLOCK -> (long) v.rows().size() * cols * floatMacCycles
                    + (v.fused() ? cols * (floatAddCycles + activationCycles(activation)) : 0);
            case REDUCE -> (long) cols * (floatAddCycles + activationCycles(activation));
            case INPUT_SOURCE, OUTPUT_SINK, LABEL_SOURCE, LOSS_SINK -> (long) cols * storeValueCycles;
        };
    }

    /**
     * Cycles of the backward work a vertex does once its last delta, label or backward partial
     * of a sample has arrived: an activating core computes its deltas (a multiply and an
     * activation derivative, costed like the activation, per column); a block accumulates
     * dW = x·deltaᵀ and, if it sends backward, W·delta.
     */
    public long backwardCycles(MachineVertex v, ActivationKind activation, boolean sendsBackward) {
        int cols = v.cols().size();
        long deltas = v.activates() ? (long) cols * (floatMacCycles + activationCycles(activation)) : 0;
        long block = v.kind() == VertexKind.DENSE_BLOCK
                ? (long) v.rows().size() * cols * floatMacCycles * (sendsBackward ? 2 : 1) : 0;
        return deltas + block;
    }

    /** Cycles to apply an update to a vertex's parameters (its block of W and, if it activates, its bias). */
    public long updateCycles(MachineVertex v, UpdaterType updater) {
        long parameters = (v.kind() == VertexKind.DENSE_BLOCK ? (long) v.rows().size() * v.cols().size() : 0)
                + (v.activates() ? v.cols().size() : 0);
        long perParameter = switch (updater) {
            case SGD -> floatMacCycles;
            case NESTEROVS -> 3L * floatMacCycles;
            case ADAM -> 4L * floatMacCycles + floatDivCycles + transcendentalCycles / 4;
        };
        return parameters * perParameter;
    }

    /** Cycles of one activation evaluation. */
    public int activationCycles(ActivationKind activation) {
        return switch (activation) {
            case IDENTITY -> 0;
            case RELU, LEAKYRELU, HARDTANH -> compareCycles + floatMacCycles / 4;
            case SIGMOID, SOFTPLUS -> transcendentalCycles + floatDivCycles;
            case TANH, ELU -> transcendentalCycles;
            case SOFTMAX -> transcendentalCycles + floatDivCycles + floatAddCycles;
        };
    }
}
