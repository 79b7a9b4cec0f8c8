package org.spinnaker4j.mapper;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.keys.InputRange;
import org.spinnaker4j.mapper.keys.KeyAllocator;
import org.spinnaker4j.mapper.keys.ReceiveKind;
import org.spinnaker4j.mapper.keys.ReceiveTableBuilder;
import org.spinnaker4j.mapper.keys.RoutingInfo;
import org.spinnaker4j.mapper.machine.Chip;
import org.spinnaker4j.mapper.machine.ChipLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.machine.RoutingTable;
import org.spinnaker4j.mapper.partition.CoreMemory;
import org.spinnaker4j.mapper.partition.CoreShape;
import org.spinnaker4j.mapper.partition.DtcmCheck;
import org.spinnaker4j.mapper.partition.KernelCopies;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.place.Placements;
import org.spinnaker4j.mapper.place.SdramPartials;
import org.spinnaker4j.mapper.route.Router;
import org.spinnaker4j.mapper.route.TableCompressor;
import org.spinnaker4j.mapper.tdma.RoomBudget;
import org.spinnaker4j.mapper.tdma.TdmaSchedule;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * Runs the mapping stages in order (partition, place, allocate keys, route, compress, check
 * table sizes and DTCM, schedule TDMA) and returns the {@link Mapping}.
 */
public final class Mapper {

    private static final Logger LOG = LoggerFactory.getLogger(Mapper.class);

    private final PartitioningStrategy strategy;
    private final CoreMemory memory;
    private final TdmaScheduler scheduler;
    private final BoundCalculator bounds;

    /** A mapper that schedules for the default ARM968 cost model, SpiNNaker1's timing and receive queues. */
    public Mapper(PartitioningStrategy strategy, CoreMemory memory) {
        this(strategy, memory, new TdmaScheduler(CoreCostModel.ARM968_SOFT_FLOAT, MachineTiming.SPINNAKER1,
                TdmaScheduler.DEFAULT_RECEIVE_QUEUE));
    }

    /** A mapper whose partitioner times its candidates with the scheduler's cost model and timing. */
    public Mapper(PartitioningStrategy strategy, CoreMemory memory, TdmaScheduler scheduler) {
        this.strategy = strategy;
        this.memory = memory;
        this.scheduler = scheduler;
        this.bounds = new BoundCalculator(scheduler.cost(), scheduler.timing());
    }

    /**
     * Maps the network onto the machine. If it does not fit, the {@link MappingException} says
     * why and names any other {@link PartitioningStrategy} that does map it onto this machine.
     */
    public Mapping map(NetworkSpec network, Machine machine) {
        Mapping mapping;
        try {
            mapping = mapWith(strategy, network, machine);
        } catch (MappingException e) {
            String alternatives = alternatives(network, machine);
            if (alternatives.isEmpty()) {
                throw e;
            }
            throw new MappingException(e.getMessage() + alternatives, e);
        }
        LOG.info("{}", mapping.describe().strip());
        return mapping;
    }

    private Mapping mapWith(PartitioningStrategy s, NetworkSpec network, Machine machine) {
        // the partitioner's trial layouts, kept so that the graph it returns is not laid out twice
        Map<MachineGraph, Mapping> trials = new IdentityHashMap<>();
        // one budget for making room in all of this mapping's schedules, the partitioner's trials and the final one
        RoomBudget budget = new RoomBudget(RoomBudget.MAPPING);
        MachineGraph graph = s.partitioner(bounds, (n, g, m) -> {
            try {
                Mapping trial = layOut(s, n, g, m, budget.share(RoomBudget.TRIAL));
                trials.put(g, trial);
                return Optional.of(trial.tdma());
            } catch (MappingException doesNotMap) {
                LOG.debug("a trial layout does not map: {}", doesNotMap.getMessage());
                return Optional.empty();
            }
        }).partition(network, memory, machine);
        Mapping laidOut = trials.get(graph);
        return laidOut != null ? laidOut : layOut(s, network, graph, machine, budget);
    }

    /**
     * Maps a graph already partitioned (by a test or a tool that chose its slicing): places, routes and schedules it
     * as {@link #map} does after partitioning, with this mapper's strategy's placer.
     */
    public Mapping layOut(NetworkSpec network, MachineGraph graph, Machine machine) {
        return layOut(strategy, network, graph, machine, new RoomBudget(RoomBudget.MAPPING));
    }

    /**
     * Places, routes and schedules {@code graph}: the mapping stages after partitioning, the schedule making room for
     * its windows while {@code budget} lasts.
     */
    private Mapping layOut(PartitioningStrategy s, NetworkSpec network, MachineGraph graph, Machine machine,
            RoomBudget budget) {
        Placements placements = s.placer().place(graph, machine);
        graph = SdramPartials.mark(graph, placements);
        RoutingInfo keys = new KeyAllocator().allocate(graph);
        Map<ChipLocation, RoutingTable> tables = new TableCompressor().compress(
                new Router().route(graph, placements, keys, machine));
        checkTableSizes(tables);
        List<KernelCopies> copies = network.trains() ? KernelCopies.of(network, graph) : List.of();
        List<List<InputRange>> receive = new ReceiveTableBuilder().build(graph, keys, copies);
        List<CoreShape> shapes = shapes(network, graph, receive, copies);
        checkDtcm(graph, shapes);
        TdmaSchedule tdma = scheduler.schedule(network, graph, placements, keys, tables, machine,
                (v, samples) -> samples <= memory.mostSamplesInFlight()
                        && memory.stateBytes(shapes.get(v.id()).holding(samples)) <= memory.dtcmBytes(), budget);
        return new Mapping(machine, network, s, graph, placements, keys, tables, receive, tdma, copies);
    }

    /** "; use … instead" for every other strategy that maps the network onto this machine, so would help. */
    private String alternatives(NetworkSpec network, Machine machine) {
        StringBuilder advice = new StringBuilder();
        for (PartitioningStrategy other : PartitioningStrategy.values()) {
            if (other != strategy) {
                try {
                    Mapping m = mapWith(other, network, machine);
                    advice.append(String.format("; use PartitioningStrategy.%s instead, which maps this network onto"
                            + " this machine (%d cores, at most %d routing entries per chip)", other, m.coresUsed(),
                            m.maxRoutingEntries()));
                } catch (MappingException doesNotFitEither) {
                    LOG.debug("{} does not map the network either: {}", other, doesNotFitEither.getMessage());
                }
            }
        }
        return advice.toString();
    }

    private static void checkTableSizes(Map<ChipLocation, RoutingTable> tables) {
        StringBuilder over = new StringBuilder();
        tables.values().stream().filter(t -> t.size() > Chip.ROUTER_ENTRIES).forEach(t -> over
                .append(String.format("%n  chip %s needs %d entries", t.chip(), t.size())));
        if (over.length() > 0) {
            throw new MappingException("routing tables too large after compression (a chip has "
                    + Chip.ROUTER_ENTRIES + " entries for applications):" + over
                    + "\nA chip needs an entry for each partition that starts, ends or branches on it, and cores are"
                    + " filled chip by chip, so a bigger machine holds the same partitions on that chip; a network"
                    + " with narrower layers has fewer partitions");
        }
    }

    /** The shape of every vertex's core, from the key ranges it listens to and the kernel copies it holds. */
    private static List<CoreShape> shapes(NetworkSpec network, MachineGraph graph, List<List<InputRange>> receive,
            List<KernelCopies> kernelCopies) {
        Map<Integer, CoreShape.Copy> copies = DtcmCheck.copies(network, kernelCopies, id -> (int) receive.get(id)
                .stream().filter(r -> r.kind() == ReceiveKind.SHARE || r.kind() == ReceiveKind.PARAM).count());
        return graph.vertices().stream().map(v -> {
            List<InputRange> ranges = receive.get(v.id());
            int peers = (int) ranges.stream().filter(r -> r.kind() == ReceiveKind.SOFTMAX_SYNC).count();
            int normPeers = (int) ranges.stream().filter(r -> r.kind() == ReceiveKind.NORM).count();
            int sumPeers = (int) ranges.stream().filter(r -> r.kind() == ReceiveKind.BN_PARTIAL).count();
            return DtcmCheck.shape(network, v, ranges.size(), peers, normPeers, sumPeers,
                    copies.getOrDefault(v.id(), CoreShape.Copy.NONE));
        }).toList();
    }

    private void checkDtcm(MachineGraph graph, List<CoreShape> shapes) {
        for (MachineVertex v : graph.vertices()) {
            int bytes = memory.stateBytes(shapes.get(v.id()));
            if (bytes > memory.dtcmBytes()) {
                throw new MappingException(v + " needs " + bytes + " bytes of DTCM but a core has "
                        + memory.dtcmBytes());
            }
        }
    }
}
