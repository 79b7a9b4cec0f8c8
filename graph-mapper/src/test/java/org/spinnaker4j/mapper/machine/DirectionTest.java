package org.spinnaker4j.mapper.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DirectionTest {

    @Test
    void linkIdsAndStepsFollowSpiNNaker() {
        // link ids 0..5 = E(+1,0), NE(+1,+1), N(0,+1), W(-1,0), SW(-1,-1), S(0,-1)
        Object[][] expected = {
            {Direction.EAST, 0, 1, 0}, {Direction.NORTH_EAST, 1, 1, 1}, {Direction.NORTH, 2, 0, 1},
            {Direction.WEST, 3, -1, 0}, {Direction.SOUTH_WEST, 4, -1, -1}, {Direction.SOUTH, 5, 0, -1},
        };
        for (Object[] e : expected) {
            Direction d = (Direction) e[0];
            assertEquals(e[1], d.id(), d + " id");
            assertEquals(e[2], d.dx(), d + " dx");
            assertEquals(e[3], d.dy(), d + " dy");
            assertSame(d, Direction.byId((Integer) e[1]));
        }
    }

    @Test
    void oppositePairs() {
        assertSame(Direction.WEST, Direction.EAST.opposite());
        assertSame(Direction.EAST, Direction.WEST.opposite());
        assertSame(Direction.SOUTH_WEST, Direction.NORTH_EAST.opposite());
        assertSame(Direction.NORTH_EAST, Direction.SOUTH_WEST.opposite());
        assertSame(Direction.SOUTH, Direction.NORTH.opposite());
        assertSame(Direction.NORTH, Direction.SOUTH.opposite());
        for (Direction d : Direction.values()) {
            assertEquals((d.id() + 3) % 6, d.opposite().id());
            assertSame(d, d.opposite().opposite());
            assertEquals(-d.dx(), d.opposite().dx());
            assertEquals(-d.dy(), d.opposite().dy());
        }
    }

    @Test
    void byIdRejectsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Direction.byId(6));
        assertThrows(IllegalArgumentException.class, () -> Direction.byId(-1));
    }

    @Test
    void routeBits() {
        assertEquals(1, MulticastRoutingEntry.linkBit(Direction.EAST));
        assertEquals(1 << 5, MulticastRoutingEntry.linkBit(Direction.SOUTH));
        assertEquals(1 << 7, MulticastRoutingEntry.coreBit(1));
        assertEquals(1 << 23, MulticastRoutingEntry.coreBit(17));
        MulticastRoutingEntry e = new MulticastRoutingEntry(0x10, 0xFFFFFFF0, 1);
        assertEquals(true, e.matches(0x1F));
        assertEquals(false, e.matches(0x20));
        assertThrows(IllegalArgumentException.class, () -> new MulticastRoutingEntry(0x11, 0xFFFFFFF0, 1));
        assertThrows(IllegalArgumentException.class, () -> new MulticastRoutingEntry(0x10, 0xFFFFFFF0, 0));
    }
}
