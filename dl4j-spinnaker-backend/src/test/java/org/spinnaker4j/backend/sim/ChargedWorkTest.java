package org.spinnaker4j.backend.sim;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.spinnaker4j.backend.runtime.ExactRates;
import org.spinnaker4j.backend.runtime.FixedPointRounding;
import org.spinnaker4j.backend.runtime.LayerUpdate;
import org.spinnaker4j.backend.runtime.NativeCoreMemory;
import org.spinnaker4j.backend.runtime.RunStats;
import org.spinnaker4j.kernels.AccumUpdate;
import org.spinnaker4j.kernels.UpdateValues;
import org.spinnaker4j.mapper.machine.MachineTiming;
import org.spinnaker4j.mapper.Mapper;
import org.spinnaker4j.mapper.Mapping;
import org.spinnaker4j.mapper.cost.CoreCostModel;
import org.spinnaker4j.mapper.cost.OutputLoss;
import org.spinnaker4j.mapper.graph.MachineVertex;
import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Activation;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.DenseLayerSpec;
import org.spinnaker4j.mapper.ir.DenseParameters;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.NetworkSpec;
import org.spinnaker4j.mapper.ir.TrainingSpec;
import org.spinnaker4j.mapper.ir.UpdaterSpec;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.machine.Machine;
import org.spinnaker4j.mapper.partition.PartitioningStrategy;
import org.spinnaker4j.mapper.tdma.Phase;
import org.spinnaker4j.mapper.tdma.TdmaScheduler;

/**
 * Busy time and energy worked out by hand for a 6-4-3 network (relu, then softmax), one fused block per layer:
 * each core is busy for the cost model's figure of every piece of work it does, once, whether or not that work
 * sends anything (a source's read of its slice of a sample from SDRAM too); a block's rows are charged once each, as it multiplies them in, whatever event does it. In training the first layer's block computes its deltas and dW but sends nothing back, and the
 * output block's labels arrive before its forward pass completes, so its last input row also does its backward
 * pass. A core's backward-pass work runs in the background, and the sends it makes wait for it.
 */
class ChargedWorkTest {

    /** Not the default, so the test sees that the simulator charges from its parameters' model. */
    private static final CoreCostModel COST = new CoreCostModel(1.25, 50, 100, 20);
    /** A source's read of its slice of a sample from SDRAM: starting the DMA and dispatching its completion. */
    private static final long SOURCE_READ = CoreCostModel.DMA_START_CYCLES + COST.dispatchCycles();
    private static final int N_IN = 6;
    private static final int HIDDEN = 4;
    private static final int N_OUT = 3;

    private static NetworkSpec network(boolean training) {
        List<DenseLayerSpec> layers = List.of(
                new DenseLayerSpec(N_IN, HIDDEN, Activation.of(ActivationKind.RELU), true),
                new DenseLayerSpec(HIDDEN, N_OUT, Activation.of(ActivationKind.SOFTMAX), true));
        return training ? new NetworkSpec(layers, new TrainingSpec(LossFunction.MCXENT,
                java.util.Collections.nCopies(2, new UpdaterSpec(UpdaterType.SGD, 0.1f, 0, 0, 0)), true)) : new NetworkSpec(layers);
    }

    private static Mapping map(NetworkSpec network) {
        return new Mapper(PartitioningStrategy.FEWEST_CORES, new NativeCoreMemory(),
                new TdmaScheduler(COST, MachineTiming.SPINNAKER1, TdmaScheduler.DEFAULT_RECEIVE_QUEUE)).map(network, Machine.spinn3());
    }

    private static EmbeddedSimulator loaded(Mapping mapping, SendMode mode) {
        return loaded(mapping, mode, FixedPointRounding.defaults());
    }

    /** {@code rounding}: how an s16.15 training core rounds its parameters' steps. */
    private static EmbeddedSimulator loaded(Mapping mapping, SendMode mode, FixedPointRounding rounding) {
        EmbeddedSimulator sim = new EmbeddedSimulator(new SimulatorParameters(mode, true, 480, 8, 4,
                TdmaScheduler.DEFAULT_RECEIVE_QUEUE, 4095, COST, MachineTiming.SPINNAKER1), rounding);
        Random rnd = new Random(5);
        sim.load(mapping, List.of(parameters(N_IN, HIDDEN, rnd), parameters(HIDDEN, N_OUT, rnd)));
        return sim;
    }

    private static DenseParameters parameters(int nIn, int nOut, Random rnd) {
        return new DenseParameters(nIn, nOut, values(nIn * nOut, rnd), values(nOut, rnd));
    }

    private static float[] values(int n, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** The one vertex of this kind (and layer, for blocks). */
    private static MachineVertex vertex(Mapping mapping, VertexKind kind, int layer) {
        List<MachineVertex> found = mapping.graph().vertices().stream()
                .filter(v -> v.kind() == kind && (kind != VertexKind.DENSE_BLOCK || v.layer() == layer)).toList();
        assertEquals(1, found.size(), kind + " of layer " + layer + " in " + mapping.graph().vertices());
        return found.get(0);
    }

    /** Checks every core's busy time in the stats against its expected cycles, and the energy against their sum. */
    private static void assertCharged(Mapping mapping, RunStats stats, Map<MachineVertex, Long> cycles) {
        assertEquals(mapping.graph().vertices().size(), cycles.size(), "every core is worked out");
        assertEquals(0, stats.packetsLost());
        Map<String, Double> busy = new HashMap<>();
        stats.cores().forEach(c -> busy.put(c.vertex(), c.busySeconds()));
        List<Executable> checks = new ArrayList<>();
        long totalPs = 0;
        for (Map.Entry<MachineVertex, Long> e : cycles.entrySet()) {
            long ps = e.getValue() * MachineTiming.SPINNAKER1.coreClockPs();
            totalPs += ps;
            String label = e.getKey().label();
            checks.add(() -> assertEquals(ps / 1e12, busy.get(label), label));
        }
        double joules = EnergyModel.joules(stats.chipsUsed(), stats.simulatedSeconds(), totalPs / 1e12,
                stats.packetsRouted());
        checks.add(() -> assertEquals(joules, stats.energyJoules(), "energy"));
        assertAll(checks);
    }

    @Test
    void inferenceChargesTheSourceAndEveryPacketAndCompletion() {
        Mapping mapping = map(network(false));
        MachineVertex input = vertex(mapping, VertexKind.INPUT_SOURCE, -1);
        MachineVertex hidden = vertex(mapping, VertexKind.DENSE_BLOCK, 0);
        MachineVertex output = vertex(mapping, VertexKind.DENSE_BLOCK, 1);
        MachineVertex sink = vertex(mapping, VertexKind.OUTPUT_SINK, -1);
        assertTrue(hidden.fused() && output.fused());
        try (EmbeddedSimulator sim = loaded(mapping, SendMode.TDMA)) {
            sim.run(new float[][] {values(N_IN, new Random(1))});
            assertCharged(mapping, sim.lastRunStats(), Map.of(
                    input, SOURCE_READ + COST.completionCycles(input, ActivationKind.IDENTITY),
                    hidden, N_IN * (COST.packetCycles(hidden) + COST.rowCycles(hidden))
                            + COST.completionCycles(hidden, ActivationKind.RELU),
                    output, HIDDEN * (COST.packetCycles(output) + COST.rowCycles(output))
                            + COST.completionCycles(output, ActivationKind.SOFTMAX),
                    sink, N_OUT * COST.packetCycles(sink)));
        }
    }

    @Test
    void trainingChargesBackwardWorkThatSendsNothingAndBackwardWorkInsideTheForwardCompletion() {
        Mapping mapping = map(network(true));
        MachineVertex input = vertex(mapping, VertexKind.INPUT_SOURCE, -1);
        MachineVertex labels = vertex(mapping, VertexKind.LABEL_SOURCE, -1);
        MachineVertex hidden = vertex(mapping, VertexKind.DENSE_BLOCK, 0);
        MachineVertex output = vertex(mapping, VertexKind.DENSE_BLOCK, 1);
        MachineVertex sink = vertex(mapping, VertexKind.OUTPUT_SINK, -1);
        MachineVertex loss = vertex(mapping, VertexKind.LOSS_SINK, -1);
        assertTrue(hidden.fused() && output.fused());
        // the labels share the hidden block's window, every one sent before its last output, so they are in when
        // the output block's last row arrives
        assertTrue(mapping.tdma().of(Phase.FORWARD, labels.id()).sendClock(N_OUT - 1)
                < mapping.tdma().of(Phase.FORWARD, hidden.id()).sendClock(HIDDEN - 1), "labels first");
        long block = COST.packetCycles(hidden);
        try (EmbeddedSimulator sim = loaded(mapping, SendMode.TDMA)) {
            float[] label = new float[N_OUT];
            label[1] = 1;
            UpdateValues sgd = new UpdateValues(0.1f, 0f, 0f, 0f, 0f);
            sim.train(new float[][] {values(N_IN, new Random(1))}, new float[][] {label}, 0,
                    List.of(new LayerUpdate(sgd, sgd), new LayerUpdate(sgd, sgd)));
            RunStats stats = sim.lastRunStats();
            assertEquals(0, stats.tdmaOverruns(), "every packet went in its slot: the output block's backward work "
                    + "does not hold back the outputs it sends in the same event");
            assertCharged(mapping, stats, Map.of(
                    input, SOURCE_READ + COST.completionCycles(input, ActivationKind.IDENTITY),
                    labels, SOURCE_READ + COST.completionCycles(labels, ActivationKind.IDENTITY),
                    // its inputs and W·delta of the output block's rows
                    hidden, (N_IN + HIDDEN) * block + N_IN * COST.rowCycles(hidden)
                            + COST.completionCycles(hidden, ActivationKind.RELU)
                            + COST.backwardCycles(hidden, ActivationKind.RELU, false)
                            + COST.updateCycles(hidden, UpdaterType.SGD),
                    // its inputs and labels, its loss's deltas
                    output, (HIDDEN + N_OUT) * block + HIDDEN * COST.rowCycles(output)
                            + COST.completionCycles(output, ActivationKind.SOFTMAX)
                            + COST.backwardCycles(output, ActivationKind.SOFTMAX,
                                    OutputLoss.of(mapping.network(), output), true)
                            + COST.updateCycles(output, UpdaterType.SGD),
                    sink, N_OUT * COST.packetCycles(sink),
                    loss, COST.packetCycles(loss)));
        }
    }

    /**
     * The same network trained in s16.15 (no loss sink: the cores send no loss): each block files its labels and error
     * words at the s16.15 backward word's figure, not a forward word's, and is charged its deltas, backward pass and
     * update (for the simulator's rounding) at the s16.15 training kernels' figures.
     */
    @Test
    void fixedPointTrainingChargesTheFixedBackwardWordsWorkAndUpdate() {
        Mapping mapping = map(network(true).withArithmetic(Arithmetic.S16_15));
        MachineVertex input = vertex(mapping, VertexKind.INPUT_SOURCE, -1);
        MachineVertex labels = vertex(mapping, VertexKind.LABEL_SOURCE, -1);
        MachineVertex hidden = vertex(mapping, VertexKind.DENSE_BLOCK, 0);
        MachineVertex output = vertex(mapping, VertexKind.DENSE_BLOCK, 1);
        MachineVertex sink = vertex(mapping, VertexKind.OUTPUT_SINK, -1);
        assertTrue(hidden.fused() && output.fused() && hidden.arithmetic() == Arithmetic.S16_15);
        assertTrue(COST.backwardPacketCycles(hidden) < COST.packetCycles(hidden),
                "the test would not tell a backward word's charge from a forward word's");
        for (FixedPointRounding rounding : List.of(FixedPointRounding.nearest(), FixedPointRounding.stochastic(3))) {
            boolean stochastic = rounding.rounding() == AccumUpdate.Rounding.STOCHASTIC;
            try (EmbeddedSimulator sim = loaded(mapping, SendMode.TDMA, rounding)) {
                float[] label = new float[N_OUT];
                label[1] = 1;
                UpdateValues sgd = new UpdateValues(0.1f, 0f, 0f, 0f, 0f);
                LayerUpdate update = new LayerUpdate(sgd, sgd, 1f, 0, false, new ExactRates(false, 0.1, 0, 0, 0));
                sim.train(new float[][] {values(N_IN, new Random(1))}, new float[][] {label}, 0,
                        List.of(update, update));
                RunStats stats = sim.lastRunStats();
                assertEquals(0, stats.tdmaOverruns(), rounding.toString());
                assertCharged(mapping, stats, Map.of(
                        input, SOURCE_READ + COST.completionCycles(input, ActivationKind.IDENTITY),
                        labels, SOURCE_READ + COST.completionCycles(labels, ActivationKind.IDENTITY),
                        // its input words, each multiplied in, and the output block's error words
                        hidden, N_IN * (COST.packetCycles(hidden) + COST.rowCycles(hidden))
                                + HIDDEN * COST.backwardPacketCycles(hidden)
                                + COST.completionCycles(hidden, ActivationKind.RELU)
                                + COST.backwardCycles(hidden, ActivationKind.RELU, false)
                                + COST.fixedUpdateCycles(hidden, UpdaterType.SGD, stochastic),
                        // its input words and labels, its loss's deltas
                        output, HIDDEN * (COST.packetCycles(output) + COST.rowCycles(output))
                                + N_OUT * COST.backwardPacketCycles(output)
                                + COST.completionCycles(output, ActivationKind.SOFTMAX)
                                + COST.backwardCycles(output, ActivationKind.SOFTMAX,
                                        OutputLoss.of(mapping.network(), output), true)
                                + COST.fixedUpdateCycles(output, UpdaterType.SGD, stochastic),
                        sink, N_OUT * COST.packetCycles(sink)));
            }
        }
    }

    @Test
    void backwardSendsWaitForTheBackwardWorkThatMakesThem() {
        Mapping mapping = map(network(true));
        MachineVertex hidden = vertex(mapping, VertexKind.DENSE_BLOCK, 0);
        MachineVertex output = vertex(mapping, VertexKind.DENSE_BLOCK, 1);
        try (EmbeddedSimulator sim = loaded(mapping, SendMode.BURST)) {
            float[] label = new float[N_OUT];
            label[1] = 1;
            UpdateValues sgd = new UpdateValues(0.1f, 0f, 0f, 0f, 0f);
            sim.train(new float[][] {values(N_IN, new Random(1))}, new float[][] {label}, 0,
                    List.of(new LayerUpdate(sgd, sgd), new LayerUpdate(sgd, sgd)));
            // the output block sends its outputs (the last forward sends, N_OUT - 1 send gaps apart) when its
            // completion is done, its backward partials once its backward work is; the hidden block starts its
            // own backward work when they are in
            long outputBackward = COST.backwardCycles(output, ActivationKind.SOFTMAX,
                    OutputLoss.of(mapping.network(), output), true);
            long hiddenBackward = COST.backwardCycles(hidden, ActivationKind.RELU, false);
            long cycles = outputBackward + hiddenBackward - (N_OUT - 1) * COST.sendPacketCycles();
            assertTrue(hiddenBackward > (N_OUT - 1) * COST.sendPacketCycles()
                    + COST.packetCycles(output) * HIDDEN,
                    "the test would not tell backward sends made early from late");
            double backward = sim.lastRunStats().backwardSecondsPerSample();
            assertTrue(backward >= cycles * MachineTiming.SPINNAKER1.coreClockPs() / 1e12,
                    "backward pass " + backward + " s, the two blocks' backward work one after the other " + cycles
                            + " cycles");
        }
    }
}
