package org.spinnaker4j.mapper.place;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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

/** The breadth-first placer, and the errors every placer gives when the machine cannot hold the graph. */
class BreadthFirstPlacerTest {

    static Stream<Placer> placers() {
        return Stream.of(new BreadthFirstPlacer(), new ColumnGroupPlacer());
    }

    private static MachineGraph verticesOnly(int n) {
        List<MachineVertex> vs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            vs.add(new MachineVertex(i, VertexKind.INPUT_SOURCE, -1, null, new Slice(i, i + 1), false));
        }
        return new MachineGraph(vs, List.of());
    }

    @ParameterizedTest
    @MethodSource("placers")
    void tooSmallMachineNamesNeededAndAvailableCoresAndAMachineWithEnough(Placer placer) {
        MappingException e = assertThrows(MappingException.class,
                () -> placer.place(verticesOnly(100), Machine.spinn3()));
        assertTrue(e.getMessage().startsWith("the network needs 100 cores but SpiNN-3 (4 chips) has only 64"),
                e.getMessage());
        assertTrue(e.getMessage().contains("e.g. Machine.spinn5() (768 application cores)"), e.getMessage());
        assertFalse(e.getMessage().contains("cut"), "no chip is cut off: " + e.getMessage());
    }

    @Test
    void aMachineTooSmallForSeveralBoardsIsToldTheSmallestTriadTorus() {
        // 9000 cores: 4 triads of 2304, as square as they go
        MappingException e = assertThrows(MappingException.class,
                () -> new BreadthFirstPlacer().place(verticesOnly(9000), Machine.spinn5()));
        assertTrue(e.getMessage().contains("e.g. Machine.spinn5Triads(2, 2) (12 boards, 9216 application cores)"),
                e.getMessage());
        assertEquals(9216, Machine.spinn5Triads(2, 2).applicationCores());
        assertTrue(Machine.spinn5Triads(3, 1).applicationCores() < 9000);
    }

    @ParameterizedTest
    @MethodSource("placers")
    void aDeadEthernetChipIsNamedAndNothingIsPlaced(Placer placer) {
        // before: placement silently started from (0,1), as if it were the Ethernet chip
        Machine machine = Machine.spinn5().withoutChip(new ChipLocation(0, 0));
        MappingException e = assertThrows(MappingException.class,
                () -> placer.place(verticesOnly(20), machine));
        assertTrue(e.getMessage().startsWith("the Ethernet chip (0,0) of SpiNN-5 (48 chips) less chip (0,0) is dead"),
                e.getMessage());
        assertTrue(e.getMessage().contains("none of its 47 working chips can be used"), e.getMessage());
        assertTrue(e.getMessage().contains("use a machine whose chip (0,0) works and has at least 20 application"
                + " cores, e.g. Machine.spinn3()"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("placers")
    void anEthernetChipCutOffByDeadLinksSaysWhichChipsItReaches(Placer placer) {
        ChipLocation ethernet = new ChipLocation(0, 0);
        Machine machine = Machine.spinn5().withoutLink(ethernet, Direction.EAST)
                .withoutLink(ethernet, Direction.NORTH_EAST).withoutLink(ethernet, Direction.NORTH);
        // what fits on the Ethernet chip is placed there
        Placements p = placer.place(verticesOnly(16), machine);
        assertEquals(Set.of(ethernet), p.cores().stream().map(CoreLocation::chip).collect(Collectors.toSet()));

        MappingException e = assertThrows(MappingException.class,
                () -> placer.place(verticesOnly(17), machine));
        assertTrue(e.getMessage().contains("has only 16 application cores on the 1 working chip its Ethernet chip"
                + " (0,0) reaches over working links [(0,0)]; dead chips or links cut it off from the other 47"
                + " working chips [(0,1), (0,2), (0,3), (1,0), (1,1), (1,2), …]"), e.getMessage());
        assertTrue(e.getMessage().contains("use a machine with at least 17 application cores reachable from its"
                + " Ethernet chip, e.g. Machine.spinn3()"), e.getMessage());
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
        MachineGraph g = TestSupport.partition(PartitioningStrategy.NEURON_PER_CORE, TestSupport.deep(),
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

    @ParameterizedTest
    @MethodSource("placers")
    void unreachableChipsAreNotUsed(Placer placer) {
        // cut chip (1,0) of a 2×1 grid off: only the 16 cores of (0,0) are reachable
        Machine machine = Machine.grid(2, 1, false).withoutLink(new ChipLocation(0, 0), Direction.EAST);
        assertEquals(32, machine.applicationCores());
        assertEquals(16, placer.place(verticesOnly(16), machine).cores().size());
        MappingException e = assertThrows(MappingException.class,
                () -> placer.place(verticesOnly(17), machine));
        assertTrue(e.getMessage().contains("16 application cores on the 1 working chip its Ethernet chip (0,0)"
                + " reaches over working links [(0,0)]; dead chips or links cut it off from the other 1 working chip"
                + " [(1,0)]"), e.getMessage());
    }
}
