package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;

/**
 * The 2020 prototype's split: every neuron on its own core, holding its whole column of W,
 * receiving every input of its layer and multicasting its one output to every neuron of the
 * next layer. Input sources and output sinks take one core each where they fit. In a convolution a neuron is
 * one output channel at one position, receiving only the inputs its receptive field covers.
 */
final class NeuronPerCorePartitioner implements Partitioner {

    @Override
    public MachineGraph partition(NetworkSpec network, CoreMemory memory, Machine machine) {
        if (network.isConvolutional()) {
            return convolutional(network, memory);
        }
        int nLayers = network.layers().size();
        List<List<Slice>> rows = new ArrayList<>();
        List<List<Slice>> cols = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            rows.add(List.of(new Slice(0, network.vectorSize(l))));
            cols.add(Slice.split(network.vectorSize(l + 1), network.vectorSize(l + 1)));
        }
        int sources = 1;
        int sinks = 1;
        while (true) {
            MachineGraph graph = GraphBuilder.build(network, new LayerSlicing(
                    Slice.split(network.nIn(), sources), rows, cols, Slice.split(network.nOut(), sinks)));
            Optional<DtcmCheck.Overflow> overflow = DtcmCheck.firstOverflow(network, graph, memory);
            if (overflow.isEmpty()) {
                return graph;
            }
            VertexKind kind = overflow.get().vertex().kind();
            if (kind == VertexKind.INPUT_SOURCE && sources < network.nIn()) {
                sources++;
            } else if (kind == VertexKind.OUTPUT_SINK && sinks < network.nOut()) {
                sinks++;
            } else {
                throw new MappingException("NEURON_PER_CORE cannot fit " + overflow.get()
                        + " (a neuron's core holds its whole column of W)");
            }
        }
    }

    /** A neuron per core of a convolution: one output channel at one position, with its receptive field. */
    private static MachineGraph convolutional(NetworkSpec network, CoreMemory memory) {
        int[] channels = new int[network.layers().size() + 1];
        for (int v = 0; v < channels.length; v++) {
            channels[v] = ConvolutionSlicing.maxChannelSlices(network, v);
        }
        MachineGraph graph = GraphBuilder.build(network, ConvolutionSlicing.of(network, channels, 1));
        Optional<DtcmCheck.Overflow> overflow = DtcmCheck.firstOverflow(network, graph, memory);
        if (overflow.isPresent()) {
            throw new MappingException("NEURON_PER_CORE cannot fit " + overflow.get()
                    + " (a neuron's core holds its kernel for all input channels)");
        }
        return graph;
    }
}
