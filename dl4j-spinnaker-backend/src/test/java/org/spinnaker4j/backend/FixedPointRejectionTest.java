package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.spinnaker4j.backend.frontend.Problem;
import org.spinnaker4j.backend.frontend.UnsupportedNetworkException;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.MappingException;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * In s16.15 fixed point ({@link Arithmetic#S16_15}) init() lists, in the one unsupported-network exception, what fixed
 * point cannot run at inference (a softmax too wide for its exact sum) and everything s16.15 training cannot do
 * (docs/fixed-point.md, "Training in s16.15 through fit"): what a layer, its updater or the mapping needs; networks of
 * fused blocks, mappings that split a fan-in over cores, convolutions, pooling, a DropoutLayer and every activation
 * initialise; float32 stays the default, and stochastic rounding with seed 0 the s16.15 training's.
 */
class FixedPointRejectionTest {

    private static final SpiNNakerOptions FIXED_INFERENCE = SpiNNakerOptions.builder()
            .arithmetic(Arithmetic.S16_15).inferenceOnly().build();
    private static final SpiNNakerOptions FIXED_TRAINING = SpiNNakerOptions.builder()
            .arithmetic(Arithmetic.S16_15).partitioning(PartitioningStrategy.FEWEST_CORES).build();

    @Test
    void float32IsTheDefault() {
        assertEquals(Arithmetic.FLOAT32, SpiNNakerOptions.defaults().arithmetic());
        assertEquals(Arithmetic.S16_15, FIXED_INFERENCE.toBuilder().build().arithmetic());
        assertTrue(FIXED_INFERENCE.toString().contains("arithmetic=S16_15"), FIXED_INFERENCE.toString());
    }

    /** Every activation the float front end maps has a fixed-point kernel: a network of all of them initialises. */
    @Test
    void everyActivationTheFloatKernelsComputeInitialisesInFixedPoint() {
        List<Activation> all = List.of(Activation.IDENTITY, Activation.RELU, Activation.LEAKYRELU,
                Activation.SIGMOID, Activation.TANH, Activation.HARDTANH, Activation.SOFTPLUS, Activation.ELU,
                Activation.SWISH, Activation.GELU, Activation.SELU, Activation.MISH, Activation.SOFTSIGN,
                Activation.RATIONALTANH, Activation.RECTIFIEDTANH, Activation.CUBE, Activation.THRESHOLDEDRELU,
                Activation.RELU6);
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().list();
        for (Activation a : all) {
            list.layer(new DenseLayer.Builder().nIn(4).nOut(4).activation(a).build());
        }
        MultiLayerConfiguration conf = list.layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(4).nOut(3)
                .activation(Activation.SOFTMAX).build()).build();
        assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(conf, FIXED_INFERENCE).init());
    }

    @Test
    void aSoftmaxTooWideForItsExactSumIsNamedWithItsLayer() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(65_536).activation(Activation.SOFTMAX).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(65_536).nOut(2).activation(Activation.SOFTMAX)
                        .build())
                .build();
        List<Problem> layers = layerProblems(conf, FIXED_INFERENCE);
        assertEquals(0, layers.get(0).layerIndex(), layers.toString());
        assertTrue(layers.get(0).reason().contains("a softmax of 65536 outputs: at most 65535"), layers.toString());
        assertTrue(layers.stream().noneMatch(p -> p.layerIndex() == 1 && p.reason().contains("softmax")),
                layers.toString());
    }

    /**
     * A DropoutLayer passes its input on at inference and has no layer on the machine, in s16.15 as in float32; the
     * s16.15 training kernels train DenseLayers under an OutputLayer only, so training names it.
     */
    @Test
    void aDropoutLayerRunsAtInferenceAndIsNamedInTraining() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(8).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .build();
        assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(conf, FIXED_INFERENCE).init());
        List<Problem> layers = layerProblems(conf, FIXED_TRAINING);
        assertEquals(1, layers.size(), layers.toString());
        assertEquals(1, layers.get(0).layerIndex(), layers.toString());
        assertTrue(layers.get(0).reason().contains("only DenseLayers under one OutputLayer train"), layers.toString());
        assertTrue(layers.get(0).reason().contains("inferenceOnly()"), "what would help: " + layers);
    }

    @Test
    void aLayerTheFloatFrontEndRefusesIsNamedOnce() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new ActivationLayer.Builder().activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(8).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .build();
        List<Problem> layers = layerProblems(conf, FIXED_INFERENCE);
        assertEquals(1, layers.size(), layers.toString());
        assertEquals(new Problem(1, "ActivationLayer", "layer type ActivationLayer is not supported"), layers.get(0));
    }

    @Test
    void aConvolutionBeforeAGlobalPoolingInitialises() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new Convolution1DLayer.Builder().nIn(2).nOut(4).kernelSize(3).activation(Activation.RELU)
                        .build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .inputPreProcessor(2, new RnnToFeedForwardPreProcessor())
                .build();
        SpiNNakerOptions options = FIXED_INFERENCE.toBuilder().sequenceLength(8).build();
        assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(conf, options).init());
    }

    @Test
    void aNetworkTheKernelsTrainInitialisesForTraining() {
        assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(trainable(new Sgd(0.1)).build(), FIXED_TRAINING)
                .init());
        assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(trainable(new Adam(1e-3)).build(), FIXED_TRAINING)
                .init());
    }

    @Test
    void activationsTheTrainingKernelsDoNotDifferentiateAreNamedWithTheirLayers() {
        // leakyrelu and hardtanh run at inference, not in s16.15 training
        UnsupportedNetworkException e = refusal(exactNetwork(), FIXED_TRAINING);
        assertEquals(List.of(1, 2), e.problems().stream().map(Problem::layerIndex).toList(), e.getMessage());
        assertTrue(e.problems().get(0).reason().contains("relu, identity, tanh or sigmoid"), e.getMessage());
        assertTrue(e.problems().get(0).reason().contains("inferenceOnly()"), "what would help: " + e.getMessage());
        assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(exactNetwork(), FIXED_INFERENCE.toBuilder()
                .partitioning(PartitioningStrategy.FEWEST_CORES).build()).init(), "it runs at inference");
    }

    @Test
    void whatTheTrainingKernelsCannotDoIsNamedWithItsLayer() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).l2(1e-4).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.TANH).dropOut(0.5).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.SIGMOID)
                        .updater(new Nesterovs(0.1, 0.9)).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.RELU)
                        .gradientNormalization(GradientNormalization.ClipL2PerLayer).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.RELU)
                        .biasUpdater(new Sgd(0.5)).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.RELU)
                        .updater(new Sgd(new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.99))).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(8).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .build();
        List<Problem> problems = refusal(conf, FIXED_TRAINING).problems();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), problems.stream().map(Problem::layerIndex).toList(),
                problems.toString());
        List<String> expected = List.of("no l1, l2 or weight decay", "no dropout", "Sgd or Adam at a fixed learning "
                + "rate", "no gradient normalization", "the bias is updated as the weights",
                "Sgd or Adam at a fixed learning rate", "softmax with MCXENT");
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(problems.get(i).reason().contains(expected.get(i)), problems.get(i).toString());
        }
    }

    @Test
    void summedGradientsAreRefused() {
        MultiLayerConfiguration conf = trainable(new Sgd(0.1)).build();
        conf.getConfs().forEach(c -> c.setMiniBatch(false));
        UnsupportedNetworkException e = refusal(conf, FIXED_TRAINING);
        assertEquals(List.of(-1), e.problems().stream().map(Problem::layerIndex).toList(), e.getMessage());
        assertTrue(e.problems().get(0).reason().contains("miniBatch(true)"), e.getMessage());
    }

    @Test
    void fastestPartitioningIsRefusedNamingTheStrategyToChoose() {
        UnsupportedNetworkException e = refusal(trainable(new Sgd(0.1)).build(), FIXED_TRAINING.toBuilder()
                .partitioning(PartitioningStrategy.FASTEST).build());
        assertTrue(e.getMessage().contains("partitioning(PartitioningStrategy.FEWEST_CORES)"), e.getMessage());
    }

    @Test
    void layersTooWideForOneCoreAreSplitByColumnsOnly() {
        // 784 x 256 does not fit one core: FEWEST_CORES cuts its columns, every block holding all 784 rows
        try (SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(reluThenMse(784, 256, 10),
                FIXED_TRAINING)) {
            net.init();
            Mapping mapping = net.trainingMapping();
            List<MachineVertex> blocks = mapping.graph().vertices().stream()
                    .filter(v -> v.kind() == VertexKind.DENSE_BLOCK).toList();
            assertTrue(blocks.stream().filter(v -> v.layer() == 0).count() > 1, blocks.toString());
            assertTrue(blocks.stream().allMatch(v -> v.fused() && v.rows().lo() == 0
                    && v.rows().size() == mapping.network().layers().get(v.layer()).nIn()), blocks.toString());
            assertEquals(1, blocks.stream().filter(v -> v.layer() == 1).count(), blocks.toString());
        }
    }

    @Test
    void aFanInNoCoreHoldsIsRefused() {
        // a single column of 20000 rows does not fit a core, and s16.15 training does not split rows
        MappingException e = assertThrows(MappingException.class,
                () -> new SpiNNakerMultiLayerNetwork(reluThenMse(20000, 4, 3), FIXED_TRAINING).init());
        assertTrue(e.getMessage().contains("hold all their layer's rows"), e.getMessage());
    }

    @Test
    void anOutputLayerTooWideForOneCoreIsRefused() {
        // 8 x 4000 does not fit one core, and the s16.15 loss takes all the output layer's columns
        MappingException e = assertThrows(MappingException.class,
                () -> new SpiNNakerMultiLayerNetwork(reluThenMse(4, 8, 4000), FIXED_TRAINING).init());
        assertTrue(e.getMessage().contains("output layer must be on one block"), e.getMessage());
    }

    @Test
    void aBatchNormalizationRunsAtInferenceAndItsTrainingIsRefused() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().nOut(6).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(6).nOut(3).activation(Activation.IDENTITY)
                        .build())
                .build();
        assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(conf, FIXED_INFERENCE).init());
        UnsupportedNetworkException e = refusal(conf, FIXED_TRAINING);
        assertEquals(List.of(1), e.problems().stream().map(Problem::layerIndex).toList(), e.getMessage());
        assertTrue(e.problems().get(0).reason().contains("only DenseLayers under one OutputLayer train"),
                e.getMessage());
    }

    @Test
    void stochasticRoundingWithSeedZeroIsTheDefault() {
        assertEquals(FixedPointRounding.stochastic(0), SpiNNakerOptions.defaults().fixedPointRounding());
        SpiNNakerOptions nearest = FIXED_TRAINING.toBuilder().fixedPointRounding(FixedPointRounding.nearest()).build();
        assertEquals(FixedPointRounding.nearest(), nearest.toBuilder().build().fixedPointRounding());
    }

    @Test
    void aNetworkOfFusedBlocksInitialises() {
        // FEWEST_CORES keeps each of these small layers on one fused block
        assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(exactNetwork(), FIXED_INFERENCE.toBuilder()
                .partitioning(PartitioningStrategy.FEWEST_CORES).build()).init());
    }

    @Test
    void mappingsThatSplitAFanInInitialise() {
        // 784 inputs x 256 outputs does not fit one core: FEWEST_CORES and FASTEST (the default) split its fan-in into
        // partial sums, which travel as two packets each in fixed point
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(256).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(256).nOut(10).activation(Activation.IDENTITY)
                        .build())
                .build();
        for (PartitioningStrategy strategy : List.of(PartitioningStrategy.FEWEST_CORES, PartitioningStrategy.FASTEST)) {
            assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(conf, FIXED_INFERENCE.toBuilder()
                    .partitioning(strategy).build()).init(), strategy.toString());
        }
    }

    @Test
    void aConvolutionNetworkInitialises() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(3, 3).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutionalFlat(6, 5, 1)).build();
        assertDoesNotThrow(() -> new SpiNNakerMultiLayerNetwork(conf, FIXED_INFERENCE).init());
    }

    /** 4 → 8 → 3, relu then softmax with MCXENT: one fused block a layer under FEWEST_CORES. */
    private static NeuralNetConfiguration.ListBuilder trainable(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(8).nOut(3).activation(Activation.SOFTMAX)
                        .build());
    }

    /** nIn → hidden (relu) → nOut (identity, MSE), Sgd. */
    private static MultiLayerConfiguration reluThenMse(int nIn, int hidden, int nOut) {
        return new NeuralNetConfiguration.Builder().updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(nIn).nOut(hidden).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(hidden).nOut(nOut)
                        .activation(Activation.IDENTITY).build())
                .build();
    }

    private static MultiLayerConfiguration exactNetwork() {
        return new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.LEAKYRELU).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(Activation.HARDTANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(8).nOut(3).activation(Activation.IDENTITY)
                        .build())
                .build();
    }

    private static List<Problem> layerProblems(MultiLayerConfiguration conf, SpiNNakerOptions options) {
        return refusal(conf, options).problems().stream().filter(p -> p.layerIndex() >= 0).toList();
    }

    private static UnsupportedNetworkException refusal(MultiLayerConfiguration conf, SpiNNakerOptions options) {
        return assertThrows(UnsupportedNetworkException.class, () -> new SpiNNakerMultiLayerNetwork(conf, options).init());
    }
}
