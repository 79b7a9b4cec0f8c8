package org.spinnaker4j.mapper.partition;

import java.util.Optional;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.tdma.TdmaSchedule;

/**
 * Lays out a candidate graph's TDMA schedule as the mapper would (place, route, schedule), so that the {@link
 * FastestPartitioner} can compare inference candidates by the step and period they get rather than by estimates.
 */
@FunctionalInterface
public interface TrialLayout {

    /** No layouts: the partitioner goes by its estimates alone. */
    TrialLayout NONE = (network, graph, machine) -> Optional.empty();

    /** The schedule the mapper would lay out for {@code graph}, or empty if it does not map or is not laid out. */
    Optional<TdmaSchedule> layOut(NetworkSpec network, MachineGraph graph, Machine machine);
}
