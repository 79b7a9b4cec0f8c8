package org.spinnaker4j.mapper.machine;

import java.io.Serializable;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One working chip: its location, the processors applications may use and the links that
 * work. Core 0 runs the monitor and the last core the extra monitor (reinjection), so a
 * healthy chip offers processors 1 to 16 to applications. How much DTCM a core has is the
 * kernels' to say ({@link org.spinnaker4j.mapper.partition.CoreMemory#dtcmBytes()}).
 */
public record Chip(ChipLocation location, List<Integer> applicationProcessors, Set<Direction> links) implements Serializable {

    /** Cores on a SpiNNaker1 chip. */
    public static final int CORES_PER_CHIP = 18;
    /** Application cores on a healthy chip: 18 less the monitor and the extra monitor. */
    public static final int APPLICATION_CORES = 16;
    /** Multicast router entries available to applications (entry 0 belongs to SCAMP). */
    public static final int ROUTER_ENTRIES = 1023;

    public Chip {
        applicationProcessors = List.copyOf(applicationProcessors);
        EnumSet<Direction> working = EnumSet.noneOf(Direction.class);
        working.addAll(links);
        links = Collections.unmodifiableSet(working);
        for (int p : applicationProcessors) {
            if (p <= 0 || p >= CORES_PER_CHIP - 1) {
                throw new IllegalArgumentException("chip " + location + ": processor " + p
                        + " is a monitor or does not exist; application processors are 1.."
                        + (CORES_PER_CHIP - 2));
            }
        }
    }

    /** A healthy chip with processors 1..16 for applications and the given links. */
    public static Chip healthy(ChipLocation location, Set<Direction> links) {
        List<Integer> processors = new java.util.ArrayList<>();
        for (int p = 1; p <= APPLICATION_CORES; p++) {
            processors.add(p);
        }
        return new Chip(location, processors, links);
    }

    public boolean hasLink(Direction d) {
        return links.contains(d);
    }
}
