package org.spinnaker4j.mapper.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The partitioned network: one vertex per core and the multicast partitions between them. */
public final class MachineGraph {

    private final List<MachineVertex> vertices;
    private final List<OutgoingPartition> partitions;
    private final List<List<OutgoingPartition>> incoming;
    private final List<List<OutgoingPartition>> outgoing;
    private final boolean[] readsInputFromSdram;

    public MachineGraph(List<MachineVertex> vertices, List<OutgoingPartition> partitions) {
        this.vertices = List.copyOf(vertices);
        this.partitions = List.copyOf(partitions);
        this.incoming = new ArrayList<>();
        this.outgoing = new ArrayList<>();
        for (int i = 0; i < vertices.size(); i++) {
            if (vertices.get(i).id() != i) {
                throw new IllegalArgumentException("vertex ids must be 0..n-1 in order; vertex " + i
                        + " has id " + vertices.get(i).id());
            }
            incoming.add(new ArrayList<>());
            outgoing.add(new ArrayList<>());
        }
        for (int i = 0; i < partitions.size(); i++) {
            OutgoingPartition p = partitions.get(i);
            if (p.id() != i) {
                throw new IllegalArgumentException("partition ids must be 0..n-1 in order; partition " + i
                        + " has id " + p.id());
            }
            outgoing.get(p.source()).add(p);
            for (int t : p.targets()) {
                incoming.get(t).add(p);
            }
        }
        readsInputFromSdram = new boolean[vertices.size()];
        for (MachineVertex v : this.vertices) {
            readsInputFromSdram[v.id()] = v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 0
                    && incoming.get(v.id()).stream().noneMatch(p -> p.kind() == PartitionKind.FORWARD);
        }
    }

    public List<MachineVertex> vertices() {
        return vertices;
    }

    public List<OutgoingPartition> partitions() {
        return partitions;
    }

    public MachineVertex vertex(int id) {
        return vertices.get(id);
    }

    /** Partitions whose targets include the vertex, in partition order (a read-only view: the search asks often). */
    public List<OutgoingPartition> incoming(int vertexId) {
        return Collections.unmodifiableList(incoming.get(vertexId));
    }

    /** Partitions the vertex sends, in partition order. */
    public List<OutgoingPartition> outgoing(int vertexId) {
        return Collections.unmodifiableList(outgoing.get(vertexId));
    }

    /** Whether the vertex is an activating core of a softmax spread over several cores (it has softmax peers). */
    public boolean splitsSoftmax(int vertexId) {
        for (OutgoingPartition p : outgoing.get(vertexId)) {
            if (p.kind() == PartitionKind.SOFTMAX_SYNC) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the vertex is a first-layer dense block that reads its rows of each sample from its chip's SDRAM by DMA
     * ({@link org.spinnaker4j.mapper.ir.InputPath#SDRAM}): one that no packet brings its input to.
     */
    public boolean readsInputFromSdram(int vertexId) {
        return readsInputFromSdram[vertexId];
    }

    /**
     * The 32-bit words the vertex reads from its chip's SDRAM by DMA each sample: a first-layer block that
     * {@link #readsInputFromSdram reads its input from SDRAM} its rows, an input or label source its slice of the
     * sample the host loaded there; 0 for every other vertex.
     */
    public int sdramWords(int vertexId) {
        MachineVertex v = vertices.get(vertexId);
        if (readsInputFromSdram[vertexId]) {
            return v.rows().size();
        }
        return v.kind().isSource() ? v.cols().size() : 0;
    }

    public long count(VertexKind kind) {
        return vertices.stream().filter(v -> v.kind() == kind).count();
    }
}
