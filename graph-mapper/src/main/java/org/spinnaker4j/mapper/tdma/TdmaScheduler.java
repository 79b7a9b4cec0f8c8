package org.spinnaker4j.mapper.tdma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.OutputLoss;
import org.spinnaker4j.mapper.cost.SoftmaxStep;
import org.spinnaker4j.mapper.graph.BackwardSendOrder;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.keys.RoutingInfo;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.place.Placements;
import org.spinnaker4j.mapper.route.RouteWalker;

/**
 * The TDMA schedule, in the manner of SpiNNFrontEndCommon's local TDMA. Cores are grouped
 * into stages by data flow (input sources 0, then each vertex one more than its deepest
 * sender; in training the backward pass has stages of its own, from the output layer back).
 * The senders of a stage share sending windows: first the softmax synchronisation window of
 * the stage's activating cores (if any: a round of local maxima, then, once every receiver has
 * handled them and computed its exponentials, a round of local sums), then the window of its
 * values. In a window each sender sends one packet every {@code clocksBetweenSends}, the senders
 * staggered {@code clocksBetweenCores} apart. The time between sends is the smallest that keeps
 * every resource within capacity when every sender of the window sends once per period: each
 * receiving core must handle one packet from each of its senders, each link must carry one
 * packet from each sender whose tree crosses it, each core must be able to send; divided by
 * the sending fraction (SFEC's 0.8) for slack; and a core that discards part of what it
 * receives (the baseline's multicast backward pass) may compute in mid-window, so the packets
 * reaching it during that work must fit its receive queue. A window opens when the previous one
 * has ended, that is when every receiver has handled its last packet (each receiving core's queue
 * played through packet by packet, each packet arriving after its tree's deepest path and its waits behind the
 * window's other packets on its links), and the senders have finished computing (from the
 * {@link CoreCostModel}; a softmax core paces each step by that step's own cost: its completion, which
 * finds the local maximum, before its synchronisation window, its exponentials between the window's
 * rounds and its division after it; backward, its local dot before the window and its deltas after it,
 * once every peer's dot is in). In inference, a stage whose cores complete column by column ({@link ColumnStreaming})
 * opens its window before its inputs' window has ended, as soon as each of its packets is ready by its slot. So the
 * step length follows from the mapping: the user never tunes a time scale factor.
 *
 * <p>Samples are pipelined: a sample starts every {@link TdmaSchedule#periodClocks()}, while
 * earlier ones are still in flight, so the windows of different samples (in training, forward and
 * backward windows alike) send at once. The windows are modulo scheduled: each is placed in the step
 * where, folded modulo the period, the windows already placed leave its links and receiving cores room
 * for it (their rates add up to at most the sending fraction), sending at its fastest or a little slower,
 * and opening later than its senders are ready if it must (in inference, of the slots it may take, the one after
 * which the step ends soonest); the period is the shortest for which every
 * window finds room, and no shorter than a window takes to be handled by its receivers (and their
 * softmax exchanged, which refuses new data), a core's work for one sample over the sending fraction, or
 * a link's or receiving core's use per sample over it. In training a softmax core's steps and exchange
 * take longer by the share of its time the
 * other pass's windows of other samples keep it receiving, and by the longest one of their packets may
 * wait in its queue, as a step's last input may; or the exchange keeps its cores from those windows beyond a
 * share of their time, and its steps take longer by that share only. Each core thus gets all of one sample's
 * packets of a window before any of the next sample's, which the kernels check; a training core holds the samples between their forward and
 * backward passes in rings ({@link SamplesInFlight} sizes them, lengthening the period if their
 * DTCM is short). If that period would be no shorter than the step with every window at its
 * fastest, samples run one per step that way instead.
 */
public final class TdmaScheduler {

    /** SFEC's {@code fraction_of_time_spike_sending}: the share of a period a sender may use. */
    public static final double SENDING_FRACTION = 0.8;
    /** Packets a core's software receive queue holds unless told otherwise (est.; see docs/machine-model.md). */
    public static final int DEFAULT_RECEIVE_QUEUE = 256;
    /**
     * Packets an outgoing link's queue holds unless told otherwise (est.; see docs/machine-model.md): the burst a
     * link absorbs. The simulator's default link queue too.
     */
    public static final int DEFAULT_LINK_QUEUE = 4;
    /**
     * Packets of other samples a column-by-column core's input may wait behind on its way ({@link
     * Run#streamReady}): two full link queues. With one, the relay before the output layer sent its third value
     * 13 clocks after its slot in every sample on a 728-core seed network mapping, and 236 clocks after it on a
     * 696-core softmax network one (docs/architecture.md, "Regrouped slicings").
     */
    static final int STREAM_LINK_QUEUES = 2 * DEFAULT_LINK_QUEUE;
    /** A period in which some window finds no room is followed by one longer by its 1 / PERIOD_STEPS. */
    private static final int PERIOD_STEPS = 100;
    /**
     * A pipelined window may send up to 3 times slower than its fastest, in steps of 1 / PACE_STEPS of its fastest
     * pace, where that lets it end sooner or leaves a later window room.
     */
    private static final int PACE_STEPS = 32;
    /** How many layouts a schedule tries at one period to make room for a window that found none. */
    private static final int ROOM_LAYOUTS = 256;
    /**
     * Training, making room for a window: every how many of its slots (each 1 / PACE_STEPS slower than the last) an
     * earlier window beside it tries.
     */
    private static final int ROOM_PACE_STRIDE = 4;
    /**
     * Training, tried in this order at each period: the most of a softmax core's time the other pass's windows may
     * take while it exchanges and does the steps around its rounds. At the whole sending fraction the exchange keeps
     * nothing and its steps are stretched for the worst the other pass's windows may take; below it the exchange
     * keeps the rest of the sending fraction of its cores, modulo the period, and its steps are stretched for this
     * share only.
     */
    private static final List<Double> EXCHANGE_SHARES = List.of(SENDING_FRACTION, 0.4);

    private final CoreCostModel cost;
    private final MachineTiming timing;
    private final int receiveQueue;

    /**
     * @param receiveQueue packets a core's receive queue holds: a core that keeps receiving
     *        packets it discards while it computes must not see more than this many meanwhile
     */
    public TdmaScheduler(CoreCostModel cost, MachineTiming timing, int receiveQueue) {
        this.cost = cost;
        this.timing = timing;
        this.receiveQueue = receiveQueue;
    }

    /** The cost model the schedule is computed with. */
    public CoreCostModel cost() {
        return cost;
    }

    /** The machine's timing the schedule is computed with. */
    public MachineTiming timing() {
        return timing;
    }

    /** The schedule of one mapping whose training cores hold one sample each; see the class comment for the rules. */
    public TdmaSchedule schedule(NetworkSpec network, MachineGraph graph, Placements placements, RoutingInfo keys,
            Map<ChipLocation, RoutingTable> tables, Machine machine) {
        return schedule(network, graph, placements, keys, tables, machine, (v, samples) -> samples == 1);
    }

    /**
     * The schedule of one mapping, its training cores holding as many samples as {@code room} lets
     * them ({@link SamplesInFlight}): samples pipelined if that is faster, else one per step.
     */
    public TdmaSchedule schedule(NetworkSpec network, MachineGraph graph, Placements placements, RoutingInfo keys,
            Map<ChipLocation, RoutingTable> tables, Machine machine, SamplesInFlight.Room room) {
        return schedule(network, graph, placements, keys, tables, machine, room, new RoomBudget(RoomBudget.MAPPING));
    }

    /**
     * The schedule of one mapping as {@link #schedule(NetworkSpec, MachineGraph, Placements, RoutingInfo, Map,
     * Machine, SamplesInFlight.Room)}, an inference schedule making room for its windows only while {@code budget}
     * lasts (a mapping's schedules share one).
     */
    public TdmaSchedule schedule(NetworkSpec network, MachineGraph graph, Placements placements, RoutingInfo keys,
            Map<ChipLocation, RoutingTable> tables, Machine machine, SamplesInFlight.Room room, RoomBudget budget) {
        return new Run(network, graph, placements, keys, new RouteWalker(machine, tables), budget).schedule(room);
    }

    /** The state of one scheduling run. */
    private final class Run {
        private final NetworkSpec network;
        private final MachineGraph graph;
        private final Placements placements;
        private final RoutingInfo keys;
        private final RouteWalker walker;
        /** What this schedule may still spend making room ({@link #makeRoom}). */
        private final RoomBudget budget;
        private final Map<CoreLocation, Integer> vertexAt = new HashMap<>();
        private final Map<Phase, CoreSlot[]> slots = new EnumMap<>(Phase.class);
        private final List<TdmaSchedule.Stage> stages = new ArrayList<>();
        /** Per values window, per time between its sends: {@link #length}. */
        private final Map<WindowPlan, Map<Long, Long>> lengths = new IdentityHashMap<>();
        private long windowEnd;
        /**
         * The longest a softmax stage's cores take for one sample from the start of the values window that brings
         * them their inputs to the end of their exchange and the step after it, as laid out: {@link #softmaxSpan}.
         */
        private long receiveSpan;
        /** The kernel copies' shares in their kernels' order, once a SHARE window is planned. */
        private ShareRounds shareRounds;
        /**
         * Per vertex, the keys a value of its forward values takes ({@link OutgoingPartition#keysPerValue()} of its
         * first FORWARD partition, 1 without one): {@link #forwardKeysPerValue}.
         */
        private final int[] forwardKeysPerValue;
        /** Which row each block sends back first, so in which round each part of its rows. */
        private final BackwardSendOrder backwardOrder;
        /** Per chip, the words its first-layer blocks read from its SDRAM each sample: {@link #sdramWordsOn}. */
        private Map<ChipLocation, Long> sdramWords;
        /** Per chip, the words of partial sums its blocks write to its SDRAM and read back each sample. */
        private Map<ChipLocation, Long> partialWords;

        Run(NetworkSpec network, MachineGraph graph, Placements placements, RoutingInfo keys, RouteWalker walker,
                RoomBudget budget) {
            this.network = network;
            this.graph = graph;
            this.placements = placements;
            this.keys = keys;
            this.walker = walker;
            this.budget = budget;
            this.backwardOrder = BackwardSendOrder.of(graph);
            int n = graph.vertices().size();
            forwardKeysPerValue = new int[n];
            for (int v = 0; v < n; v++) {
                vertexAt.put(placements.of(v), v);
                forwardKeysPerValue[v] = graph.outgoing(v).stream().filter(p -> p.kind() == PartitionKind.FORWARD)
                        .mapToInt(OutgoingPartition::keysPerValue).findFirst().orElse(1);
            }
            for (Phase phase : Phase.values()) {
                CoreSlot[] none = new CoreSlot[n];
                Arrays.fill(none, CoreSlot.SILENT);
                slots.put(phase, none);
            }
        }

        TdmaSchedule schedule(SamplesInFlight.Room room) {
            List<List<StagePlan>> passes = new ArrayList<>();
            passes.add(plan(stages(graph), Phase.SYNC, Phase.FORWARD, false));
            if (network.trains()) {
                passes.add(plan(backwardStages(graph), Phase.BACKWARD_SYNC, Phase.BACKWARD, true));
            }
            layOut(passes, null);
            TdmaSchedule oneByOne = snapshot(windowEnd);
            clear();
            return pipelined(waitingForOtherSamples(passes), oneByOne, room);
        }

        /**
         * The plans of windows whose packets cross a chip-to-chip link that another window crosses too (of either
         * pass, another sample's in the pipelined schedule), each such window's packets later by one full link queue
         * ({@link #DEFAULT_LINK_QUEUE}): the modulo schedule shares a link between windows by their rates, not slot by
         * slot, so another sample's packet may be on the link ahead of this one. Without the margin a window opened
         * on its inputs' predicted arrival with 2 clocks to spare: on a Conv1D → AVG pool → Conv1D → global pool →
         * dense → softmax network (FASTEST, 139 cores, training) a layer-2 block's deltas queued two packets ahead of
         * a dense value, which came 133 clocks late, and the output core missed 11 slots a mini-batch of 16; and at
         * inference (session 36, an s16.15 10-50-200-25 network with a DropoutLayer on FASTEST's 153 cores) a layer-1
         * block's last word came 424 clocks later in every sample after the first than in the first, and the block,
         * multiplying all its words in at its completion (1,591 cycles), missed its first slot by 9 clocks.
         */
        private List<List<StagePlan>> waitingForOtherSamples(List<List<StagePlan>> passes) {
            Map<Object, Integer> windowsOnLink = new HashMap<>();
            for (List<StagePlan> pass : passes) {
                for (StagePlan plan : pass) {
                    if (plan.values() != null) {
                        linksOf(plan.values()).forEach(link -> windowsOnLink.merge(link, 1, Integer::sum));
                    }
                }
            }
            long margin = DEFAULT_LINK_QUEUE * timing.linkClocks();
            List<List<StagePlan>> delayed = new ArrayList<>();
            for (List<StagePlan> plans : passes) {
                List<StagePlan> pass = new ArrayList<>();
                for (StagePlan plan : plans) {
                    WindowPlan w = plan.values();
                    boolean shares = w != null && linksOf(w).anyMatch(link -> windowsOnLink.get(link) > 1);
                    pass.add(shares ? plan.withValues(w.later(margin)) : plan);
                }
                delayed.add(pass);
            }
            return delayed;
        }

        /** The chip-to-chip links a window's packets cross. */
        private static Stream<Object> linksOf(WindowPlan w) {
            return w.resources().keySet().stream().filter(RouteWalker.LinkUse.class::isInstance);
        }

        /**
         * The pipelined schedule of {@code passes}, its period the shortest that fits from the pipelining's own
         * bound up, or {@code oneByOne} when no period shorter than its step fits.
         */
        private TdmaSchedule pipelined(List<List<StagePlan>> passes, TdmaSchedule oneByOne,
                SamplesInFlight.Room room) {
            Pipelining pipelining = new Pipelining(passes);
            long period = pipelining.period;
            while (period < oneByOne.stepClocks()) {
                long needed = Long.MAX_VALUE;
                for (double share : network.trains() ? EXCHANGE_SHARES : List.of(SENDING_FRACTION)) {
                    pipelining.exchangeShare = share;
                    pipelining.restart(period, List.of(), Long.MAX_VALUE);
                    boolean fits = layOut(passes, pipelining)
                            || (network.trains() ? makeRoomBeside(passes, pipelining) : makeRoom(passes, pipelining));
                    long span = fits ? Math.max(period, softmaxSpan()) : 0;
                    if (network.trains() && span > period) {
                        // its exchanges wait for room modulo the period: the span at this period tells not the next
                        span = 0;
                    }
                    if (span == period) {
                        if (!network.trains()) {
                            shortenStep(passes, pipelining);
                        }
                        TdmaSchedule pipelined = SamplesInFlight.fit(snapshot(Math.min(period, windowEnd)), graph,
                                network, room);
                        if (pipelined.periodClocks() == period && pipelined.pipelined()) {
                            return pipelined;
                        }
                        span = pipelined.pipelined() ? pipelined.periodClocks() : oneByOne.stepClocks();
                    }
                    clear();
                    needed = Math.min(needed, span);
                }
                // a window found no room, or the softmax span or the cores' rings need longer: try a longer period (in
                // training the next 1 % longer, unless the rings say how much)
                period = Math.max(needed, period + Math.max(1, period / PERIOD_STEPS));
            }
            return oneByOne;
        }

        /**
         * Inference: lays the windows out again with the period just found, each values window in turn taking, of
         * the slots it may take ({@link Pipelining#slot}), the one after which the step ends soonest when every
         * later window takes the slot that ends first: a window sending a little slower may leave the next one
         * room when its senders are ready, where at its fastest the next would wait most of a period. Each window's
         * choice keeps the best step found so far among its options, so the step is never longer than with every
         * window taking the slot that ends first (the layout this starts from). Training keeps that layout: its
         * many windows make this search cost seconds, for a step 2 % shorter on MNIST and no shorter on the other
         * reference networks.
         */
        private void shortenStep(List<List<StagePlan>> passes, Pipelining pipelining) {
            long period = pipelining.modulus;
            List<Integer> best = List.copyOf(pipelining.taken);
            List<Integer> offered = List.copyOf(pipelining.offered);
            List<Long> waits = List.copyOf(pipelining.waits);
            long bestEnd = windowEnd;
            for (int i = 0; i < best.size(); i++) {
                // another slot here can only help a later window that waits for room
                for (int k = 0; k < offered.get(i) && waitsAfter(waits, i); k++) {
                    if (k == best.get(i)) {
                        continue;
                    }
                    List<Integer> prefix = new ArrayList<>(best.subList(0, i));
                    prefix.add(k);
                    clear();
                    pipelining.restart(period, prefix, bestEnd);
                    if (layOut(passes, pipelining) && windowEnd < bestEnd && softmaxSpan() <= period) {
                        best = List.copyOf(pipelining.taken);
                        offered = List.copyOf(pipelining.offered);
                        waits = List.copyOf(pipelining.waits);
                        bestEnd = windowEnd;
                    }
                }
            }
            clear();
            pipelining.restart(period, best, Long.MAX_VALUE);
            layOut(passes, pipelining);
        }

        /**
         * Inference, when a values window found no room with every window before it taking the slot that ends first:
         * searches depth first for a layout that fits, each time moving the latest window before the one that found
         * none to its next slot (a slower one, which leaves a link or receiver it keeps busy at its fastest room for
         * a later window) and letting the windows after it take the slot that ends first, for at most
         * {@link #ROOM_LAYOUTS} layouts and while the mapping's {@link RoomBudget} lasts (each layout costs the graph's
         * cores). Whether one fits; it is then the one laid out.
         */
        private boolean makeRoom(List<List<StagePlan>> passes, Pipelining pipelining) {
            long period = pipelining.modulus;
            for (int tries = 0; tries < ROOM_LAYOUTS; tries++) {
                List<Integer> taken = List.copyOf(pipelining.taken);
                List<Integer> offered = List.copyOf(pipelining.offered);
                int i = taken.size() - 1;
                while (i >= 0 && taken.get(i) + 1 >= offered.get(i)) {
                    i--;
                }
                if (i < 0 || !budget.spend(graph.vertices().size())) {
                    return false;
                }
                List<Integer> prefix = new ArrayList<>(taken.subList(0, i));
                prefix.add(taken.get(i) + 1);
                clear();
                pipelining.restart(period, prefix, Long.MAX_VALUE);
                if (layOut(passes, pipelining)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Training, when a values window found no room with every window before it taking the slot that ends first:
         * tries each earlier window that shares a link or receiving core with it, in the step's order, in slower slots
         * (every {@link #ROOM_PACE_STRIDE}th after the one it took, least slowed first) with the windows after it
         * taking the slot that ends first, for at most {@link #ROOM_LAYOUTS} layouts. A window beside it at its fastest
         * keeps a receiver or link at the whole sending fraction: on the MNIST MLP the layer-1 blocks' backward
         * partials go to the layer-0 reduces, which the reduces' forward partials keep that busy, right after the
         * input window keeps the links the backward partials cross nearly as busy; with the forward partials sending
         * at 60/32 of their fastest time between packets, the backward partials share the reduces with them, clear
         * of the input window. (Inference's {@link #makeRoom}, which moves the latest windows first, does not reach
         * them: training's windows each offer up to 65 slots.) Whether one fits; it is then the one laid out.
         */
        private boolean makeRoomBeside(List<List<StagePlan>> passes, Pipelining pipelining) {
            long period = pipelining.modulus;
            WindowPlan stuck = pipelining.unplaced;
            List<WindowPlan> placed = List.copyOf(pipelining.placed);
            List<Integer> taken = List.copyOf(pipelining.taken);
            List<Integer> offered = List.copyOf(pipelining.offered);
            int layouts = 0;
            for (int i = 0; i < placed.size() && stuck != null; i++) {
                if (Collections.disjoint(placed.get(i).resources().keySet(), stuck.resources().keySet())) {
                    continue;
                }
                for (int k = taken.get(i) + ROOM_PACE_STRIDE; k < offered.get(i); k += ROOM_PACE_STRIDE) {
                    if (layouts++ == ROOM_LAYOUTS) {
                        return false;
                    }
                    List<Integer> prefix = new ArrayList<>(taken.subList(0, i));
                    prefix.add(k);
                    clear();
                    pipelining.restart(period, prefix, Long.MAX_VALUE);
                    if (layOut(passes, pipelining)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Whether a window placed after the {@code i}th waited for room after its senders were ready. */
        private static boolean waitsAfter(List<Long> waits, int i) {
            return waits.subList(i + 1, waits.size()).stream().anyMatch(wait -> wait > 0);
        }

        /**
         * The windows placed so far, and a training mapping's once-per-mini-batch exchanges (gradient-norm partials,
         * kernel copies' shares and parameters, a batch normalization's partial sums), as a schedule starting a
         * sample every {@code period}.
         */
        private TdmaSchedule snapshot(long period) {
            Map<Phase, Long> exchangeClocks = new EnumMap<>(Phase.class);
            if (network.trains()) {
                exchangeClocks.put(Phase.NORM, layOutNorm());
                exchangeClocks.put(Phase.SHARE, layOutExchange(Phase.SHARE, cost::shareStartCycles));
                exchangeClocks.put(Phase.PARAM, layOutExchange(Phase.PARAM, v -> cost.paramSendCycles(
                        graph.outgoing(v.id()).stream().filter(p -> p.kind() == PartitionKind.PARAM)
                                .mapToLong(OutgoingPartition::nKeys).sum())));
                // a round's blocks compute their sums before the simulator starts it: its slots count from then
                exchangeClocks.put(Phase.BATCH_NORM, layOutExchange(Phase.BATCH_NORM, v -> 0L));
            }
            Map<Phase, List<CoreSlot>> byPhase = new EnumMap<>(Phase.class);
            slots.forEach((phase, array) -> byPhase.put(phase, List.of(array)));
            return new TdmaSchedule(byPhase, stages, windowEnd, Math.max(1, period), exchangeClocks,
                    Collections.nCopies(graph.vertices().size(), 1));
        }

        /** Forgets every window placed so far. */
        private void clear() {
            slots.values().forEach(array -> Arrays.fill(array, CoreSlot.SILENT));
            stages.clear();
            windowEnd = 0;
            receiveSpan = 0;
        }

        /** When the values window {@code w}, placed last, opened. */
        private long opened(WindowPlan w) {
            return placed(w).startClocks();
        }

        /** How the window {@code w} was placed last. */
        private TdmaSchedule.Stage placed(WindowPlan w) {
            for (int i = stages.size() - 1; i >= 0; i--) {
                TdmaSchedule.Stage st = stages.get(i);
                if (st.phase() == w.phase() && st.index() == w.stage()) {
                    return st;
                }
            }
            throw new IllegalStateException("window " + w.phase() + " " + w.stage() + " is not placed");
        }

        /**
         * Whether {@code v}'s k-th forward packet of a sample carries value {@code cols.lo + k / keys} ({@link
         * #forwardKeysPerValue}), sent once, in the order the column-by-column model ({@link #streamReady}) follows:
         * a source's, a dense block's partials, a reduce's or a relay's. A convolution's or pooling block's are not followed (on a Conv1D network's
         * FEWEST_CORES mapping, relays fed by them missed a slot in every sample).
         */
        private boolean sendsColumnsInOrder(MachineVertex v) {
            return switch (v.kind()) {
                case INPUT_SOURCE, REDUCE, RELAY -> true;
                case DENSE_BLOCK -> !v.fused() && v.rowBlock() == null && v.pooling() == null
                        && network.layers().get(v.layer()).convolution() == null
                        && network.layers().get(v.layer()).pooling() == null;
                default -> false;
            };
        }

        /** The keys a value of {@code v}'s forward values takes ({@link OutgoingPartition#keysPerValue()}). */
        private int forwardKeysPerValue(MachineVertex v) {
            return forwardKeysPerValue[v.id()];
        }

        /**
         * Forward, a stage without a softmax exchange: when its values window may open at the earliest, the previous
         * window placed last. Once its senders have done their work after that window ({@link #windowEnd}); or, when
         * every sender completes column by column ({@link ColumnStreaming}) and gets its inputs in the previous
         * stage's values window, as soon as each sender's k-th packet at its fastest is ready by its slot: each
         * sender's receive queue played through from that window's packets as placed ({@link #streamReady}).
         */
        private long valuesReady(List<StagePlan> pass, StagePlan p) {
            WindowPlan w = p.values();
            WindowPlan inputs = p.index() > 0 ? pass.get(p.index() - 1).values() : null;
            if (w == null || inputs == null
                    || !w.senders().stream().allMatch(v -> ColumnStreaming.streams(network, graph, v))) {
                return windowEnd + p.before();
            }
            long betweenCores = Math.max(1, w.between() / w.senders().size());
            long start = 0;
            long columnsWork = 0;
            for (int i = 0; i < w.senders().size(); i++) {
                MachineVertex v = graph.vertex(w.senders().get(i));
                long column = cost.columnCycles(v, activation(v));
                columnsWork = Math.max(columnsWork, v.cols().size() * column);
                long[] ready = streamReady(inputs, v, column);
                if (ready == null) {
                    start = Long.MAX_VALUE;
                    continue;
                }
                for (int k = 0; k < ready.length; k++) {
                    start = Math.max(start, ready[k] - k * w.between() - i * betweenCores);
                }
            }
            // a sender whose columns the model cannot follow sends after the whole window, as a whole z would
            return start == Long.MAX_VALUE ? windowEnd + Math.max(p.before(), columnsWork) : start;
        }

        /**
         * When each column of column-by-column sender {@code v} is ready to send, in the step, as {@code inputs} was
         * placed: sender j's q-th packet (its value {@code cols.lo + q}) arrives no earlier than its slot and a
         * packet's time on each link on its way to v, and no later than its slot, the window's latency, its waits on
         * links behind the window's other packets and {@link #STREAM_LINK_QUEUES} of other samples' packets (the
         * windows that share its links modulo the period: on the softmax network a relay's sixth value came 38 clocks
         * after its slot without any, in every sample), in any order those bounds allow ({@link ColumnStreaming#ready}:
         * a nearer sender's packet overtakes a farther sender's sent before it; timed as if they came in slot order,
         * the seed network's layer-4 relay of rows [40, 50) on FASTEST's 675 cores sent its second value 62 clocks
         * after its slot in every sample, three nearer reduces' values handled before the one it waited for); null if v
         * gets a packet the model does not place, or a column of it comes earlier.
         */
        private long[] streamReady(WindowPlan inputs, MachineVertex v, long columnCycles) {
            TdmaSchedule.Stage in = placed(inputs);
            for (ReceiverLoad r : inputs.receivers()) {
                if (r.receiver() != v.id()) {
                    continue;
                }
                List<ColumnStreaming.Arrival> arrivals = new ArrayList<>();
                for (int n = 0; n < r.senderIndex().length; n++) {
                    int j = r.senderIndex()[n];
                    MachineVertex sender = graph.vertex(inputs.senders().get(j));
                    if (!sendsColumnsInOrder(sender)) {
                        return null;
                    }
                    Slice from = sender.cols();
                    int lo = Math.max(from.lo(), v.cols().lo());
                    int hi = Math.min(from.hi(), v.cols().hi());
                    int keys = forwardKeysPerValue(sender);
                    if ((hi - lo) * keys != r.packets()[n]) {
                        return null;
                    }
                    // a value's packets (an s16.15 partial's two halves) go one after another
                    for (int atom = (lo - from.lo()) * keys; atom < (hi - from.lo()) * keys; atom++) {
                        long sent = in.startClocks() + atom * in.clocksBetweenSends() + j * in.clocksBetweenCores();
                        // no sooner than it crosses its links to v, each a packet's time
                        arrivals.add(new ColumnStreaming.Arrival(sent + r.hops()[n] * timing.linkClocks(),
                                sent + inputs.latency()
                                + inputs.linkWaits()[j] + STREAM_LINK_QUEUES * timing.linkClocks(),
                                from.lo() + atom / keys - v.cols().lo()));
                    }
                }
                return ColumnStreaming.ready(arrivals, v.cols().size(), r.packetCycles(), columnCycles);
            }
            return null;
        }

        /**
         * The exchange of the L2 gradient normalizations' partial sums of squares, once per mini-batch, timed from
         * its own start: every core that sends partials first computes them, then all send in one window (each one
         * or two packets, every layer's exchange at once). Returns its length, 0 without one.
         */
        private long layOutNorm() {
            return layOutExchange(Phase.NORM, cost::normPartialCycles);
        }

        /**
         * A once-per-mini-batch exchange ({@link Phase#perMiniBatch()}), timed from its own start: every core that
         * sends in it first does its {@code work}, then all send in one window. Returns its length, 0 without one.
         */
        private long layOutExchange(Phase phase, java.util.function.ToLongFunction<MachineVertex> workOf) {
            List<Integer> members = new ArrayList<>();
            long work = 0;
            for (MachineVertex v : graph.vertices()) {
                if (graph.outgoing(v.id()).stream().anyMatch(p -> Phase.of(p, 0) == phase)) {
                    members.add(v.id());
                    work = Math.max(work, workOf.applyAsLong(v));
                }
            }
            WindowPlan w = window(0, members, phase);
            if (w == null) {
                return 0;
            }
            long step = windowEnd;
            windowEnd = work;
            place(w, w.between(), w.between());
            long length = windowEnd;
            windowEnd = step;
            return length;
        }

        /**
         * The longest a softmax stage's cores are busy with one sample's exchange: from their first synchronisation
         * slot to the end of their values window (a core sends in order, so the next sample's maximum waits behind
         * this sample's values, and a period shorter than this span would push it past its slot and the exchange
         * into the next sample); and from the start of the window that brings them their inputs to the end of their
         * exchange and the step after it ({@link #receiveSpan}: a core exchanging refuses the next sample's inputs).
         * In training the exchange's rounds are longer than one sample alone takes ({@link Pipelining#softmaxStep}),
         * so only the layout tells this second span.
         */
        private long softmaxSpan() {
            long span = receiveSpan;
            for (TdmaSchedule.Stage sync : stages) {
                if (sync.phase() == Phase.SYNC) {
                    for (TdmaSchedule.Stage values : stages) {
                        if (values.phase() == Phase.FORWARD && values.index() == sync.index()) {
                            span = Math.max(span, values.startClocks() + values.windowClocks() - sync.startClocks());
                        }
                    }
                }
            }
            return span;
        }

        /**
         * What every stage of one pass (forward or backward) sends and computes, before any of it is timed. The
         * activating cores of a softmax spread over several cores do each step of it on its own
         * ({@link SoftmaxStep}): forward, the completion ({@link SoftmaxStep#MAX}) before their exchange, the
         * exponentials ({@link SoftmaxStep#SUM}) between its rounds and the division after it; backward, the local
         * dot before it and the deltas after it. Every other core does all its work before the stage's windows.
         */
        private List<StagePlan> plan(int[] stage, Phase syncPhase, Phase phase, boolean backward) {
            int nStages = Arrays.stream(stage).max().orElse(0) + 1;
            List<StagePlan> plans = new ArrayList<>();
            for (int s = 0; s < nStages; s++) {
                List<Integer> members = new ArrayList<>();
                long before = 0;
                long between = 0;
                long after = 0;
                for (int v = 0; v < stage.length; v++) {
                    if (stage[v] != s) {
                        continue;
                    }
                    members.add(v);
                    MachineVertex vertex = graph.vertex(v);
                    ActivationKind activation = activation(vertex);
                    boolean split = graph.splitsSoftmax(v);
                    if (backward) {
                        long work = cost.backwardCycles(vertex, activation, OutputLoss.of(network, vertex),
                                sendsBackward(v), split)
                                + cost.dropoutBackwardCycles(vertex, network.dropout(vertex.layer()), sendsBackward(v));
                        before = Math.max(before, split ? cost.softmaxStepCycles(vertex, SoftmaxStep.DOT) : work);
                        after = Math.max(after, split ? work : 0);
                    } else {
                        before = Math.max(before,
                                inputReadClocks(v) + cost.completionCycles(vertex, activation, split));
                        between = Math.max(between, split ? cost.softmaxStepCycles(vertex, SoftmaxStep.SUM) : 0);
                        after = Math.max(after, split ? cost.softmaxStepCycles(vertex, SoftmaxStep.NORMALISE) : 0);
                    }
                }
                plans.add(new StagePlan(s, before, between, after, window(s, members, syncPhase),
                        window(s, members, phase)));
            }
            return plans;
        }

        /**
         * Places the windows of the passes in time, stage after stage from {@link #windowEnd}: each
         * opens once the previous one's packets have arrived and its senders have done their work. Every
         * window sends as fast as its own receivers and links allow, or, with {@code pipelining}, as
         * fast as they allow while the windows of the other samples in flight use them too.
         */
        private boolean layOut(List<List<StagePlan>> passes, Pipelining pipelining) {
            for (int k = 0; k < passes.size(); k++) {
                boolean backward = k == 1;
                for (StagePlan p : passes.get(k)) {
                    if (p.sync() == null) {
                        windowEnd = backward ? windowEnd + p.before() : valuesReady(passes.get(k), p);
                    } else {
                        // backward, the dots are background work that foreground work may preempt
                        long before = softmaxStep(p.sync(), p.before(), pipelining)
                                + (backward ? preempted(pipelining, p.sync(), p.before()) : 0);
                        long sums = softmaxStep(p.sync(), p.between(), pipelining);
                        long rounds = p.sync().exchangeBetween(sums);
                        long after = softmaxStep(p.sync(), p.after(), pipelining);
                        if (pipelining != null) {
                            // backward, the preempted dots are allowed for the whole foreground load already
                            long exchange = p.sync().end(rounds, p.sync().between()) + after;
                            List<Step> steps = backward ? List.of(new Step(exchange - after, after))
                                    : List.of(new Step(0, before), new Step(before + p.sync().firstRoundHandled(), sums),
                                            new Step(before + exchange - after, after));
                            long start = pipelining.exchangeRoom(p.sync(), windowEnd, backward ? before : 0,
                                    exchange + (backward ? 0 : before), steps);
                            if (start < 0) {
                                return false;
                            }
                            windowEnd = start;
                        }
                        windowEnd += before;
                        place(p.sync(), rounds, p.sync().between());
                        if (backward && pipelining != null) {
                            after += pipelining.heldUp(p.sync(), windowEnd, after);
                        }
                        windowEnd += after;
                        WindowPlan inputs = p.index() > 0 ? passes.get(k).get(p.index() - 1).values() : null;
                        if (inputs != null) {
                            receiveSpan = Math.max(receiveSpan, windowEnd - opened(inputs));
                        }
                    }
                    if (p.values() != null) {
                        windowEnd += backward ? preempted(pipelining, p.values(), p.backwardWork()) : 0;
                        long between = p.values().between();
                        if (pipelining != null) {
                            Slot slot = pipelining.slot(passes.get(k), p.index(), windowEnd);
                            if (slot == null) {
                                return false;
                            }
                            pipelining.occupy(p.values(), slot);
                            windowEnd = slot.start();
                            between = slot.between();
                        }
                        place(p.values(), between, between);
                    }
                }
            }
            return true;
        }

        /**
         * The forward work another sample gives {@code sync}'s cores (a softmax spread over them) around their forward
         * exchange: their completion, exponentials and division, foreground work that preempts their backward deltas
         * (background work) for as long as it runs, which the share of their time {@link Pipelining#softmaxStep}
         * leaves the other pass's windows does not cover.
         */
        private long forwardSteps(WindowPlan sync) {
            return sync.senders().stream().mapToLong(v -> {
                MachineVertex vertex = graph.vertex(v);
                return cost.forwardWorkCycles(vertex, activation(vertex), true);
            }).max().orElse(0);
        }

        /** {@link Pipelining#preempted}, none without pipelining. */
        private static long preempted(Pipelining pipelining, WindowPlan w, long work) {
            return pipelining == null ? 0 : pipelining.preempted(w, work);
        }

        /**
         * How long the softmax cores of {@code sync} take for a step of {@code work}: that long one sample at a time;
         * pipelined, longer by what the other pass's windows of other samples give them to receive meanwhile.
         */
        private long softmaxStep(WindowPlan sync, long work, Pipelining pipelining) {
            return pipelining == null ? work : pipelining.softmaxStep(sync, work);
        }

        /**
         * The shortest period with which stage {@code s}'s values window, sending a packet per
         * {@code between}, can repeat: its receivers must have every packet of a sample, done their
         * work and exchanged their softmax (a core exchanging its softmax refuses new data) before the
         * next sample's values arrive.
         */
        private long periodNeeded(List<StagePlan> plans, int s, long between) {
            long period = length(plans.get(s).values(), between);
            if (s + 1 < plans.size() && plans.get(s + 1).sync() != null) {
                StagePlan next = plans.get(s + 1);
                period += next.before() + next.sync().end(next.exchangeBetween(), next.sync().between())
                        + next.after();
            }
            return period;
        }

        /**
         * A core's work for one sample besides the packets it receives: its completion (completing column by column,
         * its columns' work) and, spreading a softmax over several cores, the later steps of it; in training its
         * backward work too (as
         * {@link CoreCostModel#forwardWorkCycles} and {@link CoreCostModel#backwardSampleCycles} charge it).
         */
        private long ownWork(MachineVertex v) {
            ActivationKind activation = activation(v);
            boolean split = graph.splitsSoftmax(v.id());
            long work = cost.forwardWorkCycles(v, activation, split, ColumnStreaming.streams(network, graph, v.id()))
                    + (graph.sdramWords(v.id()) > 0 ? inputReadWork(v) : 0);
            if (network.trains()) {
                work += cost.backwardSampleCycles(v, activation, OutputLoss.of(network, v), 0, sendsBackward(v.id()),
                        split) + cost.dropoutBackwardCycles(v, network.dropout(v.layer()), sendsBackward(v.id()));
            }
            return work;
        }

        /**
         * A vertex that reads its part of each sample from SDRAM ({@link MachineGraph#sdramWords}: a source its
         * slice, a first-layer block reading its input from SDRAM its rows): clocks from the sample's start to its
         * read's work done, its DMA behind every other read on its chip (all start at the sample's start and share
         * the chip's SDRAM interface), then the events that file it (a block's also multiply its rows in); in
         * training each of a block's reads' event may also wait for a backward packet of an earlier sample under way
         * (a read that completes mid-packet waits for its end; no packet the core's queue holds goes first). 0 for
         * every other vertex, whose input comes as packets in a window.
         */
        private long inputReadClocks(int v) {
            int words = graph.sdramWords(v);
            if (words == 0) {
                return 0;
            }
            MachineVertex vertex = graph.vertex(v);
            long behindPackets = network.trains() && graph.readsInputFromSdram(v)
                    ? CoreCostModel.reads(words, true) * cost.backwardPacketCycles(vertex) : 0;
            return timing.dmaClocks(sdramWordsOn(placements.of(v).chip()) - words, words) + inputReadWork(vertex)
                    + behindPackets;
        }

        /** A vertex's work on its part of a sample read from SDRAM: the reads' events (a block's rows' MACs too). */
        private long inputReadWork(MachineVertex v) {
            return cost.inputReadWorkCycles(v, network.trains(), network.dropout(0));
        }

        /** The words all the vertices on {@code chip} read from its SDRAM each sample ({@link MachineGraph#sdramWords}). */
        private long sdramWordsOn(ChipLocation chip) {
            if (sdramWords == null) {
                sdramWords = new HashMap<>();
                for (MachineVertex u : graph.vertices()) {
                    if (graph.sdramWords(u.id()) > 0) {
                        sdramWords.merge(placements.of(u.id()).chip(), (long) graph.sdramWords(u.id()), Long::sum);
                    }
                }
            }
            return sdramWords.getOrDefault(chip, 0L);
        }

        /**
         * The words of partial sums the blocks on {@code chip} write to its SDRAM and their reduces read back each sample
         * ({@link MachineVertex#sdramPartials}: twice {@link CoreCostModel#partialWords}).
         */
        private long partialWordsOn(ChipLocation chip) {
            if (partialWords == null) {
                partialWords = new HashMap<>();
                for (MachineVertex u : graph.vertices()) {
                    if (u.sdramPartials() && u.kind() == VertexKind.DENSE_BLOCK) {
                        partialWords.merge(placements.of(u.id()).chip(), 2L * CoreCostModel.partialWords(u),
                                Long::sum);
                    }
                }
            }
            return partialWords.getOrDefault(chip, 0L);
        }

        private boolean sendsBackward(int v) {
            return graph.outgoing(v).stream().anyMatch(p -> p.kind() == PartitionKind.BACKWARD);
        }

        /**
         * How long values window {@code w}, a packet per {@code between}, keeps its links and receivers for a sample;
         * computed once per window and pace (the modulo scheduler asks again for every slot it weighs).
         */
        private long length(WindowPlan w, long between) {
            return lengths.computeIfAbsent(w, x -> new HashMap<>()).computeIfAbsent(between, b -> w.end(b, b));
        }

        /** What the stage's senders send in {@code phase}, and the fastest they may send it; null if nothing. */
        private WindowPlan window(int s, List<Integer> members, Phase phase) {
            List<Integer> senders = new ArrayList<>();
            List<Integer> packetsOf = new ArrayList<>();
            Map<Integer, Map<Integer, Integer>> packetsFromTo = new HashMap<>();
            Map<Integer, Map<Integer, Integer>> hopsFromTo = new HashMap<>();
            Map<RouteWalker.LinkUse, RoundOverlap> linkRounds = new HashMap<>();
            Map<Integer, RoundOverlap> receiverRounds = new HashMap<>();
            Map<Integer, Long> packetsTo = new HashMap<>();
            Set<Integer> discarding = new HashSet<>();
            int maxPackets = 0;
            int depth = 0;
            for (int v : members) {
                int packets = 0;
                for (OutgoingPartition p : graph.outgoing(v)) {
                    int inPhase = phase.packets(p);
                    if (inPhase == 0) {
                        continue;
                    }
                    packets += inPhase;
                    RouteWalker.Walk walk = walker.walk(placements.of(v).chip(), keys.of(p.id()).key());
                    depth = Math.max(depth, walk.depth());
                    int first = firstRound(p);
                    for (RouteWalker.LinkUse link : walk.links()) {
                        linkRounds.computeIfAbsent(link, l -> new RoundOverlap()).add(v, first, inPhase);
                    }
                    for (int c = 0; c < walk.cores().size(); c++) {
                        int r = vertexAt.get(walk.cores().get(c));
                        packetsFromTo.computeIfAbsent(r, x -> new HashMap<>()).merge(v, inPhase, Integer::sum);
                        hopsFromTo.computeIfAbsent(r, x -> new HashMap<>()).merge(v, walk.hops().get(c), Math::min);
                        receiverRounds.computeIfAbsent(r, x -> new RoundOverlap()).add(v, first, inPhase);
                        packetsTo.merge(r, (long) inPhase, Long::sum);
                        if (p.kind() == PartitionKind.BACKWARD && !contains(graph.vertex(r).cols(), p.values())) {
                            discarding.add(r);
                        }
                    }
                }
                if (packets > 0) {
                    senders.add(v);
                    packetsOf.add(packets);
                    maxPackets = Math.max(maxPackets, packets);
                }
            }
            if (senders.isEmpty()) {
                return null;
            }
            Map<Object, Long> resources = new HashMap<>();
            long receiverBound = 0;
            for (Map.Entry<Integer, Map<Integer, Integer>> e : packetsFromTo.entrySet()) {
                long demand = (long) receiverRounds.get(e.getKey()).most()
                        * receiveCycles(graph.vertex(e.getKey()), phase);
                resources.put(e.getKey(), demand);
                receiverBound = Math.max(receiverBound, demand);
            }
            // a receiver that discards part of what it gets may finish its own work mid-window and
            // must not overflow its queue with the packets that keep coming while it computes
            for (int r : discarding) {
                MachineVertex receiver = graph.vertex(r);
                long work = cost.backwardCycles(receiver, activation(receiver),
                        OutputLoss.of(network, receiver), sendsBackward(r))
                        + cost.dropoutBackwardCycles(receiver, network.dropout(receiver.layer()), sendsBackward(r));
                receiverBound = Math.max(receiverBound,
                        (long) Math.ceil((double) packetsFromTo.get(r).size() * work / receiveQueue));
            }
            long linkBound = 0;
            for (Map.Entry<RouteWalker.LinkUse, RoundOverlap> e : linkRounds.entrySet()) {
                long demand = (long) e.getValue().most() * timing.linkClocks();
                resources.put(e.getKey(), demand);
                linkBound = Math.max(linkBound, demand);
            }
            LinkBursts bursts = new LinkBursts(linkRounds.values(), timing.linkClocks(), DEFAULT_LINK_QUEUE);
            if (phase == Phase.SHARE) {
                ShareBounds rounds = shareRoundBounds(senders, maxPackets);
                receiverBound = rounds.receiver();
                linkBound = rounds.link();
                bursts = rounds.bursts();
            }
            long senderBound = cost.sendPacketCycles();
            long bound = Math.max(receiverBound, Math.max(linkBound, senderBound));
            String boundBy = bound == receiverBound ? "receiving cores" : bound == linkBound ? "links" : "sending cores";
            long between = (long) Math.ceil(bound / SENDING_FRACTION);
            long burst = bursts.between(senders);
            if (burst > between && (phase == Phase.FORWARD || phase == Phase.BACKWARD || phase == Phase.SHARE)) {
                // staggered in vertex order the senders would reach shared links in bursts: interleave them
                List<Integer> reordered = new ArrayList<>(senders);
                List<Integer> reorderedPackets = new ArrayList<>(packetsOf);
                interleave(reordered, reorderedPackets);
                long interleaved = bursts.between(reordered);
                if (interleaved < burst) {
                    senders = reordered;
                    packetsOf = reorderedPackets;
                    burst = interleaved;
                }
            }
            if (burst > between) {
                between = burst;
                boundBy = "bursts on links";
            }
            List<ReceiverLoad> receivers = new ArrayList<>();
            for (Map.Entry<Integer, Map<Integer, Integer>> e : packetsFromTo.entrySet()) {
                receivers.add(ReceiverLoad.of(e.getKey(), senders, e.getValue(), hopsFromTo.get(e.getKey()),
                        receiverRounds.get(e.getKey()), receiveCycles(graph.vertex(e.getKey()), phase),
                        rowsInOrder(e.getKey(), phase, e.getValue())));
            }
            // a packet's way to its farthest receiver: the branches of its tree are crossed at the same time
            long latency = (long) depth * (timing.linkClocks() + timing.routerClocks()) + cost.receiveInterruptCycles();
            if (phase == Phase.SYNC || phase == Phase.BACKWARD_SYNC) {
                // an exchange is not given room modulo the period: on each link its packet may queue behind a full
                // link queue of other samples' packets, and a round's packet that misses its slot waits a round
                latency += (long) depth * DEFAULT_LINK_QUEUE * timing.linkClocks() + otherPhaseSendWait();
            }
            Map<Integer, Long> receiverBusy = new HashMap<>();
            packetsTo.forEach((r, n) -> receiverBusy.put(r, n * receiveCycles(graph.vertex(r), phase)));
            return new WindowPlan(s, phase, senders, packetsOf, maxPackets, between, boundBy, latency,
                    bursts.waits(senders, between), resources, receivers, receiverBusy);
        }

        /**
         * The round of its window in which partition {@code p}'s first packet is sent: a part of a block's rows sent
         * back (one receiver's) in the order the block sends its rows ({@link BackwardSendOrder}); every other
         * partition from the window's first round.
         */
        private int firstRound(OutgoingPartition p) {
            return p.kind() == PartitionKind.BACKWARD ? backwardOrder.firstPacket(p) : 0;
        }

        /**
         * In training, how long a softmax exchange's packet may wait in its sender's send queue behind a packet of
         * another phase: the samples in flight interleave other samples' values and deltas with this sample's
         * exchange, and a core injects a packet no sooner than {@link CoreCostModel#sendPacketCycles} after its last,
         * so a packet sent just before the exchange's slot holds the exchange's back that long (one such packet at
         * most: slots of one phase are further apart). Timed to the clock, a round had no room for it: the dense
         * dropout network on NEURON_PER_CORE overran 75 slots a mini-batch, one core's local maximum 2 clocks behind
         * its W·delta. 0 in inference, where a core's values follow its exchange ({@link #softmaxSpan}).
         */
        private long otherPhaseSendWait() {
            return network.trains() ? cost.sendPacketCycles() : 0;
        }

        /**
         * Reorders a window's senders (and their packet counts), for a stagger that spreads them: by where they
         * are (chip, then core), then by the bit reversal of that rank. Senders on the same or
         * neighbouring chips share links, and staggered one after another they would reach those links in a burst;
         * bit-reversed, every run of neighbours is spread evenly over the round.
         */
        private void interleave(List<Integer> senders, List<Integer> packetsOf) {
            int n = senders.size();
            if (n <= 2) {
                return;
            }
            int shift = Integer.numberOfLeadingZeros(n - 1);
            List<Integer> byPlace = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byPlace.add(i);
            }
            byPlace.sort(Comparator.comparing((Integer i) -> placements.of(senders.get(i)).chip())
                    .thenComparingInt(i -> placements.of(senders.get(i)).p()));
            List<Integer> ranks = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                ranks.add(r);
            }
            ranks.sort(Comparator.comparingInt(r -> Integer.reverse(r) >>> shift));
            List<Integer> order = ranks.stream().map(byPlace::get).toList();
            List<Integer> s = order.stream().map(senders::get).toList();
            List<Integer> p = order.stream().map(packetsOf::get).toList();
            senders.clear();
            senders.addAll(s);
            packetsOf.clear();
            packetsOf.addAll(p);
        }

        /**
         * A SHARE window's bounds round by round ({@link ShareRounds}: each copy sends one share a round, to one
         * owner): the most cycles one owner spends on one round's shares, the most one link's packets of one round
         * take it, and the bursts on its links in the rounds each copy's shares cross them.
         */
        private ShareBounds shareRoundBounds(List<Integer> senders, int rounds) {
            if (shareRounds == null) {
                shareRounds = ShareRounds.of(network, graph);
            }
            Map<Integer, RouteWalker.Walk> walks = new HashMap<>();
            Map<RouteWalker.LinkUse, RoundOverlap> onLink = new HashMap<>();
            Map<Integer, RoundOverlap> toCore = new HashMap<>();
            for (int k = 0; k < rounds; k++) {
                for (int v : senders) {
                    OutgoingPartition p = shareRounds.partition(v, k);
                    if (p == null) {
                        continue;
                    }
                    RouteWalker.Walk walk = walks.computeIfAbsent(p.id(),
                            id -> walker.walk(placements.of(v).chip(), keys.of(id).key()));
                    for (RouteWalker.LinkUse link : walk.links()) {
                        onLink.computeIfAbsent(link, l -> new RoundOverlap()).add(v, k, 1);
                    }
                    for (CoreLocation core : walk.cores()) {
                        toCore.computeIfAbsent(vertexAt.get(core), r -> new RoundOverlap()).add(v, k, 1);
                    }
                }
            }
            long receiverBound = 0;
            for (Map.Entry<Integer, RoundOverlap> e : toCore.entrySet()) {
                receiverBound = Math.max(receiverBound,
                        e.getValue().most() * receiveCycles(graph.vertex(e.getKey()), Phase.SHARE));
            }
            long linkBound = 0;
            for (RoundOverlap link : onLink.values()) {
                linkBound = Math.max(linkBound, link.most() * timing.linkClocks());
            }
            return new ShareBounds(receiverBound, linkBound,
                    new LinkBursts(onLink.values(), timing.linkClocks(), DEFAULT_LINK_QUEUE));
        }

        /**
         * Schedules a planned window from {@link #windowEnd}: each sender sends a packet per
         * {@code between}, the senders staggered across one {@code round} (at most {@code between}).
         */
        private void place(WindowPlan w, long between, long round) {
            CoreSlot[] into = slots.get(w.phase());
            long betweenCores = Math.max(1, round / w.senders().size());
            long start = windowEnd;
            for (int i = 0; i < w.senders().size(); i++) {
                into[w.senders().get(i)] = new CoreSlot(w.stage(), i, start + i * betweenCores, between,
                        w.packetsOf().get(i));
            }
            long window = between * (w.maxPackets() - 1) + betweenCores * w.senders().size();
            stages.add(new TdmaSchedule.Stage(w.stage(), w.phase(), start, window, between, betweenCores,
                    w.senders().size(), w.boundBy()));
            windowEnd = start + (round == between ? length(w, between) : w.end(between, round));
        }

        /**
         * A plain dense block's rows in a forward window: per sender, the block's row its first packet carries (its
         * k-th packet carries the k-th row after it), and the cycles of one row. The block multiplies its rows in
         * order, so the rows of a sender whose packets come in between an earlier sender's (several sources of one
         * row slice, or reduces gathered for the block's rows) wait until every earlier row is in: on the softmax
         * network's 664-core slicing (two sources per input row slice) a layer-0 block filed 17 rows from its second
         * source and multiplied them after the first source's last row, 7,258 clocks that the window did not allow,
         * and every later window missed its slots. {@link RowOrder#NONE} for any other receiver (an s16.15 block
         * files each word as it arrives: its exact sums do not depend on the order), or if the window does not
         * bring each of the block's rows once.
         */
        private RowOrder rowsInOrder(int receiver, Phase phase, Map<Integer, Integer> packetsFrom) {
            MachineVertex v = graph.vertex(receiver);
            if (phase != Phase.FORWARD || !multipliesRowsInOrder(network, v)) {
                return RowOrder.NONE;
            }
            Map<Integer, Integer> firstRow = new HashMap<>();
            int rows = 0;
            for (Map.Entry<Integer, Integer> e : packetsFrom.entrySet()) {
                Slice from = graph.vertex(e.getKey()).cols();
                int lo = Math.max(from.lo(), v.rows().lo());
                int hi = Math.min(from.hi(), v.rows().hi());
                if (hi - lo != e.getValue()) {
                    return RowOrder.NONE;
                }
                firstRow.put(e.getKey(), lo - v.rows().lo());
                rows += hi - lo;
            }
            return rows == v.rows().size() ? new RowOrder(firstRow, v.rows().size(), cost.rowCycles(v))
                    : RowOrder.NONE;
        }

        /**
         * Cycles a receiver spends on one packet of a window: the packet, and in a forward window the
         * row a block multiplies in with it (its rows come in order, from one sender or from senders
         * staggered in row order), so a window feeds a block no faster than it multiplies; in a backward window the
         * backward packet's ({@link CoreCostModel#backwardPacketCycles}: an s16.15 core's word its own figure). A
         * label, sent in a forward window, is charged as a forward value (no less than its filing).
         */
        private long receiveCycles(MachineVertex receiver, Phase phase) {
            return switch (phase) {
                case FORWARD -> cost.forwardPacketCycles(receiver, network.dropout(receiver.layer()));
                case NORM -> cost.normPacketCycles();
                case BATCH_NORM -> cost.batchNormPartialCycles();
                case SHARE -> cost.sharePacketCycles();
                case PARAM -> cost.paramPacketCycles();
                case SYNC -> cost.packetCycles(receiver);
                case BACKWARD_SYNC, BACKWARD -> cost.backwardPacketCycles(receiver);
            };
        }

        private static boolean contains(Slice outer, Slice inner) {
            return outer.lo() <= inner.lo() && inner.hi() <= outer.hi();
        }

        private ActivationKind activation(MachineVertex v) {
            return v.activates() ? network.layers().get(v.layer()).activation().kind() : ActivationKind.IDENTITY;
        }

        /**
         * How pipelined samples share the machine: by modulo scheduling. Windows of different samples run at once
         * (in training, forward and backward windows alike), so each window, in the order of the step, is placed
         * (sample k's windows at those offsets plus k periods) where, folded modulo the period, the windows
         * already placed leave room for it on every link and receiving core it uses: the rates of the windows
         * that overlap there, modulo the period, its own included, add up to at most the sending fraction. It
         * sends at its fastest or somewhat slower ({@link #slot}), whichever ends soonest (in inference, then,
         * whichever lets the step end soonest: {@code Run.shortenStep}), opening when its senders
         * are ready or later, when the room is there; if it finds room nowhere within a period, the period is
         * too short and a longer one is tried. The period is at least as long as a window takes to be handled by
         * its receivers
         * (a core handles one sample's packets of a window before the next sample's) and, when they exchange a
         * softmax, for their exchange (which refuses new data); a core's work for one sample (its receiving,
         * its forward completion and, in training, its backward work) over the sending fraction; and each link's
         * and receiving core's use per sample over the sending fraction.
         *
         * <p>In training a core also does the other pass's work for other samples. As with spin1's
         * callback priorities, receiving packets and the forward pass are foreground work, and the
         * backward pass is background work that runs only while no foreground work is pending and
         * that any packet preempts (see docs/machine-model.md). A core's forward sends are thus held
         * up by no more than one piece of the other pass's foreground work (receiving a backward
         * packet); its backward work by the foreground work that preempts it, so each backward window
         * (and softmax exchange, which the period then covers) opens that much later
         * ({@link #preempted}). Each window sends slowly enough that its receivers' queues hold what
         * arrives during their longest piece of foreground work for the other pass, and a window's
         * sample may fall behind its slots by every earlier forward window's senders' longest such piece,
         * added up over the forward pass (a backward window opens late enough for its senders' piece, so it
         * adds none): the period covers each window's length plus that much, so that no receiver
         * gets a sample's packets of a window before it has all of the previous sample's. A late window
         * may overlap another window of its links and receivers by as much, which only holds packets longer in
         * their queues (a receive queue that overflowed would lose a packet and fail the run, never change a
         * result), so windows are placed by their lengths on time: reserving each window's slip as well would
         * cost MNIST's training 7 % of its period and no overrun is measured without it.
         */
        private final class Pipelining {
            private final Map<WindowPlan, Long> between = new IdentityHashMap<>();
            /**
             * What each window needs of the period beyond {@link #periodNeeded}: how far behind its slots its sample
             * may fall, and the preemption of a backward softmax exchange after it.
             */
            private final Map<WindowPlan, Long> beyond = new IdentityHashMap<>();
            /** Each training core's share of time in foreground work, if every window it receives in ran at once. */
            private final Map<Integer, Double> foregroundLoad = new HashMap<>();
            /** Per softmax exchange: {@link #otherPass}, which the layout asks for again for every step of it. */
            private final Map<WindowPlan, OtherPass> otherPass = new IdentityHashMap<>();
            /** Each core's cycles receiving one sample's packets. */
            private final Map<Integer, Long> busy = new HashMap<>();
            /** The windows placed so far on each link and receiving core, for the period being tried. */
            private final Map<Object, List<Use>> uses = new HashMap<>();
            /** Per values window placed so far, in the step's order: which of its slots ({@link #slot}) it took. */
            private final List<Integer> taken = new ArrayList<>();
            /** Per values window placed so far: how many slots it had to choose from. */
            private final List<Integer> offered = new ArrayList<>();
            /** The values windows placed so far, in the step's order. */
            private final List<WindowPlan> placed = new ArrayList<>();
            /** The values window that found no room in the layout under way, if one did. */
            private WindowPlan unplaced;
            /** Per values window placed so far: how long after its senders were ready it opened. */
            private final List<Long> waits = new ArrayList<>();
            /** Which slot each of the first windows placed must take; the later ones take the one that ends first. */
            private List<Integer> prescribed = List.of();
            /** A window whose senders are ready this late finds no slot: the layout could not beat one found before. */
            private long giveUpAt = Long.MAX_VALUE;
            private long period = 1;
            private long modulus = 1;
            /** The layout under way's {@link #EXCHANGE_SHARES} figure. */
            private double exchangeShare = SENDING_FRACTION;

            Pipelining(List<List<StagePlan>> passes) {
                long slip = 0;
                for (List<StagePlan> plans : passes) {
                    for (StagePlan p : plans) {
                        WindowPlan w = p.values();
                        if (w == null) {
                            continue;
                        }
                        long fastest = w.between();
                        if (network.trains()) {
                            for (ReceiverLoad r : w.receivers()) {
                                fastest = Math.max(fastest, (long) Math.ceil((double) r.senderIndex().length
                                        * otherPassForeground(r.receiver(), w.phase()) / receiveQueue));
                            }
                            if (!w.phase().backward()) {
                                slip += w.senders().stream().mapToLong(v -> otherPassForeground(v, w.phase())).max()
                                        .orElse(0);
                            }
                        }
                        between.put(w, fastest);
                        beyond.put(w, slip);
                        period = Math.max(period, periodNeeded(plans, p.index(), fastest) + slip);
                        w.receiverBusy().forEach((r, cycles) -> busy.merge(r, cycles, Long::sum));
                    }
                }
                Map<Object, Double> occupied = new HashMap<>();
                between.forEach((w, fastest) -> {
                    long length = length(w, fastest);
                    w.resources().forEach((resource, demand) -> occupied.merge(resource,
                            (double) demand / fastest * length, Double::sum));
                });
                for (double use : occupied.values()) {
                    period = Math.max(period, (long) Math.ceil(use / SENDING_FRACTION));
                }
                if (network.trains()) {
                    for (List<StagePlan> plans : passes) {
                        for (StagePlan p : plans) {
                            WindowPlan w = p.values();
                            if (w != null) {
                                w.receiverBusy().keySet().forEach(r -> foregroundLoad.merge(r,
                                        (double) w.resources().get(r) / between.get(w), Double::sum));
                            }
                        }
                    }
                    // a backward softmax exchange opens once its cores' dots, preemptible too, are done
                    List<StagePlan> backward = passes.get(passes.size() - 1);
                    for (int s = 0; s + 1 < backward.size(); s++) {
                        StagePlan next = backward.get(s + 1);
                        WindowPlan w = backward.get(s).values();
                        if (w != null && next.sync() != null) {
                            beyond.merge(w, preempted(next.sync(), next.before()), Long::sum);
                            period = Math.max(period, periodNeeded(backward, s, between.get(w)) + beyond.get(w));
                        }
                    }
                }
                for (MachineVertex v : graph.vertices()) {
                    long work = busy.getOrDefault(v.id(), 0L) + ownWork(v);
                    period = Math.max(period, (long) Math.ceil(work / SENDING_FRACTION));
                    if (graph.sdramWords(v.id()) > 0 || v.sdramPartials()) {
                        // a chip's SDRAM carries its readers' words of one sample a period, and its blocks' partial
                        // sums written and read back
                        ChipLocation chip = placements.of(v.id()).chip();
                        period = Math.max(period, timing.sdramClocks(sdramWordsOn(chip) + partialWordsOn(chip)));
                    }
                }
            }

            long between(WindowPlan w) {
                return between.get(w);
            }


            /**
             * Forgets the windows placed so far, to place them again with samples starting every {@code period}, the
             * first windows taking the {@code prescribed} slots, and none whose senders are ready at
             * {@code giveUpAt} or later finding one.
             */
            void restart(long period, List<Integer> prescribed, long giveUpAt) {
                modulus = period;
                uses.clear();
                taken.clear();
                offered.clear();
                placed.clear();
                unplaced = null;
                waits.clear();
                this.prescribed = prescribed;
                this.giveUpAt = giveUpAt;
            }

            /** Keeps window {@code w}'s links and receivers for its {@code slot}, modulo the period. */
            void occupy(WindowPlan w, Slot slot) {
                long end = slot.start() + slot.length();
                w.resources().forEach((resource, demand) -> uses.computeIfAbsent(resource, r -> new ArrayList<>())
                        .add(new Use(slot.start(), end, (double) demand / slot.between())));
            }

            /**
             * When and how fast stage {@code s}'s values window sends, its senders ready at {@code ready}: at its
             * fastest or up to 3 times slower in steps of {@link #PACE_STEPS} (each as long as one sample's window
             * still fits the period), from the earliest time it fits beside the windows placed so far; of these, the one that ends
             * first, or the one {@link #restart} prescribed. Null if none fits within a period.
             */
            Slot slot(List<StagePlan> plans, int s, long ready) {
                if (ready >= giveUpAt) {
                    return null;
                }
                WindowPlan w = plans.get(s).values();
                List<Slot> options = new ArrayList<>();
                int first = -1;
                for (int steps = PACE_STEPS; steps <= 3 * PACE_STEPS; steps++) {
                    long slower = between(w) * steps / PACE_STEPS;
                    if (periodNeeded(plans, s, slower) + beyond.get(w) > modulus) {
                        break;
                    }
                    long length = length(w, slower);
                    long start = freeFrom(w, slower, length, ready);
                    if (start >= 0) {
                        if (first < 0 || start + length < options.get(first).start() + options.get(first).length()) {
                            first = options.size();
                        }
                        options.add(new Slot(start, slower, length));
                    }
                }
                int pick = taken.size() < prescribed.size() ? prescribed.get(taken.size()) : first;
                if (pick < 0 || pick >= options.size()) {
                    unplaced = options.isEmpty() ? w : null;
                    return null;
                }
                taken.add(pick);
                placed.add(w);
                offered.add(options.size());
                waits.add(options.get(pick).start() - ready);
                return options.get(pick);
            }

            /**
             * The earliest time at or after {@code ready} from which window {@code w}, sending a packet per
             * {@code between} for {@code length} clocks, fits beside the windows placed so far, modulo the period: on
             * each of its links and receivers their rates and its own add up to at most the sending fraction; -1 if it
             * fits nowhere within a period.
             */
            private long freeFrom(WindowPlan w, long between, long length, long ready) {
                for (long t = ready; t < ready + modulus;) {
                    long next = t;
                    for (Map.Entry<Object, Long> e : w.resources().entrySet()) {
                        next = Math.max(next, blockedUntil(uses.getOrDefault(e.getKey(), List.of()), t, length,
                                (double) e.getValue() / between));
                    }
                    if (next == t) {
                        return t;
                    }
                    t = next;
                }
                return -1;
            }

            /**
             * {@code from} if a use of {@code rate} over {@code length} clocks from {@code from} fits beside
             * {@code placed} (folded modulo the period), else the earliest time one of the placed uses it overlaps
             * ends (no start before that fits).
             */
            private long blockedUntil(List<Use> placed, long from, long length, double rate) {
                long to = from + length;
                double most = rate;
                for (Use u : placed) {
                    if (overlaps(u, from, to)) {
                        most += u.rate();
                    }
                }
                if (most <= SENDING_FRACTION + 1e-9) {
                    return from; // even all of them at once leave room
                }
                List<long[]> edges = new ArrayList<>();
                List<Double> rates = new ArrayList<>();
                long firstEnd = Long.MAX_VALUE;
                for (Use u : placed) {
                    for (long k = Math.floorDiv(from - u.end(), modulus) + 1; u.start() + k * modulus < to; k++) {
                        long s = u.start() + k * modulus;
                        long e = u.end() + k * modulus;
                        firstEnd = Math.min(firstEnd, e);
                        edges.add(new long[] {Math.max(s, from), 1, rates.size()});
                        edges.add(new long[] {Math.min(e, to), 0, rates.size()});
                        rates.add(u.rate());
                    }
                }
                // ends before starts at the same time: the uses are half-open
                edges.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
                double load = rate;
                for (long[] edge : edges) {
                    load += edge[1] == 1 ? rates.get((int) edge[2]) : -rates.get((int) edge[2]);
                    if (load > SENDING_FRACTION + 1e-9) {
                        return firstEnd;
                    }
                }
                return from;
            }

            /** Whether use {@code u}, repeated every period, overlaps the time from {@code from} to {@code to}. */
            private boolean overlaps(Use u, long from, long to) {
                long k = Math.floorDiv(from - u.end(), modulus) + 1;
                return u.start() + k * modulus < to;
            }

            /**
             * How long a softmax stage's cores ({@code sync}'s senders, which are its receivers too) take for a step
             * of {@code work} while the other pass's windows of other samples keep them receiving (training): longer
             * by 1 over the share of their time those windows, at their pace, leave them (taking at most
             * {@link #exchangeShare} of it), and by the longest a
             * packet of those windows may wait in their queues (staggered senders that reach a core one after the
             * other send it a burst), which the step's last input may wait too.
             */
            long softmaxStep(WindowPlan sync, long work) {
                OtherPass other = otherPass.computeIfAbsent(sync, this::otherPass);
                return (long) Math.ceil(work / (1 - Math.min(other.busiest(), exchangeShare))) + other.queued();
            }

            /**
             * When the softmax exchange {@code sync}, its senders ready at {@code ready}, starts: where the other
             * pass's windows could take more of its cores' time than {@link #exchangeShare}, at the earliest time
             * from which it may keep the rest of their sending fraction from {@code lead} clocks after its start
             * for {@code length} clocks, modulo the period (it then keeps it, so the windows placed after it leave
             * its cores what {@link #softmaxStep} counts on); else when ready, and then it keeps, on its cores, room
             * for the packets of its rounds after its last step but one (forward, the sums' round, from its
             * exponentials to its division; backward, both rounds, from its start to its deltas), so that a window
             * of the other pass placed after it does not delay them (the seed network's NEURON_PER_CORE training had
             * 236 overruns). Forward, it notes its {@code steps}
             * (from {@code lead} clocks after its start) as its cores' foreground work. Backward, its one step (the
             * deltas, background work that those forward steps hold up while they run) goes clear of the forward
             * steps on its cores, modulo the period, if the period has room for that and it ends the deltas no
             * later than their being held up where the exchange first fits would ({@link #heldUp}); else there,
             * and the layout lengthens the deltas by as much. -1 if it fits nowhere within a period.
             */
            long exchangeRoom(WindowPlan sync, long ready, long lead, long length, List<Step> steps) {
                boolean keeps = exchangeShare < SENDING_FRACTION
                        && otherPass.computeIfAbsent(sync, this::otherPass).busiest() > exchangeShare;
                if (keeps && length > modulus) {
                    return -1;
                }
                boolean backward = sync.phase().backward();
                long t = exchangeRoom(sync, ready + lead, length, keeps, List.of());
                if (backward && t >= 0) {
                    // clear of the forward steps if that ends the deltas no later than their being held up would
                    Step deltas = steps.get(0);
                    long clear = exchangeRoom(sync, ready + lead, length, keeps, steps);
                    if (clear >= 0 && clear <= t + heldUp(sync, t + deltas.offset(), deltas.clocks())) {
                        t = clear;
                    }
                }
                if (t < 0) {
                    return -1;
                }
                long start = t;
                for (int v : sync.senders()) {
                    if (keeps) {
                        uses.computeIfAbsent(v, r -> new ArrayList<>())
                                .add(new Use(start, start + length, SENDING_FRACTION - exchangeShare));
                    } else if (network.trains()) {
                        // its rounds' packets after its last step but one, at the pace its senders send them
                        Step last = steps.get(steps.size() - 1);
                        Step previous = steps.size() > 1 ? steps.get(steps.size() - 2) : null;
                        long from = previous == null ? start : start + previous.offset() + previous.clocks();
                        uses.computeIfAbsent(v, r -> new ArrayList<>()).add(new Use(from, start + last.offset(),
                                (double) sync.resources().getOrDefault(v, 0L) / sync.between()));
                    }
                    for (Step step : backward ? List.<Step>of() : steps) {
                        uses.computeIfAbsent(new ForwardSteps(v), r -> new ArrayList<>())
                                .add(new Use(start + step.offset(), start + step.offset() + step.clocks(), 0));
                    }
                }
                return start - lead;
            }

            /**
             * The earliest time at or after {@code from}, within a period, from which an exchange fits for
             * {@code length} clocks: keeping the rest of its cores' sending fraction if it {@code keeps} it, and its
             * steps {@code clear} of the forward steps on its cores; -1 if none.
             */
            private long exchangeRoom(WindowPlan sync, long from, long length, boolean keeps, List<Step> clear) {
                for (long t = from; t < from + modulus;) {
                    long next = t;
                    for (int v : sync.senders()) {
                        if (keeps) {
                            next = Math.max(next, blockedUntil(uses.getOrDefault(v, List.of()), t, length,
                                    SENDING_FRACTION - exchangeShare));
                        }
                        for (Step step : clear) {
                            next = Math.max(next, t + forwardStepsLeft(v, t + step.offset(), step.clocks()));
                        }
                    }
                    if (next == t) {
                        return t;
                    }
                    t = next;
                }
                return -1;
            }

            /**
             * How much later than {@code from} a step of {@code length} clocks must start on core {@code v} to start
             * after every forward step it meets there, modulo the period, ends; 0 if it meets none.
             */
            private long forwardStepsLeft(int v, long from, long length) {
                long later = 0;
                for (Use u : uses.getOrDefault(new ForwardSteps(v), List.of())) {
                    for (long k = Math.floorDiv(from - u.end(), modulus) + 1; u.start() + k * modulus < from + length;
                            k++) {
                        later = Math.max(later, u.end() + k * modulus - from);
                    }
                }
                return later;
            }

            /**
             * How much longer than {@code clocks} a backward exchange's deltas step from {@code from} takes: it waits
             * for as much of its cores' forward steps as it meets, itself up to their length.
             */
            long heldUp(WindowPlan sync, long from, long clocks) {
                long steps = forwardSteps(sync);
                long held = 0;
                for (long more = -1; more != held;) {
                    more = held;
                    held = Math.min(steps, forwardStepsMet(sync, from, from + clocks + more));
                }
                return held;
            }

            /**
             * How long a backward exchange's cores ({@code sync}'s senders) may do forward softmax steps for another
             * sample between {@code from} and {@code to}, modulo the period, at most: the longest the forward steps,
             * as laid out, overlap that time on one of them.
             */
            private long forwardStepsMet(WindowPlan sync, long from, long to) {
                long most = 0;
                for (int v : sync.senders()) {
                    long met = 0;
                    for (Use u : uses.getOrDefault(new ForwardSteps(v), List.of())) {
                        for (long k = Math.floorDiv(from - u.end(), modulus) + 1; u.start() + k * modulus < to; k++) {
                            met += Math.min(u.end() + k * modulus, to) - Math.max(u.start() + k * modulus, from);
                        }
                    }
                    most = Math.max(most, met);
                }
                return most;
            }

            /** What the other pass's windows give {@code sync}'s cores to receive: see {@link #softmaxStep}. */
            private OtherPass otherPass(WindowPlan sync) {
                double busiest = 0;
                long queued = 0;
                for (int v : sync.senders()) {
                    double share = 0;
                    long wait = 0;
                    for (Map.Entry<WindowPlan, Long> e : between.entrySet()) {
                        WindowPlan w = e.getKey();
                        if (w.phase().backward() == sync.phase().backward()) {
                            continue;
                        }
                        for (ReceiverLoad r : w.receivers()) {
                            if (r.receiver() == v) {
                                share += (double) w.resources().get(v) / e.getValue();
                                wait += r.longestWait(Math.max(1, e.getValue() / w.senders().size()));
                            }
                        }
                    }
                    busiest = Math.max(busiest, share);
                    queued = Math.max(queued, wait);
                }
                return new OtherPass(busiest, queued);
            }

            /**
             * The longest piece of foreground work a training core does for another sample's other pass
             * while a {@code phase} window runs, keeping it from the window's packets: receiving a backward
             * packet during a forward window; its forward completion, or a row multiplied in, during a
             * backward window (a block that reads its input from SDRAM: all a sample's reads' rows, which the
             * core takes one after another ahead of its queued packets, and its completion with the last). Its
             * backward work runs in the background and keeps it from nothing.
             */
            private long otherPassForeground(int v, Phase phase) {
                MachineVertex vertex = graph.vertex(v);
                if (!phase.backward()) {
                    return cost.backwardPacketCycles(vertex);
                }
                long piece = Math.max(cost.completionCycles(vertex, activation(vertex)),
                        cost.forwardPacketCycles(vertex, network.dropout(vertex.layer())));
                if (graph.readsInputFromSdram(v)) {
                    // a sample's reads of rows from SDRAM: their DMAs end together and the core runs them before the
                    // packets its queue holds, one after another, the last completing the block
                    piece = inputReadWork(vertex) + cost.completionCycles(vertex, activation(vertex));
                }
                return piece;
            }

            /**
             * How much later than after {@code work} the senders of backward window {@code w} may have
             * done their work for a sample: one piece of foreground work under way when the work is ready,
             * and the foreground work that preempts it, at most {@code work·u / (1 - u)} for a core whose
             * share of time in foreground work is {@code u} (at most the sending fraction), and at most one
             * sample's foreground work (its packets and its forward completion: in steady state no stretch
             * of time no longer than a period brings a core more, and its work for a sample fits the period).
             */
            long preempted(WindowPlan w, long work) {
                long most = 0;
                for (int v : w.senders()) {
                    MachineVertex vertex = graph.vertex(v);
                    double u = Math.min(foregroundLoad.getOrDefault(v, 0.0), SENDING_FRACTION);
                    long foreground = busy.getOrDefault(v, 0L)
                            + cost.forwardWorkCycles(vertex, activation(vertex), graph.splitsSoftmax(v));
                    most = Math.max(most, otherPassForeground(v, Phase.BACKWARD)
                            + Math.min(foreground, (long) Math.ceil(work * u / (1 - u))));
                }
                return most;
            }
        }
    }

    /**
     * Where a values window goes in the step: from {@code start}, a packet per {@code between}, its links and receivers
     * kept {@code length}.
     */
    private record Slot(long start, long between, long length) {
    }

    /**
     * The other pass's windows seen from a softmax exchange's cores: the largest share of its time one of them spends
     * receiving their packets ({@code busiest}), and the longest one of those packets may wait in its queue.
     */
    private record OtherPass(double busiest, long queued) {
    }

    /** A softmax core's forward steps (foreground work), as a key of {@code Pipelining}'s uses. */
    private record ForwardSteps(int vertex) {
    }

    /** A softmax exchange's step: {@code clocks} of work from {@code offset} clocks after the exchange's start. */
    private record Step(long offset, long clocks) {
    }

    /** A window's use of a link or receiving core, from {@code start} to {@code end}, at {@code rate} of its time. */
    private record Use(long start, long end, double rate) {
    }

    /**
     * A stage of one pass: its members' longest work before its windows ({@code before}), between the rounds of its
     * softmax exchange ({@code between}) and after the exchange ({@code after}), its softmax exchange window and its
     * values window.
     */
    private record StagePlan(int index, long before, long between, long after, WindowPlan sync, WindowPlan values) {

        /** This plan with another values window. */
        StagePlan withValues(WindowPlan other) {
            return new StagePlan(index, before, between, after, sync, other);
        }

        /**
         * The time between the exchange's rounds: forward, until every receiver has handled the local maxima and
         * done its exponentials; backward the exchange has one round.
         */
        long exchangeBetween() {
            return sync.exchangeBetween(between);
        }

        /** Backward: the stage's longest backward work before its values window (a split softmax's after its exchange). */
        long backwardWork() {
            return Math.max(before, after);
        }
    }

    /**
     * A SHARE window's bounds ({@code Run.shareRoundBounds}): an owner's most cycles on one round's shares, a link's
     * most clocks for one round's packets, and the bursts on its links round by round.
     */
    private record ShareBounds(long receiver, long link, LinkBursts bursts) {
    }

    /**
     * One window's senders and what they load, before it is placed in time: the packets of each
     * sender, the fastest period between sends ({@code between}) and what bounds it, the clocks a
     * packet takes from its sender to its receiver's queue at most ({@code latency}) and, per sender, behind the
     * window's other packets on its links at most ({@code linkWaits}), the clocks one
     * packet from each of its senders takes on each receiving core (keyed by vertex id) and link
     * ({@code resources}), what each receiving core gets from whom ({@code receivers}), and each
     * receiving core's cycles for all it gets per sample ({@code receiverBusy}).
     */
    private record WindowPlan(int stage, Phase phase, List<Integer> senders, List<Integer> packetsOf, int maxPackets,
            long between, String boundBy, long latency, long[] linkWaits, Map<Object, Long> resources,
            List<ReceiverLoad> receivers, Map<Integer, Long> receiverBusy) {

        /** This window with its packets {@code clocks} later on their way. */
        WindowPlan later(long clocks) {
            return new WindowPlan(stage, phase, senders, packetsOf, maxPackets, between, boundBy, latency + clocks,
                    linkWaits, resources, receivers, receiverBusy);
        }

        /**
         * The time between a softmax exchange's rounds (each core's local max, then its local sum):
         * until every receiver has handled the first round's packets, then the {@code work} that makes
         * the next round's packet.
         */
        long exchangeBetween(long work) {
            return Math.max(between, firstRoundHandled() + work);
        }

        /** Clocks from a softmax exchange's start until every receiver has handled its first round's packets. */
        long firstRoundHandled() {
            return handled(between, between, 1);
        }

        /**
         * Clocks from the window's start until every receiver has handled its last packet, when each
         * sender sends a packet per {@code between} and the senders are staggered across one
         * {@code round}.
         */
        long end(long between, long round) {
            long betweenCores = Math.max(1, round / senders.size());
            return Math.max(between * (maxPackets - 1) + betweenCores * senders.size(),
                    handled(between, round, maxPackets));
        }

        /**
         * Clocks from the window's start until every receiver has handled the packets of the first
         * {@code rounds} rounds: each receiver's queue played through, packet by packet.
         */
        private long handled(long between, long round, int rounds) {
            long betweenCores = Math.max(1, round / senders.size());
            long end = 0;
            for (ReceiverLoad r : receivers) {
                end = Math.max(end, r.handled(between, betweenCores, rounds, latency, linkWaits));
            }
            return end;
        }
    }

    /**
     * How a dense block multiplies in the rows a window brings it ({@code Run.rowsInOrder}): per sender vertex, the
     * block's row its first packet carries; the block's rows; the cycles of one row. {@link #NONE}: the receiver
     * handles each packet whole as it comes.
     */
    private record RowOrder(Map<Integer, Integer> firstRow, int rows, long rowCycles) {

        static final RowOrder NONE = new RowOrder(Map.of(), 0, 0);
    }

    /**
     * What one receiving core (vertex {@code receiver}) gets in a window: from the senders at these positions of the
     * window's sender list (ascending), this many packets each from this round on, crossing this many links to it at
     * the fewest ({@code hops}), each taking it {@code packetCycles}.
     */
    private record ReceiverLoad(int receiver, int[] senderIndex, int[] firstRound, int[] packets, int[] hops,
            int rounds, long packetCycles, int[] firstRow, int rows, long rowCycles) {

        /**
         * Clocks from the window's start until this receiver has handled the packets of the first {@code rounds}
         * rounds, its queue played through packet by packet (sender j's packets in the rounds from its
         * {@code firstRound} on, the one of round q arriving {@code q * between + j * betweenCores} after the start,
         * its way and waits on links later): each packet whole, or, for a block
         * fed rows out of order ({@code firstRow}), each packet filed and then every row from the next it has not
         * multiplied whose row is in.
         */
        long handled(long between, long betweenCores, int rounds, long latency, long[] linkWaits) {
            boolean[] filed = firstRow == null ? null : new boolean[rows];
            int next = 0;
            long busyUntil = 0;
            for (int q = 0; q < Math.min(rounds, this.rounds); q++) {
                for (int j = 0; j < senderIndex.length; j++) {
                    if (q >= firstRound[j] && q < firstRound[j] + packets[j]) {
                        long arrival = q * between + senderIndex[j] * betweenCores + latency
                                + linkWaits[senderIndex[j]];
                        if (filed == null) {
                            busyUntil = Math.max(busyUntil, arrival) + packetCycles;
                            continue;
                        }
                        busyUntil = Math.max(busyUntil, arrival) + packetCycles - rowCycles;
                        filed[firstRow[j] + q - firstRound[j]] = true;
                        while (next < rows && filed[next]) {
                            busyUntil += rowCycles;
                            next++;
                        }
                    }
                }
            }
            return busyUntil;
        }

        /**
         * The longest one round's packet waits in the receiver's queue, its own handling included, when the senders
         * send them {@code betweenCores} apart in their order.
         */
        long longestWait(long betweenCores) {
            long busyUntil = 0;
            long wait = 0;
            for (int index : senderIndex) {
                long arrival = index * betweenCores;
                busyUntil = Math.max(busyUntil, arrival) + packetCycles;
                wait = Math.max(wait, busyUntil - arrival);
            }
            return wait;
        }

        static ReceiverLoad of(int receiver, List<Integer> senders, Map<Integer, Integer> packetsFrom,
                Map<Integer, Integer> hopsFrom, RoundOverlap rounds, long packetCycles, RowOrder order) {
            int[] index = new int[packetsFrom.size()];
            int[] first = new int[index.length];
            int[] packets = new int[index.length];
            int[] hops = new int[index.length];
            int[] firstRow = order == RowOrder.NONE ? null : new int[index.length];
            int n = 0;
            int lastRound = 0;
            for (int i = 0; i < senders.size(); i++) {
                Integer got = packetsFrom.get(senders.get(i));
                if (got != null) {
                    if (firstRow != null) {
                        firstRow[n] = order.firstRow().get(senders.get(i));
                    }
                    index[n] = i;
                    hops[n] = hopsFrom.get(senders.get(i));
                    first[n] = rounds.firstRound(senders.get(i));
                    packets[n++] = got;
                    lastRound = Math.max(lastRound, first[n - 1] + got);
                }
            }
            return new ReceiverLoad(receiver, index, first, packets, hops, lastRound, packetCycles, firstRow,
                    order.rows(), order.rowCycles());
        }
    }

    /**
     * Whether {@code v} is a plain float32 dense block, which multiplies its rows in order of index as each and every
     * row before it are in (a convolution's, a pooling block and a 2-D convolution's row block handle their packets
     * otherwise, and an s16.15 block files each word as it arrives, its exact sums not depending on the
     * order): a row that comes in before an earlier one waits, filed.
     */
    static boolean multipliesRowsInOrder(NetworkSpec network, MachineVertex v) {
        return v.kind() == VertexKind.DENSE_BLOCK && v.arithmetic() == Arithmetic.FLOAT32 && v.rowBlock() == null
                && v.pooling() == null
                && network.layers().get(v.layer()).convolution() == null
                && network.layers().get(v.layer()).pooling() == null;
    }

    /**
     * Forward stage of every vertex: 0 for vertices no forward or label partition reaches, else
     * one more than its deepest sender. A label source sends in the window that brings its targets their inputs
     * (the stage before theirs), whose receive queues then count its labels (sent earlier, a later sample's labels
     * land in another sample's window, unplanned), unless that stage's senders send fewer packets each than it
     * does: then in the latest earlier stage whose senders send as many, else the one whose senders send the most,
     * so its labels lengthen no window (ten labels in a window of a few values each would take ten rounds).
     */
    public static int[] stages(MachineGraph graph) {
        int[] stage = new int[graph.vertices().size()];
        List<Integer> labelSources = new ArrayList<>();
        for (int v = 0; v < stage.length; v++) {
            if (graph.vertex(v).kind() == VertexKind.LABEL_SOURCE) {
                labelSources.add(v);
                continue;
            }
            for (OutgoingPartition p : graph.outgoing(v)) {
                if (p.kind() != PartitionKind.FORWARD) {
                    continue;
                }
                for (int t : p.targets()) {
                    if (t <= v) {
                        throw new IllegalStateException("forward partition " + p.id() + " goes from vertex " + v
                                + " back to " + t + "; vertices must be in data-flow order");
                    }
                    stage[t] = Math.max(stage[t], stage[v] + 1);
                }
            }
        }
        if (labelSources.isEmpty()) {
            return stage;
        }
        int[] rounds = new int[Arrays.stream(stage).max().orElse(0) + 1];
        for (int v = 0; v < stage.length; v++) {
            rounds[stage[v]] = Math.max(rounds[stage[v]], graph.outgoing(v).stream()
                    .filter(p -> p.kind() == PartitionKind.FORWARD).mapToInt(OutgoingPartition::packets).sum());
        }
        for (int v : labelSources) {
            int targetStage = Integer.MAX_VALUE;
            int packets = 0;
            for (OutgoingPartition p : graph.outgoing(v)) {
                packets += p.packets();
                for (int t : p.targets()) {
                    targetStage = Math.min(targetStage, stage[t]);
                }
            }
            int best = Math.max(0, targetStage - 1);
            for (int s = best; s >= 0 && rounds[best] < packets; s--) {
                best = rounds[s] > rounds[best] ? s : best;
            }
            stage[v] = best;
        }
        return stage;
    }

    /**
     * Backward stage of every vertex: the output layer's activating cores start the backward
     * pass (0); a vertex is one more than its deepest sender of deltas or backward partial sums.
     */
    public static int[] backwardStages(MachineGraph graph) {
        int[] stage = new int[graph.vertices().size()];
        for (int v = stage.length - 1; v >= 0; v--) {
            for (OutgoingPartition p : graph.outgoing(v)) {
                if (p.kind() != PartitionKind.DELTA && p.kind() != PartitionKind.BACKWARD) {
                    continue;
                }
                for (int t : p.targets()) {
                    if (t >= v) {
                        throw new IllegalStateException("backward partition " + p.id() + " goes from vertex " + v
                                + " on to " + t + "; vertices must be in data-flow order");
                    }
                    stage[t] = Math.max(stage[t], stage[v] + 1);
                }
            }
        }
        return stage;
    }

}
