package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.runtime.CoreData;
import org.spinnaker4j.backend.runtime.CoreDataBuilder;
import org.spinnaker4j.backend.runtime.Machine;
import org.spinnaker4j.backend.runtime.PacketLossException;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.keys.KeyAndMask;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.RoutingTable;

/**
 * The embedded SpiNNaker: a deterministic discrete-event simulation, packet by packet, of the
 * mapped machine. Cores ({@link SimCore}) run the C kernels through JNI and are busy for the
 * cycles of their work; routers ({@link SimRouter}) route through the mapper's tables with
 * bounded input stages, {@code wait1} timeouts, drops and reinjection; links ({@link SimLink})
 * serialise packets and apply back-pressure. Samples run one per time step: a step starts at
 * the later of the TDMA step length and the end of the previous sample's traffic. A run in
 * which a packet was lost for good throws {@link PacketLossException}.
 */
public final class EmbeddedSimulator implements Machine {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSimulator.class);
    /** A 72-bit packet's time on a chip-to-chip link: ≈ 380 ns (AppNote 7: 19 symbols at ≈ 20 ns). */
    public static final long LINK_72_BIT_PS = 380_000;

    private final SimulatorParameters parameters;
    private final EventQueue clock = new EventQueue();
    private final DropLog log = new DropLog();
    private Mapping mapping;
    private List<SimRouter> routers;
    private List<SimLink> links;
    private List<ChipLocation> linkChips;
    private List<Direction> linkDirections;
    private SimCore[] cores;
    private RunStats lastStats;

    public EmbeddedSimulator(SimulatorParameters parameters) {
        this.parameters = parameters;
    }

    public SimulatorParameters parameters() {
        return parameters;
    }

    @Override
    public void load(Mapping newMapping, List<DenseParameters> layerParameters) {
        List<CoreData> data = CoreDataBuilder.build(newMapping, layerParameters);
        if (newMapping != mapping) {
            build(newMapping, data);
        } else {
            for (int v = 0; v < data.size(); v++) {
                cores[v].kernel().load(data.get(v).config(), data.get(v).weights(), data.get(v).bias());
            }
        }
    }

    private void build(Mapping m, List<CoreData> data) {
        mapping = m;
        int maxHops = 2 * (m.machine().width() + m.machine().height()) + 8;
        Map<ChipLocation, SimRouter> byChip = new HashMap<>();
        routers = new ArrayList<>();
        for (Chip chip : m.machine().chips()) {
            RoutingTable table = m.routingTables().getOrDefault(chip.location(), new RoutingTable(chip.location(),
                    List.of()));
            SimRouter r = new SimRouter(clock, chip.location(), table, parameters, log, maxHops);
            routers.add(r);
            byChip.put(chip.location(), r);
        }
        links = new ArrayList<>();
        linkChips = new ArrayList<>();
        linkDirections = new ArrayList<>();
        for (SimRouter r : routers) {
            for (Direction d : Direction.values()) {
                m.machine().neighbour(r.chip(), d).ifPresent(n -> {
                    SimLink link = new SimLink(clock, r, byChip.get(n), d.opposite().id(), parameters.linkQueueDepth(),
                            LINK_72_BIT_PS);
                    r.links[d.id()] = link;
                    links.add(link);
                    linkChips.add(r.chip());
                    linkDirections.add(d);
                });
            }
        }
        cores = new SimCore[data.size()];
        for (MachineVertex v : m.graph().vertices()) {
            KernelCore kernel = new KernelCore();
            CoreData d = data.get(v.id());
            kernel.load(d.config(), d.weights(), d.bias());
            CoreLocation where = m.placements().of(v.id());
            SimRouter router = byChip.get(where.chip());
            cores[v.id()] = new SimCore(clock, kernel, router, profile(m, v), parameters, log);
            router.cores[where.p()] = cores[v.id()];
        }
    }

    private SimCore.Profile profile(Mapping m, MachineVertex v) {
        CoreCostModel cost = parameters.cost();
        ActivationKind activation = v.activates() ? m.network().layers().get(v.layer()).activation().kind()
                : ActivationKind.IDENTITY;
        int syncLo = 0;
        int syncHi = 0;
        for (OutgoingPartition p : m.graph().outgoing(v.id())) {
            if (p.kind() == PartitionKind.SOFTMAX_SYNC) {
                KeyAndMask km = m.keys().of(p.id());
                syncLo = km.key();
                syncHi = km.key() + km.nKeys();
            }
        }
        int[] syncInputs = m.receiveTables().get(v.id()).stream()
                .filter(r -> r.kind() == PartitionKind.SOFTMAX_SYNC)
                .flatMapToInt(r -> java.util.stream.IntStream.of(r.keyLo(), r.keyHi())).toArray();
        long syncCycles = (long) v.cols().size() * cost.activationCycles(activation);
        return new SimCore.Profile(m.placements().of(v.id()), v.label(), cost.receiveInterruptCycles(),
                cost.packetCycles(v.kind()),
                cost.completionCycles(v, activation), syncCycles, cost.sendPacketCycles(), m.tdma().of(v.id()),
                m.tdma().syncOf(v.id()), syncLo, syncHi, syncInputs);
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
        reset();
        float[][] outputs = new float[samples.length][mapping.network().nOut()];
        long stepPs = mapping.tdma().stepClocks() * EventQueue.PS_PER_CORE_CLOCK;
        long stepStart = 0;
        for (int s = 0; s < samples.length; s++) {
            runSample(samples[s], outputs[s], stepStart);
            if (log.lost > 0) {
                lastStats = stats(s + 1);
                throw lossException(s);
            }
            stepStart = Math.max(clock.now(), stepStart + stepPs);
        }
        lastStats = stats(samples.length);
        LOG.debug("run: {}", lastStats);
        return outputs;
    }

    private void runSample(float[] sample, float[] output, long stepStart) {
        clock.at(stepStart, () -> {
            for (SimCore core : cores) {
                core.startStep(stepStart);
            }
            for (MachineVertex v : mapping.graph().vertices()) {
                if (v.kind() == VertexKind.INPUT_SOURCE) {
                    cores[v.id()].kernel().loadInput(Arrays.copyOfRange(sample, v.cols().lo(), v.cols().hi()));
                    cores[v.id()].startSource();
                }
            }
        });
        clock.runUntilIdle();
        if (log.lost > 0) {
            return;
        }
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() == VertexKind.OUTPUT_SINK) {
                KernelCore sink = cores[v.id()].kernel();
                if (sink.receivedCount() != v.cols().size()) {
                    throw new IllegalStateException("the simulator lost no packet, yet " + v + " received "
                            + sink.receivedCount() + " of " + v.cols().size() + " values: a mapping bug");
                }
                float[] values = sink.readOutput();
                System.arraycopy(values, 0, output, v.cols().lo(), values.length);
            }
        }
    }

    private PacketLossException lossException(int sample) {
        return new PacketLossException(log.lost + " packet(s) lost for good in sample " + sample + " ("
                + log.dropped + " dropped, " + log.reinjected + " reinjected); first: "
                + String.join("; ", log.firstLosses()) + ". Try the TDMA send mode (it paces every core so routers"
                + " and receivers keep up), reinjection on, or BLOCK partitioning (far fewer packets per sample)"
                + " instead of NEURON_PER_CORE");
    }

    private void reset() {
        clock.reset();
        log.reset();
        routers.forEach(SimRouter::reset);
        links.forEach(SimLink::reset);
        for (SimCore core : cores) {
            core.reset();
        }
    }

    private RunStats stats(int samples) {
        double seconds = clock.now() / 1e12;
        long sent = 0;
        long delivered = 0;
        long overruns = 0;
        long busyPs = 0;
        long busiestPs = 0;
        for (SimCore c : cores) {
            busiestPs = Math.max(busiestPs, c.busyPs);
            sent += c.sent;
            delivered += c.delivered;
            overruns += c.overruns;
            busyPs += c.busyPs;
        }
        long routed = 0;
        List<RunStats.ChipStats> chipStats = new ArrayList<>();
        for (SimRouter r : routers) {
            routed += r.routed;
            if (r.routed > 0 || r.lost > 0) {
                chipStats.add(new RunStats.ChipStats(r.chip(), r.routed, r.dropped, r.reinjected, r.lost,
                        r.peakInput));
            }
        }
        List<RunStats.LinkStats> linkStats = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) {
            SimLink l = links.get(i);
            if (l.packets > 0 || l.drops > 0) {
                linkStats.add(new RunStats.LinkStats(linkChips.get(i), linkDirections.get(i), l.packets, l.peakDepth,
                        l.drops));
            }
        }
        Map<ChipLocation, Integer> entries = new HashMap<>();
        mapping.routingTables().forEach((chip, table) -> entries.put(chip, table.size()));
        long chipsUsed = mapping.placements().chipsUsed();
        double utilisation = seconds == 0 ? 0 : busyPs / 1e12 / (seconds * cores.length);
        return new RunStats(samples, seconds, sent, routed, delivered, log.dropped, log.reinjected, log.lost,
                overruns, chipStats, linkStats, entries, mapping.coresUsed(), chipsUsed, utilisation, busiestPs / 1e12,
                EnergyModel.joules(chipsUsed, seconds, busyPs / 1e12, routed), clock.processed());
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
        routers = null;
        links = null;
        mapping = null;
        clock.reset();
    }
}
