package org.spinnaker4j.mapper.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;

/**
 * Follows one key through routing tables the way the routers would (first matching entry,
 * default routing for unmatched packets from a link), for the links and cores it reaches.
 * The TDMA scheduler uses it to count link loads.
 */
public final class RouteWalker {

    /** One link a packet crosses: out of {@code chip} on {@code direction}. */
    public record LinkUse(ChipLocation chip, Direction direction) {
    }

    /**
     * Where a key goes: the links it crosses, the cores it reaches, the links it crosses on its way to each of them
     * ({@code hops}, in the order of {@code cores}) and the most of those ({@code depth}).
     */
    public record Walk(List<LinkUse> links, List<CoreLocation> cores, List<Integer> hops, int depth) {
    }

    private final Machine machine;
    private final Map<ChipLocation, RoutingTable> tables;

    public RouteWalker(Machine machine, Map<ChipLocation, RoutingTable> tables) {
        this.machine = machine;
        this.tables = tables;
    }

    /** The links and cores a packet with {@code key} sent by a core on {@code source} reaches. */
    public Walk walk(ChipLocation source, int key) {
        List<LinkUse> links = new ArrayList<>();
        List<CoreLocation> cores = new ArrayList<>();
        List<Integer> hops = new ArrayList<>();
        int limit = 2 * (machine.width() + machine.height()) + 8;
        int depth = walk(source, null, key, links, cores, hops, 0, limit);
        return new Walk(links, cores, hops, depth);
    }

    /** Walks the key on from {@code chip}, {@code hops} links from its source; returns the most links to a core. */
    private int walk(ChipLocation chip, Direction arrivedOn, int key, List<LinkUse> links, List<CoreLocation> cores,
            List<Integer> coreHops, int hops, int limit) {
        if (hops > limit) {
            throw new MappingException(String.format("key 0x%08x loops in the routing tables", key));
        }
        RoutingTable table = tables.get(chip);
        int route = table == null ? -1 : table.lookup(key).map(MulticastRoutingEntry::route).orElse(-1);
        if (route < 0) {
            if (arrivedOn == null) {
                throw new MappingException(String.format("key 0x%08x has no entry on its source chip %s", key, chip));
            }
            route = MulticastRoutingEntry.linkBit(arrivedOn.opposite());
        }
        int depth = 0;
        for (int p = 0; p < Chip.CORES_PER_CHIP; p++) {
            if ((route & MulticastRoutingEntry.coreBit(p)) != 0) {
                cores.add(new CoreLocation(chip, p));
                coreHops.add(hops);
                depth = hops;
            }
        }
        for (Direction d : Direction.values()) {
            if ((route & MulticastRoutingEntry.linkBit(d)) != 0) {
                ChipLocation next = machine.neighbour(chip, d).orElseThrow(() -> new MappingException(
                        String.format("key 0x%08x is routed over dead link %s %s", key, chip, d)));
                links.add(new LinkUse(chip, d));
                depth = Math.max(depth, walk(next, d.opposite(), key, links, cores, coreHops, hops + 1, limit));
            }
        }
        return depth;
    }
}
