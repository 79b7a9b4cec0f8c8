package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.BitExact;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.PacketLossException;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The prototype's failure and its cure, on a 784-64-10 network mapped one neuron per core:
 * bursts overrun the receiving cores and lose packets; the TDMA schedule loses none. And a
 * run is deterministic.
 */
class SendModeTest {

    private static MultiLayerConfiguration wideInput() {
        return new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(64).nOut(10).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    private static SpiNNakerMultiLayerNetwork onMachine(SendMode mode, MultiLayerNetwork cpu) {
        SpiNNakerOptions options = SpiNNakerOptions.builder().partitioning(PartitioningStrategy.NEURON_PER_CORE)
                .sendMode(mode).build();
        return SpiNNakerMultiLayerNetwork.wrap(cpu, options);
    }

    private static INDArray inputs() {
        Nd4j.getRandom().setSeed(9);
        return Nd4j.rand(DataType.FLOAT, 3, 784);
    }

    @Test
    void burstsLosePacketsAndSayWhatToTry() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(wideInput());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork net = onMachine(SendMode.BURST, cpu)) {
            PacketLossException e = assertThrows(PacketLossException.class, () -> net.output(inputs()));
            assertTrue(e.getMessage().contains("receive queue of 256 was full"), e.getMessage());
            assertTrue(e.getMessage().contains("Try the TDMA send mode"), e.getMessage());
            assertTrue(e.getMessage().contains("FASTEST partitioning"), e.getMessage());
            assertFalse(e.getMessage().contains("reinjection on"),
                    "reinjection is on, and cannot recover a full receive queue: " + e.getMessage());
            RunStats stats = net.lastRunStats();
            assertTrue(stats.packetsLost() > 0);
            assertEquals(stats.packetsLost(), stats.chips().stream().mapToLong(c -> c.lost() + c.coreReceiveDrops())
                    .sum(), "every lost packet is attributed to a chip");
        }
    }

    @Test
    void tdmaLosesNothingOnTheSameMapping() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(wideInput());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork net = onMachine(SendMode.TDMA, cpu)) {
            INDArray x = inputs();
            INDArray out = net.output(x);
            RunStats stats = net.lastRunStats();
            assertEquals(0, stats.packetsDropped());
            assertEquals(0, stats.packetsLost());
            assertTrue(out.equalsWithEps(cpu.output(x), 1e-5));
        }
    }

    @Test
    void theSameRunGivesBitIdenticalOutputsAndStatistics() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(wideInput());
        cpu.init();
        INDArray x = inputs();
        try (SpiNNakerMultiLayerNetwork first = onMachine(SendMode.TDMA, cpu);
                SpiNNakerMultiLayerNetwork second = onMachine(SendMode.TDMA, cpu)) {
            INDArray a = first.output(x);
            INDArray b = second.output(x);
            BitExact.assertSameBits(a, b, "two machines, one run each");
            assertEquals(first.lastRunStats(), second.lastRunStats());
            INDArray again = first.output(x);
            BitExact.assertSameBits(a, again, "the same machine, run again");
            assertEquals(first.lastRunStats(), second.lastRunStats());
        }
    }
}
