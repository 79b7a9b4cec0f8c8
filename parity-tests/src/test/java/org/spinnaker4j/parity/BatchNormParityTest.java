package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.frontend.Dl4jFrontEnd;
import org.spinnaker4j.backend.frontend.Dl4jState;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.backend.runtime.NativeCoreMemory;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.backend.sim.EmbeddedSimulator;
import org.spinnaker4j.backend.sim.SimulatorParameters;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * BatchNormalization at inference (its running statistics) after a Conv1D and after a 2-D convolution: outputs
 * within 1e-6 of nd4j-native's on every partitioning strategy (exactly, behind an identity convolution), with no
 * drop and no TDMA overrun; its four parameters reach the cores through DL4J's doors and read back exactly;
 * score(DataSet) runs with the running statistics; what is not supported is listed at init(), and fit names the
 * layer.
 */
class BatchNormParityTest {

    private static final double TOLERANCE = 1e-6;
    private static final Logger LOG = LoggerFactory.getLogger(BatchNormParityTest.class);
    private static final int LENGTH = 10;
    private static final int HEIGHT = 6;
    private static final int WIDTH = 5;

    private static BatchNormalization norm(boolean logStd) {
        return new BatchNormalization.Builder().useLogStd(logStd).eps(1e-3).build();
    }

    /** Conv1D (3 → 6, kernel 3, tanh) → BatchNormalization → Conv1D (6 → 4, kernel 3) over 10 positions. */
    static MultiLayerConfiguration sequence(boolean logStd) {
        return Parity.list(1)
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(6).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .layer(norm(logStd))
                .layer(new Convolution1DLayer.Builder().nIn(6).nOut(4).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3, LENGTH)).build();
    }

    /**
     * Adds Conv2D (2 → 3, kernel 3, Same, relu) → BatchNormalization → Conv2D (3 → 2, kernel 3, Same, {@code second})
     * to a network's layers.
     */
    private static NeuralNetConfiguration.ListBuilder convNormConv(NeuralNetConfiguration.ListBuilder layers,
            boolean logStd, Activation second) {
        return layers
                .layer(new ConvolutionLayer.Builder().nIn(2).nOut(3).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(norm(logStd))
                .layer(new ConvolutionLayer.Builder().nIn(3).nOut(2).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Same).activation(second).build());
    }

    /** Conv2D (2 → 3, kernel 3, Same, relu) → BatchNormalization → Conv2D (3 → 2, kernel 3) on 6 × 5 images. */
    static MultiLayerConfiguration image(boolean logStd) {
        return convNormConv(Parity.list(2), logStd, Activation.IDENTITY)
                .setInputType(InputType.convolutional(HEIGHT, WIDTH, 2)).build();
    }

    /**
     * BatchNormalization (on the input) → Dense (4 → 6, tanh) → BatchNormalization → softmax output (6 → 3): per
     * feature.
     */
    static MultiLayerConfiguration dense(boolean logStd) {
        return Parity.list(3)
                .layer(norm(logStd))
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(norm(logStd))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build();
    }

    private static SpiNNakerOptions options(PartitioningStrategy strategy, boolean image) {
        SpiNNakerOptions.Builder b = SpiNNakerOptions.builder().partitioning(strategy).inferenceOnly();
        return (image ? b.imageSize(HEIGHT, WIDTH) : b.sequenceLength(LENGTH)).build();
    }

    private static INDArray inputs(boolean image, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return (image ? Nd4j.rand(DataType.FLOAT, 12, 2, HEIGHT, WIDTH) : Nd4j.rand(DataType.FLOAT, 12, 3, LENGTH))
                .muli(2).subi(1);
    }

    /**
     * Sets layer {@code l}'s statistics and gamma/beta away from DL4J's initial 1, 0, 0, 0 (or 1): gamma in [0.5, 1.5),
     * beta and mean in [-0.5, 0.5), log10 std in [-0.5, 0.5) or the variance in [0.2, 1.2).
     */
    private static void randomNorm(MultiLayerNetwork net, int l, long seed) {
        Nd4j.getRandom().setSeed(seed);
        org.deeplearning4j.nn.api.Layer layer = net.getLayer(l);
        boolean logStd = layer.paramTable().containsKey("log10stdev");
        long n = layer.getParam("gamma").length();
        layer.setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, n).addi(0.5));
        layer.setParam("beta", Nd4j.rand(DataType.FLOAT, 1, n).subi(0.5));
        layer.setParam("mean", Nd4j.rand(DataType.FLOAT, 1, n).subi(0.5));
        layer.setParam(logStd ? "log10stdev" : "var", Nd4j.rand(DataType.FLOAT, 1, n).addi(logStd ? -0.5 : 0.2));
    }

    /** The network with layer 1's normalization set by {@link #randomNorm}, or layer 0's if that is one. */
    private static MultiLayerNetwork cpu(MultiLayerConfiguration conf, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        randomNorm(net, net.getLayer(0).paramTable().containsKey("gamma") ? 0 : 1, seed);
        return net;
    }

    private static double maxDiff(INDArray a, INDArray b) {
        assertEquals(Arrays.toString(b.shape()), Arrays.toString(a.shape()));
        return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
    }

    private static void assertRan(RunStats stats, long samples) {
        assertEquals(samples, stats.samples());
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
    }

    static Stream<Arguments> cases() {
        return Stream.of(true, false).flatMap(image -> Stream.of(true, false).flatMap(logStd ->
                Arrays.stream(PartitioningStrategy.values()).map(s -> Arguments.of(image, logStd, s))));
    }

    /**
     * output and feedForward(train = false) against nd4j-native, every layer's activations: the image network, or
     * (image false) the fully connected one.
     */
    @ParameterizedTest(name = "image {0} logStd {1} {2}")
    @MethodSource("cases")
    void inferenceMatchesNd4j(boolean image, boolean logStd, PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = image ? image(logStd) : dense(logStd);
        MultiLayerNetwork cpu = cpu(conf, 7);
        if (!image) {
            randomNorm(cpu, 0, 8);
            randomNorm(cpu, 2, 9);
        }
        Nd4j.getRandom().setSeed(3);
        INDArray x = image ? inputs(true, 3) : Nd4j.rand(DataType.FLOAT, 12, 4).muli(2).subi(1);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu.clone(), image
                ? options(strategy, true) : SpiNNakerOptions.builder().partitioning(strategy).inferenceOnly().build())) {
            double out = maxDiff(machine.output(x), cpu.output(x));
            assertRan(machine.lastRunStats(), x.size(0));
            List<INDArray> expected = cpu.feedForward(x, false);
            List<INDArray> actual = machine.feedForward(x, false);
            assertEquals(expected.size(), actual.size());
            double ff = 0;
            for (int l = 0; l < expected.size(); l++) {
                ff = Math.max(ff, maxDiff(actual.get(l), expected.get(l)));
            }
            assertRan(machine.lastFeedForwardStats(), x.size(0));
            RunStats stats = machine.lastRunStats();
            LOG.info("{} logStd {} {}: output {}, feedForward {}; {} cores, {} µs per sample", image ? "image" : "dense",
                    logStd, strategy, out, ff, stats.coresUsed(), stats.simulatedSecondsPerSample() * 1e6);
            assertTrue(out < TOLERANCE && ff < TOLERANCE, "output " + out + ", feedForward " + ff);
        }
    }

    /**
     * The normalization itself is exact: behind a kernel-1 identity convolution (its outputs are its inputs, bit for
     * bit), the machine gives nd4j-native's outputs exactly, with either statistic.
     */
    @Test
    void normalizationIsExact() {
        for (boolean logStd : new boolean[] {true, false}) {
            MultiLayerConfiguration conf = Parity.list(5)
                    .layer(new ConvolutionLayer.Builder().nIn(4).nOut(4).kernelSize(1, 1)
                            .activation(Activation.IDENTITY).build())
                    .layer(norm(logStd)).setInputType(InputType.convolutional(HEIGHT, WIDTH, 4)).build();
            MultiLayerNetwork cpu = new MultiLayerNetwork(conf);
            cpu.init();
            INDArray w = cpu.getLayer(0).getParam("W");
            INDArray identity = Nd4j.zeros(DataType.FLOAT, w.shape());
            for (int c = 0; c < 4; c++) {
                identity.putScalar(new long[] {c, c, 0, 0}, 1.0);
            }
            cpu.getLayer(0).setParam("W", identity);
            cpu.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 4));
            randomNorm(cpu, 1, 11);
            Nd4j.getRandom().setSeed(12);
            INDArray x = Nd4j.rand(DataType.FLOAT, 30, 4, HEIGHT, WIDTH).muli(8).subi(4);
            try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu.clone(),
                    options(PartitioningStrategy.FASTEST, true))) {
                assertEquals(0.0, maxDiff(machine.output(x), cpu.output(x)), "logStd " + logStd);
            }
        }
    }

    /**
     * Every DL4J door reaches the cores: setParams, setParam of each of the four, getParam(...).assign and
     * params().putScalar; after each the outputs match nd4j-native's again.
     */
    @Test
    void parametersReachTheCoresThroughEveryDoor() {
        MultiLayerConfiguration conf = image(true);
        MultiLayerNetwork cpu = cpu(conf, 21);
        INDArray x = inputs(true, 4);
        // channel 1's log10stdev in the flat parameters: after layer 0's, gamma, beta and mean of 3 channels
        long stat1 = cpu.getLayer(0).numParams() + 3 * 3 + 1;
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu.clone(),
                options(PartitioningStrategy.FEWEST_CORES, true))) {
            INDArray before = machine.output(x);
            assertTrue(maxDiff(before, cpu.output(x)) < TOLERANCE);
            List<Runnable> doors = List.of(
                    () -> randomNorm(cpu, 1, 22),
                    () -> cpu.getLayer(1).getParam("mean").assign(0.25),
                    () -> cpu.getLayer(1).getParam("log10stdev").muli(-1),
                    () -> cpu.getLayer(1).setParam("beta", Nd4j.ones(DataType.FLOAT, 1, 3).muli(0.3)),
                    () -> cpu.params().putScalar(stat1, 0.7));
            for (int d = 0; d < doors.size(); d++) {
                doors.get(d).run();
                INDArray expected = cpu.output(x);
                if (d == 0) {
                    machine.setParams(cpu.params());
                } else if (d == 1) {
                    machine.setParam("1_mean", cpu.getLayer(1).getParam("mean"));
                } else if (d == 2) {
                    machine.getLayer(1).getParam("log10stdev").assign(cpu.getLayer(1).getParam("log10stdev"));
                } else if (d == 3) {
                    machine.getLayer(1).setParam("beta", cpu.getLayer(1).getParam("beta"));
                } else {
                    machine.params().putScalar(stat1, 0.7);
                }
                INDArray actual = machine.output(x);
                assertTrue(maxDiff(actual, expected) < TOLERANCE, "door " + d);
                assertTrue(maxDiff(actual, before) > 1e-3, "door " + d + " changed the outputs");
                before = actual;
            }
        }
    }

    /** The cores hold gamma, beta, mean and the statistic exactly as DL4J stores them: read back bit for bit. */
    @Test
    void parametersReadBackExactly() {
        for (boolean logStd : new boolean[] {false, true}) {
            for (PartitioningStrategy strategy : PartitioningStrategy.values()) {
                MultiLayerConfiguration conf = image(logStd);
                MultiLayerNetwork cpu = cpu(conf, 31);
                NetworkSpec spec = Dl4jFrontEnd.translate(conf, false, 0, HEIGHT, WIDTH);
                float[] flat = cpu.params().dup().data().asFloat();
                Mapping mapping = new Mapper(strategy, new NativeCoreMemory()).map(spec, Machine.spinn5());
                try (EmbeddedSimulator sim = new EmbeddedSimulator(SimulatorParameters.defaults())) {
                    sim.load(mapping, Dl4jState.split(flat, spec));
                    // a 2-D convolution's parameters are not read back (Dl4jState.join refuses it): the norm's are,
                    // every column (pixel) of every block, and they are DL4J's four arrays
                    DenseParameters read = sim.readParameters().get(1);
                    float[] gamma = cpu.getLayer(1).getParam("gamma").dup().data().asFloat();
                    float[] beta = cpu.getLayer(1).getParam("beta").dup().data().asFloat();
                    float[] mean = cpu.getLayer(1).getParam("mean").dup().data().asFloat();
                    float[] stat = cpu.getLayer(1).getParam(logStd ? "log10stdev" : "var").dup().data().asFloat();
                    for (int j = 0; j < read.nOut(); j++) {
                        int c = j % gamma.length;
                        String at = strategy + " column " + j;
                        assertEquals(gamma[c], read.weight(0, j), 0.0, at);
                        assertEquals(mean[c], read.weight(1, j), 0.0, at);
                        assertEquals(stat[c], read.weight(2, j), 0.0, at);
                        assertEquals(beta[c], read.bias()[j], 0.0, at);
                    }
                }
            }
        }
    }

    /**
     * A normalization of a sequence (which DL4J 1.0.0-M2.1 cannot run) and lockGammaBeta are listed at init();
     * score(DataSet, true) names every normalization (fit trains them: {@code BatchNormTrainingParityTest} per
     * feature, {@code ConvBatchNormTrainingParityTest} per channel).
     */
    @Test
    void unsupportedIsListedAndTrainingPassesNameTheLayers() {
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(sequence(true),
                options(PartitioningStrategy.FASTEST, false)).init());
        assertTrue(e.getMessage().contains("DL4J 1.0.0-M2.1 cannot run it"), e.getMessage());
        MultiLayerNetwork sequence = new MultiLayerNetwork(sequence(true));
        sequence.init();
        IllegalArgumentException dl4j = assertThrows(IllegalArgumentException.class,
                () -> sequence.output(inputs(false, 6)));
        assertTrue(dl4j.getMessage().contains("[1, 12, 6, 10]"), dl4j.getMessage());
        MultiLayerConfiguration locked = Parity.list(3)
                .layer(new ConvolutionLayer.Builder().nIn(2).nOut(3).kernelSize(3, 3).build())
                .layer(new BatchNormalization.Builder().lockGammaBeta(true).build())
                .setInputType(InputType.convolutional(HEIGHT, WIDTH, 2)).build();
        e = assertThrows(UnsupportedNetworkException.class, () -> new SpiNNakerMultiLayerNetwork(locked,
                options(PartitioningStrategy.FASTEST, true)).init());
        assertTrue(e.getMessage().contains("lockGammaBeta"), e.getMessage());
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(dense(false),
                SpiNNakerOptions.builder().build())) {
            machine.init();
            Nd4j.getRandom().setSeed(6);
            DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, 4, 4), Nd4j.zeros(DataType.FLOAT, 4, 3));
            String layers = "layer 0 (BatchNormalization), layer 2 (BatchNormalization): ";
            UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                    () -> machine.score(data, true));
            assertTrue(refused.getMessage().contains(layers + "in a training forward pass"), refused.getMessage());
        }
    }

    /**
     * Conv2D (2 → 3, 3 × 3, Same, relu) → BatchNormalization → Conv2D (3 → 2, 3 × 3, Same, tanh) → Dense (5, tanh)
     * → softmax output (3) on 6 × 5 images: a normalization between 2-D convolutions, per channel, in a network that
     * scores.
     */
    static MultiLayerConfiguration imageScored(boolean logStd) {
        return convNormConv(Parity.list(4), logStd, Activation.TANH)
                .layer(new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(HEIGHT, WIDTH, 2)).build();
    }

    /**
     * score(DataSet) is DL4J's score(data, false): the running statistics, no barrier. It runs on the training
     * mapping (both passes, the normalization's backward pass with the running statistics: delta · gamma / std) and
     * matches nd4j-native's within the training tolerance, with no drop and no TDMA overrun.
     */
    @ParameterizedTest(name = "image {0} logStd {1} {2}")
    @MethodSource("cases")
    void scoreUsesTheRunningStatistics(boolean image, boolean logStd, PartitioningStrategy strategy) {
        MultiLayerNetwork cpu = cpu(image ? imageScored(logStd) : dense(logStd), 41);
        if (!image) {
            randomNorm(cpu, 2, 42);
        }
        Nd4j.getRandom().setSeed(43);
        INDArray x = image ? inputs(true, 44) : Nd4j.rand(DataType.FLOAT, 12, 4).muli(2).subi(1);
        DataSet data = new DataSet(x, TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 12, 3, 45));
        SpiNNakerOptions.Builder options = SpiNNakerOptions.builder().partitioning(strategy);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu.clone(),
                (image ? options.imageSize(HEIGHT, WIDTH) : options).build())) {
            double expected = cpu.score(data);
            double actual = machine.score(data);
            RunStats stats = machine.lastScoreStats();
            LOG.info("score(DataSet) {} logStd {} {}: nd4j-native {}, SpiNNaker {}, relative {}; {} cores, {} µs per "
                    + "sample", image ? "image" : "dense", logStd, strategy, expected, actual,
                    Math.abs(actual - expected) / Math.abs(expected), stats.coresUsed(),
                    stats.simulatedSecondsPerSample() * 1e6);
            assertEquals(expected, actual, TrainingParity.SCORE_TOLERANCE * Math.abs(expected));
            assertRan(stats, x.size(0));
        }
    }

    /**
     * A training forward pass ({@code output(x, true)}, {@code feedForward(x, true)}) normalizes with the mini-batch's
     * statistics in DL4J, not the running ones the cores hold: it is refused, naming every normalization, rather than
     * answered with the inference outputs; outside training it runs.
     */
    @Test
    void aTrainingForwardPassIsRefusedNotAnsweredWithTheRunningStatistics() {
        MultiLayerNetwork cpu = cpu(dense(true), 9);
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.rand(DataType.FLOAT, 12, 4).muli(2).subi(1);
        double batchStatistics = maxDiff(cpu.output(x, true), cpu.output(x, false));
        LOG.info("output(x, true) against output(x, false) on nd4j-native: {}", batchStatistics);
        assertTrue(batchStatistics > 1e-2, "the batch's statistics matter here: " + batchStatistics);
        try (SpiNNakerMultiLayerNetwork machine = SpiNNakerMultiLayerNetwork.wrap(cpu.clone(),
                SpiNNakerOptions.builder().inferenceOnly().build())) {
            for (Runnable call : List.<Runnable>of(() -> machine.output(x, true), () -> machine.feedForward(x, true))) {
                UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class, call::run);
                assertTrue(refused.getMessage().contains("layer 0 (BatchNormalization), layer 2 "
                        + "(BatchNormalization): in a training forward pass"), refused.getMessage());
            }
            assertTrue(maxDiff(machine.output(x, false), cpu.output(x, false)) < TOLERANCE);
        }
    }
}
