package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.backend.runtime.LayerUpdate;
import org.spinnaker4j.backend.runtime.NativeCoreMemory;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.kernels.UpdateValues;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * A pipelined TDMA run on two host threads ({@link Lanes}) simulates what one thread does, bit for bit: the same
 * outputs (or trained parameters) and the same statistics (every counter, time and event count), run after run; a
 * run whose routers drop packets runs again on one thread with the same results; a run that is not pipelined stays
 * on one thread.
 */
class TwoLanesTest {

    private static final SimulatorParameters TDMA = SimulatorParameters.defaults();
    private static final List<DenseLayerSpec> LAYERS = List.of(
            new DenseLayerSpec(40, 30, Activation.of(ActivationKind.TANH), true),
            new DenseLayerSpec(30, 20, Activation.of(ActivationKind.RELU), true),
            new DenseLayerSpec(20, 6, Activation.of(ActivationKind.SOFTMAX), true));
    private static Mapping fastest;
    private static Mapping training;
    private static List<DenseParameters> parameters;
    private static float[][] samples;

    @BeforeAll
    static void map() {
        Mapper mapper = new Mapper(PartitioningStrategy.FASTEST, new NativeCoreMemory(),
                new TdmaScheduler(CoreCostModel.ARM968_SOFT_FLOAT, MachineTiming.SPINNAKER1,
                        TdmaScheduler.DEFAULT_RECEIVE_QUEUE));
        NetworkSpec network = new NetworkSpec(LAYERS);
        fastest = mapper.map(network, Machine.spinn5());
        training = mapper.map(new NetworkSpec(LAYERS, new TrainingSpec(LossFunction.MCXENT,
                java.util.Collections.nCopies(3, new UpdaterSpec(UpdaterType.SGD, 0.1f, 0, 0, 0)), true)),
                Machine.spinn5());
        Random rnd = new Random(11);
        parameters = new ArrayList<>();
        for (DenseLayerSpec layer : network.layers()) {
            parameters.add(new DenseParameters(layer.nIn(), layer.nOut(), values(layer.nIn() * layer.nOut(), rnd),
                    values(layer.nOut(), rnd)));
        }
        samples = new float[10][];
        for (int s = 0; s < samples.length; s++) {
            samples[s] = values(40, rnd);
        }
    }

    private static float[] values(int n, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.5f;
        }
        return v;
    }

    private static EmbeddedSimulator loaded(SimulatorParameters parameters, int hostThreads) {
        return loaded(fastest, parameters, hostThreads);
    }

    private static EmbeddedSimulator loaded(Mapping mapping, SimulatorParameters parameters, int hostThreads) {
        EmbeddedSimulator sim = new EmbeddedSimulator(parameters, FixedPointRounding.defaults(), hostThreads);
        sim.load(mapping, TwoLanesTest.parameters);
        return sim;
    }

    @Test
    void anInferenceOnTwoLanesIsTheOneThreadRunBitForBit() {
        assertTrue(fastest.placements().chipsUsed() > 1, fastest.describe());
        try (EmbeddedSimulator one = loaded(TDMA, 1); EmbeddedSimulator two = loaded(TDMA, 2)) {
            float[][] expected = one.run(samples);
            RunStats expectedStats = one.lastRunStats();
            for (int run = 0; run < 3; run++) {
                float[][] out = two.run(samples);
                assertEquals(2, two.lastRunThreads(), "run " + run + " on lanes");
                for (int s = 0; s < samples.length; s++) {
                    assertArrayEquals(expected[s], out[s], "sample " + s + " of run " + run);
                }
                assertEquals(expectedStats, two.lastRunStats(), "run " + run);
            }
        }
    }

    /**
     * A simulator left to choose its host threads runs the first run on one thread and the second on lanes (to measure
     * both), each with the one-thread run's results; on a host of one core, every run on one thread.
     */
    @Test
    void aSimulatorThatChoosesMeasuresOneThreadThenLanesWithTheSameResults() {
        boolean secondCore = Runtime.getRuntime().availableProcessors() >= 2;
        try (EmbeddedSimulator one = loaded(TDMA, 1);
                EmbeddedSimulator choosing = loaded(TDMA, EmbeddedSimulator.CHOOSE_HOST_THREADS)) {
            float[][] expected = one.run(samples);
            for (int run = 0; run < 4; run++) {
                float[][] out = choosing.run(samples);
                if (run < 2 || !secondCore) {
                    assertEquals(run == 1 && secondCore ? 2 : 1, choosing.lastRunThreads(), "run " + run);
                }
                assertArrayEquals(expected, out, "run " + run);
                assertEquals(one.lastRunStats(), choosing.lastRunStats(), "run " + run);
            }
        }
    }

    /**
     * A caller interrupted before its runs on lanes: each run ends with the one-thread results and the caller's
     * interrupt flag is still set. (The worker has nearly always ended by the time the caller waits for it, so this
     * does not catch a caller that stops waiting when interrupted; {@code Lanes.awaitWorker} waits on.)
     */
    @Test
    void anInterruptedCallerStillGetsItsRunsAndKeepsItsInterrupt() {
        try (EmbeddedSimulator one = loaded(TDMA, 1); EmbeddedSimulator two = loaded(TDMA, 2)) {
            float[][] expected = one.run(samples);
            for (int run = 0; run < 3; run++) {
                Thread.currentThread().interrupt();
                float[][] out;
                try {
                    out = two.run(samples);
                } finally {
                    assertTrue(Thread.interrupted(), "run " + run + " kept the interrupt");
                }
                assertEquals(2, two.lastRunThreads(), "run " + run + " on lanes");
                assertArrayEquals(expected, out, "run " + run);
                assertEquals(one.lastRunStats(), two.lastRunStats(), "run " + run);
            }
        }
    }

    /**
     * A second thread that does not start until the test ends (as when the host gives its core to another process):
     * the calling thread runs both lanes' windows, with the one-thread run's outputs and statistics (before lanes
     * could take each other's windows, it waited for ever).
     */
    @Test
    @Timeout(120)
    void aRunWhoseSecondThreadNeverStartsIsRunByTheFirstAlone() {
        CountDownLatch testEnds = new CountDownLatch(1);
        ThreadFactory late = task -> {
            Thread t = new Thread(() -> {
                awaitUninterruptibly(testEnds);
                task.run();
            });
            t.setDaemon(true);
            return t;
        };
        try (EmbeddedSimulator one = loaded(TDMA, 1);
                EmbeddedSimulator two = new EmbeddedSimulator(TDMA, FixedPointRounding.defaults(), 2, late)) {
            two.load(fastest, parameters);
            float[][] expected = one.run(samples);
            for (int run = 0; run < 2; run++) {
                float[][] out = two.run(samples);
                assertEquals(2, two.lastRunThreads(), "run " + run + " on lanes");
                assertArrayEquals(expected, out, "run " + run);
                assertEquals(one.lastRunStats(), two.lastRunStats(), "run " + run);
            }
        } finally {
            testEnds.countDown();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // shut down by the simulator's close: wait on, so that the task never runs before the test ends
            }
        }
    }

    /**
     * Routers whose blocked packets wait 16 router cycles before they are dropped (and reinjected), behind links and
     * router inputs that queue one packet: the run on lanes sees the drops, puts every core's state back and runs
     * again on one thread. (Links of one packet lost some for good at a full dump register once the mapping fed blocks
     * straight from their producers, session 33; with a wait of 32 no packet dropped once the schedule allowed a link
     * queue of other samples' packets on every inference window's shared links, session 36; with queues of two, or a
     * wait of 8, none dropped once the trees spread over the links, session 38: 26 dropped, 26 reinjected, none lost
     * with queues of one.)
     */
    @Test
    void aRunWhoseRoutersDropRunsAgainOnOneThreadWithTheSameResults() {
        SimulatorParameters dropping = new SimulatorParameters(SendMode.TDMA, true, 16, 1, 1,
                TdmaScheduler.DEFAULT_RECEIVE_QUEUE, 4095, CoreCostModel.ARM968_SOFT_FLOAT, MachineTiming.SPINNAKER1);
        try (EmbeddedSimulator one = loaded(dropping, 1); EmbeddedSimulator two = loaded(dropping, 2)) {
            float[][] expected = one.run(samples);
            assertTrue(one.lastRunStats().packetsDropped() > 0, one.lastRunStats().toString());
            for (int run = 0; run < 2; run++) {
                float[][] out = two.run(samples);
                assertEquals(1, two.lastRunThreads(), "run " + run + " ran again on one thread");
                assertArrayEquals(expected, out, "run " + run);
                assertEquals(one.lastRunStats(), two.lastRunStats(), "run " + run);
            }
        }
    }

    /** Training mini-batches on lanes: each mini-batch's samples, then the update, as on one thread. */
    @Test
    void trainingOnTwoLanesIsTheOneThreadRunBitForBit() {
        assertTrue(training.placements().chipsUsed() > 1, training.describe());
        UpdateValues sgd = new UpdateValues(0.1f, 0f, 0f, 0f, 0f);
        List<LayerUpdate> updates = java.util.Collections.nCopies(3, new LayerUpdate(sgd, sgd));
        float[][] labels = new float[samples.length][6];
        for (int s = 0; s < samples.length; s++) {
            labels[s][s % 6] = 1;
        }
        try (EmbeddedSimulator one = loaded(training, TDMA, 1); EmbeddedSimulator two = loaded(training, TDMA, 2)) {
            for (int batch = 0; batch < 3; batch++) {
                double expected = one.train(samples, labels, batch, updates);
                assertEquals(expected, two.train(samples, labels, batch, updates), "loss of mini-batch " + batch);
                assertEquals(2, two.lastRunThreads(), "mini-batch " + batch + " on lanes");
                assertEquals(one.lastRunStats(), two.lastRunStats(), "mini-batch " + batch);
                List<DenseParameters> trained = two.readParameters();
                for (int l = 0; l < LAYERS.size(); l++) {
                    DenseParameters p = one.readParameters().get(l);
                    assertArrayEquals(p.weights(), trained.get(l).weights(), "layer " + l + " after " + batch);
                    assertArrayEquals(p.bias(), trained.get(l).bias(), "layer " + l + "'s bias after " + batch);
                }
            }
        }
    }

    /** Samples one after another (BURST: no pipelined schedule) run on one thread. */
    @Test
    void aRunThatIsNotPipelinedStaysOnOneThread() {
        try (EmbeddedSimulator two = loaded(TDMA.withSendMode(SendMode.BURST), 2)) {
            two.run(samples);
            assertEquals(1, two.lastRunThreads());
        }
    }

    /** Host threads other than 1 or 2 are refused, saying which are allowed. */
    @Test
    void threeHostThreadsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EmbeddedSimulator(TDMA, FixedPointRounding.defaults(), 3));
        assertEquals("the simulator runs on 1 or 2 host threads (or 0: it chooses), not 3", e.getMessage());
    }
}
