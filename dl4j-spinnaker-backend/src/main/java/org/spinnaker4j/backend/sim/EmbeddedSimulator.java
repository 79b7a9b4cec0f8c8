package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.runtime.CoreData;
import org.spinnaker4j.backend.runtime.CoreDataBuilder;
import org.spinnaker4j.backend.runtime.Machine;
import org.spinnaker4j.backend.runtime.PacketLossException;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.KernelException;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.MulticastRoutingEntry;
import org.spinnaker4j.mapper.machine.RoutingTable;

/**
 * The embedded SpiNNaker: a discrete-event, packet-level simulation of the mapped machine.
 * Every packet a core sends enters its chip's router, which looks its key up in the table
 * the mapper built (default routing for unmatched packets from links, loss for unmatched
 * packets from cores) and forwards it hop by hop over the links to the cores in its route,
 * whose C kernels (through JNI) handle it and send more. Cores send in their TDMA slots, one
 * packet per {@code clocksBetweenSends}. Time is counted in 200 MHz core clocks; links and
 * routers have fixed latencies here, and queues, congestion and drops under load are not
 * modelled yet, so only a wrong or missing route loses packets.
 */
public final class EmbeddedSimulator implements Machine {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSimulator.class);

    /** Core clocks a router takes per packet: one router cycle at ≈ 133 MHz, rounded up. */
    static final int ROUTER_CLOCKS = 2;
    /** Core clocks a 72-bit packet takes on a chip-to-chip link (≈ 380 ns, AppNote 7). */
    static final int LINK_CLOCKS = 76;

    private static final int TYPE_ROUTE = 0;
    private static final int TYPE_DELIVER = 1;
    private static final int FROM_CORE = -1;

    /** One event: a packet at a router (arriving on a link, or from a local core) or at a core. */
    private static final class Event {
        final long time;
        final long seq;
        final int type;
        final int target;
        final int inLink;
        final int key;
        final int payload;
        final int hops;

        Event(long time, long seq, int type, int target, int inLink, int key, int payload, int hops) {
            this.time = time;
            this.seq = seq;
            this.type = type;
            this.target = target;
            this.inLink = inLink;
            this.key = key;
            this.payload = payload;
            this.hops = hops;
        }
    }

    private Mapping mapping;
    private List<ChipLocation> chips;
    private int[][] neighbours;
    private RoutingTable[] tables;
    private List<Map<Integer, Integer>> routeCache;
    private int[][] coreVertex;
    private int[] vertexChip;
    private KernelCore[] cores;
    private long[] sendCursor;
    private int[] outbox;
    private int maxHops;

    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
            a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private long seq;
    private long now;
    private long sent;
    private long routed;
    private long delivered;
    private long dropped;
    private long[] routedPerChip;
    private final List<String> dropReports = new ArrayList<>();
    private RunStats lastStats;

    @Override
    public void load(Mapping newMapping, List<DenseParameters> parameters) {
        List<CoreData> data = CoreDataBuilder.build(newMapping, parameters);
        if (newMapping != mapping) {
            layOut(newMapping);
        }
        int maxSends = 0;
        for (int v = 0; v < data.size(); v++) {
            CoreData d = data.get(v);
            cores[v].load(d.config(), d.weights(), d.bias());
            maxSends = Math.max(maxSends, cores[v].maxSendsPerEvent());
        }
        outbox = new int[2 * maxSends];
    }

    private void layOut(Mapping m) {
        mapping = m;
        chips = new ArrayList<>();
        Map<ChipLocation, Integer> index = new HashMap<>();
        for (Chip c : m.machine().chips()) {
            index.put(c.location(), chips.size());
            chips.add(c.location());
        }
        neighbours = new int[chips.size()][6];
        tables = new RoutingTable[chips.size()];
        routeCache = new ArrayList<>();
        coreVertex = new int[chips.size()][Chip.CORES_PER_CHIP];
        for (int c = 0; c < chips.size(); c++) {
            ChipLocation loc = chips.get(c);
            for (Direction d : Direction.values()) {
                neighbours[c][d.id()] = m.machine().neighbour(loc, d).map(index::get).orElse(-1);
            }
            tables[c] = m.routingTables().getOrDefault(loc, new RoutingTable(loc, List.of()));
            routeCache.add(new HashMap<>());
            Arrays.fill(coreVertex[c], -1);
        }
        int n = m.graph().vertices().size();
        vertexChip = new int[n];
        cores = new KernelCore[n];
        sendCursor = new long[n];
        for (int v = 0; v < n; v++) {
            CoreLocation core = m.placements().of(v);
            vertexChip[v] = index.get(core.chip());
            coreVertex[vertexChip[v]][core.p()] = v;
            cores[v] = new KernelCore();
        }
        maxHops = 2 * (m.machine().width() + m.machine().height()) + 8;
        routedPerChip = new long[chips.size()];
    }

    @Override
    public float[][] run(float[][] samples) {
        if (mapping == null) {
            throw new IllegalStateException("nothing is loaded on the simulator; call load(mapping, parameters) first");
        }
        if (samples.length == 0) {
            throw new IllegalArgumentException("run needs at least one sample, got none");
        }
        int nIn = mapping.network().nIn();
        for (int s = 0; s < samples.length; s++) {
            if (samples[s].length != nIn) {
                throw new IllegalArgumentException("sample " + s + " has " + samples[s].length
                        + " values but the network takes " + nIn);
            }
        }
        resetCounters();
        float[][] outputs = new float[samples.length][mapping.network().nOut()];
        long stepStart = 0;
        for (int s = 0; s < samples.length; s++) {
            runSample(samples[s], outputs[s], stepStart, s);
            stepStart = Math.max(now, stepStart + mapping.tdma().stepClocks());
        }
        lastStats = stats(samples.length, stepStart);
        if (dropped > 0) {
            throw new PacketLossException(dropped + " packet(s) lost in a run of " + samples.length
                    + " sample(s); first: " + String.join("; ", dropReports)
                    + ". The routing tables do not deliver these keys: this is a mapping bug, please report it"
                    + " with Mapping.describeInFull()");
        }
        return outputs;
    }

    private void runSample(float[] sample, float[] output, long stepStart, int sampleIndex) {
        for (int v = 0; v < cores.length; v++) {
            sendCursor[v] = stepStart + mapping.tdma().of(v).offsetClocks();
        }
        now = stepStart;
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() == VertexKind.INPUT_SOURCE) {
                cores[v.id()].loadInput(Arrays.copyOfRange(sample, v.cols().lo(), v.cols().hi()));
                send(v.id(), cores[v.id()].start(outbox));
            }
        }
        Event e;
        while ((e = events.poll()) != null) {
            now = e.time;
            if (e.type == TYPE_ROUTE) {
                route(e);
            } else {
                deliver(e);
            }
        }
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() == VertexKind.OUTPUT_SINK) {
                KernelCore sink = cores[v.id()];
                if (sink.receivedCount() != v.cols().size()) {
                    dropReports.add("sample " + sampleIndex + ": " + v + " on core " + mapping.placements().of(v.id())
                            + " received " + sink.receivedCount() + " of " + v.cols().size() + " values");
                    dropped += v.cols().size() - sink.receivedCount();
                    throw new PacketLossException(String.join("; ", dropReports));
                }
                float[] values = sink.readOutput();
                System.arraycopy(values, 0, output, v.cols().lo(), values.length);
            }
        }
    }

    private void send(int vertex, int nSends) {
        for (int k = 0; k < nSends; k++) {
            long t = Math.max(now, sendCursor[vertex]);
            sendCursor[vertex] = t + mapping.tdma().clocksBetweenSends();
            push(t, TYPE_ROUTE, vertexChip[vertex], FROM_CORE, outbox[2 * k], outbox[2 * k + 1], 0);
            sent++;
        }
    }

    private void push(long time, int type, int target, int inLink, int key, int payload, int hops) {
        events.add(new Event(time, seq++, type, target, inLink, key, payload, hops));
    }

    private void route(Event e) {
        int chip = e.target;
        routed++;
        routedPerChip[chip]++;
        if (e.hops > maxHops) {
            drop(chip, e.key, "exceeded " + maxHops + " hops (a routing loop)");
            return;
        }
        int route = routeCache.get(chip).computeIfAbsent(e.key,
                k -> tables[chip].lookup(k).map(MulticastRoutingEntry::route).orElse(-1));
        if (route < 0) {
            if (e.inLink == FROM_CORE) {
                drop(chip, e.key, "no routing entry for a key sent by a local core (unroutable)");
                return;
            }
            route = 1 << ((e.inLink + 3) % 6);
        }
        long t = e.time + ROUTER_CLOCKS;
        for (int link = 0; link < 6; link++) {
            if ((route & (1 << link)) != 0) {
                int next = neighbours[chip][link];
                if (next < 0) {
                    drop(chip, e.key, "route to link " + Direction.byId(link) + ", which does not work");
                } else {
                    push(t + LINK_CLOCKS, TYPE_ROUTE, next, (link + 3) % 6, e.key, e.payload, e.hops + 1);
                }
            }
        }
        for (int p = 0; p < Chip.CORES_PER_CHIP; p++) {
            if ((route & MulticastRoutingEntry.coreBit(p)) != 0) {
                int v = coreVertex[chip][p];
                if (v < 0) {
                    drop(chip, e.key, "route to core " + p + ", which runs no program");
                } else {
                    push(t, TYPE_DELIVER, v, 0, e.key, e.payload, e.hops);
                }
            }
        }
    }

    private void deliver(Event e) {
        delivered++;
        int n;
        try {
            n = cores[e.target].onPacket(e.key, e.payload, outbox);
        } catch (KernelException ex) {
            throw new IllegalStateException(String.format("core %s (%s) rejected packet key 0x%08x: %s",
                    mapping.placements().of(e.target), mapping.graph().vertex(e.target), e.key, ex.getMessage()), ex);
        }
        send(e.target, n);
    }

    private void drop(int chip, int key, String why) {
        dropped++;
        if (dropReports.size() < 5) {
            dropReports.add(String.format("chip %s, key 0x%08x: %s", chips.get(chip), key, why));
        }
    }

    private void resetCounters() {
        events.clear();
        sent = 0;
        routed = 0;
        delivered = 0;
        dropped = 0;
        now = 0;
        Arrays.fill(routedPerChip, 0);
        dropReports.clear();
    }

    private RunStats stats(int samples, long clocks) {
        Map<ChipLocation, Long> perChip = new HashMap<>();
        for (int c = 0; c < chips.size(); c++) {
            if (routedPerChip[c] > 0) {
                perChip.put(chips.get(c), routedPerChip[c]);
            }
        }
        Map<ChipLocation, Integer> entries = new HashMap<>();
        mapping.routingTables().forEach((chip, table) -> entries.put(chip, table.size()));
        RunStats stats = new RunStats(samples, sent, routed, delivered, dropped, perChip, entries,
                mapping.coresUsed(), mapping.placements().chipsUsed(), clocks);
        LOG.debug("run: {}", stats);
        return stats;
    }

    @Override
    public RunStats lastRunStats() {
        if (lastStats == null) {
            throw new IllegalStateException("the simulator has not run yet");
        }
        return lastStats;
    }

    @Override
    public void close() {
        cores = null;
        mapping = null;
        events.clear();
    }
}
