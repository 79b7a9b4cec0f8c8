package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.evaluation.classification.ConfusionMatrix;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.InputPath;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * Input from SDRAM ({@link InputPath#SDRAM}): the first layer's blocks read their rows of each sample by DMA instead
 * of receiving them from input source cores. A block files and multiplies its rows in the same order either way, so
 * the cores compute the same bits: through every entry point (output, of a batch and of one row, feedForward,
 * evaluate, score(DataSet), fit of mini-batches and of an iterator over epochs) a run is compared bit for bit with
 * the same network, parameters and inputs with its input as packets, float32 and s16.15, on the strategies that slice
 * the same either way, and in float32 with nd4j-native within the parity tolerances. No run drops a packet or sends
 * after its TDMA slot, and no mapping has an input source.
 */
class SdramInputParityTest {

    /**
     * An entry point's use of the machine: whether its options must let the network train, and where it leaves its
     * last run's statistics (evaluate runs output's mapping, batch by batch).
     */
    private enum Entry {
        OUTPUT(false, SpiNNakerMultiLayerNetwork::lastRunStats),
        FEED_FORWARD(false, SpiNNakerMultiLayerNetwork::lastFeedForwardStats),
        SCORE(true, SpiNNakerMultiLayerNetwork::lastScoreStats),
        FIT(true, SpiNNakerMultiLayerNetwork::lastTrainingStats);

        private final boolean trains;
        private final Function<SpiNNakerMultiLayerNetwork, RunStats> stats;

        Entry(boolean trains, Function<SpiNNakerMultiLayerNetwork, RunStats> stats) {
            this.trains = trains;
            this.stats = stats;
        }
    }

    /** Options for {@code strategy} and {@code arithmetic}, input by {@code path}; inference only unless it trains. */
    private static SpiNNakerOptions options(PartitioningStrategy strategy, Arithmetic arithmetic, InputPath path,
            boolean trains) {
        SpiNNakerOptions.Builder b = SpiNNakerOptions.builder().partitioning(strategy).arithmetic(arithmetic)
                .inputPath(path).fixedPointRounding(FixedPointRounding.stochastic(3));
        return (trains ? b : b.inferenceOnly()).build();
    }

    /** The 10-50-50-300-50-25 seed shape with Adam and a softmax output, the first layer's input dropped (p 0.8). */
    private static MultiLayerConfiguration droppingSeedNetwork() {
        return new NeuralNetConfiguration.Builder().seed(2020).weightInit(WeightInit.XAVIER).updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().nIn(10).nOut(50).activation(Activation.RELU).dropOut(0.8).build())
                .layer(ReferenceNetworks.dense(50, 50, Activation.TANH))
                .layer(ReferenceNetworks.dense(50, 300, Activation.TANH))
                .layer(ReferenceNetworks.dense(300, 50, Activation.SIGMOID))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(50).nOut(25).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    /** The small 12-10-8-4 network with Adam and a softmax output, one s16.15 trains (no dropout). */
    private static MultiLayerConfiguration smallNetwork() {
        return SmallTrainingNetwork.of(new Adam(1e-2), Activation.RELU, Activation.TANH, Activation.SOFTMAX,
                LossFunction.MCXENT).getLayerWiseConfigurations();
    }

    /** {@code n} examples of the seed shape's 10 inputs with one-hot labels of its 25 classes, from a fixed seed. */
    private static DataSet seedData(int n, long seed) {
        return new DataSet(Parity.uniformInputs(n, 10, seed),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, n, 25, seed + 1));
    }

    /** The network {@code conf} on nd4j-native, with the parameters its seed gives (as the machine's init does). */
    private static MultiLayerNetwork cpu(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        return net;
    }

    /** An array's values as doubles (exactly, a float32 array's too), in C order. */
    private static double[] values(INDArray a) {
        return a.dup('c').data().asDouble();
    }

    /** Every layer's activations in {@code feedForward(x, false)} (the input first), one after another. */
    private static double[] activations(MultiLayerNetwork net, INDArray x) {
        return values(Nd4j.toFlattened('c', net.feedForward(x, false)));
    }

    /** An evaluation's accuracy, then its confusion matrix's counts, actual class by actual class. */
    private static double[] counts(Evaluation e) {
        ConfusionMatrix<Integer> confusion = e.getConfusion();
        List<Integer> classes = confusion.getClasses();
        double[] out = new double[1 + classes.size() * classes.size()];
        out[0] = e.accuracy();
        for (int a = 0; a < classes.size(); a++) {
            for (int p = 0; p < classes.size(); p++) {
                out[1 + a * classes.size() + p] = confusion.getCount(classes.get(a), classes.get(p));
            }
        }
        return out;
    }

    /** What a run returned, and the statistics its entry point left. */
    private record Run(double[] result, RunStats stats) {
    }

    /** What {@code run} returns on the network {@code conf} (parameters from its seed) mapped with {@code options}. */
    private static Run onMachine(MultiLayerConfiguration conf, SpiNNakerOptions options, Entry entry,
            Function<MultiLayerNetwork, double[]> run) {
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), options)) {
            machine.init();
            double[] result = run.apply(machine);
            return new Run(result, assertCleanRun(machine, entry));
        }
    }

    /**
     * The statistics of {@code machine}'s last run through {@code entry}, asserted to have dropped nothing and kept to
     * its TDMA slots; with input from SDRAM, asserts the inference and (if {@code entry} trains) training mappings
     * have no input source.
     */
    private static RunStats assertCleanRun(SpiNNakerMultiLayerNetwork machine, Entry entry) {
        RunStats stats = entry.stats.apply(machine);
        assertEquals(0, stats.packetsDropped(), stats.describeDrops());
        assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
        if (machine.options().inputPath() == InputPath.SDRAM) {
            assertEquals(0, machine.mapping().graph().count(VertexKind.INPUT_SOURCE),
                    "input sources with input from SDRAM");
            if (entry.trains) {
                assertEquals(0, machine.trainingMapping().graph().count(VertexKind.INPUT_SOURCE),
                        "input sources in training with input from SDRAM");
            }
        }
        return stats;
    }

    /**
     * {@code run}'s result with the input from SDRAM, asserted equal to the one with the input as packets, bit for
     * bit; the run's mapping has fewer cores (no input source) and the host writes each feature at least once either
     * way, and with SDRAM once for each chip that reads it.
     */
    private static double[] assertSameBits(MultiLayerConfiguration conf, PartitioningStrategy strategy,
            Arithmetic arithmetic, Entry entry, Function<MultiLayerNetwork, double[]> run) {
        Run packets = onMachine(conf, options(strategy, arithmetic, InputPath.PACKETS, entry.trains), entry, run);
        Run sdram = onMachine(conf, options(strategy, arithmetic, InputPath.SDRAM, entry.trains), entry, run);
        String what = entry + " " + strategy + " " + arithmetic;
        assertArrayEquals(packets.result(), sdram.result(), 0, what);
        assertTrue(sdram.stats().coresUsed() < packets.stats().coresUsed(), what + ": " + sdram.stats().coresUsed()
                + " cores with input from SDRAM, " + packets.stats().coresUsed() + " with packets");
        assertTrue(sdram.stats().hostSeconds() >= packets.stats().hostSeconds(), what + ": host link "
                + sdram.stats().hostSeconds() + " s against " + packets.stats().hostSeconds() + " s with packets");
        return sdram.result();
    }

    /**
     * One call of an entry point: its name, its use of the machine, its tolerance against nd4j-native and what it
     * returns on a network.
     */
    private record Call(String name, Entry entry, double tolerance, Function<MultiLayerNetwork, double[]> run) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The entry points that do not train, on the dropping seed network (its dropout idle outside training): output of
     * one row ([1, nIn]), feedForward (the input and every layer's activations), evaluate over an iterator of
     * 16-example batches, the last one short (accuracy and confusion matrix, exactly), and score(DataSet) (the
     * training mapping's forward pass and loss, no update).
     */
    static Stream<Call> inferenceCalls() {
        INDArray row = Parity.uniformInputs(1, 10, 44);
        INDArray x = Parity.uniformInputs(40, 10, 45);
        DataSet evaluated = seedData(72, 46);
        DataSet scored = seedData(24, 48);
        return Stream.of(new Call("output of one row", Entry.OUTPUT, Parity.TOLERANCE, m -> values(m.output(row))),
                new Call("feedForward", Entry.FEED_FORWARD, Parity.TOLERANCE, m -> activations(m, x)),
                new Call("evaluate", Entry.OUTPUT, 0,
                        m -> counts(m.evaluate(new ListDataSetIterator<>(evaluated.asList(), 16)))),
                new Call("score(DataSet)", Entry.SCORE, Parity.TOLERANCE, m -> new double[] {m.score(scored)}));
    }

    /**
     * FEWEST_CORES and NEURON_PER_CORE slice the same either way; FASTEST, which finds the first layer cheaper without
     * its packets, may slice it otherwise (and so add a layer's partial sums in another order), so it is held to
     * nd4j-native's outputs.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FEWEST_CORES", "NEURON_PER_CORE"})
    void inferenceIsBitEqualToPackets(PartitioningStrategy strategy) {
        INDArray seedInputs = Parity.uniformInputs(100, 10, 31);
        assertSameBits(ReferenceNetworks.seedNetwork(), strategy, Arithmetic.FLOAT32, Entry.OUTPUT,
                m -> values(m.output(seedInputs)));
        INDArray digits = Parity.uniformInputs(40, 784, 32);
        assertSameBits(ReferenceNetworks.mnistMlp(), strategy, Arithmetic.FLOAT32, Entry.OUTPUT,
                m -> values(m.output(digits)));
    }

    @Test
    void fastestInferenceMatchesTheCpu() {
        SpiNNakerOptions options = options(PartitioningStrategy.FASTEST, Arithmetic.FLOAT32, InputPath.SDRAM, false);
        for (MultiLayerConfiguration conf : new MultiLayerConfiguration[] {ReferenceNetworks.seedNetwork(),
            ReferenceNetworks.mnistMlp()}) {
            int nIn = conf.getConf(0).getLayer() instanceof DenseLayer d ? (int) d.getNIn() : 0;
            RunStats stats = Parity.assertParity(conf, options, Parity.uniformInputs(100, nIn, 38));
            assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
        }
    }

    @Test
    void trainingWithInputDropoutIsBitEqualToPackets() {
        INDArray x = Parity.uniformInputs(24, 10, 33);
        INDArray y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 24, 25, 34);
        assertSameBits(droppingSeedNetwork(), PartitioningStrategy.FEWEST_CORES, Arithmetic.FLOAT32, Entry.FIT, m -> {
            m.fit(x, y);
            return values(m.params());
        });
    }

    @ParameterizedTest
    @MethodSource("inferenceCalls")
    void fewestCoresCallsAreBitEqualToPacketsAndMatchTheCpu(Call call) {
        MultiLayerConfiguration conf = droppingSeedNetwork();
        double[] sdram = assertSameBits(conf, PartitioningStrategy.FEWEST_CORES, Arithmetic.FLOAT32, call.entry(),
                call.run());
        assertArrayEquals(call.run().apply(cpu(conf)), sdram, call.tolerance(), call + " against nd4j-native");
    }

    /** FASTEST may slice otherwise with SDRAM: every call on one network (mapped once) against nd4j-native. */
    @Test
    void fastestCallsMatchTheCpu() {
        MultiLayerConfiguration conf = droppingSeedNetwork();
        MultiLayerNetwork cpu = cpu(conf);
        SpiNNakerOptions options = options(PartitioningStrategy.FASTEST, Arithmetic.FLOAT32, InputPath.SDRAM, true);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), options)) {
            machine.init();
            inferenceCalls().forEach(call -> {
                assertArrayEquals(call.run().apply(cpu), call.run().apply(machine), call.tolerance(),
                        call + " against nd4j-native");
                assertCleanRun(machine, call.entry());
            });
        }
    }

    /**
     * fit over an iterator of two mini-batches for two epochs: the parameters bit-equal to the packets run's; and
     * against nd4j-native, two fit calls in a row and the same iterator over epochs, every iteration's score and the
     * parameters after training within the training tolerances.
     */
    @Test
    void severalFitsMatchPacketsAndTheCpu() {
        DataSet data = seedData(32, 50);
        assertSameBits(ReferenceNetworks.seedNetwork(), PartitioningStrategy.FEWEST_CORES, Arithmetic.FLOAT32,
                Entry.FIT, m -> {
                    m.fit(new ListDataSetIterator<>(data.asList(), 16), 2);
                    assertEquals(4, m.getIterationCount(), "mini-batches fitted");
                    return values(m.params());
                });
        SpiNNakerOptions options = options(PartitioningStrategy.FEWEST_CORES, Arithmetic.FLOAT32, InputPath.SDRAM,
                true);
        RunStats stats = TrainingParity.assertTrainingParity("seed network, FEWEST_CORES, input from SDRAM",
                ReferenceNetworks.seedNetwork(), options, TrainingParity.Labels.ONE_HOT, 2, 16);
        assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
        TrainingParity.assertEpochTrainingParity("seed network, FEWEST_CORES, input from SDRAM, 2 epochs",
                ReferenceNetworks.seedNetwork(), options, 2, 2, 16);
    }

    /**
     * NEURON_PER_CORE training of the MNIST MLP: each layer-0 core, one column of 784 rows, reads them in 25 reads that
     * end together and runs them before the 128 layer-1 cores' backward packets its queue holds; its backward window
     * is paced for that, so nothing is dropped (the schedule once counted one read and dropped thousands of packets
     * a sample).
     */
    @Test
    void neuronPerCoreTrainingOfTheMnistMlpIsBitEqualToPackets() {
        INDArray x = Parity.uniformInputs(2, 784, 39);
        INDArray y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 2, 10, 40);
        assertSameBits(ReferenceNetworks.mnistMlp(), PartitioningStrategy.NEURON_PER_CORE, Arithmetic.FLOAT32,
                Entry.FIT, m -> {
                    m.fit(x, y);
                    return values(m.params());
                });
    }

    @Test
    void fastestTrainingMatchesTheCpu() {
        RunStats stats = TrainingParity.assertTrainingParity("seed network, input from SDRAM",
                ReferenceNetworks.seedNetwork(),
                options(PartitioningStrategy.FASTEST, Arithmetic.FLOAT32, InputPath.SDRAM, true),
                TrainingParity.Labels.ONE_HOT, 2, 16);
        assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
    }

    @Test
    void fixedPointInferenceAndTrainingAreBitEqualToPackets() {
        INDArray digits = Parity.uniformInputs(40, 784, 35);
        assertSameBits(ReferenceNetworks.mnistMlp(), PartitioningStrategy.FEWEST_CORES, Arithmetic.S16_15,
                Entry.OUTPUT, m -> values(m.output(digits)));
        MultiLayerConfiguration small = smallNetwork();
        INDArray x = Parity.uniformInputs(16, 12, 36);
        INDArray y = TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 16, 4, 37);
        assertSameBits(small, PartitioningStrategy.FEWEST_CORES, Arithmetic.S16_15, Entry.FIT, m -> {
            m.fit(x, y);
            return values(m.params());
        });
    }

    /**
     * s16.15: output of one row, feedForward and evaluate bit-equal to their packets runs; score(DataSet) throws (its
     * training mapping's cores compute no loss in s16.15), with input from SDRAM as with packets.
     */
    @Test
    void fixedPointCallsAreBitEqualToPacketsOrThrow() {
        MultiLayerConfiguration conf = droppingSeedNetwork();
        inferenceCalls().filter(call -> call.entry() != Entry.SCORE).forEach(call -> assertSameBits(conf,
                PartitioningStrategy.FEWEST_CORES, Arithmetic.S16_15, call.entry(), call.run()));
        DataSet data = new DataSet(Parity.uniformInputs(8, 12, 52),
                TrainingParity.labels(TrainingParity.Labels.ONE_HOT, 8, 4, 53));
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(smallNetwork(),
                options(PartitioningStrategy.FEWEST_CORES, Arithmetic.S16_15, InputPath.SDRAM, true))) {
            machine.init();
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> machine.score(data));
            assertTrue(e.getMessage().contains("compute no loss"), e.getMessage());
        }
    }

    @Test
    void aConvolutionalNetworkIsRefusedAtInit() {
        SpiNNakerOptions options = Parity.sequenceOptions(PartitioningStrategy.FEWEST_CORES, 32).toBuilder()
                .inputPath(InputPath.SDRAM).build();
        // not closed: a network whose init failed holds no parameters to close
        SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(ReferenceNetworks.conv1dNetwork(), options);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, machine::init);
        assertTrue(e.getMessage().contains("InputPath.PACKETS"), e.getMessage());
    }
}
