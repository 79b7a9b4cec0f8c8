package org.spinnaker4j.mapper.machine;

/**
 * One multicast router entry: a packet whose {@code key & mask == key} is sent to every link
 * and core set in {@code route} (bits 0–5 links, bits 6–23 processors 0–17).
 */
public record MulticastRoutingEntry(int key, int mask, int route) {

    public MulticastRoutingEntry {
        if ((key & ~mask) != 0) {
            throw new IllegalArgumentException(String.format(
                    "routing entry key 0x%08x has bits outside its mask 0x%08x", key, mask));
        }
        if ((route & ~0xFFFFFF) != 0 || route == 0) {
            throw new IllegalArgumentException(String.format(
                    "route 0x%08x must be a non-empty set of links (bits 0-5) and cores (bits 6-23)", route));
        }
    }

    /** The route bit of a link. */
    public static int linkBit(Direction d) {
        return 1 << d.id();
    }

    /** The route bit of a processor: {@code 1 << (p + 6)}, as spinnaker_tools' MC_CORE_ROUTE. */
    public static int coreBit(int processor) {
        return 1 << (processor + 6);
    }

    public boolean matches(int packetKey) {
        return (packetKey & mask) == key;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("0x%08x/0x%08x ->", key, mask));
        for (Direction d : Direction.values()) {
            if ((route & linkBit(d)) != 0) {
                sb.append(' ').append(d);
            }
        }
        for (int p = 0; p < Chip.CORES_PER_CHIP; p++) {
            if ((route & coreBit(p)) != 0) {
                sb.append(" core ").append(p);
            }
        }
        return sb.toString();
    }
}
