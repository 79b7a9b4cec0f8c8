package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * 2-D ConvolutionLayer inference (NCHW) equals nd4j-native's within 1e-4, alone and before the dense layers behind
 * DL4J's CnnToFeedForwardPreProcessor, for every partitioning strategy, with TDMA and no drops; its parameter layout
 * is probed one parameter at a time; what it does not support is listed at init() and fit is refused.
 */
class Conv2DParityTest {

    /** One layer's case: image, kernel, stride, padding, mode, and what it makes. */
    record Case(String name, int channels, int height, int width, int nOut, int[] kernel, int[] stride,
            int[] padding, ConvolutionMode mode, Activation activation, boolean bias) {

        ConvolutionLayer layer() {
            return new ConvolutionLayer.Builder().nIn(channels).nOut(nOut).kernelSize(kernel).stride(stride)
                    .padding(padding).convolutionMode(mode).activation(activation).hasBias(bias).build();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("kernel 3, Same, 1 channel", 1, 8, 7, 4, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0},
                    ConvolutionMode.Same, Activation.TANH, true),
            new Case("kernel 5, stride 2, padding 2, Truncate, 3 channels", 3, 9, 8, 5, new int[] {5, 5},
                    new int[] {2, 2}, new int[] {2, 2}, ConvolutionMode.Truncate, Activation.RELU, true),
            new Case("kernel 5, stride 2, Same, 1 channel", 1, 10, 9, 6, new int[] {5, 5}, new int[] {2, 2},
                    new int[] {0, 0}, ConvolutionMode.Same, Activation.LEAKYRELU, true),
            new Case("kernel 3 × 5, stride 2 × 1, padding 1 × 2, Truncate, 3 channels", 3, 7, 9, 3,
                    new int[] {3, 5}, new int[] {2, 1}, new int[] {1, 2}, ConvolutionMode.Truncate,
                    Activation.SIGMOID, true),
            new Case("kernel 3, stride 1 × 2, padding 1, Strict, 3 channels", 3, 6, 7, 7, new int[] {3, 3},
                    new int[] {1, 2}, new int[] {1, 1}, ConvolutionMode.Strict, Activation.ELU, true),
            new Case("kernel 3, stride 2, Truncate, no bias, 13 channels out", 2, 9, 9, 13, new int[] {3, 3},
                    new int[] {2, 2}, new int[] {0, 0}, ConvolutionMode.Truncate, Activation.IDENTITY, false));

    static Stream<Arguments> layers() {
        List<Arguments> cases = new ArrayList<>();
        for (Case c : CASES) {
            for (PartitioningStrategy s : PartitioningStrategy.values()) {
                cases.add(Arguments.of(c, s));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("layers")
    void singleLayer(Case c, PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(c.name().length()).layer(c.layer())
                .setInputType(InputType.convolutional(c.height(), c.width(), c.channels())).build();
        Parity.assertParity(conf, Parity.imageOptions(strategy, c.height(), c.width()),
                Parity.images(12, c.channels(), c.height(), c.width(), c.name().length()));
    }

    /**
     * Conv → Conv → Dense → softmax Output on flat input (InputType.convolutionalFlat: a FeedForwardToCnnPreProcessor
     * in front, which gives the image size; a CnnToFeedForwardPreProcessor before the Dense layer): 2 × 7 × 6 → 3 ×
     * 7 × 6 → 5 × 3 × 2 → 12 → 5. Small enough for NEURON_PER_CORE, whose relay of the second convolution listens to
     * one key range per neuron of its field (3 rows × 6 columns × 3 channels: 54).
     */
    static MultiLayerConfiguration stack() {
        return Parity.list(21)
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder().nOut(5).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(12).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(5).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(7, 6, 2)).build();
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void convConvDenseOutput(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = stack();
        assertEquals(FeedForwardToCnnPreProcessor.class, conf.getInputPreProcessors().get(0).getClass());
        assertEquals(CnnToFeedForwardPreProcessor.class, conf.getInputPreProcessors().get(2).getClass());
        INDArray x = Parity.images(15, 2, 7, 6, 21).reshape(15, 2 * 7 * 6);
        Parity.assertParity(conf, SpiNNakerOptions.builder().partitioning(strategy).inferenceOnly().build(), x);
    }

    /**
     * A LeNet-like chain of MNIST's size: 28 × 28 × 1 → (kernel 5) 24 × 24 × 8 → (kernel 5, stride 2, Same) 12 × 12 ×
     * 16 → Dense 32 → 10. The dense layer's relay gathers the whole image (2,304 values) from every block of the
     * convolution before it, one value per sender: it maps because a relay keeps one slot row of its field, not one
     * per sender. Parity, no drop and no TDMA overrun.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void lenetLikeChain(PartitioningStrategy strategy) {
        RunStats stats = Parity.assertParity(ReferenceNetworks.lenetLikeChain(),
                SpiNNakerOptions.builder().partitioning(strategy).inferenceOnly().build(),
                Parity.images(12, 1, 28, 28, 29).reshape(12, 28 * 28));
        assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
    }

    /** InputType.convolutional: no preprocessor in front, the options give the size; the output layer reads the image. */
    @Test
    void convThenOutputOnNchwInput() {
        MultiLayerConfiguration conf = Parity.list(22)
                .layer(new ConvolutionLayer.Builder().nOut(4).kernelSize(3, 2).stride(1, 2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.SWISH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 8, 3)).build();
        Parity.assertParity(conf, Parity.imageOptions(PartitioningStrategy.FASTEST, 6, 8), Parity.images(10, 3, 6, 8, 22));
    }

    @Test
    void everyLayerThroughFeedForward() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(stack());
        cpu.init();
        INDArray x = Parity.images(6, 2, 7, 6, 23).reshape(6, 2 * 7 * 6);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu,
                SpiNNakerOptions.builder().partitioning(PartitioningStrategy.FEWEST_CORES).inferenceOnly().build())) {
            List<INDArray> expected = cpu.feedForward(x);
            List<INDArray> actual = machine.feedForward(x);
            assertEquals(expected.size(), actual.size());
            for (int i = 1; i < expected.size(); i++) {
                assertEquals(Arrays.toString(expected.get(i).shape()), Arrays.toString(actual.get(i).shape()));
                double diff = Transforms.abs(actual.get(i).sub(expected.get(i))).maxNumber().doubleValue();
                assertTrue(diff < Parity.TOLERANCE, "activation " + i + ": max |diff| " + diff);
            }
            assertEquals(0, machine.lastFeedForwardStats().packetsDropped());
        }
    }

    /**
     * score(DataSet) runs on the machine (forward and backward passes of the training mapping, no update); fit is
     * {@link Conv2DTrainingParityTest}'s.
     */
    @Test
    void scoreRuns() {
        MultiLayerConfiguration conf = stack();
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        INDArray x = Parity.images(8, 2, 7, 6, 24).reshape(8, 2 * 7 * 6);
        DataSet data = new DataSet(x, TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 8, 5, 24));
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                SpiNNakerOptions.builder().partitioning(PartitioningStrategy.FEWEST_CORES).build())) {
            machine.init();
            machine.setParams(cpu.params());
            double expected = cpu.score(data);
            double actual = machine.score(data);
            assertEquals(expected, actual, TrainingParity.SCORE_TOLERANCE * Math.abs(expected));
            assertEquals(0, machine.lastScoreStats().packetsDropped(), machine.lastScoreStats().describeDrops());
        }
    }

    /**
     * DL4J keeps a ConvolutionLayer's bias first, then W[out, in, kernel row, kernel column] in 'c' order: probed
     * one parameter at a time on nd4j-native, each checked against the formula, then on the machine.
     */
    @Test
    void parameterLayoutByOneHotProbes() {
        int nIn = 2;
        int nOut = 2;
        int kh = 2;
        int kw = 3;
        int h = 4;
        int w = 5;
        MultiLayerConfiguration conf = Parity.list(25).layer(new ConvolutionLayer.Builder().nIn(nIn).nOut(nOut)
                .kernelSize(kh, kw).convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(h, w, nIn)).build();
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        INDArray x = Parity.images(1, nIn, h, w, 25);
        assertEquals(nOut + nOut * nIn * kh * kw, cpu.numParams());
        int oh = h - kh + 1;
        int ow = w - kw + 1;
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                Parity.imageOptions(PartitioningStrategy.FEWEST_CORES, h, w))) {
            machine.init();
            for (int p = 0; p < cpu.numParams(); p++) {
                INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 1, cpu.numParams());
                oneHot.putScalar(0, p, 1.0);
                cpu.setParams(oneHot);
                machine.setParams(oneHot);
                INDArray out = cpu.output(x);
                INDArray expected = Nd4j.zeros(DataType.FLOAT, 1, nOut, oh, ow);
                for (int y = 0; y < oh; y++) {
                    for (int c = 0; c < ow; c++) {
                        if (p < nOut) {
                            expected.putScalar(new int[] {0, p, y, c}, 1.0);
                            continue;
                        }
                        int k = p - nOut;
                        int o = k / (nIn * kh * kw);
                        int in = k / (kh * kw) % nIn;
                        int ky = k / kw % kh;
                        int kx = k % kw;
                        expected.putScalar(new int[] {0, o, y, c}, x.getFloat(0, in, y + ky, c + kx));
                    }
                }
                assertTrue(Transforms.abs(out.sub(expected)).maxNumber().doubleValue() < 1e-6,
                        "parameter " + p + ": CPU " + out + ", formula " + expected);
                double diff = Transforms.abs(machine.output(x).sub(out)).maxNumber().doubleValue();
                assertTrue(diff < Parity.TOLERANCE, "parameter " + p + " on the machine: max |diff| " + diff);
            }
        }
    }

    /** setInputType gives every ConvolutionLayer the input type's data format: NHWC is listed for each. */
    @Test
    void unsupportedOptionsAreListedWithTheirLayers() {
        MultiLayerConfiguration conf = Parity.list(26)
                .layer(new ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3).dilation(2, 1)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.SOFTMAX).build())
                .layer(new DepthwiseConvolution2D.Builder().nOut(4).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new SeparableConvolution2D.Builder().nOut(4).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .setInputType(InputType.convolutional(8, 8, 3, CNN2DFormat.NHWC)).build();
        SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf, Parity.imageOptions(PartitioningStrategy.FASTEST,
                8, 8));
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class, machine::init);
        String m = e.getMessage();
        assertTrue(m.contains("layer 0 (ConvolutionLayer): dilation 2 × 1"), m);
        assertTrue(m.contains("layer 0 (ConvolutionLayer): data format NHWC"), m);
        assertTrue(m.contains("layer 1 (ConvolutionLayer): softmax"), m);
        assertTrue(m.contains("layer 2 (DepthwiseConvolution2D): layer type DepthwiseConvolution2D is not supported"),
                m);
        assertTrue(m.contains("layer 3 (SeparableConvolution2D): layer type SeparableConvolution2D is not supported"),
                m);
    }

    @Test
    void theImageSizeMustBeGiven() {
        MultiLayerConfiguration conf = Parity.list(27).layer(CASES.get(0).layer())
                .setInputType(InputType.convolutional(8, 7, 1)).build();
        SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf,
                SpiNNakerOptions.builder().inferenceOnly().build());
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class, machine::init);
        assertTrue(e.getMessage().contains("imageSize(h, w)"), e.getMessage());
    }

    @Test
    void inputOfAnotherSizeIsRefused() {
        MultiLayerConfiguration conf = Parity.list(28).layer(CASES.get(0).layer())
                .setInputType(InputType.convolutional(8, 7, 1)).build();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf,
                Parity.imageOptions(PartitioningStrategy.FEWEST_CORES, 8, 7))) {
            machine.init();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> machine.output(Parity.images(2, 1, 7, 8, 28)));
            assertTrue(e.getMessage().contains("[batch ≥ 1, 1, 8, 7]"), e.getMessage());
        }
    }
}
