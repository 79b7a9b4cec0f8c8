package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.BitExact;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineGraph;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Inference under TDMA pipelines its samples: a batch takes less than its samples one after
 * another would, loses and overruns nothing, and gives every sample exactly the bits it gets
 * when it runs alone, relays (FASTEST's consumer row groups) and groups taken straight from several producers
 * included.
 */
class PipelinedInferenceTest {

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("seed network, FEWEST_CORES", ReferenceNetworks.seedNetwork(),
                        PartitioningStrategy.FEWEST_CORES, 8, Rows.NO_RELAY),
                Arguments.of("MNIST MLP, FEWEST_CORES (reduce cores)", ReferenceNetworks.mnistMlp(),
                        PartitioningStrategy.FEWEST_CORES, 6, Rows.NO_RELAY),
                Arguments.of("MNIST MLP, FASTEST (relays, later layers' groups straight from several reduces)",
                        ReferenceNetworks.mnistMlp(), PartitioningStrategy.FASTEST, 6,
                        Rows.RELAYS_AND_GROUPS_STRAIGHT),
                // the relays streaming values that cross links other samples' windows use
                Arguments.of("seed network, FASTEST (relays, the output layer's groups straight)",
                        ReferenceNetworks.seedNetwork(), PartitioningStrategy.FASTEST, 6,
                        Rows.RELAYS_AND_GROUPS_STRAIGHT),
                Arguments.of("seed network, NEURON_PER_CORE (hidden softmax over 50 cores)",
                        ReferenceNetworks.seedNetwork(), PartitioningStrategy.NEURON_PER_CORE, 4, Rows.NO_RELAY),
                Arguments.of("softmax output over 10 cores", softmaxOverCores(), PartitioningStrategy.NEURON_PER_CORE,
                        5, Rows.NO_RELAY),
                // softmax exchanges over 10 to 38 reduce cores whose packets cross links other samples' windows use
                Arguments.of("softmax network, FASTEST (softmax layers over reduce cores)",
                        ReferenceNetworks.softmaxNetwork(), PartitioningStrategy.FASTEST, 4, Rows.RELAYS));
    }

    /** How a mapping's later layers take their rows. */
    private enum Rows {
        /** No relay. */
        NO_RELAY(false, false),
        /** Some through relays. */
        RELAYS(true, false),
        /** Some through relays, and some block holding a slice of its layer's rows takes it from several producers. */
        RELAYS_AND_GROUPS_STRAIGHT(true, true);

        private final boolean relays;
        private final boolean groupsStraight;

        Rows(boolean relays, boolean groupsStraight) {
            this.relays = relays;
            this.groupsStraight = groupsStraight;
        }
    }

    /** Whether a block of a layer after the first holds a slice of its rows and takes it from several cores. */
    private static boolean groupsStraight(Mapping m) {
        MachineGraph g = m.graph();
        return g.vertices().stream().filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() > 0
                && v.rows().size() < m.network().layers().get(v.layer()).nIn())
                .anyMatch(b -> g.incoming(b.id()).stream().filter(p -> p.kind() == PartitionKind.FORWARD).count() > 1);
    }

    private static MultiLayerConfiguration softmaxOverCores() {
        return new NeuralNetConfiguration.Builder().seed(5).list()
                .layer(ReferenceNetworks.dense(30, 20, Activation.TANH))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(20).nOut(10).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void samplesOverlapAndEachGetsTheBitsItGetsAlone(String name, MultiLayerConfiguration conf,
            PartitioningStrategy strategy, int rows, Rows rowsIn) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf);
        cpu.init();
        Nd4j.getRandom().setSeed(17);
        INDArray x = Nd4j.rand(DataType.FLOAT, rows, cpu.layerInputSize(0));
        SpiNNakerOptions options = SpiNNakerOptions.builder().partitioning(strategy).inferenceOnly().build();
        try (SpiNNakerMultiLayerNetwork net = SpiNNakerMultiLayerNetwork.wrap(cpu, options)) {
            assertTrue(net.mapping().tdma().pipelined(), name + ": " + net.mapping().describe());
            assertEquals(rowsIn.relays, net.mapping().graph().count(VertexKind.RELAY) > 0,
                    net.mapping().describe());
            assertTrue(!rowsIn.groupsStraight || groupsStraight(net.mapping()),
                    net.mapping().describe());
            INDArray batch = net.output(x);
            RunStats stats = net.lastRunStats();
            assertEquals(0, stats.packetsDropped(), name + ": " + stats);
            assertEquals(0, stats.tdmaOverruns(), name + ": " + stats);
            double step = net.mapping().tdma().stepClocks() / 200e6;
            assertTrue(stats.simulatedSeconds() < rows * step,
                    name + ": " + rows + " samples took " + stats.simulatedSeconds() + " s, a step is " + step + " s");
            assertTrue(stats.latencySeconds() > 0 && stats.latencySeconds() <= stats.simulatedSeconds(),
                    name + ": latency " + stats.latencySeconds());
            for (int r = 0; r < rows; r++) {
                INDArray alone = net.output(x.getRow(r, true));
                BitExact.assertSameBits(alone, batch.getRow(r, true), name + ", sample " + r);
            }
        }
    }
}
