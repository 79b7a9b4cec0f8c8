package org.spinnaker4j.backend.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.runtime.CoreData;
import org.spinnaker4j.backend.runtime.CoreDataBuilder;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.backend.runtime.FixedPointRun;
import org.spinnaker4j.backend.runtime.FixedPointTraining;
import org.spinnaker4j.backend.runtime.KernelKinds;
import org.spinnaker4j.backend.runtime.LayerSlices;
import org.spinnaker4j.backend.runtime.ParameterGather;
import org.spinnaker4j.backend.runtime.LayerUpdate;
import org.spinnaker4j.backend.runtime.Machine;
import org.spinnaker4j.backend.runtime.PacketLossException;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.kernels.AccumUpdate.Rounding;
import org.spinnaker4j.kernels.DtcmArena;
import org.spinnaker4j.kernels.FixedPointUpdate;
import org.spinnaker4j.kernels.KernelConfig;
import org.spinnaker4j.kernels.KernelCopyConfig;
import org.spinnaker4j.kernels.KernelCore;
import org.spinnaker4j.kernels.TrainingConfig;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.OutputLoss;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.tdma.CoreSlot;
import org.spinnaker4j.mapper.tdma.Phase;

/**
 * The embedded SpiNNaker: a deterministic discrete-event simulation, packet by packet, of the
 * mapped machine. Cores ({@link SimCore}) run the C kernels through JNI and are busy for the
 * cycles of their work; routers ({@link SimRouter}) route through the mapper's tables with
 * bounded input stages, {@code wait1} timeouts, drops and reinjection; links ({@link SimLink})
 * serialise packets and apply back-pressure. Under a pipelined TDMA schedule a sample starts
 * every period, several in flight; otherwise samples run one per time step: a step starts at
 * the later of the TDMA step length and the end of the previous sample's traffic. A mini-batch whose batch
 * normalizations train with its statistics runs in segments at them ({@link BatchNormSegments}). A run in
 * which a packet was lost for good throws {@link PacketLossException}.
 */
public final class EmbeddedSimulator implements Machine {

    /** {@code hostThreads} that lets the simulator choose one thread or two lanes run by run ({@link LaneChoice}). */
    public static final int CHOOSE_HOST_THREADS = 0;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSimulator.class);

    private final SimulatorParameters parameters;
    /** How an s16.15 training core rounds its parameters' steps. */
    private final FixedPointRounding rounding;
    /**
     * Host threads a run may use: 1, {@link Lanes#COUNT} for the runs {@link #mayRunOnLanes} allows, or {@link
     * #CHOOSE_HOST_THREADS}.
     */
    private final int hostThreads;
    private final ThreadFactory laneWorker;
    /** When the simulator chooses its host threads, its measurements for the mapping loaded; null otherwise. */
    private LaneChoice laneChoice;
    private final DropLog log = new DropLog();
    private Mapping mapping;
    /** The machine on one queue, built for the mapping; every run but those on lanes runs on it. */
    private Wiring oneQueue;
    /** The machine on two lanes, built at its first run; null until then. */
    private Wiring lanes;
    /** The machine the current (or last) run ran on: {@link #oneQueue} or {@link #lanes}. */
    private Wiring machine;
    /** The host threads the last run of samples ran on. */
    private int lastRunThreads = 1;
    /** {@link #oneQueue}'s queue: the host's events of runs not on lanes are scheduled on it. */
    private EventQueue clock;
    /** {@link #machine}'s cores. */
    private SimCore[] cores;
    /** Per vertex: its core's kernel (its DTCM state) and profile, which both wirings share. */
    private KernelCore[] kernels;
    private SimCore.Profile[] profiles;
    private KeyIds keyIds;
    /** Per vertex: whether its core holds a kernel copy that exchanges with others ({@link KernelCopyConfig}). */
    private boolean[] copies;
    /** The batch normalizations that train with the mini-batch's statistics, if any ({@link BatchNormSegments}). */
    private BatchNormSegments segments;
    /** Whether their blocks are loaded in their mini-batch mode (not while score(...) runs the running statistics). */
    private boolean batchStatistics;
    /** Per vertex: a batch normalization's block's config in its mini-batch mode, as loaded; null for any other. */
    private KernelConfig[] batchModes;
    private RunStats lastStats;
    /** A fixed-point network's quantisation and saturations; null in float32. */
    private FixedPointRun fixedPoint;
    /** A fixed-point run's samples as s16.15 words; null otherwise. */
    private int[][] inputWords;
    private long forwardPs;
    private long backwardPs;
    private long latencyPs;
    /** 32-bit values the host moves to the board per sample of the current run (features, and labels). */
    private long hostInPerSample;
    /** 32-bit values the sinks collected for the host in the current run. */
    private long hostOut;
    /** The SDRAM interface of each chip whose first-layer blocks read their input from it. */
    private final Map<ChipLocation, SdramInterface> sdram = new HashMap<>();

    /** A simulator whose s16.15 training rounds steps stochastically with seed 0 ({@link FixedPointRounding}). */
    public EmbeddedSimulator(SimulatorParameters parameters) {
        this(parameters, FixedPointRounding.defaults());
    }

    /** A simulator whose s16.15 training cores round their parameters' steps as {@code rounding} says. */
    public EmbeddedSimulator(SimulatorParameters parameters, FixedPointRounding rounding) {
        this(parameters, rounding, 1);
    }

    /**
     * A simulator that runs a pipelined TDMA run over several chips ({@link #mayRunOnLanes}) on {@code hostThreads}
     * host threads: 1; 2, as two lanes; or {@link #CHOOSE_HOST_THREADS}, two lanes where the host has a second core
     * and they ran this simulator's runs faster ({@link LaneChoice}). The results are the same bits on one thread or
     * two (docs/simulator-speed.md, "Two lanes").
     */
    public EmbeddedSimulator(SimulatorParameters parameters, FixedPointRounding rounding, int hostThreads) {
        this(parameters, rounding, hostThreads, Lanes.WORKER_THREADS);
    }

    /** A simulator whose second lane's thread {@code laneWorker} makes (tests: one that starts late or never). */
    EmbeddedSimulator(SimulatorParameters parameters, FixedPointRounding rounding, int hostThreads,
            ThreadFactory laneWorker) {
        requireHostThreads(hostThreads);
        this.parameters = parameters;
        this.rounding = Objects.requireNonNull(rounding, "rounding");
        this.hostThreads = hostThreads == CHOOSE_HOST_THREADS && Runtime.getRuntime().availableProcessors() < 2 ? 1
                : hostThreads;
        this.laneWorker = laneWorker;
    }

    /**
     * Returns {@code threads} if the simulator can run on that many host threads (1, {@link Lanes#COUNT}, or {@link
     * #CHOOSE_HOST_THREADS}); throws otherwise, saying which it can.
     */
    public static int requireHostThreads(int threads) {
        if (threads < CHOOSE_HOST_THREADS || threads > Lanes.COUNT) {
            throw new IllegalArgumentException("the simulator runs on 1 or " + Lanes.COUNT + " host threads (or "
                    + CHOOSE_HOST_THREADS + ": it chooses), not " + threads);
        }
        return threads;
    }

    public SimulatorParameters parameters() {
        return parameters;
    }

    @Override
    public void load(Mapping newMapping, List<DenseParameters> layerParameters) {
        List<CoreData> data = CoreDataBuilder.build(newMapping, layerParameters);
        fixedPoint = newMapping.network().fixedPoint() ? new FixedPointRun(newMapping.network(), layerParameters)
                : null;
        inputWords = null;
        if (newMapping != mapping) {
            build(newMapping, data);
        } else {
            for (int v = 0; v < data.size(); v++) {
                data.get(v).loadInto(kernels[v]);
            }
            batchStatistics = segments != null;
        }
    }

    private void build(Mapping m, List<CoreData> data) {
        mapping = m;
        laneChoice = hostThreads == CHOOSE_HOST_THREADS ? new LaneChoice() : null;
        keyIds = new KeyIds(m.graph().partitions());
        copies = new boolean[data.size()];
        batchModes = new KernelConfig[data.size()];
        kernels = kernels(m, data);
        profiles = new SimCore.Profile[data.size()];
        for (MachineVertex v : m.graph().vertices()) {
            CoreData d = data.get(v.id());
            d.loadInto(kernels[v.id()]);
            copies[v.id()] = d.config().training() != null && d.config().training().copy().isCopy();
            batchModes[v.id()] = batchMode(d.config()) ? d.config() : null;
            profiles[v.id()] = profile(m, v, keyIds, d.config());
        }
        closeLanes();
        oneQueue = new Wiring(m, parameters, kernels, profiles, keyIds, this::sdramOf, log);
        clock = oneQueue.clock;
        use(oneQueue);
        segments = Arrays.stream(batchModes).anyMatch(mode -> mode != null)
                ? new BatchNormSegments(m, cores, parameters.cost()) : null;
        batchStatistics = segments != null;
    }

    /**
     * Per vertex, an unloaded core whose DTCM image holds its state in every mode it is loaded with (a batch
     * normalization's block also runs its running statistics), the images side by side in one {@link DtcmArena} in the
     * order of the cores' places, chip by chip: a machine's working set is what its states use, not 64 KiB a core.
     */
    private static KernelCore[] kernels(Mapping m, List<CoreData> data) {
        List<MachineVertex> byPlace = new ArrayList<>(m.graph().vertices());
        byPlace.sort(Comparator.comparing((MachineVertex v) -> m.placements().of(v.id()).chip())
                .thenComparingInt(v -> m.placements().of(v.id()).p()));
        int[] capacities = new int[byPlace.size()];
        for (int k = 0; k < capacities.length; k++) {
            KernelConfig config = data.get(byPlace.get(k).id()).config();
            capacities[k] = Math.max(KernelCore.stateBytes(config),
                    batchMode(config) ? KernelCore.stateBytes(config.withRunningStatistics()) : 0);
        }
        List<KernelCore> cores = DtcmArena.cores(capacities);
        LOG.debug("{} cores' DTCM images: {} bytes of state in all", capacities.length,
                Arrays.stream(capacities).asLongStream().sum());
        KernelCore[] kernels = new KernelCore[data.size()];
        for (int k = 0; k < capacities.length; k++) {
            kernels[byPlace.get(k).id()] = cores.get(k);
        }
        return kernels;
    }

    /** Whether a core's config is a batch normalization's block in its mini-batch mode. */
    private static boolean batchMode(KernelConfig config) {
        return config.training() != null && config.training().batchNorm().isOn();
    }

    private SimCore.Profile profile(Mapping m, MachineVertex v, KeyIds keyIds, KernelConfig config) {
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
        KernelCopyConfig copy = config.training() == null ? KernelCopyConfig.NONE : config.training().copy();
        long updateCycles = !m.network().trains() || !ownsParameters(v) ? 0
                : copy.isCopy() ? copyUpdateCycles(cost, v, copy, m.network().training().updater(v.layer()))
                : v.arithmetic() == Arithmetic.S16_15 ? cost.fixedUpdateCycles(v,
                        m.network().training().updater(v.layer()).type(), rounding.rounding() == Rounding.STOCHASTIC)
                : cost.updateCycles(v, m.network().training().updater(v.layer()));
        // the keys received at another cost than a forward value: the exchanges' once a mini-batch, and the backward
        // pass's (labels included) on a core that files them otherwise (an s16.15 core's words)
        long packetCycles = cost.packetCycles(v);
        long backwardPacketCycles = cost.backwardPacketCycles(v);
        List<SimCore.KeyClass<Phase>> receives = new ArrayList<>();
        for (OutgoingPartition p : m.graph().incoming(v.id())) {
            int key = m.keys().of(p.id()).key();
            if (Phase.of(p, 0).perMiniBatch()) {
                receives.add(new SimCore.KeyClass<>(key, key + p.nKeys(), Phase.of(p, 0), keyIds.first(p.id())));
            } else if (p.kind().backwardPass() && backwardPacketCycles != packetCycles) {
                receives.add(new SimCore.KeyClass<>(key, key + p.nKeys(), Phase.BACKWARD, keyIds.first(p.id())));
            }
        }
        SimCore.CopyCosts copyCosts = copy.isCopy() ? new SimCore.CopyCosts(cost.shareStartCycles(v),
                cost.sharePacketCycles(), cost.paramSendCycles(copy.owned()), cost.paramPacketCycles())
                : SimCore.CopyCosts.NONE;
        return new SimCore.Profile(m.placements().of(v.id()), v.label(), cost.receiveInterruptCycles(),
                packetCycles, backwardPacketCycles, new WorkCosts(cost, v, activation, OutputLoss.of(m.network(), v),
                sendsBackward, m.graph().splitsSoftmax(v.id()), m.network().trains()), updateCycles,
                cost.sendPacketCycles(), slots, sends, normsHere(m, v) ? cost.normPartialCycles(v) : 0, receives,
                cost.normPacketCycles(), copyCosts, cost.batchNormPartialCycles(), inputReads(cost, m, v),
                sdramPartials(cost, m, v, keyIds));
    }

    /**
     * Which of a vertex's partial sums go through SDRAM ({@link OutgoingPartition#throughSdram}) and what they cost
     * it: a block writes its partition's ({@link CoreCostModel#dmaWaitCycles} of its write in its completion), a
     * reduce reads back each incoming one (its packet up to the read, {@link CoreCostModel#partialsPacketCycles}, and
     * the filing, {@link CoreCostModel#partialsFilingCycles}; the read's wait is the chip's interface's).
     */
    private static SimCore.SdramPartials sdramPartials(CoreCostModel cost, Mapping m, MachineVertex v, KeyIds keyIds) {
        if (!v.sdramPartials()) {
            return SimCore.SdramPartials.NONE;
        }
        SimCore.KeyClass<Phase> written = null;
        for (OutgoingPartition p : m.graph().outgoing(v.id())) {
            if (p.throughSdram()) {
                if (written != null) {
                    throw new IllegalStateException("vertex " + v + " writes two partitions' partial sums to SDRAM: "
                            + "a mapping bug (a block sends its partial sums to one reduce)");
                }
                int key = m.keys().of(p.id()).key();
                written = new SimCore.KeyClass<>(key, key + p.nKeys(), Phase.FORWARD, keyIds.first(p.id()));
            }
        }
        List<SimCore.KeyClass<Phase>> read = new ArrayList<>();
        for (OutgoingPartition p : m.graph().incoming(v.id())) {
            if (p.throughSdram()) {
                int key = m.keys().of(p.id()).key();
                read.add(new SimCore.KeyClass<>(key, key + p.nKeys(), Phase.FORWARD, keyIds.first(p.id())));
            }
        }
        int words = CoreCostModel.partialWords(v);
        return new SimCore.SdramPartials(written, read, CoreCostModel.dmaWaitCycles(words),
                cost.partialsPacketCycles(), v.kind() == VertexKind.REDUCE ? cost.partialsFilingCycles(v) : 0);
    }

    /** A kernel copy's update: the shares of the weights and biases it owns added up, then those updated. */
    private static long copyUpdateCycles(CoreCostModel cost, MachineVertex v, KernelCopyConfig copy,
            UpdaterSpec updater) {
        long weights = (long) v.rows().size() * v.cols().size();
        long ownedWeights = 0;
        for (KernelCopyConfig.Chunk k : copy.chunks()) {
            if (k.owned()) {
                ownedWeights += Math.max(0, Math.min(k.hi(), weights) - k.lo());
            }
        }
        return cost.copyUpdateCycles(ownedWeights, copy.owned() - ownedWeights, copy.copies(), updater);
    }

    /**
     * What a vertex's read from SDRAM costs it. An input or label source: its read's event
     * ({@link CoreCostModel#inputReadEventCycles}). A first-layer block that reads its input from SDRAM: a read's event
     * besides its rows' multiply, fixed and per row ({@link CoreCostModel#inputReadEventCycles},
     * {@link CoreCostModel#inputReadRowCycles}), each row's dropout in the per-row figure: the kernel reports its
     * {@code DROPOUT_ROW} work once an event, which {@link WorkCosts} charges as one row's, so the fixed figure takes
     * that row's off. {@link SimCore.InputReads#NONE} for any other vertex.
     */
    private static SimCore.InputReads inputReads(CoreCostModel cost, Mapping m, MachineVertex v) {
        if (v.kind().isSource()) {
            return new SimCore.InputReads(cost.inputReadEventCycles(v), 0);
        }
        if (!m.graph().readsInputFromSdram(v.id())) {
            return SimCore.InputReads.NONE;
        }
        long dropout = cost.dropoutRowCycles(v, m.network().dropout(0));
        return new SimCore.InputReads(cost.inputReadEventCycles(v) - dropout,
                cost.inputReadRowCycles(v, 1) + dropout);
    }

    /** Whether vertex v owns parameters of a layer whose gradient normalization needs its L2 norm. */
    private static boolean normsHere(Mapping m, MachineVertex v) {
        return m.network().trains() && ownsParameters(v)
                && m.network().training().updater(v.layer()).gradientNormalization().type().normKeys() > 0;
    }

    @Override
    public float[][] run(float[][] samples) {
        requireLoaded(false);
        checkRows("sample", samples, mapping.network().nIn());
        float[][][] vectors = new float[mapping.network().layers().size() + 1][][];
        int nLayers = mapping.network().layers().size();
        vectors[nLayers] = new float[samples.length][mapping.network().nOut()];
        runInference(samples, vectors);
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
        runInference(samples, vectors);
        return Arrays.asList(vectors).subList(1, nLayers + 1);
    }

    /** Runs samples forward (quantised first in fixed point), filling the vectors the caller reads back. */
    private void runInference(float[][] samples, float[][][] vectors) {
        inputWords = fixedPoint != null ? fixedPoint.quantiseInputs(samples) : null;
        runSamples(samples, null, vectors);
    }

    @Override
    public double train(float[][] features, float[][] labels, int iteration, List<LayerUpdate> updates) {
        requireLoaded(true);
        if (updates.size() != mapping.network().layers().size()) {
            throw new IllegalArgumentException("update values for " + updates.size() + " layers, the network has "
                    + mapping.network().layers().size());
        }
        if (fixedPoint != null) {
            return trainFixed(features, labels, iteration, updates);
        }
        if (!mapping.network().updatesOnTheMachine()) {
            throw new IllegalStateException("the cores cannot update this network's kernels (taps that only padding "
                    + "sees, which no position block holds, copies in several position blocks with an L2 gradient "
                    + "normalization, or a batch normalization along a sequence); only score(...) runs it");
        }
        if (segments == null && mapping.network().layers().stream().anyMatch(DenseLayerSpec::isBatchNorm)) {
            throw new IllegalStateException("this mapping runs its samples one per step, and batch normalizations "
                    + "train with the mini-batch's statistics only in a pipelined schedule (each segment's samples a "
                    + "period apart); map the network with another PartitioningStrategy");
        }
        if (segments != null && features.length > mapping.largestMiniBatch()) {
            throw new IllegalArgumentException("a mini-batch of " + features.length + " samples; this mapping trains "
                    + "its batch normalizations on mini-batches of up to " + mapping.largestMiniBatch() + " (every "
                    + "core before one holds the whole mini-batch in its DTCM, at most "
                    + TrainingConfig.MAX_SAMPLES_IN_FLIGHT + " samples): split it into mini-batches of at most "
                    + mapping.largestMiniBatch());
        }
        for (MachineVertex v : mapping.graph().vertices()) {
            LayerUpdate layer = v.kind() == VertexKind.DENSE_BLOCK ? updates.get(v.layer()) : null;
            if (layer != null && layer.drops()) {
                cores[v.id()].setDropout(layer, v.rows().lo());
            }
        }
        double score = runScored(features, labels);
        int divisor = mapping.network().training().miniBatch() ? features.length * mapping.network().rowsPerSample()
                : 1;
        exchangeNorms(divisor);
        exchange(SimCore::startShares, "in the exchange of kernel copies' shares");
        long updated = machine.now();
        for (MachineVertex v : mapping.graph().vertices()) {
            if (ownsParameters(v)) {
                updated = Math.max(updated, cores[v.id()].applyUpdate(divisor, iteration, updates.get(v.layer())));
            }
        }
        machine.atHost(0, updated, () -> { });
        machine.runUntilIdle();
        exchange(SimCore::sendParameters, "in the exchange of kernel copies' new parameters");
        lastStats = stats(features.length);
        return score;
    }

    /**
     * A mini-batch in s16.15 (docs/fixed-point.md, "Training in s16.15 through fit"): the guard on the cores' words and
     * the mini-batch's ({@link FixedPointTraining#checkRange}: a refusal throws before anything is sent, every core
     * unchanged), the samples' forward and backward passes on words (labels sent as words), then each training
     * block's update ({@code s4j_apply_fix_update}) with the constants of its layer's updater in double. The cores
     * send no loss: returns NaN (the host computes the score).
     */
    private double trainFixed(float[][] features, float[][] labels, int iteration, List<LayerUpdate> updates) {
        checkSamplesAndLabels(features, labels);
        int[][] words = fixedPoint.quantiseInputs(features);
        FixedPointTraining.checkRange(mapping.network(), gather(KernelCore::readWeights, KernelCore::readBias,
                l -> true, l -> true, false), words, labels);
        inputWords = words;
        runSamples(features, labels, null);
        long updated = machine.now();
        RunStats.Steps[] steps = new RunStats.Steps[mapping.network().layers().size()];
        Arrays.fill(steps, RunStats.Steps.NONE);
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK) {
                DenseLayerSpec layer = mapping.network().layers().get(v.layer());
                FixedPointUpdate.UpdateRun run = new FixedPointUpdate.UpdateRun(rounding.rounding(), rounding.seed(),
                        v.layer(), iteration, v.cols().lo());
                SimCore.FixedUpdate done = cores[v.id()].applyFixedUpdate(run, layer.nOut(),
                        layer.nIn() * layer.nOut() + v.cols().lo(), updates.get(v.layer()).exact(), features.length);
                updated = Math.max(updated, done.doneAt());
                FixedPointUpdate.UpdateCounts c = done.counts();
                steps[v.layer()] = steps[v.layer()].plus(new RunStats.Steps(c.nonZero(), c.zeroSteps(), c.saturated(),
                        c.clipped()));
            }
        }
        machine.atHost(0, updated, () -> { });
        machine.runUntilIdle();
        lastStats = stats(features.length, List.of(steps));
        return Double.NaN;
    }

    /**
     * The exchange of the L2 gradient normalizations' partial sums of squares, between the mini-batch's last backward
     * pass and the update: each core of such a layer computes its partials and sends them in its TDMA slots; the
     * run goes on until every packet is handled (a lost one fails it).
     */
    private void exchangeNorms(int divisor) {
        boolean any = false;
        for (MachineVertex v : mapping.graph().vertices()) {
            if (normsHere(mapping, v)) {
                cores[v.id()].startNorm(divisor);
                any = true;
            }
        }
        if (any) {
            runExchange("in the exchange of gradient norms");
        }
    }

    /**
     * An exchange between the kernel copies of the convolutions' position blocks ({@link KernelCopyConfig}): every
     * copy's core starts it at once, and the run goes on until every packet is handled (a lost one fails it).
     */
    private void exchange(java.util.function.Consumer<SimCore> start, String what) {
        boolean any = false;
        for (MachineVertex v : mapping.graph().vertices()) {
            if (copies[v.id()]) {
                start.accept(cores[v.id()]);
                any = true;
            }
        }
        if (any) {
            runExchange(what);
        }
    }

    /** Runs until every packet of an exchange is handled; a lost one fails it, naming {@code what}. */
    private void runExchange(String what) {
        try {
            clock.runUntilIdle();
        } catch (IllegalStateException rejected) {
            if (log.lost > 0) {
                PacketLossException e = lossException(what);
                e.addSuppressed(rejected);
                throw e;
            }
            throw rejected;
        }
        if (log.lost > 0) {
            throw lossException(what);
        }
    }

    @Override
    public double score(float[][] features, float[][] labels) {
        requireLoaded(true);
        if (fixedPoint != null) {
            throw new UnsupportedOperationException("an s16.15 training mapping's cores compute no loss (the kernels "
                    + "define none in s16.15); compute the score on the host from the parameters they hold "
                    + "(readParameters), as fit(...) does");
        }
        checkSamplesAndLabels(features, labels);
        if (segments == null) {
            return runScored(features, labels);
        }
        // DL4J scores with the running statistics: the normalizations' blocks run as at inference meanwhile
        setBatchStatistics(false);
        try {
            return runScored(features, labels);
        } finally {
            setBatchStatistics(true);
        }
    }

    /** The mean (or, without miniBatch, summed) loss of running the samples with their labels. */
    private double runScored(float[][] features, float[][] labels) {
        double sum = runSamples(features, labels, null);
        return mapping.network().training().miniBatch()
                ? sum / ((double) features.length * mapping.network().rowsPerSample()) : sum;
    }

    @Override
    public List<DenseParameters> readParameters() {
        requireLoaded(mapping.network().trains());
        if (fixedPoint != null) {
            return gather(c -> FixedPointTraining.values(c.readWeights(), c + " weight"),
                    c -> FixedPointTraining.values(c.readBias(), c + " bias"), l -> true, l -> true, false);
        }
        return gather(KernelCore::readWeights, KernelCore::readBias, l -> true, l -> true, false);
    }

    @Override
    public List<List<DenseParameters>> readUpdaterState() {
        requireLoaded(true);
        requireFloatState("readUpdaterState");
        List<List<DenseParameters>> state = new ArrayList<>();
        mapping.network().layers().forEach(layer -> state.add(new ArrayList<>()));
        for (int k = 1; k <= maxStateArrays(); k++) {
            int array = k;
            List<DenseParameters> layers = gather(c -> c.readWeightState(array), c -> c.readBiasState(array),
                    l -> weightArrays(l) >= array, l -> biasArrays(l) >= array, true);
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
        requireFloatState("loadUpdaterState");
        int layers = mapping.network().layers().size();
        if (state.size() != layers) {
            throw new IllegalArgumentException("updater state for " + state.size() + " layers, the network has " + layers);
        }
        for (int l = 0; l < layers; l++) {
            if (state.get(l).size() != stateArrays(l)) {
                throw new IllegalArgumentException("layer " + l + " has " + state.get(l).size() + " updater state arrays, "
                        + "its updaters (" + mapping.network().training().updater(l).type() + ", bias "
                        + mapping.network().training().updater(l).forBias().type() + ") keep " + stateArrays(l));
            }
        }
        for (MachineVertex v : mapping.graph().vertices()) {
            if (!ownsParameters(v)) {
                continue;
            }
            KernelCore core = cores[v.id()].kernel();
            Slice[] held = LayerSlices.parameterSlices(mapping.network().layers().get(v.layer()), v.rows(), v.cols());
            for (int k = 1; k <= stateArrays(v.layer()); k++) {
                DenseParameters p = state.get(v.layer()).get(k - 1);
                if (v.kind() == VertexKind.DENSE_BLOCK && weightArrays(v.layer()) >= k) {
                    core.writeWeightState(k, LayerSlices.weights(p, v, held));
                }
                if (v.activates() && biasArrays(v.layer()) >= k) {
                    core.writeBiasState(k, LayerSlices.bias(p, v, held[1]));
                }
            }
        }
    }

    /** The updater state moves as floats only: an s16.15 core keeps Adam's m and v (v in 64 bits) to itself. */
    private void requireFloatState(String what) {
        if (fixedPoint != null) {
            throw new UnsupportedOperationException(what + ": an s16.15 training core keeps its updater state (Adam's "
                    + "m and 64-bit v) to itself; it cannot be read or written as floats");
        }
    }

    private static boolean ownsParameters(MachineVertex v) {
        return v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
    }

    /** Layer l's updater state arrays: its weights' updater's array k and its bias' updater's, for k from 1. */
    private int stateArrays(int layer) {
        return Math.max(weightArrays(layer), biasArrays(layer));
    }

    private int weightArrays(int layer) {
        return KernelKinds.of(mapping.network().training().updater(layer).type()).stateArrays();
    }

    private int biasArrays(int layer) {
        return KernelKinds.of(mapping.network().training().updater(layer).forBias().type()).stateArrays();
    }

    private int maxStateArrays() {
        int max = 0;
        for (int l = 0; l < mapping.network().layers().size(); l++) {
            max = Math.max(max, stateArrays(l));
        }
        return max;
    }

    /**
     * Layer-shaped arrays read from every core that owns parameters: {@code weights} of the blocks of the layers
     * {@code weightsOf} accepts, {@code bias} of the activators of the layers {@code biasOf} accepts; zeros elsewhere.
     */
    /**
     * The layers' arrays from the cores' slices: the parameters (every kernel copy's, which must agree), or updater
     * state ({@code ownersOnly}: a kernel copy's only where it owns the parameters).
     */
    private List<DenseParameters> gather(Function<KernelCore, float[]> weights, Function<KernelCore, float[]> bias,
            IntPredicate weightsOf, IntPredicate biasOf, boolean ownersOnly) {
        ParameterGather layers = new ParameterGather(mapping.network());
        for (MachineVertex v : mapping.graph().vertices()) {
            if (!ownsParameters(v)) {
                continue;
            }
            KernelCore core = cores[v.id()].kernel();
            boolean hasBias = v.activates() && mapping.network().layers().get(v.layer()).hasBias();
            float[] w = v.kind() == VertexKind.DENSE_BLOCK && weightsOf.test(v.layer()) ? weights.apply(core) : null;
            float[] b = hasBias && biasOf.test(v.layer()) ? bias.apply(core) : null;
            if (ownersOnly && copies[v.id()]) {
                layers.putOwned(v, w, b, core.config().training().copy());
            } else {
                layers.put(v, w, b);
            }
        }
        return layers.layers();
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

    /** Refuses samples or label rows of the wrong width, none of them, or unequal numbers of samples and label rows. */
    private void checkSamplesAndLabels(float[][] features, float[][] labels) {
        checkRows("sample", features, mapping.network().nIn());
        checkRows("label row", labels, mapping.network().nOut());
        if (features.length != labels.length) {
            throw new IllegalArgumentException(features.length + " samples but " + labels.length + " label rows");
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
     * Runs the samples, with labels each a forward and a backward pass: pipelined (a new sample
     * every TDMA period, several in flight) under a pipelined TDMA schedule; otherwise one per time
     * step, each step starting at the later of the TDMA step length and the end of the previous
     * sample's traffic. Fills {@code vectors[v][sample]} with activation vector v where the caller
     * gave an array for it; returns the sum of the samples' losses (training).
     */
    private double runSamples(float[][] samples, float[][] labels, float[][][] vectors) {
        boolean pipelined = parameters.sendMode() == SendMode.TDMA && mapping.tdma().pipelined();
        boolean mayRunOnLanes = pipelined && mayRunOnLanes(labels);
        boolean onLanes = mayRunOnLanes && (laneChoice == null || laneChoice.onLanes());
        long startNanos = System.nanoTime();
        SampleRecords records = onLanes ? runOnLanes(samples, labels, vectors) : null;
        lastRunThreads = records == null ? 1 : Lanes.COUNT;
        if (records == null) {
            records = prepare(oneQueue, samples, labels, vectors);
            runOnOneQueue(samples, labels, records, pipelined);
        }
        if (mayRunOnLanes && laneChoice != null) {
            laneChoice.measured(onLanes, System.nanoTime() - startNanos, machine.processed());
        }
        latencyPs = records.longestLatencyPs();
        lastStats = stats(samples.length);
        LOG.debug("run on {} host thread(s): {}", lastRunThreads, lastStats);
        return records.lossSum();
    }

    /** {@link #runSamples}' run on the one queue, {@link #prepare}d for it. */
    private void runOnOneQueue(float[][] samples, float[][] labels, SampleRecords records, boolean pipelined) {
        long[] starts = records.startPs;
        if (labels != null && batchStatistics) {
            runSegments(samples, labels, records);
        } else if (pipelined) {
            startPipelined(starts);
            startSourcesAt(starts, 0, samples, labels);
            runUntilIdle(records, samples.length - 1, "in the " + samples.length + " pipelined samples");
            forwardPs = labels == null ? clock.now() : Arrays.stream(cores).mapToLong(c -> c.lastForwardSendPs)
                    .max().orElse(0);
            backwardPs = clock.now() - forwardPs;
        } else {
            long stepPs = mapping.tdma().stepClocks() * parameters.timing().coreClockPs();
            long stepStart = 0;
            for (int s = 0; s < samples.length; s++) {
                starts[s] = stepStart;
                float[] sample = samples[s];
                int[] words = inputWords == null ? null : inputWords[s];
                float[] sampleLabels = labels == null ? null : labels[s];
                long start = stepStart;
                clock.at(stepStart, () -> {
                    for (SimCore core : cores) {
                        core.startStep(start);
                    }
                    startSources(0, sample, words, sampleLabels);
                });
                runUntilIdle(records, s, "in sample " + s);
                records.endPs[s] = clock.now();
                long forwardEnd = clock.now();
                if (labels != null) {
                    forwardEnd = stepStart;
                    for (SimCore core : cores) {
                        forwardEnd = Math.max(forwardEnd, core.lastForwardSendPs);
                    }
                }
                forwardPs += forwardEnd - stepStart;
                backwardPs += clock.now() - forwardEnd;
                stepStart = Math.max(clock.now(), stepStart + stepPs);
            }
        }
    }

    /**
     * {@code wiring} made the machine and reset for a run of {@code samples} ({@code labels}: with a backward pass),
     * its sinks and training cores recording into the returned records.
     */
    private SampleRecords prepare(Wiring wiring, float[][] samples, float[][] labels, float[][][] vectors) {
        reset(wiring);
        hostInPerSample = featuresWritten() + (labels == null ? 0 : mapping.network().nOut());
        SampleRecords records = new SampleRecords(samples.length, vectors);
        for (SimCore core : cores) {
            core.startRun(records.startPs);
        }
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() == VertexKind.OUTPUT_SINK || v.kind() == VertexKind.LOSS_SINK) {
                cores[v.id()].recordSamples((sample, values, timePs) -> records.record(v, sample, values, timePs),
                        v.cols().size());
            }
        }
        if (labels != null) {
            for (SimCore core : cores) {
                core.recordBackwardEnds(records::endBackward);
            }
        }
        return records;
    }

    /**
     * Whether a pipelined run (with {@code labels}: training's) may run on two lanes: more than one host thread
     * allowed, the mapping's cores on more than one chip, and in training nothing after the samples but the update (no
     * batch normalization's segments, no exchange of gradient norms or kernel copies' shares, which run on one queue).
     */
    private boolean mayRunOnLanes(float[][] labels) {
        if (hostThreads == 1 || mapping.placements().chipsUsed() < 2) {
            return false;
        }
        if (labels == null) {
            return true;
        }
        for (MachineVertex v : mapping.graph().vertices()) {
            if (batchModes[v.id()] != null || copies[v.id()] || normsHere(mapping, v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A pipelined run on two lanes ({@link Lanes}); the records, or null if the run failed (a router refused a
     * packet or dropped one, or a kernel refused one), when every core's state is put back as it was before the run,
     * for the caller to run it on one queue.
     */
    private SampleRecords runOnLanes(float[][] samples, float[][] labels, float[][][] vectors) {
        if (lanes == null) {
            lanes = new Wiring(mapping, parameters, kernels, profiles, keyIds, this::sdramOf,
                    new Lanes(chipLanes(mapping), parameters.timing().linkPacketPs(), laneWorker));
        }
        byte[][] saved = new byte[kernels.length][];
        for (int v = 0; v < kernels.length; v++) {
            saved[v] = kernels[v].saveState();
        }
        SampleRecords records = prepare(lanes, samples, labels, vectors);
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind().isSource() || mapping.graph().readsInputFromSdram(v.id())) {
                sdramOf(v); // made before the lanes run: the map is not theirs to change
            }
        }
        startPipelined(records.startPs);
        startSourcesAt(records.startPs, 0, samples, labels);
        if (lanes.lanes.run() && !lanes.dropped() && records.complete(samples.length - 1)) {
            forwardPs = labels == null ? lanes.now() : Arrays.stream(cores).mapToLong(c -> c.lastForwardSendPs)
                    .max().orElse(0);
            backwardPs = lanes.now() - forwardPs;
            return records;
        }
        LOG.debug("the run on {} lanes failed (a packet refused or dropped, or an exception: {}); running it on one "
                + "thread", Lanes.COUNT, String.valueOf(lanes.lanes.thrown()));
        for (int v = 0; v < kernels.length; v++) {
            kernels[v].restoreState(saved[v]);
        }
        return null;
    }

    /**
     * Chip numbers ({@link EventOrder#chipNumber}) to lanes: the machine's chips in order of x, then y, those before
     * the one that brings the count of cores placed on them to half or more on lane 0, the rest on lane 1.
     */
    private static int[] chipLanes(Mapping m) {
        Map<ChipLocation, Integer> coresOn = new HashMap<>();
        for (MachineVertex v : m.graph().vertices()) {
            coresOn.merge(m.placements().of(v.id()).chip(), 1, Integer::sum);
        }
        List<ChipLocation> chips = new ArrayList<>();
        m.machine().chips().forEach(c -> chips.add(c.location()));
        chips.sort(Comparator.comparingInt(ChipLocation::x).thenComparingInt(ChipLocation::y));
        int[] lanes = new int[chips.stream().mapToInt(c -> EventOrder.chipNumber(c.x(), c.y())).max().orElse(0) + 1];
        int placed = 0;
        int total = m.graph().vertices().size();
        for (ChipLocation c : chips) {
            lanes[EventOrder.chipNumber(c.x(), c.y())] = 2 * placed < total ? 0 : 1;
            placed += coresOn.getOrDefault(c, 0);
        }
        return lanes;
    }

    /**
     * A mini-batch trained in segments at its batch normalizations ({@link BatchNormSegments}): the samples start a
     * period apart up to the first normalization; each normalization's forward event starts the next segment once
     * the previous one is idle, the label sources starting with the last; then each normalization's backward event,
     * last to first.
     */
    private void runSegments(float[][] samples, float[][] labels, SampleRecords records) {
        if (parameters.sendMode() != SendMode.TDMA || !mapping.tdma().pipelined()) {
            throw new IllegalStateException("batch normalizations train with the mini-batch's statistics only under a "
                    + "pipelined TDMA schedule (a segment's samples start a period apart); this run sends "
                    + parameters.sendMode() + (mapping.tdma().pipelined() ? "" : ", one sample per step"));
        }
        long[] starts = records.startPs;
        startPipelined(starts);
        startSourcesAt(starts, 0, samples, null);
        List<Integer> norms = segments.layers();
        long clockPs = parameters.timing().coreClockPs();
        for (int layer : norms) {
            runExchange("in the forward segment up to layer " + layer + "'s batch normalization");
            exchangeBatchNormSums(layer, 0, samples.length);
            exchangeBatchNormSums(layer, 1, samples.length);
            long shift = segments.fireForward(layer, samples.length, clock.now(), clockPs);
            if (layer == norms.get(norms.size() - 1)) {
                startSourcesAt(starts, shift, null, labels);
            }
        }
        for (int k = norms.size() - 1; k >= 0; k--) {
            runExchange("in the segment back to layer " + norms.get(k) + "'s batch normalization");
            exchangeBatchNormSums(norms.get(k), 2, samples.length);
            segments.fireBackward(norms.get(k), samples.length, clock.now(), clockPs);
        }
        runUntilIdle(records, samples.length - 1, "in the " + samples.length + " samples' segments");
        forwardPs = Arrays.stream(cores).mapToLong(c -> c.lastForwardSendPs).max().orElse(0);
        backwardPs = clock.now() - forwardPs;
    }

    /**
     * Exchange round {@code round} of layer {@code layer}'s batch normalization, if its blocks share channels: each
     * block's partial sums, run until every packet is handled (a lost one fails the run).
     */
    private void exchangeBatchNormSums(int layer, int round, int batchSize) {
        if (segments.startRound(layer, round, batchSize, clock.now(), parameters.timing().coreClockPs())) {
            runExchange("in round " + round + " of layer " + layer + "'s batch normalization exchange");
        }
    }

    /**
     * Loads the batch normalizations' blocks with their mini-batch mode ({@code on}) or their running statistics,
     * keeping their parameters and updater state.
     */
    private void setBatchStatistics(boolean on) {
        batchStatistics = on;
        for (MachineVertex v : mapping.graph().vertices()) {
            if (batchModes[v.id()] != null) {
                cores[v.id()].setBatchNorm(on ? batchModes[v.id()] : batchModes[v.id()].withRunningStatistics(),
                        stateArrays(v.layer()));
            }
        }
    }

    /** Sample s starts s periods after the first, a pipelined TDMA schedule's samples: fills {@code starts}. */
    private void startPipelined(long[] starts) {
        long periodPs = mapping.tdma().periodClocks() * parameters.timing().coreClockPs();
        for (int s = 0; s < starts.length; s++) {
            starts[s] = s * periodPs;
        }
    }

    /**
     * Schedules sample s's sources at {@code starts[s] + offsetPs}: its features (none if {@code samples} is null)
     * and its labels (none if {@code labels} is null).
     */
    private void startSourcesAt(long[] starts, long offsetPs, float[][] samples, float[][] labels) {
        for (int s = 0; s < starts.length; s++) {
            float[] sample = samples == null ? null : samples[s];
            float[] sampleLabels = labels == null ? null : labels[s];
            int[] words = samples == null || inputWords == null ? null : inputWords[s];
            for (int lane = 0; lane < machine.laneCount(); lane++) {
                int l = lane;
                machine.atHost(l, starts[s] + offsetPs, () -> startSources(l, sample, words, sampleLabels));
            }
        }
    }

    /**
     * A sample's start: each input source reads its slice of the sample (of its words in fixed point), each label
     * source its labels, from its chip's SDRAM by DMA and sends them once the read is in; a first-layer block that
     * reads its input from SDRAM reads its rows. On lanes, the cores of {@code lane}'s chips, on its queue.
     */
    private void startSources(int lane, float[] sample, int[] words, float[] labels) {
        EventQueue queue = machine.queue(lane);
        for (MachineVertex v : mapping.graph().vertices()) {
            if (machine.laneOf(mapping.placements().of(v.id()).chip()) != lane) {
                continue;
            }
            float[] values = v.kind() == VertexKind.INPUT_SOURCE ? sample
                    : v.kind() == VertexKind.LABEL_SOURCE ? labels : null;
            if (values != null) {
                SimCore core = cores[v.id()];
                Runnable load;
                if (words != null && v.kind() == VertexKind.INPUT_SOURCE) {
                    int[] slice = Arrays.copyOfRange(words, v.cols().lo(), v.cols().hi());
                    load = () -> core.kernel().loadInputWords(slice);
                } else if (fixedPoint != null) { // labels as words, quantised as the inputs
                    int[] slice = AccumQuantiser.quantise(Arrays.copyOfRange(values, v.cols().lo(), v.cols().hi()), 1,
                            "labels").words();
                    load = () -> core.kernel().loadInputWords(slice);
                } else {
                    float[] slice = Arrays.copyOfRange(values, v.cols().lo(), v.cols().hi());
                    load = () -> core.kernel().loadInput(slice);
                }
                queue.at(sdramOf(v).read(queue.now(), mapping.graph().sdramWords(v.id())), () -> {
                    load.run();
                    core.startSource();
                });
            }
            if (sample != null && mapping.graph().readsInputFromSdram(v.id())) {
                readInput(v, sample, words, queue);
            }
        }
    }

    /** The SDRAM interface of vertex {@code v}'s chip. */
    private SdramInterface sdramOf(MachineVertex v) {
        return sdramOf(mapping.placements().of(v.id()).chip());
    }

    /** The SDRAM interface of {@code chip}. */
    private SdramInterface sdramOf(ChipLocation chip) {
        return sdram.computeIfAbsent(chip, c -> new SdramInterface(parameters.timing()));
    }

    /**
     * First-layer block {@code v} starts the DMAs of the sample's rows from its chip's SDRAM (float32: the values'
     * bits; s16.15: the quantised words), {@link CoreCostModel#rowsPerRead} rows each: the chip's interface carries
     * them after the reads asked for before, and each read's rows go to the core when its last word is in ({@code
     * queue}: its chip's).
     */
    private void readInput(MachineVertex v, float[] sample, int[] words, EventQueue queue) {
        Slice rows = v.rows();
        SdramInterface chip = sdramOf(v);
        SimCore core = cores[v.id()];
        int perRead = CoreCostModel.rowsPerRead(rows.size(), mapping.network().trains());
        for (int first = 0; first < rows.size(); first += perRead) {
            int[] read = new int[Math.min(perRead, rows.size() - first)];
            for (int i = 0; i < read.length; i++) {
                int row = rows.lo() + first + i;
                read[i] = words != null ? words[row] : Float.floatToRawIntBits(sample[row]);
            }
            int at = first;
            queue.at(chip.read(queue.now(), read.length), () -> core.inputRead(at, read));
        }
    }

    /**
     * The 32-bit values of a sample's features the host writes to the board: each once with input as packets (to the
     * input sources' chips), and with input from SDRAM each into the SDRAM of every chip one of whose first-layer
     * blocks reads it.
     */
    private long featuresWritten() {
        Map<ChipLocation, boolean[]> read = new HashMap<>();
        for (MachineVertex v : mapping.graph().vertices()) {
            if (mapping.graph().readsInputFromSdram(v.id())) {
                boolean[] rows = read.computeIfAbsent(mapping.placements().of(v.id()).chip(),
                        c -> new boolean[mapping.network().nIn()]);
                Arrays.fill(rows, v.rows().lo(), v.rows().hi(), true);
            }
        }
        if (read.isEmpty()) {
            return mapping.network().nIn();
        }
        long values = 0;
        for (boolean[] rows : read.values()) {
            for (boolean r : rows) {
                values += r ? 1 : 0;
            }
        }
        return values;
    }

    /** Every layer's sums its blocks saturated when rounding them to s16.15, since they were loaded. */
    private long[] saturatedSums() {
        long[] sums = new long[mapping.network().layers().size()];
        for (MachineVertex v : mapping.graph().vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK) {
                sums[v.layer()] += cores[v.id()].kernel().saturatedCount();
            }
        }
        return sums;
    }

    /**
     * Runs the events until none is left; then every sink must have recorded samples 0 ..
     * {@code lastSample}. A lost packet fails the run with what was lost ({@code when}), even where a
     * kernel rejected what came instead of it.
     */
    private void runUntilIdle(SampleRecords records, int lastSample, String when) {
        try {
            clock.runUntilIdle();
        } catch (IllegalStateException rejected) {
            if (log.lost > 0) {
                PacketLossException e = lossException(records, lastSample, when);
                e.addSuppressed(rejected);
                throw e;
            }
            throw rejected;
        }
        if (log.lost > 0) {
            throw lossException(records, lastSample, when);
        }
        records.requireComplete(lastSample);
    }

    /** The exception for a run that lost packets; the last run's statistics cover the samples it ran. */
    private PacketLossException lossException(SampleRecords records, int lastSample, String when) {
        latencyPs = records.longestLatencyPs();
        lastStats = stats(lastSample + 1);
        return lossException(when);
    }

    /**
     * What the sinks recorded in one run: each sample's values and losses, and when it ended (its
     * last value filed when pipelined, the end of its step's traffic otherwise).
     */
    private final class SampleRecords {
        private final long[] startPs;
        private final long[] endPs;
        private final float[][][] vectors;
        private final float[][] losses;
        private final Map<Integer, Integer> recordedBySink = new HashMap<>();

        SampleRecords(int samples, float[][][] vectors) {
            this.startPs = new long[samples];
            this.endPs = new long[samples];
            this.vectors = vectors;
            this.losses = new float[samples][];
        }

        /** A sink's values of a sample; synchronized, as sinks on two lanes may record at once. */
        synchronized void record(MachineVertex sink, int sample, float[] values, long timePs) {
            if (sample >= startPs.length) {
                throw new IllegalStateException(sink + " collected a sample more than the " + startPs.length
                        + " run: a mapping bug");
            }
            recordedBySink.merge(sink.id(), 1, Integer::sum);
            hostOut += values.length;
            endPs[sample] = Math.max(endPs[sample], timePs);
            if (sink.kind() == VertexKind.LOSS_SINK) {
                losses[sample] = values;
            } else if (vectors != null && vectors[sink.layer()] != null) {
                System.arraycopy(values, 0, vectors[sink.layer()][sample], sink.cols().lo(), values.length);
            }
        }

        /**
         * A training core finished its backward work for a sample: the sample ends no earlier. Synchronized as {@link
         * #record} is: cores on two lanes may end the same sample at once, and the later end must not be lost.
         */
        synchronized void endBackward(int sample, long timePs) {
            if (sample >= endPs.length) {
                throw new IllegalStateException("a core did the backward work of a sample more than the "
                        + endPs.length + " run: a mapping bug");
            }
            endPs[sample] = Math.max(endPs[sample], timePs);
        }

        /** Whether every sink recorded samples 0 .. {@code lastSample}. */
        boolean complete(int lastSample) {
            return firstIncompleteSink(lastSample) == null;
        }

        /** Fails, naming the sink, when a sink has not recorded samples 0 .. {@code lastSample}. */
        void requireComplete(int lastSample) {
            MachineVertex v = firstIncompleteSink(lastSample);
            if (v != null) {
                throw new IllegalStateException("the simulator lost no packet, yet " + v + " collected "
                        + recordedBySink.getOrDefault(v.id(), 0) + " of " + (lastSample + 1)
                        + " samples (it has " + cores[v.id()].kernel().receivedCount() + " of " + v.cols().size()
                        + " values of the next): a mapping bug");
            }
        }

        /** The first sink (in vertex order) that has not recorded samples 0 .. {@code lastSample}, or null. */
        private MachineVertex firstIncompleteSink(int lastSample) {
            for (MachineVertex v : mapping.graph().vertices()) {
                if ((v.kind() == VertexKind.OUTPUT_SINK || v.kind() == VertexKind.LOSS_SINK)
                        && recordedBySink.getOrDefault(v.id(), 0) <= lastSample) {
                    return v;
                }
            }
            return null;
        }

        /** The samples' losses added up in sample order, each sample's shares in core order. */
        double lossSum() {
            double sum = 0;
            for (float[] shares : losses) {
                if (shares != null) {
                    for (float share : shares) {
                        sum += share;
                    }
                }
            }
            return sum;
        }

        /** The longest time any sample took from its start to its end. */
        long longestLatencyPs() {
            long longest = 0;
            for (int s = 0; s < startPs.length; s++) {
                longest = Math.max(longest, endPs[s] - startPs[s]);
            }
            return longest;
        }
    }

    private PacketLossException lossException(String when) {
        Set<LossCause> causes = EnumSet.noneOf(LossCause.class);
        causes.addAll(log.routerLossCauses());
        if (Arrays.stream(cores).anyMatch(c -> c.receiveDrops > 0)) {
            causes.add(LossCause.RECEIVE_QUEUE_FULL);
        }
        return new PacketLossException(log.lost + " packet(s) lost for good " + when + " ("
                + log.dropped + " dropped, " + log.reinjected + " reinjected); first: "
                + String.join("; ", log.firstLosses()) + ". "
                + LossAdvice.of(causes, parameters.sendMode(), mapping.strategy()));
    }

    /** Ready for a run on {@code wiring}: its queues, routers, links and cores and the run's records as new. */
    private void reset(Wiring wiring) {
        use(wiring);
        wiring.reset();
        forwardPs = 0;
        backwardPs = 0;
        latencyPs = 0;
        hostInPerSample = 0;
        hostOut = 0;
        log.reset(); // the statistics read the one queue's log, also after a run on lanes (which drops nothing)
        sdram.values().forEach(SdramInterface::reset);
    }

    /** Makes {@code wiring} the machine the host's code acts on. */
    private void use(Wiring wiring) {
        machine = wiring;
        cores = wiring.cores;
    }

    private void closeLanes() {
        if (lanes != null) {
            lanes.lanes.close();
            lanes = null;
        }
    }

    private RunStats stats(int samples) {
        return stats(samples, List.of());
    }

    /** The run's statistics, with every layer's s16.15 update steps ({@code steps}; empty if nothing was updated). */
    private RunStats stats(int samples, List<RunStats.Steps> steps) {
        double seconds = machine.now() / 1e12;
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
        for (SimRouter r : machine.routers) {
            routed += r.routed;
            long lostInCores = coreDrops.getOrDefault(r.chip(), 0L);
            if (r.routed > 0 || r.lost > 0 || lostInCores > 0) {
                chipStats.add(new RunStats.ChipStats(r.chip(), r.routed, r.dropped, r.reinjected, r.lost, lostInCores,
                        r.peakInput));
            }
        }
        List<RunStats.LinkStats> linkStats = new ArrayList<>();
        for (SimLink l : machine.links) {
            if (l.packets > 0 || l.drops > 0) {
                linkStats.add(new RunStats.LinkStats(l.chip(), l.direction(), l.packets, l.peakDepth, l.drops));
            }
        }
        Map<ChipLocation, Integer> entries = new HashMap<>();
        mapping.routingTables().forEach((chip, table) -> entries.put(chip, table.size()));
        long chipsUsed = mapping.placements().chipsUsed();
        double utilisation = seconds == 0 ? 0 : busyPs / 1e12 / (seconds * cores.length);
        return new RunStats(samples, seconds, latencyPs / 1e12, HostLink.SPINN5_ETHERNET.seconds(samples * hostInPerSample + hostOut), forwardPs / 1e12, backwardPs / 1e12, sent, sentBackward, routed, delivered, log.dropped, log.reinjected, log.lost,
                overruns, chipStats, linkStats, coreStats, entries, mapping.coresUsed(), chipsUsed, utilisation, busiestPs / 1e12,
                EnergyModel.joules(chipsUsed, seconds, busyPs / 1e12, routed), machine.processed(),
                fixedPoint != null ? fixedPoint.finish(saturatedSums(), steps) : RunStats.Saturations.NONE);
    }

    /**
     * The host threads the last run of samples ran on: 2 if it ran on lanes, 1 if not (a run on lanes that failed
     * ran again on one thread).
     */
    public int lastRunThreads() {
        return lastRunThreads;
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
        closeLanes();
        cores = null;
        kernels = null;
        oneQueue = null;
        machine = null;
        mapping = null;
        clock = null;
    }
}
