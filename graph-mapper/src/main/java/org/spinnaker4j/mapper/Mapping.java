package org.spinnaker4j.mapper;

import java.util.List;
import java.util.Map;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.keys.InputRange;
import org.spinnaker4j.mapper.keys.RoutingInfo;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.partition.KernelCopies;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.place.Placements;
import org.spinnaker4j.mapper.tdma.Phase;
import org.spinnaker4j.mapper.tdma.SamplesInFlight;
import org.spinnaker4j.mapper.tdma.StepWindows;
import org.spinnaker4j.mapper.tdma.TdmaSchedule;

/**
 * Everything the mapper decided, as plain data: the graph, where each vertex runs, the keys
 * of each partition, each chip's routing table, what each core listens to and when each
 * core sends. A machine backend needs nothing else (plus the parameters) to run the network.
 *
 * @param kernelCopies a training mapping's copies of the convolutions' kernel slices in the graph's position blocks,
 *        and their exchange's plan ({@link KernelCopies#of}); none for inference
 */
public record Mapping(Machine machine, NetworkSpec network, PartitioningStrategy strategy, MachineGraph graph,
        Placements placements, RoutingInfo keys, Map<ChipLocation, RoutingTable> routingTables,
        List<List<InputRange>> receiveTables, TdmaSchedule tdma, List<KernelCopies> kernelCopies) {

    public Mapping {
        routingTables = Map.copyOf(routingTables);
        receiveTables = receiveTables.stream().map(List::copyOf).toList();
        kernelCopies = List.copyOf(kernelCopies);
    }

    public int coresUsed() {
        return graph.vertices().size();
    }

    /**
     * The largest mini-batch this training mapping trains with a batch normalization: every core at or before the
     * last one holds that many samples ({@link SamplesInFlight#largestMiniBatch}); 0 without one.
     */
    public int largestMiniBatch() {
        return SamplesInFlight.largestMiniBatch(tdma, graph, network);
    }

    public int maxRoutingEntries() {
        return routingTables.values().stream().mapToInt(RoutingTable::size).max().orElse(0);
    }

    public int totalRoutingEntries() {
        return routingTables.values().stream().mapToInt(RoutingTable::size).sum();
    }

    /** How many of an inference schedule's longest windows {@link #describe} names. */
    private static final int LONGEST_WINDOWS = 3;

    /** A multi-line human-readable summary (for inference, what the step's longest windows are). */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Mapping (%s) on %s%n", strategy, machine));
        sb.append(String.format("  cores used %d on %d chips: %d input, %d block, %d reduce, %d relay, %d output%n",
                coresUsed(), placements.chipsUsed(), graph.count(VertexKind.INPUT_SOURCE),
                graph.count(VertexKind.DENSE_BLOCK), graph.count(VertexKind.REDUCE), graph.count(VertexKind.RELAY),
                graph.count(VertexKind.OUTPUT_SINK)));
        sb.append(String.format("  partitions %d; routing entries %d on %d chips (max %d per chip)%n",
                graph.partitions().size(), totalRoutingEntries(), routingTables.size(), maxRoutingEntries()));
        long throughSdram = graph.partitions().stream().filter(OutgoingPartition::throughSdram).count();
        if (throughSdram > 0) {
            sb.append(String.format("  partial sums through SDRAM: %d blocks to %d reduces on their chips, a packet a "
                    + "block a sample%n", throughSdram, graph.vertices().stream()
                    .filter(v -> v.kind() == VertexKind.REDUCE && v.sdramPartials()).count()));
        }
        sb.append(String.format("  TDMA: %d windows, step %d clocks (%.1f µs at 200 MHz), a sample every %.1f µs",
                tdma.stages().size(), tdma.stepClocks(), tdma.stepClocks() / 200.0, tdma.periodClocks() / 200.0));
        int held = tdma.samplesInFlight().stream().mapToInt(Integer::intValue).max().orElse(1);
        sb.append(held > 1 ? String.format(", training cores hold up to %d samples%n", held) : String.format("%n"));
        if (!network.trains() && tdma.stepClocks() > 0) {
            sb.append(String.format("  longest windows: %s%n", StepWindows.longest(graph, tdma, LONGEST_WINDOWS)));
        }
        if (largestMiniBatch() > 0) {
            sb.append(String.format("  batch normalization: mini-batches of up to %d samples%n", largestMiniBatch()));
        }
        if (tdma.exchangeClocks().values().stream().anyMatch(clocks -> clocks > 0)) {
            sb.append(String.format("  once per mini-batch: gradient-norm exchange %d clocks, kernel copies' shares %d,"
                    + " their new values %d, a round of batch-norm sums %d%n", tdma.normClocks(),
                    tdma.exchangeClocks(Phase.SHARE), tdma.exchangeClocks(Phase.PARAM),
                    tdma.exchangeClocks(Phase.BATCH_NORM)));
        }
        if (network.trains()) {
            List<KernelCopies> copied = kernelCopies().stream().filter(KernelCopies::exchanges).toList();
            if (!copied.isEmpty()) {
                sb.append(String.format("  kernel copies: %d slices held by several position blocks; their exchange "
                        + "sends %d shares and %d new parameters per update%n", copied.size(),
                        copied.stream().mapToLong(KernelCopies::sharesSent).sum(),
                        copied.stream().mapToLong(KernelCopies::sumsSent).sum()));
            }
        }
        return sb.toString();
    }

    /** The summary plus every vertex's core, its keys, and every routing table. */
    public String describeInFull() {
        StringBuilder sb = new StringBuilder(describe());
        graph.vertices().forEach(v -> {
            sb.append(String.format("  %-40s on %s", v, placements.of(v.id())));
            graph.outgoing(v.id()).forEach(p -> sb.append(String.format(" sends %s %s to %s",
                    p.kind(), keys.of(p.id()), p.targets())));
            sb.append(System.lineSeparator());
        });
        tdma.stages().forEach(st -> sb.append(String.format(
                "  TDMA %s stage %d: %d senders from clock %d, a packet each per %d clocks (bound by %s), window %d%n",
                st.phase(), st.index(), st.senders(), st.startClocks(), st.clocksBetweenSends(), st.boundBy(),
                st.windowClocks())));
        routingTables.values().stream().sorted((a, b) -> a.chip().compareTo(b.chip())).forEach(t -> {
            sb.append("  router ").append(t.chip()).append(System.lineSeparator());
            t.entries().forEach(e -> sb.append("    ").append(e).append(System.lineSeparator()));
        });
        return sb.toString();
    }
}
