package org.spinnaker4j.mapper.tdma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
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
 * the stage's activating cores (if any), then the window of its values. In a window each
 * sender sends one packet every {@code clocksBetweenSends}, the senders staggered
 * {@code clocksBetweenCores} apart. The time between sends is the smallest that keeps every
 * resource within capacity when every sender of the window sends once per period: each
 * receiving core must handle one packet from each of its senders, each link must carry one
 * packet from each sender whose tree crosses it, each core must be able to send; divided by
 * the sending fraction (SFEC's 0.8) for slack; and a core that discards part of what it
 * receives (the baseline's multicast backward pass) may compute in mid-window, so the packets
 * reaching it during that work must fit its receive queue. A window opens when the previous one has
 * closed, its last packets have crossed the machine and the senders have finished computing
 * (from the {@link CoreCostModel}; a softmax core's forward work comes before its synchronisation
 * window, its backward work after it, once every peer's dot is in). So the step length follows
 * from the mapping: the user never tunes a time scale factor.
 */
public final class TdmaScheduler {

    /** SFEC's {@code fraction_of_time_spike_sending}: the share of a period a sender may use. */
    public static final double SENDING_FRACTION = 0.8;
    /** Packets a core's software receive queue holds unless told otherwise (est.; see docs/machine-model.md). */
    public static final int DEFAULT_RECEIVE_QUEUE = 256;

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

    /** The schedule of one mapping; see the class comment for the rules. */
    public TdmaSchedule schedule(NetworkSpec network, MachineGraph graph, Placements placements, RoutingInfo keys,
            Map<ChipLocation, RoutingTable> tables, Machine machine) {
        return new Run(network, graph, placements, keys, new RouteWalker(machine, tables)).schedule();
    }

    /** The state of one scheduling run. */
    private final class Run {
        private final NetworkSpec network;
        private final MachineGraph graph;
        private final Placements placements;
        private final RoutingInfo keys;
        private final RouteWalker walker;
        private final Map<CoreLocation, Integer> vertexAt = new HashMap<>();
        private final Map<Phase, CoreSlot[]> slots = new EnumMap<>(Phase.class);
        private final List<TdmaSchedule.Stage> stages = new ArrayList<>();
        private long windowEnd;

        Run(NetworkSpec network, MachineGraph graph, Placements placements, RoutingInfo keys, RouteWalker walker) {
            this.network = network;
            this.graph = graph;
            this.placements = placements;
            this.keys = keys;
            this.walker = walker;
            int n = graph.vertices().size();
            for (int v = 0; v < n; v++) {
                vertexAt.put(placements.of(v), v);
            }
            for (Phase phase : Phase.values()) {
                CoreSlot[] none = new CoreSlot[n];
                Arrays.fill(none, CoreSlot.SILENT);
                slots.put(phase, none);
            }
        }

        TdmaSchedule schedule() {
            schedulePass(stages(graph), Phase.SYNC, Phase.FORWARD, false);
            if (network.trains()) {
                schedulePass(backwardStages(graph), Phase.BACKWARD_SYNC, Phase.BACKWARD, true);
            }
            Map<Phase, List<CoreSlot>> byPhase = new EnumMap<>(Phase.class);
            slots.forEach((phase, array) -> byPhase.put(phase, Arrays.asList(array)));
            return new TdmaSchedule(byPhase, stages, windowEnd);
        }

        /** The windows of one pass (forward or backward), stage by stage. */
        private void schedulePass(int[] stage, Phase syncPhase, Phase phase, boolean backward) {
            int nStages = Arrays.stream(stage).max().orElse(0) + 1;
            for (int s = 0; s < nStages; s++) {
                List<Integer> members = new ArrayList<>();
                long work = 0;
                long syncWork = 0;
                for (int v = 0; v < stage.length; v++) {
                    if (stage[v] == s) {
                        MachineVertex vertex = graph.vertex(v);
                        ActivationKind activation = activation(vertex);
                        members.add(v);
                        work = Math.max(work, backward
                                ? cost.backwardCycles(vertex, activation, sendsBackward(v))
                                : cost.completionCycles(vertex, activation));
                        syncWork = Math.max(syncWork, (long) vertex.cols().size() * cost.activationCycles(activation));
                    }
                }
                if (sends(members, syncPhase)) {
                    // forward: a core completes, then exchanges its softmax max and sum, then divides;
                    // backward: it exchanges its softmax dot, then does its backward work
                    windowEnd += backward ? syncWork : work;
                    window(s, members, syncPhase);
                    windowEnd += backward ? work : syncWork;
                } else {
                    windowEnd += work;
                }
                window(s, members, phase);
            }
        }

        private boolean sends(List<Integer> members, Phase phase) {
            return members.stream().anyMatch(v -> graph.outgoing(v).stream().anyMatch(p -> phase.packets(p) > 0));
        }

        private boolean sendsBackward(int v) {
            return graph.outgoing(v).stream().anyMatch(p -> p.kind() == PartitionKind.BACKWARD);
        }

        /** Schedules the stage's packets of {@code phase} in one window from {@link #windowEnd}, if it has any. */
        private void window(int s, List<Integer> members, Phase phase) {
            CoreSlot[] into = slots.get(phase);
            List<Integer> senders = new ArrayList<>();
            Map<Integer, Set<Integer>> sendersOfReceiver = new HashMap<>();
            Map<RouteWalker.LinkUse, Set<Integer>> sendersOfLink = new HashMap<>();
            Set<Integer> discarding = new HashSet<>();
            int maxPackets = 0;
            int maxHops = 0;
            for (int v : members) {
                int packets = 0;
                for (OutgoingPartition p : graph.outgoing(v)) {
                    int inPhase = phase.packets(p);
                    if (inPhase == 0) {
                        continue;
                    }
                    packets += inPhase;
                    RouteWalker.Walk walk = walker.walk(placements.of(v).chip(), keys.of(p.id()).key());
                    maxHops = Math.max(maxHops, walk.links().size());
                    for (RouteWalker.LinkUse link : walk.links()) {
                        sendersOfLink.computeIfAbsent(link, l -> new HashSet<>()).add(v);
                    }
                    for (CoreLocation core : walk.cores()) {
                        int r = vertexAt.get(core);
                        sendersOfReceiver.computeIfAbsent(r, x -> new HashSet<>()).add(v);
                        if (p.kind() == PartitionKind.BACKWARD && !contains(graph.vertex(r).cols(), p.values())) {
                            discarding.add(r);
                        }
                    }
                }
                if (packets > 0) {
                    senders.add(v);
                    into[v] = new CoreSlot(s, senders.size() - 1, 0, 0, packets);
                    maxPackets = Math.max(maxPackets, packets);
                }
            }
            if (senders.isEmpty()) {
                return;
            }
            long receiverBound = 0;
            for (Map.Entry<Integer, Set<Integer>> e : sendersOfReceiver.entrySet()) {
                receiverBound = Math.max(receiverBound,
                        (long) e.getValue().size() * cost.packetCycles(graph.vertex(e.getKey()).kind()));
            }
            // a receiver that discards part of what it gets may finish its own work mid-window and
            // must not overflow its queue with the packets that keep coming while it computes
            for (int r : discarding) {
                MachineVertex receiver = graph.vertex(r);
                long work = cost.backwardCycles(receiver, activation(receiver), sendsBackward(r));
                receiverBound = Math.max(receiverBound,
                        (long) Math.ceil((double) sendersOfReceiver.get(r).size() * work / receiveQueue));
            }
            long linkBound = sendersOfLink.values().stream().mapToLong(Set::size).max().orElse(0) * timing.linkClocks();
            long senderBound = cost.sendPacketCycles();
            long bound = Math.max(receiverBound, Math.max(linkBound, senderBound));
            String boundBy = bound == receiverBound ? "receiving cores" : bound == linkBound ? "links" : "sending cores";
            long between = (long) Math.ceil(bound / SENDING_FRACTION);
            long betweenCores = Math.max(1, between / senders.size());
            long start = windowEnd;
            for (int v : senders) {
                CoreSlot planned = into[v];
                into[v] = new CoreSlot(s, planned.slot(), start + planned.slot() * betweenCores, between,
                        planned.packetsPerStep());
            }
            long window = between * maxPackets;
            stages.add(new TdmaSchedule.Stage(s, phase, start, window, between, betweenCores, senders.size(),
                    boundBy));
            long lastPacketLatency = (long) maxHops * (timing.linkClocks() + timing.routerClocks())
                    + cost.packetCycles(VertexKind.REDUCE);
            windowEnd = start + window + lastPacketLatency;
        }

        private static boolean contains(Slice outer, Slice inner) {
            return outer.lo() <= inner.lo() && inner.hi() <= outer.hi();
        }

        private ActivationKind activation(MachineVertex v) {
            return v.activates() ? network.layers().get(v.layer()).activation().kind() : ActivationKind.IDENTITY;
        }
    }

    /**
     * Forward stage of every vertex: 0 for vertices no forward or label partition reaches, else
     * one more than its deepest sender.
     */
    public static int[] stages(MachineGraph graph) {
        int[] stage = new int[graph.vertices().size()];
        for (int v = 0; v < stage.length; v++) {
            for (OutgoingPartition p : graph.outgoing(v)) {
                if (p.kind() != PartitionKind.FORWARD && p.kind() != PartitionKind.LABEL) {
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
