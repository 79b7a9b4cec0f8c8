package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
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
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Subsampling1DLayer and GlobalPoolingLayer (MAX, AVG) in Conv1D networks: inference equals nd4j-native's within
 * 1e-4 on every partitioning strategy, with TDMA and no drops; NaN and the infinities pool as nd4j's do; what is
 * not supported is listed at init() (training: Pooling1DTrainingParityTest).
 */
class Pooling1DParityTest {

    private static final int CHANNELS = 6;

    private static SpiNNakerOptions options(PartitioningStrategy strategy, int length) {
        return SpiNNakerOptions.builder().partitioning(strategy).sequenceLength(length).inferenceOnly().build();
    }

    /** Inputs [n, channels, length] uniform in [-1, 1), from a fixed seed. */
    private static INDArray sequences(int n, int channels, int length, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, channels, length).muli(2).subi(1);
    }

    private static Convolution1DLayer conv(int nIn, int nOut, int kernel, Activation activation) {
        return new Convolution1DLayer.Builder().nIn(nIn).nOut(nOut).kernelSize(kernel)
                .convolutionMode(ConvolutionMode.Same).activation(activation).build();
    }

    /**
     * One Subsampling1DLayer. DL4J 1.0.0-M2.1's {@code Subsampling1DLayer.Builder(PoolingType)} drops the pooling
     * type (every such layer pools MAX), so the type is set with {@code poolingType}; its {@code padding(p)} sets
     * [p, p], which DL4J cannot run, so the padding is set to [p, 0].
     */
    record Pool(PoolingType type, int kernel, int stride, int padding, ConvolutionMode mode, boolean padInDivisor) {

        Subsampling1DLayer layer() {
            Subsampling1DLayer layer = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(kernel)
                    .stride(stride).poolingType(type).convolutionMode(mode).avgPoolIncludePadInDivisor(padInDivisor)
                    .build();
            layer.setPadding(new int[] {padding, 0});
            return layer;
        }

        @Override
        public String toString() {
            return type + " k" + kernel + " s" + stride + " p" + padding + " " + mode + (padInDivisor ? " pad in ÷" : "");
        }
    }

    /** The single layers: kernels 2 and 3, strides 1 and 2, padding, MAX and AVG (both divisors), every mode. */
    static final List<Pool> POOLS = List.of(
            new Pool(PoolingType.MAX, 2, 2, 0, ConvolutionMode.Truncate, false),
            new Pool(PoolingType.AVG, 2, 2, 0, ConvolutionMode.Truncate, false),
            new Pool(PoolingType.MAX, 2, 1, 0, ConvolutionMode.Strict, false),
            new Pool(PoolingType.AVG, 2, 1, 0, ConvolutionMode.Truncate, true),
            new Pool(PoolingType.MAX, 3, 1, 0, ConvolutionMode.Same, false),
            new Pool(PoolingType.AVG, 3, 1, 0, ConvolutionMode.Same, false),
            new Pool(PoolingType.AVG, 3, 2, 0, ConvolutionMode.Same, true),
            new Pool(PoolingType.MAX, 3, 2, 0, ConvolutionMode.Same, false),
            new Pool(PoolingType.MAX, 3, 1, 1, ConvolutionMode.Truncate, false),
            new Pool(PoolingType.AVG, 3, 1, 1, ConvolutionMode.Truncate, false),
            new Pool(PoolingType.AVG, 3, 2, 1, ConvolutionMode.Truncate, true),
            // Strict where the stride divides the span, (12 - 2) / 2 + 1 = 6 positions (where it does not, DL4J's
            // pooling truncates, and the positions it leaves unread are refused as after a convolution)
            new Pool(PoolingType.AVG, 2, 2, 0, ConvolutionMode.Strict, false));

    static Stream<Arguments> poolsByStrategy() {
        return POOLS.stream().flatMap(p -> Arrays.stream(PartitioningStrategy.values()).map(s -> Arguments.of(p, s)));
    }

    /** Conv1D (3 → 6 channels, kernel 3, Same) over 12 positions, then the pooling layer. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("poolsByStrategy")
    void singlePoolingLayer(Pool pool, PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(1).layer(conv(3, CHANNELS, 3, Activation.TANH)).layer(pool.layer())
                .setInputType(InputType.recurrent(3, 12)).build();
        Parity.assertParity(conf, options(strategy, 12), sequences(20, 3, 12, 1));
    }

    /** A kernel-1 convolution of {@code c} channels set to the identity (W = I, b = 0): its output is its input. */
    private static MultiLayerNetwork identityConvThen(org.deeplearning4j.nn.conf.layers.Layer layer, int c,
            int length) {
        MultiLayerConfiguration conf = Parity.list(5).layer(conv(c, c, 1, Activation.IDENTITY)).layer(layer)
                .setInputType(InputType.recurrent(c, length)).build();
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
     * single layer gives nd4j-native's outputs exactly, a MAX's and an AVG's (a float sum in tap order, divided once).
     */
    @Test
    void poolingIsExact() {
        for (Pool pool : POOLS) {
            MultiLayerNetwork cpu = identityConvThen(pool.layer(), CHANNELS, 12);
            INDArray x = sequences(20, CHANNELS, 12, 8).muli(1000);
            try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu,
                    options(PartitioningStrategy.FEWEST_CORES, 12))) {
                INDArray expected = cpu.output(x);
                INDArray actual = machine.output(x);
                assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), pool.toString());
                assertEquals(0.0, Transforms.abs(actual.sub(expected)).maxNumber().doubleValue(), pool.toString());
            }
        }
    }

    /**
     * What the kernels reproduce, measured on nd4j-native: a Subsampling1DLayer's MAX starts from -3.402823e38 (not
     * -Float.MAX_VALUE, -3.4028235e38) and
     * a GlobalPoolingLayer's from -inf (a window of NaN or -inf only gives that), NaN never counts in a MAX but
     * propagates through an AVG, and an AVG divides by the taps on the input unless avgPoolIncludePadInDivisor.
     */
    @Test
    void nd4jPoolsAsTheKernelsAssume() {
        float nan = Float.NaN;
        float ninf = Float.NEGATIVE_INFINITY;
        INDArray x = Nd4j.create(new float[] {nan, nan, ninf, ninf, 1, nan}, new long[] {1, 1, 6});
        Subsampling1DLayer max = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(2).stride(2)
                .poolingType(PoolingType.MAX).build();
        assertEquals("[-3.402823E38, -3.402823E38, 1.0]",
                Arrays.toString(identityConvThen(max, 1, 6).output(x).ravel().toFloatVector()));
        assertEquals("[-Infinity]", Arrays.toString(identityConvThen(new GlobalPoolingLayer.Builder(PoolingType.MAX)
                .build(), 1, 2).output(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2)))
                .ravel().toFloatVector()));
        Subsampling1DLayer avg = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(2).stride(2)
                .poolingType(PoolingType.AVG).build();
        assertEquals("[NaN, -Infinity, NaN]", Arrays.toString(identityConvThen(avg, 1, 6).output(x).ravel().toFloatVector()));
        INDArray y = Nd4j.create(new float[] {1, 2, 4, 8, 16}, new long[] {1, 1, 5});
        for (boolean padInDivisor : new boolean[] {false, true}) {
            Subsampling1DLayer same = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(4).stride(1)
                    .poolingType(PoolingType.AVG).convolutionMode(ConvolutionMode.Same)
                    .avgPoolIncludePadInDivisor(padInDivisor).build();
            // one tap of padding on the left, two on the right
            assertEquals(padInDivisor ? "[1.75, 3.75, 7.5, 7.0, 6.0]" : "[2.3333333, 3.75, 7.5, 9.333333, 12.0]",
                    Arrays.toString(identityConvThen(same, 1, 5).output(y).ravel().toFloatVector()));
        }
        assertEquals(false, new Subsampling1DLayer.Builder().build().isAvgPoolIncludePadInDivisor());
    }

    /**
     * Conv1D → Subsampling1D → Conv1D → GlobalPooling → Dense → softmax output: 16 positions pooled to 8, then to
     * one row per sample. setInputType puts an RnnToFeedForwardPreProcessor in front of the Dense layer, which
     * passes the global pooling layer's rows through.
     */
    static MultiLayerConfiguration stack(PoolingType type) {
        Subsampling1DLayer pool = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(2).stride(2)
                .poolingType(type).build();
        return Parity.list(2)
                .layer(conv(4, 8, 3, Activation.RELU))
                .layer(pool)
                .layer(conv(8, 6, 3, Activation.TANH))
                .layer(new GlobalPoolingLayer.Builder(type).build())
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(4, 16)).build();
    }

    static Stream<Arguments> stacksByStrategy() {
        return Stream.of(PoolingType.MAX, PoolingType.AVG)
                .flatMap(t -> Arrays.stream(PartitioningStrategy.values()).map(s -> Arguments.of(t, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("stacksByStrategy")
    void convPoolConvGlobalPoolDenseOutput(PoolingType type, PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = stack(type);
        assertEquals(RnnToFeedForwardPreProcessor.class, conf.getInputPreProcess(4).getClass());
        assertEquals(6, ((DenseLayer) conf.getConf(4).getLayer()).getNIn());
        Parity.assertParity(conf, options(strategy, 16), sequences(20, 4, 16, 2));
    }

    /**
     * A longer sequence: 8 channels × 64 positions → 16 × 64, MAX-pooled to 16 × 32 → 16 × 32, AVG-pooled over the
     * whole sequence → 5 outputs, through relays, with no TDMA overrun.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void longerSequence(PartitioningStrategy strategy) {
        Subsampling1DLayer pool = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(2).stride(2)
                .poolingType(PoolingType.MAX).build();
        MultiLayerConfiguration conf = Parity.list(9)
                .layer(conv(8, 16, 5, Activation.RELU))
                .layer(pool)
                .layer(conv(16, 16, 3, Activation.TANH))
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(16).nOut(5).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(8, 64)).build();
        RunStats stats = Parity.assertParity(conf, options(strategy, 64), sequences(20, 8, 64, 9));
        assertEquals(0, stats.tdmaOverruns());
    }

    /** A global pooling layer as the last layer: a row of channels per sample. */
    @ParameterizedTest
    @EnumSource(value = PoolingType.class, names = {"MAX", "AVG"})
    void globalPoolingLast(PoolingType type) {
        MultiLayerConfiguration conf = Parity.list(3).layer(conv(3, 5, 3, Activation.IDENTITY))
                .layer(new GlobalPoolingLayer.Builder(type).build()).setInputType(InputType.recurrent(3, 9)).build();
        Parity.assertParity(conf, options(PartitioningStrategy.FASTEST, 9), sequences(20, 3, 9, 3));
    }

    /** Every layer's activations read back through feedForward, shaped as DL4J shapes them. */
    @Test
    void everyLayerThroughFeedForward() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(stack(PoolingType.AVG));
        cpu.init();
        INDArray x = sequences(8, 4, 16, 4);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu,
                options(PartitioningStrategy.FEWEST_CORES, 16))) {
            List<INDArray> expected = cpu.feedForward(x);
            List<INDArray> actual = machine.feedForward(x);
            assertEquals(expected.size(), actual.size());
            for (int i = 1; i < expected.size(); i++) {
                NonFinite.assertSameValues("activation " + i, expected.get(i), actual.get(i), Parity.TOLERANCE);
            }
        }
    }

    /**
     * NaN and the infinities through an identity convolution (kernel 1, W = I, b = 0) into the pooling layers: MAX
     * skips NaN (a window of NaN only gives -3.402823e38 in Subsampling1D, -inf in GlobalPooling), AVG propagates it,
     * and inf - inf is NaN, all as nd4j-native computes them.
     */
    @ParameterizedTest
    @EnumSource(value = PoolingType.class, names = {"MAX", "AVG"})
    void nonFiniteValuesPoolAsOnNd4j(PoolingType type) {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        float[][] channels = {
            {1, nan, 2, 3, 5, 0},
            {nan, nan, nan, nan, nan, nan},
            {-inf, -inf, 1, 2, -inf, -inf},
            {1, -inf, inf, -0f, 7, 8},
            {-0f, -0f, 0f, -0f, nan, 4}};
        int c = channels.length;
        int length = channels[0].length;
        Subsampling1DLayer pool = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(2).stride(2)
                .poolingType(type).build();
        for (org.deeplearning4j.nn.conf.layers.Layer layer : List.of(pool, new GlobalPoolingLayer.Builder(type)
                .build())) {
            MultiLayerNetwork cpu = identityConvThen(layer, c, length);
            INDArray x = Nd4j.create(channels).reshape(1, c, length).castTo(DataType.FLOAT);
            for (PartitioningStrategy strategy : PartitioningStrategy.values()) {
                try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu,
                        options(strategy, length))) {
                    INDArray expected = cpu.output(x);
                    NonFinite.assertSameValues(type + " " + layer.getClass().getSimpleName() + " " + strategy,
                            expected, machine.output(x), Parity.TOLERANCE);
                }
            }
        }
    }

    /** The blocks of a pooling layer hold no weights: the mapping has a block per position (and channel slice). */
    @Test
    void poolingBlocksPerPosition() {
        MultiLayerConfiguration conf = stack(PoolingType.MAX);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf,
                options(PartitioningStrategy.FEWEST_CORES, 16))) {
            machine.init();
            long poolBlocks = machine.mapping().graph().vertices().stream()
                    .filter(v -> v.kind() == VertexKind.DENSE_BLOCK && (v.layer() == 1 || v.layer() == 3)).count();
            assertEquals(8 + 1, poolBlocks, "a block per output position of each pooling layer");
        }
    }

    @Test
    void unsupportedPoolingIsListedWithItsLayer() {
        Subsampling1DLayer pnorm = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(2).stride(2)
                .poolingType(PoolingType.PNORM).pnorm(2).build();
        Subsampling1DLayer padded = (Subsampling1DLayer) new Subsampling1DLayer.Builder().kernelSize(3).stride(1)
                .padding(1).poolingType(PoolingType.MAX).build();
        MultiLayerConfiguration conf = Parity.list(6)
                .layer(conv(3, 4, 3, Activation.RELU))
                .layer(pnorm)
                .layer(padded)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.SUM).collapseDimensions(false).build())
                .setInputType(InputType.recurrent(3, 12)).build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf, options(PartitioningStrategy.FASTEST, 12)).init());
        String m = e.getMessage();
        assertTrue(m.contains("layer 1 (Subsampling1DLayer): pooling type PNORM is not supported"), m);
        assertTrue(m.contains("layer 2 (Subsampling1DLayer): padding [1, 1]"), m);
        assertTrue(m.contains("layer 3 (GlobalPoolingLayer): pooling type SUM is not supported"), m);
        assertTrue(m.contains("layer 3 (GlobalPoolingLayer): collapseDimensions(false)"), m);
    }
}
