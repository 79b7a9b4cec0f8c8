package org.spinnaker4j.backend;

import java.util.List;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.AdaBelief;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.spinnaker4j.backend.frontend.Problem;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;

/** init() rejects every unsupported layer and option in one exception that lists them all. */
class FrontEndRejectionTest {

    @Test
    void lstmIsRejectedAtInitWithItsIndexAndType() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new LSTM.Builder().nIn(10).nOut(20).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nIn(20).nOut(5).build())
                .build();
        SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(conf);
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class, net::init);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertEquals(new Problem(0, "LSTM", "layer type LSTM is not supported"), e.problems().get(0));
        assertEquals(1, e.problems().get(1).layerIndex());
        assertTrue(e.getMessage().contains("layer 0 (LSTM)"), e.getMessage());
        assertTrue(e.getMessage().contains("layer 1 (RnnOutputLayer)"), e.getMessage());
        assertTrue(e.getMessage().contains("Supported: DenseLayer and OutputLayer"), e.getMessage());
    }

    @Test
    void everyProblemOfEveryLayerIsListedTogether() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).dropOut(new GaussianDropout(0.5)).activation(Activation.RELU)
                        .build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.HARDSIGMOID).build())
                .layer(new ElementWiseMultiplicationLayer.Builder().nIn(8).nOut(8).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(8).nOut(3).activation(Activation.IDENTITY).build())
                .build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf).init());
        assertEquals(3, e.problems().size(), e.getMessage());
        assertEquals(0, e.problems().get(0).layerIndex());
        assertTrue(e.problems().get(0).reason().contains("dropout GaussianDropout"), e.getMessage());
        assertEquals(1, e.problems().get(1).layerIndex());
        assertTrue(e.problems().get(1).reason().contains("activation hardsigmoid"), e.getMessage());
        assertEquals(new Problem(2, "ElementWiseMultiplicationLayer",
                "layer type ElementWiseMultiplicationLayer is not supported"),
                e.problems().get(2));
    }

    @Test
    void doublePrecisionNetworksAreRejected() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(3).activation(Activation.IDENTITY).build())
                .build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf).init());
        assertEquals(-1, e.problems().get(0).layerIndex());
        assertTrue(e.getMessage().contains("DOUBLE"), e.getMessage());
    }

    @Test
    void reluWithAThresholdIsRejected() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(3)
                        .activation(new org.nd4j.linalg.activations.impl.ActivationReLU(6.0, 0.0, 0.0)).build())
                .build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf).init());
        assertTrue(e.getMessage().contains("max/threshold/negativeSlope"), e.getMessage());
    }

    /** Precise GELU, a threshold beyond float32 and the random RReLU are listed, with the layer each is in. */
    @Test
    void activationsTheKernelsDoNotComputeAreListed() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(new ActivationGELU(true)).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(new ActivationThresholdedReLU(1e39)).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(8).nOut(3).activation(Activation.RRELU).build())
                .build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf).init());
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).reason().contains("gelu(precise=true)"), e.getMessage());
        assertEquals(1, e.problems().get(1).layerIndex());
        assertTrue(e.problems().get(1).reason().contains("theta 1.0E39"), e.getMessage());
        assertEquals(2, e.problems().get(2).layerIndex());
        assertTrue(e.problems().get(2).reason().contains("activation rrelu"), e.getMessage());
    }

    @Test
    void unsupportedTrainingOptionsAreListedAtInit() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(new AdaBelief(0.01)).l2(1e-4)
                .gradientNormalization(GradientNormalization.ClipL2PerLayer).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU)
                        .regularization(List.of(new WeightDecay(new ExponentialSchedule(ScheduleType.ITERATION, 1e-3,
                                0.9), true), new WeightDecay(1e-3, true))).build())
                .layer(new OutputLayer.Builder(LossFunction.XENT).nIn(8).nOut(3).activation(Activation.SOFTMAX)
                        .updater(new RmsProp(0.01)).biasUpdater(new AdaBelief(0.5))
                        .regularizationBias(List.of(new L2Regularization(1e-3), new L2Regularization(1e-4))).build())
                .validateOutputLayerConfig(false) // DL4J's own check refuses XENT under a softmax too
                .build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf).init());
        String m = e.getMessage();
        assertTrue(m.contains("layer 0 (DenseLayer): updater AdaBelief is not supported; use Sgd, Nesterovs, Adam, "
                + "AdaMax, Nadam, AMSGrad, AdaGrad, AdaDelta, RmsProp or NoOp"), m);
        assertTrue(m.contains("layer 0 (DenseLayer): regularization lists weight decays that differ"), m);
        assertFalse(m.contains("with a schedule"), "schedules are supported: " + m);
        assertTrue(m.contains("layer 1 (OutputLayer): biasUpdater AdaBelief is not supported"), m);
        assertTrue(m.contains("layer 1 (OutputLayer): regularizationBias lists L2Regularization twice"), m);
        assertFalse(m.contains("layer 1 (OutputLayer): updater"), m);
        assertFalse(m.contains("ClipL2PerLayer"), "gradient normalization is supported: " + m);
        assertTrue(m.contains("XENT with a softmax activation is not supported"), m);
    }

    @Test
    void lossOptionsTheCoresCannotComputeExactlyAreListedAtInit() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(new LossMCXENT(1e-6, Nd4j.createFromArray(1f, 2f))).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf).init());
        String m = e.getMessage();
        assertTrue(m.contains("layer 0 (OutputLayer): MCXENT with softmaxClipEps 1.0E-6 is not supported"), m);
        assertTrue(m.contains("layer 0 (OutputLayer): the loss has 2 weights but the layer has nOut 3"), m);
        MultiLayerConfiguration xent = new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(new LossBinaryXENT(1e-3)).nIn(4).nOut(3)
                        .activation(Activation.SIGMOID).build())
                .build();
        e = assertThrows(UnsupportedNetworkException.class, () -> new SpiNNakerMultiLayerNetwork(xent).init());
        assertTrue(e.getMessage().contains("XENT with clipEps 0.001 is not supported"), e.getMessage());
    }

    @Test
    void aNetworkWithoutAnOutputLayerRunsInferenceButCannotTrain() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build())
                .build();
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(conf)) {
            net.init();
            assertEquals(5, net.output(org.nd4j.linalg.factory.Nd4j.rand(5, 4)).rows());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> net.fit(org.nd4j.linalg.factory.Nd4j.rand(5, 4), org.nd4j.linalg.factory.Nd4j.rand(5, 3)));
            assertTrue(e.getMessage().contains("needs an OutputLayer"), e.getMessage());
        }
    }
}
