package org.spinnaker4j.mapper.machine;

/**
 * The six links of a SpiNNaker chip, with SpiNNaker's link ids and the (dx, dy) each one
 * moves in the triangular chip grid.
 */
public enum Direction {
    EAST(0, 1, 0),
    NORTH_EAST(1, 1, 1),
    NORTH(2, 0, 1),
    WEST(3, -1, 0),
    SOUTH_WEST(4, -1, -1),
    SOUTH(5, 0, -1);

    private final int id;
    private final int dx;
    private final int dy;

    Direction(int id, int dx, int dy) {
        this.id = id;
        this.dx = dx;
        this.dy = dy;
    }

    /** The link id used in router route words (bits 0 to 5). */
    public int id() {
        return id;
    }

    public int dx() {
        return dx;
    }

    public int dy() {
        return dy;
    }

    /** The link a packet sent out on this link arrives on at the neighbour: {@code (id + 3) mod 6}. */
    public Direction opposite() {
        return byId((id + 3) % 6);
    }

    /** The direction with the given link id. */
    public static Direction byId(int id) {
        if (id < 0 || id > 5) {
            throw new IllegalArgumentException("link id must be in 0..5, got " + id);
        }
        return values()[id];
    }
}
