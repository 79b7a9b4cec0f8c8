package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.demo.ReferenceNetworks.dense;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.graph.PartitionKind;
import org.spinnaker4j.mapper.graph.VertexKind;

/**
 * Gradient normalization trains on the machine as on nd4j-native: 20 mini-batches of 16 on an 8-32-12-4 network
 * whose every layer spans several cores (the default FASTEST mapping), with a threshold that changes the trajectory
 * (checked against training without it on the CPU), every parameter within 1e-3, the updater state within 1e-3.
 */
class GradientNormalizationParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(GradientNormalizationParityTest.class);

    private static final int BATCHES = 20;
    private static final int BATCH_SIZE = 16;
    /** How far normalization must move the CPU's parameters from training without it for a case to count. */
    private static final double CHANGED = 10 * TrainingParity.PARAMETER_TOLERANCE;

    /** A configuration builder with the network-wide options of a case. */
    private interface Options {
        NeuralNetConfiguration.Builder apply(NeuralNetConfiguration.Builder b);
    }

    private static MultiLayerConfiguration network(Options options, Layer hidden) {
        return options.apply(new NeuralNetConfiguration.Builder().seed(42).weightInit(WeightInit.XAVIER).biasInit(0.2))
                .list()
                .layer(dense(8, 32, Activation.TANH))
                .layer(hidden)
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(12).nOut(4).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    private static MultiLayerConfiguration network(Options options) {
        return network(options, dense(32, 12, Activation.RELU));
    }

    private static Options normalize(GradientNormalization mode, double threshold) {
        return b -> b.gradientNormalization(mode).gradientNormalizationThreshold(threshold);
    }

    /** Each case: its name, the configuration, and the same without gradient normalization. */
    static Stream<Arguments> normalizations() {
        Options sgd = b -> b.updater(new Sgd(0.1));
        Options adamL2 = b -> b.updater(new Adam(0.01)).l2(1e-3);
        List<Arguments> cases = new ArrayList<>();
        for (Object[] mode : new Object[][] {{GradientNormalization.ClipElementWiseAbsoluteValue, 0.01, 0.002},
                {GradientNormalization.RenormalizeL2PerLayer, 1.0, 1.0},
                {GradientNormalization.RenormalizeL2PerParamType, 1.0, 1.0},
                {GradientNormalization.ClipL2PerLayer, 0.05, 0.05},
                {GradientNormalization.ClipL2PerParamType, 0.05, 0.05}}) {
            GradientNormalization g = (GradientNormalization) mode[0];
            Options alone = normalize(g, (double) mode[1]);
            Options withAdam = normalize(g, (double) mode[2]);
            cases.add(Arguments.of(g.name(), network(b -> alone.apply(sgd.apply(b))), network(sgd)));
            cases.add(Arguments.of(g + " + Adam + l2", network(b -> withAdam.apply(adamL2.apply(b))),
                    network(adamL2)));
        }
        cases.add(Arguments.of("ClipElementWiseAbsoluteValue on one layer", network(sgd,
                new DenseLayer.Builder().nIn(32).nOut(12).activation(Activation.RELU)
                        .gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                        .gradientNormalizationThreshold(0.005).build()), network(sgd)));
        cases.add(Arguments.of("ClipL2PerLayer on one layer", network(sgd,
                new DenseLayer.Builder().nIn(32).nOut(12).activation(Activation.RELU)
                        .gradientNormalization(GradientNormalization.ClipL2PerLayer)
                        .gradientNormalizationThreshold(0.02).build()), network(sgd)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("normalizations")
    void gradientNormalizationTrainsAsOnTheCpu(String name, MultiLayerConfiguration conf,
            MultiLayerConfiguration without) {
        INDArray normalized = TrainingParity.cpuParametersAfter(conf, TrainingParity.Labels.ONE_HOT, BATCHES,
                BATCH_SIZE);
        INDArray plain = TrainingParity.cpuParametersAfter(without, TrainingParity.Labels.ONE_HOT, BATCHES, BATCH_SIZE);
        double moved = Transforms.abs(normalized.sub(plain)).maxNumber().doubleValue();
        assertTrue(moved > CHANGED, name + " moves the CPU's parameters by only " + moved + ": it clips nothing");
        TrainingParity.assertTrainingParity(name, conf, SpiNNakerOptions.defaults(), TrainingParity.Labels.ONE_HOT,
                BATCHES, BATCH_SIZE);
    }

    /**
     * The test network's every layer is on several parameter-owning cores, and with a per-layer L2 mode (one key)
     * or a per-param-type one (two) each of them sends its partials to every other in a NORM partition; logs the
     * packets per update and the exchange's TDMA window.
     */
    @ParameterizedTest
    @EnumSource(value = GradientNormalization.class, names = {"RenormalizeL2PerLayer", "ClipL2PerParamType"})
    void everyLayerSpansSeveralCoresThatExchangeTheirPartials(GradientNormalization mode) {
        MultiLayerConfiguration conf = network(normalize(mode, 1.0));
        int keys = mode == GradientNormalization.RenormalizeL2PerLayer ? 1 : 2;
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf, SpiNNakerOptions.defaults())) {
            machine.init();
            Mapping m = machine.trainingMapping();
            for (int layer = 0; layer < 3; layer++) {
                int l = layer;
                List<MachineVertex> owners = m.graph().vertices().stream().filter(v -> v.layer() == l && owns(v))
                        .toList();
                assertTrue(owners.size() >= 2, "layer " + l + " is on " + owners.size() + " parameter-owning core(s)");
                List<OutgoingPartition> norms = m.graph().partitions().stream()
                        .filter(p -> p.kind() == PartitionKind.NORM && m.graph().vertex(p.source()).layer() == l)
                        .toList();
                assertEquals(owners.size(), norms.size(), "one NORM partition per core of layer " + l);
                for (OutgoingPartition p : norms) {
                    assertEquals(keys, p.nKeys());
                    assertEquals(owners.size() - 1, p.targets().size(), "to every other core of layer " + l);
                }
                LOG.info("{}: layer {} on {} cores: {} NORM packets per update, {} deliveries", mode, l,
                        owners.size(), owners.size() * keys, owners.size() * (owners.size() - 1) * keys);
            }
            assertTrue(m.tdma().normClocks() > 0, "the exchange has a TDMA window");
            LOG.info("{}: the exchange takes {} clocks ({} µs) before the update", mode, m.tdma().normClocks(),
                    m.tdma().normClocks() / 200.0);
        }
    }

    private static boolean owns(MachineVertex v) {
        return v.kind() == VertexKind.DENSE_BLOCK || v.kind() == VertexKind.REDUCE;
    }
}
