package org.spinnaker4j.mapper.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MachineTest {

    /** SpiNN-5 columns x = 0..7: lowest and highest y, from the board's datasheet. */
    private static final int[][] COLUMNS = {{0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}, {1, 7}, {2, 7}, {3, 7}};
    private static final int[][] STEP = {{1, 0}, {1, 1}, {0, 1}, {-1, 0}, {-1, -1}, {0, -1}};

    private static boolean onSpinn5(int x, int y) {
        return x >= 0 && x < 8 && y >= COLUMNS[x][0] && y <= COLUMNS[x][1];
    }

    private static ChipLocation at(int x, int y) {
        return new ChipLocation(x, y);
    }

    private static Set<Direction> links(Machine m, int x, int y) {
        return m.chip(at(x, y)).orElseThrow().links();
    }

    @Test
    void spinn5HasFortyEightChipsAndTheRightShape() {
        Machine m = Machine.spinn5();
        assertEquals(48, m.chips().size());
        assertEquals(48 * 16, m.applicationCores());
        assertEquals(768, m.applicationCores());
        for (int x = -1; x <= 8; x++) {
            for (int y = -1; y <= 8; y++) {
                assertEquals(onSpinn5(x, y), m.chip(at(x, y)).isPresent(), "chip " + at(x, y));
            }
        }
        for (ChipLocation absent : List.of(at(7, 0), at(0, 7), at(7, 2), at(5, 0), at(0, 4), at(3, 7))) {
            assertTrue(m.chip(absent).isEmpty(), absent + " is not on a SpiNN-5 board");
        }
        for (Chip c : m.chips()) {
            assertEquals(16, c.applicationProcessors().size());
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), c.applicationProcessors());
        }
    }

    @Test
    void spinn5LinkCountsByHand() {
        Machine m = Machine.spinn5();
        // interior chips have all six links
        assertEquals(6, links(m, 3, 3).size());
        assertEquals(6, links(m, 4, 4).size());
        assertEquals(6, links(m, 1, 1).size());
        // (0,0): only E (1,0), NE (1,1) and N (0,1)
        assertEquals(EnumSet.of(Direction.EAST, Direction.NORTH_EAST, Direction.NORTH), links(m, 0, 0));
        // (2,0): E (3,0), NE (3,1), N (2,1), W (1,0)
        assertEquals(EnumSet.of(Direction.EAST, Direction.NORTH_EAST, Direction.NORTH, Direction.WEST),
                links(m, 2, 0));
        // (4,0): E (5,0) is cut off, NE (5,1), N (4,1), W (3,0)
        assertEquals(EnumSet.of(Direction.NORTH_EAST, Direction.NORTH, Direction.WEST), links(m, 4, 0));
        // (0,3): E (1,3), NE (1,4), S (0,2); N (0,4) is cut off
        assertEquals(EnumSet.of(Direction.EAST, Direction.NORTH_EAST, Direction.SOUTH), links(m, 0, 3));
        // (7,7): W (6,7), SW (6,6), S (7,6)
        assertEquals(EnumSet.of(Direction.WEST, Direction.SOUTH_WEST, Direction.SOUTH), links(m, 7, 7));
        // (7,3): N (7,4), W (6,3), SW (6,2)
        assertEquals(EnumSet.of(Direction.NORTH, Direction.WEST, Direction.SOUTH_WEST), links(m, 7, 3));
        // (0,1): E, NE, N, S
        assertEquals(4, links(m, 0, 1).size());
    }

    @Test
    void spinn5LinksExactlyWhereTheNeighbourExistsAndSymmetric() {
        Machine m = Machine.spinn5();
        int directed = 0;
        for (Chip c : m.chips()) {
            for (Direction d : Direction.values()) {
                int nx = c.location().x() + STEP[d.id()][0];
                int ny = c.location().y() + STEP[d.id()][1];
                assertEquals(onSpinn5(nx, ny), c.hasLink(d), c.location() + " " + d);
                if (c.hasLink(d)) {
                    directed++;
                    assertEquals(Optional.of(at(nx, ny)), m.neighbour(c.location(), d));
                    assertTrue(m.chip(at(nx, ny)).orElseThrow().hasLink(d.opposite()));
                } else {
                    assertEquals(Optional.empty(), m.neighbour(c.location(), d));
                }
            }
        }
        assertEquals(0, directed % 2);
        assertTrue(directed < 48 * 6);
    }

    @Test
    void spinn3IsTwoByTwo() {
        Machine m = Machine.spinn3();
        assertEquals(4, m.chips().size());
        assertEquals(64, m.applicationCores());
        assertEquals(EnumSet.of(Direction.EAST, Direction.NORTH_EAST, Direction.NORTH), links(m, 0, 0));
        assertEquals(EnumSet.of(Direction.WEST, Direction.NORTH), links(m, 1, 0));
        assertEquals(EnumSet.of(Direction.EAST, Direction.SOUTH), links(m, 0, 1));
        assertEquals(EnumSet.of(Direction.WEST, Direction.SOUTH_WEST, Direction.SOUTH), links(m, 1, 1));
        assertFalse(m.wrapAround());
    }

    @Test
    void triadTorusWrapsAround() {
        Machine m = Machine.spinn5Triads(1, 1);
        assertEquals(144, m.chips().size());
        assertEquals(144 * 16, m.applicationCores());
        assertEquals(12, m.width());
        assertEquals(12, m.height());
        assertTrue(m.wrapAround());
        for (Chip c : m.chips()) {
            assertEquals(6, c.links().size(), c.location() + " links");
            for (Direction d : Direction.values()) {
                ChipLocation expected = at(Math.floorMod(c.location().x() + STEP[d.id()][0], 12),
                        Math.floorMod(c.location().y() + STEP[d.id()][1], 12));
                assertEquals(Optional.of(expected), m.neighbour(c.location(), d));
            }
        }
        assertEquals(Optional.of(at(0, 0)), m.neighbour(at(11, 11), Direction.NORTH_EAST));
        assertEquals(Optional.of(at(11, 11)), m.neighbour(at(0, 0), Direction.SOUTH_WEST));
        assertEquals(Optional.of(at(11, 5)), m.neighbour(at(0, 5), Direction.WEST));
        assertEquals(Optional.of(at(4, 0)), m.neighbour(at(4, 11), Direction.NORTH));

        Machine big = Machine.spinn5Triads(2, 3);
        assertEquals(24 * 36, big.chips().size());
        assertEquals(24, big.width());
        assertEquals(36, big.height());
        assertThrows(IllegalArgumentException.class, () -> Machine.spinn5Triads(0, 1));
    }

    @Test
    void withoutChipRemovesTheChipAndTheLinksToIt() {
        Machine m = Machine.spinn5().withoutChip(at(3, 3));
        assertEquals(47, m.chips().size());
        assertEquals(47 * 16, m.applicationCores());
        assertTrue(m.chip(at(3, 3)).isEmpty());
        // each neighbour loses exactly the link that pointed at (3,3)
        Object[][] neighbours = {
            {at(4, 3), Direction.WEST}, {at(4, 4), Direction.SOUTH_WEST}, {at(3, 4), Direction.SOUTH},
            {at(2, 3), Direction.EAST}, {at(2, 2), Direction.NORTH_EAST}, {at(3, 2), Direction.NORTH},
        };
        for (Object[] n : neighbours) {
            ChipLocation loc = (ChipLocation) n[0];
            Direction lost = (Direction) n[1];
            Set<Direction> expected = EnumSet.allOf(Direction.class);
            expected.remove(lost);
            assertEquals(expected, links(m, loc.x(), loc.y()), "links of " + loc);
            assertEquals(Optional.empty(), m.neighbour(loc, lost));
        }
        assertEquals(6, links(m, 1, 1).size());
        assertFalse(m.breadthFirstFrom(at(0, 0)).contains(at(3, 3)));
        assertEquals(47, m.breadthFirstFrom(at(0, 0)).size());
        assertThrows(IllegalArgumentException.class, () -> m.withoutChip(at(3, 3)));
        // the original is unchanged
        assertEquals(48, Machine.spinn5().chips().size());
    }

    @Test
    void withoutChipOnATorusCutsTheWrapLinks() {
        Machine m = Machine.spinn5Triads(1, 1).withoutChip(at(0, 0));
        assertEquals(143, m.chips().size());
        assertFalse(links(m, 11, 0).contains(Direction.EAST));
        assertFalse(links(m, 11, 11).contains(Direction.NORTH_EAST));
        assertFalse(links(m, 0, 11).contains(Direction.NORTH));
        assertFalse(links(m, 1, 0).contains(Direction.WEST));
        assertEquals(5, links(m, 11, 0).size());
    }

    @Test
    void withoutLinkRemovesBothDirections() {
        Machine m = Machine.spinn5().withoutLink(at(3, 3), Direction.NORTH_EAST);
        assertEquals(48, m.chips().size());
        assertFalse(links(m, 3, 3).contains(Direction.NORTH_EAST));
        assertFalse(links(m, 4, 4).contains(Direction.SOUTH_WEST));
        assertEquals(5, links(m, 3, 3).size());
        assertEquals(5, links(m, 4, 4).size());
        assertEquals(Optional.empty(), m.neighbour(at(3, 3), Direction.NORTH_EAST));
        assertEquals(Optional.empty(), m.neighbour(at(4, 4), Direction.SOUTH_WEST));
        assertEquals(Optional.of(at(4, 3)), m.neighbour(at(3, 3), Direction.EAST));
        assertThrows(IllegalArgumentException.class, () -> m.withoutLink(at(3, 3), Direction.NORTH_EAST));
        assertThrows(IllegalArgumentException.class, () -> m.withoutLink(at(4, 4), Direction.SOUTH_WEST));
        assertThrows(IllegalArgumentException.class, () -> Machine.spinn5().withoutLink(at(0, 0), Direction.WEST));

        Machine torus = Machine.spinn5Triads(1, 1).withoutLink(at(11, 4), Direction.EAST);
        assertFalse(links(torus, 11, 4).contains(Direction.EAST));
        assertFalse(links(torus, 0, 4).contains(Direction.WEST));
    }

    @Test
    void breadthFirstOrderFollowsLinkIds() {
        Machine m = Machine.spinn5();
        List<ChipLocation> order = m.breadthFirstFrom(at(0, 0));
        assertEquals(48, order.size());
        assertEquals(48, new HashSet<>(order).size());
        // (0,0), then its neighbours in link-id order E, NE, N, then (1,0)'s new ones: E (2,0), NE (2,1)
        assertEquals(List.of(at(0, 0), at(1, 0), at(1, 1), at(0, 1), at(2, 0), at(2, 1)), order.subList(0, 6));
    }

    @Test
    void gridAndChipValidation() {
        Machine g = Machine.grid(3, 2, false);
        assertEquals(6, g.chips().size());
        Machine one = Machine.grid(1, 1, false);
        assertEquals(Set.of(), one.chips().iterator().next().links());
        assertThrows(IllegalArgumentException.class, () -> new Chip(at(0, 0), List.of(0), Set.of()));
        assertThrows(IllegalArgumentException.class, () -> new Chip(at(0, 0), List.of(17), Set.of()));
        assertThrows(IllegalArgumentException.class, () -> new CoreLocation(0, 0, 18));
    }
}
