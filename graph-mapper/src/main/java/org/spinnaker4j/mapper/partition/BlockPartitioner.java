package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * Cuts every activation vector into slices and every W into the blocks those slices make,
 * one block per core. A vector's slicing is shared by the layer that produces it (columns)
 * and the layer that consumes it (rows), so each value travels to exactly the blocks that
 * need it. Starting from one slice per vector, it splits the vector with the larger slices
 * of the first core that does not fit DTCM until every core fits: the fewest cores this
 * greedy rule finds, not a search for the best balance of packets and compute.
 */
final class BlockPartitioner implements Partitioner {

    private static final Logger LOG = LoggerFactory.getLogger(BlockPartitioner.class);

    @Override
    public MachineGraph partition(NetworkSpec network, CoreMemory memory) {
        int nLayers = network.layers().size();
        int[] parts = new int[nLayers + 1];
        Arrays.fill(parts, 1);
        while (true) {
            MachineGraph graph = GraphBuilder.build(network, slicing(network, parts));
            Optional<DtcmCheck.Overflow> overflow = DtcmCheck.firstOverflow(network, graph, memory);
            if (overflow.isEmpty()) {
                LOG.debug("BLOCK slices per vector {}: {} cores", Arrays.toString(parts), graph.vertices().size());
                return graph;
            }
            int vector = vectorToSplit(overflow.get().vertex(), parts, network);
            if (parts[vector] == network.vectorSize(vector)) {
                throw new MappingException("BLOCK partitioning cannot fit " + overflow.get()
                        + " even with vector " + vector + " cut into single values");
            }
            parts[vector]++;
        }
    }

    private static int vectorToSplit(MachineVertex v, int[] parts, NetworkSpec network) {
        return switch (v.kind()) {
            case INPUT_SOURCE -> 0;
            case OUTPUT_SINK, LOSS_SINK -> v.layer();
            case REDUCE, LABEL_SOURCE -> v.layer() + 1;
            case DENSE_BLOCK -> {
                int in = v.layer();
                int out = v.layer() + 1;
                double inSlice = (double) network.vectorSize(in) / parts[in];
                double outSlice = (double) network.vectorSize(out) / parts[out];
                boolean splitIn = inSlice > outSlice && parts[in] < network.vectorSize(in);
                yield splitIn || parts[out] == network.vectorSize(out) ? in : out;
            }
        };
    }

    private static LayerSlicing slicing(NetworkSpec network, int[] parts) {
        int nLayers = network.layers().size();
        List<List<Slice>> rows = new ArrayList<>();
        List<List<Slice>> cols = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            rows.add(Slice.split(network.vectorSize(l), parts[l]));
            cols.add(Slice.split(network.vectorSize(l + 1), parts[l + 1]));
        }
        return new LayerSlicing(Slice.split(network.nIn(), parts[0]), rows, cols,
                Slice.split(network.nOut(), parts[nLayers]));
    }
}
