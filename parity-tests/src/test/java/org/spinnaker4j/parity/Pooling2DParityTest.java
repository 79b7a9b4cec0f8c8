package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * The 2-D SubsamplingLayer (MAX, AVG) in image networks, pooled across the image's rows: inference equals
 * nd4j-native's (exactly behind an identity convolution) on every partitioning strategy, with TDMA, no drop and no
 * overrun; NaN and the infinities pool as nd4j's do; what is not supported is listed at init() (training:
 * Pooling2DTrainingParityTest).
 */
class Pooling2DParityTest {

    /** One pooling layer's case: its input image, pooling, kernel, stride, padding and mode. */
    record Case(String name, int channels, int height, int width, PoolingType type, int[] kernel, int[] stride,
            int[] padding, ConvolutionMode mode, boolean padInDivisor) {

        SubsamplingLayer layer() {
            return new SubsamplingLayer.Builder(type).kernelSize(kernel).stride(stride).padding(padding)
                    .convolutionMode(mode).avgPoolIncludePadInDivisor(padInDivisor).build();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The single layers: square and not, strides 1 and 2, padding, MAX and AVG (both divisors), every mode. */
    static final List<Case> CASES = List.of(
            new Case("MAX 2 × 2, stride 2, Truncate", 2, 8, 8, PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2},
                    new int[] {0, 0}, ConvolutionMode.Truncate, false),
            new Case("AVG 2 × 2, stride 2, Truncate", 2, 8, 8, PoolingType.AVG, new int[] {2, 2}, new int[] {2, 2},
                    new int[] {0, 0}, ConvolutionMode.Truncate, false),
            new Case("MAX 3 × 3, stride 1, Same, 1 channel", 1, 7, 6, PoolingType.MAX, new int[] {3, 3},
                    new int[] {1, 1}, new int[] {0, 0}, ConvolutionMode.Same, false),
            new Case("AVG 3 × 3, stride 2, Same", 2, 7, 7, PoolingType.AVG, new int[] {3, 3}, new int[] {2, 2},
                    new int[] {0, 0}, ConvolutionMode.Same, false),
            new Case("AVG 3 × 3, stride 2, Same, padding in the divisor", 2, 7, 7, PoolingType.AVG, new int[] {3, 3},
                    new int[] {2, 2}, new int[] {0, 0}, ConvolutionMode.Same, true),
            new Case("MAX 3 × 2, stride 2 × 1, padding 1, Truncate, 3 channels", 3, 7, 6, PoolingType.MAX,
                    new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}, ConvolutionMode.Truncate, false),
            new Case("AVG 2 × 3, stride 1 × 2, padding 0 × 1, Truncate", 2, 6, 7, PoolingType.AVG, new int[] {2, 3},
                    new int[] {1, 2}, new int[] {0, 1}, ConvolutionMode.Truncate, false),
            new Case("AVG 3 × 3, stride 1, padding 1, Truncate, padding in the divisor", 2, 6, 6, PoolingType.AVG,
                    new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, ConvolutionMode.Truncate, true),
            new Case("MAX 2 × 2, stride 2, Strict", 2, 6, 6, PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2},
                    new int[] {0, 0}, ConvolutionMode.Strict, false));

    static Stream<Arguments> casesByStrategy() {
        return CASES.stream().flatMap(c -> Arrays.stream(PartitioningStrategy.values()).map(s -> Arguments.of(c, s)));
    }

    /** A 1 × 1 convolution of {@code c} channels set to the identity (W = I, b = 0) in front of {@code layer}. */
    private static MultiLayerNetwork identityConvThen(SubsamplingLayer layer, int c, int height, int width) {
        MultiLayerConfiguration conf = Parity.list(5)
                .layer(new ConvolutionLayer.Builder().nIn(c).nOut(c).kernelSize(1, 1).activation(Activation.IDENTITY)
                        .build())
                .layer(layer).setInputType(InputType.convolutional(height, width, c)).build();
        return NonFinite.cpu(conf, net -> {
            INDArray params = Nd4j.zeros(DataType.FLOAT, 1, c + c * c);
            for (int k = 0; k < c; k++) {
                params.putScalar(0, c + k * c + k, 1.0);
            }
            net.setParams(params);
        });
    }

    /**
     * The pooling itself is exact: behind an identity convolution (whose outputs are its inputs, bit for bit), every
     * single layer gives nd4j-native's outputs exactly on every strategy, with no drop and no TDMA overrun (the
     * NEURON_PER_CORE mapping of AVG 3 × 3, stride 1, padding 1 overran one slot a sample until the scheduler allowed
     * for a window's packets waiting behind each other on shared links: docs/architecture.md, TDMA).
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("casesByStrategy")
    void poolingIsExact(Case c, PartitioningStrategy strategy) {
        MultiLayerNetwork cpu = identityConvThen(c.layer(), c.channels(), c.height(), c.width());
        INDArray x = Parity.images(12, c.channels(), c.height(), c.width(), c.name().length()).muli(1000);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu,
                Parity.imageOptions(strategy, c.height(), c.width()))) {
            INDArray expected = cpu.output(x);
            INDArray actual = machine.output(x);
            RunStats stats = machine.lastRunStats();
            assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), c.name());
            assertEquals(0.0, Transforms.abs(actual.sub(expected)).maxNumber().doubleValue(), c.name());
            assertEquals(0, stats.packetsDropped(), stats.describeDrops());
            assertEquals(0, stats.tdmaOverruns(), c.name());
        }
    }

    /**
     * What the kernels reproduce, measured on nd4j-native: the 2-D SubsamplingLayer's MAX starts from -3.402823e38
     * (0xff7ffffd, as Subsampling1DLayer's: a window of NaN or -inf only gives that), NaN never counts in a MAX but
     * propagates through an AVG, and an AVG divides by the window's pixels on the image unless
     * avgPoolIncludePadInDivisor, by the kernel's if it is.
     */
    @Test
    void nd4jPoolsAsTheKernelsAssume() {
        float nan = Float.NaN;
        float ninf = Float.NEGATIVE_INFINITY;
        INDArray x = Nd4j.create(new float[] {nan, nan, ninf, ninf, 1, nan, nan, ninf, ninf, ninf, 2, nan},
                new long[] {1, 1, 2, 6});
        SubsamplingLayer max = new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
        float[] maxed = identityConvThen(max, 1, 2, 6).output(x).ravel().toFloatVector();
        assertEquals("[-3.402823E38, -3.402823E38, 2.0]", Arrays.toString(maxed));
        assertEquals(0xff7ffffd, Float.floatToRawIntBits(maxed[0]));
        SubsamplingLayer avg = new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build();
        assertEquals("[NaN, -Infinity, NaN]",
                Arrays.toString(identityConvThen(avg, 1, 2, 6).output(x).ravel().toFloatVector()));
        INDArray y = Nd4j.create(new float[] {1, 2, 4, 8, 16, 32, 64, 128, 256}, new long[] {1, 1, 3, 3});
        for (boolean padInDivisor : new boolean[] {false, true}) {
            SubsamplingLayer same = new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2)
                    .convolutionMode(ConvolutionMode.Same).avgPoolIncludePadInDivisor(padInDivisor).build();
            // 3 × 3 to 2 × 2: no padding on the top and left, one row and column on the bottom and right
            assertEquals(padInDivisor ? "[6.75, 9.0, 48.0, 64.0]" : "[6.75, 18.0, 96.0, 256.0]",
                    Arrays.toString(identityConvThen(same, 1, 3, 3).output(y).ravel().toFloatVector()));
        }
        assertEquals(false, new SubsamplingLayer.Builder().build().isAvgPoolIncludePadInDivisor());
    }

    /**
     * NaN and the infinities into a pooling layer on the input, on every strategy: MAX skips NaN (a window of NaN and
     * -inf only gives -3.402823e38), AVG propagates it, and inf - inf is NaN, as on nd4j-native. (Not behind a
     * convolution: the row lowering's zero weights would spread a NaN or an infinity over its row, 0 × inf being NaN.)
     */
    @ParameterizedTest
    @EnumSource(value = PoolingType.class, names = {"MAX", "AVG"})
    void nonFiniteValuesPoolAsOnNd4j(PoolingType type) {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        float[] values = {
            1, nan, 2, 3, 5, 0,
            nan, nan, nan, -inf, nan, nan,
            -inf, -inf, 1, 2, -inf, inf,
            1, -inf, inf, -0f, 7, 8,
            -0f, -0f, 0f, -0f, nan, 4,
            nan, nan, -inf, 3, 0, -0f};
        INDArray x = Nd4j.create(values, new long[] {1, 2 * 3 * 6});
        MultiLayerConfiguration conf = Parity.list(8)
                .layer(new SubsamplingLayer.Builder(type).kernelSize(2, 2).stride(1, 2)
                        .convolutionMode(ConvolutionMode.Truncate).build())
                .setInputType(InputType.convolutionalFlat(3, 6, 2)).build();
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf);
        cpu.init();
        for (PartitioningStrategy strategy : PartitioningStrategy.values()) {
            try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu,
                    SpiNNakerOptions.builder().partitioning(strategy).inferenceOnly().build())) {
                NonFinite.assertSameValues(type + " " + strategy, cpu.output(x), machine.output(x), Parity.TOLERANCE);
            }
        }
    }

    /**
     * The pooling layer on the input: SubsamplingLayer → Dense → softmax Output on flat input (convolutionalFlat: the
     * FeedForwardToCnnPreProcessor gives the image size and channels), and SubsamplingLayer → Conv on NCHW input
     * (convolutional: the convolution's nIn gives the channels).
     */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void poolingOnTheInput(PartitioningStrategy strategy) {
        MultiLayerConfiguration flat = Parity.list(11)
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(7).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(6, 8, 2)).build();
        assertEquals(FeedForwardToCnnPreProcessor.class, flat.getInputPreProcessors().get(0).getClass());
        RunStats stats = Parity.assertParity(flat, SpiNNakerOptions.builder().partitioning(strategy).inferenceOnly()
                .build(), Parity.images(15, 2, 6, 8, 11).reshape(15, 2 * 6 * 8));
        assertEquals(0, stats.tdmaOverruns());
        MultiLayerConfiguration nchw = Parity.list(12)
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 2).stride(1, 2).build())
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(2, 2).activation(Activation.RELU).build())
                .setInputType(InputType.convolutional(6, 8, 2)).build();
        stats = Parity.assertParity(nchw, Parity.imageOptions(strategy, 6, 8), Parity.images(15, 2, 6, 8, 12));
        assertEquals(0, stats.tdmaOverruns());
    }

    /**
     * Conv → MAX pool → Conv → AVG pool → Dense → softmax Output: 2 × 8 × 8 → 4 × 8 × 8 → 4 × 4 × 4 → 6 × 4 × 4 → 6 × 2
     * × 2 → 10 → 4, on every strategy.
     */
    static MultiLayerConfiguration stack() {
        return Parity.list(13)
                .layer(new ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder().nOut(6).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(10).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 2)).build();
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void convPoolConvPoolDenseOutput(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = stack();
        assertEquals(CnnToFeedForwardPreProcessor.class, conf.getInputPreProcessors().get(4).getClass());
        RunStats stats = Parity.assertParity(conf, SpiNNakerOptions.builder().partitioning(strategy).inferenceOnly()
                .build(), Parity.images(15, 2, 8, 8, 13).reshape(15, 2 * 8 * 8));
        assertEquals(0, stats.tdmaOverruns());
    }

    /** Every layer's activations read back through feedForward, the pooling layers' as NCHW. */
    @Test
    void everyLayerThroughFeedForward() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(stack());
        cpu.init();
        INDArray x = Parity.images(6, 2, 8, 8, 14).reshape(6, 2 * 8 * 8);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu,
                SpiNNakerOptions.builder().partitioning(PartitioningStrategy.FEWEST_CORES).inferenceOnly().build())) {
            List<INDArray> expected = cpu.feedForward(x);
            List<INDArray> actual = machine.feedForward(x);
            assertEquals(expected.size(), actual.size());
            for (int i = 1; i < expected.size(); i++) {
                NonFinite.assertSameValues("activation " + i, expected.get(i), actual.get(i), Parity.TOLERANCE);
            }
        }
    }

    @Test
    void unsupportedPoolingIsListedWithItsLayer() {
        MultiLayerConfiguration conf = Parity.list(6)
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(3, 3).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(2).kernelSize(2, 2).stride(1, 1)
                        .build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(1, 1).dilation(2, 2)
                        .build())
                .layer(new SubsamplingLayer.Builder(PoolingType.SUM).kernelSize(2, 2).stride(1, 1).build())
                .setInputType(InputType.convolutional(12, 12, 2)).build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf, Parity.imageOptions(PartitioningStrategy.FASTEST, 12, 12)).init());
        String m = e.getMessage();
        assertTrue(m.contains("layer 1 (SubsamplingLayer): pooling type PNORM is not supported"), m);
        assertTrue(m.contains("layer 2 (SubsamplingLayer): dilation 2 × 2 is not supported"), m);
        assertTrue(m.contains("layer 3 (SubsamplingLayer): pooling type SUM is not supported"), m);
        MultiLayerConfiguration nhwc = Parity.list(7)
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .dataFormat(CNN2DFormat.NHWC).build())
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(2, 2).dataFormat(CNN2DFormat.NHWC).build())
                .setInputType(InputType.convolutional(8, 8, 2, CNN2DFormat.NHWC)).build();
        e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(nhwc, Parity.imageOptions(PartitioningStrategy.FASTEST, 8, 8)).init());
        assertTrue(e.getMessage().contains("layer 0 (SubsamplingLayer): data format NHWC is not supported"),
                e.getMessage());
    }
}
