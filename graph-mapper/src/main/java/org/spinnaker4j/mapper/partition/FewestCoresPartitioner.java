package org.spinnaker4j.mapper.partition;

import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * Cuts every activation vector into slices and every W into the blocks those slices make,
 * one block per core. A vector's slicing is shared by the layer that produces it (columns)
 * and the layer that consumes it (rows), so each value travels to exactly the blocks that
 * need it. Starting from one slice per vector, it splits the vector with the larger slices
 * of the first core that does not fit DTCM until every core fits: the fewest cores this
 * greedy rule finds, whatever the time per sample. An s16.15 training network (dense) is cut by columns only
 * ({@link #wholeRowParts}): its kernels train only fused blocks holding all their layer's rows.
 */
final class FewestCoresPartitioner implements Partitioner {

    private static final Logger LOG = LoggerFactory.getLogger(FewestCoresPartitioner.class);

    @Override
    public MachineGraph partition(NetworkSpec network, CoreMemory memory, Machine machine) {
        if (trainsWholeRows(network)) {
            int[] parts = wholeRowParts(network, memory);
            return GraphBuilder.build(network, LayerSlicing.wholeRows(network, parts, parts[parts.length - 1]));
        }
        return GraphBuilder.build(network, LayerSlicing.ofVectorParts(network, vectorParts(network, memory), 1));
    }

    /** Whether {@code network} trains in s16.15 on dense layers: its blocks must hold all their rows. */
    static boolean trainsWholeRows(NetworkSpec network) {
        return network.fixedPoint() && network.trains() && !network.isConvolutional();
    }

    /**
     * Column slices per layer of an s16.15 training network, all its rows on every block, and (last) its input
     * sources: starting from one of each, it cuts the layer of the first block that does not fit DTCM into one more
     * column slice (an input source that does not fit: one more source) until every core fits. The output layer stays
     * on one block (the s16.15 loss takes all its columns).
     */
    static int[] wholeRowParts(NetworkSpec network, CoreMemory memory) {
        int nLayers = network.layers().size();
        int[] parts = new int[nLayers + 1];
        Arrays.fill(parts, 1);
        while (true) {
            MachineGraph graph = GraphBuilder.build(network, LayerSlicing.wholeRows(network, parts, parts[nLayers]));
            Optional<DtcmCheck.Overflow> overflow = DtcmCheck.firstOverflow(network, graph, memory);
            if (overflow.isEmpty()) {
                LOG.debug("FEWEST_CORES s16.15 training, column slices per layer and input sources {}: {} cores",
                        Arrays.toString(parts), graph.vertices().size());
                return parts;
            }
            MachineVertex v = overflow.get().vertex();
            int cut = v.kind() == VertexKind.INPUT_SOURCE ? nLayers : v.layer();
            if (v.kind() != VertexKind.DENSE_BLOCK && v.kind() != VertexKind.INPUT_SOURCE) {
                throw new MappingException("FEWEST_CORES partitioning cannot fit " + overflow.get()
                        + " of an s16.15 training network");
            }
            if (cut == nLayers - 1 && v.kind() == VertexKind.DENSE_BLOCK) {
                throw new MappingException("FEWEST_CORES partitioning cannot fit " + overflow.get() + ": an s16.15 "
                        + "training network's output layer must be on one block holding all its rows and columns "
                        + "(its loss takes all its columns); make the output layer smaller or train in "
                        + "Arithmetic.FLOAT32");
            }
            int most = cut == nLayers ? network.vectorSize(0) : network.vectorSize(cut + 1);
            if (parts[cut] >= most) {
                throw new MappingException("FEWEST_CORES partitioning cannot fit " + overflow.get() + " even with "
                        + (cut == nLayers ? "the input" : "layer " + cut + "'s columns") + " cut into single values: "
                        + "an s16.15 training network's blocks hold all their layer's rows (its fan-in); make the "
                        + "layer's input narrower or train in Arithmetic.FLOAT32");
            }
            parts[cut]++;
        }
    }

    /** Slices per activation vector of the fewest-cores partitioning. */
    static int[] vectorParts(NetworkSpec network, CoreMemory memory) {
        int[] parts = new int[network.layers().size() + 1];
        Arrays.fill(parts, 1);
        while (true) {
            MachineGraph graph = GraphBuilder.build(network, LayerSlicing.ofVectorParts(network, parts, 1));
            Optional<DtcmCheck.Overflow> overflow = DtcmCheck.firstOverflow(network, graph, memory);
            if (overflow.isEmpty()) {
                LOG.debug("FEWEST_CORES slices per vector {}: {} cores", Arrays.toString(parts),
                        graph.vertices().size());
                return parts;
            }
            int vector = vectorToSplit(overflow.get().vertex(), parts, network);
            int most = network.isConvolutional() ? ConvolutionSlicing.maxChannelSlices(network, vector)
                    : network.vectorSize(vector);
            if (parts[vector] >= most) {
                throw new MappingException("FEWEST_CORES partitioning cannot fit " + overflow.get()
                        + " even with vector " + vector + " cut into single values");
            }
            parts[vector]++;
        }
    }

    private static int vectorToSplit(MachineVertex v, int[] parts, NetworkSpec network) {
        return switch (v.kind()) {
            case INPUT_SOURCE -> 0;
            case OUTPUT_SINK, LOSS_SINK, RELAY -> v.layer();
            case REDUCE, LABEL_SOURCE -> v.layer() + 1;
            // a convolution's block takes whole input positions: only its channels can be cut finer
            case DENSE_BLOCK -> network.isConvolutional() ? v.layer() + 1 : denseVectorToSplit(v, parts, network);
        };
    }

    private static int denseVectorToSplit(MachineVertex v, int[] parts, NetworkSpec network) {
        int in = v.layer();
        int out = v.layer() + 1;
        double inSlice = (double) network.vectorSize(in) / parts[in];
        double outSlice = (double) network.vectorSize(out) / parts[out];
        boolean splitIn = inSlice > outSlice && parts[in] < network.vectorSize(in);
        return splitIn || parts[out] == network.vectorSize(out) ? in : out;
    }
}
