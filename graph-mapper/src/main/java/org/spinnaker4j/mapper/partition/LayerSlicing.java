package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * A partitioner's decision: how the input vector is split over input sources, how each
 * layer's W is cut into row and column slices, how the output is split over sinks, and which
 * layers take their rows through relays ({@code relayed.get(l)}: a relay per distinct row slice of layer l gathers
 * it from the cores that produce it, the previous layer's activating cores, whose column slices it joins, or for a
 * convolution's first layer the input sources; see {@link GraphBuilder}).
 */
public record LayerSlicing(List<Slice> inputSources, List<List<Slice>> rows, List<List<Slice>> cols,
        List<Slice> outputSinks, List<Boolean> relayed) {

    public LayerSlicing {
        inputSources = List.copyOf(inputSources);
        rows = rows.stream().map(List::copyOf).toList();
        cols = cols.stream().map(List::copyOf).toList();
        outputSinks = List.copyOf(outputSinks);
        relayed = List.copyOf(relayed);
        if (rows.size() != cols.size() || relayed.size() != rows.size()) {
            throw new IllegalArgumentException("row slicing for " + rows.size() + " layers, column slicing for "
                    + cols.size() + ", relays for " + relayed.size());
        }
    }

    /** A slicing whose layers take their rows straight from the cores that produce them. */
    public LayerSlicing(List<Slice> inputSources, List<List<Slice>> rows, List<List<Slice>> cols,
            List<Slice> outputSinks) {
        this(inputSources, rows, cols, outputSinks, Collections.nCopies(rows.size(), false));
    }

    /**
     * The slicing in which activation vector v is cut into {@code parts[v]} slices, shared by the
     * layer producing it (columns) and the layer consuming it (rows), the input sources each take
     * one of {@code sourcesPerSlice} pieces of a row slice of the first layer, and the output
     * sinks take the last vector's slices.
     */
    static LayerSlicing ofVectorParts(NetworkSpec network, int[] parts, int sourcesPerSlice) {
        int[] ungrouped = new int[parts.length];
        Arrays.fill(ungrouped, 1);
        return ofVectorParts(network, parts, ungrouped, sourcesPerSlice);
    }

    /**
     * {@link #ofVectorParts(NetworkSpec, int[], int)}, except that layer l ≥ 1 takes its rows in slices of
     * {@code groups[l]} consecutive slices of vector l (the last of fewer if they do not divide evenly): its
     * producers' column slices stay as fine, while its blocks get their rows from a relay per group and its
     * reduce cores get partials from fewer row slices. {@code groups[0]} is ignored. A convolutional network's
     * vectors are cut by position instead, {@code parts[v]} being the slices of each position's channels and
     * {@code sourcesPerSlice} the sources per input position, without groups ({@link ConvolutionSlicing}).
     */
    static LayerSlicing ofVectorParts(NetworkSpec network, int[] parts, int[] groups, int sourcesPerSlice) {
        return ofVectorParts(network, parts, groups, new boolean[parts.length], sourcesPerSlice);
    }

    /**
     * {@link #ofVectorParts(NetworkSpec, int[], int[], int)}, except that a grouped layer l with {@code direct[l]}
     * takes its rows straight from the group's producers, no relay: each of its blocks gets them from several cores
     * at once, which saves the relays' window in a sample's step.
     */
    static LayerSlicing ofVectorParts(NetworkSpec network, int[] parts, int[] groups, boolean[] direct,
            int sourcesPerSlice) {
        if (network.isConvolutional()) {
            return ConvolutionSlicing.of(network, parts, sourcesPerSlice);
        }
        int nLayers = network.layers().size();
        List<List<Slice>> rows = new ArrayList<>();
        List<List<Slice>> cols = new ArrayList<>();
        List<Boolean> relayed = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            int group = l == 0 ? 1 : Math.min(groups[l], parts[l]);
            rows.add(grouped(Slice.split(network.vectorSize(l), parts[l]), group));
            cols.add(Slice.split(network.vectorSize(l + 1), parts[l + 1]));
            relayed.add(group > 1 && !direct[l]);
        }
        List<Slice> sources = new ArrayList<>();
        for (Slice r : rows.get(0)) {
            Slice.split(r.size(), Math.min(sourcesPerSlice, r.size()))
                    .forEach(s -> sources.add(new Slice(r.lo() + s.lo(), r.lo() + s.hi())));
        }
        return new LayerSlicing(sources, rows, cols, Slice.split(network.nOut(), parts[nLayers]), relayed);
    }

    /**
     * The slicing of an s16.15 training network (docs/fixed-point.md, "Training in s16.15 through fit"): every layer
     * l takes all its rows in one slice and cuts its columns into {@code colParts[l]} slices, so each of its blocks is
     * fused and takes every block of the layer below; the input vector is split over {@code sources} input sources
     * and the output goes to one sink per column slice of the last layer.
     */
    static LayerSlicing wholeRows(NetworkSpec network, int[] colParts, int sources) {
        int nLayers = network.layers().size();
        List<List<Slice>> rows = new ArrayList<>();
        List<List<Slice>> cols = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            rows.add(List.of(new Slice(0, network.vectorSize(l))));
            cols.add(Slice.split(network.vectorSize(l + 1), colParts[l]));
        }
        return new LayerSlicing(Slice.split(network.vectorSize(0), sources), rows, cols, cols.get(nLayers - 1));
    }

    /** The slices of {@code slices}, {@code group} consecutive ones joined into one. */
    private static List<Slice> grouped(List<Slice> slices, int group) {
        List<Slice> joined = new ArrayList<>();
        for (int i = 0; i < slices.size(); i += group) {
            joined.add(new Slice(slices.get(i).lo(), slices.get(Math.min(slices.size(), i + group) - 1).hi()));
        }
        return joined;
    }
}
