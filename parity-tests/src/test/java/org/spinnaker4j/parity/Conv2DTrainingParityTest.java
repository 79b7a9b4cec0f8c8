package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.partition.KernelCopies;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * 2-D ConvolutionLayer training on the machine: every block of an output row's column slice holds a copy of its
 * channels' kernel and one bias per channel, and the copies of each channel slice update as one through the owners
 * update. The trajectory is nd4j-native's (every iteration's score, score(DataSet), the parameters with every copy
 * read back and compared bit for bit, and the updater state, within {@link TrainingParity}'s tolerances, no drop).
 */
class Conv2DTrainingParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(Conv2DTrainingParityTest.class);
    private static final int BATCHES = 10;
    private static final int BATCH = 16;

    /**
     * 2 × 8 × 7 → (kernel 3, padding 1) 5 × 8 × 7 → (kernel 5, stride 2, Same: the padding's kernel rows and columns
     * seen by fewer output rows and columns) 3 × 4 × 4 → Dense 12 → softmax 4; 5 and 3 channels, which the strategies
     * cut into slices of unequal size.
     */
    private static MultiLayerConfiguration convConvDenseOutput(NeuralNetConfiguration.Builder builder) {
        return builder.list()
                .layer(new ConvolutionLayer.Builder().nOut(5).kernelSize(3, 3).padding(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(5, 5).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nOut(12).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 7, 2)).build();
    }

    private static RunStats train(String name, MultiLayerConfiguration conf, PartitioningStrategy strategy,
            long seed) {
        return TrainingParity.assertTrainingParity(name + " " + strategy, conf,
                SpiNNakerOptions.builder().partitioning(strategy).build(), Parity.flatImages(BATCHES * BATCH, 2, 8, 7, seed),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, BATCHES * BATCH, 4, seed + 1), BATCHES, BATCH);
    }

    /**
     * The copies of the training mapping's 2-D convolutions: each layer's channel slices are disjoint and cover its
     * channels, every slice exchanges, and each is held by at least one block of every output row; returns the most
     * copies of a slice.
     */
    private static int assertCopies(MultiLayerConfiguration conf, PartitioningStrategy strategy) {
        int most = 0;
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                SpiNNakerOptions.builder().partitioning(strategy).build())) {
            machine.init();
            Mapping mapping = machine.trainingMapping();
            int[] channels = {5, 3};
            int[] outRows = {8, 4};
            for (int l = 0; l < 2; l++) {
                int layer = l;
                List<KernelCopies> copies = mapping.kernelCopies().stream().filter(k -> k.layer() == layer).toList();
                int covered = 0;
                for (KernelCopies k : copies.stream().sorted(Comparator.comparingInt(k -> k.channels().lo()))
                        .toList()) {
                    assertEquals(covered, k.channels().lo(), "layer " + l + "'s slices " + copies);
                    covered = k.channels().hi();
                    assertTrue(k.exchanges(), k.toString());
                    assertEquals(outRows[l], k.copies().stream().mapToInt(KernelCopies.Copy::position).distinct()
                            .count());
                    most = Math.max(most, k.copies().size());
                }
                assertEquals(channels[l], covered);
            }
        }
        return most;
    }

    @ParameterizedTest
    @EnumSource(PartitioningStrategy.class)
    void convConvDenseOutputAdam(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = convConvDenseOutput(Parity.builder(61).updater(new Adam(1e-2)));
        int most = assertCopies(conf, strategy);
        if (strategy != PartitioningStrategy.FEWEST_CORES) {
            assertTrue(most > 8, "some output row's column slices hold copies of one channel slice: " + most);
        }
        RunStats stats = train("conv-conv-dense Adam", conf, strategy, 61);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        if (strategy == PartitioningStrategy.FASTEST) {
            assertEquals(0, stats.tdmaOverruns());
        }
    }

    @Test
    void convConvDenseOutputNesterovsL2() {
        RunStats stats = train("conv-conv-dense Nesterovs l2",
                convConvDenseOutput(Parity.builder(63).updater(new Nesterovs(0.05, 0.9)).l2(1e-3)), PartitioningStrategy.FASTEST, 63);
        assertEquals(0, stats.tdmaOverruns());
    }

    @Test
    void convConvDenseOutputSgd() {
        RunStats stats = train("conv-conv-dense Sgd", convConvDenseOutput(Parity.builder(65).updater(new Sgd(0.1))),
                PartitioningStrategy.FEWEST_CORES, 65);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
    }

    /**
     * A LeNet-like network without pooling, 28 × 28 × 1 → (kernel 5) 24 × 24 × 4 → (kernel 5, stride 2, Same)
     * 12 × 12 × 8 → (kernel 4, stride 4) 3 × 3 × 8 → softmax 10 (the output layer's one block takes its whole image,
     * which in training fits a core's DTCM at 72 values, not at 12 × 12 × 8), trained for 3 mini-batches of 8 on both backends: the parameters (every copy read
     * back) within {@link TrainingParity#PARAMETER_TOLERANCE}, no drop, no TDMA overrun on FASTEST. Logs the cores,
     * the simulated µs and the packets sent forward and backward per training sample, and the host's wall time per
     * sample of the last two mini-batches (the first maps and warms up).
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void lenetLikeConvolutionsTrain(PartitioningStrategy strategy) {
        int batches = 3;
        int batch = 8;
        MultiLayerConfiguration conf = ReferenceNetworks.lenetLikeConvolutions(
                        Parity.builder(69).updater(new Adam(1e-3)), 4, 8)
                .layer(new ConvolutionLayer.Builder().nOut(8).kernelSize(4, 4).stride(4, 4)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .build();
        INDArray x = Parity.flatImages(batches * batch, 1, 28, 28, 69);
        INDArray y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, batches * batch, 10, 70);
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                SpiNNakerOptions.builder().partitioning(strategy).build())) {
            machine.init();
            machine.setParams(cpu.params());
            long hostNanos = 0;
            for (int b = 0; b < batches; b++) {
                INDArray xb = x.get(NDArrayIndex.interval(b * batch, (b + 1) * batch), NDArrayIndex.all());
                INDArray yb = y.get(NDArrayIndex.interval(b * batch, (b + 1) * batch), NDArrayIndex.all());
                cpu.fit(xb, yb);
                long start = System.nanoTime();
                machine.fit(xb, yb);
                hostNanos += b == 0 ? 0 : System.nanoTime() - start;
                assertEquals(cpu.score(), machine.score(), TrainingParity.SCORE_TOLERANCE * Math.abs(cpu.score()));
            }
            double diff = Transforms.abs(machine.params().sub(cpu.params())).maxNumber().doubleValue();
            RunStats stats = machine.lastTrainingStats();
            LOG.info("LeNet-like convolutions {}: max |parameter diff| {}; {} cores, {} µs per training sample, "
                    + "packets per sample {} forward, {} backward, host {} ms per sample; {}", strategy, diff,
                    stats.coresUsed(), stats.simulatedSecondsPerSample() * 1e6, stats.forwardPacketsPerSample(),
                    stats.backwardPacketsPerSample(), hostNanos / 1e6 / ((batches - 1) * batch), stats);
            assertTrue(diff < TrainingParity.PARAMETER_TOLERANCE, "max |parameter diff| " + diff);
            assertEquals(0, stats.packetsDropped(), stats.describeDrops());
            if (strategy == PartitioningStrategy.FASTEST) {
                assertEquals(0, stats.tdmaOverruns());
            }
        }
    }

    /**
     * A kernel row that only the padding sees (kernel 3, padding 1, on an image one row high) is held by no block:
     * fit throws before anything runs, naming the layer; score(DataSet) still runs.
     */
    @Test
    void kernelRowsOnThePaddingDoNotFit() {
        MultiLayerConfiguration conf = Parity.builder(67).updater(new Sgd(0.1)).list()
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(3, 3).padding(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutionalFlat(1, 4, 2)).build();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf,
                SpiNNakerOptions.builder().partitioning(PartitioningStrategy.FASTEST).build())) {
            machine.init();
            INDArray before = machine.params().dup();
            DataSet data = new DataSet(Parity.flatImages(4, 2, 1, 4, 67), Nd4j.zeros(DataType.FLOAT, 4, 2));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> machine.fit(data));
            assertTrue(e.getMessage().contains("fit(...): layer 0 (ConvolutionLayer, kernel rows or columns that see "
                    + "only padding)"), e.getMessage());
            assertEquals(before, machine.params(), "nothing trained");
        }
    }
}
