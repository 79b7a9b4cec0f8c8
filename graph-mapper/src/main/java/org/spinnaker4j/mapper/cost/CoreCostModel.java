package org.spinnaker4j.mapper.cost;

import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;

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
            case INPUT_SOURCE, OUTPUT_SINK -> (long) cols * storeValueCycles;
        };
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
