package org.spinnaker4j.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.keys.KeyAllocator;
import org.spinnaker4j.mapper.keys.RoutingInfo;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.partition.CoreMemory;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.place.BreadthFirstPlacer;
import org.spinnaker4j.mapper.place.Placements;
import org.spinnaker4j.mapper.route.Router;
import org.spinnaker4j.mapper.route.TableCompressor;

/**
 * A mapping whose reduce chip needs more than 1023 entries, built through the whole Mapper.
 *
 * <p>A 69 → 15 layer where a block may hold only one row: FEWEST_CORES cuts the input into 69
 * single rows and (splitting the output whenever its slices are not smaller) the output into
 * 15 single columns: 69 sources, 1035 one-weight blocks, 15 reduces, 15 sinks. 69 + 1035 =
 * 1104 = 69 · 16, so the 15 reduces share the 70th chip in placement order. Each of the 1035
 * partial-sum partitions has one key (key = base + 15·row + col, in partition order) and
 * ends on that chip at its reduce's core. Entries merge only when their routes are equal
 * (same reduce, i.e. same col) and their keys differ in one bit; keys of one col differ by
 * multiples of 15, never a power of two, so none merge: 1035 entries, plus at least one for
 * the reduces' own outputs.
 */
class TableSizeCheckTest {

    private static final CoreMemory ONE_ROW_BLOCKS = TestSupport.memory((kind, rows, cols, fused, ranges, peers) ->
            kind == VertexKind.DENSE_BLOCK && rows > 1 ? 70_000 : 100);

    @Test
    void tooManyEntriesOnOneChipIsReportedWithChipAndCount() {
        NetworkSpec net = TestSupport.network(ActivationKind.RELU, 69, 15);
        Machine machine = Machine.spinn5Triads(1, 1);

        // the graph is the one described above
        MachineGraph graph = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, net, ONE_ROW_BLOCKS);
        assertEquals(69, graph.count(VertexKind.INPUT_SOURCE));
        assertEquals(1035, graph.count(VertexKind.DENSE_BLOCK));
        assertEquals(15, graph.count(VertexKind.REDUCE));
        assertEquals(15, graph.count(VertexKind.OUTPUT_SINK));
        Placements placements = new BreadthFirstPlacer().place(graph, machine);
        ChipLocation reduceChip = machine.breadthFirstFrom(new ChipLocation(0, 0)).get(69);
        for (MachineVertex v : graph.vertices()) {
            if (v.kind() == VertexKind.REDUCE) {
                assertEquals(reduceChip, placements.of(v.id()).chip());
            }
        }
        RoutingInfo keys = new KeyAllocator().allocate(graph);
        Map<ChipLocation, RoutingTable> tables = new TableCompressor().compress(
                new Router().route(graph, placements, keys, machine));
        int entries = tables.get(reduceChip).size();
        assertTrue(entries >= 1036 && entries <= 1035 + 15 + 69, "entries on the reduce chip: " + entries);
        for (Map.Entry<ChipLocation, RoutingTable> t : tables.entrySet()) {
            if (!t.getKey().equals(reduceChip)) {
                assertTrue(t.getValue().size() <= 1023, "only the reduce chip overflows, not " + t.getKey());
            }
        }

        MappingException e = assertThrows(MappingException.class,
                () -> new Mapper(PartitioningStrategy.FEWEST_CORES, ONE_ROW_BLOCKS).map(net, machine));
        Matcher m = Pattern.compile("chip (\\(\\d+,\\d+\\)) needs (\\d+) entries").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        assertEquals(reduceChip.toString(), m.group(1));
        assertEquals(entries, Integer.parseInt(m.group(2)));
        assertTrue(!m.find(), "only one chip should be listed: " + e.getMessage());
        assertTrue(e.getMessage().contains("1023"), e.getMessage());
        // what helps: fewer partitions; not FEWEST_CORES (in use), not NEURON_PER_CORE (a column of 69 rows does not
        // fit a core here), not a bigger machine (cores are filled chip by chip, so the reduces share a chip)
        assertTrue(e.getMessage().contains("narrower layers"), e.getMessage());
        assertFalse(e.getMessage().contains("FEWEST_CORES") || e.getMessage().contains("NEURON_PER_CORE"), e.getMessage());
        assertFalse(e.getMessage().contains("use a bigger machine"), e.getMessage());
    }

    @Test
    void justUnderTheLimitMaps() {
        // 60 rows: 60 + 900 = 960 = 60 · 16, so again the 15 reduces share one chip, which now
        // needs 900 unmergeable partial-sum entries plus a few: under the limit, so it maps
        NetworkSpec net = TestSupport.network(ActivationKind.RELU, 60, 15);
        Mapping mapping = new Mapper(PartitioningStrategy.FEWEST_CORES, ONE_ROW_BLOCKS).map(net, Machine.spinn5Triads(1, 1));
        assertTrue(mapping.maxRoutingEntries() >= 900 && mapping.maxRoutingEntries() <= 1023,
                "max entries " + mapping.maxRoutingEntries());
        RoutingSimulator.assertAllPartitionsDeliver(mapping);
    }
}
