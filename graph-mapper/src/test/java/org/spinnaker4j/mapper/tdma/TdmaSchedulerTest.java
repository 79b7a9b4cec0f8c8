package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.RoutingSimulator;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.SampleBound;
import org.spinnaker4j.mapper.cost.SoftmaxStep;
import org.spinnaker4j.mapper.graph.BackwardSendOrder;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.InputPath;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.CoreMemory;
import org.spinnaker4j.mapper.partition.CoreShape;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.route.RouteWalker;

/** The TDMA schedule keeps every receiving core within its capacity and orders the windows by data flow. */
class TdmaSchedulerTest {

    private static final CoreCostModel COST = CoreCostModel.ARM968_SOFT_FLOAT;

    /** Memory in which every core, training or not, fits, holding one sample. */
    private static final CoreMemory ANY_FITS = holding(1);

    static Stream<Arguments> mappings() {
        return TestSupport.mappingCases();
    }

    /**
     * The parameterised cases' mappings by case name: each case is mapped once for all the tests that check it (a
     * FASTEST search on this 144-chip machine lays out a dozen or more slicings).
     */
    private static final Map<String, Mapping> MAPPED = new HashMap<>();

    private static Mapping map(PartitioningStrategy s, NetworkSpec net, CoreMemory mem) {
        return new Mapper(s, mem, new TdmaScheduler(COST, MachineTiming.SPINNAKER1, TdmaScheduler.DEFAULT_RECEIVE_QUEUE))
                .map(net, Machine.spinn5Triads(1, 1));
    }

    /** The mapping of the parameterised case {@code name}, mapped the first time a test asks for it. */
    private static Mapping mapped(String name, PartitioningStrategy s, NetworkSpec net, CoreMemory mem) {
        return MAPPED.computeIfAbsent(name, k -> map(s, net, mem));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mappings")
    void everyReceiverGetsAtMostOnePacketPerSenderPerPeriodItCanHandle(String name, PartitioningStrategy s,
            NetworkSpec net, CoreMemory mem) {
        Mapping m = mapped(name, s, net, mem);
        TdmaSchedule tdma = m.tdma();
        Map<CoreLocation, Integer> vertexAt = new HashMap<>();
        for (int v = 0; v < m.graph().vertices().size(); v++) {
            vertexAt.put(m.placements().of(v), v);
        }
        for (PartitionKind kind : List.of(PartitionKind.FORWARD, PartitionKind.SOFTMAX_SYNC)) {
            // senders per receiver, per window (stage), worked out by following each key through the tables
            Map<String, Set<Integer>> sendersOf = new HashMap<>();
            for (OutgoingPartition p : m.graph().partitions()) {
                if (p.kind() != kind) {
                    continue;
                }
                CoreSlot slot = tdma.of(Phase.of(p, 0), p.source());
                Map<CoreLocation, Integer> reached = RoutingSimulator.deliver(m.machine(), m.routingTables(),
                        m.placements().of(p.source()).chip(), m.keys().of(p.id()).key());
                for (CoreLocation core : reached.keySet()) {
                    sendersOf.computeIfAbsent(slot.stage() + "/" + vertexAt.get(core), k -> new HashSet<>())
                            .add(p.source());
                }
            }
            for (Map.Entry<String, Set<Integer>> e : sendersOf.entrySet()) {
                int sender = e.getValue().iterator().next();
                CoreSlot slot = tdma.of(kind == PartitionKind.FORWARD ? Phase.FORWARD : Phase.SYNC, sender);
                int receiver = Integer.parseInt(e.getKey().split("/")[1]);
                long need = (long) e.getValue().size() * COST.packetCycles(m.graph().vertex(receiver));
                assertTrue(slot.clocksBetweenSends() * TdmaScheduler.SENDING_FRACTION >= need - 1,
                        name + " " + kind + ": receiver " + receiver + " gets a packet from " + e.getValue().size()
                                + " senders every " + slot.clocksBetweenSends() + " clocks but needs " + need);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mappings")
    void windowsFollowEachOtherAndSendersAreStaggeredWithinThem(String name, PartitioningStrategy s, NetworkSpec net,
            CoreMemory mem) {
        Mapping m = mapped(name, s, net, mem);
        List<TdmaSchedule.Stage> stages = m.tdma().stages();
        for (int i = 1; i < stages.size(); i++) {
            TdmaSchedule.Stage before = stages.get(i - 1);
            TdmaSchedule.Stage stage = stages.get(i);
            if (streams(m, net, stage)) {
                // its senders send each column once its partials are in: it opens once its inputs' window has
                assertTrue(stage.startClocks() > before.startClocks(), name + ": column-by-column window " + i
                        + " opens before window " + (i - 1) + " opens");
            } else {
                assertTrue(stage.startClocks() >= before.startClocks() + before.windowClocks(),
                        name + ": window " + i + " opens before window " + (i - 1) + " closes");
            }
        }
        for (TdmaSchedule.Stage stage : stages) {
            Set<Long> offsets = new HashSet<>();
            for (int v = 0; v < m.graph().vertices().size(); v++) {
                CoreSlot slot = m.tdma().of(stage.phase(), v);
                if (slot.stage() == stage.index() && slot.packetsPerStep() > 0) {
                    assertTrue(offsets.add(slot.offsetClocks()), name + ": two senders share an offset");
                    assertTrue(slot.offsetClocks() >= stage.startClocks()
                            && slot.offsetClocks() < stage.startClocks() + stage.clocksBetweenSends(),
                            name + ": a sender starts outside its window's first period");
                    assertTrue(slot.sendClock(slot.packetsPerStep() - 1)
                            < stage.startClocks() + stage.windowClocks() + stage.clocksBetweenSends(),
                            name + ": a sender's last packet falls outside its window");
                }
            }
            assertEquals(stage.senders(), offsets.size());
        }
        assertTrue(m.tdma().stepClocks() >= stages.get(stages.size() - 1).startClocks()
                + stages.get(stages.size() - 1).windowClocks());
    }

    /** Whether every sender of a forward values window completes column by column. */
    private static boolean streams(Mapping m, NetworkSpec net, TdmaSchedule.Stage stage) {
        if (stage.phase() != Phase.FORWARD) {
            return false;
        }
        for (int v = 0; v < m.graph().vertices().size(); v++) {
            CoreSlot slot = m.tdma().of(stage.phase(), v);
            if (slot.stage() == stage.index() && slot.packetsPerStep() > 0
                    && !ColumnStreaming.streams(net, m.graph(), v)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void stagesFollowTheDataFlow() {
        Mapping m = map(PartitioningStrategy.FEWEST_CORES, TestSupport.mnist(), TestSupport.tightMemory(16));
        int[] stage = TdmaScheduler.stages(m.graph());
        for (MachineVertex v : m.graph().vertices()) {
            if (v.kind() == VertexKind.INPUT_SOURCE) {
                assertEquals(0, stage[v.id()]);
            }
            for (OutgoingPartition p : m.graph().outgoing(v.id())) {
                if (p.kind() == PartitionKind.FORWARD) {
                    for (int t : p.targets()) {
                        assertTrue(stage[t] > stage[v.id()]);
                    }
                }
            }
        }
        long reduces = m.graph().count(VertexKind.REDUCE);
        assertTrue(reduces > 0, "tight memory gives reduce cores, which sit one stage after their blocks");
    }

    /**
     * An input source reads its slice of each sample from its chip's SDRAM before it sends: the first window opens
     * once the read is in (the DMA's latency and the slice's words through the chip's interface) and the source has
     * dispatched the read's completion and done its values' work. A block fed by packets reads nothing.
     */
    @Test
    void theFirstWindowOpensOnceTheInputSourceHasReadItsSliceFromSdram() {
        Mapping m = map(PartitioningStrategy.FEWEST_CORES, TestSupport.network(ActivationKind.RELU, 40, 10), ANY_FITS);
        assertEquals(1, m.graph().count(VertexKind.INPUT_SOURCE));
        for (MachineVertex v : m.graph().vertices()) {
            if (v.kind() == VertexKind.INPUT_SOURCE) {
                int words = v.cols().size();
                assertEquals(words, m.graph().sdramWords(v.id()));
                long read = MachineTiming.SPINNAKER1.dmaClocks(0, words) + CoreCostModel.DMA_START_CYCLES
                        + COST.dispatchCycles();
                assertEquals(read + COST.completionCycles(v, ActivationKind.IDENTITY),
                        m.tdma().stages().get(0).startClocks());
            } else if (v.kind() == VertexKind.DENSE_BLOCK) {
                assertEquals(0, m.graph().sdramWords(v.id()));
            }
        }
    }

    /**
     * A label reaches the output layer in the window of the sample's inputs to it, so that window's receive queue
     * counts it: sent in an earlier stage, a later sample's labels would land in another sample's window unplanned.
     */
    @ParameterizedTest
    @EnumSource(InputPath.class)
    void labelsTravelInTheWindowOfTheOutputLayersInputs(InputPath input) {
        Mapping m = map(PartitioningStrategy.FASTEST, mnistTraining().withInput(input), holding(32));
        int[] stage = TdmaScheduler.stages(m.graph());
        long labelSources = m.graph().count(VertexKind.LABEL_SOURCE);
        assertTrue(labelSources > 0);
        for (MachineVertex v : m.graph().vertices()) {
            if (v.kind() == VertexKind.LABEL_SOURCE) {
                for (OutgoingPartition p : m.graph().outgoing(v.id())) {
                    for (int t : p.targets()) {
                        assertEquals(stage[t] - 1, stage[v.id()], "label source " + v.id() + " to " + t);
                    }
                }
            }
        }
    }

    @Test
    void aSoftmaxLayerSpreadOverCoresGetsASynchronisationWindowBeforeItsForwardWindow() {
        Mapping m = map(PartitioningStrategy.NEURON_PER_CORE, TestSupport.network(ActivationKind.SOFTMAX, 20, 8),
                TestSupport.MEMORY);
        List<TdmaSchedule.Stage> stages = m.tdma().stages();
        int sync = -1;
        for (int i = 0; i < stages.size(); i++) {
            if (stages.get(i).phase() == Phase.SYNC) {
                sync = i;
            }
        }
        assertTrue(sync >= 0, "no sync window in " + stages);
        assertEquals(Phase.FORWARD, stages.get(sync + 1).phase());
        assertEquals(stages.get(sync).index(), stages.get(sync + 1).index());
        assertEquals(8, stages.get(sync).senders());
        // each of the 8 neurons hears from its 7 peers once per period
        assertTrue(stages.get(sync).clocksBetweenSends() * TdmaScheduler.SENDING_FRACTION
                >= 7L * COST.packetCycles(m.graph().vertices().stream()
                        .filter(v -> v.kind() == VertexKind.DENSE_BLOCK).findFirst().orElseThrow()) - 1);
    }

    @Test
    void aSoftmaxSpreadOverCoresIsPacedByEachStepsOwnCostNotAWholeActivationPerStep() {
        Mapping m = map(PartitioningStrategy.FEWEST_CORES, TestSupport.network(ActivationKind.SOFTMAX, 300, 700),
                TestSupport.tightMemory(4));
        List<TdmaSchedule.Stage> stages = m.tdma().stages();
        TdmaSchedule.Stage sync = stages.stream().filter(st -> st.phase() == Phase.SYNC).findFirst().orElseThrow();
        TdmaSchedule.Stage values = stages.get(stages.indexOf(sync) + 1);
        TdmaSchedule.Stage before = stages.get(stages.indexOf(sync) - 1);
        MachineVertex widest = m.graph().vertices().stream().filter(v -> m.graph().splitsSoftmax(v.id()))
                .max(java.util.Comparator.comparingInt(v -> v.cols().size())).orElseThrow();
        assertTrue(widest.cols().size() > 20, "a few wide softmax cores: " + widest);
        long whole = COST.completionCycles(widest, ActivationKind.SOFTMAX);
        long max = COST.completionCycles(widest, ActivationKind.SOFTMAX, true);
        long sum = COST.softmaxStepCycles(widest, SoftmaxStep.SUM);
        long normalise = COST.softmaxStepCycles(widest, SoftmaxStep.NORMALISE);
        // the local maxima go out once the cores have completed (their values all in), not a whole activation later
        long afterValues = sync.startClocks() - (before.startClocks() + before.windowClocks());
        assertTrue(afterValues >= max && afterValues < whole, afterValues + " clocks before the maxima");
        // the sums follow the maxima by the exponentials, the values the sums by the division
        assertTrue(sync.clocksBetweenSends() >= sum && sync.clocksBetweenSends() < whole,
                sync.clocksBetweenSends() + " clocks between the rounds");
        long afterSums = values.startClocks() - (sync.startClocks() + sync.windowClocks());
        assertTrue(afterSums >= normalise && afterSums < whole, afterSums + " clocks before the values");
    }

    @Test
    void aHiddenSoftmaxSpreadOverCoresDoesItsBackwardWorkAfterItsDotWindow() {
        NetworkSpec net = new NetworkSpec(List.of(
                new DenseLayerSpec(6, 12, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(12, 8, Activation.of(ActivationKind.SOFTMAX), true),
                new DenseLayerSpec(8, 4, Activation.of(ActivationKind.IDENTITY), true)),
                new TrainingSpec(LossFunction.MSE, java.util.Collections.nCopies(3, new UpdaterSpec(UpdaterType.SGD, 0.1f, 0, 0,
                        0)), true));
        Mapping m = map(PartitioningStrategy.NEURON_PER_CORE, net, ANY_FITS);
        List<TdmaSchedule.Stage> stages = m.tdma().stages();
        int dots = -1;
        for (int i = 0; i < stages.size(); i++) {
            if (stages.get(i).phase() == Phase.BACKWARD_SYNC) {
                dots = i;
            }
        }
        assertTrue(dots >= 0, "no dot window in " + stages);
        TdmaSchedule.Stage dot = stages.get(dots);
        TdmaSchedule.Stage values = stages.get(dots + 1);
        assertEquals(Phase.BACKWARD, values.phase());
        assertEquals(dot.index(), values.index());
        assertEquals(8, dot.senders());
        MachineVertex neuron = m.graph().vertices().stream()
                .filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 1).findFirst().orElseThrow();
        // its deltas and W·delta need every peer's dot, so they come after the dot window
        assertTrue(values.startClocks() >= dot.startClocks() + dot.windowClocks()
                + COST.backwardCycles(neuron, ActivationKind.SOFTMAX, null, true, true), stages.toString());
        // and the dot window opens once the local dot, not a whole activation, is done
        TdmaSchedule.Stage deltas = stages.get(dots - 1);
        long beforeDots = dot.startClocks() - (deltas.startClocks() + deltas.windowClocks());
        assertTrue(beforeDots >= COST.softmaxStepCycles(neuron, SoftmaxStep.DOT)
                && beforeDots < COST.completionCycles(neuron, ActivationKind.SOFTMAX), beforeDots + " clocks");
    }

    @Test
    void pipelinedTrainingGivesASoftmaxExchangeRoomForTheOtherPassesPacketsItsCoresReceiveMeanwhile() {
        NetworkSpec inference = new NetworkSpec(List.of(
                new DenseLayerSpec(6, 12, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(12, 8, Activation.of(ActivationKind.SOFTMAX), true),
                new DenseLayerSpec(8, 4, Activation.of(ActivationKind.IDENTITY), true)));
        NetworkSpec training = new NetworkSpec(inference.layers(), new TrainingSpec(LossFunction.MSE,
                java.util.Collections.nCopies(3, new UpdaterSpec(UpdaterType.SGD, 0.1f, 0, 0, 0)), true));
        TdmaSchedule alone = map(PartitioningStrategy.NEURON_PER_CORE, training, holding(1)).tdma();
        TdmaSchedule pipelined = map(PartitioningStrategy.NEURON_PER_CORE, training, holding(64)).tdma();
        assertTrue(pipelined.pipelined() && !alone.pipelined());
        // the same exchange, one sample at a time and while the cores file other samples' backward packets
        long roundAlone = syncStage(alone).clocksBetweenSends();
        long roundPipelined = syncStage(pipelined).clocksBetweenSends();
        assertTrue(roundPipelined > roundAlone, roundPipelined + " vs " + roundAlone + " clocks between the rounds");
    }

    private static TdmaSchedule.Stage syncStage(TdmaSchedule tdma) {
        return tdma.stages().stream().filter(st -> st.phase() == Phase.SYNC).findFirst().orElseThrow();
    }

    static Stream<Arguments> pipelinedMappings() {
        return Stream.concat(TestSupport.mappingCases(), Stream.of(
                Arguments.of("FASTEST mnist training", PartitioningStrategy.FASTEST, mnistTraining(), holding(64)),
                Arguments.of("FEWEST_CORES mnist training", PartitioningStrategy.FEWEST_CORES, mnistTraining(),
                        holding(64))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pipelinedMappings")
    void pipelinedWindowsKeepEveryLinkAndReceiverWithinTheSendingFractionModuloThePeriod(String name,
            PartitioningStrategy s, NetworkSpec net, CoreMemory mem) {
        Mapping m = mapped(name, s, net, mem);
        TdmaSchedule tdma = m.tdma();
        assertTrue(tdma.pipelined(), name + ": should pipeline, period " + tdma.periodClocks()
                + " step " + tdma.stepClocks());
        for (TdmaSchedule.Stage stage : tdma.stages()) {
            assertTrue(stage.windowClocks() <= tdma.periodClocks(), name + ": " + stage + " is longer than the period");
            for (TdmaSchedule.Stage values : tdma.stages()) {
                // a softmax core sends in order: its next maximum must not queue behind this sample's values
                if (stage.phase() == Phase.SYNC && values.phase() == Phase.FORWARD && values.index() == stage.index()) {
                    assertTrue(values.startClocks() + values.windowClocks() - stage.startClocks()
                            <= tdma.periodClocks(), name + ": " + stage + " to the end of " + values);
                }
            }
        }
        // what each window (phase and stage) loads each link and receiving core with, following every key
        Map<String, Map<Object, Double>> rates = new HashMap<>();
        Map<String, long[]> sends = new HashMap<>();
        RouteWalker walker = new RouteWalker(m.machine(), m.routingTables());
        Map<CoreLocation, Integer> vertexAt = new HashMap<>();
        for (int v = 0; v < m.graph().vertices().size(); v++) {
            vertexAt.put(m.placements().of(v), v);
        }
        for (Phase phase : List.of(Phase.FORWARD, Phase.BACKWARD)) {
            for (int v = 0; v < m.graph().vertices().size(); v++) {
                CoreSlot slot = tdma.of(phase, v);
                if (slot.packetsPerStep() == 0) {
                    continue;
                }
                String window = phase + "/" + slot.stage();
                long[] span = sends.computeIfAbsent(window, w -> new long[] {Long.MAX_VALUE, 0});
                span[0] = Math.min(span[0], slot.sendClock(0));
                span[1] = Math.max(span[1], slot.sendClock(slot.packetsPerStep() - 1) + 1);
                Set<Object> reached = new HashSet<>();
                for (OutgoingPartition p : m.graph().outgoing(v)) {
                    if (phase.packets(p) > 0) {
                        RouteWalker.Walk walk = walker.walk(m.placements().of(v).chip(), m.keys().of(p.id()).key());
                        reached.addAll(walk.links());
                        walk.cores().forEach(c -> reached.add(vertexAt.get(c)));
                    }
                }
                for (Object resource : reached) {
                    double clocks = resource instanceof Integer r ? COST.packetCycles(m.graph().vertex(r))
                            : MachineTiming.SPINNAKER1.linkClocks();
                    rates.computeIfAbsent(window, w -> new HashMap<>()).merge(resource,
                            clocks / slot.clocksBetweenSends(), Double::sum);
                }
            }
        }
        // at every window's first send, folded modulo the period, the windows sending then load no resource past
        // the sending fraction (the load only rises where a window starts)
        long period = tdma.periodClocks();
        for (long[] at : sends.values()) {
            Map<Object, Double> load = new HashMap<>();
            sends.forEach((window, span) -> {
                long start = Math.floorMod(at[0] - span[0], period);
                if (span[1] - span[0] >= period || start < span[1] - span[0]) {
                    rates.get(window).forEach((resource, rate) -> load.merge(resource, rate, Double::sum));
                }
            });
            load.forEach((resource, busy) -> assertTrue(busy <= TdmaScheduler.SENDING_FRACTION + 1e-9,
                    name + ": " + resource + " is busy " + busy + " of the time at " + at[0] + " modulo " + period));
        }
    }

    static Stream<Arguments> mappingsAndALongConvolution() {
        Conv1DGeometry first = new Conv1DGeometry(8, 64, 16, 5, 1, 2, 64, false);
        Conv1DGeometry second = new Conv1DGeometry(16, 64, 16, 3, 2, 0, 32, false);
        NetworkSpec conv = new NetworkSpec(List.of(
                DenseLayerSpec.convolution(first, Activation.of(ActivationKind.RELU), true),
                DenseLayerSpec.convolution(second, Activation.of(ActivationKind.TANH), true),
                DenseLayerSpec.convolution(Conv1DGeometry.pointwise(16, 5, 32), Activation.of(ActivationKind.SOFTMAX),
                        true)));
        NetworkSpec split = TestSupport.training(TestSupport.network(ActivationKind.SOFTMAX, 300, 200, 100, 10))
                .withArithmetic(Arithmetic.S16_15);
        return Stream.concat(mappings(), Stream.of(
                Arguments.of("FASTEST 8 x 64 conv", PartitioningStrategy.FASTEST, conv, TestSupport.MEMORY),
                Arguments.of("FEWEST_CORES s16.15 training, split layers", PartitioningStrategy.FEWEST_CORES, split,
                        TestSupport.TRAINING_MEMORY)));
    }

    /**
     * Within a window, the packets whose trees cross a link reach it, at their senders' slots, no faster than it
     * drains them but for the few its queue holds, so no router stalls on the link. Staggered in vertex order, the
     * senders of a chip reached its links one after another: on the 8 × 64 convolution FASTEST's windows queued
     * dozens of packets per link, and the simulator's routers dropped thousands. A part of a block's rows sent back
     * (halves, one partition a receiver) crosses its links in the rounds of its own rows ({@link BackwardSendOrder}),
     * which the scheduler counts bursts by; every other partition is played as crossing them in every round of its
     * sender's slot.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mappingsAndALongConvolution")
    void noLinkQueuesMorePacketsOfAWindowThanItHolds(String name, PartitioningStrategy s, NetworkSpec net,
            CoreMemory mem) {
        Mapping m = mapped(name, s, net, mem);
        RouteWalker walker = new RouteWalker(m.machine(), m.routingTables());
        BackwardSendOrder order = BackwardSendOrder.of(m.graph());
        long linkClocks = MachineTiming.SPINNAKER1.linkClocks();
        for (Phase phase : List.of(Phase.FORWARD, Phase.BACKWARD)) {
            Map<String, List<Long>> arrivals = new HashMap<>();
            for (int v = 0; v < m.graph().vertices().size(); v++) {
                CoreSlot slot = m.tdma().of(phase, v);
                for (OutgoingPartition p : m.graph().outgoing(v)) {
                    if (slot.packetsPerStep() == 0 || phase.packets(p) == 0) {
                        continue;
                    }
                    boolean part = p.kind() == PartitionKind.BACKWARD
                            && p.keysPerValue() == OutgoingPartition.PARTIAL_HALVES;
                    int first = part ? order.firstPacket(p) : 0;
                    int last = part ? first + phase.packets(p) : slot.packetsPerStep();
                    for (RouteWalker.LinkUse link : walker.walk(m.placements().of(v).chip(),
                            m.keys().of(p.id()).key()).links()) {
                        List<Long> at = arrivals.computeIfAbsent(slot.stage() + " " + link, k -> new ArrayList<>());
                        for (int k = first; k < last; k++) {
                            at.add(slot.sendClock(k));
                        }
                    }
                }
            }
            arrivals.forEach((link, at) -> {
                at.sort(null);
                // a first-in first-out queue draining a packet per link time: the packets in it as each arrives
                ArrayDeque<Long> done = new ArrayDeque<>();
                long free = 0;
                for (long a : at) {
                    while (!done.isEmpty() && done.peekFirst() <= a) {
                        done.pollFirst();
                    }
                    free = Math.max(free, a) + linkClocks;
                    done.addLast(free);
                    int queued = done.size();
                    assertTrue(queued <= TdmaScheduler.DEFAULT_LINK_QUEUE + 1, name + " " + phase + " window " + link
                            + ": " + queued + " packets on the link at clock " + a);
                }
            });
        }
    }

    /**
     * Forward and backward windows of different samples share receiving cores and links; taking turns on them
     * (modulo scheduling) rather than all slowing down keeps the period near the mapping's own time bound, its
     * busiest core's cycles per sample over the sending fraction: within {@link #TURNS_MARGIN}, the room a
     * sample's later windows keep for its earlier windows' slip (stretching the windows that share a core made it
     * twice as long).
     */
    @Test
    void pipelinedTrainingWindowsTakeTurnsOnWhatTheyShareSoThePeriodStaysNearTheBusiestCoresWork() {
        Mapping m = map(PartitioningStrategy.FASTEST, mnistTraining(), holding(64));
        SampleBound bound = BoundCalculator.SPINNAKER1.bound(m.network(), m.graph(), m.placements(), m.machine());
        long busiest = (long) Math.ceil(bound.clocks() / TdmaScheduler.SENDING_FRACTION);
        assertTrue(m.tdma().pipelined());
        assertTrue(m.tdma().periodClocks() <= busiest * TURNS_MARGIN, "period " + m.tdma().periodClocks()
                + " clocks, the busiest "
                + "core's work " + busiest + " over the sending fraction: " + m.tdma().stages());
    }

    /** How far above its busiest core's work a modulo-scheduled training period may be (stretching gave 2.05). */
    private static final double TURNS_MARGIN = 1.25;

    private static NetworkSpec mnistTraining() {
        return new NetworkSpec(TestSupport.mnist().layers(), new TrainingSpec(LossFunction.MCXENT,
                java.util.Collections.nCopies(3, new UpdaterSpec(UpdaterType.SGD, 0.1f, 0, 0, 0)), true));
    }

    /** Memory in which every core fits, holding up to {@code most} samples in training. */
    static CoreMemory holding(int most) {
        return new CoreMemory() {
            @Override
            public int dtcmBytes() {
                return TestSupport.DTCM_BYTES;
            }

            @Override
            public int mostSamplesInFlight() {
                return most;
            }

            @Override
            public int stateBytes(VertexKind kind, int nRows, int nCols, boolean fused, int ranges, int peers) {
                return 1024;
            }

            @Override
            public int stateBytes(CoreShape shape) {
                return 1024;
            }
        };
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(PartitioningStrategy.class)
    void trainingPipelinesItsSamplesWhenThatIsFasterAndItsCoresCanHoldThem(PartitioningStrategy s) {
        Mapping m = map(s, mnistTraining(), holding(64));
        TdmaSchedule tdma = m.tdma();
        TdmaSchedule oneByOne = map(s, mnistTraining(), holding(1)).tdma();
        assertTrue(tdma.periodClocks() <= oneByOne.periodClocks(), s + ": pipelining was slower");
        assertTrue(tdma.pipelined() || s != PartitioningStrategy.FASTEST, s + ": period " + tdma.periodClocks()
                + " step " + tdma.stepClocks());
        int held = tdma.pipelined() ? (int) (tdma.stepClocks() / tdma.periodClocks() + 2) : 1;
        for (MachineVertex v : m.graph().vertices()) {
            boolean trains = v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
            assertEquals(trains ? held : 1, tdma.samplesInFlight(v.id()), s + " " + v);
        }
        for (TdmaSchedule.Stage stage : tdma.stages()) {
            assertTrue(stage.windowClocks() <= tdma.periodClocks(), s + ": " + stage + " is longer than the period");
        }
    }

    @Test
    void coresWithRoomForFewerSamplesLengthenThePeriod() {
        Mapping m = map(PartitioningStrategy.FASTEST, mnistTraining(), holding(64));
        TdmaSchedule free = m.tdma();
        TdmaSchedule three = SamplesInFlight.fit(free.withPeriod(free.periodClocks(),
                java.util.Collections.nCopies(free.samplesInFlight().size(), 1)), m.graph(), m.network(),
                (v, samples) -> samples <= 3);
        assertTrue(three.pipelined() && three.periodClocks() > free.periodClocks(), three.periodClocks() + " vs "
                + free.periodClocks());
        assertTrue(three.samplesInFlight().stream().allMatch(n -> n <= 3), three.samplesInFlight().toString());
        assertEquals(3, three.stepClocks() / three.periodClocks() + 2, "the shortest period three samples allow");
        assertEquals(three.stepClocks() / 2 + 1, three.periodClocks());
    }

    @Test
    void trainingRunsOneSampleAtATimeWhenCoresHoldOneOrTwoSamples() {
        for (int most = 1; most <= 2; most++) {
            TdmaSchedule tdma = map(PartitioningStrategy.FEWEST_CORES, mnistTraining(), holding(most)).tdma();
            assertEquals(tdma.stepClocks(), tdma.periodClocks());
            assertTrue(tdma.samplesInFlight().stream().allMatch(n -> n == 1));
        }
    }
}
