package org.spinnaker4j.backend.runtime;

import java.util.Map;
import org.spinnaker4j.mapper.machine.ChipLocation;

/**
 * What one run did: packets sent by cores, router hops taken, packets delivered to cores,
 * packets lost; each chip's routing-table size; the cores and chips used; simulated time.
 */
public record RunStats(int samples, long packetsSent, long packetsRouted, long packetsDelivered,
        long packetsDropped, Map<ChipLocation, Long> routedPerChip, Map<ChipLocation, Integer> routingEntriesPerChip,
        int coresUsed, long chipsUsed, long simulatedClocks) {

    /** Core clock frequency of the simulated ARM968 cores. */
    public static final double CLOCK_HZ = 200e6;

    public RunStats {
        routedPerChip = Map.copyOf(routedPerChip);
        routingEntriesPerChip = Map.copyOf(routingEntriesPerChip);
    }

    public double packetsSentPerSample() {
        return (double) packetsSent / samples;
    }

    public double packetsDeliveredPerSample() {
        return (double) packetsDelivered / samples;
    }

    public double simulatedSecondsPerSample() {
        return simulatedClocks / CLOCK_HZ / samples;
    }

    public int maxRoutingEntries() {
        return routingEntriesPerChip.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    @Override
    public String toString() {
        return String.format("%d samples on %d cores / %d chips: packets sent %d (%.1f per sample), routed %d, "
                + "delivered %d (%.1f per sample), dropped %d; routing entries max %d per chip; "
                + "simulated %.1f µs per sample",
                samples, coresUsed, chipsUsed, packetsSent, packetsSentPerSample(), packetsRouted,
                packetsDelivered, packetsDeliveredPerSample(), packetsDropped, maxRoutingEntries(),
                simulatedSecondsPerSample() * 1e6);
    }
}
