package org.spinnaker4j.mapper.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.RoutingSimulator;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * Consumer row groups: a layer taking its rows in groups of its producers' column slices, gathered by relays or taken
 * straight from the producers.
 */
class RelayTest {

    /** MNIST with vector 1 in 37 slices, layer 1 taking them in groups of 4 (the last group of one slice). */
    private static MachineGraph grouped() {
        return GraphBuilder.build(TestSupport.mnist(),
                LayerSlicing.ofVectorParts(TestSupport.mnist(), new int[] {15, 37, 8, 1}, new int[] {1, 4, 1, 1}, 1));
    }

    /** {@link #grouped()}, layer 1's blocks taking their groups straight from layer 0's reduces. */
    private static MachineGraph groupedRelayFree() {
        return GraphBuilder.build(TestSupport.mnist(), LayerSlicing.ofVectorParts(TestSupport.mnist(),
                new int[] {15, 37, 8, 1}, new int[] {1, 4, 1, 1}, new boolean[] {false, true, false, false}, 1));
    }

    private static List<MachineVertex> of(MachineGraph g, VertexKind kind, int layer) {
        return g.vertices().stream().filter(v -> v.kind() == kind && v.layer() == layer).toList();
    }

    private static List<OutgoingPartition> forwardInto(MachineGraph g, MachineVertex v) {
        return g.incoming(v.id()).stream().filter(p -> p.kind() == PartitionKind.FORWARD).toList();
    }

    @Test
    void everyRowGroupOfTheLayerHasARelayThatFeedsItsBlocksAlone() {
        MachineGraph g = grouped();
        List<MachineVertex> relays = of(g, VertexKind.RELAY, 1);
        List<MachineVertex> producers = of(g, VertexKind.REDUCE, 0);
        assertEquals(37, producers.size());
        // ten groups: nine of four slices and the last of one, which gets a relay too
        assertEquals(10, relays.size());
        assertEquals(relays.size(), g.count(VertexKind.RELAY), "only layer 1 is grouped");
        int covered = 0;
        for (MachineVertex relay : relays) {
            assertEquals(covered, relay.cols().lo(), "relays tile vector 1 in order");
            covered = relay.cols().hi();
            assertFalse(relay.activates(), relay + " only forwards");
            Set<Integer> senders = new HashSet<>();
            for (OutgoingPartition p : forwardInto(g, relay)) {
                senders.add(p.source());
                assertEquals(List.of(relay.id()), p.targets(), "a producer of a relayed slice sends to its relay only");
                assertTrue(relay.cols().lo() <= p.values().lo() && p.values().hi() <= relay.cols().hi());
            }
            assertEquals(relay.cols().hi() == 256 ? 1 : 4, senders.size(), relay + " senders");
            assertTrue(relay.id() > producers.stream().mapToInt(MachineVertex::id).max().orElseThrow(),
                    "relays come after their producers (vertices are in data-flow order)");
        }
        assertEquals(256, covered);
        for (MachineVertex block : of(g, VertexKind.DENSE_BLOCK, 1)) {
            List<OutgoingPartition> in = forwardInto(g, block);
            assertEquals(1, in.size(), block + " gets its rows from one sender");
            MachineVertex sender = g.vertex(in.get(0).source());
            assertEquals(VertexKind.RELAY, sender.kind());
            assertEquals(block.rows(), sender.cols());
        }
        for (MachineVertex reduce : of(g, VertexKind.REDUCE, 1)) {
            assertEquals(10, forwardInto(g, reduce).size(), reduce + ": one partial per row group, not per slice");
        }
        // blocks of layer 0 are not relayed: their rows come from the input sources as before
        for (MachineVertex block : of(g, VertexKind.DENSE_BLOCK, 0)) {
            assertEquals(VertexKind.INPUT_SOURCE, g.vertex(forwardInto(g, block).get(0).source()).kind());
        }
    }

    @Test
    void aRelayFreeGroupsBlocksTakeTheirRowsStraightFromEachOfItsProducers() {
        MachineGraph g = groupedRelayFree();
        assertEquals(0, g.count(VertexKind.RELAY));
        List<MachineVertex> producers = of(g, VertexKind.REDUCE, 0);
        for (MachineVertex block : of(g, VertexKind.DENSE_BLOCK, 1)) {
            Set<Integer> senders = new HashSet<>();
            int rows = 0;
            for (OutgoingPartition p : forwardInto(g, block)) {
                MachineVertex sender = g.vertex(p.source());
                assertTrue(producers.contains(sender), sender + " feeds " + block);
                assertTrue(block.rows().lo() <= p.values().lo() && p.values().hi() <= block.rows().hi(),
                        p + " brings " + block + " only its rows");
                senders.add(sender.id());
                rows += p.values().size();
            }
            assertEquals(block.rows().hi() == 256 ? 1 : 4, senders.size(), block + " senders");
            assertEquals(block.rows().size(), rows, block + ": every row once");
        }
        for (MachineVertex reduce : of(g, VertexKind.REDUCE, 1)) {
            assertEquals(10, forwardInto(g, reduce).size(), reduce + ": one partial per row group, as with relays");
        }
    }

    @Test
    void relayChoicesTurnEachGroupedLayerAndAllOfThemForInferenceOnly() {
        NetworkSpec inference = TestSupport.seed();
        Slicing relayed = new Slicing(new int[] {2, 3, 13, 68, 17, 5}, new int[] {1, 1, 4, 8, 6, 1}, 1);
        Slicing none = relayed.withoutRelays();
        assertEquals(new Slicing(new int[] {2, 3, 13, 68, 17, 5}, new int[] {1, 1, 4, 8, 6, 1},
                new boolean[] {false, false, true, true, true, false}, 1), none, "a group of one slice needs no relay");
        List<Slicing> choices = relayed.relayChoices(inference);
        assertEquals(List.of(none,
                new Slicing(new int[] {2, 3, 13, 68, 17, 5}, new int[] {1, 1, 4, 8, 6, 1},
                        new boolean[] {false, false, true, false, false, false}, 1),
                new Slicing(new int[] {2, 3, 13, 68, 17, 5}, new int[] {1, 1, 4, 8, 6, 1},
                        new boolean[] {false, false, false, true, false, false}, 1),
                new Slicing(new int[] {2, 3, 13, 68, 17, 5}, new int[] {1, 1, 4, 8, 6, 1},
                        new boolean[] {false, false, false, false, true, false}, 1)), choices);
        assertTrue(none.relayChoices(inference).contains(new Slicing(new int[] {2, 3, 13, 68, 17, 5},
                new int[] {1, 1, 4, 8, 6, 1}, new boolean[] {false, false, false, true, true, false}, 1)),
                "a relay-free layer's choice turns back to relays");
        assertFalse(relayed.neighbours(inference).stream().anyMatch(choices::contains),
                "the descents keep each layer's choice");
        assertEquals(0, GraphBuilder.build(inference, none.layerSlicing(inference)).count(VertexKind.RELAY));
        assertEquals(List.of(), relayed.relayChoices(TestSupport.training(inference)));
    }

    @Test
    void aGroupedLayersBlocksShareOneStageSoItsReducesGetEachSampleInOneWindow() {
        // a block fed straight by its one producer would be a stage earlier than the relayed ones, and a
        // pipelined schedule would let its next sample's partial reach the reduce before the others' current one;
        // without relays every block of the layer is fed straight, one stage after the producers
        for (MachineGraph g : List.of(grouped(), groupedRelayFree())) {
            int[] stage = TdmaScheduler.stages(g);
            Set<Integer> blockStages = new HashSet<>();
            of(g, VertexKind.DENSE_BLOCK, 1).forEach(b -> blockStages.add(stage[b.id()]));
            assertEquals(1, blockStages.size(), "stages of layer 1's blocks: " + blockStages);
        }
    }

    @Test
    void groupsAreSearchedForInferenceOnly() {
        NetworkSpec inference = TestSupport.mnist();
        NetworkSpec training = TestSupport.training(inference);
        Slicing s = new Slicing(new int[] {15, 37, 8, 1}, 1);
        assertTrue(s.neighbours(inference).contains(new Slicing(new int[] {15, 37, 8, 1}, new int[] {1, 2, 1, 1}, 1)),
                "inference groups a hidden vector's slices");
        for (Slicing move : s.neighbours(inference)) {
            for (int v = 1; v < move.parts().length; v++) {
                assertTrue(move.groups()[v] >= 1 && move.groups()[v] <= move.parts()[v], move.toString());
            }
            assertEquals(1, move.groups()[move.groups().length - 1], "the output's sinks take its slices: " + move);
        }
        for (Slicing move : s.neighbours(training)) {
            assertTrue(Arrays.stream(move.groups()).allMatch(k -> k == 1), "training keeps groups at 1: " + move);
        }
        Machine machine = Machine.spinn5();
        Mapping trained = new Mapper(PartitioningStrategy.FASTEST, TestSupport.TRAINING_MEMORY).map(training, machine);
        assertEquals(0, trained.graph().count(VertexKind.RELAY), trained.describe());
    }

    @Test
    void mnistInferenceGetsUnderThe330MicrosecondBoundWithGroups() {
        // shared slicings stop at ≈ 410 µs: a reduce of layer 1 files (row slices × columns) partials
        Machine machine = Machine.spinn5();
        Mapping m = new Mapper(PartitioningStrategy.FASTEST, TestSupport.TRAINING_MEMORY)
                .map(TestSupport.mnist(), machine);
        double micros = BoundCalculator.SPINNAKER1.bound(m.network(), m.graph(), m.placements(), m.machine())
                .clocks() / 200.0;
        MachineGraph g = m.graph();
        // a block of a row slice (not a whole layer's rows) fed by a relay or by several producers: a group
        assertTrue(g.vertices().stream().filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() > 0
                && v.rows().size() < m.network().layers().get(v.layer()).nIn())
                .anyMatch(b -> forwardInto(g, b).size() > 1
                        || g.vertex(forwardInto(g, b).get(0).source()).kind() == VertexKind.RELAY),
                "a layer takes its rows in groups: " + m.describe());
        assertTrue(micros < 330, micros + " µs per sample: " + m.describe());
        RoutingSimulator.assertAllPartitionsDeliver(m);
    }

    @Test
    void aGroupCoversWholeProducerSlices() {
        List<Slice> rows = LayerSlicing.ofVectorParts(TestSupport.mnist(), new int[] {15, 37, 8, 1},
                new int[] {1, 4, 1, 1}, 1).rows().get(1);
        List<Slice> producers = Slice.split(256, 37);
        assertEquals(10, rows.size());
        for (int k = 0; k < rows.size(); k++) {
            assertEquals(producers.get(4 * k).lo(), rows.get(k).lo());
            assertEquals(producers.get(Math.min(36, 4 * k + 3)).hi(), rows.get(k).hi());
        }
    }
}
