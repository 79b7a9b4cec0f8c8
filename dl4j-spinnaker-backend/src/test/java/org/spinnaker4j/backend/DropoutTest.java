package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianNoise;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.common.primitives.Pair;
import org.spinnaker4j.backend.frontend.Problem;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;

/**
 * Dropout ({@code dropOut(p)} and {@code DropoutLayer}): networks with it map and run outside training; the entry
 * points that would apply it throw, naming the layers; the other dropouts are refused by name. The last tests pin
 * what DL4J 1.0.0-M2.1 does on nd4j-native, which training with dropout on the cores will have to match.
 */
class DropoutTest {

    /** 6 → DropoutLayer → 12 tanh (dropOut 0.8) → DropoutLayer → 4 softmax (dropOut 0.9). */
    private static MultiLayerConfiguration withDropout() {
        return new NeuralNetConfiguration.Builder().seed(7).list()
                .layer(new DropoutLayer(0.7))
                .layer(new DenseLayer.Builder().nIn(6).nOut(12).activation(Activation.TANH).dropOut(0.8).build())
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(12).nOut(4).activation(Activation.SOFTMAX)
                        .dropOut(0.9).build())
                .build();
    }

    @Test
    void dropoutsOtherThanDropoutAreNamed() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).dropOut(new AlphaDropout(0.5)).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).dropOut(new GaussianDropout(0.5)).build())
                .layer(new DropoutLayer(new GaussianNoise(0.1)))
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).dropOut(new SpatialDropout(0.5)).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(8).nOut(3).dropOut(0.5).build())
                .build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf).init());
        List<Problem> problems = e.problems();
        assertEquals(4, problems.size(), e.getMessage());
        String[] names = {"AlphaDropout", "GaussianDropout", "GaussianNoise", "SpatialDropout"};
        for (int i = 0; i < names.length; i++) {
            assertEquals(i, problems.get(i).layerIndex(), e.getMessage());
            assertTrue(problems.get(i).reason().startsWith("dropout " + names[i] + " is not supported"), e.getMessage());
        }
        assertEquals("DropoutLayer", problems.get(2).layerType());
    }

    @Test
    void trainingEntryPointsNameTheLayersWithDropout() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 6);
        INDArray y = Nd4j.eye(4).getRows(0, 1, 2, 3, 0).castTo(DataType.FLOAT);
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(withDropout())) {
            net.init();
            INDArray params = net.params().dup();
            List<Runnable> training = List.of(() -> net.fit(x, y), () -> net.fit(new DataSet(x, y)),
                    () -> net.output(x, true), () -> net.feedForward(x, true), () -> net.score(new DataSet(x, y), true));
            for (Runnable entryPoint : training) {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, entryPoint::run);
                assertTrue(e.getMessage().contains("layer 0 (DropoutLayer, Dropout(p=0.7)")
                        && e.getMessage().contains("layer 1 (DenseLayer, Dropout(p=0.8)")
                        && e.getMessage().contains("layer 2 (DropoutLayer, Dropout(p=0.5)")
                        && e.getMessage().contains("layer 3 (OutputLayer, Dropout(p=0.9)"), e.getMessage());
            }
            assertEquals(params, net.params(), "nothing trained");
            assertEquals(0, net.getIterationCount());
            assertEquals(List.of(5L, 4L), List.of(net.output(x).shape()[0], net.output(x).shape()[1]));
            assertEquals(5, net.feedForward(x).size(), "the input and four layers, as DL4J numbers them");
            assertTrue(Double.isFinite(net.score(new DataSet(x, y))));
        }
    }

    /** n → n identity layers with W = I and b = 0, the first (if two) and the last with the given retain p. */
    private static MultiLayerNetwork identities(int n, double pFirst, double pLast) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0))
                .list();
        if (pFirst > 0) {
            list.layer(new DenseLayer.Builder().nIn(n).nOut(n).activation(Activation.IDENTITY).dropOut(pFirst).build());
        }
        list.layer(new OutputLayer.Builder(LossFunction.MSE).nIn(n).nOut(n).activation(Activation.IDENTITY)
                .dropOut(pLast).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        for (int l = 0; l < net.getnLayers(); l++) {
            net.getLayer(l).setParam("W", Nd4j.eye(n).castTo(DataType.FLOAT));
            net.getLayer(l).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, n));
        }
        return net;
    }

    /** Whether {@code count} of {@code n} Bernoulli(p) draws is within 5 standard deviations of n p. */
    private static boolean binomial(long count, long n, double p) {
        return Math.abs(count - n * p) <= 5 * Math.sqrt(n * p * (1 - p));
    }

    /**
     * DL4J drops each layer's input, the first layer's (the features) and the output layer's included, in training
     * forward passes only: each value independently kept with probability p and scaled by exactly 1/p.
     */
    @Test
    void dl4jDropsEachLayersInputInTrainingOnly() {
        MultiLayerNetwork cpu = identities(40, 0.5, 0.25);
        INDArray x = Nd4j.ones(DataType.FLOAT, 50, 40);
        assertEquals(x, cpu.output(x, false));
        assertEquals(List.of(x, x, x), cpu.feedForward(x, false));
        List<INDArray> train = cpu.feedForward(x, true);
        float[] first = train.get(1).data().asFloat();
        float[] last = train.get(2).data().asFloat();
        long keptBoth = 0;
        for (int k = 0; k < first.length; k++) {
            assertTrue(last[k] == 0f || last[k] == 8f, "(x m / 0.5) m' / 0.25: " + last[k]);
            // feedForward(x, true) hands back layer 0's activations as layer 1's dropout left them, in place
            assertEquals(last[k], first[k], "layer 0's activation " + k);
            keptBoth += last[k] != 0f ? 1 : 0;
        }
        assertTrue(binomial(keptBoth, first.length, 0.125), keptBoth + " of " + first.length + " kept at p 0.5 · 0.25");
    }

    /**
     * DL4J's backward pass multiplies the input's gradient by the forward pass's mask / p: with x = 1 and W = I, the
     * input's gradient is dW's diagonal (both 2 m_i δ_i), zero exactly where the value was dropped.
     */
    @Test
    void dl4jBackwardUsesTheForwardMask() {
        MultiLayerNetwork cpu = identities(64, 0, 0.5);
        Pair<Gradient, INDArray> g = cpu.calculateGradients(Nd4j.ones(DataType.FLOAT, 1, 64),
                Nd4j.zeros(DataType.FLOAT, 1, 64), null, null);
        INDArray dW = g.getFirst().getGradientFor("0_W");
        INDArray epsilon = g.getSecond();
        int dropped = 0;
        for (int i = 0; i < 64; i++) {
            assertEquals(dW.getFloat(i, i), epsilon.getFloat(0, i), "input " + i);
            dropped += epsilon.getFloat(0, i) == 0f ? 1 : 0;
        }
        assertTrue(dropped > 0 && dropped < 64, dropped + " of 64 dropped");
    }

    /**
     * The score DL4J's fit reports (the one listeners see) comes from its training forward pass, dropout applied;
     * score(DataSet) scores without: here 0 (the identity maps x onto its labels) against 1.
     */
    @Test
    void dl4jFitScoresWithDropout() {
        MultiLayerNetwork cpu = identities(32, 0, 0.5);
        INDArray x = Nd4j.ones(DataType.FLOAT, 8, 32);
        DataSet data = new DataSet(x, x.dup());
        cpu.fit(data);
        // every value is 2 or 0 against its label 1: a squared error of 1 each
        assertEquals(1.0, cpu.score(), 0.0, "fit's score");
        assertEquals(0.0, cpu.score(data), 0.0);
    }
}
