package org.spinnaker4j.mapper.place;

import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.machine.Machine;

/** The placement stage: gives every vertex its own application core. */
public interface Placer {

    Placements place(MachineGraph graph, Machine machine);
}
