package org.spinnaker4j.mapper.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.partition.CoreMemory;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

class ReceiveTableBuilderTest {

    static Stream<Arguments> graphs() {
        return TestSupport.mappingCases();
    }

    /** The range of a vertex's table that holds {@code key}; fails unless exactly one does. */
    private static InputRange rangeOf(List<InputRange> table, int key) {
        InputRange found = null;
        for (InputRange r : table) {
            long k = Integer.toUnsignedLong(key);
            if (k >= Integer.toUnsignedLong(r.keyLo()) && k < Integer.toUnsignedLong(r.keyHi())) {
                if (found != null) {
                    fail("key " + key + " in two ranges " + found + " and " + r);
                }
                found = r;
            }
        }
        if (found == null) {
            fail("key " + key + " in no range of " + table);
        }
        return found;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphs")
    void rangesMapEveryIncomingKeyToTheRightSlot(String name, PartitioningStrategy s, NetworkSpec net, CoreMemory mem) {
        MachineGraph graph = TestSupport.partition(s, net, mem);
        RoutingInfo keys = new KeyAllocator().allocate(graph);
        List<List<InputRange>> tables = new ReceiveTableBuilder().build(graph, keys);
        assertEquals(graph.vertices().size(), tables.size());
        for (MachineVertex v : graph.vertices()) {
            List<InputRange> table = tables.get(v.id());
            int size = v.inputSlice().size();
            int[] covered = new int[size];
            int syncRanges = 0;
            for (InputRange r : table) {
                int n = r.keyHi() - r.keyLo();
                assertTrue(n > 0, "empty range " + r);
                if (r.kind() == ReceiveKind.DATA) {
                    assertTrue(r.localOffset() >= 0 && r.localOffset() + n <= size,
                            v + ": range " + r + " outside [0, " + size + ")");
                    for (int i = 0; i < n; i++) {
                        covered[r.localOffset() + i]++;
                    }
                } else {
                    assertEquals(2, n);
                    syncRanges++;
                }
            }
            // coverage: blocks, relays and sinks once, reduces once per row block, sources not at all
            int expected = switch (v.kind()) {
                case INPUT_SOURCE, LABEL_SOURCE -> 0;
                case DENSE_BLOCK, RELAY, OUTPUT_SINK, LOSS_SINK -> 1;
                case REDUCE -> (int) graph.vertices().stream()
                        .filter(b -> b.kind() == VertexKind.DENSE_BLOCK && b.layer() == v.layer()
                                && b.cols().equals(v.cols()))
                        .count();
            };
            if (v.kind() == VertexKind.REDUCE) {
                assertTrue(expected > 1, "a reduce exists only when its layer has several row blocks");
            }
            for (int i = 0; i < size; i++) {
                assertEquals(expected, covered[i], v + " local index " + i);
            }
            // every atom of every incoming partition lands where its value belongs
            long syncPartitions = 0;
            for (OutgoingPartition p : graph.incoming(v.id())) {
                KeyAndMask km = keys.of(p.id());
                if (p.kind() == PartitionKind.SOFTMAX_SYNC) {
                    syncPartitions++;
                    InputRange r = rangeOf(table, km.keyOf(0));
                    assertEquals(ReceiveKind.SOFTMAX_SYNC, r.kind());
                    assertEquals(km.key(), r.keyLo());
                    assertEquals(km.key() + 2, r.keyHi());
                    continue;
                }
                for (int a = 0; a < p.nKeys(); a++) {
                    int key = km.keyOf(a);
                    InputRange r = rangeOf(table, key);
                    assertEquals(ReceiveKind.DATA, r.kind());
                    assertEquals(p.values().lo() + a - v.inputSlice().lo(), r.localOffset() + (key - r.keyLo()),
                            v + " key " + key + " of partition " + p.id());
                }
            }
            assertEquals(syncPartitions, syncRanges);
        }
    }

    @Test
    void consecutiveOneKeyPartitionsMergeIntoOneRange() {
        // NPC 784-256-128-10: each layer-1 neuron hears 256 one-key partitions whose keys and
        // values are both consecutive, so its table is a single range [k, k + 256) at offset 0
        MachineGraph graph = TestSupport.partition(PartitioningStrategy.NEURON_PER_CORE, TestSupport.mnist(),
                TestSupport.MEMORY);
        RoutingInfo keys = new KeyAllocator().allocate(graph);
        List<List<InputRange>> tables = new ReceiveTableBuilder().build(graph, keys);
        int checked = 0;
        for (MachineVertex v : graph.vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 1) {
                List<InputRange> t = tables.get(v.id());
                assertEquals(1, t.size(), v + " " + t);
                assertEquals(256, t.get(0).keyHi() - t.get(0).keyLo());
                assertEquals(0, t.get(0).localOffset());
                checked++;
            }
        }
        assertEquals(128, checked);
    }
}
