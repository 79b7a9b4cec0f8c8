package org.spinnaker4j.mapper.cost;

import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;

/**
 * The compute limit of a whole machine for one network: the least time per sample if every
 * application core did nothing but the pass's multiply-accumulates, at the cost model's cycles
 * per MAC in the network's arithmetic (soft float, or s16.15). Inference does one MAC per weight (a convolution's per weight and output position); training three (forward, dW, and the
 * backward W·delta, which the first layer does not send).
 */
public final class ComputeLimit {

    private ComputeLimit() {
    }

    /** Multiply-accumulates of one sample's pass: forward only, or forward and backward when the network trains. */
    public static long macsPerSample(NetworkSpec network) {
        long macs = 0;
        for (int l = 0; l < network.layers().size(); l++) {
            DenseLayerSpec layer = network.layers().get(l);
            long weights = layer.macsPerSample();
            macs += weights;
            if (network.trains()) {
                macs += l == 0 ? weights : 2 * weights;
            }
        }
        return macs;
    }

    /** Seconds per sample of the network's pass on every application core of {@code machine}. */
    public static double secondsPerSample(NetworkSpec network, Machine machine, CoreCostModel cost,
            MachineTiming timing) {
        return macsPerSample(network) * cost.macCycles(network.arithmetic(), network.trains()) * timing.coreClockPs() / 1e12 / machine.applicationCores();
    }
}
