package org.spinnaker4j.mapper.partition;

import java.util.List;
import org.spinnaker4j.mapper.graph.Slice;

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
}
