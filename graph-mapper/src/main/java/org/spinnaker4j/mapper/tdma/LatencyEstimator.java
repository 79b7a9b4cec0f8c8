package org.spinnaker4j.mapper.tdma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.SoftmaxStep;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.route.LinkLoads;
import org.spinnaker4j.mapper.route.RouteWalker;

/**
 * An estimate of one sample's latency through a placed graph's forward pass, in core clocks, before keys, tables
 * or a schedule exist: what the {@link TdmaScheduler}'s step comes to when no window is slowed by other samples'
 * windows (pipelined inference on the reference networks). Stage after stage ({@link TdmaScheduler#stages}), it
 * adds the senders' longest work before they send, a softmax spread over cores' exchange and steps, and the values
 * window: each sender sends a packet per {@code between}, the smallest period that keeps the busiest receiving
 * core (one packet from each of its senders, a block's row multiplied in with it), the busiest link (one packet
 * from each sender whose tree crosses it) and a sending core within the {@link TdmaScheduler#SENDING_FRACTION
 * sending fraction}, for as many packets as the busiest sender sends; a stage whose cores complete column by column
 * ({@link ColumnStreaming}) opens its window as soon as each of its first columns is in by its send (column k in its
 * inputs' k-th round) and its last column once their last round is. The partitioner weighs mappings by it; the
 * scheduler still lays out the real windows, and may open one later than estimated where the windows already placed
 * leave it no room at its fastest (modulo the period).
 */
public final class LatencyEstimator {

    private final CoreCostModel cost;
    private final MachineTiming timing;

    public LatencyEstimator(CoreCostModel cost, MachineTiming timing) {
        this.cost = cost;
        this.timing = timing;
    }

    /**
     * The estimated forward step of a placed graph and the period its windows allow: {@code stepClocks} from a
     * sample's first packet sent to its last result received, each window slowed by its share of the links and
     * receiving cores other stages' windows load at once; {@code windowClocks} the longest a stage's softmax
     * exchange and values window take together at the window's own pace (pipelined samples start no more often: a
     * window must be over before the next sample's opens; windows sharing links and receivers are the bound's load,
     * and the scheduler's least period takes them so), each with the rows a block multiplies after its last packet
     * when several senders bring them at once ({@code RowsOutOfOrder}).
     */
    public record Estimate(long stepClocks, long windowClocks) {
    }

    /**
     * A vertex that reads its part of each sample from SDRAM (a source, or a first-layer block reading its input
     * from SDRAM): clocks from the sample's start to its read's work done, its DMA alone on its chip's SDRAM (the
     * scheduler, which knows the placement, queues it behind the chip's other reads); 0 for every other vertex.
     */
    private long inputReadClocks(NetworkSpec network, MachineGraph graph, MachineVertex v) {
        int words = graph.sdramWords(v.id());
        if (words == 0) {
            return 0;
        }
        return timing.dmaClocks(0, words) + cost.inputReadWorkCycles(v, network.trains(), network.dropout(0));
    }

    /** The estimate of {@code graph}, placed so that its forward values load links as {@code loads} says. */
    public Estimate forward(NetworkSpec network, MachineGraph graph, LinkLoads loads) {
        int[] stage = TdmaScheduler.stages(graph);
        int nStages = Arrays.stream(stage).max().orElse(0) + 1;
        long[] before = new long[nStages];
        long[] softmax = new long[nStages];
        int[] maxPackets = new int[nStages];
        // per stage: whether every member completes column by column, and the longest a column takes one
        boolean[] streams = new boolean[nStages];
        Arrays.fill(streams, true);
        long[] column = new long[nStages];
        // per stage, per receiving vertex: how many of the stage's cores send to it
        Map<Integer, Map<Integer, Integer>> sendersTo = new HashMap<>();
        for (MachineVertex v : graph.vertices()) {
            int s = stage[v.id()];
            boolean split = graph.splitsSoftmax(v.id());
            before[s] = Math.max(before[s], inputReadClocks(network, graph, v)
                    + cost.completionCycles(v, activation(network, v), split));
            streams[s] &= ColumnStreaming.streams(network, graph, v.id());
            column[s] = Math.max(column[s], cost.columnCycles(v, activation(network, v)));
            if (split) {
                softmax[s] = Math.max(softmax[s], softmaxExchange(graph, v) + 2 * exchangeLatency(v.id(), loads));
            }
            int packets = 0;
            for (OutgoingPartition p : graph.outgoing(v.id())) {
                if (p.kind() == PartitionKind.FORWARD) {
                    packets += p.packets();
                    for (int t : p.targets()) {
                        sendersTo.computeIfAbsent(s, x -> new HashMap<>()).merge(t, 1, Integer::sum);
                    }
                }
            }
            maxPackets[s] = Math.max(maxPackets[s], packets);
        }
        // per stage: the blocks its window brings rows from several senders at once, which they multiply in order
        Map<Integer, List<RowsOutOfOrder>> outOfOrder = new HashMap<>();
        for (MachineVertex v : graph.vertices()) {
            RowsOutOfOrder.of(network, graph, v, stage, cost).forEach((s, rows) -> outOfOrder
                    .computeIfAbsent(s, x -> new ArrayList<>()).add(rows));
        }
        // per receiving core and per link: each stage's demand for one packet from each of its senders
        List<long[]> demands = new ArrayList<>();
        Map<Integer, long[]> receiverDemand = new HashMap<>();
        sendersTo.forEach((s, receivers) -> receivers.forEach((r, senders) -> receiverDemand
                .computeIfAbsent(r, x -> new long[nStages])[s] = senders * cost.forwardPacketCycles(graph.vertex(r),
                        network.dropout(graph.vertex(r).layer()))));
        demands.addAll(receiverDemand.values());
        for (Set<Integer> senders : loads.forwardSenders().values()) {
            long[] demand = new long[nStages];
            for (int v : senders) {
                demand[stage[v]] += timing.linkClocks();
            }
            demands.add(demand);
        }
        long[] between = new long[nStages];
        Arrays.fill(between, cost.sendPacketCycles());
        for (long[] demand : demands) {
            for (int s = 0; s < nStages; s++) {
                between[s] = Math.max(between[s], demand[s]);
            }
        }
        for (int s = 0; s < nStages; s++) {
            between[s] = (long) Math.ceil(between[s] / TdmaScheduler.SENDING_FRACTION);
        }
        // pipelined, every stage's window sends at once: one sharing a link or core with others sends slower
        double[] stretch = new double[nStages];
        Arrays.fill(stretch, 1);
        for (long[] demand : demands) {
            double load = 0;
            for (int s = 0; s < nStages; s++) {
                load += (double) demand[s] / between[s];
            }
            for (int s = 0; s < nStages; s++) {
                if (demand[s] > 0) {
                    stretch[s] = Math.max(stretch[s], load / TdmaScheduler.SENDING_FRACTION);
                }
            }
        }
        long way = timing.linkClocks() + timing.routerClocks() + cost.receiveInterruptCycles();
        long step = 0;
        long longest = 0;
        long opened = 0; // the previous stage's values window
        for (int s = 0; s < nStages; s++) {
            long pace = (long) Math.ceil(between[s] * stretch[s]);
            List<RowsOutOfOrder> late = outOfOrder.getOrDefault(s, List.of());
            long sending = maxPackets[s] > 0 ? pace * maxPackets[s] + way + RowsOutOfOrder.longestTail(late, pace)
                    : 0;
            // the period: the window at its own pace, as the scheduler's shortest period allows it (sharing links and
            // receivers with other stages' windows is the bound's load, not a longer window)
            long window = maxPackets[s] > 0
                    ? between[s] * maxPackets[s] + way + RowsOutOfOrder.longestTail(late, between[s]) : 0;
            if (softmax[s] > 0) {
                // a core exchanging refuses the next sample's maximum until its own values are sent: from its
                // exchange's first round to its last slot
                window = Math.max(window, softmax[s] + between[s] * maxPackets[s]);
            }
            long opens = step + before[s] + softmax[s];
            if (s > 0 && streams[s] && softmax[s] == 0 && maxPackets[s] > 0 && maxPackets[s - 1] > 0) {
                // column by column: its k-th column once its inputs' k-th round is in (k below both windows'
                // packets: a relay's later columns come from later senders in earlier rounds), its last once their
                // last round is
                long round = (long) Math.ceil(between[s - 1] * stretch[s - 1]);
                long rounds = Math.min(maxPackets[s], maxPackets[s - 1]) - 1;
                opens = Math.max(opened + round + way + column[s] + Math.max(0, rounds * (round - pace)),
                        step + column[s] - (long) (maxPackets[s] - 1) * pace);
            }
            if (maxPackets[s] > 0) {
                opened = opens;
            }
            step = opens + sending;
            longest = Math.max(longest, window);
        }
        return new Estimate(step, longest);
    }

    /**
     * A split softmax's exchange for one of its cores, after its completion: a round of local maxima, its
     * exponentials, a round of local sums, then its division. In a round every core sends one packet, the cores
     * staggered evenly over the time its peers' packets take a receiver (over the sending fraction), so a round is
     * over when the last peer's packet, one stagger before the round's end, is handled.
     */
    private long softmaxExchange(MachineGraph graph, MachineVertex v) {
        long peers = graph.incoming(v.id()).stream().filter(p -> p.kind() == PartitionKind.SOFTMAX_SYNC).count();
        long packet = cost.packetCycles(v);
        long stagger = Math.max(1, (long) Math.ceil(peers * packet / TdmaScheduler.SENDING_FRACTION) / (peers + 1));
        long round = peers * stagger + packet;
        return 2 * round + cost.softmaxStepCycles(v, SoftmaxStep.SUM)
                + cost.softmaxStepCycles(v, SoftmaxStep.NORMALISE);
    }

    /**
     * How long a round's packet of {@code v}'s softmax exchange may take to reach a peer, as the scheduler times it:
     * a router and a link per link of its way to the farthest peer, the receive interrupt, and a full link queue ahead
     * of it on each of those links (the exchange has no room of its own modulo the period).
     */
    private long exchangeLatency(int v, LinkLoads loads) {
        return loads.softmaxSyncDepth(v) * (timing.linkClocks() + timing.routerClocks()
                + TdmaScheduler.DEFAULT_LINK_QUEUE * timing.linkClocks()) + cost.receiveInterruptCycles();
    }

    /**
     * A plain dense block ({@link TdmaScheduler#multipliesRowsInOrder}) that one stage's window brings its rows from
     * several senders at once: {@code rows[j]} rows from the j-th sender in row order, sent a packet per round each,
     * {@code rowCycles} each to multiply. It multiplies its rows in order, so each later sender's rows wait, filed,
     * until every earlier one is in (as {@code TdmaScheduler} plays such a block's queue): two sources of an 88-row
     * slice, 44 rows each, leave the block 44 rows to multiply after their last packet.
     */
    private record RowsOutOfOrder(int[] rows, long rowCycles) {

        /**
         * Per stage of its senders, the rows that stage's window brings {@code v} out of order (none if {@code v}
         * does not multiply rows in order, or gets each stage's rows from one sender).
         */
        static Map<Integer, RowsOutOfOrder> of(NetworkSpec network, MachineGraph graph, MachineVertex v, int[] stage,
                CoreCostModel cost) {
            if (!TdmaScheduler.multipliesRowsInOrder(network, v)) {
                return Map.of();
            }
            // per sender stage, per sender: the first row it brings and how many
            Map<Integer, Map<Integer, int[]>> bySender = new HashMap<>();
            for (OutgoingPartition p : graph.incoming(v.id())) {
                if (p.kind() == PartitionKind.FORWARD && p.values().overlaps(v.rows())) {
                    Slice rows = p.values().intersect(v.rows());
                    bySender.computeIfAbsent(stage[p.source()], x -> new HashMap<>()).merge(p.source(),
                            new int[] {rows.lo(), rows.size()},
                            (a, b) -> new int[] {Math.min(a[0], b[0]), a[1] + b[1]});
                }
            }
            Map<Integer, RowsOutOfOrder> late = new HashMap<>();
            bySender.forEach((s, senders) -> {
                if (senders.size() > 1) {
                    late.put(s, new RowsOutOfOrder(senders.values().stream().sorted(Comparator.comparingInt(r -> r[0]))
                            .mapToInt(r -> r[1]).toArray(), cost.rowCycles(v)));
                }
            });
            return late;
        }

        /**
         * Clocks the block multiplies after the window's last packet reaches it, a packet per {@code pace} from each
         * sender: the first sender's rows as they come, each later one's once all before it are in.
         */
        long tail(long pace) {
            long done = rows[0] * pace;
            int most = rows[0];
            for (int j = 1; j < rows.length; j++) {
                done = Math.max(done, rows[j] * pace) + rows[j] * rowCycles;
                most = Math.max(most, rows[j]);
            }
            return done - most * pace;
        }

        /** The longest {@link #tail} of {@code blocks} at {@code pace}; 0 for none. */
        static long longestTail(List<RowsOutOfOrder> blocks, long pace) {
            return blocks.stream().mapToLong(b -> b.tail(pace)).max().orElse(0);
        }
    }

    private static ActivationKind activation(NetworkSpec network, MachineVertex v) {
        return v.activates() ? network.layers().get(v.layer()).activation().kind() : ActivationKind.IDENTITY;
    }
}
