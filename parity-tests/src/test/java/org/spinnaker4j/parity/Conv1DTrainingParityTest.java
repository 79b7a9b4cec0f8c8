package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
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
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Convolution1DLayer training on the machine, where each layer holds its kernel once (one output position, every
 * tap on the input, so one block per channel slice holds the only copy and no gradient is exchanged): the
 * trajectory of nd4j-native (every iteration's score, score(DataSet), the parameters and the updater state within
 * {@link TrainingParity}'s tolerances, no drop). Networks with a kernel in several position blocks score on the
 * machine, and their fit is refused before anything runs, naming their layers.
 */
class Conv1DTrainingParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(Conv1DTrainingParityTest.class);
    private static final int BATCHES = 10;
    private static final int BATCH = 16;

    /** A convolution whose kernel spans the whole sequence: one output position. */
    private static Convolution1DLayer wholeSequence(int nIn, int nOut, int length, Activation activation) {
        return new Convolution1DLayer.Builder().nIn(nIn).nOut(nOut).kernelSize(length)
                .convolutionMode(ConvolutionMode.Truncate).activation(activation).build();
    }

    /** Conv1D (3 × 5 → 8) → Dense (8 → 6) → softmax output, the dense layers behind RnnToFeedForward. */
    private static MultiLayerConfiguration convDenseOutput() {
        return Parity.list(31, new Adam(1e-2))
                .layer(wholeSequence(3, 8, 5, Activation.RELU))
                .inputPreProcessor(1, new RnnToFeedForwardPreProcessor())
                .layer(new DenseLayer.Builder().nIn(8).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(6).nOut(4).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void convDenseOutputAdam(PartitioningStrategy strategy) {
        TrainingParity.assertTrainingParity("conv-dense-output " + strategy, convDenseOutput(), Parity.sequenceOptions(strategy, 5),
                Parity.sequences(BATCHES * BATCH, 3, 5, 31), TrainingParity.labels(TrainingParity.Labels.ONE_HOT,
                        BATCHES * BATCH, 4, 32), BATCHES, BATCH);
    }

    /** Two convolutions (the second of kernel 1 on the first's one position), l2, MSE, Nesterovs. */
    @Test
    void twoConvolutionsNesterovsL2() {
        MultiLayerConfiguration conf = Parity.builder(33).updater(new Nesterovs(0.05, 0.9)).l2(1e-3).list()
                .layer(wholeSequence(4, 7, 6, Activation.TANH))
                .layer(wholeSequence(7, 5, 1, Activation.SIGMOID))
                .inputPreProcessor(2, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(5).nOut(3).activation(Activation.IDENTITY)
                        .build())
                .build();
        TrainingParity.assertTrainingParity("two convolutions", conf, Parity.sequenceOptions(PartitioningStrategy.FASTEST, 6),
                Parity.sequences(BATCHES * BATCH, 4, 6, 33), TrainingParity.labels(TrainingParity.Labels.UNIFORM,
                        BATCHES * BATCH, 3, 34), BATCHES, BATCH);
    }

    /**
     * Conv1D (3 × 9 → 6, kernel 3: 7 output positions, no padding) → Conv1D (kernel 3, stride 2, Same: 4 positions,
     * the padding's taps held by the other positions) → Conv1D (kernel 4: one position) → softmax: the first two
     * kernels are held by several position blocks, whose copies exchange their shares and update as one (the owners
     * update).
     */
    private static MultiLayerConfiguration severalPositions(NeuralNetConfiguration.Builder builder) {
        return builder.list()
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(6).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .layer(new Convolution1DLayer.Builder().nIn(6).nOut(5).kernelSize(3).stride(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(wholeSequence(5, 4, 4, Activation.TANH))
                .inputPreProcessor(3, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(4).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void kernelsInSeveralPositionBlocksAdam(PartitioningStrategy strategy) {
        RunStats stats = TrainingParity.assertTrainingParity("several positions " + strategy,
                severalPositions(Parity.builder(51).updater(new Adam(1e-2))), Parity.sequenceOptions(strategy, 9), Parity.sequences(BATCHES * BATCH, 3, 9, 51),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 3, 52), BATCHES, BATCH);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertEquals(0, stats.tdmaOverruns());
    }

    /**
     * The 8 × 64 network of {@link #scoreOfTheLongerSequenceOnFastest} (kernel 5 over 64 positions, then kernel 3,
     * stride 2, both Same: 64 and 32 copies of each channel slice, FASTEST's channels over several blocks; 32 softmax
     * rows per sequence) trained with Nesterovs on its FASTEST mapping: every copy is read back (ParameterGather
     * compares their bits).
     */
    @Test
    void theLongerSequenceTrainsOnFastest() {
        RunStats stats = TrainingParity.assertTrainingParity("8 x 64 FASTEST", longerSequence(new Nesterovs(0.05, 0.9)),
                Parity.sequenceOptions(PartitioningStrategy.FASTEST, 64), Parity.sequences(10 * 4, 8, 64, 47),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 10 * 4 * 32, 5, 48), 10, 4);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertEquals(0, stats.tdmaOverruns());
    }

    /**
     * score(DataSet) of networks whose kernels are in several position blocks runs on the machine (forward and
     * backward passes, no update): DL4J's label rows (sample i's position t in row t·batch + i) per sample, each
     * position's row scored over its channels, the sum divided by batch × positions, as nd4j-native's score.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void scoreOfKernelsInSeveralPositionBlocks(PartitioningStrategy strategy) {
        int batch = 12;
        // 14 positions → 14 → 7: the output layer has 7 rows per sequence
        assertScoreParity(Conv1DParityTest.convDenseOutput(), Parity.sequenceOptions(strategy, 14), Parity.sequences(batch, 3, 14, 42),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, batch * 7, 4, 43));
        // MSE divides each row by its channels (3, not 3 × 5 positions) and weights them per channel
        MultiLayerConfiguration mse = Parity.list(44, new Sgd(0.1))
                .layer(new Convolution1DLayer.Builder().nIn(2).nOut(6).kernelSize(3).stride(2).padding(1)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .inputPreProcessor(1, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder().lossFunction(new LossMSE(Nd4j.create(new float[] {0.5f, 2f, 1f})))
                        .nIn(6).nOut(3).activation(Activation.IDENTITY).build())
                .build();
        assertScoreParity(mse, Parity.sequenceOptions(strategy, 9), Parity.sequences(batch, 2, 9, 45),
                TrainingParity.labels(TrainingParity.Labels.UNIFORM, batch * 5, 3, 46));
    }

    /**
     * The 8 × 64 network of {@link Conv1DParityTest#longerSequenceThroughRelays} (two convolutions, 32 softmax rows
     * per sequence) on its FASTEST training mapping: its backward passes run with no drop and no overrun.
     */
    @Test
    void scoreOfTheLongerSequenceOnFastest() {
        assertScoreParity(longerSequence(new Sgd(0.1)), Parity.sequenceOptions(PartitioningStrategy.FASTEST, 64),
                Parity.sequences(8, 8, 64, 47), TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 8 * 32, 5, 48));
    }

    private static MultiLayerConfiguration longerSequence(IUpdater updater) {
        return Parity.list(17, updater)
                .layer(new Convolution1DLayer.Builder().nIn(8).nOut(16).kernelSize(5)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new Convolution1DLayer.Builder().nIn(16).nOut(16).kernelSize(3).stride(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .inputPreProcessor(2, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(16).nOut(5).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    /**
     * Labels with one row per sequence instead of one per (sample, output position) are refused by score before
     * anything runs, saying how many rows the features make.
     */
    @Test
    void labelsWithOneRowPerSequenceAreRefused() {
        int batch = 12;
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(Conv1DParityTest.convDenseOutput(),
                Parity.sequenceOptions(PartitioningStrategy.FEWEST_CORES, 14))) {
            machine.init();
            DataSet data = new DataSet(Parity.sequences(batch, 3, 14, 42),
                    TrainingParity.labels(TrainingParity.Labels.ONE_HOT, batch, 4, 43));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> machine.score(data));
            assertTrue(e.getMessage().contains("features have 12 sequences of 7 output positions, 84 rows,"
                    + " but labels have 12"), e.getMessage());
        }
    }

    private static void assertScoreParity(MultiLayerConfiguration conf, SpiNNakerOptions options, INDArray x,
            INDArray labels) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        DataSet data = new DataSet(x, labels);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), options)) {
            machine.init();
            machine.setParams(cpu.params());
            double expected = cpu.score(data);
            double actual = machine.score(data);
            LOG.info("score(DataSet) {} on {}: nd4j-native {}, SpiNNaker {}, relative difference {}; {}",
                    options.partitioning(), machine.trainingMapping().graph().vertices().size() + " cores", expected,
                    actual, Math.abs(actual - expected) / Math.abs(expected), machine.lastScoreStats());
            assertEquals(expected, actual, TrainingParity.SCORE_TOLERANCE * Math.abs(expected),
                    "score(DataSet) on SpiNNaker against nd4j-native");
            assertEquals(0, machine.lastScoreStats().packetsDropped(), machine.lastScoreStats().describeDrops());
            assertEquals(0, machine.lastScoreStats().tdmaOverruns());
        }
    }

    /**
     * ClipL2PerLayer on the convolution, whose channels FASTEST spreads over several blocks: they exchange their
     * partial sums of squares as a dense layer's cores do. The threshold moves the CPU's parameters.
     */
    @Test
    void gradientNormalizationOverTheConvolutionsBlocks() {
        MultiLayerConfiguration conf = clippedConvolution(GradientNormalization.ClipL2PerLayer);
        INDArray x = Parity.sequences(BATCHES * BATCH, 3, 4, 39);
        INDArray y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 3, 40);
        double moved = Transforms.abs(cpuParametersAfter(conf, x, y).sub(cpuParametersAfter(
                clippedConvolution(GradientNormalization.None), x, y))).maxNumber().doubleValue();
        assertTrue(moved > 1e-2, "the clipping moves the CPU's parameters by " + moved);
        SpiNNakerOptions fastest = Parity.sequenceOptions(PartitioningStrategy.FASTEST, 4);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), fastest)) {
            machine.init();
            assertTrue(machine.trainingMapping().graph().vertices().stream()
                    .filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 0).count() > 1);
        }
        TrainingParity.assertTrainingParity("ClipL2PerLayer", conf, fastest, x, y, BATCHES, BATCH);
    }

    /** Conv1D (3 × 4 → 12, one position) with a gradient normalization → softmax output, Sgd. */
    private static MultiLayerConfiguration clippedConvolution(GradientNormalization mode) {
        return Parity.list(39, new Sgd(0.5))
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(12).kernelSize(4)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH)
                        .gradientNormalization(mode).gradientNormalizationThreshold(0.05).build())
                .inputPreProcessor(1, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(12).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    /** nd4j-native's parameters after fitting the mini-batches of BATCH examples of x and y in order. */
    private static INDArray cpuParametersAfter(MultiLayerConfiguration conf, INDArray x, INDArray y) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        for (int b = 0; b < x.size(0) / BATCH; b++) {
            INDArrayIndex examples = NDArrayIndex.interval(b * BATCH, (b + 1) * BATCH);
            cpu.fit(x.get(examples, NDArrayIndex.all(), NDArrayIndex.all()), y.get(examples, NDArrayIndex.all()));
        }
        return cpu.params();
    }

    /** A convolution without bias is refused at init(), as a dense layer without one is: the cores would train one. */
    @Test
    void aConvolutionWithoutBiasIsRefusedAtInit() {
        MultiLayerConfiguration conf = Parity.list(41, new Sgd(0.1))
                .layer(new Convolution1DLayer.Builder().nIn(2).nOut(3).kernelSize(3).hasBias(false)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .inputPreProcessor(1, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(3).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .build();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> new SpiNNakerMultiLayerNetwork(conf, Parity.sequenceOptions(PartitioningStrategy.FASTEST, 3)).init());
        assertTrue(e.getMessage().contains("layer 0 (Convolution1DLayer): hasBias(false) does not train"),
                e.getMessage());
    }

    /**
     * 64 channels × kernel 5 × 53 output channels and their gradients do not fit one core: FEWEST_CORES cuts the
     * channels into 3 slices, so the kernel's columns and the bias are read back from several blocks at their
     * channels' offsets.
     */
    @Test
    void channelsCutOverSeveralBlocks() {
        MultiLayerConfiguration conf = Parity.list(35, new Sgd(0.1))
                .layer(wholeSequence(64, 53, 5, Activation.TANH))
                .inputPreProcessor(1, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(53).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .build();
        SpiNNakerOptions fewest = Parity.sequenceOptions(PartitioningStrategy.FEWEST_CORES, 5);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), fewest)) {
            machine.init();
            assertEquals(3, machine.trainingMapping().graph().vertices().stream()
                    .filter(v -> v.kind() == VertexKind.DENSE_BLOCK && v.layer() == 0).count());
        }
        TrainingParity.assertTrainingParity("channels cut", conf, fewest, Parity.sequences(4 * 8, 64, 5, 35),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 4 * 8, 3, 36), 4, 8);
    }

    /**
     * Taps that see only padding (no block would hold them), taps that one position block alone holds (no other copy
     * to send their new values to), or a kernel in several position blocks with an L2 gradient normalization (its
     * copies' owners do not exchange the norm): fit throws before anything runs, naming each such layer.
     */
    @Test
    void tapsOnThePaddingOrAnL2NormOverCopiesDoNotFit() {
        MultiLayerConfiguration clipped = severalPositions(Parity.builder(51).updater(new Sgd(0.1))
                .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(0.5));
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(clipped, Parity.sequenceOptions(
                PartitioningStrategy.FASTEST, 9))) {
            machine.init();
            INDArray before = machine.params().dup();
            DataSet data = new DataSet(Parity.sequences(4, 3, 9, 14), Nd4j.zeros(DataType.FLOAT, 4, 3));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> machine.fit(data));
            assertTrue(e.getMessage().contains("fit(...): layer 0 (Convolution1DLayer, 7 output positions with an L2 "
                    + "gradient normalization), layer 1 (Convolution1DLayer, 4 output positions with an L2 gradient "
                    + "normalization): a layer along a sequence trains"), e.getMessage());
            assertEquals(before, machine.params(), "nothing trained");
            assertEquals(0, machine.getIterationCount());
        }
        // kernel 4 on 2 positions padded by 1: one output position, taps 0 and 3 on the padding
        MultiLayerConfiguration padded = Parity.list(37, new Sgd(0.1))
                .layer(new Convolution1DLayer.Builder().nIn(2).nOut(3).kernelSize(4).padding(1)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .inputPreProcessor(1, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(3).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .build();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(padded,
                Parity.sequenceOptions(PartitioningStrategy.FASTEST, 2))) {
            machine.init();
            DataSet data = new DataSet(Parity.sequences(4, 2, 2, 15), Nd4j.zeros(DataType.FLOAT, 4, 2));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> machine.fit(data));
            assertTrue(e.getMessage().contains("fit(...): layer 0 (Convolution1DLayer, taps that see only padding): a "
                    + "layer"),
                    e.getMessage());
        }
        // kernel 3 (Same) on 2 positions: taps 0 and 2 fall on the input at one position each, so one copy alone
        // holds each, which the exchange does not cover; score(DataSet) still runs
        MultiLayerConfiguration shortSequence = Parity.list(38, new Sgd(0.1))
                .layer(new Convolution1DLayer.Builder().nIn(2).nOut(3).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .inputPreProcessor(1, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(3).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .build();
        INDArray x = Parity.sequences(4, 2, 2, 16);
        INDArray y = TrainingParity.labels(TrainingParity.Labels.UNIFORM, 4 * 2, 2, 17);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(shortSequence.clone(),
                Parity.sequenceOptions(PartitioningStrategy.FASTEST, 2))) {
            machine.init();
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> machine.fit(new DataSet(x, y)));
            assertTrue(e.getMessage().contains("fit(...): layer 0 (Convolution1DLayer, taps that only one of its 2 "
                    + "output positions sees): a layer"), e.getMessage());
        }
        assertScoreParity(shortSequence, Parity.sequenceOptions(PartitioningStrategy.FASTEST, 2), x, y);
    }
}
