package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.spinnaker4j.backend.SpiNNakerMultiLayerNetwork;
import org.spinnaker4j.backend.SpiNNakerOptions;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;

/**
 * A change meant only to make the simulator faster on the host must leave what it simulates as it was: the same
 * events, packets and simulated times, the same outputs and trained parameters, bit for bit. This compares one
 * inference and one training mini-batch of a small network (FASTEST, so a multi-chip mapping with TDMA) against the
 * figures and a fingerprint recorded from a fixed run. A change to the model, the mapping, the schedule or a kernel's
 * arithmetic changes them too, and then they are to be recorded anew (the test's message gives the new ones).
 */
class FixedRunTest {

    private static MultiLayerConfiguration network() {
        return new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(40).nOut(30).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(30).nOut(20).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(20).nOut(6).activation(Activation.SOFTMAX)
                        .build())
                .build();
    }

    private static INDArray features() {
        Nd4j.getRandom().setSeed(21);
        return Nd4j.rand(DataType.FLOAT, 12, 40);
    }

    private static INDArray labels() {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 12, 6);
        for (int r = 0; r < 12; r++) {
            labels.putScalar(r, (r * 5) % 6, 1f);
        }
        return labels;
    }

    private static SpiNNakerMultiLayerNetwork onMachine() {
        return onMachine(1);
    }

    private static SpiNNakerMultiLayerNetwork onMachine(int hostThreads) {
        MultiLayerNetwork cpu = new MultiLayerNetwork(network());
        cpu.init();
        return SpiNNakerMultiLayerNetwork.wrap(cpu, SpiNNakerOptions.builder()
                .partitioning(PartitioningStrategy.FASTEST).hostThreads(hostThreads).build());
    }

    @Test
    void inferenceIsAsRecorded() {
        try (SpiNNakerMultiLayerNetwork machine = onMachine()) {
            INDArray out = machine.output(features());
            assertRecorded(INFERENCE, out, machine.lastRunStats());
        }
    }

    /** On two lanes, the same inference, and again (the lanes' second run starts from the first's state). */
    @Test
    void inferenceOnTwoLanesIsAsRecorded() {
        try (SpiNNakerMultiLayerNetwork machine = onMachine(2)) {
            assertRecorded(INFERENCE, machine.output(features()), machine.lastRunStats());
            assertRecorded(INFERENCE, machine.output(features()), machine.lastRunStats());
        }
    }

    private static final String INFERENCE = "40752 events, 3240 sent, 13392 delivered, 6.2014E-4 s simulated, "
            + "fingerprint 89945eddadbb2a70";

    @Test
    void trainingIsAsRecorded() {
        try (SpiNNakerMultiLayerNetwork machine = onMachine()) {
            machine.fit(features(), labels());
            assertRecorded(TRAINING, machine.params(), machine.lastTrainingStats());
        }
    }

    @Test
    void trainingOnTwoLanesIsAsRecorded() {
        try (SpiNNakerMultiLayerNetwork machine = onMachine(2)) {
            machine.fit(features(), labels());
            assertRecorded(TRAINING, machine.params(), machine.lastTrainingStats());
        }
    }

    private static final String TRAINING = "86016 events, 8004 sent, 17124 delivered, 0.002162125 s simulated, "
            + "fingerprint 09de1eac49132347";

    /** The run's headline figures and the fingerprint of its result and statistics, as one string. */
    private static void assertRecorded(String expected, INDArray result, RunStats stats) {
        String actual = String.format("%d events, %d sent, %d delivered, %s s simulated, fingerprint %s",
                stats.events(), stats.packetsSent(), stats.packetsDelivered(), stats.simulatedSeconds(),
                fingerprint(result, stats));
        assertEquals(expected, actual);
    }

    /**
     * SHA-256 (first 16 hex digits) of the result's float bits and every component of the statistics (every counter,
     * simulated time, chip, link and core's busy time; a double's text is exact).
     */
    private static String fingerprint(INDArray result, RunStats stats) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            float[] values = result.dup().data().asFloat();
            ByteBuffer bits = ByteBuffer.allocate(4 * values.length);
            for (float v : values) {
                bits.putInt(Float.floatToRawIntBits(v));
            }
            sha.update(bits.array());
            for (RecordComponent c : RunStats.class.getRecordComponents()) {
                Object value = c.getAccessor().invoke(stats);
                Object canonical = value instanceof Map<?, ?> m ? new TreeMap<>(m).toString() : value;
                sha.update((c.getName() + "=" + canonical + ";").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException | ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
