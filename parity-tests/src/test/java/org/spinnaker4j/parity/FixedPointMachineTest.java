package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.frontend.Dl4jFrontEnd;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.demo.MnistIdx;
import org.spinnaker4j.demo.ReferenceNetworks;
import org.spinnaker4j.kernels.AccumQuantiser;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.BoundCalculator;
import org.spinnaker4j.mapper.graph.OutgoingPartition;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * s16.15 fixed point on the simulated machine. The seed network's shape with its 300-wide layer narrowed to 200
 * (10-50-50-200-50-25, relu hidden layers, an identity output), which FEWEST_CORES maps on fused blocks only, gives
 * outputs bit-equal to {@link AccumReference} (each sum rounded once), within {@link AccumErrorBound} of nd4j-native
 * float32, with no packet dropped; with the seed network's activations (relu, softmax, tanh, sigmoid, identity), and
 * with a softmax output spread over several blocks, bit-equal too and within 1e-3 of float32; saturations surface in
 * {@link RunStats#saturations()} as the reference counts them. Mappings that split a fan-in over cores (FASTEST, the
 * real seed network's 300-wide layer, the MNIST MLP) send 64-bit partial sums as two packets and round once on the
 * reduce: bit-equal to the same reference.
 */
class FixedPointMachineTest {

    private static final Logger LOG = LoggerFactory.getLogger(FixedPointMachineTest.class);
    private static final int SAMPLES = 20;
    /** The seed shape's 300-wide layer narrowed so that FEWEST_CORES keeps every fan-in on one block. */
    private static final int NARROW = 200;
    /** A softmax output wider than one fused block holds. */
    private static final int WIDE_SOFTMAX = 3000;
    /** MNIST digits run through the MLP. */
    private static final int DIGITS = 100;
    /** The ARM968's clock, 200 MHz. */
    private static final double CORE_HZ = 200e6;

    private static MultiLayerConfiguration seedShape(int wide) {
        return seedShape(wide, Activation.RELU, Activation.RELU, Activation.RELU, Activation.RELU);
    }

    /** The seed shape 10-50-50-wide-50-25 with the hidden layers' activations {@code hidden}, an identity output. */
    private static MultiLayerConfiguration seedShape(int wide, Activation... hidden) {
        return Parity.list(2026)
                .layer(ReferenceNetworks.dense(10, 50, hidden[0]))
                .layer(ReferenceNetworks.dense(50, 50, hidden[1]))
                .layer(ReferenceNetworks.dense(50, wide, hidden[2]))
                .layer(ReferenceNetworks.dense(wide, 50, hidden[3]))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(50).nOut(25).activation(Activation.IDENTITY)
                        .build())
                .build();
    }

    private static MultiLayerNetwork initialised(MultiLayerConfiguration conf) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        return cpu;
    }

    private static SpiNNakerOptions fixed(PartitioningStrategy strategy) {
        return SpiNNakerOptions.builder().partitioning(strategy).arithmetic(Arithmetic.S16_15).inferenceOnly().build();
    }

    /** A fixed-point run on FEWEST_CORES checked bit-equal to {@link AccumReference}, and the float run beside it. */
    record Run(MultiLayerNetwork cpu, List<INDArray> floats, List<List<int[]>> words, float[][] out,
                       RunStats stats, Mapping mapping) {

        /** The largest |machine output - nd4j float32 output| over every sample and output. */
        double maxDiffToFloat() {
            float[][] f = rows(floats.get(floats.size() - 1)).toFloatMatrix();
            double max = 0;
            for (int r = 0; r < out.length; r++) {
                for (int j = 0; j < out[r].length; j++) {
                    max = Math.max(max, Math.abs(out[r][j] - f[r][j]));
                }
            }
            return max;
        }
    }

    /** {@link #runBitEqual(MultiLayerConfiguration, INDArray, PartitioningStrategy)} on FEWEST_CORES. */
    private static Run runBitEqual(MultiLayerConfiguration conf, INDArray x) {
        return runBitEqual(conf, x, PartitioningStrategy.FEWEST_CORES);
    }

    /**
     * Runs {@code conf} (seeded weights) on {@code x} in fixed point on {@code strategy} and on nd4j-native; asserts
     * every output bit-equal to the reference, every sample run, no packet dropped, no TDMA slot missed and the sums'
     * saturations as the reference counts them (none on a parameter or input).
     */
    private static Run runBitEqual(MultiLayerConfiguration conf, INDArray x, PartitioningStrategy strategy) {
        return runBitEqual(conf, initialised(conf), x, strategy);
    }

    /** As {@link #runBitEqual(MultiLayerConfiguration, INDArray, PartitioningStrategy)}, with {@code cpu}'s parameters. */
    static Run runBitEqual(MultiLayerConfiguration conf, MultiLayerNetwork cpu, INDArray x,
            PartitioningStrategy strategy) {
        return runBitEqual(conf, cpu, new AccumReference(cpu), x, fixed(strategy));
    }

    /**
     * {@link #runBitEqual(MultiLayerConfiguration, INDArray, PartitioningStrategy)} of {@code cpu}'s parameters
     * against {@code reference} under {@code options}; inputs and outputs of any rank, each sample's flattened in 'c'
     * order (a sequence's NCW as the reference's (channel, position)).
     */
    private static Run runBitEqual(MultiLayerConfiguration conf, MultiLayerNetwork cpu, AccumReference reference,
            INDArray x, SpiNNakerOptions options) {
        List<INDArray> floats = cpu.feedForward(x, false);
        int nLayers = conf.getConfs().size();
        int samples = (int) x.size(0);
        INDArray flat = rows(x);
        int nIn = (int) flat.columns();
        PartitioningStrategy strategy = options.partitioning();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), options)) {
            machine.init();
            machine.setParams(cpu.params());
            float[][] out = rows(machine.output(x)).toFloatMatrix();
            RunStats stats = machine.lastRunStats();
            long[] sums = new long[nLayers];
            List<List<int[]>> words = new ArrayList<>();
            for (int r = 0; r < samples; r++) {
                int[] input = AccumQuantiser.quantise(flat.getRow(r).toFloatVector(), nIn, "sample").words();
                words.add(reference.forward(input, sums));
                int[] expected = words.get(r).get(nLayers);
                int[] actual = new int[expected.length];
                for (int j = 0; j < actual.length; j++) {
                    actual[j] = Math.round(out[r][j] * AccumQuantiser.ONE);
                    assertEquals(AccumQuantiser.toFloat(actual[j]), out[r][j], 0.0, "a word read back exactly");
                }
                assertArrayEquals(expected, actual, strategy + " sample " + r + ": bit-equal to the reference");
            }
            assertEquals(0, stats.packetsDropped(), stats.describeDrops());
            assertEquals(0, stats.tdmaOverruns(), "TDMA overruns");
            assertEquals(samples, stats.samples());
            int[] ir = Dl4jFrontEnd.irLayers(conf);
            assertArrayEquals(new long[ir[nLayers - 1] + 1], stats.saturations().parameters(),
                    "no parameter saturated");
            assertEquals(0, stats.saturations().inputs());
            assertArrayEquals(perMappedLayer(sums, conf), stats.saturations().sums(),
                    "sum saturations as the reference counts them");
            return new Run(cpu, floats, words, out, stats, machine.mapping());
        }
    }

    /** Per layer of the configuration, as the machine counts per layer it maps: a DropoutLayer has none. */
    private static long[] perMappedLayer(long[] perLayer, MultiLayerConfiguration conf) {
        int[] ir = Dl4jFrontEnd.irLayers(conf);
        long[] mapped = new long[ir[ir.length - 1] + 1];
        for (int l = 0; l < ir.length; l++) {
            if (!Dl4jFrontEnd.isDropoutLayer(conf.getConf(l).getLayer())) {
                mapped[ir[l]] = perLayer[l];
            }
        }
        return mapped;
    }

    /** {@code a}'s samples as rows: each flattened in 'c' order. */
    private static INDArray rows(INDArray a) {
        return a.reshape('c', a.size(0), a.length() / a.size(0));
    }

    @Test
    void seedShapeIsBitEqualToTheReferenceAndWithinItsBoundOfFloat() {
        MultiLayerConfiguration conf = seedShape(NARROW);
        INDArray x = Parity.uniformInputs(SAMPLES, 10, 7).muli(4).subi(2);
        Run run = runBitEqual(conf, x);
        int nLayers = conf.getConfs().size();
        for (int r = 0; r < SAMPLES; r++) {
            List<int[]> words = run.words().get(r);
            double[] e = new double[10];
            Arrays.fill(e, 0x1p-16);
            for (int l = 0; l < nLayers; l++) {
                e = AccumErrorBound.layer(AccumReference.parameter(run.cpu(), l, "W"),
                        AccumReference.parameter(run.cpu(), l, "b"), values(words.get(l)),
                        run.floats().get(l).getRow(r).toFloatVector(), e);
            }
            float[] floatOut = run.floats().get(nLayers).getRow(r).toFloatVector();
            for (int j = 0; j < floatOut.length; j++) {
                double diff = Math.abs(run.out()[r][j] - floatOut[j]);
                assertTrue(diff <= e[j], "sample " + r + " output " + j + ": " + diff + " above its bound " + e[j]);
            }
        }
        RunStats stats = run.stats();
        LOG.info("s16.15 seed shape on FEWEST_CORES: bit-equal to the reference, max |diff| to float {} ; {} cores, "
                + "{} µs a sample, {} packets a sample", run.maxDiffToFloat(), stats.coresUsed(),
                1e6 * stats.simulatedSeconds() / SAMPLES, stats.packetsSentPerSample());
    }

    /**
     * The simulator charges an s16.15 core the fixed-point kernels' own figures, in the cycles estimated from their
     * traces: on the same FEWEST_CORES mapping of the relu seed shape, the fixed run's time per sample, latency and
     * busiest core's busy time are all below the float run's (the figures in docs/fixed-point.md come from this log).
     */
    @Test
    void aFixedPointRunTakesLessSimulatedTimeThanFloatOnTheSameMapping() {
        MultiLayerConfiguration conf = seedShape(NARROW);
        INDArray x = Parity.uniformInputs(SAMPLES, 10, 7).muli(4).subi(2);
        MultiLayerNetwork cpu = initialised(conf);
        RunStats fixed = statsOf(conf, cpu, x, fixed(PartitioningStrategy.FEWEST_CORES));
        RunStats floating = statsOf(conf, cpu, x, SpiNNakerOptions.builder()
                .partitioning(PartitioningStrategy.FEWEST_CORES).inferenceOnly().build());
        assertEquals(floating.coresUsed(), fixed.coresUsed(), "the same mapping");
        assertEquals(floating.cores().stream().map(c -> c.core() + " " + c.vertex()).toList(),
                fixed.cores().stream().map(c -> c.core() + " " + c.vertex()).toList(), "the same cores and vertices");
        assertEquals(0, fixed.packetsDropped() + floating.packetsDropped());
        for (RunStats s : List.of(floating, fixed)) {
            LOG.info("{} seed shape 10-50-50-{}-50-25 relu on FEWEST_CORES: {} µs a sample ({} samples/s), latency "
                    + "{} µs, busiest core {} cycles a sample, {} µJ a sample", s == fixed ? "s16.15" : "float32",
                    NARROW, 1e6 * s.simulatedSecondsPerSample(), s.samplesPerSecond(), 1e6 * s.latencySeconds(),
                    Math.round(s.busiestCoreSeconds() / SAMPLES * CORE_HZ), 1e6 * s.energyJoulesPerSample());
        }
        assertTrue(fixed.simulatedSecondsPerSample() < floating.simulatedSecondsPerSample(),
                fixed.simulatedSecondsPerSample() + " s a sample against float's " + floating.simulatedSecondsPerSample());
        assertTrue(fixed.latencySeconds() < floating.latencySeconds(),
                fixed.latencySeconds() + " s latency against float's " + floating.latencySeconds());
        assertTrue(fixed.busiestCoreSeconds() < floating.busiestCoreSeconds(),
                fixed.busiestCoreSeconds() + " s busiest core against float's " + floating.busiestCoreSeconds());
    }

    /** The run statistics of {@code x} through {@code conf} with {@code cpu}'s parameters under {@code options}. */
    private static RunStats statsOf(MultiLayerConfiguration conf, MultiLayerNetwork cpu, INDArray x,
            SpiNNakerOptions options) {
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), options)) {
            machine.init();
            machine.setParams(cpu.params());
            machine.output(x);
            return machine.lastRunStats();
        }
    }

    /**
     * The seed network's activations (relu, softmax, tanh, sigmoid, identity) on its shape with the 300-wide layer
     * narrowed to 200 (the 300 x 50 layer's fan-in splits on FEWEST_CORES): bit-equal to the reference, and within
     * the 1e-3 of nd4j float32.
     */
    @Test
    void seedActivationsAreBitEqualToTheReferenceAndWithin1e3OfFloat() {
        MultiLayerConfiguration conf = seedShape(NARROW, Activation.RELU, Activation.SOFTMAX, Activation.TANH,
                Activation.SIGMOID);
        Run run = runBitEqual(conf, Parity.uniformInputs(SAMPLES, 10, 7).muli(4).subi(2));
        double maxDiff = run.maxDiffToFloat();
        LOG.info("s16.15 seed activations 10-50-50-{}-50-25 on FEWEST_CORES: bit-equal to the reference, max |diff| "
                + "to float {} ; {} cores, {} packets a sample", NARROW, maxDiff, run.stats().coresUsed(),
                run.stats().packetsSentPerSample());
        assertTrue(maxDiff <= 1e-3, "max |diff| to float " + maxDiff);
    }

    /**
     * A softmax output too wide for one core: FEWEST_CORES gives it several fused blocks that exchange their maxima
     * and sums as words; bit-equal to the reference of the whole layer, no packet dropped.
     */
    @Test
    void aSoftmaxSpanningSeveralBlocksIsBitEqualToTheReference() {
        MultiLayerConfiguration conf = Parity.list(2026)
                .layer(ReferenceNetworks.dense(10, 20, Activation.TANH))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(20).nOut(WIDE_SOFTMAX)
                        .activation(Activation.SOFTMAX).build())
                .build();
        Run run = runBitEqual(conf, Parity.uniformInputs(SAMPLES, 10, 11).muli(4).subi(2));
        double maxDiff = run.maxDiffToFloat();
        LOG.info("s16.15 softmax of {} outputs on FEWEST_CORES: bit-equal to the reference, max |diff| to float {} ; "
                + "{} cores, {} packets a sample", WIDE_SOFTMAX, maxDiff, run.stats().coresUsed(),
                run.stats().packetsSentPerSample());
        // inputs, the tanh layer's and the softmax's outputs, and more: the blocks' maxima and sums
        double data = 10 + 20 + WIDE_SOFTMAX;
        assertTrue(run.stats().packetsSentPerSample() >= data + 4, "the softmax spans several blocks exchanging "
                + "maxima and sums: " + run.stats().packetsSentPerSample() + " packets a sample");
        assertTrue(maxDiff <= 1e-3, "max |diff| to float " + maxDiff);
    }

    /**
     * FASTEST (the default strategy) splits the seed shape's fan-ins over blocks and reduces: their 64-bit partial
     * sums travel as two packets and each output is rounded once, so the outputs are bit-equal to the reference
     * exactly as on fused blocks, with relu and with the seed network's activations.
     */
    @Test
    void fastestMappingsAreBitEqualToTheReference() {
        INDArray x = Parity.uniformInputs(SAMPLES, 10, 7).muli(4).subi(2);
        Run relu = runBitEqual(seedShape(NARROW), x, PartitioningStrategy.FASTEST);
        Run seed = runBitEqual(seedShape(NARROW, Activation.RELU, Activation.SOFTMAX, Activation.TANH,
                Activation.SIGMOID), x, PartitioningStrategy.FASTEST);
        LOG.info("s16.15 10-50-50-{}-50-25 on FASTEST: bit-equal to the reference; relu max |diff| to float {} on {} "
                + "cores, seed activations {} on {} cores", NARROW, relu.maxDiffToFloat(), relu.stats().coresUsed(),
                seed.maxDiffToFloat(), seed.stats().coresUsed());
        assertTrue(seed.maxDiffToFloat() <= 1e-3, "max |diff| to float " + seed.maxDiffToFloat());
    }

    /**
     * The real seed network, 10-50-50-300-50-25 with relu, softmax, tanh, sigmoid and an identity output: its 300 x 50
     * layer's fan-in splits on FEWEST_CORES, and FASTEST splits more. Bit-equal to the reference, within the issue's
     * 1e-3 of nd4j float32, no packet dropped; the float32 run of the same mapping logged beside it.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void theRealSeedNetworkIsBitEqualToTheReferenceAndWithin1e3OfFloat(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = seedShape(300, Activation.RELU, Activation.SOFTMAX, Activation.TANH,
                Activation.SIGMOID);
        assertBitEqualAndWithin1e3OfFloat("seed 10-50-50-300-50-25", conf, strategy);
    }

    /**
     * The seed network's shape with relu6, thresholdedrelu at a theta between two words (0.2; FixedPointBlockTest
     * checks the word just above it), cube, softsign and a rectifiedtanh output, on fused blocks (FEWEST_CORES) and on reduces (FASTEST splits
     * the fan-ins). Bit-equal to the reference, within the 1e-3 of nd4j float32, no packet dropped.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void moreActivationsAreBitEqualToTheReferenceAndWithin1e3OfFloat(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(2026)
                .layer(ReferenceNetworks.dense(10, 50, Activation.RELU6))
                .layer(new DenseLayer.Builder().nIn(50).nOut(50).activation(new ActivationThresholdedReLU(0.2))
                        .build())
                .layer(ReferenceNetworks.dense(50, NARROW, Activation.CUBE))
                .layer(ReferenceNetworks.dense(NARROW, 50, Activation.SOFTSIGN))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(50).nOut(25).activation(Activation.RECTIFIEDTANH)
                        .build())
                .build();
        assertBitEqualAndWithin1e3OfFloat("relu6-thresholdedrelu-cube-softsign-rectifiedtanh", conf, strategy);
    }

    /**
     * The seed network's shape with swish, gelu (DL4J's default), mish and selu and a rationaltanh output, on fused
     * blocks (FEWEST_CORES) and on reduces (FASTEST): bit-equal to the reference, within the 1e-3 of nd4j
     * float32, no packet dropped.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void swishGeluMishSeluAndRationalTanhAreBitEqualToTheReferenceAndWithin1e3OfFloat(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(2026)
                .layer(ReferenceNetworks.dense(10, 50, Activation.SWISH))
                .layer(ReferenceNetworks.dense(50, 50, Activation.GELU))
                .layer(ReferenceNetworks.dense(50, NARROW, Activation.MISH))
                .layer(ReferenceNetworks.dense(NARROW, 50, Activation.SELU))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(50).nOut(25).activation(Activation.RATIONALTANH)
                        .build())
                .build();
        assertBitEqualAndWithin1e3OfFloat("swish-gelu-mish-selu-rationaltanh", conf, strategy);
    }

    /**
     * A DropoutLayer between the seed shape's dense layers: at inference it passes its input on, so the machine maps
     * the layers around it alone; bit-equal to the reference, within the 1e-3 of nd4j float32.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void aDropoutLayerPassesItsInputOnAtInference(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(2026)
                .layer(ReferenceNetworks.dense(10, 50, Activation.RELU))
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(ReferenceNetworks.dense(50, NARROW, Activation.TANH))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(NARROW).nOut(25).activation(Activation.IDENTITY)
                        .build())
                .build();
        assertBitEqualAndWithin1e3OfFloat("dropout layer", conf, strategy);
    }

    /**
     * {@code conf} (10 inputs) on {@link #SAMPLES} rows uniform in [-2, 2) in fixed point on {@code strategy}:
     * bit-equal to the reference ({@link #runBitEqual}), within the 1e-3 of nd4j float32; the float32 run of
     * the same mapping logged beside it as {@code name}.
     */
    private static void assertBitEqualAndWithin1e3OfFloat(String name, MultiLayerConfiguration conf,
            PartitioningStrategy strategy) {
        INDArray x = Parity.uniformInputs(SAMPLES, 10, 7).muli(4).subi(2);
        Run run = runBitEqual(conf, x, strategy);
        logBesideFloat(name, strategy, run, conf, x);
        assertTrue(run.maxDiffToFloat() <= 1e-3, "max |diff| to float " + run.maxDiffToFloat());
    }

    /**
     * The MNIST MLP (784-256-128-10 relu, relu, softmax) on FASTEST with seeded random weights, on the first
     * {@link #DIGITS} digits of data/mnist, its blocks' partial sums reaching their reduces through SDRAM where they
     * share a chip: bit-equal to the reference, no packet dropped; the classes' agreement with
     * nd4j float32 and the float32 machine run logged.
     */
    @Test
    void theMnistMlpOnFastestIsBitEqualToTheReference() throws IOException {
        MultiLayerConfiguration conf = ReferenceNetworks.mnistMlp();
        // the module's directory is the tests' working directory; the digits are the repository's data/mnist
        INDArray digits = ((DataSet) MnistIdx.load(Path.of("..", "data", "mnist")).getRange(0, DIGITS)).getFeatures();
        Run run = runBitEqual(conf, digits, PartitioningStrategy.FASTEST);
        assertTrue(run.mapping().graph().partitions().stream().anyMatch(OutgoingPartition::throughSdram),
                "some blocks' partial sums go to their reduce through SDRAM");
        INDArray floats = run.floats().get(run.floats().size() - 1);
        int agree = 0;
        for (int r = 0; r < DIGITS; r++) {
            if (Parity.argmax(run.out()[r]) == Parity.argmax(floats.getRow(r).toFloatVector())) {
                agree++;
            }
        }
        logBesideFloat("MNIST MLP 784-256-128-10", PartitioningStrategy.FASTEST, run, conf, digits);
        LOG.info("s16.15 MNIST MLP on FASTEST: classes agree with float32 on {} of {} digits", agree, DIGITS);
        assertTrue(agree >= DIGITS - 2, agree + " of " + DIGITS + " classes agree with float32");
    }

    /**
     * Logs a fixed-point run beside the float32 run of the same network, strategy and inputs on the machine (each
     * charged its own kernels' cycles), with what limits each one's throughput (docs/fixed-point.md): the TDMA period,
     * the busiest core in the run and in the mapper's bound, and whether the partitioner sliced the network alike.
     */
    private static void logBesideFloat(String name, PartitioningStrategy strategy, Run fixed,
            MultiLayerConfiguration conf, INDArray x) {
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                SpiNNakerOptions.builder().partitioning(strategy).inferenceOnly().build())) {
            machine.init();
            machine.setParams(fixed.cpu().params());
            machine.output(x);
            RunStats f = machine.lastRunStats();
            assertEquals(0, f.packetsDropped(), f.describeDrops());
            boolean sameSlicing = slicing(fixed.mapping()).equals(slicing(machine.mapping()));
            LOG.info("{} on {}, s16.15: {}; float32: {}; packets a sample {} vs {}, {} slicing, max |diff| to nd4j "
                    + "float32 {}", name, strategy, figures(fixed.stats(), fixed.mapping()),
                    figures(f, machine.mapping()), fixed.stats().packetsSentPerSample(), f.packetsSentPerSample(),
                    sameSlicing ? "the same" : "a different", fixed.maxDiffToFloat());
        }
    }

    /** A run's throughput figures and what bounds them. */
    private static String figures(RunStats stats, Mapping mapping) {
        RunStats.CoreStats busiest = stats.cores().stream()
                .max(java.util.Comparator.comparingDouble(RunStats.CoreStats::busySeconds)).orElseThrow();
        long[] bound = BoundCalculator.SPINNAKER1.coreCycles(mapping.network(), mapping.graph());
        int heaviest = 0;
        for (int v = 1; v < bound.length; v++) {
            heaviest = bound[v] > bound[heaviest] ? v : heaviest;
        }
        return String.format(java.util.Locale.ROOT, "%d cores, latency %.1f µs, %.2f µs a sample, %.0f samples/s, TDMA "
                + "period %d cycles (%.2f µs), busiest core %s %.0f cycles a sample, bound's busiest %s %d cycles",
                stats.coresUsed(), 1e6 * stats.latencySeconds(), 1e6 * stats.simulatedSecondsPerSample(),
                stats.samplesPerSecond(), mapping.tdma().periodClocks(), 1e6 * mapping.tdma().periodClocks() / CORE_HZ,
                busiest.vertex(), busiest.busySeconds() * CORE_HZ / stats.samples(),
                mapping.graph().vertex(heaviest).label(), bound[heaviest]);
    }

    /** Each vertex's kind, rows and columns: the partitioner's slicing. */
    private static List<String> slicing(Mapping mapping) {
        return mapping.graph().vertices().stream().map(v -> v.kind() + " " + v.rows() + " " + v.cols()).toList();
    }

    /**
     * Convolutions in s16.15 (2026-12-03): {@link Conv2DParityTest#stack()}, 2 × 7 × 6 → conv 3 × 3 Same relu → 3 × 7
     * × 6 → conv 3 × 3 stride 2 tanh → 5 × 3 × 2 → Dense 12 sigmoid → softmax 5, whose convolutions and dense layer
     * run on row blocks (each holding its kernel once). Its outputs are bit-equal to {@link AccumReference}, which
     * runs each convolution as its lowered dense layer (exact sums ignore order and zeros), with no saturation, no
     * packet dropped and no TDMA slot missed, and within the 1e-3 of nd4j float32.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void convolutionsAreBitEqualToTheLoweredReferenceAndWithin1e3OfFloat(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Conv2DParityTest.stack();
        INDArray x = Parity.flatImages(SAMPLES, 2, 7, 6, 21).muli(2);
        Run run = runBitEqual(conf, x, strategy);
        assertTrue(run.mapping().graph().vertices().stream().anyMatch(v -> v.rowBlock() != null),
                "the convolutions run on row blocks");
        logBesideFloat("Conv2D 2x7x6-3x7x6-5x3x2-12-5", strategy, run, conf, x);
        assertTrue(run.maxDiffToFloat() <= 1e-3, "max |diff| to float " + run.maxDiffToFloat());
    }

    /**
     * Convolution1DLayers in s16.15 (their blocks are ordinary fused blocks holding a position's kernel slice, fed by
     * relays): 3 × 11 → kernel 3 Same relu → 5 × 11 → kernel 5 stride 2 padding 2 Truncate tanh → 4 × 6, on
     * FASTEST and FEWEST_CORES. Bit-equal to {@link AccumReference} (the sequences as images of width 1, each
     * convolution lowered), no drop, no overrun, no saturation, within the 1e-3 of nd4j float32.
     */
    @ParameterizedTest
    @EnumSource(value = PartitioningStrategy.class, names = {"FASTEST", "FEWEST_CORES"})
    void conv1dIsBitEqualToTheLoweredReferenceAndWithin1e3OfFloat(PartitioningStrategy strategy) {
        MultiLayerConfiguration conf = Parity.list(24)
                .layer(new Convolution1DLayer.Builder().nOut(5).kernelSize(3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new Convolution1DLayer.Builder().nOut(4).kernelSize(5).stride(2).padding(2)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build())
                .setInputType(InputType.recurrent(3, 11)).build();
        Nd4j.getRandom().setSeed(24);
        INDArray x = Nd4j.rand(DataType.FLOAT, SAMPLES, 3, 11).muli(4).subi(2);
        MultiLayerNetwork cpu = initialised(conf);
        Run run = runBitEqual(conf, cpu, new AccumReference(cpu, new int[] {3, 11}), x,
                fixed(strategy).toBuilder().sequenceLength(11).build());
        LOG.info("s16.15 Conv1D 3x11-5x11-4x6 on {}: bit-equal to the reference, max |diff| to float {} ; {} cores, "
                + "{} µs a sample", strategy, run.maxDiffToFloat(), run.stats().coresUsed(),
                1e6 * run.stats().simulatedSecondsPerSample());
        assertTrue(run.maxDiffToFloat() <= 1e-3, "max |diff| to float " + run.maxDiffToFloat());
    }

    /**
     * A relu/identity convolution network (2 × 7 × 6 → conv 3 × 3 Same relu → 3 × 7 × 6 → conv 3 × 3 stride 2
     * relu → 4 × 3 × 2 → identity output 4) on FEWEST_CORES: bit-equal to the reference, and every output within its
     * {@link AccumErrorBound} of nd4j float32, the bound taken through each convolution's lowered dense layer.
     */
    @Test
    void reluConvolutionsAreWithinTheirBoundOfFloat() {
        MultiLayerConfiguration conf = Parity.list(23)
                .layer(new ConvolutionLayer.Builder().nOut(3).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(4).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutionalFlat(7, 6, 2)).build();
        INDArray x = Parity.flatImages(SAMPLES, 2, 7, 6, 23).muli(2);
        Run run = runBitEqual(conf, x);
        AccumReference reference = new AccumReference(run.cpu());
        int nLayers = conf.getConfs().size();
        double largestBound = 0;
        for (int r = 0; r < SAMPLES; r++) {
            List<int[]> words = run.words().get(r);
            double[] e = new double[words.get(0).length];
            Arrays.fill(e, 0x1p-16);
            for (int l = 0; l < nLayers; l++) {
                e = AccumErrorBound.layer(reference.denseWeights(l), reference.denseBias(l), values(words.get(l)),
                        rows(run.floats().get(l)).getRow(r).toFloatVector(), e);
            }
            float[] floatOut = run.floats().get(nLayers).getRow(r).toFloatVector();
            for (int j = 0; j < floatOut.length; j++) {
                double diff = Math.abs(run.out()[r][j] - floatOut[j]);
                assertTrue(diff <= e[j], "sample " + r + " output " + j + ": " + diff + " above its bound " + e[j]);
                largestBound = Math.max(largestBound, e[j]);
            }
        }
        LOG.info("s16.15 relu convolutions on FEWEST_CORES: bit-equal to the reference, max |diff| to float {}, "
                + "largest per-output bound {}", run.maxDiffToFloat(), largestBound);
    }

    /** {@code feedForward} reads every layer back from the machine: each layer's words as the reference's. */
    @Test
    void feedForwardReadsEveryLayerBitEqualToTheReference() {
        MultiLayerConfiguration conf = seedShape(NARROW, Activation.RELU, Activation.SOFTMAX, Activation.TANH,
                Activation.SIGMOID);
        MultiLayerNetwork cpu = initialised(conf);
        AccumReference reference = new AccumReference(cpu);
        INDArray x = Parity.uniformInputs(4, 10, 13).muli(4).subi(2);
        int nLayers = conf.getConfs().size();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                fixed(PartitioningStrategy.FEWEST_CORES))) {
            machine.init();
            machine.setParams(cpu.params());
            List<INDArray> layers = machine.feedForward(x, false);
            assertEquals(nLayers + 1, layers.size());
            for (int r = 0; r < x.rows(); r++) {
                int[] input = AccumQuantiser.quantise(x.getRow(r).toFloatVector(), 10, "sample").words();
                List<int[]> expected = reference.forward(input, new long[nLayers]);
                for (int l = 1; l <= nLayers; l++) {
                    float[] want = new float[expected.get(l).length];
                    for (int j = 0; j < want.length; j++) {
                        want[j] = AccumQuantiser.toFloat(expected.get(l)[j]);
                    }
                    assertArrayEquals(want, layers.get(l).getRow(r).toFloatVector(), 0f,
                            "sample " + r + " layer " + l + ": bit-equal to the reference");
                }
            }
        }
    }

    @Test
    void saturatedInputsAndSumsAreCountedPerLayer() {
        PartitioningStrategy strategy = PartitioningStrategy.FEWEST_CORES;
        MultiLayerConfiguration conf = seedShape(NARROW);
        MultiLayerNetwork cpu = initialised(conf);
        float[][] x = new float[2][10];
        Arrays.fill(x[0], 60000f);
        Arrays.fill(x[1], -60000f);
        x[1][3] = 1e6f; // beyond 2^16: saturates on input
        int nLayers = conf.getConfs().size();
        AccumReference reference = new AccumReference(cpu);
        long[] sums = new long[nLayers];
        float[][] expected = new float[2][];
        for (int r = 0; r < 2; r++) {
            int[] last = reference.forward(AccumQuantiser.quantise(x[r], 10, "sample").words(), sums).get(nLayers);
            expected[r] = new float[last.length];
            for (int j = 0; j < last.length; j++) {
                expected[r][j] = AccumQuantiser.toFloat(last[j]);
            }
        }
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), fixed(strategy))) {
            machine.init();
            machine.setParams(cpu.params());
            float[][] out = machine.output(Nd4j.create(x)).toFloatMatrix();
            RunStats.Saturations s = machine.lastRunStats().saturations();
            LOG.info("s16.15 saturating samples on {}: {}", strategy, s);
            assertTrue(sums[0] > 0, "the reference saturates layer 0's sums: " + Arrays.toString(sums));
            assertArrayEquals(sums, s.sums(), "the kernels count what the reference counts");
            assertEquals(1, s.inputs(), "one input value saturated");
            for (int r = 0; r < 2; r++) {
                assertArrayEquals(expected[r], out[r], 0f, "sample " + r + " bit-equal to the reference");
            }
        }
    }

    @Test
    void aNaNInputAndAnOverflowingLayerAreRefusedBeforeTheKernelsRun() {
        MultiLayerConfiguration conf = seedShape(NARROW);
        MultiLayerNetwork cpu = initialised(conf);
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(),
                fixed(PartitioningStrategy.FEWEST_CORES))) {
            machine.init();
            machine.setParams(cpu.params());
            float[][] x = new float[2][10];
            x[1][4] = Float.NaN;
            IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                    () -> machine.output(Nd4j.create(x)));
            assertTrue(nan.getMessage().contains("sample 1 input row 0 column 4 is NaN"), nan.getMessage());
            // layer 3's weights at the top of the range: 200 inputs of up to 2^31 times 2^31 passes 2^63
            INDArray params = cpu.params().dup();
            cpu.getLayer(3).getParam("W").assign(60000);
            IllegalArgumentException overflow = assertThrows(IllegalArgumentException.class, () -> {
                machine.setParams(cpu.params());
                machine.output(Nd4j.create(new float[2][10]));
            });
            assertTrue(overflow.getMessage().contains("mapped layer 3's 64-bit sums could overflow"), overflow.getMessage());
            cpu.setParams(params);
        }
    }

    static double[] values(int[] words) {
        double[] v = new double[words.length];
        for (int i = 0; i < words.length; i++) {
            v[i] = words[i] / 32768.0;
        }
        return v;
    }
}
