package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianNoise;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
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
import org.spinnaker4j.backend.frontend.DropoutTranslator;
import org.spinnaker4j.backend.frontend.Problem;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.kernels.KernelCore;

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
    void fitTrainsAndTheOtherTrainingEntryPointsNameTheLayersWithDropout() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 6);
        INDArray y = Nd4j.eye(4).getRows(0, 1, 2, 3, 0).castTo(DataType.FLOAT);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).list()
                .layer(new DropoutLayer(0.7))
                .layer(new DenseLayer.Builder().nIn(6).nOut(12).activation(Activation.TANH).build())
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(12).nOut(4).activation(Activation.SOFTMAX)
                        .build())
                .build();
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(conf)) {
            net.init();
            INDArray params = net.params().dup();
            List<Runnable> training = List.of(() -> net.output(x, true), () -> net.feedForward(x, true),
                    () -> net.score(new DataSet(x, y), true));
            for (Runnable entryPoint : training) {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, entryPoint::run);
                assertTrue(e.getMessage().contains("layer 0 (DropoutLayer, Dropout(p=0.7)")
                        && e.getMessage().contains("layer 2 (DropoutLayer, Dropout(p=0.5)")
                        && e.getMessage().contains("dropout runs in fit(...) only"), e.getMessage());
            }
            assertEquals(params, net.params(), "nothing trained");
            net.fit(x, y);
            net.fit(new DataSet(x, y));
            assertEquals(2, net.getIterationCount());
            assertTrue(Double.isFinite(net.score()));
            assertEquals(List.of(5L, 4L), List.of(net.output(x).shape()[0], net.output(x).shape()[1]));
            assertEquals(5, net.feedForward(x).size(), "the input and four layers, as DL4J numbers them");
            assertTrue(Double.isFinite(net.score(new DataSet(x, y))));
        }
    }

    /**
     * An input dropped twice is named by fit, which trains nothing; a DropoutLayer after the output layer leaves no
     * output layer last, which fit refuses as DL4J's does.
     */
    @Test
    void fitNamesDropoutsTheCoresCannotApply() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 6);
        INDArray y = Nd4j.eye(4).getRows(0, 1, 2, 3, 0).castTo(DataType.FLOAT);
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(withDropout())) {
            net.init();
            INDArray params = net.params().dup();
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> net.fit(x, y));
            assertTrue(e.getMessage().contains("layer 1 (DenseLayer, its input dropped twice")
                    && e.getMessage().contains("layer 3 (OutputLayer, its input dropped twice"), e.getMessage());
            assertEquals(params, net.params(), "nothing trained");
            assertEquals(0, net.getIterationCount());
        }
        MultiLayerConfiguration last = new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(6).nOut(4).build())
                .layer(new DropoutLayer(0.5))
                .build();
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(last)) {
            net.init();
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> net.fit(x, y));
            assertTrue(e.getMessage().startsWith("fit needs an OutputLayer"), e.getMessage());
        }
    }

    /**
     * Dropout in networks of pooling and 2-D convolutions trains (DropoutTrainingParityTest checks the masks): a
     * pooling layer after a DropoutLayer along a sequence, 2-D convolutions whose input is dropped (by their own
     * dropOut or a DropoutLayer), a dense layer over an image with its own dropOut; a pooling layer's own dropOut
     * (which DL4J ignores) does not count as a second dropout after a DropoutLayer.
     */
    @Test
    void fitTrainsDropoutOnPoolingAndImages() {
        MultiLayerConfiguration sequence = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT).list()
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(4).kernelSize(3).activation(Activation.TANH)
                        .build())
                .layer(new DropoutLayer(0.5))
                .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).dropOut(0.5).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(4).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(3, 8)).build();
        INDArray y = Nd4j.eye(3).getRows(0, 1, 2, 0, 1).castTo(DataType.FLOAT);
        assertTrains(sequence, SpiNNakerOptions.builder().sequenceLength(8).build(),
                Nd4j.rand(DataType.FLOAT, 5, 3, 8), y);
        MultiLayerConfiguration convolutions = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder().nOut(2).kernelSize(3, 3).activation(Activation.TANH)
                        .dropOut(0.8).build())
                .layer(new DropoutLayer(0.5))
                .layer(new ConvolutionLayer.Builder().nOut(2).kernelSize(2, 2).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(5).dropOut(0.5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(6, 6, 1)).build();
        assertTrains(convolutions, SpiNNakerOptions.builder().build(), Nd4j.rand(DataType.FLOAT, 5, 36), y);
    }

    /** fit takes a mini-batch of the network on the machine: one iteration, the parameters changed, no drop. */
    private static void assertTrains(MultiLayerConfiguration conf, SpiNNakerOptions options, INDArray x, INDArray y) {
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(conf, options)) {
            net.init();
            INDArray params = net.params().dup();
            net.fit(x, y);
            assertEquals(1, net.getIterationCount());
            assertTrue(!params.equals(net.params()), "the parameters changed");
            assertEquals(0, net.lastTrainingStats().packetsDropped(), net.lastTrainingStats().describeDrops());
        }
    }

    /** 8 → 16 tanh → 3 MSE, each layer's input dropped at {@code p} (Sgd 0.1, seed {@code seed}), or not (p 0). */
    private static MultiLayerConfiguration small(long seed, double p) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(seed).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT);
        if (p > 0) {
            b.dropOut(p);
        }
        return b.list()
                .layer(new DenseLayer.Builder().nIn(8).nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(16).nOut(3).activation(Activation.IDENTITY).build())
                .build();
    }

    /** The parameters and every fit score after 4 mini-batches of 8 on the machine, from DL4J's initial parameters. */
    private static float[] trained(MultiLayerConfiguration conf, INDArray initial, List<Double> scores) {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 32, 8);
        INDArray y = Nd4j.rand(DataType.FLOAT, 32, 3);
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(conf)) {
            net.init();
            net.setParams(initial);
            for (int b = 0; b < 4; b++) {
                net.fit(x.getRows(b * 8, b * 8 + 1, b * 8 + 2, b * 8 + 3, b * 8 + 4, b * 8 + 5, b * 8 + 6, b * 8 + 7),
                        y.getRows(b * 8, b * 8 + 1, b * 8 + 2, b * 8 + 3, b * 8 + 4, b * 8 + 5, b * 8 + 6, b * 8 + 7));
                scores.add(net.score());
            }
            return net.params().data().asFloat();
        }
    }

    /**
     * p = 1 trains exactly as no dropout; the same seed repeats a run bit for bit; another seed draws other masks
     * (the cores' masks come from the seed, not from a generator's state).
     */
    @Test
    void masksFollowTheSeedAndPOneIsNoDropout() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(small(11, 0));
        cpu.init();
        INDArray initial = cpu.params().dup();
        List<Double> none = new java.util.ArrayList<>();
        List<Double> one = new java.util.ArrayList<>();
        List<Double> first = new java.util.ArrayList<>();
        List<Double> again = new java.util.ArrayList<>();
        List<Double> other = new java.util.ArrayList<>();
        float[] noDropout = trained(small(11, 0), initial, none);
        assertTrue(java.util.Arrays.equals(noDropout, trained(small(11, 1.0), initial, one)), "p = 1");
        assertEquals(none, one);
        float[] a = trained(small(11, 0.5), initial, first);
        assertTrue(java.util.Arrays.equals(a, trained(small(11, 0.5), initial, again)), "the same seed");
        assertEquals(first, again);
        assertTrue(!java.util.Arrays.equals(a, noDropout), "dropout changes the trajectory");
        assertTrue(!java.util.Arrays.equals(a, trained(small(12, 0.5), initial, other)), "another seed");
    }

    /**
     * The cores' masks, reconstructed on the host from their hash: for each of several p and every layer of a
     * network, over 20 mini-batches of 32 samples of 64 inputs, the fraction kept is within 5 standard deviations of
     * p, and so is the fraction kept by both of two layers (p²: the layers' masks independent), and by both of two
     * consecutive samples and of two consecutive iterations.
     */
    @Test
    void theCoresMasksKeepAFractionPWithinBinomialBounds() {
        int iterations = 20;
        int samples = 32;
        int inputs = 64;
        long n = (long) iterations * samples * inputs;
        for (float p : new float[] {0.1f, 0.5f, 0.8f, 0.95f}) {
            for (int layer = 0; layer < 4; layer++) {
                long kept = 0;
                long keptByNext = 0;
                long keptNextSample = 0;
                long keptNextIteration = 0;
                for (int it = 0; it < iterations; it++) {
                    int stream = DropoutTranslator.stream(7, it, layer);
                    int nextLayer = DropoutTranslator.stream(7, it, layer + 1);
                    int nextIteration = DropoutTranslator.stream(7, it + 1, layer);
                    for (int s = 0; s < samples; s++) {
                        for (int i = 0; i < inputs; i++) {
                            boolean k = kept(stream, s, i, p);
                            kept += k ? 1 : 0;
                            keptByNext += k && kept(nextLayer, s, i, p) ? 1 : 0;
                            keptNextSample += k && kept(stream, s + 1, i, p) ? 1 : 0;
                            keptNextIteration += k && kept(nextIteration, s, i, p) ? 1 : 0;
                        }
                    }
                }
                String what = "p " + p + ", layer " + layer + ": ";
                assertTrue(binomial(kept, n, p), what + kept + " of " + n + " kept");
                assertTrue(binomial(keptByNext, n, p * p), what + keptByNext + " kept by the next layer too");
                assertTrue(binomial(keptNextSample, n, p * p), what + keptNextSample + " kept in the next sample too");
                assertTrue(binomial(keptNextIteration, n, p * p), what + keptNextIteration
                        + " kept in the next iteration too");
            }
        }
    }

    private static boolean kept(int stream, int sample, int index, float p) {
        return KernelCore.dropoutKeeps(KernelCore.dropoutHash(stream, sample, index), p);
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
     * DL4J 1.0.0-M2.1's Convolution1DLayer drops its input in training (dW, from x = 1, is zero for each input channel
     * dropped) but its own backpropGradient does not pass the gradient back through the mask (no
     * {@code backpropDropOutIfPresent}): the input's gradient is not zero there. The cores do the same.
     */
    @Test
    void dl4jConv1DBackwardDoesNotMask() {
        int channels = 64;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new Convolution1DLayer.Builder().nIn(channels).nOut(3).kernelSize(1)
                        .activation(Activation.IDENTITY).dropOut(0.5).build())
                .inputPreProcessor(1, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(3).nOut(2).activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf);
        cpu.init();
        Pair<Gradient, INDArray> g = cpu.calculateGradients(Nd4j.ones(DataType.FLOAT, 1, channels, 1),
                Nd4j.zeros(DataType.FLOAT, 1, 2), null, null);
        INDArray dW = g.getFirst().getGradientFor("0_W");
        int axis = 0;
        while (dW.size(axis) != channels) {
            axis++;
        }
        int[] others = new int[dW.rank() - 1];
        for (int a = 0, k = 0; a < dW.rank(); a++) {
            if (a != axis) {
                others[k++] = a;
            }
        }
        INDArray perChannel = org.nd4j.linalg.ops.transforms.Transforms.abs(dW).sum(others);
        INDArray epsilon = g.getSecond().reshape(channels);
        int dropped = 0;
        for (int c = 0; c < channels; c++) {
            if (perChannel.getFloat(c) == 0f) {
                dropped++;
                assertTrue(epsilon.getFloat(c) != 0f, "channel " + c + " dropped, its gradient passed back unmasked");
            }
        }
        assertTrue(dropped > 0 && dropped < channels, dropped + " of " + channels + " dropped");
    }

    /**
     * DL4J's ConvolutionLayer, unlike its Convolution1DLayer, masks the gradient it passes back with its own
     * dropOut's mask ({@code backpropDropOutIfPresent}): a 1 × 1 kernel over 64 channels of one pixel, the channels
     * whose dW is 0 (dropped) get 0 back, the others not.
     */
    @Test
    void dl4jConv2DBackwardMasks() {
        int channels = 64;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder().nIn(channels).nOut(3).kernelSize(1, 1)
                        .activation(Activation.IDENTITY).dropOut(0.5).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(1, 1, channels)).build();
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf);
        cpu.init();
        Pair<Gradient, INDArray> g = cpu.calculateGradients(Nd4j.ones(DataType.FLOAT, 1, channels, 1, 1),
                Nd4j.zeros(DataType.FLOAT, 1, 2), null, null);
        // W[out, in, 1, 1]: a dropped input channel has no weight gradient
        INDArray perChannel = org.nd4j.linalg.ops.transforms.Transforms.abs(g.getFirst().getGradientFor("0_W"))
                .sum(0, 2, 3);
        INDArray epsilon = g.getSecond().reshape(channels);
        int dropped = 0;
        for (int c = 0; c < channels; c++) {
            boolean isDropped = perChannel.getFloat(c) == 0f;
            dropped += isDropped ? 1 : 0;
            assertEquals(isDropped, epsilon.getFloat(c) == 0f, "channel " + c + ": dropped " + isDropped
                    + ", gradient passed back " + epsilon.getFloat(c));
        }
        assertTrue(dropped > 0 && dropped < channels, dropped + " of " + channels + " dropped");
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
