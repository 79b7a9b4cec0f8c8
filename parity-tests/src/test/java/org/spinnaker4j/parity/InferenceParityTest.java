package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/** SpiNNaker inference equals nd4j-native's within 1e-4, for both partitioning strategies. */
class InferenceParityTest {

    private static SpiNNakerOptions options(PartitioningStrategy strategy) {
        return SpiNNakerOptions.builder().partitioning(strategy).build();
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void seedNetworkOn500UniformInputs(PartitioningStrategy strategy) {
        Parity.assertParity(ReferenceNetworks.seedNetwork(), options(strategy), Parity.uniformInputs(500, 10, 1));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void mnistMlpBatchOfOne(PartitioningStrategy strategy) {
        Parity.assertParity(ReferenceNetworks.mnistMlp(), options(strategy), Parity.uniformInputs(1, 784, 2));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void mnistMlpBatchOf500(PartitioningStrategy strategy) {
        Parity.assertParity(ReferenceNetworks.mnistMlp(), options(strategy), Parity.uniformInputs(500, 784, 3));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void everyActivation(PartitioningStrategy strategy) {
        Parity.assertParity(ParityNetworks.everyActivation(), options(strategy), Parity.uniformInputs(50, 12, 4));
    }

    /** The MNIST MLP's inference mapping fits a SpiNN-3 board; its training mapping would not (91 cores of 64). */
    @Test
    void spinn3Board() {
        SpiNNakerOptions spinn3 = options(PartitioningStrategy.FEWEST_CORES).toBuilder().machine(Machine.spinn3())
                .inferenceOnly().build();
        Parity.assertParity(ReferenceNetworks.mnistMlp(), spinn3, Parity.uniformInputs(20, 784, 6));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void everyLayerOfTheSeedNetworkThroughFeedForward(PartitioningStrategy strategy) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(ReferenceNetworks.seedNetwork());
        cpu.init();
        INDArray x = Parity.uniformInputs(100, 10, 7);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu, options(strategy))) {
            List<INDArray> expected = cpu.feedForward(x);
            List<INDArray> actual = machine.feedForward(x);
            assertEquals(6, actual.size(), "the input and five layers");
            for (int i = 0; i < expected.size(); i++) {
                double diff = Transforms.abs(actual.get(i).sub(expected.get(i))).maxNumber().doubleValue();
                assertTrue(diff < Parity.TOLERANCE, "activation " + i + ": max |diff| " + diff);
            }
            assertEquals(0, machine.lastFeedForwardStats().packetsDropped());
        }
    }

    @Test
    void networkThatNeedsSeveralBoards() {
        SpiNNakerOptions oneBoard = options(PartitioningStrategy.NEURON_PER_CORE);
        MappingException tooBig = assertThrows(MappingException.class,
                () -> new SpiNNakerMultiLayerNetwork(ParityNetworks.multiBoard(), oneBoard).init());
        assertTrue(tooBig.getMessage().contains("needs 2012 cores"), tooBig.getMessage());

        SpiNNakerOptions threeBoards = oneBoard.toBuilder().machine(Machine.spinn5Triads(1, 1)).build();
        RunStats stats = Parity.assertParity(ParityNetworks.multiBoard(), threeBoards, Parity.uniformInputs(4, 100, 5));
        assertTrue(stats.chipsUsed() > 48, "used " + stats.chipsUsed() + " chips, more than one board's 48");
    }
}
