package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.RoutingTable;

/**
 * The simulated machine built for one mapping: a router per chip, a link per working direction between neighbours,
 * a {@link SimCore} per vertex on its kernel, registered with one event queue or, chip by chip, with the queues of two
 * {@link Lanes}. The kernels (the cores' DTCM state) are the mapping's; two wirings of one mapping share them.
 */
final class Wiring {

    /** The one queue; null on lanes. */
    final EventQueue clock;
    /** The lanes; null on one queue. */
    final Lanes lanes;
    final List<SimRouter> routers = new ArrayList<>();
    final List<SimLink> links = new ArrayList<>();
    final SimCore[] cores;
    /** The drop log of each lane (one on one queue). */
    private final DropLog[] logs;

    /** The machine on one queue, its drops in {@code log}; {@code sdram} gives each chip's SDRAM interface. */
    Wiring(Mapping m, SimulatorParameters parameters, KernelCore[] kernels, SimCore.Profile[] profiles, KeyIds keyIds,
            Function<ChipLocation, SdramInterface> sdram, DropLog log) {
        this(m, parameters, kernels, profiles, keyIds, sdram, new EventQueue(), null, new DropLog[] {log});
    }

    /** The machine on {@code lanes}, a drop log of its own for each. */
    Wiring(Mapping m, SimulatorParameters parameters, KernelCore[] kernels, SimCore.Profile[] profiles, KeyIds keyIds,
            Function<ChipLocation, SdramInterface> sdram, Lanes lanes) {
        this(m, parameters, kernels, profiles, keyIds, sdram, null, lanes,
                new DropLog[] {new DropLog(), new DropLog()});
    }

    private Wiring(Mapping m, SimulatorParameters parameters, KernelCore[] kernels, SimCore.Profile[] profiles,
            KeyIds keyIds, Function<ChipLocation, SdramInterface> sdram, EventQueue clock, Lanes lanes,
            DropLog[] logs) {
        this.clock = clock;
        this.lanes = lanes;
        this.logs = logs;
        int maxHops = 2 * (m.machine().width() + m.machine().height()) + 8;
        RouteTable.Cache[] routeCaches = new RouteTable.Cache[logs.length];
        for (int l = 0; l < logs.length; l++) {
            routeCaches[l] = new RouteTable.Cache(keyIds.count());
        }
        Map<ChipLocation, SimRouter> byChip = new HashMap<>();
        for (Chip chip : m.machine().chips()) {
            RoutingTable table = m.routingTables().getOrDefault(chip.location(), new RoutingTable(chip.location(),
                    List.of()));
            int lane = laneOf(chip.location());
            SimRouter r = new SimRouter(queue(lane), chip.location(), new RouteTable(table, routeCaches[lane]),
                    parameters, logs[lane], maxHops);
            routers.add(r);
            byChip.put(chip.location(), r);
        }
        for (SimRouter r : routers) {
            for (Direction d : Direction.values()) {
                m.machine().neighbour(r.chip(), d).ifPresent(n -> {
                    SimRouter to = byChip.get(n);
                    Lanes.Crossing crossing = laneOf(r.chip()) == laneOf(n) ? null : lanes.cross(r, to);
                    SimLink link = new SimLink(queue(laneOf(r.chip())), r, to, d, parameters.linkQueueDepth(),
                            parameters.timing().linkPacketPs(), crossing);
                    r.links[d.id()] = link;
                    links.add(link);
                });
            }
        }
        cores = new SimCore[kernels.length];
        for (int v = 0; v < kernels.length; v++) {
            CoreLocation where = m.placements().of(v);
            SimRouter router = byChip.get(where.chip());
            int lane = laneOf(where.chip());
            SdramInterface chipSdram = profiles[v].partials() == SimCore.SdramPartials.NONE ? null
                    : sdram.apply(where.chip());
            cores[v] = new SimCore(queue(lane), kernels[v], router, chipSdram, profiles[v], parameters, logs[lane]);
            router.cores[where.p()] = cores[v];
        }
    }

    /** The lane chip {@code chip} runs on (0 on one queue). */
    int laneOf(ChipLocation chip) {
        return lanes == null ? 0 : lanes.laneOf(EventOrder.chipNumber(chip.x(), chip.y()));
    }

    /** The event queue of {@code lane}. */
    EventQueue queue(int lane) {
        return lanes == null ? clock : lanes.queue(lane);
    }

    /** Schedules a one-off host event on {@code lane} at {@code time}, before a run ({@link Lanes#atHost}). */
    void atHost(int lane, long time, Runnable action) {
        if (lanes == null) {
            clock.at(time, action);
        } else {
            lanes.atHost(lane, time, action);
        }
    }

    /**
     * Runs the events the host scheduled after a run (an update's end) until none is left; on lanes such a run has
     * nothing to refuse, so a failure is a bug.
     */
    void runUntilIdle() {
        if (lanes == null) {
            clock.runUntilIdle();
        } else if (!lanes.run()) {
            throw new IllegalStateException("the lanes failed to run the host's events after a run: a simulator bug");
        }
    }

    /** The lanes' queues' count: 1 on one queue. */
    int laneCount() {
        return lanes == null ? 1 : Lanes.COUNT;
    }

    /** Whether any lane's router or core dropped a packet in the run (reinjected or not). */
    boolean dropped() {
        for (DropLog log : logs) {
            if (log.dropped > 0 || log.lost > 0) {
                return true;
            }
        }
        return false;
    }

    /** The clock's time at the run's end: the later lane's. */
    long now() {
        return lanes == null ? clock.now() : lanes.now();
    }

    /** The events run, as one queue counts them. */
    long processed() {
        return lanes == null ? clock.processed() : lanes.processed();
    }

    /** Ready for a new run: no event pending, every router, link and core (and drop log) as built. */
    void reset() {
        if (lanes == null) {
            clock.reset();
        } else {
            lanes.reset();
        }
        for (DropLog log : logs) {
            log.reset();
        }
        routers.forEach(SimRouter::reset);
        links.forEach(SimLink::reset);
        for (SimCore core : cores) {
            core.reset();
        }
    }
}
