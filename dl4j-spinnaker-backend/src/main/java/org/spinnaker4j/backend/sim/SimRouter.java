package org.spinnaker4j.backend.sim;

import java.util.ArrayDeque;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;

/**
 * One chip's multicast router. Packets wait in a bounded input stage and are routed one per
 * router cycle through the chip's table (first matching entry; an unmatched packet from a
 * link leaves by the opposite link, one from a local core is lost). A packet goes to all its
 * outputs at once; if an outgoing link's queue or a target core's receive register is full
 * the router stalls on it for up to
 * {@code wait1} router cycles, then drops it into the dump register, from where the extra
 * monitor (if reinjection is on) copies it into its reinjection queue and sends it again on
 * its 10 µs timer. A drop while the dump register is still full is lost, as on the chip.
 */
final class SimRouter {

    /** Something waiting for room in a router's input stage. */
    interface Pusher {
        void resume();
    }

    /** Route word bits: 6 links and 18 cores. */
    private static final int ROUTE_BITS = 6 + Chip.CORES_PER_CHIP;
    /** Every output's route bit: links from bit 0, cores from bit 6 (see {@link MulticastRoutingEntry#coreBit}). */
    private static final int ALL_OUTPUTS = (1 << ROUTE_BITS) - 1;
    /** The extra monitor's timer period, on which it reinjects (SFEC: 10 µs). */
    static final long REINJECTION_TICK_PS = 10_000_000;
    /** Core clocks the extra monitor's FIQ handler takes to copy the dump register (est.). */
    private static final long DUMP_COPY_CLOCKS = 100;

    private final EventQueue clock;
    private final ChipLocation chip;
    private final int chipNumber;
    private final RouteTable routes;
    private final SimulatorParameters parameters;
    private final DropLog log;
    private final PacketQueue input;
    private final ArrayDeque<Pusher> waiting = new ArrayDeque<>();
    /** How many wait in {@link #waiting}: the service reads this, not the queue, which is mostly empty. */
    private int nWaiting;
    private final PacketQueue reinjectionQueue;
    final SimLink[] links = new SimLink[6];
    final SimCore[] cores = new SimCore[Chip.CORES_PER_CHIP];
    private final int maxHops;
    private final int serveEvent;
    private final int wait1Event;

    /** The packet being routed, if {@link #hasHead}: its key, payload, key id, arrival link, hops and route word. */
    private boolean hasHead;
    private int headKey;
    private int headPayload;
    private int headKeyId;
    private int headInLink;
    private int headHops;
    private int headRoute;
    private final int inputDepth;
    private final long cyclePs;
    /** The outputs (route bits) that cannot take a packet now: full link queues and receive registers. */
    private int fullOutputs;
    private boolean blocked;
    /** When the head packet's wait1 ends, if {@link #blocked}: a wait1 event at another time is a stale one. */
    private long wait1EndPs;
    private boolean serving;
    private long nextFree;
    private final PacketQueue dumpRegister = new PacketQueue(1);
    private boolean tickPending;
    long routed;
    long dropped;
    long reinjected;
    long lost;
    int peakInput;

    SimRouter(EventQueue clock, ChipLocation chip, RouteTable routes, SimulatorParameters parameters, DropLog log,
            int maxHops) {
        this.clock = clock;
        this.chip = chip;
        this.chipNumber = EventOrder.chipNumber(chip.x(), chip.y());
        this.routes = routes;
        this.parameters = parameters;
        this.inputDepth = parameters.routerInputDepth();
        this.cyclePs = parameters.timing().routerCyclePs();
        this.input = new PacketQueue(inputDepth);
        this.reinjectionQueue = new PacketQueue(parameters.reinjectionQueue());
        this.serveEvent = clock.register(this);
        this.wait1Event = clock.registerWait1(this);
        this.log = log;
        this.maxHops = maxHops;
    }

    ChipLocation chip() {
        return chip;
    }

    /** The chip's number in the {@link EventOrder}. */
    int chipNumber() {
        return chipNumber;
    }

    /**
     * Takes a packet (key, payload, key id, arrival link, hops) into the input stage, or registers {@code who} to
     * be resumed when there is room.
     */
    boolean offer(int key, int payload, int keyId, int inLink, int hops, Pusher who) {
        if (input.size() < inputDepth) {
            input.add(key, payload, keyId, inLink, hops);
            peakInput = Math.max(peakInput, input.size());
            kick();
            return true;
        }
        waiting.add(who);
        nWaiting++;
        return false;
    }

    private void kick() {
        if (!serving && !hasHead && !input.isEmpty()) {
            serving = true;
            clock.at(nextFree, serveEvent);
        }
    }

    /** The service event: the router takes the first packet of its input stage and routes it. */
    void serve() {
        serving = false;
        hasHead = true;
        headKey = input.key();
        headPayload = input.payload();
        headKeyId = input.keyId();
        headInLink = input.inLink();
        headHops = input.hops();
        input.removeFirst();
        routed++;
        if (nWaiting > 0) {
            nWaiting--;
            waiting.remove().resume();
        }
        if (headHops > maxHops) {
            lose(headKey, LossCause.MISROUTED, "exceeded " + maxHops + " hops (a routing loop)");
            finish();
            return;
        }
        int route = routes.route(headKey, headKeyId);
        if (route == RouteTable.NO_ENTRY) {
            if (headInLink < 0) {
                lose(headKey, LossCause.MISROUTED, "no routing entry for a key sent by a local core (unroutable)");
                finish();
                return;
            }
            route = 1 << ((headInLink + 3) % 6);
        }
        headRoute = route;
        tryForward();
    }

    private void tryForward() {
        if (anyOutputFull()) {
            if (!blocked) {
                blocked = true;
                wait1EndPs = clock.now() + parameters.wait1RouterCycles() * cyclePs;
                clock.at(wait1EndPs, wait1Event);
            }
            return;
        }
        blocked = false;
        // the route's outputs in order of their bits: links 0-5, then cores 0-17
        for (int outputs = headRoute & ALL_OUTPUTS; outputs != 0; outputs &= outputs - 1) {
            int bit = Integer.numberOfTrailingZeros(outputs);
            if (bit < 6) {
                if (links[bit] == null) {
                    lose(headKey, LossCause.MISROUTED, "routed to link " + Direction.byId(bit)
                            + ", which does not work");
                } else {
                    links[bit].enqueue(headKey, headPayload, headKeyId, headHops + 1);
                }
            } else {
                SimCore core = cores[bit - 6];
                if (core == null) {
                    lose(headKey, LossCause.MISROUTED, "routed to core " + (bit - 6) + ", which runs no program");
                } else {
                    core.receive(headKey, headPayload);
                }
            }
        }
        finish();
    }

    private void finish() {
        hasHead = false;
        nextFree = clock.now() + cyclePs;
        kick();
    }

    /** An outgoing link's queue or a core's receive register has room again: a stalled packet may go now. */
    void outputFreed() {
        if (hasHead && blocked) {
            tryForward();
        }
    }

    /**
     * The wait1 event: the head packet is dropped if it is still blocked since the block this event timed (a router
     * blocks again a router cycle after a block ends at the earliest, so no two blocks' wait1 end at the same time).
     */
    void wait1Expired() {
        if (!hasHead || !blocked || clock.now() != wait1EndPs) {
            return;
        }
        blocked = false;
        String full = blockedOutputs();
        for (int l = 0; l < 6; l++) {
            if ((headRoute & (1 << l)) != 0 && full(l)) {
                links[l].drops++;
            }
        }
        drop("blocked for wait1 (" + parameters.wait1RouterCycles() + " router cycles) on" + full);
        finish();
    }

    /** The route bit of local core {@code p}'s receive register. */
    static int coreOutput(int p) {
        return Integer.numberOfTrailingZeros(MulticastRoutingEntry.coreBit(p));
    }

    /** Route bit {@code bit}'s output (links 0–5, cores from 6) is full now, or has room again. */
    void setFull(int bit, boolean full) {
        fullOutputs = full ? fullOutputs | 1 << bit : fullOutputs & ~(1 << bit);
    }

    /** Whether an output of the head packet cannot take it now. */
    private boolean anyOutputFull() {
        return (headRoute & fullOutputs) != 0;
    }

    /** The head packet's outputs that cannot take it now, as " link E core 3 ..."; empty if none. */
    private String blockedOutputs() {
        StringBuilder full = new StringBuilder();
        for (int bit = 0; bit < ROUTE_BITS; bit++) {
            if ((headRoute & (1 << bit)) != 0 && full(bit)) {
                full.append(bit < 6 ? " link " + Direction.byId(bit) : " core " + (bit - 6));
            }
        }
        return full.toString();
    }

    /** Whether route bit {@code bit} (links 0–5, cores from 6) names an output that is full now. */
    private boolean full(int bit) {
        return (fullOutputs & 1 << bit) != 0;
    }

    /** Drops the head packet into the dump register. */
    private void drop(String why) {
        dropped++;
        log.dropped++;
        if (!parameters.reinjection()) {
            lose(headKey, LossCause.DROPPED_WITHOUT_REINJECTION, why + "; reinjection is off");
        } else if (!dumpRegister.isEmpty()) {
            lose(headKey, LossCause.REINJECTION_FULL, why + "; the dump register still held the previous drop");
        } else {
            dumpRegister.add(headKey, headPayload, headKeyId, headInLink, headHops);
            clock.after(DUMP_COPY_CLOCKS * parameters.timing().coreClockPs(), this::copyDumpRegister);
        }
    }

    private void copyDumpRegister() {
        if (reinjectionQueue.size() >= parameters.reinjectionQueue()) {
            lose(dumpRegister.key(), LossCause.REINJECTION_FULL, "the reinjection queue was full");
            dumpRegister.clear();
        } else {
            reinjectionQueue.takeFirst(dumpRegister);
            if (!tickPending) {
                tickPending = true;
                clock.after(REINJECTION_TICK_PS, this::reinject);
            }
        }
    }

    private void reinject() {
        tickPending = false;
        while (!reinjectionQueue.isEmpty() && input.size() < inputDepth) {
            input.takeFirst(reinjectionQueue);
            reinjected++;
            log.reinjected++;
        }
        kick();
        if (!reinjectionQueue.isEmpty()) {
            tickPending = true;
            clock.after(REINJECTION_TICK_PS, this::reinject);
        }
    }

    private void lose(int key, LossCause cause, String why) {
        lost++;
        log.lost(cause, () -> String.format("chip %s, key 0x%08x: %s", chip, key, why));
    }

    void reset() {
        input.clear();
        waiting.clear();
        nWaiting = 0;
        reinjectionQueue.clear();
        hasHead = false;
        fullOutputs = 0;
        blocked = false;
        serving = false;
        nextFree = 0;
        dumpRegister.clear();
        tickPending = false;
        routed = 0;
        dropped = 0;
        reinjected = 0;
        lost = 0;
        peakInput = 0;
    }
}
