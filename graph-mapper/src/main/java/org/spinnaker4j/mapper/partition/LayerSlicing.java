package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.List;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * A partitioner's decision: how the input vector is split over input sources, how each
 * layer's W is cut into row and column slices, and how the output is split over sinks.
 */
public record LayerSlicing(List<Slice> inputSources, List<List<Slice>> rows, List<List<Slice>> cols,
        List<Slice> outputSinks) {

    public LayerSlicing {
        inputSources = List.copyOf(inputSources);
        rows = rows.stream().map(List::copyOf).toList();
        cols = cols.stream().map(List::copyOf).toList();
        outputSinks = List.copyOf(outputSinks);
        if (rows.size() != cols.size()) {
            throw new IllegalArgumentException("row slicing for " + rows.size()
                    + " layers but column slicing for " + cols.size());
        }
    }

    /**
     * The slicing in which activation vector v is cut into {@code parts[v]} slices, shared by the
     * layer producing it (columns) and the layer consuming it (rows), the input sources each take
     * one of {@code sourcesPerSlice} pieces of a row slice of the first layer, and the output
     * sinks take the last vector's slices.
     */
    static LayerSlicing ofVectorParts(NetworkSpec network, int[] parts, int sourcesPerSlice) {
        int nLayers = network.layers().size();
        List<List<Slice>> rows = new ArrayList<>();
        List<List<Slice>> cols = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            rows.add(Slice.split(network.vectorSize(l), parts[l]));
            cols.add(Slice.split(network.vectorSize(l + 1), parts[l + 1]));
        }
        List<Slice> sources = new ArrayList<>();
        for (Slice r : rows.get(0)) {
            Slice.split(r.size(), Math.min(sourcesPerSlice, r.size()))
                    .forEach(s -> sources.add(new Slice(r.lo() + s.lo(), r.lo() + s.hi())));
        }
        return new LayerSlicing(sources, rows, cols, Slice.split(network.nOut(), parts[nLayers]));
    }
}
