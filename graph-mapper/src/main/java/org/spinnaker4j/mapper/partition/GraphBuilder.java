package org.spinnaker4j.mapper.partition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.PoolingWork;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.InputPath;
import org.spinnaker4j.mapper.ir.PoolingSpec;

/**
 * Builds the machine graph a {@link LayerSlicing} describes: input sources (none when the first layer's blocks read
 * their input from SDRAM), a block per
 * (row slice, column slice) of every layer, a reduce core per column slice where a layer
 * has several row slices, a relay per row slice of a layer the slicing relays (whose row slices
 * join several of the previous layer's column slices), output sinks (for every
 * layer's activations if the network reads them all), and the multicast partitions between
 * them (each value goes only to the vertices whose input slice contains it; a relayed row
 * slice's values go to its relay, which sends them on to the slice's blocks). A convolution's blocks pair its
 * row and column slices one for one ({@link ConvolutionSlicing}) and are all fused.
 */
final class GraphBuilder {

    /** Values one sink that reads a hidden layer back collects at most (16 KB of its DTCM). */
    static final int TAP_SINK_VALUES = 4096;

    private final List<MachineVertex> vertices = new ArrayList<>();
    private final List<OutgoingPartition> partitions = new ArrayList<>();
    private final Arithmetic arithmetic;
    private final boolean trains;

    private GraphBuilder(Arithmetic arithmetic, boolean trains) {
        this.arithmetic = arithmetic;
        this.trains = trains;
    }

    static MachineGraph build(NetworkSpec network, LayerSlicing slicing) {
        return new GraphBuilder(network.arithmetic(), network.trains()).buildGraph(network, slicing);
    }

    private MachineGraph buildGraph(NetworkSpec network, LayerSlicing slicing) {
        int nLayers = network.layers().size();
        if (slicing.rows().size() != nLayers) {
            throw new IllegalArgumentException("slicing covers " + slicing.rows().size()
                    + " layers, the network has " + nLayers);
        }
        // producers.get(v): the vertices that send vector v; consumers.get(v): those that take it
        List<List<Integer>> producers = new ArrayList<>();
        List<List<Integer>> consumers = new ArrayList<>();
        producers.add(new ArrayList<>());
        // with input from SDRAM the first layer's blocks read their rows themselves: no sources, no input packets
        boolean sources = network.input() == InputPath.PACKETS;
        for (Slice s : sources ? slicing.inputSources() : List.<Slice>of()) {
            producers.get(0).add(add(VertexKind.INPUT_SOURCE, -1, null, s, false));
        }
        List<Integer> labelSources = new ArrayList<>();
        if (network.trains()) {
            for (Slice s : slicing.cols().get(nLayers - 1)) {
                labelSources.add(add(VertexKind.LABEL_SOURCE, nLayers - 1, null, s, false));
            }
        }
        List<List<Integer>> blocksOfLayer = new ArrayList<>();
        List<Integer> relays = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            List<Slice> rows = slicing.rows().get(l);
            List<Slice> cols = slicing.cols().get(l);
            boolean conv = network.layers().get(l).isConvolution();
            boolean fused = rows.size() == 1 || conv;
            // a relayed layer has a relay for every row slice, even one a single producer makes, so that all its
            // blocks are one stage deeper than the producers and its reduces get a sample's partials in one window
            List<Integer> layerRelays = new ArrayList<>();
            for (Slice r : slicing.relayed().get(l) ? rows.stream().distinct().toList() : List.<Slice>of()) {
                layerRelays.add(add(VertexKind.RELAY, l, null, r, false));
            }
            relays.addAll(layerRelays);
            List<Integer> layerBlocks = new ArrayList<>();
            if (conv) {
                // a convolution's blocks pair each column slice with its receptive field, and hold all of it
                // a 2-D convolution's blocks hold its kernel once (a dense layer over an image has no zeros to skip;
                // a pooling layer's blocks hold no kernel)
                PoolingSpec pooling = network.layers().get(l).pooling();
                Conv2DGeometry image = network.layers().get(l).convolution().image();
                for (int i = 0; i < cols.size(); i++) {
                    layerBlocks.add(add(VertexKind.DENSE_BLOCK, l, rows.get(i), cols.get(i), true,
                            pooling == null ? null : PoolingWork.of(pooling.kind(),
                                    network.layers().get(l).convolution(), rows.get(i), cols.get(i)),
                            pooling != null || image == null || image.dense() ? null : image));
                }
            } else {
                for (Slice r : rows) {
                    for (Slice c : cols) {
                        layerBlocks.add(add(VertexKind.DENSE_BLOCK, l, r, c, fused));
                    }
                }
            }
            List<Integer> layerConsumers = new ArrayList<>(layerRelays);
            layerBlocks.stream().filter(b -> relayOf(layerRelays, b) < 0).forEach(layerConsumers::add);
            consumers.add(layerConsumers);
            blocksOfLayer.add(layerBlocks);
            List<Integer> activators = new ArrayList<>();
            if (fused) {
                activators.addAll(layerBlocks);
            } else {
                for (Slice c : cols) {
                    activators.add(add(VertexKind.REDUCE, l, null, c, false));
                }
            }
            producers.add(activators);
        }
        List<Integer> sinks = new ArrayList<>();
        for (Slice s : slicing.outputSinks()) {
            sinks.add(add(VertexKind.OUTPUT_SINK, nLayers, null, s, false));
        }
        consumers.add(sinks);
        if (network.readsEveryLayer()) {
            for (int v = 1; v < nLayers; v++) {
                for (Slice s : tapSlices(producers.get(v))) {
                    consumers.get(v).add(add(VertexKind.OUTPUT_SINK, v, null, s, false));
                }
            }
        }
        // the s16.15 kernels compute no loss: their output cores send none, so a loss sink and LOSS partitions would
        // give those cores a slot for a packet they never send, and the TDMA schedule would take a sample's first
        // backward packet for the previous sample's last (docs/fixed-point.md, "Training in s16.15 through fit")
        int lossSink = network.trains() && !network.fixedPoint()
                ? add(VertexKind.LOSS_SINK, nLayers, null, new Slice(0, producers.get(nLayers).size()), false) : -1;

        for (int v = 0; v <= nLayers; v++) {
            // a convolutional network has no sources for the input positions no block sees, nor consumers
            if (v > 0 || !network.isConvolutional()) {
                if (v > 0 || sources) {
                    checkCovers(network.vectorSize(v),
                            producers.get(v).stream().map(id -> vertices.get(id).cols()).toList(),
                            "the producers of vector " + v);
                }
                checkCovers(network.vectorSize(v),
                        consumers.get(v).stream().map(id -> vertices.get(id).inputSlice()).toList(),
                        "the consumers of vector " + v);
            }
            // a loop, not a stream per producer: the partitioner's search builds hundreds of graphs
            List<Slice> inputs = consumers.get(v).stream().map(id -> vertices.get(id).inputSlice()).toList();
            for (int producer : producers.get(v)) {
                Slice values = vertices.get(producer).cols();
                List<Integer> targets = new ArrayList<>();
                for (int k = 0; k < inputs.size(); k++) {
                    if (inputs.get(k).overlaps(values)) {
                        targets.add(consumers.get(v).get(k));
                    }
                }
                addPartition(producer, PartitionKind.FORWARD, values, targets);
            }
        }
        for (int relay : relays) {
            MachineVertex r = vertices.get(relay);
            addPartition(relay, PartitionKind.FORWARD, r.cols(), blocksOfLayer.get(r.layer()).stream()
                    .filter(b -> vertices.get(b).rows().equals(r.cols())).toList());
        }
        for (int l = 0; l < nLayers; l++) {
            if (slicing.rows().get(l).size() > 1 && !network.layers().get(l).isConvolution()) {
                Map<Slice, List<Integer>> reducesOf = new HashMap<>();
                for (int id : producers.get(l + 1)) {
                    reducesOf.computeIfAbsent(vertices.get(id).cols(), c -> new ArrayList<>()).add(id);
                }
                // in s16.15 a partial sum is exact in 64 bits: two packets a value (docs/fixed-point.md)
                int keysPerValue = network.fixedPoint() ? OutgoingPartition.PARTIAL_HALVES : 1;
                for (int block : blocksOfLayer.get(l)) {
                    Slice cols = vertices.get(block).cols();
                    partitions.add(new OutgoingPartition(partitions.size(), block, PartitionKind.FORWARD, cols,
                            reducesOf.getOrDefault(cols, List.of()), keysPerValue));
                }
            }
            List<Integer> activators = producers.get(l + 1);
            boolean softmax = network.layers().get(l).activation().kind() == ActivationKind.SOFTMAX;
            if (softmax && network.layers().get(l).isConvolution()) {
                // a softmax over each position's channels: every activator must hold all of them
                int channels = network.layers().get(l).convolution().channelsOut();
                if (activators.stream().anyMatch(a -> vertices.get(a).cols().size() != channels)) {
                    throw new IllegalArgumentException("layer " + l + "'s softmax runs per position: its blocks "
                            + "must each hold all " + channels + " channels");
                }
            } else if (softmax && activators.size() > 1) {
                Slice syncKeys = new Slice(0, network.trains() ? 3 : 2);
                for (int a : activators) {
                    List<Integer> peers = activators.stream().filter(p -> p != a).toList();
                    addPartition(a, PartitionKind.SOFTMAX_SYNC, syncKeys, peers);
                }
            }
        }
        if (network.trains()) {
            addTrainingPartitions(network, producers, blocksOfLayer, labelSources, lossSink);
            addNormPartitions(network, producers, blocksOfLayer);
            addBatchNormPartitions(network, blocksOfLayer);
            for (KernelCopies copies : KernelCopies.of(network, new MachineGraph(vertices, partitions))) {
                if (network.exchangesKernelCopies(copies.layer())) {
                    addCopyPartitions(copies);
                }
            }
        }
        return new MachineGraph(vertices, partitions);
    }

    /**
     * The backward pass: labels to the output layer's activating cores, each activating core's
     * deltas to the blocks of its columns (a fused block keeps its own), each block's W·delta to
     * the activating cores of the previous layer that own its rows, and each output core's
     * share of the loss to the loss sink if there is one ({@code lossSink} not negative). In s16.15 a block holding
     * only some of its layer's columns sends each row's error as its exact 64-bit partial, in two halves
     * ({@link OutgoingPartition#PARTIAL_HALVES}), which the receivers add up before they round it once.
     */
    private void addTrainingPartitions(NetworkSpec network, List<List<Integer>> producers,
            List<List<Integer>> blocksOfLayer, List<Integer> labelSources, int lossSink) {
        int nLayers = network.layers().size();
        List<Integer> outputActivators = producers.get(nLayers);
        for (int source : labelSources) {
            Slice labels = vertices.get(source).cols();
            addPartition(source, PartitionKind.LABEL, labels, outputActivators.stream()
                    .filter(a -> vertices.get(a).cols().equals(labels)).toList());
        }
        for (int l = 0; l < nLayers; l++) {
            for (int a : producers.get(l + 1)) {
                MachineVertex activator = vertices.get(a);
                if (activator.kind() == VertexKind.REDUCE) {
                    addPartition(a, PartitionKind.DELTA, activator.cols(), blocksOfLayer.get(l).stream()
                            .filter(b -> vertices.get(b).cols().equals(activator.cols())).toList());
                }
            }
            if (l > 0) {
                for (int b : blocksOfLayer.get(l)) {
                    boolean halves = network.fixedPoint()
                            && vertices.get(b).cols().size() < network.layers().get(l).nOut();
                    addBackwardPartitions(b, producers.get(l), halves ? OutgoingPartition.PARTIAL_HALVES : 1);
                }
            }
        }
        for (int i = 0; lossSink >= 0 && i < outputActivators.size(); i++) {
            addPartition(outputActivators.get(i), PartitionKind.LOSS, new Slice(i, i + 1), List.of(lossSink));
        }
    }

    /**
     * Block {@code b}'s W·delta to the activating cores among {@code receivers} that own its rows. Sent as halves
     * (an s16.15 block of a split layer), one partition per receiver's part of the rows, in row order, when those
     * parts tile the rows: each receiver then gets only its own rows, and the key allocator lays the partitions end to
     * end, so the block still sends row i at its first key plus i times the keys a value. Otherwise one partition of
     * all the rows, each receiver ignoring the others': a float32 block's rows go to one activating core on FASTEST
     * and FEWEST_CORES, and NEURON_PER_CORE's blocks, sending one row to each of hundreds of cores, would need an
     * entry a row on the receivers' chips (a Conv1D network's training needed up to 1,400 on a chip of 1,023).
     */
    private void addBackwardPartitions(int b, List<Integer> receivers, int keysPerValue) {
        Slice rows = vertices.get(b).rows();
        List<Integer> owners = receivers.stream().filter(a -> vertices.get(a).cols().overlaps(rows)).toList();
        if (keysPerValue != OutgoingPartition.PARTIAL_HALVES) {
            partitions.add(new OutgoingPartition(partitions.size(), b, PartitionKind.BACKWARD, rows, owners));
            return;
        }
        Map<Slice, List<Integer>> parts = new TreeMap<>(Comparator.comparingInt(Slice::lo).thenComparingInt(Slice::hi));
        owners.forEach(a -> parts.computeIfAbsent(rows.intersect(vertices.get(a).cols()), k -> new ArrayList<>())
                .add(a));
        int next = rows.lo();
        for (Slice part : parts.keySet()) {
            next = part.lo() == next ? part.hi() : -1;
        }
        if (next != rows.hi()) {
            parts.clear();
            parts.put(rows, owners);
        }
        parts.forEach((part, targets) -> partitions.add(new OutgoingPartition(partitions.size(), b,
                PartitionKind.BACKWARD, part, targets, keysPerValue)));
    }

    /**
     * The exchange of an L2 gradient normalization, once per mini-batch: every parameter-owning core of the layer
     * (its blocks and, when they are not fused, its reduces) sends its partial sums of squares to every other; a
     * layer on one core needs none.
     */
    private void addNormPartitions(NetworkSpec network, List<List<Integer>> producers,
            List<List<Integer>> blocksOfLayer) {
        for (int l = 0; l < blocksOfLayer.size(); l++) {
            int keys = network.training().updater(l).gradientNormalization().type().normKeys();
            List<Integer> owners = new ArrayList<>(blocksOfLayer.get(l));
            producers.get(l + 1).stream().filter(a -> !owners.contains(a)).forEach(owners::add);
            if (keys == 0 || owners.size() < 2) {
                continue;
            }
            owners.sort(null);
            for (int o : owners) {
                addPartition(o, PartitionKind.NORM, new Slice(0, keys), owners.stream().filter(p -> p != o).toList());
            }
        }
    }

    /**
     * The exchange of a batch normalization after a 2-D convolution ({@link BatchNormExchange}): every block of the
     * layer sends its per-channel partial sums to every other; a layer on one block needs none.
     */
    private void addBatchNormPartitions(NetworkSpec network, List<List<Integer>> blocksOfLayer) {
        for (int l = 0; l < blocksOfLayer.size(); l++) {
            List<Integer> blocks = blocksOfLayer.get(l);
            if (!network.layers().get(l).normalizesChannels() || blocks.size() < 2) {
                continue;
            }
            Slice keys = new Slice(0, BatchNormExchange.keys(network.layers().get(l)));
            for (int b : blocks) {
                addPartition(b, PartitionKind.BATCH_NORM, keys, blocks.stream().filter(p -> p != b).toList());
            }
        }
    }

    /**
     * The owners update of a kernel slice's copies, once per mini-batch: a SHARE partition from each copy to each
     * other owner of chunks it holds (its slot row in the owner's share table), and a PARAM partition from each
     * chunk's owner to its other holders (the chunk's flat parameters).
     */
    private void addCopyPartitions(KernelCopies copies) {
        if (!copies.exchanges()) {
            return;
        }
        // owner by owner: the shares to one owner get consecutive keys (KeyAllocator), so a chip's entries for them
        // merge where their routes agree (TableCompressor)
        for (int o = 0; o < copies.copies().size(); o++) {
            for (int c = 0; c < copies.copies().size(); c++) {
                int owner = o;
                int copy = c;
                if (o != c && copies.chunks().stream().anyMatch(k -> k.owner() == owner && k.holders().contains(copy))) {
                    int owned = copies.owned(o);
                    addPartition(copies.copies().get(c).vertex(), PartitionKind.SHARE,
                            new Slice(c * owned, (c + 1) * owned), List.of(copies.copies().get(o).vertex()));
                }
            }
        }
        for (KernelCopies.Chunk k : copies.chunks()) {
            List<Integer> others = k.holders().stream().filter(h -> h != k.owner())
                    .map(h -> copies.copies().get(h).vertex()).toList();
            if (!others.isEmpty()) {
                addPartition(copies.copies().get(k.owner()).vertex(), PartitionKind.PARAM, k.params(), others);
            }
        }
    }

    /**
     * Slices for the sinks that read a hidden layer back: consecutive producers' slices joined
     * up to {@link #TAP_SINK_VALUES} values, so every producer's partition goes to one sink.
     */
    private List<Slice> tapSlices(List<Integer> producers) {
        List<Slice> slices = new ArrayList<>();
        Slice group = null;
        for (int producer : producers) {
            Slice cols = vertices.get(producer).cols();
            if (group != null && group.hi() == cols.lo() && group.size() + cols.size() <= TAP_SINK_VALUES) {
                group = new Slice(group.lo(), cols.hi());
            } else {
                if (group != null) {
                    slices.add(group);
                }
                group = cols;
            }
        }
        slices.add(group);
        return slices;
    }

    /** The relay among {@code relays} that gathers block {@code block}'s rows, -1 if its rows come straight. */
    private int relayOf(List<Integer> relays, int block) {
        Slice rows = vertices.get(block).rows();
        return relays.stream().filter(r -> vertices.get(r).cols().equals(rows)).findFirst().orElse(-1);
    }

    private int add(VertexKind kind, int layer, Slice rows, Slice cols, boolean fused) {
        return add(kind, layer, rows, cols, fused, null, null);
    }

    private int add(VertexKind kind, int layer, Slice rows, Slice cols, boolean fused, PoolingWork pooling,
            Conv2DGeometry image) {
        int id = vertices.size();
        vertices.add(new MachineVertex(id, kind, layer, rows, cols, fused, pooling, image, arithmetic, trains));
        return id;
    }

    private void addPartition(int source, PartitionKind kind, Slice values, List<Integer> targets) {
        partitions.add(new OutgoingPartition(partitions.size(), source, kind, values, targets));
    }

    private static void checkCovers(int n, List<Slice> slices, String what) {
        boolean[] covered = new boolean[n];
        for (Slice s : slices) {
            if (s.hi() > n) {
                throw new MappingException(what + ": slice " + s + " exceeds the vector's size " + n);
            }
            java.util.Arrays.fill(covered, s.lo(), s.hi(), true);
        }
        for (int i = 0; i < n; i++) {
            if (!covered[i]) {
                throw new MappingException(what + " do not cover index " + i + " of " + n);
            }
        }
    }
}
