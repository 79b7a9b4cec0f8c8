package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.BitExact;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Two runs of the same mapping from the same parameters give the same bits and the same
 * statistics, every counter and every core's busy time included: on two machines, and on one
 * machine run twice; for inference and for a training mini-batch.
 */
class DeterminismTest {

    private static MultiLayerConfiguration network() {
        return new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(40).nOut(30).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(30).nOut(6).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    private static SpiNNakerMultiLayerNetwork onMachine(MultiLayerNetwork cpu, PartitioningStrategy strategy) {
        return SpiNNakerMultiLayerNetwork.wrap(cpu, SpiNNakerOptions.builder().partitioning(strategy).build());
    }

    private static INDArray features() {
        Nd4j.getRandom().setSeed(21);
        return Nd4j.rand(DataType.FLOAT, 6, 40);
    }

    private static INDArray labels() {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 6, 6);
        for (int r = 0; r < 6; r++) {
            labels.putScalar(r, (r * 5) % 6, 1f);
        }
        return labels;
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void inferenceIsBitIdenticalRunToRun(PartitioningStrategy strategy) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(network());
        cpu.init();
        INDArray x = features();
        try (SpiNNakerMultiLayerNetwork first = onMachine(cpu, strategy);
                SpiNNakerMultiLayerNetwork second = onMachine(cpu, strategy)) {
            INDArray a = first.output(x);
            RunStats stats = first.lastRunStats();
            BitExact.assertSameBits(a, second.output(x), "two machines");
            assertSameStats(stats, second.lastRunStats());
            BitExact.assertSameBits(a, first.output(x), "one machine, run again");
            assertSameStats(stats, first.lastRunStats());
        }
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void trainingIsBitIdenticalRunToRun(PartitioningStrategy strategy) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(network());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork first = onMachine(cpu, strategy);
                SpiNNakerMultiLayerNetwork second = onMachine(cpu, strategy)) {
            first.fit(features(), labels());
            second.fit(features(), labels());
            BitExact.assertSameBits(first.params(), second.params(), "parameters after one mini-batch");
            assertSameStats(first.lastTrainingStats(), second.lastTrainingStats());
        }
    }

    /** Equal statistics, of a run that did something: every record component, so every core's busy time. */
    private static void assertSameStats(RunStats expected, RunStats actual) {
        assertTrue(expected.events() > 0 && expected.packetsDelivered() > 0, "the run did something: " + expected);
        assertTrue(expected.cores().stream().allMatch(c -> c.busySeconds() > 0), "every core was busy");
        assertEquals(expected.cores(), actual.cores(), "per-core busy times");
        assertEquals(expected, actual);
    }
}
