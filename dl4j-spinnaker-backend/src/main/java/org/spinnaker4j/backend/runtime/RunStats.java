package org.spinnaker4j.backend.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;

/**
 * What one run did: the machine's simulated time, from the first sample leaving SDRAM to the
 * last result written back (in all; the latency, the longest any sample took from its start to
 * its last result filed, pipelined samples overlapping, or to the end of its step's traffic; and
 * in the samples' forward passes, from each step's start to the last forward packet sent, and
 * backward passes, the rest of the step, when training); the host link's time to move the
 * samples in and the results out, a figure of its own; packets sent by cores (and how many of
 * them in the backward pass), router hops taken, packets delivered to cores, dropped by routers
 * or full receive queues, reinjected, lost for good; TDMA overruns; per chip, per link and per
 * core counters; routing-table sizes; cores and chips used, their utilisation, the busiest
 * core's busy time and an energy estimate.
 */
public record RunStats(int samples, double simulatedSeconds, double latencySeconds, double hostSeconds,
        double forwardSeconds, double backwardSeconds,
        long packetsSent, long packetsSentBackward,
        long packetsRouted,
        long packetsDelivered, long packetsDropped, long packetsReinjected, long packetsLost, long tdmaOverruns,
        List<ChipStats> chips, List<LinkStats> links, List<CoreStats> cores,
        Map<ChipLocation, Integer> routingEntriesPerChip,
        int coresUsed, long chipsUsed, double coreUtilisation, double busiestCoreSeconds, double energyJoules,
        long events, Saturations saturations) {

    /**
     * s16.15 fixed point's saturations (docs/fixed-point.md): per layer as mapped (a DropoutLayer has none:
     * {@code Dl4jFrontEnd.irLayers} maps the configuration's indices), its weights and biases at load and its sums
     * rounded in this run; the run's input values; in s16.15 training, per layer, what the mini-batch's update steps
     * did ({@link Steps}; empty when nothing was updated). Empty arrays, 0 and no steps in float32 ({@link #NONE}).
     */
    public record Saturations(long[] parameters, long inputs, long[] sums, List<Steps> steps) {

        /** A float32 run's: nothing saturates. */
        public static final Saturations NONE = new Saturations(new long[0], 0, new long[0], List.of());

        public Saturations {
            parameters = parameters.clone();
            sums = sums.clone();
            steps = List.copyOf(steps);
        }

        @Override
        public long[] parameters() {
            return parameters.clone();
        }

        @Override
        public long[] sums() {
            return sums.clone();
        }

        @Override
        public String toString() {
            return "Saturations{parameters=" + Arrays.toString(parameters) + ", inputs=" + inputs
                    + ", sums=" + Arrays.toString(sums) + ", steps=" + steps + "}";
        }
    }

    /**
     * One layer's s16.15 update steps in a training run, added over its blocks (docs/fixed-point.md, "Training in
     * s16.15"): parameters whose gradient sum was not zero, of those the steps that rounded to 0 (updates lost below
     * the word's resolution), parameters saturated by their step, and Adam's mean gradients clipped to |g| &lt; 2.
     */
    public record Steps(long nonZero, long zeroSteps, long saturated, long clipped) {

        /** No step at all: what a layer starts adding its blocks' steps to. */
        public static final Steps NONE = new Steps(0, 0, 0, 0);

        /** The two layers' counts added. */
        public Steps plus(Steps other) {
            return new Steps(nonZero + other.nonZero, zeroSteps + other.zeroSteps, saturated + other.saturated,
                    clipped + other.clipped);
        }
    }

    /**
     * One chip's counters: packets its router routed, dropped into its dump register, reinjected
     * and lost for good (dump register full, reinjection off, unroutable), packets lost in its
     * cores' full receive queues, and the deepest its router's input stage got.
     */
    public record ChipStats(ChipLocation chip, long routed, long dropped, long reinjected, long lost,
            long coreReceiveDrops, int peakInputQueue) {
    }

    /** One direction of one link: packets carried, the deepest its queue got, drops while it was full. */
    public record LinkStats(ChipLocation chip, Direction direction, long packets, int peakQueue, long drops) {
    }

    /** One core: where it is, what it runs (its vertex's label) and how long it was busy. */
    public record CoreStats(CoreLocation core, String vertex, double busySeconds) {
    }

    public RunStats {
        chips = List.copyOf(chips);
        links = List.copyOf(links);
        cores = List.copyOf(cores);
        routingEntriesPerChip = Map.copyOf(routingEntriesPerChip);
    }

    public double packetsSentPerSample() {
        return (double) packetsSent / samples;
    }

    /** Packets sent per sample in the forward pass (softmax synchronisation included). */
    public double forwardPacketsPerSample() {
        return (double) (packetsSent - packetsSentBackward) / samples;
    }

    /**
     * Packets sent per sample in the backward pass (deltas, backward partial sums, losses) and, once per mini-batch,
     * in a gradient normalization's exchange of partial norms.
     */
    public double backwardPacketsPerSample() {
        return (double) packetsSentBackward / samples;
    }

    public double packetsDeliveredPerSample() {
        return (double) packetsDelivered / samples;
    }

    public double simulatedSecondsPerSample() {
        return simulatedSeconds / samples;
    }

    /** Time the host link takes to move one sample in and its results out (beside the machine's time). */
    public double hostSecondsPerSample() {
        return hostSeconds / samples;
    }

    /** Throughput: samples per simulated second. */
    public double samplesPerSecond() {
        return samples / simulatedSeconds;
    }

    public double forwardSecondsPerSample() {
        return forwardSeconds / samples;
    }

    public double backwardSecondsPerSample() {
        return backwardSeconds / samples;
    }

    /** The cores' busy time added up, per sample. */
    public double busyCoreSecondsPerSample() {
        return cores.stream().mapToDouble(CoreStats::busySeconds).sum() / samples;
    }

    public double energyJoulesPerSample() {
        return energyJoules / samples;
    }

    public int maxRoutingEntries() {
        return routingEntriesPerChip.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** The most packets any one link carried. */
    public long peakLinkPackets() {
        return links.stream().mapToLong(LinkStats::packets).max().orElse(0);
    }

    /** The chips and links where packets were dropped, one per line; empty if none was. */
    public String describeDrops() {
        StringBuilder sb = new StringBuilder();
        chips.stream().filter(c -> c.dropped() > 0 || c.lost() > 0 || c.coreReceiveDrops() > 0).forEach(c -> sb.append(
                String.format("chip %s: router dropped %d, reinjected %d, lost %d; cores' receive queues lost %d; "
                        + "router input queue peak %d%n", c.chip(), c.dropped(), c.reinjected(), c.lost(),
                        c.coreReceiveDrops(), c.peakInputQueue())));
        links.stream().filter(l -> l.drops() > 0).forEach(l -> sb.append(String.format(
                "link %s %s: %d drops while its queue was full, %d packets carried%n", l.chip(), l.direction(),
                l.drops(), l.packets())));
        return sb.toString();
    }

    @Override
    public String toString() {
        return String.format("%d samples on %d cores / %d chips: packets sent %d (%.1f per sample), routed %d, "
                + "delivered %d (%.1f per sample), dropped %d, reinjected %d, lost %d; TDMA overruns %d; "
                + "routing entries max %d per chip; simulated %.1f µs and %.3g J per sample (%.0f samples/s, latency %.1f µs; "
                + "host link %.1f µs per sample); "
                + "core utilisation %.1f %%",
                samples, coresUsed, chipsUsed, packetsSent, packetsSentPerSample(), packetsRouted,
                packetsDelivered, packetsDeliveredPerSample(), packetsDropped, packetsReinjected, packetsLost,
                tdmaOverruns, maxRoutingEntries(), simulatedSecondsPerSample() * 1e6, energyJoulesPerSample(),
                samplesPerSecond(), latencySeconds * 1e6, hostSecondsPerSample() * 1e6, 100 * coreUtilisation);
    }
}
