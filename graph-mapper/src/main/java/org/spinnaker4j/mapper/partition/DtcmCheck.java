package org.spinnaker4j.mapper.partition;

import java.util.List;
import java.util.Optional;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.machine.Chip;

/** Finds the first vertex of a graph whose kernel state does not fit in a core's DTCM. */
public final class DtcmCheck {

    /** A vertex that needs more DTCM than a core has. */
    public record Overflow(MachineVertex vertex, int bytes) {
        @Override
        public String toString() {
            return vertex + " needs " + bytes + " bytes of DTCM but a core has " + Chip.DTCM_BYTES;
        }
    }

    private DtcmCheck() {
    }

    public static Optional<Overflow> firstOverflow(MachineGraph graph, CoreMemory memory) {
        for (MachineVertex v : graph.vertices()) {
            int bytes = bytesOf(graph, v, memory);
            if (bytes > Chip.DTCM_BYTES) {
                return Optional.of(new Overflow(v, bytes));
            }
        }
        return Optional.empty();
    }

    /** The DTCM a vertex needs, counting one key range per incoming partition (an upper bound). */
    public static int bytesOf(MachineGraph graph, MachineVertex v, CoreMemory memory) {
        List<OutgoingPartition> incoming = graph.incoming(v.id());
        int peers = (int) incoming.stream().filter(p -> p.kind() == PartitionKind.SOFTMAX_SYNC).count();
        return bytesOf(v, incoming.size(), peers, memory);
    }

    /** The DTCM a vertex needs when it listens to {@code ranges} key ranges, {@code peers} of them softmax peers. */
    public static int bytesOf(MachineVertex v, int ranges, int peers, CoreMemory memory) {
        int rows = v.kind() == VertexKind.DENSE_BLOCK ? v.rows().size() : 0;
        return memory.stateBytes(v.kind(), rows, v.cols().size(), v.fused(), ranges, peers);
    }
}
