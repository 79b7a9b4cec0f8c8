package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.runtime.CoreData;
import org.spinnaker4j.backend.runtime.CoreDataBuilder;
import org.spinnaker4j.backend.runtime.KernelKinds;
import org.spinnaker4j.backend.runtime.LayerSlices;
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
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Direction;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.tdma.CoreSlot;
import org.spinnaker4j.mapper.tdma.Phase;

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
    /** A new one for each mapping built, as its routers, links and cores register their actions with it. */
    private EventQueue clock = new EventQueue();
    private final DropLog log = new DropLog();
    private Mapping mapping;
    private List<SimRouter> routers;
    private List<SimLink> links;
    private SimCore[] cores;
    private RunStats lastStats;
    private long forwardPs;
    private long backwardPs;

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
        clock = new EventQueue();
        int maxHops = 2 * (m.machine().width() + m.machine().height()) + 8;
        KeyIds keyIds = new KeyIds(m.graph().partitions());
        Map<ChipLocation, SimRouter> byChip = new HashMap<>();
        routers = new ArrayList<>();
        for (Chip chip : m.machine().chips()) {
            RoutingTable table = m.routingTables().getOrDefault(chip.location(), new RoutingTable(chip.location(),
                    List.of()));
            SimRouter r = new SimRouter(clock, chip.location(), new RouteTable(table, keyIds.count()), parameters, log,
                    maxHops);
            routers.add(r);
            byChip.put(chip.location(), r);
        }
        links = new ArrayList<>();
        for (SimRouter r : routers) {
            for (Direction d : Direction.values()) {
                m.machine().neighbour(r.chip(), d).ifPresent(n -> {
                    SimLink link = new SimLink(clock, r, byChip.get(n), d, parameters.linkQueueDepth(), LINK_72_BIT_PS);
                    r.links[d.id()] = link;
                    links.add(link);
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
            cores[v.id()] = new SimCore(clock, kernel, router, profile(m, v, keyIds), parameters, log);
            router.cores[where.p()] = cores[v.id()];
        }
    }

    private SimCore.Profile profile(Mapping m, MachineVertex v, KeyIds keyIds) {
        CoreCostModel cost = parameters.cost();
        ActivationKind activation = v.activates() ? m.network().layers().get(v.layer()).activation().kind()
                : ActivationKind.IDENTITY;
        List<SimCore.KeyClass<Phase>> sends = new ArrayList<>();
        boolean sendsBackward = false;
        for (OutgoingPartition p : m.graph().outgoing(v.id())) {
            int key = m.keys().of(p.id()).key();
            int first = 0;
            for (int atom = 1; atom <= p.nKeys(); atom++) {
                if (atom == p.nKeys() || Phase.of(p, atom) != Phase.of(p, first)) {
                    sends.add(new SimCore.KeyClass<>(key + first, key + atom, Phase.of(p, first),
                            keyIds.first(p.id()) + first));
                    first = atom;
                }
            }
            sendsBackward |= p.kind() == PartitionKind.BACKWARD;
        }
        Map<Phase, CoreSlot> slots = new EnumMap<>(Phase.class);
        for (Phase phase : Phase.values()) {
            slots.put(phase, m.tdma().of(phase, v.id()));
        }
        long updateCycles = m.network().trains() && ownsParameters(v)
                ? cost.updateCycles(v, m.network().training().updater(v.layer()).type()) : 0;
        return new SimCore.Profile(m.placements().of(v.id()), v.label(), cost.receiveInterruptCycles(),
                cost.packetCycles(v.kind()), new WorkCosts(cost, v, activation, sendsBackward), updateCycles,
                cost.sendPacketCycles(), slots, sends);
    }

    @Override
    public float[][] run(float[][] samples) {
        requireLoaded(false);
        checkRows("sample", samples, mapping.network().nIn());
        float[][][] vectors = new float[mapping.network().layers().size() + 1][][];
        int nLayers = mapping.network().layers().size();
        vectors[nLayers] = new float[samples.length][mapping.network().nOut()];
        runSamples(samples, null, vectors);
        return vectors[nLayers];
    }

    @Override
    public List<float[][]> runLayers(float[][] samples) {
        requireLoaded(false);
        if (!mapping.network().readsEveryLayer()) {
            throw new IllegalStateException("the loaded mapping reads back only the last layer; map "
                    + "NetworkSpec.readingEveryLayer() to read them all");
        }
        checkRows("sample", samples, mapping.network().nIn());
        int nLayers = mapping.network().layers().size();
        float[][][] vectors = new float[nLayers + 1][][];
        for (int v = 1; v <= nLayers; v++) {
            vectors[v] = new float[samples.length][mapping.network().vectorSize(v)];
        }
        runSamples(samples, null, vectors);
        return Arrays.asList(vectors).subList(1, nLayers + 1);
    }

    @Override
    public double train(float[][] features, float[][] labels, int iteration) {
        double score = score(features, labels);
        int divisor = mapping.network().training().miniBatch() ? features.length : 1;
        long updated = clock.now();
        for (MachineVertex v : mapping.graph().vertices()) {
            if (ownsParameters(v)) {
                updated = Math.max(updated, cores[v.id()].applyUpdate(divisor, iteration));
            }
        }
        clock.at(updated, () -> { });
        clock.runUntilIdle();
        lastStats = stats(features.length);
        return score;
    }

    @Override
    public double score(float[][] features, float[][] labels) {
        requireLoaded(true);
        checkRows("sample", features, mapping.network().nIn());
        checkRows("label row", labels, mapping.network().nOut());
        if (features.length != labels.length) {
            throw new IllegalArgumentException(features.length + " samples but " + labels.length + " label rows");
        }
        double sum = runSamples(features, labels, null);
        return mapping.network().training().miniBatch() ? sum / features.length : sum;
    }

    @Override
    public List<DenseParameters> readParameters() {
        requireLoaded(mapping.network().trains());
        return gather(KernelCore::readWeights, KernelCore::readBias, v -> true);
    }

    @Override
    public List<List<DenseParameters>> readUpdaterState() {
        requireLoaded(true);
        List<List<DenseParameters>> state = new ArrayList<>();
        mapping.network().layers().forEach(layer -> state.add(new ArrayList<>()));
        for (int k = 1; k <= maxStateArrays(); k++) {
            int array = k;
            List<DenseParameters> layers = gather(c -> c.readWeightState(array), c -> c.readBiasState(array),
                    v -> stateArrays(v.layer()) >= array);
            for (int l = 0; l < layers.size(); l++) {
                if (stateArrays(l) >= k) {
                    state.get(l).add(layers.get(l));
                }
            }
        }
        return state;
    }

    @Override
    public void loadUpdaterState(List<List<DenseParameters>> state) {
        requireLoaded(true);
        int layers = mapping.network().layers().size();
        if (state.size() != layers) {
            throw new IllegalArgumentException("updater state for " + state.size() + " layers, the network has " + layers);
        }
        for (int l = 0; l < layers; l++) {
            if (state.get(l).size() != stateArrays(l)) {
                throw new IllegalArgumentException("layer " + l + " has " + state.get(l).size() + " updater state arrays, "
                        + mapping.network().training().updater(l).type() + " keeps " + stateArrays(l));
            }
        }
        for (MachineVertex v : mapping.graph().vertices()) {
            if (!ownsParameters(v)) {
                continue;
            }
            KernelCore core = cores[v.id()].kernel();
            for (int k = 1; k <= stateArrays(v.layer()); k++) {
                DenseParameters p = state.get(v.layer()).get(k - 1);
                if (v.kind() == VertexKind.DENSE_BLOCK) {
                    core.writeWeightState(k, LayerSlices.block(p, v.rows(), v.cols()));
                }
                if (v.activates()) {
                    core.writeBiasState(k, LayerSlices.bias(p, v.cols()));
                }
            }
        }
    }

    private static boolean ownsParameters(MachineVertex v) {
        return v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
    }

    private int stateArrays(int layer) {
        return KernelKinds.of(mapping.network().training().updater(layer).type()).stateArrays();
    }

    private int maxStateArrays() {
        int max = 0;
        for (int l = 0; l < mapping.network().layers().size(); l++) {
            max = Math.max(max, stateArrays(l));
        }
        return max;
    }

    /** Layer-shaped arrays from the block of weights and columns of bias of every core {@code from} selects. */
    private List<DenseParameters> gather(Function<KernelCore, float[]> weights, Function<KernelCore, float[]> bias,
            Predicate<MachineVertex> from) {
        List<DenseParameters> layers = LayerSlices.zeros(mapping.network());
        for (MachineVertex v : mapping.graph().vertices()) {
            if (!ownsParameters(v) || !from.test(v)) {
                continue;
            }
            KernelCore core = cores[v.id()].kernel();
            boolean hasBias = v.activates() && layers.get(v.layer()).bias().length > 0;
            LayerSlices.put(layers, v, v.kind() == VertexKind.DENSE_BLOCK ? weights.apply(core) : null,
                    hasBias ? bias.apply(core) : null);
        }
        return layers;
    }

    private void requireLoaded(boolean training) {
        if (mapping == null) {
            throw new IllegalStateException("nothing is loaded on the simulator; call load(mapping, parameters) first");
        }
        if (mapping.network().trains() != training) {
            throw new IllegalStateException("the loaded mapping is for " + (training ? "inference" : "training")
                    + "; map the network " + (training ? "with" : "without") + " a TrainingSpec for this");
        }
    }

    private static void checkRows(String what, float[][] rows, int width) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("needs at least one " + what + ", got none");
        }
        for (int s = 0; s < rows.length; s++) {
            if (rows[s].length != width) {
                throw new IllegalArgumentException(what + " " + s + " has " + rows[s].length + " values, expected "
                        + width);
            }
        }
    }

    /**
     * Runs the samples one per time step; with labels, each step is a forward and backward
     * pass. Fills {@code vectors[v][sample]} with activation vector v where the caller gave an
     * array for it; returns the sum of the samples' losses (training).
     */
    private double runSamples(float[][] samples, float[][] labels, float[][][] vectors) {
        reset();
        long stepPs = mapping.tdma().stepClocks() * EventQueue.PS_PER_CORE_CLOCK;
        long stepStart = 0;
        double lossSum = 0;
        for (int s = 0; s < samples.length; s++) {
            runStep(samples[s], labels == null ? null : labels[s], stepStart);
            long forwardEnd = clock.now();
            if (labels != null) {
                forwardEnd = stepStart;
                for (SimCore core : cores) {
                    forwardEnd = Math.max(forwardEnd, core.lastForwardSendPs);
                }
            }
            forwardPs += forwardEnd - stepStart;
            backwardPs += clock.now() - forwardEnd;
            if (log.lost > 0) {
                lastStats = stats(s + 1);
                throw lossException(s);
            }
            for (MachineVertex v : mapping.graph().vertices()) {
                if (v.kind() == VertexKind.OUTPUT_SINK || v.kind() == VertexKind.LOSS_SINK) {
                    float[] values = readSink(v);
                    if (v.kind() == VertexKind.LOSS_SINK) {
                        for (float share : values) {
                            lossSum += share;
                        }
                    } else if (vectors != null && vectors[v.layer()] != null) {
                        System.arraycopy(values, 0, vectors[v.layer()][s], v.cols().lo(), values.length);
                    }
                }
            }
            stepStart = Math.max(clock.now(), stepStart + stepPs);
        }
        lastStats = stats(samples.length);
        LOG.debug("run: {}", lastStats);
        return lossSum;
    }

    private void runStep(float[] sample, float[] labels, long stepStart) {
        clock.at(stepStart, () -> {
            for (SimCore core : cores) {
                core.startStep(stepStart);
            }
            for (MachineVertex v : mapping.graph().vertices()) {
                float[] values = v.kind() == VertexKind.INPUT_SOURCE ? sample
                        : v.kind() == VertexKind.LABEL_SOURCE ? labels : null;
                if (values != null) {
                    cores[v.id()].kernel().loadInput(Arrays.copyOfRange(values, v.cols().lo(), v.cols().hi()));
                    cores[v.id()].startSource();
                }
            }
        });
        clock.runUntilIdle();
    }

    private float[] readSink(MachineVertex v) {
        KernelCore sink = cores[v.id()].kernel();
        if (sink.receivedCount() != v.cols().size()) {
            throw new IllegalStateException("the simulator lost no packet, yet " + v + " received "
                    + sink.receivedCount() + " of " + v.cols().size() + " values: a mapping bug");
        }
        return sink.readOutput();
    }

    private PacketLossException lossException(int sample) {
        Set<LossCause> causes = EnumSet.noneOf(LossCause.class);
        causes.addAll(log.routerLossCauses());
        if (Arrays.stream(cores).anyMatch(c -> c.receiveDrops > 0)) {
            causes.add(LossCause.RECEIVE_QUEUE_FULL);
        }
        return new PacketLossException(log.lost + " packet(s) lost for good in sample " + sample + " ("
                + log.dropped + " dropped, " + log.reinjected + " reinjected); first: "
                + String.join("; ", log.firstLosses()) + ". "
                + LossAdvice.of(causes, parameters.sendMode(), mapping.strategy()));
    }

    private void reset() {
        clock.reset();
        forwardPs = 0;
        backwardPs = 0;
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
        long sentBackward = 0;
        long delivered = 0;
        long overruns = 0;
        long busyPs = 0;
        long busiestPs = 0;
        List<RunStats.CoreStats> coreStats = new ArrayList<>();
        for (SimCore c : cores) {
            coreStats.add(c.stats());
            busiestPs = Math.max(busiestPs, c.busyPs);
            sent += c.sent;
            sentBackward += c.sentBackward;
            delivered += c.delivered;
            overruns += c.overruns;
            busyPs += c.busyPs;
        }
        Map<ChipLocation, Long> coreDrops = new HashMap<>();
        for (SimCore c : cores) {
            coreDrops.merge(c.chip(), c.receiveDrops, Long::sum);
        }
        long routed = 0;
        List<RunStats.ChipStats> chipStats = new ArrayList<>();
        for (SimRouter r : routers) {
            routed += r.routed;
            long lostInCores = coreDrops.getOrDefault(r.chip(), 0L);
            if (r.routed > 0 || r.lost > 0 || lostInCores > 0) {
                chipStats.add(new RunStats.ChipStats(r.chip(), r.routed, r.dropped, r.reinjected, r.lost, lostInCores,
                        r.peakInput));
            }
        }
        List<RunStats.LinkStats> linkStats = new ArrayList<>();
        for (SimLink l : links) {
            if (l.packets > 0 || l.drops > 0) {
                linkStats.add(new RunStats.LinkStats(l.chip(), l.direction(), l.packets, l.peakDepth, l.drops));
            }
        }
        Map<ChipLocation, Integer> entries = new HashMap<>();
        mapping.routingTables().forEach((chip, table) -> entries.put(chip, table.size()));
        long chipsUsed = mapping.placements().chipsUsed();
        double utilisation = seconds == 0 ? 0 : busyPs / 1e12 / (seconds * cores.length);
        return new RunStats(samples, seconds, forwardPs / 1e12, backwardPs / 1e12, sent, sentBackward, routed, delivered, log.dropped, log.reinjected, log.lost,
                overruns, chipStats, linkStats, coreStats, entries, mapping.coresUsed(), chipsUsed, utilisation, busiestPs / 1e12,
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
