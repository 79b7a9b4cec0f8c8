package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Convolution1DLayer inference equals nd4j-native's within 1e-4, alone and before the per-position dense layers
 * DL4J runs after it, for every partitioning strategy, with TDMA and no drops; what it does not support is listed
 * at init() (training: {@link Conv1DTrainingParityTest}).
 */
class Conv1DParityTest {

    private static SpiNNakerOptions options(PartitioningStrategy strategy, int length) {
        return SpiNNakerOptions.builder().partitioning(strategy).sequenceLength(length).inferenceOnly().build();
    }

    /** Inputs [n, channels, length] uniform in [-1, 1), from a fixed seed. */
    private static INDArray sequences(int n, int channels, int length, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, channels, length).muli(2).subi(1);
    }

    private static Convolution1DLayer conv(int nOut, int kernel, int stride, int padding, ConvolutionMode mode,
            Activation activation) {
        return new Convolution1DLayer.Builder().nOut(nOut).kernelSize(kernel).stride(stride).padding(padding)
                .convolutionMode(mode).activation(activation).build();
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void kernel3SameModeAlone(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(1).layer(conv(5, 3, 1, 0, ConvolutionMode.Same, Activation.TANH))
                .setInputType(InputType.recurrent(3, 11)).build();
        Parity.assertParity(conf, options(strategy, 11), sequences(40, 3, 11, 1));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void kernel5Stride2PaddedTruncate(PartitioningStrategy strategy) {
        // (13 + 4 - 5) / 2 + 1 = 7 positions; 7 output channels
        MultiLayerConfiguration conf = Parity.list(2).layer(conv(7, 5, 2, 2, ConvolutionMode.Truncate, Activation.RELU))
                .setInputType(InputType.recurrent(4, 13)).build();
        Parity.assertParity(conf, options(strategy, 13), sequences(30, 4, 13, 2));
    }

    @Test
    void withoutBias() {
        MultiLayerConfiguration conf = Parity.list(16).layer(new Convolution1DLayer.Builder().nOut(5).kernelSize(3)
                .hasBias(false).convolutionMode(ConvolutionMode.Same).activation(Activation.SOFTSIGN).build())
                .setInputType(InputType.recurrent(3, 9)).build();
        Parity.assertParity(conf, options(PartitioningStrategy.FEWEST_CORES, 9), sequences(20, 3, 9, 16));
    }

    @Test
    void truncateDropsTheTailOfTheInput() {
        // (10 - 3) / 2 + 1 = 4 positions read inputs 0..8: input position 9 has no source
        MultiLayerConfiguration conf = Parity.list(3).layer(conv(3, 3, 2, 0, ConvolutionMode.Truncate, Activation.SIGMOID))
                .setInputType(InputType.recurrent(2, 10)).build();
        Parity.assertParity(conf, options(PartitioningStrategy.FASTEST, 10), sequences(20, 2, 10, 3));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void strictStride2(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(4).layer(conv(6, 3, 2, 1, ConvolutionMode.Strict, Activation.ELU))
                .setInputType(InputType.recurrent(3, 9)).build();
        Parity.assertParity(conf, options(strategy, 9), sequences(25, 3, 9, 4));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void sameModeKernel5Stride2(PartitioningStrategy strategy) {
        // Same: ceil(12 / 2) = 6 positions, (6 - 1) * 2 + 5 - 12 = 3 padding, 1 on the left
        MultiLayerConfiguration conf = Parity.list(5).layer(conv(5, 5, 2, 0, ConvolutionMode.Same, Activation.LEAKYRELU))
                .setInputType(InputType.recurrent(3, 12)).build();
        Parity.assertParity(conf, options(strategy, 12), sequences(25, 3, 12, 5));
    }

    /**
     * Conv1D → Conv1D → Dense → Output, the dense layers behind the RnnToFeedForwardPreProcessor DL4J puts there,
     * which runs them at every position (output rows: position-major over the batch). Built without setInputType,
     * whose nIn for the Dense layer is wrong in DL4J 1.0.0-M2.1 ({@link #setInputTypeGivesTheDenseLayerAWrongNIn}).
     */
    static MultiLayerConfiguration convDenseOutput() {
        return Parity.list(6)
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(7).kernelSize(3).stride(1).padding(1)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new Convolution1DLayer.Builder().nIn(7).nOut(5).kernelSize(5).stride(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .inputPreProcessor(2, new RnnToFeedForwardPreProcessor())
                .layer(new DenseLayer.Builder().nIn(5).nOut(9).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(9).nOut(4).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void convConvDenseOutput(PartitioningStrategy strategy) {
        Parity.assertParity(convDenseOutput(), options(strategy, 14), sequences(20, 3, 14, 6));
    }

    /**
     * What DL4J 1.0.0-M2.1's setInputType(recurrent) makes of Conv1D → Dense: an RnnToFeedForwardPreProcessor, and
     * the Dense layer's nIn set to a sequence length, not the convolution's channels (so DL4J itself cannot run
     * it); the front end names the layer and the fix.
     */
    @Test
    void setInputTypeGivesTheDenseLayerAWrongNIn() {
        MultiLayerConfiguration conf = Parity.list(15).layer(conv(5, 3, 2, 1, ConvolutionMode.Truncate, Activation.TANH))
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(2, 7)).build();
        assertEquals(RnnToFeedForwardPreProcessor.class, conf.getInputPreProcessors().get(1).getClass());
        assertEquals(7, ((DenseLayer) conf.getConf(1).getLayer()).getNIn());
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf, options(PartitioningStrategy.FASTEST, 7)).init());
        assertTrue(e.getMessage().contains("layer 1 (DenseLayer): nIn 7 but each position of its input has 5 "
                + "channels"), e.getMessage());
    }

    /**
     * 64 input channels × kernel 5 × 53 output channels do not fit one core's DTCM: FEWEST_CORES cuts each position's
     * channels into slices of 27 and 26, which share the position's relay.
     */
    @Test
    void channelsCutUnevenly() {
        MultiLayerConfiguration conf = Parity.list(18).layer(conv(53, 5, 1, 0, ConvolutionMode.Same, Activation.TANH))
                .setInputType(InputType.recurrent(64, 6)).build();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                options(PartitioningStrategy.FEWEST_CORES, 6))) {
            machine.init();
            List<Integer> widths = machine.mapping().graph().vertices().stream()
                    .filter(v -> v.kind() == VertexKind.DENSE_BLOCK).map(v -> v.cols().size()).distinct().sorted()
                    .toList();
            assertEquals(List.of(26, 27), widths);
        }
        Parity.assertParity(conf, options(PartitioningStrategy.FEWEST_CORES, 6), sequences(10, 64, 6, 18));
    }

    /**
     * A longer sequence, 8 channels × 64 positions → 16 × 64 → 16 × 32 → 5 per position: every block takes its
     * receptive field through a relay, which FEWEST_CORES needs (fed straight from its interleaved producers, a
     * block finished late and the next sample's row reached it first: DUPLICATE_ROW). FASTEST cuts the positions'
     * channels and fills the board; its windows used to reach shared links in bursts (a chip's senders staggered
     * one after another), routers stalled on them and dropped packets (2,665 in 40 samples with reinjection off).
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void longerSequenceThroughRelays(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(17)
                .layer(new Convolution1DLayer.Builder().nIn(8).nOut(16).kernelSize(5)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new Convolution1DLayer.Builder().nIn(16).nOut(16).kernelSize(3).stride(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .inputPreProcessor(2, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(16).nOut(5).activation(Activation.SOFTMAX)
                        .build())
                .build();
        RunStats stats = Parity.assertParity(conf, options(strategy, 64), sequences(40, 8, 64, 17));
        assertEquals(0, stats.tdmaOverruns());
    }

    @Test
    void everyLayerThroughFeedForward() {
        MultiLayerNetwork cpu = new MultiLayerNetwork(convDenseOutput());
        cpu.init();
        INDArray x = sequences(10, 3, 14, 7);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu,
                options(PartitioningStrategy.FASTEST, 14))) {
            List<INDArray> expected = cpu.feedForward(x);
            List<INDArray> actual = machine.feedForward(x);
            assertEquals(expected.size(), actual.size());
            for (int i = 1; i < expected.size(); i++) {
                assertEquals(java.util.Arrays.toString(expected.get(i).shape()), java.util.Arrays.toString(actual.get(i).shape()));
                double diff = Transforms.abs(actual.get(i).sub(expected.get(i))).maxNumber().doubleValue();
                assertTrue(diff < Parity.TOLERANCE, "activation " + i + ": max |diff| " + diff);
            }
            assertEquals(0, machine.lastFeedForwardStats().packetsDropped());
        }
    }

    /** Every activation a dense layer supports but softmax (a convolution's is refused), on a convolution. */
    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"IDENTITY", "RELU", "LEAKYRELU", "SIGMOID", "TANH", "HARDTANH",
        "SOFTPLUS", "ELU", "SWISH", "GELU", "SELU", "MISH", "SOFTSIGN", "RATIONALTANH", "RECTIFIEDTANH", "CUBE",
        "RELU6", "THRESHOLDEDRELU"})
    void everyActivation(Activation activation) {
        MultiLayerConfiguration conf = Parity.list(8).layer(conv(4, 3, 1, 1, ConvolutionMode.Truncate, activation))
                .setInputType(InputType.recurrent(3, 8)).build();
        Parity.assertParity(conf, options(PartitioningStrategy.FEWEST_CORES, 8), sequences(10, 3, 8, 8));
    }

    /**
     * The blocks: one output position and a slice of its channels each, holding the kernel rows of the taps that
     * fall on the input, fed only the input positions their receptive field covers.
     */
    @Test
    void blocksTakeTheirReceptiveFieldOnly() {
        MultiLayerConfiguration conf = Parity.list(9).layer(conv(6, 5, 2, 2, ConvolutionMode.Truncate, Activation.TANH))
                .setInputType(InputType.recurrent(3, 11)).build();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf,
                options(PartitioningStrategy.NEURON_PER_CORE, 11))) {
            machine.init();
            List<MachineVertex> blocks = machine.mapping().graph().vertices().stream()
                    .filter(v -> v.kind() == VertexKind.DENSE_BLOCK).toList();
            // (11 + 4 - 5) / 2 + 1 = 6 positions × 6 channels, a neuron per core
            assertEquals(36, blocks.size());
            for (MachineVertex b : blocks) {
                int t = b.cols().lo() / 6;
                int first = Math.max(0, 2 * t - 2);
                int end = Math.min(11, 2 * t - 2 + 5);
                assertEquals(first * 3, b.rows().lo(), b.toString());
                assertEquals(end * 3, b.rows().hi(), b.toString());
                assertEquals(1, b.cols().size());
            }
            long sources = machine.mapping().graph().vertices().stream()
                    .filter(v -> v.kind() == VertexKind.INPUT_SOURCE).count();
            assertEquals(11, sources, "a source per input position");
        }
    }

    /**
     * DL4J keeps a Convolution1DLayer's bias first and its kernel as w(tap, in, out) at tap·nIn·nOut + in·nOut + out:
     * probed one parameter at a time on nd4j-native, each checked against the formula, then on the machine.
     */
    @Test
    void parameterLayoutByOneHotProbes() {
        int nIn = 2;
        int nOut = 3;
        int k = 3;
        int length = 5;
        MultiLayerConfiguration conf = Parity.list(10).layer(conv(nOut, k, 1, 0, ConvolutionMode.Truncate,
                Activation.IDENTITY)).setInputType(InputType.recurrent(nIn, length)).build();
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        INDArray x = sequences(1, nIn, length, 10);
        assertEquals(nOut + k * nIn * nOut, cpu.numParams());
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                options(PartitioningStrategy.FEWEST_CORES, length))) {
            machine.init();
            for (int p = 0; p < cpu.numParams(); p++) {
                INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 1, cpu.numParams());
                oneHot.putScalar(0, p, 1.0);
                cpu.setParams(oneHot);
                machine.setParams(oneHot);
                INDArray out = cpu.output(x);
                INDArray expected = Nd4j.zeros(DataType.FLOAT, 1, nOut, length - k + 1);
                if (p < nOut) {
                    expected.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(p)).assign(1.0);
                } else {
                    int w = p - nOut;
                    int tap = w / (nIn * nOut);
                    int in = w / nOut % nIn;
                    int o = w % nOut;
                    for (int t = 0; t < length - k + 1; t++) {
                        expected.putScalar(new int[] {0, o, t}, x.getFloat(0, in, t + tap));
                    }
                }
                assertTrue(Transforms.abs(out.sub(expected)).maxNumber().doubleValue() < 1e-6,
                        "parameter " + p + ": CPU " + out + ", formula " + expected);
                double diff = Transforms.abs(machine.output(x).sub(out)).maxNumber().doubleValue();
                assertTrue(diff < Parity.TOLERANCE, "parameter " + p + " on the machine: max |diff| " + diff);
            }
        }
    }

    @Test
    void unsupportedOptionsAreListedWithTheirLayers() {
        MultiLayerConfiguration conf = Parity.list(11)
                .layer(new Convolution1DLayer.Builder().nOut(4).kernelSize(3).dilation(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new Convolution1DLayer.Builder().nOut(4).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Causal).activation(Activation.RELU).build())
                .layer(new Convolution1DLayer.Builder().nOut(4).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 16, RNNFormat.NWC)).build();
        SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf, options(PartitioningStrategy.FASTEST,
                16));
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class, machine::init);
        String m = e.getMessage();
        assertTrue(m.contains("layer 0 (Convolution1DLayer): dilation 2"), m);
        assertTrue(m.contains("layer 1 (Convolution1DLayer): convolution mode Causal"), m);
        assertTrue(m.contains("layer 2 (Convolution1DLayer): data format NWC"), m);
        assertTrue(m.contains("layer 2 (Convolution1DLayer): softmax"), m);
    }

    @Test
    void theSequenceLengthMustBeGiven() {
        MultiLayerConfiguration conf = Parity.list(12).layer(conv(4, 3, 1, 0, ConvolutionMode.Same, Activation.RELU))
                .setInputType(InputType.recurrent(3, 16)).build();
        SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf, SpiNNakerOptions.defaults());
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class, machine::init);
        assertTrue(e.getMessage().contains("sequenceLength(n)"), e.getMessage());
    }

    @Test
    void inputOfAnotherLengthIsRefused() {
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(convDenseOutput(),
                options(PartitioningStrategy.FEWEST_CORES, 14))) {
            machine.init();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> machine.output(sequences(2, 3, 15, 13)));
            assertTrue(e.getMessage().contains("[batch ≥ 1, 3, 14]"), e.getMessage());
        }
    }
}
