package org.spinnaker4j.parity;

import static org.spinnaker4j.demo.ReferenceNetworks.dense;

import java.util.Arrays;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.parity.NonFinite.Layout;

/**
 * NaN, infinities and overflowing finite values go through inference on the machine exactly as
 * through nd4j-native, for every layout: every element-wise activation at every special
 * pre-activation, softmax rows holding special values, and special inputs through three layers, dense or
 * 2-D convolutions.
 */
class NonFiniteInferenceParityTest {

    static final Activation[] ELEMENT_WISE = {Activation.IDENTITY, Activation.RELU, Activation.LEAKYRELU,
        Activation.SIGMOID, Activation.TANH, Activation.HARDTANH, Activation.SOFTPLUS, Activation.ELU, Activation.SWISH,
        Activation.GELU, Activation.SELU, Activation.MISH, Activation.SOFTSIGN, Activation.RATIONALTANH,
        Activation.RECTIFIEDTANH, Activation.CUBE, Activation.THRESHOLDEDRELU, Activation.RELU6};

    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final float MAX = Float.MAX_VALUE;

    /** A softmax layer's bias: its first column, every middle column, its last column. */
    record SoftmaxRow(float first, float middle, float last) {
        float[] bias(int n) {
            float[] b = new float[n];
            Arrays.fill(b, middle);
            b[0] = first;
            b[n - 1] = last;
            return b;
        }
    }

    /** NaN and infinities anywhere, overflow of exp, and rows at the bottom of the float range. */
    static final SoftmaxRow[] SOFTMAX_ROWS = {new SoftmaxRow(NAN, 0, 0), new SoftmaxRow(0, 0, NAN),
        new SoftmaxRow(INF, 0, 0), new SoftmaxRow(0, 0, INF), new SoftmaxRow(INF, 0, INF), new SoftmaxRow(-INF, 0, 0),
        new SoftmaxRow(-INF, -INF, -INF), new SoftmaxRow(INF, INF, INF), new SoftmaxRow(INF, 0, -INF),
        new SoftmaxRow(NAN, -INF, INF), new SoftmaxRow(MAX, 0, -MAX), new SoftmaxRow(-MAX, -MAX, -MAX),
        new SoftmaxRow(Math.nextUp(-MAX), -MAX, -MAX), new SoftmaxRow(-3.402823e38f, -MAX, -MAX),
        new SoftmaxRow(-MAX, -MAX, -INF), new SoftmaxRow(1e30f, 0, 0), new SoftmaxRow(-1e30f, -1e30f, 0),
        new SoftmaxRow(100, -100, 88.8f)};

    /** One output layer of {@code nOut} columns with the given activation and {@code nIn} inputs. */
    private static MultiLayerConfiguration oneLayer(int nIn, int nOut, Activation activation) {
        return new NeuralNetConfiguration.Builder().seed(17).weightInit(WeightInit.XAVIER).list()
                .layer(new OutputLayer.Builder(lossFor(activation)).nIn(nIn).nOut(nOut).activation(activation).build())
                .build();
    }

    private static LossFunction lossFor(Activation activation) {
        return activation == Activation.SOFTMAX ? LossFunction.MCXENT : LossFunction.MSE;
    }

    /** Runs {@code x} through the CPU network and its SpiNNaker copy and compares every output. */
    private static void assertOutputs(String what, MultiLayerNetwork cpu, Layout layout, INDArray x) {
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu, layout.options())) {
            layout.assertShape(machine.mapping());
            NonFinite.assertSameValues(what, cpu.output(x), machine.output(x), Parity.TOLERANCE);
        }
    }

    static Stream<Arguments> elementWiseByLayout() {
        return Arrays.stream(ELEMENT_WISE).flatMap(a -> Arrays.stream(Layout.values()).map(l -> Arguments.of(a, l)));
    }

    /** Column k of one layer has special value k as its bias. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("elementWiseByLayout")
    void everySpecialPreActivation(Activation activation, Layout layout) {
        MultiLayerNetwork cpu = NonFinite.cpu(oneLayer(layout.nIn, NonFinite.VALUES.length, activation),
                net -> NonFinite.setBias(net, 0, NonFinite.VALUES));
        assertOutputs(activation + " " + layout, cpu, layout, Parity.uniformInputs(3, layout.nIn, 31));
    }

    static Stream<Arguments> softmaxRowsByLayout() {
        return Arrays.stream(SOFTMAX_ROWS).flatMap(r -> Arrays.stream(Layout.values()).map(l -> Arguments.of(r, l)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("softmaxRowsByLayout")
    void softmaxRowWithSpecialValues(SoftmaxRow row, Layout layout) {
        int n = 6;
        MultiLayerNetwork cpu = NonFinite.cpu(oneLayer(layout.nIn, n, Activation.SOFTMAX),
                net -> NonFinite.setBias(net, 0, row.bias(n)));
        assertOutputs(row + " " + layout, cpu, layout, Parity.uniformInputs(3, layout.nIn, 32));
    }

    static Stream<Arguments> everyActivationByLayout() {
        return Stream.concat(Arrays.stream(ELEMENT_WISE), Stream.of(Activation.SOFTMAX))
                .flatMap(a -> Arrays.stream(Layout.values()).map(l -> Arguments.of(a, l)));
    }

    /** Row k of the batch holds special value k in input k mod nIn, through nIn → 6 → 5 → 3. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyActivationByLayout")
    void specialInputsThroughThreeLayers(Activation activation, Layout layout) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(23).weightInit(WeightInit.XAVIER)
                .list()
                .layer(dense(layout.nIn, 6, activation))
                .layer(dense(6, 5, activation))
                .layer(new OutputLayer.Builder(lossFor(activation)).nIn(5).nOut(3).activation(activation).build())
                .build();
        INDArray x = Parity.uniformInputs(NonFinite.VALUES.length, layout.nIn, 33);
        for (int k = 0; k < NonFinite.VALUES.length; k++) {
            x.putScalar(k, k % layout.nIn, NonFinite.VALUES[k]);
        }
        assertOutputs(activation + " " + layout, NonFinite.cpu(conf, net -> { }), layout, x);
    }

    /**
     * Image k of the batch holds special value k in one pixel (the pixels taken in turn, padding's neighbours
     * included), the others uniform, through 2 x 7 x 6 -> conv 3 x 3 Same tanh 3 -> conv 3 x 3 relu 2 -> Dense 5 tanh
     * -> softmax 4: one special term per sum of the first convolution, so the order of its additions cannot change
     * an overflow, and NaN or an infinity reaches each later layer as nd4j-native passes it on.
     */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void specialPixelsThroughTwoConvolutions(PartitioningStrategy strategy) {
        int channels = 2;
        int height = 7;
        int width = 6;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(29).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder().nOut(2).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(height, width, channels)).build();
        int pixels = channels * height * width;
        INDArray x = Parity.uniformInputs(NonFinite.VALUES.length, pixels, 34);
        for (int k = 0; k < NonFinite.VALUES.length; k++) {
            x.putScalar(k, (long) k * 5 % pixels, NonFinite.VALUES[k]);
        }
        INDArray images = x.reshape('c', NonFinite.VALUES.length, channels, height, width);
        MultiLayerNetwork cpu = NonFinite.cpu(conf, net -> { });
        SpiNNakerOptions options = SpiNNakerOptions.builder().partitioning(strategy).imageSize(height, width)
                .inferenceOnly().build();
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu, options)) {
            NonFinite.assertSameValues("conv " + strategy, cpu.output(images), machine.output(images),
                    Parity.TOLERANCE);
        }
    }
}
