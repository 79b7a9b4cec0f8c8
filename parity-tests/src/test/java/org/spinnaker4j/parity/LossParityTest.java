package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spinnaker4j.demo.ReferenceNetworks.dense;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossCosineProximity;
import org.nd4j.linalg.lossfunctions.impl.LossHinge;
import org.nd4j.linalg.lossfunctions.impl.LossKLD;
import org.nd4j.linalg.lossfunctions.impl.LossL1;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.linalg.lossfunctions.impl.LossMAE;
import org.nd4j.linalg.lossfunctions.impl.LossMAPE;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.lossfunctions.impl.LossMSLE;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;
import org.nd4j.linalg.lossfunctions.impl.LossPoisson;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossSquaredHinge;
import org.nd4j.linalg.lossfunctions.impl.LossWasserstein;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.parity.TrainingParity.Labels;

/**
 * Every loss, plain and with per-output weights, trains on the machine as on nd4j-native with the activations DL4J
 * users pair it with: 20 mini-batches of 16 on an 8-16-4 network, every parameter within 1e-3, every iteration's
 * score and score(DataSet) within 1e-4 relative; the losses whose deltas need the layer's sum (any loss but the
 * plain MCXENT under a softmax) also with the output layer split one neuron per core. COSINE_PROXIMITY, whose norms
 * span the layer, runs with the layer on one core (FASTEST and FEWEST_CORES keep it whole) and is refused at init()
 * when it is split (NEURON_PER_CORE).
 */
class LossParityTest {

    private static final int BATCHES = 20;
    private static final int BATCH_SIZE = 16;
    private static final int N_OUT = 4;

    private static MultiLayerConfiguration network(ILossFunction loss, Activation activation) {
        // the percentage error's gradient is 100 / (nOut |t|) per output: a smaller step keeps its training from
        // diverging (where any two float32 implementations part ways)
        double learningRate = loss instanceof LossMAPE ? 1e-3 : 0.1;
        return new NeuralNetConfiguration.Builder().seed(42).weightInit(WeightInit.XAVIER).biasInit(0.2)
                .updater(new Sgd(learningRate)).list()
                .layer(dense(8, 16, Activation.TANH))
                .layer(new OutputLayer.Builder(loss).nIn(16).nOut(N_OUT).activation(activation).build())
                .build();
    }

    private static INDArray weights() {
        return Nd4j.createFromArray(0.5f, 2.0f, 1.0f, 1.5f).reshape(1, N_OUT).castTo(DataType.FLOAT);
    }

    private static Arguments of(String name, ILossFunction loss, Activation activation, Labels labels) {
        return Arguments.of(name, network(loss, activation), labels);
    }

    static Stream<Arguments> losses() {
        return Stream.of(
                of("HINGE identity", new LossHinge(), Activation.IDENTITY, Labels.SIGNED),
                of("HINGE tanh", new LossHinge(), Activation.TANH, Labels.SIGNED),
                of("SQUARED_HINGE identity", new LossSquaredHinge(), Activation.IDENTITY, Labels.SIGNED),
                of("SQUARED_HINGE tanh", new LossSquaredHinge(), Activation.TANH, Labels.SIGNED),
                of("KL_DIVERGENCE softmax", new LossKLD(), Activation.SOFTMAX, Labels.DISTRIBUTION),
                of("KL_DIVERGENCE sigmoid", new LossKLD(), Activation.SIGMOID, Labels.DISTRIBUTION),
                of("POISSON softplus", new LossPoisson(), Activation.SOFTPLUS, Labels.POSITIVE),
                of("POISSON sigmoid", new LossPoisson(), Activation.SIGMOID, Labels.BINARY),
                of("MEAN_ABSOLUTE_PERCENTAGE_ERROR identity", new LossMAPE(), Activation.IDENTITY, Labels.POSITIVE),
                of("MEAN_SQUARED_LOGARITHMIC_ERROR softplus", new LossMSLE(), Activation.SOFTPLUS, Labels.POSITIVE),
                of("MEAN_SQUARED_LOGARITHMIC_ERROR relu", new LossMSLE(), Activation.RELU, Labels.POSITIVE),
                of("WASSERSTEIN identity", new LossWasserstein(), Activation.IDENTITY, Labels.SIGNED),
                of("SPARSE_MCXENT softmax", new LossSparseMCXENT(), Activation.SOFTMAX, Labels.CLASS_INDEX),
                of("HINGE under a softmax", new LossHinge(), Activation.SOFTMAX, Labels.SIGNED));
    }

    static Stream<Arguments> weighted() {
        return Stream.of(
                of("MCXENT(weights) softmax", new LossMCXENT(weights()), Activation.SOFTMAX, Labels.ONE_HOT),
                of("NEGATIVELOGLIKELIHOOD(weights) softmax", new LossNegativeLogLikelihood(weights()),
                        Activation.SOFTMAX, Labels.ONE_HOT),
                of("SPARSE_MCXENT(weights) softmax", new LossSparseMCXENT(weights()), Activation.SOFTMAX,
                        Labels.CLASS_INDEX),
                of("XENT(weights) sigmoid", new LossBinaryXENT(weights()), Activation.SIGMOID, Labels.BINARY),
                of("MSE(weights) identity", new LossMSE(weights()), Activation.IDENTITY, Labels.UNIFORM),
                of("L2(weights) tanh", new LossL2(weights()), Activation.TANH, Labels.UNIFORM),
                of("L1(weights) identity", new LossL1(weights()), Activation.IDENTITY, Labels.UNIFORM),
                of("MAE(weights) tanh", new LossMAE(weights()), Activation.TANH, Labels.UNIFORM),
                of("MEAN_ABSOLUTE_PERCENTAGE_ERROR(weights) identity", new LossMAPE(weights()), Activation.IDENTITY,
                        Labels.POSITIVE),
                of("MEAN_SQUARED_LOGARITHMIC_ERROR(weights) softplus", new LossMSLE(weights()), Activation.SOFTPLUS,
                        Labels.POSITIVE));
    }

    static Stream<Arguments> split() {
        return Stream.of(
                of("KL_DIVERGENCE softmax", new LossKLD(), Activation.SOFTMAX, Labels.DISTRIBUTION),
                of("MCXENT(weights) softmax", new LossMCXENT(weights()), Activation.SOFTMAX, Labels.ONE_HOT),
                of("HINGE identity", new LossHinge(), Activation.IDENTITY, Labels.SIGNED),
                of("MEAN_SQUARED_LOGARITHMIC_ERROR(weights) softplus", new LossMSLE(weights()), Activation.SOFTPLUS,
                        Labels.POSITIVE),
                of("SPARSE_MCXENT softmax", new LossSparseMCXENT(), Activation.SOFTMAX, Labels.CLASS_INDEX));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void everyLossTrainsAsOnTheCpu(String name, MultiLayerConfiguration conf, Labels labels) {
        TrainingParity.assertTrainingParity(name, conf, SpiNNakerOptions.defaults(), labels, BATCHES, BATCH_SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("weighted")
    void everyWeightedLossTrainsAsOnTheCpu(String name, MultiLayerConfiguration conf, Labels labels) {
        TrainingParity.assertTrainingParity(name, conf, SpiNNakerOptions.defaults(), labels, BATCHES, BATCH_SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("split")
    void lossesTrainAsOnTheCpuWithTheOutputLayerSplit(String name, MultiLayerConfiguration conf, Labels labels) {
        TrainingParity.assertTrainingParity(name + " split", conf,
                SpiNNakerOptions.builder().partitioning(PartitioningStrategy.NEURON_PER_CORE).build(), labels,
                BATCHES, BATCH_SIZE);
    }

    static Stream<Arguments> wholeLayer() {
        return Stream.of(
                of("COSINE_PROXIMITY identity", new LossCosineProximity(), Activation.IDENTITY, Labels.UNIFORM),
                of("COSINE_PROXIMITY tanh", new LossCosineProximity(), Activation.TANH, Labels.UNIFORM),
                of("COSINE_PROXIMITY softmax", new LossCosineProximity(), Activation.SOFTMAX, Labels.DISTRIBUTION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wholeLayer")
    void cosineProximityTrainsAsOnTheCpuWithItsOutputLayerOnOneCore(String name, MultiLayerConfiguration conf,
            Labels labels) {
        for (PartitioningStrategy strategy : new PartitioningStrategy[] {PartitioningStrategy.FASTEST,
                PartitioningStrategy.FEWEST_CORES}) {
            TrainingParity.assertTrainingParity(name, conf, SpiNNakerOptions.builder().partitioning(strategy).build(),
                    labels, BATCHES, BATCH_SIZE);
        }
    }

    @Test
    void cosineProximityIsRefusedAtInitWhenItsOutputLayerIsSplit() {
        MultiLayerConfiguration conf = network(new LossCosineProximity(), Activation.IDENTITY);
        SpiNNakerOptions split = SpiNNakerOptions.builder().partitioning(PartitioningStrategy.NEURON_PER_CORE).build();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf, split)) {
            UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class, machine::init);
            assertTrue(e.getMessage().contains("COSINE_PROXIMITY"), e.getMessage());
        }
    }

    @Test
    void sparseLabelsThatAreNotClassIndicesAreRefused() {
        MultiLayerConfiguration conf = network(new LossSparseMCXENT(), Activation.SOFTMAX);
        INDArray x = Parity.uniformInputs(3, 8, 5);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf, SpiNNakerOptions.defaults())) {
            machine.init();
            for (float bad : new float[] {N_OUT, -1f, 1.5f}) {
                INDArray y = Nd4j.createFromArray(0f, bad, 2f).reshape(3, 1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> machine.fit(x, y));
                assertTrue(e.getMessage().contains("class index"), e.getMessage());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> machine.fit(x, Nd4j.zeros(DataType.FLOAT, 3, N_OUT)));
            assertTrue(e.getMessage().contains("[batch, 1]"), e.getMessage());
        }
    }
}
