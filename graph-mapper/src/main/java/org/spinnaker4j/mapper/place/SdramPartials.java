package org.spinnaker4j.mapper.place;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.machine.Chip;

/**
 * Which blocks' partial sums go to their reduce through their chip's SDRAM rather than as packets, once the graph is
 * placed: those of a layer's s16.15 reduces that do not train and each share their chip with every block that sends
 * them partial sums (each to one alone). Each such block writes a sample's sums to SDRAM by DMA and sends one packet;
 * on it the reduce reads them back and files them at once ({@code s4j_on_partials}): one packet a block instead of
 * two a column (docs/architecture.md, "Partial sums through SDRAM").
 */
public final class SdramPartials {

    private SdramPartials() {
    }

    /**
     * {@code graph} with the reduces, blocks and partitions that go through SDRAM as placed marked, and no others (a
     * graph marked for another placement loses its marks); itself if it has no marks and gets none.
     */
    public static MachineGraph mark(MachineGraph graph, Placements placements) {
        MachineGraph plain = unmarked(graph);
        return mark(plain, reduce -> plain.incoming(reduce.id()).stream()
                .filter(p -> p.kind() == PartitionKind.FORWARD)
                .allMatch(p -> placements.of(p.source()).chip().equals(placements.of(reduce.id()).chip())));
    }

    /** {@code graph} without any mark; itself if it has none. */
    private static MachineGraph unmarked(MachineGraph graph) {
        if (graph.vertices().stream().noneMatch(MachineVertex::sdramPartials)) {
            return graph;
        }
        List<MachineVertex> vertices = graph.vertices().stream().map(v -> v.sdramPartials()
                ? new MachineVertex(v.id(), v.kind(), v.layer(), v.rows(), v.cols(), v.fused(), v.pooling(), v.image(),
                        v.arithmetic(), v.trains()) : v).toList();
        List<OutgoingPartition> partitions = graph.partitions().stream().map(p -> p.throughSdram()
                ? new OutgoingPartition(p.id(), p.source(), p.kind(), p.values(), p.targets(), p.keysPerValue())
                : p).toList();
        return new MachineGraph(vertices, partitions);
    }

    /**
     * {@code graph} marked as if every reduce and its blocks that fit a chip ({@link Chip#APPLICATION_CORES}) were
     * placed on one, as the column-group placer places them: what a search weighs before it places a graph.
     */
    public static MachineGraph markGrouped(MachineGraph graph) {
        MachineGraph plain = unmarked(graph);
        return mark(plain, reduce -> plain.incoming(reduce.id()).stream()
                .filter(p -> p.kind() == PartitionKind.FORWARD).count() < Chip.APPLICATION_CORES);
    }

    /**
     * Per vertex, whether it is a reduce or block whose partial sums would go through SDRAM if they shared a chip:
     * the vertices a placer keeps together.
     */
    public static boolean[] together(MachineGraph graph) {
        boolean[] together = new boolean[graph.vertices().size()];
        for (MachineVertex reduce : graph.vertices()) {
            if (takesBlocksPartials(graph, reduce)) {
                together[reduce.id()] = true;
                graph.incoming(reduce.id()).stream().filter(p -> p.kind() == PartitionKind.FORWARD)
                        .forEach(p -> together[p.source()] = true);
            }
        }
        return together;
    }

    /**
     * {@code graph} with every reduce of each layer whose reduces all take their blocks' partial sums and are
     * {@code together} with their blocks marked, and those blocks and partitions: a layer's blocks send in one TDMA
     * window, whose rounds a reduce taking packets would make as many as its blocks' columns, each as long as a reduce
     * taking one packet a block needs for all of them (on the float32 MNIST MLP, a layer marked in part took 452.6
     * µs a sample against 204.9 unmarked).
     */
    private static MachineGraph mark(MachineGraph graph, Predicate<MachineVertex> together) {
        Map<Integer, Boolean> layers = new HashMap<>();
        for (MachineVertex v : graph.vertices()) {
            if (v.kind() == VertexKind.REDUCE) {
                layers.merge(v.layer(), takesBlocksPartials(graph, v) && together.test(v), Boolean::logicalAnd);
            }
        }
        List<MachineVertex> vertices = null;
        List<OutgoingPartition> partitions = null;
        for (MachineVertex reduce : graph.vertices()) {
            if (reduce.kind() != VertexKind.REDUCE || !layers.get(reduce.layer())) {
                continue;
            }
            if (vertices == null) {
                vertices = new ArrayList<>(graph.vertices());
                partitions = new ArrayList<>(graph.partitions());
            }
            vertices.set(reduce.id(), reduce.withSdramPartials());
            for (OutgoingPartition p : graph.incoming(reduce.id())) {
                if (p.kind() == PartitionKind.FORWARD) {
                    partitions.set(p.id(), p.withThroughSdram());
                    vertices.set(p.source(), graph.vertex(p.source()).withSdramPartials());
                }
            }
        }
        return vertices == null ? graph : new MachineGraph(vertices, partitions);
    }

    /**
     * Whether {@code v} is an s16.15 reduce that does not train whose forward inputs are all unfused blocks' partial
     * sums (two keys a value) sent to it alone. Not a float32 one yet: on the float32 MNIST MLP with input as packets,
     * the placer then either keeps the input sources off the column groups' chips (their trees leave a few chips, the
     * busiest link 35,796 clocks a sample, 240.3 µs a sample) or breaks the groups it trades them into, and the
     * search settled at 220.1 µs against 204.9 (docs/architecture.md, "Partial sums through SDRAM").
     */
    private static boolean takesBlocksPartials(MachineGraph graph, MachineVertex v) {
        if (v.kind() != VertexKind.REDUCE || v.arithmetic() != Arithmetic.S16_15 || v.trains()) {
            return false;
        }
        boolean any = false;
        for (OutgoingPartition p : graph.incoming(v.id())) {
            if (p.kind() != PartitionKind.FORWARD) {
                continue;
            }
            MachineVertex block = graph.vertex(p.source());
            if (block.kind() != VertexKind.DENSE_BLOCK || block.fused() || p.targets().size() != 1
                    || p.keysPerValue() != OutgoingPartition.PARTIAL_HALVES) {
                return false;
            }
            any = true;
        }
        return any;
    }
}
