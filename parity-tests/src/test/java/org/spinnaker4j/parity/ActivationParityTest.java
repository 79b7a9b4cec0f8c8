package org.spinnaker4j.parity;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The activations beyond the classic nine (swish, gelu, selu, mish, softsign, rationaltanh, rectifiedtanh, cube,
 * thresholdedrelu with its theta, relu6) run on the machine as on nd4j-native, each in a hidden and in the output
 * layer: inference outputs within 1e-4 for both partitioning strategies, and 20 mini-batches of 16 of training with
 * every parameter within 1e-3 and every score within 1e-4 relative, each activation alone and in combinations real
 * configurations use.
 */
class ActivationParityTest {

    private static final int BATCHES = 20;
    private static final int BATCH_SIZE = 16;

    /**
     * An activation under test and the half-width of the inputs it sees: pre-activations reach a few units, past
     * relu6's cap and the kinks, except cube's: three cubes grow a width of 1 to outputs of 4e10 (and float32
     * rounding with them, beyond the absolute 1e-4), 0.4 keeps them below 1.
     */
    record Case(String name, IActivation fn, float spread) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("swish", Activation.SWISH.getActivationFunction(), 4f),
                new Case("gelu", Activation.GELU.getActivationFunction(), 4f),
                new Case("selu", Activation.SELU.getActivationFunction(), 4f),
                new Case("mish", Activation.MISH.getActivationFunction(), 4f),
                new Case("softsign", Activation.SOFTSIGN.getActivationFunction(), 4f),
                new Case("rationaltanh", Activation.RATIONALTANH.getActivationFunction(), 4f),
                new Case("rectifiedtanh", Activation.RECTIFIEDTANH.getActivationFunction(), 4f),
                new Case("cube", Activation.CUBE.getActivationFunction(), 0.4f),
                new Case("thresholdedrelu", Activation.THRESHOLDEDRELU.getActivationFunction(), 4f),
                new Case("thresholdedrelu(0.25)", new ActivationThresholdedReLU(0.25), 4f),
                new Case("thresholdedrelu(-0.5)", new ActivationThresholdedReLU(-0.5), 4f),
                new Case("relu6", Activation.RELU6.getActivationFunction(), 4f));
    }

    private static DenseLayer hidden(int nIn, int nOut, IActivation fn) {
        return new DenseLayer.Builder().nIn(nIn).nOut(nOut).activation(fn).build();
    }

    /** nIn → 9 → 9 with the activation, → 5 output with it (MSE), biases starting at {@code bias}. */
    private static MultiLayerConfiguration threeLayers(IActivation fn, int nIn, double bias, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(61).weightInit(WeightInit.XAVIER).biasInit(bias)
                .updater(updater).list()
                .layer(hidden(nIn, 9, fn))
                .layer(hidden(9, 9, fn))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(9).nOut(5).activation(fn).build())
                .build();
    }

    static Stream<Arguments> casesByStrategy() {
        return cases().flatMap(c -> Stream.of(PartitioningStrategy.values()).map(s -> Arguments.of(c, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesByStrategy")
    void inferenceInHiddenAndOutputLayers(Case c, PartitioningStrategy strategy) {
        INDArray x = Parity.uniformInputs(50, 12, 62).muli(2 * c.spread()).subi(c.spread());
        Parity.assertParity(threeLayers(c.fn(), 12, 0, new Sgd(0.1)),
                SpiNNakerOptions.builder().partitioning(strategy).build(), x);
    }

    /**
     * Biases start at 0.5, so that thresholdedrelu's default theta of 1 lets pre-activations through on training's
     * inputs in [0, 1) (and the others see both sides of 0).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trainingInHiddenAndOutputLayers(Case c) {
        TrainingParity.assertTrainingParity(c.name(), threeLayers(c.fn(), 8, 0.5, new Adam(0.01)),
                SpiNNakerOptions.defaults(), TrainingParity.Labels.UNIFORM, BATCHES, BATCH_SIZE);
    }

    private static Arguments combination(String name, IUpdater updater, Activation first, IActivation second,
            LossFunction loss, Activation output, TrainingParity.Labels labels) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(63).weightInit(WeightInit.XAVIER)
                .updater(updater).list()
                .layer(hidden(8, 16, first.getActivationFunction()))
                .layer(hidden(16, 12, second))
                .layer(new OutputLayer.Builder(loss).nIn(12).nOut(4).activation(output).build())
                .build();
        return Arguments.of(name, conf, labels);
    }

    /** Hidden activations as current MLP recipes pair them with the usual output layers and updaters. */
    static Stream<Arguments> combinations() {
        return Stream.of(
                combination("swish, gelu → softmax MCXENT, Adam", new Adam(0.01), Activation.SWISH,
                        Activation.GELU.getActivationFunction(), LossFunction.MCXENT, Activation.SOFTMAX,
                        TrainingParity.Labels.ONE_HOT),
                combination("selu, selu → identity MSE, Sgd", new Sgd(0.05), Activation.SELU,
                        Activation.SELU.getActivationFunction(), LossFunction.MSE, Activation.IDENTITY,
                        TrainingParity.Labels.UNIFORM),
                combination("relu6, mish → sigmoid XENT, Nesterovs", new Nesterovs(0.05, 0.9), Activation.RELU6,
                        Activation.MISH.getActivationFunction(), LossFunction.XENT, Activation.SIGMOID,
                        TrainingParity.Labels.BINARY),
                combination("cube, thresholdedrelu(0.1) → softmax MCXENT, RmsProp", new RmsProp(0.01),
                        Activation.CUBE, new ActivationThresholdedReLU(0.1), LossFunction.MCXENT, Activation.SOFTMAX,
                        TrainingParity.Labels.ONE_HOT),
                combination("softsign, rationaltanh → rectifiedtanh MSE, Adam", new Adam(0.01), Activation.SOFTSIGN,
                        Activation.RATIONALTANH.getActivationFunction(), LossFunction.MSE, Activation.RECTIFIEDTANH,
                        TrainingParity.Labels.UNIFORM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void combinationsTrainAsOnTheCpu(String name, MultiLayerConfiguration conf, TrainingParity.Labels labels) {
        TrainingParity.assertTrainingParity(name, conf, SpiNNakerOptions.defaults(), labels, BATCHES, BATCH_SIZE);
    }
}
