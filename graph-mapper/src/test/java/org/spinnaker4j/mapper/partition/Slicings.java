package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/** Graphs of chosen slicings, for tests outside this package that need a layout a search may no longer take. */
public final class Slicings {

    private Slicings() {
    }

    /**
     * The graph of {@code network} with vector v cut into {@code parts[v]} slices, the consumer of vector v ≥ 1
     * taking them in groups of {@code groups[v]} through relays, one source per row slice of the first layer.
     */
    public static MachineGraph relayed(NetworkSpec network, int[] parts, int[] groups) {
        return GraphBuilder.build(network, new Slicing(parts, groups, 1).layerSlicing(network));
    }
}
