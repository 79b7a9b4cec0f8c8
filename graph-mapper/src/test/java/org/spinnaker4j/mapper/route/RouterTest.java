package org.spinnaker4j.mapper.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.RoutingSimulator;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.keys.KeyAllocator;
import org.spinnaker4j.mapper.keys.RoutingInfo;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.place.Placements;

class RouterTest {

    private static final int E = MulticastRoutingEntry.linkBit(Direction.EAST);
    private static final int NE = MulticastRoutingEntry.linkBit(Direction.NORTH_EAST);

    /** Vertex 0 sends one value to vertices 1..n placed on the given cores. */
    private static Map<ChipLocation, RoutingTable> route(Machine machine, CoreLocation source, CoreLocation... targets) {
        List<MachineVertex> vs = new ArrayList<>();
        vs.add(new MachineVertex(0, VertexKind.INPUT_SOURCE, -1, null, new Slice(0, 1), false));
        List<Integer> ids = new ArrayList<>();
        List<CoreLocation> cores = new ArrayList<>(List.of(source));
        for (int i = 0; i < targets.length; i++) {
            vs.add(new MachineVertex(i + 1, VertexKind.OUTPUT_SINK, 1, null, new Slice(0, 1), false));
            ids.add(i + 1);
            cores.add(targets[i]);
        }
        MachineGraph g = new MachineGraph(vs, List.of(new OutgoingPartition(0, 0, PartitionKind.FORWARD,
                new Slice(0, 1), ids)));
        Placements p = new Placements(cores);
        RoutingInfo keys = new KeyAllocator().allocate(g);
        Map<ChipLocation, RoutingTable> tables = new Router().route(g, p, keys, machine);
        RoutingSimulator.assertAllPartitionsDeliver(machine, tables, g.partitions(), p, keys);
        return tables;
    }

    private static List<Integer> routes(Map<ChipLocation, RoutingTable> tables, int x, int y) {
        return tables.get(new ChipLocation(x, y)).entries().stream().map(MulticastRoutingEntry::route).toList();
    }

    @Test
    void straightLinesUseDefaultRouting() {
        Machine line = Machine.grid(5, 1, false);
        Map<ChipLocation, RoutingTable> t = route(line, new CoreLocation(0, 0, 1), new CoreLocation(4, 0, 3));
        assertEquals(2, t.size(), "only the source and the target chip need entries: " + t.keySet());
        assertEquals(List.of(E), routes(t, 0, 0));
        assertEquals(List.of(MulticastRoutingEntry.coreBit(3)), routes(t, 4, 0));
    }

    @Test
    void branchesAndTurnsNeedEntries() {
        Machine line = Machine.grid(5, 1, false);
        Map<ChipLocation, RoutingTable> t = route(line, new CoreLocation(0, 0, 1),
                new CoreLocation(4, 0, 3), new CoreLocation(2, 0, 7), new CoreLocation(0, 0, 2));
        assertEquals(3, t.size());
        assertEquals(List.of(E | MulticastRoutingEntry.coreBit(2)), routes(t, 0, 0));
        assertEquals(List.of(E | MulticastRoutingEntry.coreBit(7)), routes(t, 2, 0));

        // (0,0) → (2,1): breadth-first reaches (2,1) from (1,0) over NE, so the packet turns at (1,0)
        Map<ChipLocation, RoutingTable> turn = route(Machine.spinn5(), new CoreLocation(0, 0, 1),
                new CoreLocation(2, 1, 4));
        assertEquals(List.of(E), routes(turn, 0, 0));
        assertEquals(List.of(NE), routes(turn, 1, 0));
        assertEquals(List.of(MulticastRoutingEntry.coreBit(4)), routes(turn, 2, 1));
    }

    @Test
    void localTargetsOnlyNeedTheSourceEntry() {
        Map<ChipLocation, RoutingTable> t = route(Machine.spinn3(), new CoreLocation(1, 1, 5), new CoreLocation(1, 1, 6));
        assertEquals(1, t.size());
        assertEquals(List.of(MulticastRoutingEntry.coreBit(6)), routes(t, 1, 1));
    }

    @Test
    void torusTakesTheShortWayRound() {
        Machine torus = Machine.spinn5Triads(1, 1);
        // (0,0) → (11,0) is one hop west over the wrap link
        Map<ChipLocation, RoutingTable> t = route(torus, new CoreLocation(0, 0, 1), new CoreLocation(11, 0, 2));
        assertEquals(List.of(MulticastRoutingEntry.linkBit(Direction.WEST)), routes(t, 0, 0));
        assertEquals(2, t.size());
    }

    @Test
    void disconnectedTargetIsAMappingError() {
        Machine cut = Machine.grid(2, 1, false).withoutLink(new ChipLocation(0, 0), Direction.EAST);
        MappingException e = assertThrows(MappingException.class,
                () -> route(cut, new CoreLocation(0, 0, 1), new CoreLocation(1, 0, 1)));
        assertTrue(e.getMessage().contains("no working path"), e.getMessage());
    }
}
