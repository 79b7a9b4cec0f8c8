package org.spinnaker4j.mapper.place;

import java.util.List;
import org.spinnaker4j.mapper.machine.CoreLocation;

/** Where each vertex runs: {@code cores().get(vertexId)} is its core. */
public record Placements(List<CoreLocation> cores) {

    public Placements {
        cores = List.copyOf(cores);
    }

    public CoreLocation of(int vertexId) {
        return cores.get(vertexId);
    }

    /** Distinct chips used. */
    public long chipsUsed() {
        return cores.stream().map(CoreLocation::chip).distinct().count();
    }
}
