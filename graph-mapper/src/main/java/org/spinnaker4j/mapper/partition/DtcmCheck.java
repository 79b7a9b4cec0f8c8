package org.spinnaker4j.mapper.partition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntUnaryOperator;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;

/** Finds the first vertex of a graph whose kernel state does not fit in a core's DTCM. */
public final class DtcmCheck {

    /** A vertex that needs more DTCM than a core has ({@code dtcmBytes}). */
    public record Overflow(MachineVertex vertex, int bytes, int dtcmBytes) {
        @Override
        public String toString() {
            return vertex + " needs " + bytes + " bytes of DTCM but a core has " + dtcmBytes;
        }
    }

    private DtcmCheck() {
    }

    public static Optional<Overflow> firstOverflow(NetworkSpec network, MachineGraph graph, CoreMemory memory) {
        Map<Integer, CoreShape.Copy> copies = copies(network, graph);
        for (MachineVertex v : graph.vertices()) {
            int bytes = bytesOf(network, graph, v, memory, copies);
            if (bytes > memory.dtcmBytes()) {
                return Optional.of(new Overflow(v, bytes, memory.dtcmBytes()));
            }
        }
        return Optional.empty();
    }

    /** The DTCM a vertex of the graph needs, counting its key ranges from its incoming partitions (an upper bound). */
    public static int bytesOf(NetworkSpec network, MachineGraph graph, MachineVertex v, CoreMemory memory) {
        return bytesOf(network, graph, v, memory, copies(network, graph));
    }

    private static int bytesOf(NetworkSpec network, MachineGraph graph, MachineVertex v, CoreMemory memory,
            Map<Integer, CoreShape.Copy> copies) {
        List<OutgoingPartition> incoming = graph.incoming(v.id());
        int peers = (int) incoming.stream().filter(p -> p.kind() == PartitionKind.SOFTMAX_SYNC).count();
        int normPeers = (int) incoming.stream().filter(p -> p.kind() == PartitionKind.NORM).count();
        int sumPeers = (int) incoming.stream().filter(p -> p.kind() == PartitionKind.BATCH_NORM).count();
        return memory.stateBytes(shape(network, v, rangesUpperBound(incoming), peers, normPeers, sumPeers,
                copies.getOrDefault(v.id(), CoreShape.Copy.NONE)));
    }

    /** The kernel copies' parts of a graph's vertices, each copy's SHARE and PARAM ranges one per partition. */
    private static Map<Integer, CoreShape.Copy> copies(NetworkSpec network, MachineGraph graph) {
        return copies(network, network.trains() ? KernelCopies.of(network, graph) : List.of(),
                id -> (int) graph.incoming(id).stream()
                        .filter(p -> p.kind() == PartitionKind.SHARE || p.kind() == PartitionKind.PARAM).count());
    }

    /**
     * The part of each vertex that holds a copy of a kernel slice its copies exchange, by vertex id, from the graph's
     * {@code copies} ({@link KernelCopies#of}), {@code copyRanges} giving a vertex's SHARE and PARAM key ranges.
     */
    public static Map<Integer, CoreShape.Copy> copies(NetworkSpec network, List<KernelCopies> copies,
            IntUnaryOperator copyRanges) {
        Map<Integer, CoreShape.Copy> parts = new HashMap<>();
        for (KernelCopies k : copies) {
            if (!network.trains() || !k.exchanges() || !network.exchangesKernelCopies(k.layer())) {
                continue;
            }
            for (int c = 0; c < k.copies().size(); c++) {
                int self = c;
                int chunks = (int) k.chunks().stream().filter(chunk -> chunk.holders().contains(self)).count();
                int vertex = k.copies().get(c).vertex();
                parts.put(vertex, new CoreShape.Copy(k.copies().size(), chunks, k.owned(c),
                        copyRanges.applyAsInt(vertex)));
            }
        }
        return parts;
    }

    /** Key ranges a vertex listens to at most: one per incoming partition, three for a backward one. */
    private static int rangesUpperBound(List<OutgoingPartition> incoming) {
        return incoming.stream().mapToInt(p -> p.kind() == PartitionKind.BACKWARD ? 3 : 1).sum();
    }

    /**
     * The shape of a vertex's core that listens to {@code ranges} key ranges, {@code peers} of them softmax peers,
     * {@code normPeers} the partials of its layer's other cores in an L2 gradient normalization, {@code sumPeers} the
     * partial sums of its batch normalization's other blocks (BN_PARTIAL ranges) and {@code copy.ranges()} its kernel
     * copy's exchange.
     */
    public static CoreShape shape(NetworkSpec network, MachineVertex v, int ranges, int peers, int normPeers,
            int sumPeers, CoreShape.Copy copy) {
        int rows = v.kind() == VertexKind.DENSE_BLOCK ? v.rows().size() : 0;
        boolean trainsHere = network.trains() && (v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE);
        UpdaterSpec updater = trainsHere ? network.training().updater(v.layer()) : null;
        boolean outputLayer = trainsHere && v.activates() && v.layer() == network.layers().size() - 1;
        boolean block = v.kind() == VertexKind.DENSE_BLOCK;
        DenseLayerSpec layer = block ? network.layers().get(v.layer()) : null;
        boolean miniBatchNorm = trainsHere && block && layer.holdsMiniBatch();
        // a block that does not train with the mini-batch's statistics files its peers' sums as data it ignores
        CoreShape.Sums sums = miniBatchNorm && sumPeers > 0
                ? new CoreShape.Sums(layer.convolution().image().channelsIn(), sumPeers) : CoreShape.Sums.NONE;
        return new CoreShape(v.kind(), rows, v.cols().size(), v.fused(), ranges, peers,
                updater == null ? null : updater.type(), updater == null ? null : updater.forBias().type(),
                outputLayer, outputLayer && !network.training().lossWeights().isEmpty(),
                updater == null ? 0 : updater.gradientNormalization().type().normKeys(), normPeers, 1,
                // a batch normalization's block holds weights: probed as a block of weights (docs/architecture.md),
                // one that trains with the mini-batch's statistics as what it is
                block && layer.isPooling() && !layer.isBatchNorm(), copy, v.rowBlock(), miniBatchNorm, sums,
                v.arithmetic());
    }
}
