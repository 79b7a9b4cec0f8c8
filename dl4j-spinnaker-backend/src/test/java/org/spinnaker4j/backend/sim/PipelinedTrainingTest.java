package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.spinnaker4j.backend.BitExact;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * Training under TDMA pipelines its samples, and its schedule counts on a core's backward work running in the
 * background: a block's long backward work for one sample must not hold up the forward packets it handles and
 * sends for later ones, nor a sample's backward sends go before that work is done. So a mini-batch overruns and
 * loses nothing and ends with exactly the parameters it gets in BURST mode, one sample after another.
 */
class PipelinedTrainingTest {

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("seed network, FEWEST_CORES", ReferenceNetworks.seedNetwork(),
                        PartitioningStrategy.FEWEST_CORES, 8),
                Arguments.of("seed network, FASTEST", ReferenceNetworks.seedNetwork(), PartitioningStrategy.FASTEST,
                        12),
                // softmax layers spread over cores; with every window slowed for what it shares, 145 slots overran
                Arguments.of("softmax network, FASTEST", ReferenceNetworks.softmaxNetwork(),
                        PartitioningStrategy.FASTEST, 32));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void backwardWorkHoldsUpNoSlotAndTheBatchGetsTheBitsItGetsInBurstMode(String name, MultiLayerConfiguration conf,
            PartitioningStrategy strategy, int rows) {
        Nd4j.getRandom().setSeed(17);
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf);
        cpu.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, rows, cpu.layerInputSize(0));
        int classes = (int) cpu.layerSize(cpu.getnLayers() - 1);
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows, classes);
        for (int r = 0; r < rows; r++) {
            y.putScalar(r, r % classes, 1f);
        }
        INDArray tdmaParams;
        try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu.clone(),
                SpiNNakerOptions.builder().partitioning(strategy).build())) {
            assertTrue(net.trainingMapping().tdma().pipelined(), name + ": " + net.trainingMapping().describe());
            net.fit(x, y);
            RunStats stats = net.lastTrainingStats();
            assertEquals(0, stats.packetsDropped(), name + ": " + stats);
            assertEquals(0, stats.tdmaOverruns(), name + ": " + stats);
            tdmaParams = net.params().dup();
        }
        try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu.clone(),
                SpiNNakerOptions.builder().partitioning(strategy).sendMode(SendMode.BURST).build())) {
            net.fit(x, y);
            BitExact.assertSameBits(net.params(), tdmaParams, name + ": parameters after the mini-batch");
        }
    }

    /**
     * The seed network's NEURON_PER_CORE training misses no slot. Its layer-1 neurons, a softmax over 50 cores,
     * exchange in two rounds, and another sample's backward deltas (a packet from each of the 300 layer-2 neurons, at
     * the whole sending fraction of those cores) were placed over the second round modulo the period: from the third
     * sample on, the round's last packets waited behind them, the division and the forward sends came up to 1,517
     * clocks late, and later layers' later still (236 overruns over 4 samples). A training exchange now keeps room for
     * its last round's packets on its cores. (In BURST mode this mapping loses packets, so there is no run to
     * compare its bits with.)
     */
    @Test
    void seedNetworkNeuronPerCoreTrainingMissesNoSlot() {
        Nd4j.getRandom().setSeed(17);
        MultiLayerNetwork cpu = new MultiLayerNetwork(ReferenceNetworks.seedNetwork());
        cpu.init();
        int rows = 4;
        INDArray x = Nd4j.rand(DataType.FLOAT, rows, 10);
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows, 25);
        for (int r = 0; r < rows; r++) {
            y.putScalar(r, r, 1f);
        }
        try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu, SpiNNakerOptions.builder()
                .machine(Machine.spinn5()).partitioning(PartitioningStrategy.NEURON_PER_CORE).build())) {
            assertTrue(net.trainingMapping().tdma().pipelined(), net.trainingMapping().describe());
            net.fit(x, y);
            RunStats stats = net.lastTrainingStats();
            assertEquals(0, stats.packetsDropped(), stats.toString());
            assertEquals(0, stats.tdmaOverruns(), stats.toString());
        }
    }

    /**
     * The seed and softmax networks' training periods (FASTEST) stay within 20 % of their busiest core's work over
     * the sending fraction. They were 47 and 53 % over: the period allowed every backward window's senders one piece
     * of foreground work more, added up over the step, though each backward window already opens that much later;
     * and the softmax network's exchanges, stretched five times for the backward windows that might keep their
     * cores receiving at the whole sending fraction meanwhile, now keep those windows to 0.4 of their cores' time.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fastest")
    void trainingPeriodStaysNearItsBusiestCoresWork(String name, MultiLayerConfiguration conf) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf);
        cpu.init();
        try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu,
                SpiNNakerOptions.builder().machine(Machine.spinn5()).build())) {
            Mapping m = net.trainingMapping();
            double busiest = BoundCalculator.SPINNAKER1.bound(m.network(), m.graph(), m.placements(), m.machine())
                    .clocks() / TdmaScheduler.SENDING_FRACTION;
            assertTrue(m.tdma().pipelined() && m.tdma().periodClocks() <= 1.20 * busiest, name + ": period "
                    + m.tdma().periodClocks() + " clocks, the busiest core's work " + busiest + ": " + m.describe());
        }
    }

    static Stream<Arguments> fastest() {
        return Stream.of(Arguments.of("seed network", ReferenceNetworks.seedNetwork()),
                Arguments.of("softmax network", ReferenceNetworks.softmaxNetwork()));
    }

    /**
     * The MNIST MLP's training windows find room beside one another: its FASTEST period stays within 10 % of its
     * busiest core's work over the sending fraction. (It was 37 % over while the layer-1 blocks' backward partials
     * found room on the layer-0 reduces only after the reduces' forward partials and the input window, end to end;
     * the schedule now tries the windows beside one that finds no room in slower slots.)
     */
    @Test
    void mnistTrainingPeriodStaysNearItsBusiestCoresWork() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(ReferenceNetworks.mnistMlp());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu,
                SpiNNakerOptions.builder().machine(Machine.spinn5()).build())) {
            Mapping m = net.trainingMapping();
            double busiest = BoundCalculator.SPINNAKER1.bound(m.network(), m.graph(), m.placements(), m.machine())
                    .clocks() / TdmaScheduler.SENDING_FRACTION;
            assertTrue(m.tdma().pipelined() && m.tdma().periodClocks() <= 1.10 * busiest, "period "
                    + m.tdma().periodClocks() + " clocks, the busiest core's work " + busiest + ": " + m.describe());
        }
    }
}
