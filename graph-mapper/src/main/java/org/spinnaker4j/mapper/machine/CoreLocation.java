package org.spinnaker4j.mapper.machine;

/** The (x, y, p) location of one core: processor p of chip (x, y). */
public record CoreLocation(int x, int y, int p) {

    public CoreLocation {
        if (p < 0 || p >= Chip.CORES_PER_CHIP) {
            throw new IllegalArgumentException(
                    "processor id must be in 0.." + (Chip.CORES_PER_CHIP - 1) + ", got " + p);
        }
    }

    public CoreLocation(ChipLocation chip, int p) {
        this(chip.x(), chip.y(), p);
    }

    public ChipLocation chip() {
        return new ChipLocation(x, y);
    }

    @Override
    public String toString() {
        return "(" + x + "," + y + "," + p + ")";
    }
}
