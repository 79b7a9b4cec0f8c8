package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Dropout in training on the machine. With the cores' masks reconstructed on the host ({@link CoreMaskDropout}),
 * nd4j-native follows the machine's trajectory within {@link TrainingParity}'s tolerances (every score, the
 * parameters, the updater state): the forward pass's x·m/p and the backward pass's same m/p, on every layer's input
 * (the features, hidden layers, the output layer's, a DropoutLayer's, a scheduled p, overlapping convolution fields,
 * 2-D convolutions, a pooling layer after a DropoutLayer, a dense layer over an image), with no drop and no TDMA
 * overrun (the mapper charges the dropout).
 * With DL4J's own masks (ND4J's generator) the two trajectories agree only statistically: the score after training
 * within a band of nd4j-native's.
 */
class DropoutTrainingParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(DropoutTrainingParityTest.class);
    private static final int BATCHES = 10;
    private static final int BATCH = 16;
    private static final long SEED = 61;

    /** DL4J's Dropout for the machine, or, on the CPU, the same p drawing the cores' masks. */
    private static IDropout drop(boolean cpu, double p, ISchedule schedule, int layer, int positions) {
        return drop(cpu, p, schedule, layer, positions, 0);
    }

    /** {@link #drop(boolean, double, ISchedule, int, int)} of a dense layer over an image of {@code imageChannels}. */
    private static IDropout drop(boolean cpu, double p, ISchedule schedule, int layer, int positions,
            int imageChannels) {
        if (cpu) {
            return new CoreMaskDropout(p, schedule, SEED, layer, positions, imageChannels);
        }
        return schedule != null ? new Dropout(schedule) : new Dropout(p);
    }

    private static NeuralNetConfiguration.Builder builder() {
        return new NeuralNetConfiguration.Builder().seed(SEED).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER)
                .biasInit(0.1).updater(new Adam(1e-2));
    }

    /**
     * DropoutLayer(0.8) → Dense 10 → 16 relu → Dense 16 → 12 tanh (dropOut 0.6, or a schedule) → DropoutLayer(0.5)
     * → softmax 12 → 4: every layer's input dropped, the features and the output layer's included.
     */
    private static MultiLayerConfiguration dense(boolean cpu, ISchedule schedule) {
        return builder().list()
                .layer(new DropoutLayer(drop(cpu, 0.8, null, 0, 1)))
                .layer(new DenseLayer.Builder().nIn(10).nOut(16).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(16).nOut(12).activation(Activation.TANH)
                        .dropOut(drop(cpu, 0.6, schedule, 2, 1)).build())
                .layer(new DropoutLayer(drop(cpu, 0.5, null, 3, 1)))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(12).nOut(4).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    /**
     * Conv1D 3 × 9 → 6 (kernel 3: 7 positions; its features dropped at 0.75) → Conv1D → 5 (kernel 3, stride 2,
     * Same: 4 positions, whose overlapping fields drop the same values; dropOut 0.6) → Conv1D → 4 (one position) →
     * softmax 4 → 3 (dropOut 0.8).
     */
    private static MultiLayerConfiguration conv(boolean cpu) {
        return builder().list()
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(6).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH)
                        .dropOut(drop(cpu, 0.75, null, 0, 1)).build())
                .layer(new Convolution1DLayer.Builder().nIn(6).nOut(5).kernelSize(3).stride(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU)
                        .dropOut(drop(cpu, 0.6, null, 1, 1)).build())
                .layer(new Convolution1DLayer.Builder().nIn(5).nOut(4).kernelSize(4)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .inputPreProcessor(3, new RnnToFeedForwardPreProcessor())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(4).nOut(3).activation(Activation.SOFTMAX)
                        .dropOut(drop(cpu, 0.8, null, 3, 1)).build())
                .build();
    }

    /**
     * 2 × 6 × 6 → Conv 3 × 3 (Same) → 3 × 6 × 6 tanh (its features dropped at 0.8) → Conv 3 × 3 → 4 × 4 × 4 relu
     * (dropOut 0.6: overlapping fields along rows and columns) → DropoutLayer(0.7) → MAX pool 2 × 2 (stride 2) →
     * 4 × 2 × 2 → Dense 8 tanh (dropOut 0.5, over the image) → softmax 3 (dropOut 0.9).
     */
    private static MultiLayerConfiguration image(boolean cpu) {
        return builder().list()
                .layer(new ConvolutionLayer.Builder().nIn(2).nOut(3).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH)
                        .dropOut(drop(cpu, 0.8, null, 0, 1)).build())
                .layer(new ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU)
                        .dropOut(drop(cpu, 0.6, null, 1, 1)).build())
                .layer(new DropoutLayer(drop(cpu, 0.7, null, 2, 1)))
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH)
                        .dropOut(drop(cpu, 0.5, null, 4, 1, 4)).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .dropOut(drop(cpu, 0.9, null, 5, 1)).build())
                .setInputType(InputType.convolutionalFlat(6, 6, 2)).build();
    }

    /** Conv1D 3 × 8 → 4 (kernel 3) tanh → DropoutLayer(0.6) → global MAX pooling → softmax 3. */
    private static MultiLayerConfiguration globalPooling(boolean cpu) {
        return builder().list()
                .layer(new Convolution1DLayer.Builder().nIn(3).nOut(4).kernelSize(3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .layer(new DropoutLayer(drop(cpu, 0.6, null, 1, 1)))
                .layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(4).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(3, 8)).build();
    }

    private static SpiNNakerOptions options(PartitioningStrategy strategy) {
        return SpiNNakerOptions.builder().partitioning(strategy).build();
    }

    /** No drop, and the TDMA schedule allows for the dropout's work: no overrun either. */
    private static void assertNoOverruns(String name, RunStats stats) {
        LOG.info("{}: last mini-batch {} packets dropped, {} TDMA overruns", name, stats.packetsDropped(),
                stats.tdmaOverruns());
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertEquals(0, stats.tdmaOverruns(), name + ": TDMA overruns");
    }

    /**
     * No overrun on any strategy, NEURON_PER_CORE included: its softmax's four cores each send 12 masked rows of W·delta
     * back while another sample's exchange runs, and the schedule allows for an exchange packet waiting behind one of
     * them in the core's send queue (docs/architecture.md, "Dropout").
     */
    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void denseFollowsTheCoresMasksExactly(PartitioningStrategy strategy) {
        String name = "dense dropout " + strategy;
        assertNoOverruns(name, TrainingParity.assertTrainingParity(name, dense(true, null), dense(false, null),
                options(strategy), Parity.uniformInputs(BATCHES * BATCH, 10, 62),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 4, 63), BATCHES, BATCH));
    }

    /** p by iteration: 0.9 for the first three mini-batches, 0.3 from the fourth, 0.7 from the seventh. */
    @Test
    void scheduledPFollowsTheCoresMasksExactly() {
        ISchedule schedule = new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 0.9).add(3, 0.3).add(6, 0.7)
                .build();
        String name = "scheduled dropout";
        assertNoOverruns(name, TrainingParity.assertTrainingParity(name, dense(true, schedule), dense(false, schedule),
                options(PartitioningStrategy.FASTEST), Parity.uniformInputs(BATCHES * BATCH, 10, 64),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 4, 65), BATCHES, BATCH));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void conv1DFollowsTheCoresMasksExactly(PartitioningStrategy strategy) {
        assertSequenceTraining("conv1d dropout " + strategy, DropoutTrainingParityTest::conv, strategy, 9, 66);
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void imagesFollowTheCoresMasksExactly(PartitioningStrategy strategy) {
        String name = "image dropout " + strategy;
        assertNoOverruns(name, TrainingParity.assertTrainingParity(name, image(true), image(false), options(strategy),
                Parity.flatImages(BATCHES * BATCH, 2, 6, 6, 69),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 3, 70), BATCHES, BATCH));
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void globalPoolingAfterADropoutLayerFollowsTheCoresMasksExactly(PartitioningStrategy strategy) {
        assertSequenceTraining("global pooling dropout " + strategy, DropoutTrainingParityTest::globalPooling,
                strategy, 8, 71);
    }

    /**
     * Trains {@code network} (on the CPU with the cores' masks, and on the machine) on sequences of 3 channels ×
     * {@code length} (drawn from {@code seed}) with one-hot labels of 3 classes (from {@code seed + 1}): parity, no
     * drop, no overrun.
     */
    private static void assertSequenceTraining(String name, Function<Boolean, MultiLayerConfiguration> network,
            PartitioningStrategy strategy, int length, long seed) {
        assertNoOverruns(name, TrainingParity.assertTrainingParity(name, network.apply(true), network.apply(false),
                Parity.sequenceOptions(strategy, length), Parity.sequences(BATCHES * BATCH, 3, length, seed),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 3, seed + 1), BATCHES, BATCH));
    }

    /**
     * With DL4J's own masks on the CPU: after 40 mini-batches of 32 the score of the whole set (outside training)
     * and the mean of the last ten fit scores (with dropout) lie within a band of nd4j-native's.
     */
    @Test
    void trajectoryWithinABandOfNd4jNative() {
        int batches = 40;
        int batch = 32;
        MultiLayerConfiguration conf = dense(false, null);
        INDArray x = Parity.uniformInputs(batches * batch, 10, 68);
        // a learnable task: the class of the largest of four sums of the inputs
        INDArray y = Nd4j.zeros(DataType.FLOAT, batches * batch, 4);
        for (int r = 0; r < batches * batch; r++) {
            int best = 0;
            double bestSum = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 4; k++) {
                double sum = x.getDouble(r, 2 * k) + x.getDouble(r, 2 * k + 1) - x.getDouble(r, 8 + k % 2);
                if (sum > bestSum) {
                    bestSum = sum;
                    best = k;
                }
            }
            y.putScalar(r, best, 1f);
        }
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone())) {
            machine.init();
            machine.setParams(cpu.params());
            double before = cpu.score(new DataSet(x, y));
            double cpuLast = 0;
            double machineLast = 0;
            for (int b = 0; b < batches; b++) {
                INDArray xb = x.get(NDArrayIndex.interval(b * batch, (b + 1) * batch), NDArrayIndex.all());
                INDArray yb = y.get(NDArrayIndex.interval(b * batch, (b + 1) * batch), NDArrayIndex.all());
                cpu.fit(xb, yb);
                machine.fit(xb, yb);
                if (b >= batches - 10) {
                    cpuLast += cpu.score() / 10;
                    machineLast += machine.score() / 10;
                }
            }
            double cpuScore = cpu.score(new DataSet(x, y));
            double machineScore = machine.score(new DataSet(x, y));
            RunStats stats = machine.lastTrainingStats();
            LOG.info("dropout trajectory: score(DataSet) {} before, after 40 mini-batches {} on SpiNNaker, {} on the "
                    + "CPU; mean of the last ten fit scores {} on SpiNNaker, {} on the CPU; {}", before, machineScore,
                    cpuScore, machineLast, cpuLast, stats);
            assertTrue(cpuScore < 0.9 * before, "the CPU learns: " + before + " → " + cpuScore);
            assertTrue(Math.abs(machineScore - cpuScore) <= 0.1 * cpuScore, machineScore + " against " + cpuScore);
            assertTrue(Math.abs(machineLast - cpuLast) <= 0.1 * cpuLast, machineLast + " against " + cpuLast);
            assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        }
    }
}
