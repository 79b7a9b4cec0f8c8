package org.spinnaker4j.mapper.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.TestSupport;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.Slice;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv1DGeometry;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.keys.InputRange;
import org.spinnaker4j.mapper.keys.ReceiveKind;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.tdma.Phase;

/**
 * The plan of the kernel copies' exchange: every held parameter has exactly one owner, which holds it, and the
 * shares come from exactly the blocks whose taps cover it, in position order.
 */
class KernelCopiesTest {

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void everyHeldParameterHasOneOwnerAmongItsHolders(PartitioningStrategy strategy) {
        NetworkSpec net = TestSupport.training(TestSupport.convolutional());
        MachineGraph graph = TestSupport.partition(strategy, net, TestSupport.TRAINING_MEMORY);
        List<KernelCopies> all = KernelCopies.of(net, graph);
        for (int l = 0; l < net.layers().size(); l++) {
            Conv1DGeometry g = net.layers().get(l).convolution();
            int layer = l;
            List<KernelCopies> slices = all.stream().filter(k -> k.layer() == layer).toList();
            assertEquals(g.channelsOut(), slices.stream().mapToInt(k -> k.channels().size()).sum(),
                    "the slices cover layer " + l + "'s channels");
            for (KernelCopies k : slices) {
                check(g, k, net.layers().get(l).hasBias());
            }
        }
    }

    @Test
    void channelsCutToFitAreCutAlikeAtEveryPosition() {
        NetworkSpec net = TestSupport.convolutional();
        MachineGraph graph = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, net, TestSupport.tightMemory(128));
        List<KernelCopies> all = KernelCopies.of(net, graph);
        assertTrue(all.stream().anyMatch(k -> k.layer() == 1 && k.channels().size() < 8), "layer 1's channels are cut");
        for (KernelCopies k : all) {
            check(net.layers().get(k.layer()).convolution(), k, true);
        }
    }

    private static void check(Conv1DGeometry g, KernelCopies k, boolean bias) {
        int perTap = g.channelsIn() * k.channels().size();
        int weights = g.kernel() * perTap;
        assertEquals(g.outLength(), k.copies().size(), "a copy per position");
        for (int c = 0; c < k.copies().size(); c++) {
            KernelCopies.Copy copy = k.copies().get(c);
            assertEquals(c, copy.position(), "position order");
            assertEquals(new Slice(g.firstValidTap(c) * perTap, g.endValidTap(c) * perTap), copy.weights());
        }
        int[] owners = new int[weights + (bias ? k.channels().size() : 0)];
        int next = 0;
        for (KernelCopies.Chunk chunk : k.chunks()) {
            while (next < weights && k.unheldTaps().contains(next / perTap)) {
                next += perTap;
            }
            assertEquals(next, chunk.params().lo(), "chunks in flat order, no gap but the unheld taps'");
            for (int p = chunk.params().lo(); p < chunk.params().hi(); p++) {
                owners[p]++;
                List<Integer> expected = new ArrayList<>();
                for (int c = 0; c < k.copies().size(); c++) {
                    if (p >= weights || k.copies().get(c).weights().lo() <= p && p < k.copies().get(c).weights().hi()) {
                        expected.add(c);
                    }
                }
                assertEquals(expected, chunk.holders(), "holders of parameter " + p);
            }
            next = chunk.params().hi();
        }
        for (int p = 0; p < owners.length; p++) {
            boolean unheld = p < weights && k.unheldTaps().contains(p / perTap);
            assertEquals(unheld ? 0 : 1, owners[p], "owners of parameter " + p);
        }
        long filed = 0;
        for (int c = 0; c < k.copies().size(); c++) {
            filed += k.filedBy(c);
        }
        long deliveries = k.chunks().stream().mapToLong(ch -> (long) ch.params().size() * (ch.holders().size() - 1))
                .sum();
        assertEquals(k.sharesSent() + deliveries, filed, "every share and every sum is filed once by each receiver");
    }

    /**
     * A 2-D convolution (2 × 5 × 6 → 5 × 5 × 6, kernel 3, padding 1) trained on every strategy: its slices are the
     * channels its blocks' kernels hold, disjoint and covering its channels (training cuts every output column's
     * channels alike); each output row's column slices are copies of that row, in order of row then column, each
     * holding its valid kernel rows (kernelW × channelsIn inputs a row) and a bias per channel; every held parameter
     * has one owner among its holders.
     */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void aTwoDimensionalConvolutionsColumnSlicesAreCopies(PartitioningStrategy strategy) {
        Conv2DGeometry image = new Conv2DGeometry(2, 5, 6, 5, 3, 3, 1, 1, 1, 1, 5, 6, false);
        Conv1DGeometry g = image.alongRows();
        NetworkSpec net = TestSupport.training(new NetworkSpec(List.of(DenseLayerSpec.convolution(g,
                Activation.of(ActivationKind.TANH), true))));
        MachineGraph graph = TestSupport.partition(strategy, net, TestSupport.TRAINING_MEMORY);
        List<KernelCopies> all = KernelCopies.of(net, graph);
        assertEquals(5, all.stream().mapToInt(k -> k.channels().size()).sum(), "the slices cover the channels");
        for (KernelCopies k : all) {
            int perTap = 3 * 2 * k.channels().size();
            int weights = 3 * perTap;
            assertEquals(weights, k.weights());
            int before = -1;
            for (int c = 0; c < k.copies().size(); c++) {
                KernelCopies.Copy copy = k.copies().get(c);
                MachineVertex v = graph.vertices().get(copy.vertex());
                assertEquals(k.channels(), new Slice(v.rowBlock().firstChannel(),
                        v.rowBlock().firstChannel() + v.rowBlock().channels()));
                assertTrue(v.cols().lo() > before, "order of row, then column");
                before = v.cols().lo();
                assertEquals(v.cols().lo() / g.channelsOut(), copy.position());
                assertEquals(new Slice(g.firstValidTap(copy.position()) * perTap,
                        g.endValidTap(copy.position()) * perTap), copy.weights());
                assertEquals(v.rowBlock().weights(v.rows().size()), copy.weights().size());
            }
            int[] owners = new int[weights + k.channels().size()];
            for (KernelCopies.Chunk chunk : k.chunks()) {
                for (int p = chunk.params().lo(); p < chunk.params().hi(); p++) {
                    owners[p]++;
                    int param = p;
                    List<Integer> expected = new ArrayList<>();
                    for (int c = 0; c < k.copies().size(); c++) {
                        Slice held = k.copies().get(c).weights();
                        if (param >= weights || held.lo() <= param && param < held.hi()) {
                            expected.add(c);
                        }
                    }
                    assertEquals(expected, chunk.holders(), "holders of parameter " + p);
                }
            }
            for (int p = 0; p < owners.length; p++) {
                assertEquals(1, owners[p], "owners of parameter " + p);
            }
            assertTrue(k.exchanges());
        }
    }

    /** Blocks holding overlapping but unequal channels of a 2-D convolution's kernel cannot update as one. */
    @Test
    void overlappingChannelSlicesOfAnImageAreRefused() {
        Conv2DGeometry image = new Conv2DGeometry(1, 3, 2, 4, 3, 1, 1, 1, 1, 0, 3, 2, false);
        Conv1DGeometry g = image.alongRows();
        NetworkSpec net = new NetworkSpec(List.of(DenseLayerSpec.convolution(g, Activation.of(ActivationKind.TANH),
                true)));
        List<MachineVertex> blocks = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Slice field = new Slice((t - 1 + g.firstValidTap(t)) * 2, (t - 1 + g.endValidTap(t)) * 2);
            // columns 0-2 (channels 0-2 of output column 0) and 3-7 (channel 3, then all of column 1: every channel)
            blocks.add(new MachineVertex(2 * t, VertexKind.DENSE_BLOCK, 0, field, new Slice(8 * t, 8 * t + 3), true,
                    null, image));
            blocks.add(new MachineVertex(2 * t + 1, VertexKind.DENSE_BLOCK, 0, field, new Slice(8 * t + 3, 8 * t + 8),
                    true, null, image));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelCopies.of(net, new MachineGraph(blocks, List.of())));
        assertTrue(e.getMessage().contains("the copies of a channel must all hold the same channels"),
                e.getMessage());
    }

    @Test
    void theEdgesPaddingTapsHaveFewerHolders() {
        // kernel 5, stride 2, padding 2 over 13 positions: position 0 lacks taps 0 and 1, position 6 taps 3 and 4
        NetworkSpec net = TestSupport.training(TestSupport.convolutional());
        MachineGraph graph = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, net, TestSupport.TRAINING_MEMORY);
        KernelCopies first = KernelCopies.of(net, graph).get(0);
        assertEquals(0, first.layer());
        assertTrue(first.exchanges());
        assertTrue(first.unheldTaps().isEmpty());
        int perTap = 3 * first.channels().size();
        List<Integer> tap0 = holdersOf(first, 0);
        List<Integer> tap2 = holdersOf(first, 2 * perTap);
        List<Integer> tap4 = holdersOf(first, 4 * perTap);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), tap0);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), tap2);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), tap4);
    }

    private static List<Integer> holdersOf(KernelCopies k, int param) {
        return k.chunks().stream().filter(c -> c.params().lo() <= param && param < c.params().hi()).findFirst()
                .orElseThrow().holders();
    }

    /**
     * A copy sends the shares of every chunk it holds but owns, each once, from the chunk after its first own one
     * (as its kernel does), so the copies' first shares reach many owners, not all the first chunk's.
     */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void copiesSendTheirFirstSharesToDifferentOwners(PartitioningStrategy strategy) {
        NetworkSpec net = TestSupport.training(TestSupport.convolutional());
        MachineGraph graph = TestSupport.partition(strategy, net, TestSupport.TRAINING_MEMORY);
        for (KernelCopies k : KernelCopies.of(net, graph)) {
            if (!k.exchanges()) {
                continue;
            }
            java.util.Set<Integer> firstOwners = new java.util.HashSet<>();
            for (int c = 0; c < k.copies().size(); c++) {
                int copy = c;
                List<KernelCopies.Chunk> order = k.shareOrder(c);
                List<KernelCopies.Chunk> sent = k.chunks().stream()
                        .filter(x -> x.holders().contains(copy) && x.owner() != copy).toList();
                assertEquals(sent.size(), order.size(), "copy " + c + " sends each chunk it holds but owns once");
                assertTrue(order.containsAll(sent), "copy " + c + " sends each chunk it holds but owns once");
                if (!order.isEmpty()) {
                    firstOwners.add(order.get(0).owner());
                }
            }
            assertEquals(k.copies().size(), firstOwners.size(),
                    "layer " + k.layer() + " slice " + k.channels() + ": the copies' first shares' owners");
        }
    }

    @Test
    void aTrainingMappingSaysWhatItsExchangeSends() {
        NetworkSpec net = TestSupport.training(TestSupport.convolutional());
        Mapping m = new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.TRAINING_MEMORY).map(net,
                Machine.spinn5());
        List<KernelCopies> copies = m.kernelCopies();
        assertEquals(KernelCopies.of(net, m.graph()), copies);
        long shares = copies.stream().mapToLong(KernelCopies::sharesSent).sum();
        assertTrue(shares > 0);
        assertTrue(m.describe().contains(copies.size() + " slices held by several position blocks; their exchange "
                + "sends " + shares + " shares"), m.describe());
        Mapping inference = new Mapper(PartitioningStrategy.FEWEST_CORES, TestSupport.MEMORY).map(
                TestSupport.convolutional(), Machine.spinn5());
        assertFalse(inference.describe().contains("kernel copies"), inference.describe());
    }

    @Test
    void aKernelHeldOnceExchangesNothing() {
        Conv1DGeometry whole = new Conv1DGeometry(3, 5, 4, 5, 1, 0, 1, false);
        NetworkSpec net = TestSupport.training(new NetworkSpec(List.of(DenseLayerSpec.convolution(whole,
                Activation.of(ActivationKind.SOFTMAX), true))));
        MachineGraph graph = TestSupport.partition(PartitioningStrategy.FASTEST, net, TestSupport.TRAINING_MEMORY);
        for (KernelCopies k : KernelCopies.of(net, graph)) {
            assertFalse(k.exchanges());
            assertEquals(0, k.sharesSent());
            assertEquals(0, k.sumsSent());
        }
    }

    @Test
    void tapsOnlyPaddingSeesAreUnheld() {
        // kernel 4 over 2 positions padded by 1 on each side: taps 0 and 3 see only padding
        Conv1DGeometry padded = new Conv1DGeometry(2, 2, 3, 4, 1, 1, 1, false);
        NetworkSpec net = TestSupport.training(new NetworkSpec(List.of(DenseLayerSpec.convolution(padded,
                Activation.of(ActivationKind.SOFTMAX), true))));
        MachineGraph graph = TestSupport.partition(PartitioningStrategy.FEWEST_CORES, net,
                TestSupport.TRAINING_MEMORY);
        KernelCopies k = KernelCopies.of(net, graph).get(0);
        assertEquals(List.of(0, 3), k.unheldTaps());
        check(padded, k, true);
    }

    @Test
    void withoutBiasesTheLastWeightsAreWeights() {
        // kernel 3 over 2 positions, no padding: both blocks hold the 6 weights, and no biases
        Conv1DGeometry g = new Conv1DGeometry(1, 4, 2, 3, 1, 0, 2, false);
        KernelCopies k = copiesOf(g, false,
                new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, 3), new Slice(0, 2), true),
                new MachineVertex(1, VertexKind.DENSE_BLOCK, 0, new Slice(1, 4), new Slice(2, 4), true)).get(0);
        check(g, k, false);
        for (int flat = 0; flat < 6; flat++) {
            assertEquals(flat, k.localIndex(1, flat), "weight " + flat);
        }
        assertThrows(IllegalArgumentException.class, () -> k.localIndex(1, 6), "no bias to hold");
    }

    @Test
    void aBlockHoldingPartOfItsFieldIsRefused() {
        Conv1DGeometry g = new Conv1DGeometry(2, 3, 1, 3, 1, 1, 3, false);
        assertThrows(IllegalArgumentException.class, () -> copiesOf(g, true,
                new MachineVertex(0, VertexKind.DENSE_BLOCK, 0, new Slice(0, 4), new Slice(0, 1), true),
                new MachineVertex(1, VertexKind.DENSE_BLOCK, 0, new Slice(0, 4), new Slice(1, 2), false),
                new MachineVertex(2, VertexKind.DENSE_BLOCK, 0, new Slice(2, 6), new Slice(2, 3), true)),
                "position 1's block holds 2 of its 3 taps' rows, unfused");
    }

    /** The kernel copies of a graph of {@code blocks} alone, of a network of one convolution {@code g}. */
    private static List<KernelCopies> copiesOf(Conv1DGeometry g, boolean bias, MachineVertex... blocks) {
        NetworkSpec net = new NetworkSpec(List.of(DenseLayerSpec.convolution(g, Activation.of(ActivationKind.TANH),
                bias)));
        return KernelCopies.of(net, new MachineGraph(List.of(blocks), List.of()));
    }

    /**
     * A training mapping's graph carries the exchange: a SHARE partition from each copy to each other owner of chunks it
     * holds, whose owner files it in the copy's slot row, and a PARAM partition from each chunk's owner to its other
     * holders, which file it where their block has the chunk.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void theGraphCarriesEveryShareAndNewValueOfTheExchange(PartitioningStrategy strategy) {
        NetworkSpec net = TestSupport.training(TestSupport.convolutional());
        Mapping m = new Mapper(strategy, TestSupport.TRAINING_MEMORY).map(net, Machine.spinn5());
        long shares = 0;
        long values = 0;
        for (OutgoingPartition p : m.graph().partitions()) {
            if (p.kind() == PartitionKind.SHARE) {
                shares += p.nKeys();
                assertEquals(1, p.targets().size(), "a share goes to its owner alone");
                InputRange r = m.receiveTables().get(p.targets().get(0)).stream()
                        .filter(in -> in.keyLo() == m.keys().of(p.id()).key()).findFirst().orElseThrow();
                assertEquals(new InputRange(r.keyLo(), r.keyLo() + p.nKeys(), p.values().lo(), ReceiveKind.SHARE), r);
            } else if (p.kind() == PartitionKind.PARAM) {
                values += (long) p.nKeys() * p.targets().size();
                int key = m.keys().of(p.id()).key();
                for (int t : p.targets()) {
                    // ranges of consecutive keys and parameters are merged
                    assertTrue(m.receiveTables().get(t).stream().anyMatch(in -> in.kind() == ReceiveKind.PARAM
                            && in.keyLo() <= key && key + p.nKeys() <= in.keyHi()), p + " filed by " + t);
                }
            }
        }
        List<KernelCopies> copies = m.kernelCopies();
        long owned = 0;
        long held = 0;
        for (KernelCopies k : copies) {
            for (KernelCopies.Chunk c : k.chunks()) {
                owned += (long) c.params().size() * (c.holders().size() - 1);
                held += (long) c.params().size() * (c.holders().size() - 1);
            }
        }
        // every share slot row holds the owner's owned parameters, of which a copy sends those it holds
        assertTrue(shares >= copies.stream().mapToLong(KernelCopies::sharesSent).sum(), shares + " share keys");
        assertEquals(owned, copies.stream().mapToLong(KernelCopies::sharesSent).sum());
        assertEquals(held, values, "each chunk's new values to each of its other holders");
        assertTrue(m.maxRoutingEntries() <= 1023, "routing entries " + m.maxRoutingEntries());
        // the schedule keeps both exchanges' windows, and the mapping reports them
        assertTrue(m.tdma().exchangeClocks(Phase.SHARE) > 0, "the shares' window");
        assertTrue(m.tdma().exchangeClocks(Phase.PARAM) > 0, "the new values' window");
        assertTrue(m.describe().contains("kernel copies' shares " + m.tdma().exchangeClocks(Phase.SHARE)),
                m.describe());
    }

    @Test
    void theSixtyFourPositionLayerFilesAboutThirteenHundredPacketsPerBlock() {
        // docs/architecture.md's 8 × 64 → 16 layer (kernel 5, Same padding): 64 blocks of 640 weights and 16 biases
        Conv1DGeometry g = new Conv1DGeometry(8, 64, 16, 5, 1, 2, 64, false);
        List<MachineVertex> blocks = new ArrayList<>();
        for (int t = 0; t < 64; t++) {
            blocks.add(new MachineVertex(t, VertexKind.DENSE_BLOCK, 0,
                    new Slice(Math.max(0, t - 2) * 8, Math.min(64, t + 3) * 8), new Slice(t * 16, t * 16 + 16), true));
        }
        NetworkSpec net = new NetworkSpec(List.of(DenseLayerSpec.convolution(g, Activation.of(ActivationKind.TANH),
                true)));
        KernelCopies k = KernelCopies.of(net, new MachineGraph(blocks, List.of())).get(0);
        check(g, k, true);
        long most = 0;
        for (int c = 0; c < 64; c++) {
            most = Math.max(most, k.filedBy(c));
        }
        assertTrue(most > 1_200 && most < 1_400, "filed by the busiest copy: " + most);
    }
}
