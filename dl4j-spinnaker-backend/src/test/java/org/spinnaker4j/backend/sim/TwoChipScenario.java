package org.spinnaker4j.backend.sim;

import java.util.List;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.keys.KeyAllocator;
import org.spinnaker4j.mapper.keys.ReceiveTableBuilder;
import org.spinnaker4j.mapper.keys.RoutingInfo;
import org.spinnaker4j.mapper.machine.CoreLocation;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.place.Placements;
import org.spinnaker4j.mapper.route.Router;
import org.spinnaker4j.mapper.route.TableCompressor;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * A hand-built machine of two chips side by side: an input source on chip (0,0) sends
 * {@code n} values over the east link to an output sink on chip (1,0). With a slow receive
 * interrupt at the sink and a tiny wait1, which packets the router drops can be worked out by
 * hand from the link time (380 ns per packet) and the interrupt time.
 */
final class TwoChipScenario {

    private TwoChipScenario() {
    }

    static Mapping mapping(int n) {
        Machine machine = Machine.grid(2, 1, false);
        NetworkSpec network = new NetworkSpec(List.of(
                new DenseLayerSpec(n, n, Activation.of(ActivationKind.IDENTITY), true)));
        MachineGraph graph = new MachineGraph(List.of(
                new MachineVertex(0, VertexKind.INPUT_SOURCE, -1, null, new Slice(0, n), false),
                new MachineVertex(1, VertexKind.OUTPUT_SINK, 1, null, new Slice(0, n), false)),
                List.of(new OutgoingPartition(0, 0, PartitionKind.FORWARD, new Slice(0, n), List.of(1))));
        Placements placements = new Placements(List.of(new CoreLocation(0, 0, 1), new CoreLocation(1, 0, 1)));
        RoutingInfo keys = new KeyAllocator().allocate(graph);
        var tables = new TableCompressor().compress(new Router().route(graph, placements, keys, machine));
        // labelled FEWEST_CORES: one block of values, as FEWEST_CORES would send it
        return new Mapping(machine, network, PartitioningStrategy.FEWEST_CORES, graph, placements, keys, tables,
                new ReceiveTableBuilder().build(graph, keys),
                new TdmaScheduler(CoreCostModel.ARM968_SOFT_FLOAT, MachineTiming.SPINNAKER1,
                        TdmaScheduler.DEFAULT_RECEIVE_QUEUE)
                        .schedule(network, graph, placements, keys, tables, machine), List.of());
    }

    static List<DenseParameters> unusedParameters(int n) {
        return List.of(new DenseParameters(n, n, new float[n * n], new float[n]));
    }

    /**
     * BURST sends, wait1 of one router cycle, a receive interrupt of {@code interruptCycles}, and a
     * link queue deep enough for the whole burst, so only the receiving chip can drop.
     */
    static SimulatorParameters parameters(int interruptCycles, boolean reinjection) {
        CoreCostModel c = CoreCostModel.ARM968_SOFT_FLOAT;
        CoreCostModel slowInterrupt = new CoreCostModel(c.cyclesPerInstruction(), interruptCycles, c.dispatchCycles(),
                c.sendPacketCycles());
        SimulatorParameters d = SimulatorParameters.defaults();
        return new SimulatorParameters(SendMode.BURST, reinjection, 1, d.routerInputDepth(), 16,
                d.coreReceiveDepth(), d.reinjectionQueue(), slowInterrupt, d.timing());
    }

    static float[][] ramp(int n) {
        float[][] x = new float[1][n];
        for (int i = 0; i < n; i++) {
            x[0][i] = i + 0.5f;
        }
        return x;
    }
}
