package org.spinnaker4j.mapper.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;

class PartitionerTest {

    static Stream<Arguments> blockCases() {
        return Stream.of(
                Arguments.of("mnist", TestSupport.mnist(), TestSupport.MEMORY, 1),
                Arguments.of("mnist tight", TestSupport.mnist(), TestSupport.tightMemory(16), 16),
                Arguments.of("deep", TestSupport.deep(), TestSupport.MEMORY, 1),
                Arguments.of("deep tight", TestSupport.deep(), TestSupport.tightMemory(128), 128),
                Arguments.of("wide softmax", TestSupport.network(ActivationKind.SOFTMAX, 300, 700),
                        TestSupport.tightMemory(4), 4),
                Arguments.of("tall", TestSupport.network(ActivationKind.TANH, 5000, 3), TestSupport.MEMORY, 1));
    }

    /** The formula, recomputed here (not through DtcmCheck), for a vertex of the graph. */
    private static int bytes(MachineGraph g, MachineVertex v, int scale) {
        int rows = v.kind() == VertexKind.DENSE_BLOCK ? v.rows().size() : 0;
        int cols = v.cols().size();
        return 64 + 16 * g.incoming(v.id()).size() + 4 * (scale * rows * cols + rows + 2 * cols);
    }

    private static List<MachineVertex> of(MachineGraph g, VertexKind kind, int layer) {
        return g.vertices().stream().filter(v -> v.kind() == kind && v.layer() == layer).toList();
    }

    /** The vertices that consume what {@code u} produces, derived from the graph's structure. */
    private static List<MachineVertex> consumersOf(MachineGraph g, MachineVertex u, int nLayers) {
        if (u.kind() == VertexKind.DENSE_BLOCK && !u.fused()) {
            return of(g, VertexKind.REDUCE, u.layer()).stream().filter(r -> r.cols().equals(u.cols())).toList();
        }
        int next = u.kind() == VertexKind.INPUT_SOURCE ? 0 : u.layer() + 1;
        return next == nLayers ? of(g, VertexKind.OUTPUT_SINK, nLayers) : of(g, VertexKind.DENSE_BLOCK, next);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blockCases")
    void blockGraphIsConsistent(String name, NetworkSpec net, CoreMemory memory, int scale) {
        MachineGraph g = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, net, memory);
        int nLayers = net.layers().size();

        for (MachineVertex v : g.vertices()) {
            int b = bytes(g, v, scale);
            assertTrue(b <= TestSupport.DTCM_BYTES, v + " needs " + b);
            assertEquals(b, DtcmCheck.bytesOf(net, g, v, memory));
        }
        for (int l = 0; l < nLayers; l++) {
            int nIn = net.vectorSize(l);
            int nOut = net.vectorSize(l + 1);
            List<MachineVertex> blocks = of(g, VertexKind.DENSE_BLOCK, l);
            // every W[i][j] belongs to exactly one block
            int[][] owners = new int[nIn][nOut];
            for (MachineVertex blk : blocks) {
                for (int i = blk.rows().lo(); i < blk.rows().hi(); i++) {
                    for (int j = blk.cols().lo(); j < blk.cols().hi(); j++) {
                        owners[i][j]++;
                    }
                }
            }
            for (int i = 0; i < nIn; i++) {
                for (int j = 0; j < nOut; j++) {
                    assertEquals(1, owners[i][j], "layer " + l + " W[" + i + "][" + j + "]");
                }
            }
            Set<Slice> rowSlices = new HashSet<>();
            Set<Slice> colSlices = new HashSet<>();
            blocks.forEach(blk -> {
                rowSlices.add(blk.rows());
                colSlices.add(blk.cols());
            });
            assertEquals(rowSlices.size() * colSlices.size(), blocks.size());
            List<MachineVertex> reduces = of(g, VertexKind.REDUCE, l);
            if (rowSlices.size() > 1) {
                assertEquals(colSlices.size(), reduces.size(), "layer " + l + " reduces");
                assertEquals(colSlices, new HashSet<>(reduces.stream().map(MachineVertex::cols).toList()));
                blocks.forEach(blk -> assertFalse(blk.fused()));
                reduces.forEach(r -> assertTrue(r.activates()));
            } else {
                assertEquals(0, reduces.size());
                blocks.forEach(blk -> assertTrue(blk.fused() && blk.activates()));
            }
        }
        // input sources and sinks tile their vectors
        assertTiles(net.nIn(), of(g, VertexKind.INPUT_SOURCE, -1).stream().map(MachineVertex::cols).toList());
        assertTiles(net.nOut(), of(g, VertexKind.OUTPUT_SINK, nLayers).stream().map(MachineVertex::cols).toList());

        // forward partitions: each producer sends its values to exactly the consumers whose
        // input slice overlaps them, and only values that fit inside those slices
        for (MachineVertex u : g.vertices()) {
            List<OutgoingPartition> forward = g.outgoing(u.id()).stream()
                    .filter(p -> p.kind() == PartitionKind.FORWARD).toList();
            if (u.kind() == VertexKind.OUTPUT_SINK) {
                assertEquals(0, g.outgoing(u.id()).size());
                continue;
            }
            assertEquals(1, forward.size(), u + " forward partitions");
            OutgoingPartition p = forward.get(0);
            assertEquals(u.cols(), p.values());
            Set<Integer> expected = new HashSet<>();
            for (MachineVertex c : consumersOf(g, u, nLayers)) {
                if (c.inputSlice().overlaps(p.values())) {
                    expected.add(c.id());
                    assertTrue(c.inputSlice().lo() <= p.values().lo() && p.values().hi() <= c.inputSlice().hi(),
                            p + " straddles " + c);
                }
            }
            assertEquals(expected, new HashSet<>(p.targets()), u + " targets");
        }
        assertSoftmaxSync(g, net);
    }

    private static void assertTiles(int n, List<Slice> slices) {
        int[] c = new int[n];
        slices.forEach(s -> {
            for (int i = s.lo(); i < s.hi(); i++) {
                c[i]++;
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, c[i], "index " + i);
        }
    }

    /** Softmax layers spread over several activating cores: each sends one sync partition to all its peers. */
    private static void assertSoftmaxSync(MachineGraph g, NetworkSpec net) {
        int syncSeen = 0;
        for (int l = 0; l < net.layers().size(); l++) {
            final int layer = l;
            List<MachineVertex> activators = g.vertices().stream()
                    .filter(v -> v.layer() == layer && v.activates()).toList();
            boolean softmax = net.layers().get(l).activation().kind() == ActivationKind.SOFTMAX;
            for (MachineVertex a : activators) {
                List<OutgoingPartition> sync = g.outgoing(a.id()).stream()
                        .filter(p -> p.kind() == PartitionKind.SOFTMAX_SYNC).toList();
                if (softmax && activators.size() > 1) {
                    assertEquals(1, sync.size(), a + " sync partitions");
                    Set<Integer> peers = new HashSet<>();
                    activators.stream().filter(o -> o.id() != a.id()).forEach(o -> peers.add(o.id()));
                    assertEquals(peers, new HashSet<>(sync.get(0).targets()));
                    assertEquals(2, sync.get(0).nKeys());
                    syncSeen++;
                } else {
                    assertEquals(0, sync.size());
                }
            }
        }
        assertEquals(syncSeen, g.partitions().stream().filter(p -> p.kind() == PartitionKind.SOFTMAX_SYNC).count());
    }

    @Test
    void wideSoftmaxUnderBlockHasSyncPartitions() {
        MachineGraph g = TestSupport.partition(PartitioningStrategy.FEWEST_CORES,
                TestSupport.network(ActivationKind.SOFTMAX, 300, 700), TestSupport.tightMemory(4));
        long activators = g.vertices().stream().filter(MachineVertex::activates).count();
        assertTrue(activators > 1);
        assertEquals(activators, g.partitions().stream().filter(p -> p.kind() == PartitionKind.SOFTMAX_SYNC).count());
    }

    @Test
    void tinyNetworkWithRoomToSpareIsOneCorePerStage() {
        NetworkSpec net = TestSupport.network(ActivationKind.RELU, 4, 3, 2);
        MachineGraph g = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, net, TestSupport.MEMORY);
        assertEquals(List.of(VertexKind.INPUT_SOURCE, VertexKind.DENSE_BLOCK, VertexKind.DENSE_BLOCK,
                VertexKind.OUTPUT_SINK), g.vertices().stream().map(MachineVertex::kind).toList());
        assertEquals(3, g.partitions().size());
        assertEquals(List.of(1), g.partitions().get(0).targets());
        assertEquals(List.of(2), g.partitions().get(1).targets());
        assertEquals(List.of(3), g.partitions().get(2).targets());
    }

    @Test
    void greedySplitByHand() {
        // blocks may hold at most 16 weights; nothing else costs memory. For 8 × 8:
        // 8×8 overflows, slices equal → split the output (8×4); 8 > 4 → split the input (4×4): fits.
        CoreMemory mem = TestSupport.memory((kind, rows, cols, fused, ranges, peers) ->
                kind == VertexKind.DENSE_BLOCK && rows * cols > 16 ? 70_000 : 0);
        MachineGraph g = TestSupport.partition(PartitioningStrategy.FEWEST_CORES,
                TestSupport.network(ActivationKind.RELU, 8, 8), mem);
        assertEquals(2, g.count(VertexKind.INPUT_SOURCE));
        assertEquals(4, g.count(VertexKind.DENSE_BLOCK));
        assertEquals(2, g.count(VertexKind.REDUCE));
        assertEquals(2, g.count(VertexKind.OUTPUT_SINK));
        // 2 source partitions, 2 reduce → sink partitions, 4 partial-sum partitions
        assertEquals(8, g.partitions().size());
        for (MachineVertex v : g.vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK) {
                assertEquals(4, v.rows().size());
                assertEquals(4, v.cols().size());
            }
        }
    }

    @Test
    void neuronPerCoreIsOneFusedBlockPerNeuron() {
        NetworkSpec net = TestSupport.deep();
        MachineGraph g = TestSupport.partition(PartitioningStrategy.NEURON_PER_CORE, net, TestSupport.MEMORY);
        assertEquals(0, g.count(VertexKind.REDUCE));
        int neurons = 0;
        for (int l = 0; l < net.layers().size(); l++) {
            List<MachineVertex> blocks = of(g, VertexKind.DENSE_BLOCK, l);
            assertEquals(net.vectorSize(l + 1), blocks.size(), "layer " + l);
            Set<Integer> columns = new HashSet<>();
            for (MachineVertex b : blocks) {
                assertTrue(b.fused());
                assertEquals(new Slice(0, net.vectorSize(l)), b.rows());
                assertEquals(1, b.cols().size());
                columns.add(b.cols().lo());
            }
            assertEquals(net.vectorSize(l + 1), columns.size());
            neurons += blocks.size();
        }
        assertEquals(50 + 50 + 300 + 50 + 25, neurons);
        assertEquals(neurons + 2, g.vertices().size(), "one input source and one sink fit");
        assertSoftmaxSync(g, net);
        assertEquals(25, g.partitions().stream().filter(p -> p.kind() == PartitionKind.SOFTMAX_SYNC).count());
        for (MachineVertex v : g.vertices()) {
            assertTrue(DtcmCheck.bytesOf(net, g, v, TestSupport.MEMORY) <= TestSupport.DTCM_BYTES);
        }
    }

    @Test
    void neuronPerCoreSplitsAnInputTooBigForOneSource() {
        // a source of 9000 values needs 64 + 8 · 9000 bytes: two sources of 4500 fit
        NetworkSpec net = TestSupport.network(ActivationKind.RELU, 9000, 2);
        CoreMemory mem = TestSupport.memory((kind, rows, cols, fused, ranges, peers) ->
                kind == VertexKind.DENSE_BLOCK ? 0 : TestSupport.MEMORY.stateBytes(kind, rows, cols, fused, ranges, peers));
        MachineGraph g = TestSupport.partition(PartitioningStrategy.NEURON_PER_CORE, net, mem);
        assertEquals(2, g.count(VertexKind.INPUT_SOURCE));
    }

    @Test
    void neuronPerCoreRefusesAColumnThatDoesNotFit() {
        // one column of a 10000-input layer: 4 · (10000 + 10000 + 2) bytes alone > 64 KiB; whether
        // FEWEST_CORES would help depends on the machine, so the Mapper says so (MappingAdviceTest)
        NetworkSpec net = TestSupport.network(ActivationKind.RELU, 10000, 10);
        MappingException e = assertThrows(MappingException.class,
                () -> TestSupport.partition(PartitioningStrategy.NEURON_PER_CORE, net, TestSupport.MEMORY));
        assertTrue(e.getMessage().contains("needs 80104 bytes of DTCM"), e.getMessage());
        // the same network is fine under FEWEST_CORES
        MachineGraph g = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, net, TestSupport.MEMORY);
        assertTrue(g.count(VertexKind.DENSE_BLOCK) > 1);
    }

    @Test
    void blockGivesUpWhenEvenSingleValuesDoNotFit() {
        CoreMemory never = TestSupport.memory((kind, rows, cols, fused, ranges, peers) ->
                kind == VertexKind.REDUCE || kind == VertexKind.DENSE_BLOCK ? 70_000 : 0);
        MappingException e = assertThrows(MappingException.class,
                () -> TestSupport.partition(PartitioningStrategy.FEWEST_CORES,
                TestSupport.network(ActivationKind.RELU, 3, 2), never));
        assertTrue(e.getMessage().contains("FEWEST_CORES partitioning cannot fit"), e.getMessage());
    }
}
