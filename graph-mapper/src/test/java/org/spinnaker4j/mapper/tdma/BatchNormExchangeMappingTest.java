package org.spinnaker4j.mapper.tdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.SampleBound;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Conv2DGeometry;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.PoolingSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.keys.InputRange;
import org.spinnaker4j.mapper.keys.ReceiveKind;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.BatchNormExchange;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * A batch normalization after a 2-D convolution, in training: each of its blocks has a BATCH_NORM partition to every
 * other block of its layer ({@link BatchNormExchange}'s keys), every block listens to each peer's keys at that peer's
 * position, the exchange has its own once-per-mini-batch window, and the cores up to it hold a mini-batch.
 */
class BatchNormExchangeMappingTest {

    /** Conv2D (2 → 3, 3 × 3, Same, relu) → BatchNormalization → Conv2D (3 → 2, 3 × 3, Truncate), 6 × 5 images. */
    private static NetworkSpec convNormConv(boolean trains) {
        Conv2DGeometry first = new Conv2DGeometry(2, 6, 5, 3, 3, 3, 1, 1, 1, 1, 6, 5, false);
        Conv2DGeometry norm = new Conv2DGeometry(3, 6, 5, 3, 1, 1, 1, 1, 0, 0, 6, 5, false);
        Conv2DGeometry last = new Conv2DGeometry(3, 6, 5, 2, 3, 3, 1, 1, 0, 0, 4, 3, false);
        List<DenseLayerSpec> layers = List.of(
                DenseLayerSpec.convolution(first.alongRows(), Activation.of(ActivationKind.RELU), true),
                DenseLayerSpec.batchNorm(norm.alongRows(), PoolingSpec.batchNorm(1e-5, true)),
                DenseLayerSpec.convolution(last.alongRows(), Activation.of(ActivationKind.IDENTITY), true));
        return trains ? new NetworkSpec(layers, new TrainingSpec(LossFunction.MSE,
                Collections.nCopies(3, new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f)), true))
                : new NetworkSpec(layers);
    }

    private static Mapping map(PartitioningStrategy strategy, NetworkSpec network) {
        return new Mapper(strategy, TdmaSchedulerTest.holding(64),
                new TdmaScheduler(CoreCostModel.ARM968_SOFT_FLOAT, MachineTiming.SPINNAKER1,
                        TdmaScheduler.DEFAULT_RECEIVE_QUEUE)).map(network, Machine.spinn5Triads(1, 1));
    }

    /**
     * A training bound adds the exchange's rounds, shared by a mini-batch's samples: at least the partials each block
     * receives (its peers' 7 sums per channel, each for {@code batchNormPartialCycles}), more with more blocks; an
     * inference bound has none.
     */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void theBoundSharesTheExchangeRoundsBetweenAMiniBatch(PartitioningStrategy strategy) {
        Mapping m = map(strategy, convNormConv(true));
        BoundCalculator bounds = BoundCalculator.SPINNAKER1;
        long blocks = m.graph().vertices().stream().filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 1)
                .count();
        double exchange = bounds.exchangeClocks(m.network(), m.graph());
        CoreCostModel cost = CoreCostModel.ARM968_SOFT_FLOAT;
        int widest = m.graph().vertices().stream().filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 1)
                .mapToInt(v -> v.cols().size()).max().orElseThrow();
        long work = 0;
        for (int round = 0; round < BatchNormExchange.ROUNDS; round++) {
            work += cost.batchNormExchangeCycles(round, widest, BoundCalculator.MINI_BATCH, (int) blocks);
        }
        double received = (double) (blocks - 1) * BatchNormExchange.keys(m.network().layers().get(1))
                * cost.batchNormPartialCycles();
        // the partials are paced within the sending fraction
        double least = (work + received) / BoundCalculator.MINI_BATCH;
        double most = (work + received / TdmaScheduler.SENDING_FRACTION + BatchNormExchange.ROUNDS)
                / BoundCalculator.MINI_BATCH;
        assertTrue(exchange >= least && exchange <= most, exchange + " clocks per sample, expected " + least
                + " to " + most);
        SampleBound bound = bounds.bound(m.network(), m.graph(), m.placements(), m.machine());
        assertEquals(Math.max(bound.coreClocks(), Math.max(bound.linkClocks(), bound.routerClocks())) + exchange,
                bound.clocks(), 1e-9);
        Mapping inference = map(strategy, convNormConv(false));
        assertEquals(0, bounds.exchangeClocks(inference.network(), inference.graph()));
    }

    @Test
    void moreBlocksExchangeLonger() {
        BoundCalculator bounds = BoundCalculator.SPINNAKER1;
        Mapping fewest = map(PartitioningStrategy.FEWEST_CORES, convNormConv(true));
        Mapping neuronPerCore = map(PartitioningStrategy.NEURON_PER_CORE, convNormConv(true));
        assertTrue(bounds.exchangeClocks(fewest.network(), fewest.graph())
                < bounds.exchangeClocks(neuronPerCore.network(), neuronPerCore.graph()));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void everyBlockOfTheNormalizationSendsItsSumsToEveryOther(PartitioningStrategy strategy) {
        Mapping m = map(strategy, convNormConv(true));
        List<Integer> blocks = new ArrayList<>();
        for (MachineVertex v : m.graph().vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 1) {
                blocks.add(v.id());
            }
        }
        assertTrue(blocks.size() >= 2, "the normalization is spread over " + blocks.size() + " blocks");
        int keys = BatchNormExchange.keys(m.network().layers().get(1));
        assertEquals(BatchNormExchange.SUMS_PER_CHANNEL * 3, keys);
        for (int b : blocks) {
            List<OutgoingPartition> sends = m.graph().outgoing(b).stream()
                    .filter(p -> p.kind() == PartitionKind.BATCH_NORM).toList();
            assertEquals(1, sends.size(), "block " + b);
            assertEquals(keys, sends.get(0).nKeys());
            assertEquals(new HashSet<>(blocks.stream().filter(o -> o != b).toList()),
                    new HashSet<>(sends.get(0).targets()));
            List<InputRange> peers = m.receiveTables().get(b).stream()
                    .filter(r -> r.kind() == ReceiveKind.BN_PARTIAL).toList();
            assertEquals(blocks.size() - 1, peers.size(), "block " + b);
            Set<Integer> positions = new HashSet<>();
            for (InputRange r : peers) {
                assertEquals(keys, r.keyHi() - r.keyLo());
                positions.add(r.localOffset());
            }
            // the peers' positions in vertex order: every position but the block's own
            Set<Integer> expected = new HashSet<>();
            for (int i = 0; i < blocks.size(); i++) {
                if (blocks.get(i) != b) {
                    expected.add(i);
                }
            }
            assertEquals(expected, positions, "block " + b);
            CoreSlot slot = m.tdma().of(Phase.BATCH_NORM, b);
            assertEquals(keys, slot.packetsPerStep(), "block " + b);
        }
        assertEquals(blocks.size(), m.graph().partitions().stream()
                .filter(p -> p.kind() == PartitionKind.BATCH_NORM).count());
        assertTrue(m.tdma().exchangeClocks(Phase.BATCH_NORM) > 0);
        assertEquals(64, m.largestMiniBatch());
        for (MachineVertex v : m.graph().vertices()) {
            if (v.kind() == VertexKind.DENSE_BLOCK && v.layer() <= 1) {
                assertEquals(64, m.tdma().samplesInFlight(v.id()), v.toString());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void inferenceHasNoExchange(PartitioningStrategy strategy) {
        Mapping m = map(strategy, convNormConv(false));
        assertTrue(m.graph().partitions().stream().noneMatch(p -> p.kind() == PartitionKind.BATCH_NORM));
        assertEquals(0, m.tdma().exchangeClocks(Phase.BATCH_NORM));
    }
}
