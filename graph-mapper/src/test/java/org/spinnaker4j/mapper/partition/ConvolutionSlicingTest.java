package org.spinnaker4j.mapper.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.NetworkSpec;

/**
 * Every strategy cuts a convolution into fused blocks of one position, fed exactly their receptive fields, through
 * a relay per field where several producers make it.
 */
class ConvolutionSlicingTest {

    private static List<MachineVertex> of(MachineGraph g, VertexKind kind, int layer) {
        return g.vertices().stream().filter(v -> v.kind() == kind && v.layer() == layer).toList();
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void blocksHoldOnePositionAndTheirReceptiveField(PartitioningStrategy strategy) {
        NetworkSpec net = TestSupport.convolutional();
        checkGraph(net, TestSupport.partition(strategy, net, TestSupport.MEMORY));
    }

    @Test
    void fewestCoresCutsTheChannelsWhenABlockDoesNotFit() {
        NetworkSpec net = TestSupport.convolutional();
        MachineGraph g = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, net, TestSupport.tightMemory(128));
        checkGraph(net, g);
        assertTrue(of(g, VertexKind.DENSE_BLOCK, 1).stream().anyMatch(b -> b.cols().size() < 8),
                "layer 1's channels are cut");
        MachineGraph loose = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, net, TestSupport.MEMORY);
        assertEquals(7, of(loose, VertexKind.DENSE_BLOCK, 1).size(), "a block per position when it fits");
    }

    /**
     * A 2-D convolution's output row (6 columns × 5 channels) cut into 8 slices: near-equal runs for inference (some
     * within one output column, some spanning two), but in training every output column's channels cut alike into 2
     * (12 blocks, channels 0-1 and 2-4), so the blocks' kernels hold disjoint or equal channels.
     */
    @Test
    void aTrainingImageCutsEveryOutputColumnsChannelsAlike() {
        Conv2DGeometry image = new Conv2DGeometry(2, 5, 6, 5, 3, 3, 1, 1, 1, 1, 5, 6, false);
        NetworkSpec inference = new NetworkSpec(List.of(DenseLayerSpec.convolution(image.alongRows(),
                Activation.of(ActivationKind.TANH), true)));
        int[] slices = {1, 8};
        List<Slice> runs = ConvolutionSlicing.of(inference, slices, 1).cols().get(0).subList(0, 8);
        assertEquals(Slice.split(30, 8), runs);
        List<Slice> aligned = ConvolutionSlicing.of(TestSupport.training(inference), slices, 1).cols().get(0);
        assertEquals(5 * 12, aligned.size());
        for (int j = 0; j < 12; j++) {
            int ox = j / 2;
            assertEquals(j % 2 == 0 ? new Slice(ox * 5, ox * 5 + 2) : new Slice(ox * 5 + 2, ox * 5 + 5),
                    aligned.get(j));
        }
        // no more slices than output columns: each block holds at least a column's worth, so every channel
        assertEquals(Slice.split(30, 4), ConvolutionSlicing.of(TestSupport.training(inference), new int[] {1, 4}, 1)
                .cols().get(0).subList(0, 4));
    }

    @Test
    void inputPositionsNoBlockReadsHaveNoSource() {
        // (10 - 3) / 2 + 1 = 4 positions read inputs 0..8
        Conv1DGeometry g = new Conv1DGeometry(2, 10, 3, 3, 2, 0, 4, false);
        NetworkSpec net = new NetworkSpec(List.of(DenseLayerSpec.convolution(g, Activation.of(ActivationKind.TANH),
                true)));
        MachineGraph graph = TestSupport.partition(PartitioningStrategy.FASTEST, net, TestSupport.MEMORY);
        checkGraph(net, graph);
        List<MachineVertex> sources = of(graph, VertexKind.INPUT_SOURCE, -1);
        assertTrue(sources.stream().allMatch(s -> s.cols().hi() <= 18), sources.toString());
        assertEquals(18, sources.stream().mapToInt(s -> s.cols().size()).sum());
    }

    private static void checkGraph(NetworkSpec net, MachineGraph g) {
        assertTrue(g.vertices().stream().noneMatch(v -> v.kind() == VertexKind.REDUCE));
        assertTrue(g.partitions().stream().noneMatch(p -> p.kind() == PartitionKind.SOFTMAX_SYNC));
        for (int l = 0; l < net.layers().size(); l++) {
            Conv1DGeometry geo = net.layers().get(l).convolution();
            int[] owners = new int[net.vectorSize(l + 1)];
            for (MachineVertex b : of(g, VertexKind.DENSE_BLOCK, l)) {
                assertTrue(b.fused(), b.toString());
                int t = b.cols().lo() / geo.channelsOut();
                assertEquals(t, (b.cols().hi() - 1) / geo.channelsOut(), "one position: " + b);
                int first = Math.max(0, geo.firstInput(t));
                int end = Math.min(geo.length(), geo.firstInput(t) + geo.kernel());
                assertEquals(new Slice(first * geo.channelsIn(), end * geo.channelsIn()), b.rows(), b.toString());
                for (int j = b.cols().lo(); j < b.cols().hi(); j++) {
                    owners[j]++;
                }
                if (net.layers().get(l).activation().kind() == ActivationKind.SOFTMAX) {
                    assertEquals(geo.channelsOut(), b.cols().size(), "a softmax keeps a position whole");
                }
            }
            for (int j = 0; j < owners.length; j++) {
                assertEquals(1, owners[j], "output " + j + " of layer " + l);
            }
        }
        // a layer whose fields come from several producers takes each field through one relay, in order
        for (int l = 0; l < net.layers().size(); l++) {
            List<MachineVertex> relays = of(g, VertexKind.RELAY, l);
            List<Slice> fields = of(g, VertexKind.DENSE_BLOCK, l).stream().map(MachineVertex::rows).distinct().toList();
            if (net.layers().get(l).convolution().kernel() > 1) {
                assertEquals(fields, relays.stream().map(MachineVertex::cols).toList(), "layer " + l + "'s relays");
            }
            for (MachineVertex r : relays) {
                List<OutgoingPartition> out = g.outgoing(r.id());
                assertEquals(1, out.size());
                assertEquals(of(g, VertexKind.DENSE_BLOCK, l).stream().filter(b -> b.rows().equals(r.cols()))
                        .map(MachineVertex::id).toList(), out.get(0).targets().stream().sorted().toList());
            }
        }
        // every forward value goes exactly to the consumers (relays, or blocks fed straight) whose field covers it
        for (OutgoingPartition p : g.partitions()) {
            MachineVertex source = g.vertices().get(p.source());
            if (p.kind() != PartitionKind.FORWARD || source.kind() == VertexKind.RELAY
                    || source.kind() == VertexKind.DENSE_BLOCK && source.layer() == net.layers().size() - 1) {
                continue;
            }
            int layer = source.kind() == VertexKind.INPUT_SOURCE ? 0 : source.layer() + 1;
            List<MachineVertex> relays = of(g, VertexKind.RELAY, layer);
            List<Integer> expected = (relays.isEmpty() ? of(g, VertexKind.DENSE_BLOCK, layer) : relays).stream()
                    .filter(b -> b.inputSlice().overlaps(p.values())).map(MachineVertex::id).toList();
            assertTrue(!expected.isEmpty(), "someone reads " + p);
            assertEquals(expected, p.targets().stream().sorted().toList(), p.toString());
            for (int target : p.targets()) {
                Slice rows = g.vertices().get(target).inputSlice();
                assertTrue(rows.lo() <= p.values().lo() && p.values().hi() <= rows.hi(), "whole positions: " + p);
            }
        }
    }
}
