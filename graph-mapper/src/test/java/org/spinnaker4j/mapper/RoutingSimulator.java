package org.spinnaker4j.mapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.keys.KeyAndMask;
import org.spinnaker4j.mapper.keys.RoutingInfo;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.place.Placements;

/**
 * Simulates multicast packet delivery through routing tables, hop by hop, the way a SpiNNaker
 * router does: the first entry with {@code (key & mask) == entry.key} wins; a packet that
 * matches nothing leaves by the link opposite the one it arrived on (default routing); a
 * locally sent packet that matches nothing is lost. Any loss, loop, use of a missing link or
 * second arrival at a chip fails the test.
 */
public final class RoutingSimulator {

    /** Link id → (dx, dy), written down from the SpiNNaker datasheet, not read from {@link Direction}. */
    private static final int[][] STEP = {{1, 0}, {1, 1}, {0, 1}, {-1, 0}, {-1, -1}, {0, -1}};

    private record Hop(ChipLocation chip, Direction arrivedOn) {
    }

    private RoutingSimulator() {
    }

    /** Sends one packet with {@code key} from a core on {@code source}; returns how often each core got it. */
    public static Map<CoreLocation, Integer> deliver(Machine machine, Map<ChipLocation, RoutingTable> tables,
            ChipLocation source, int key) {
        Map<CoreLocation, Integer> deliveries = new HashMap<>();
        Set<ChipLocation> visited = new HashSet<>();
        Deque<Hop> queue = new ArrayDeque<>();
        queue.add(new Hop(source, null));
        String what = String.format("key 0x%08x from %s", key, source);
        while (!queue.isEmpty()) {
            Hop hop = queue.poll();
            ChipLocation chip = hop.chip();
            if (machine.chip(chip).isEmpty()) {
                fail(what + " reaches dead or missing chip " + chip);
            }
            if (!visited.add(chip)) {
                fail(what + " reaches chip " + chip + " a second time (loop or duplicate path)");
            }
            RoutingTable table = tables.get(chip);
            Optional<MulticastRoutingEntry> entry = table == null ? Optional.empty() : firstMatch(table, key);
            if (entry.isPresent()) {
                int route = entry.get().route();
                for (int link = 0; link < 6; link++) {
                    if ((route & (1 << link)) != 0) {
                        Direction d = Direction.byId(link);
                        queue.add(new Hop(follow(machine, chip, d, what), Direction.byId((link + 3) % 6)));
                    }
                }
                for (int p = 0; p < 18; p++) {
                    if ((route & (1 << (p + 6))) != 0) {
                        if (!machine.chip(chip).orElseThrow().applicationProcessors().contains(p)) {
                            fail(what + " is routed to non-application processor " + p + " of " + chip);
                        }
                        deliveries.merge(new CoreLocation(chip, p), 1, Integer::sum);
                    }
                }
            } else {
                if (hop.arrivedOn() == null) {
                    fail(what + " matches no entry on its source chip and is lost");
                }
                int out = (hop.arrivedOn().id() + 3) % 6;
                queue.add(new Hop(follow(machine, chip, Direction.byId(out), what), hop.arrivedOn()));
            }
        }
        return deliveries;
    }

    /** The router's own first-match rule, written out here rather than trusting RoutingTable.lookup. */
    private static Optional<MulticastRoutingEntry> firstMatch(RoutingTable table, int key) {
        for (MulticastRoutingEntry e : table.entries()) {
            if ((key & e.mask()) == e.key()) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static ChipLocation follow(Machine machine, ChipLocation chip, Direction d, String what) {
        if (!machine.chip(chip).orElseThrow().hasLink(d)) {
            fail(what + " leaves " + chip + " on dead or missing link " + d);
        }
        int x = chip.x() + STEP[d.id()][0];
        int y = chip.y() + STEP[d.id()][1];
        if (machine.wrapAround()) {
            x = Math.floorMod(x, machine.width());
            y = Math.floorMod(y, machine.height());
        }
        ChipLocation next = new ChipLocation(x, y);
        if (machine.chip(next).isEmpty()) {
            fail(what + " leaves " + chip + " on link " + d + " towards missing chip " + next);
        }
        return next;
    }

    /**
     * Checks that every key of every partition reaches exactly the cores of the partition's
     * targets, each once. Returns the number of packets simulated.
     */
    public static int assertAllPartitionsDeliver(Machine machine, Map<ChipLocation, RoutingTable> tables,
            Iterable<OutgoingPartition> partitions, Placements placements, RoutingInfo keys) {
        int packets = 0;
        for (OutgoingPartition p : partitions) {
            Map<CoreLocation, Integer> expected = new HashMap<>();
            for (int t : p.targets()) {
                expected.merge(placements.of(t), 1, Integer::sum);
            }
            KeyAndMask km = keys.of(p.id());
            ChipLocation source = placements.of(p.source()).chip();
            for (int atom = 0; atom < p.nKeys(); atom++) {
                int key = km.keyOf(atom);
                Map<CoreLocation, Integer> got = deliver(machine, tables, source, key);
                assertEquals(expected, got, String.format("deliveries of key 0x%08x (atom %d of partition %d, %s)",
                        key, atom, p.id(), p.kind()));
                packets++;
            }
        }
        return packets;
    }

    public static int assertAllPartitionsDeliver(Mapping m) {
        return assertAllPartitionsDeliver(m.machine(), m.routingTables(), m.graph().partitions(), m.placements(),
                m.keys());
    }
}
