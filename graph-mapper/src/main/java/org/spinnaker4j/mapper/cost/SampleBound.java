package org.spinnaker4j.mapper.cost;

import org.spinnaker4j.mapper.machine.MachineTiming;

/**
 * The least time per sample a mapping can take once samples are pipelined through it: the
 * longest of its busiest core's cycles (every packet it receives and all its work, forward and,
 * in training, backward), its busiest link's packets and its busiest router's packets, each
 * times its time, in core clocks, plus a training mini-batch's rounds that hold up every sample (a batch
 * normalization's exchange, {@code BatchNormRounds}) shared by its samples. The mini-batch update, once per batch, is
 * not included.
 *
 * @param busiestCore the vertex id of the busiest core
 * @param exchangeClocks the exchange rounds' clocks per sample of a mini-batch of
 *        {@link BoundCalculator#MINI_BATCH} samples; 0 without them
 */
public record SampleBound(long coreClocks, int busiestCore, double linkClocks, double routerClocks,
        double exchangeClocks) {

    /** The bound in core clocks. */
    public double clocks() {
        return Math.max(coreClocks, Math.max(linkClocks, routerClocks)) + exchangeClocks;
    }

    /** What sets the bound: "core", "link" or "router". */
    public String limitedBy() {
        return coreClocks >= Math.max(linkClocks, routerClocks) ? "core" : linkClocks >= routerClocks ? "link"
                : "router";
    }

    /** The bound in microseconds. */
    public double microseconds(MachineTiming timing) {
        return timing.microseconds(clocks());
    }
}
