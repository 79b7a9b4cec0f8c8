package org.spinnaker4j.mapper.place;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

class BreadthFirstPlacerTest {

    private static MachineGraph verticesOnly(int n) {
        List<MachineVertex> vs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            vs.add(new MachineVertex(i, VertexKind.INPUT_SOURCE, -1, null, new Slice(i, i + 1), false));
        }
        return new MachineGraph(vs, List.of());
    }

    @Test
    void tooSmallMachineNamesNeededAndAvailableCores() {
        // NPC 784-256-128-10: one source (64 + 8·784 bytes fits), 256 + 128 + 10 neurons, one sink
        int needed = 1 + 256 + 128 + 10 + 1;
        MappingException e = assertThrows(MappingException.class,
                () -> new Mapper(PartitioningStrategy.NEURON_PER_CORE, TestSupport.MEMORY)
                        .map(TestSupport.mnist(), Machine.spinn3()));
        assertTrue(e.getMessage().contains("needs " + needed + " cores"), e.getMessage());
        assertTrue(e.getMessage().contains(" 64 "), e.getMessage());
    }

    @Test
    void exactlyFullMachineFitsOneMoreDoesNot() {
        Placements p = new BreadthFirstPlacer().place(verticesOnly(64), Machine.spinn3());
        assertEquals(64, new HashSet<>(p.cores()).size());
        assertEquals(4, p.chipsUsed());
        MappingException e = assertThrows(MappingException.class,
                () -> new BreadthFirstPlacer().place(verticesOnly(65), Machine.spinn3()));
        assertTrue(e.getMessage().contains("65") && e.getMessage().contains("64"), e.getMessage());
    }

    @Test
    void fillsChipsInBreadthFirstOrder() {
        Placements p = new BreadthFirstPlacer().place(verticesOnly(20), Machine.spinn5());
        for (int i = 0; i < 16; i++) {
            assertEquals(new CoreLocation(0, 0, i + 1), p.of(i));
        }
        // (0,0)'s first neighbour in link-id order is east: (1,0)
        for (int i = 16; i < 20; i++) {
            assertEquals(new CoreLocation(1, 0, i - 15), p.of(i));
        }
        assertEquals(2, p.chipsUsed());
    }

    @Test
    void placementsAreUniqueWorkingApplicationCores() {
        Machine machine = Machine.spinn5().withoutChip(new ChipLocation(2, 2))
                .withoutLink(new ChipLocation(1, 1), Direction.EAST);
        MachineGraph g = PartitioningStrategy.NEURON_PER_CORE.partitioner().partition(TestSupport.deep(),
                TestSupport.MEMORY);
        Placements p = new BreadthFirstPlacer().place(g, machine);
        assertEquals(g.vertices().size(), p.cores().size());
        Set<CoreLocation> seen = new HashSet<>();
        for (CoreLocation c : p.cores()) {
            assertTrue(seen.add(c), "core " + c + " used twice");
            assertTrue(machine.chip(c.chip()).orElseThrow().applicationProcessors().contains(c.p()));
            assertFalse(c.chip().equals(new ChipLocation(2, 2)));
        }
        assertEquals((g.vertices().size() + 15) / 16, p.chipsUsed());
    }

    @Test
    void unreachableChipsAreNotUsed() {
        // cut chip (1,0) of a 2×1 grid off: only the 16 cores of (0,0) are reachable
        Machine machine = Machine.grid(2, 1, false).withoutLink(new ChipLocation(0, 0), Direction.EAST);
        assertEquals(32, machine.applicationCores());
        assertEquals(16, new BreadthFirstPlacer().place(verticesOnly(16), machine).cores().size());
        MappingException e = assertThrows(MappingException.class,
                () -> new BreadthFirstPlacer().place(verticesOnly(17), machine));
        assertTrue(e.getMessage().contains("16 reachable"), e.getMessage());
    }
}
