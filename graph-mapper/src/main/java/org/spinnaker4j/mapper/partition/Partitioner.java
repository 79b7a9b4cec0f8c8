package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;

/** The first mapping stage: cuts the network into one vertex per core. */
public interface Partitioner {

    /** The machine graph of the network for {@code machine}, every vertex's state fitting a core's DTCM. */
    MachineGraph partition(NetworkSpec network, CoreMemory memory, Machine machine);
}
