package org.spinnaker4j.mapper.cost;

import java.util.List;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.place.Placements;
import org.spinnaker4j.mapper.route.LinkLoads;
import org.spinnaker4j.mapper.tdma.ColumnStreaming;
import org.spinnaker4j.mapper.tdma.Phase;

/**
 * Works out a mapping's {@link SampleBound} from a cost model and the machine's timing: each
 * core's cycles per sample from {@link CoreCostModel#forwardSampleCycles} (and
 * {@link CoreCostModel#backwardSampleCycles} when the network trains), each link's and router's
 * packets per sample from {@link LinkLoads}; in training, a batch normalization's exchange rounds
 * ({@link BatchNormRounds}) shared by the samples of a mini-batch of {@link #MINI_BATCH}.
 */
public final class BoundCalculator {

    /** The default cost model on SpiNNaker1's timing. */
    public static final BoundCalculator SPINNAKER1 = new BoundCalculator(CoreCostModel.ARM968_SOFT_FLOAT,
            MachineTiming.SPINNAKER1);

    /**
     * The mini-batch a training bound shares the exchange rounds between: a mapping does not know the size
     * {@code fit} will take, and 16 is the parity tests' and DL4J's examples' usual one (a smaller one pays more per
     * sample).
     */
    public static final int MINI_BATCH = 16;

    private final CoreCostModel cost;
    private final MachineTiming timing;

    public BoundCalculator(CoreCostModel cost, MachineTiming timing) {
        this.cost = cost;
        this.timing = timing;
    }

    /** The cost model the bound is computed with. */
    public CoreCostModel cost() {
        return cost;
    }

    public MachineTiming timing() {
        return timing;
    }

    /** The bound of a placed graph. */
    public SampleBound bound(NetworkSpec network, MachineGraph graph, Placements placements, Machine machine) {
        return bound(coreCycles(network, graph), LinkLoads.of(graph, placements, machine),
                exchangeClocks(network, graph));
    }

    /**
     * The bound of a graph whose cores work {@code coreCycles} per sample, whose packets load {@code loads} and whose
     * exchange rounds take {@code exchangeClocks} per sample ({@link #exchangeClocks}).
     */
    public SampleBound bound(long[] coreCycles, LinkLoads loads, double exchangeClocks) {
        int busiest = 0;
        for (int v = 1; v < coreCycles.length; v++) {
            if (coreCycles[v] > coreCycles[busiest]) {
                busiest = v;
            }
        }
        return new SampleBound(coreCycles[busiest], busiest,
                (double) loads.maxLinkPackets() * timing.linkPacketPs() / timing.coreClockPs(),
                (double) loads.maxRouterPackets() * timing.routerCyclePs() / timing.coreClockPs(), exchangeClocks);
    }

    /**
     * A training graph's batch normalization exchange rounds per sample, a mini-batch of {@link #MINI_BATCH} sharing
     * them; 0 in inference.
     */
    public double exchangeClocks(NetworkSpec network, MachineGraph graph) {
        return network.trains() ? (double) BatchNormRounds.clocks(network, graph, cost, MINI_BATCH) / MINI_BATCH : 0;
    }

    /** Every vertex's cycles per sample, by vertex id: what it receives and the work it does. */
    public long[] coreCycles(NetworkSpec network, MachineGraph graph) {
        long[] cycles = new long[graph.vertices().size()];
        for (MachineVertex v : graph.vertices()) {
            ActivationKind activation = v.activates() ? network.layers().get(v.layer()).activation().kind()
                    : ActivationKind.IDENTITY;
            List<OutgoingPartition> incoming = graph.incoming(v.id());
            boolean softmaxSync = graph.splitsSoftmax(v.id());
            // a block's partial sums through SDRAM: one packet and the read, at their own cost
            int throughSdram = (int) incoming.stream().filter(OutgoingPartition::throughSdram).count();
            int forward = packets(incoming, true) - throughSdram;
            cycles[v.id()] = cost.forwardSampleCycles(v, activation, forward, softmaxSync,
                    ColumnStreaming.streams(network, graph, v.id()))
                    + throughSdram * cost.partialsReadCycles(v)
                    + (graph.sdramWords(v.id()) > 0 ? cost.inputReadCycles(v, network.trains()) : 0);
            if (network.trains()) {
                boolean sendsBackward = graph.outgoing(v.id()).stream()
                        .anyMatch(p -> p.kind() == PartitionKind.BACKWARD);
                cycles[v.id()] += cost.backwardSampleCycles(v, activation, OutputLoss.of(network, v),
                        packets(incoming, false), sendsBackward, softmaxSync)
                        + cost.dropoutSampleCycles(v, network.dropout(v.layer()), sendsBackward);
            }
        }
        return cycles;
    }

    /**
     * Packets per sample of the forward pass (values and softmax synchronisation) or of the rest
     * ({@link PartitionKind#backwardPass()}: labels, deltas, backward partials; a gradient normalization's partials and
     * the kernel copies' exchange come once per mini-batch, with the update, and are left out as it is).
     */
    private static int packets(List<OutgoingPartition> incoming, boolean forward) {
        int packets = 0;
        for (OutgoingPartition p : incoming) {
            if (!Phase.of(p, 0).perMiniBatch() && p.kind().backwardPass() != forward) {
                packets += p.packets();
            }
        }
        return packets;
    }
}
