package org.spinnaker4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/** The one place parity is checked: same configuration and parameters, CPU vs SpiNNaker. */
final class Parity {

    /** The largest |SpiNNaker − CPU| allowed for float32 outputs. */
    static final double TOLERANCE = 1e-4;

    private static final Logger LOG = LoggerFactory.getLogger(Parity.class);

    private Parity() {
    }

    /** Inference-only options of {@code strategy} for images of {@code height} x {@code width}. */
    static SpiNNakerOptions imageOptions(PartitioningStrategy strategy, int height, int width) {
        return SpiNNakerOptions.builder().partitioning(strategy).imageSize(height, width).inferenceOnly().build();
    }

    /** Training options of {@code strategy} for sequences of {@code length} positions. */
    static SpiNNakerOptions sequenceOptions(PartitioningStrategy strategy, int length) {
        return SpiNNakerOptions.builder().partitioning(strategy).sequenceLength(length).build();
    }

    /** Sequences [n, channels, length] uniform in [-1, 1), from a fixed seed. */
    static INDArray sequences(int n, int channels, int length, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, channels, length).muli(2).subi(1);
    }

    /** Images [n, channels, height, width] uniform in [-1, 1), from a fixed seed. */
    static INDArray images(int n, int channels, int height, int width, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, channels, height, width).muli(2).subi(1);
    }

    /** The same images flattened to rows [n, channels · height · width], as convolutionalFlat input takes them. */
    static INDArray flatImages(int n, int channels, int height, int width, long seed) {
        return images(n, channels, height, width, seed).reshape(n, (long) channels * height * width);
    }

    /** The layer tests' configuration: float, XAVIER weights, biases 0.1, the given seed. */
    static NeuralNetConfiguration.Builder builder(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER)
                .biasInit(0.1);
    }

    /** The layer tests' configuration with DL4J's default updater. */
    static NeuralNetConfiguration.ListBuilder list(long seed) {
        return builder(seed).list();
    }

    /** The layer tests' configuration training with {@code updater}. */
    static NeuralNetConfiguration.ListBuilder list(long seed, IUpdater updater) {
        return builder(seed).updater(updater).list();
    }

    /** {@code n} rows of {@code nIn} values uniform in [0, 1), from a fixed seed. */
    static INDArray uniformInputs(int n, int nIn, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, nIn);
    }

    /**
     * Runs {@code conf} on nd4j-native and on SpiNNaker with the same parameters and inputs,
     * asserts the outputs agree within {@link #TOLERANCE} and that the machine really ran,
     * and returns the run's statistics.
     */
    static RunStats assertParity(MultiLayerConfiguration conf, SpiNNakerOptions options, INDArray x) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(conf.clone());
        cpu.init();
        try (SpiNNakerMultiLayerNetwork machine = new SpiNNakerMultiLayerNetwork(conf.clone(), options)) {
            machine.init();
            machine.setParams(cpu.params());
            INDArray expected = cpu.output(x);
            INDArray actual = machine.output(x);
            RunStats stats = machine.lastRunStats();
            double diff = Transforms.abs(actual.sub(expected)).maxNumber().doubleValue();
            LOG.info("{} on {}: max |diff| {} ; {}", options.partitioning(), options.machine().description(), diff,
                    stats);
            assertEquals(x.size(0), stats.samples(), "the machine ran every sample");
            assertEquals(0, stats.packetsDropped(), stats.describeDrops());
            assertTrue(stats.packetsDelivered() >= x.size(0), "the machine delivered packets");
            assertTrue(diff < TOLERANCE, "max |SpiNNaker - CPU| = " + diff + " exceeds " + TOLERANCE);
            return stats;
        }
    }

    /** The index of the largest value (the first of equal ones): a network's class. */
    static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }
}
