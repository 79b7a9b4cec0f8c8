package org.spinnaker4j.parity;

import static org.spinnaker4j.demo.ReferenceNetworks.dense;

import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.AMSGrad;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.SpiNNakerOptions;

/**
 * Every built-in updater, bias updaters of their own and every regularization option train on the machine as on nd4j-native: 20 mini-batches
 * of 16 on a small 8-16-12-4 network (coefficients large enough to move parameters by more than the tolerance), every parameter within 1e-3, the updater state within 1e-3 (relative above
 * 1), every iteration's score (which includes the regularization terms) within 1e-4 relative.
 */
class TrainingOptionsParityTest {

    private static final int BATCHES = 20;
    private static final int BATCH_SIZE = 16;

    /** A configuration builder with the network-wide options of a case. */
    interface Options {
        NeuralNetConfiguration.Builder apply(NeuralNetConfiguration.Builder b);
    }

    static MultiLayerConfiguration network(Options options, Layer hidden) {
        // biases start at 0.2, not 0, so that their regularization moves them by more than the tolerance
        return options.apply(new NeuralNetConfiguration.Builder().seed(42).weightInit(WeightInit.XAVIER).biasInit(0.2))
                .list()
                .layer(dense(8, 16, Activation.TANH))
                .layer(hidden)
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(12).nOut(4).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    static MultiLayerConfiguration network(Options options) {
        return network(options, dense(16, 12, Activation.RELU));
    }

    private static Arguments updater(IUpdater u) {
        return Arguments.of(u.getClass().getSimpleName(), network(b -> b.updater(u)));
    }

    static Stream<Arguments> updaters() {
        return Stream.of(updater(new Sgd(0.1)), updater(new Nesterovs(0.05, 0.9)), updater(new Adam(0.01)),
                updater(new AdaMax(0.01)), updater(new Nadam(0.01)), updater(new AMSGrad(0.01)),
                updater(new AdaGrad(0.05)), updater(new AdaDelta()), updater(new RmsProp(0.01)), updater(new NoOp()));
    }

    static Stream<Arguments> regularization() {
        return Stream.of(
                Arguments.of("l1", network(b -> b.updater(new Sgd(0.1)).l1(1e-2))),
                Arguments.of("l2", network(b -> b.updater(new Sgd(0.1)).l2(1e-2))),
                Arguments.of("weightDecay applyLR", network(b -> b.updater(new Sgd(0.1)).weightDecay(1e-2))),
                Arguments.of("weightDecay without lr", network(b -> b.updater(new Sgd(0.1)).weightDecay(1e-3, false))),
                Arguments.of("l1Bias", network(b -> b.updater(new Sgd(0.1)).l1Bias(1e-2))),
                Arguments.of("l2Bias", network(b -> b.updater(new Sgd(0.1)).l2Bias(1e-2))),
                Arguments.of("weightDecayBias", network(b -> b.updater(new Sgd(0.1)).weightDecayBias(1e-2, true))),
                Arguments.of("l2 on one layer", network(b -> b.updater(new Sgd(0.1)),
                        new DenseLayer.Builder().nIn(16).nOut(12).activation(Activation.RELU).l2(1e-2).l1Bias(1e-3)
                                .build())),
                Arguments.of("l2 listed before l1", network(b -> b.updater(new Sgd(0.1))
                        .regularization(List.of(new L2Regularization(1e-2), new L1Regularization(1e-3))))));
    }

    static Stream<Arguments> combinations() {
        return Stream.of(
                Arguments.of("Nesterovs + l2", network(b -> b.updater(new Nesterovs(0.05, 0.9)).l2(1e-3))),
                Arguments.of("Adam + weightDecay", network(b -> b.updater(new Adam(0.01)).weightDecay(1e-2))),
                Arguments.of("RmsProp + l1 + l2", network(b -> b.updater(new RmsProp(0.01)).l1(1e-4).l2(1e-3))),
                Arguments.of("AdaGrad + l2 + l2Bias", network(b -> b.updater(new AdaGrad(0.05)).l2(1e-3).l2Bias(1e-3))),
                Arguments.of("AdaDelta + weightDecay applyLR (lr 1)",
                        network(b -> b.updater(new AdaDelta()).weightDecay(1e-3))),
                Arguments.of("per-layer updaters and regularization", network(b -> b.updater(new Adam(0.01)).l2(1e-3),
                        new DenseLayer.Builder().nIn(16).nOut(12).activation(Activation.RELU)
                                .updater(new AMSGrad(0.02)).weightDecay(1e-2, false).build())));
    }

    /** Bias updaters of their own (DL4J's {@code biasUpdater}): a separate updater block for each bias. */
    static Stream<Arguments> biasUpdaters() {
        return Stream.of(
                Arguments.of("Adam, Sgd bias", network(b -> b.updater(new Adam(0.01)).biasUpdater(new Sgd(0.1)))),
                Arguments.of("Nesterovs, NoOp bias", network(b -> b.updater(new Nesterovs(0.05, 0.9))
                        .biasUpdater(new NoOp()))),
                Arguments.of("Sgd, AMSGrad bias with l2Bias and weightDecayBias", network(b -> b.updater(new Sgd(0.1))
                        .biasUpdater(new AMSGrad(0.02)).l2Bias(1e-2).weightDecayBias(1e-2, true))),
                Arguments.of("RmsProp, Nesterovs bias on one layer", network(b -> b.updater(new RmsProp(0.01)),
                        new DenseLayer.Builder().nIn(16).nOut(12).activation(Activation.RELU)
                                .biasUpdater(new Nesterovs(0.02, 0.8)).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("biasUpdaters")
    void biasUpdatersOfTheirOwnTrainAsOnTheCpu(String name, MultiLayerConfiguration conf) {
        TrainingParity.assertTrainingParity(name, conf, SpiNNakerOptions.defaults(), TrainingParity.Labels.ONE_HOT,
                BATCHES, BATCH_SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("updaters")
    void everyUpdaterTrainsAsOnTheCpu(String name, MultiLayerConfiguration conf) {
        TrainingParity.assertTrainingParity(name, conf, SpiNNakerOptions.defaults(), TrainingParity.Labels.ONE_HOT,
                BATCHES, BATCH_SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("regularization")
    void everyRegularizationTrainsAsOnTheCpu(String name, MultiLayerConfiguration conf) {
        TrainingParity.assertTrainingParity(name, conf, SpiNNakerOptions.defaults(), TrainingParity.Labels.ONE_HOT,
                BATCHES, BATCH_SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void combinationsTrainAsOnTheCpu(String name, MultiLayerConfiguration conf) {
        TrainingParity.assertTrainingParity(name, conf, SpiNNakerOptions.defaults(), TrainingParity.Labels.ONE_HOT,
                BATCHES, BATCH_SIZE);
    }
}
