package org.spinnaker4j.mapper.machine;

import java.io.Serializable;
/** The (x, y) coordinates of a chip in a machine. */
public record ChipLocation(int x, int y) implements Comparable<ChipLocation>, Serializable {

    @Override
    public int compareTo(ChipLocation o) {
        return x != o.x ? Integer.compare(x, o.x) : Integer.compare(y, o.y);
    }

    @Override
    public String toString() {
        return "(" + x + "," + y + ")";
    }
}
