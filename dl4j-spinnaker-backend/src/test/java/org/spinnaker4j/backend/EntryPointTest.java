package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.listeners.PerformanceListener;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every MultiLayerNetwork entry point either runs on the machine (and the run statistics
 * show it) or throws; none computes on the CPU. Training parity with nd4j-native is in the
 * parity-tests module.
 */
class EntryPointTest {

    private MultiLayerNetwork cpu;
    private SpiNNakerMultiLayerNetwork net;
    private DataSet data;

    @BeforeEach
    void setUp() {
        cpu = new MultiLayerNetwork(TestNetworks.small());
        cpu.init();
        net = new SpiNNakerMultiLayerNetwork(TestNetworks.small());
        net.init();
        net.setParams(cpu.params());
        Nd4j.getRandom().setSeed(3);
        INDArray labels = Nd4j.zeros(9, 4);
        for (int i = 0; i < 9; i++) {
            labels.putScalar(i, i % 4, 1);
        }
        data = new DataSet(Nd4j.rand(9, 6), labels);
    }

    @AfterEach
    void tearDown() {
        net.close();
    }

    @Test
    void outputRunsOnTheMachine() {
        INDArray out = net.output(data.getFeatures());
        assertEquals(9, net.lastRunStats().samples());
        assertTrue(net.lastRunStats().packetsDelivered() > 0);
        assertTrue(out.equalsWithEps(cpu.output(data.getFeatures()), 1e-5));
    }

    @Test
    void evaluateRunsOnTheMachine() {
        Evaluation onMachine = net.evaluate(new ListDataSetIterator<>(data.asList(), 4));
        // the last batch of the iterator holds the 9th sample alone
        assertEquals(1, net.lastRunStats().samples());
        Evaluation onCpu = cpu.evaluate(new ListDataSetIterator<>(data.asList(), 4));
        assertEquals(onCpu.accuracy(), onMachine.accuracy(), 1e-12);
    }

    @Test
    void predictRunsOnTheMachine() {
        int[] predicted = net.predict(data.getFeatures());
        assertEquals(9, net.lastRunStats().samples());
        assertEquals(java.util.Arrays.toString(cpu.predict(data.getFeatures())), java.util.Arrays.toString(predicted));
    }

    @Test
    void fitTrainsOnTheMachineAndCallsTheListeners() {
        List<Integer> iterations = new ArrayList<>();
        int[] epochs = new int[2];
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                iterations.add(iteration);
            }

            @Override
            public void onEpochStart(Model model) {
                epochs[0]++;
            }

            @Override
            public void onEpochEnd(Model model) {
                epochs[1]++;
            }
        });
        net.addListeners(new ScoreIterationListener(1), new PerformanceListener(1, true));
        INDArray before = net.params().dup();
        net.fit(new ListDataSetIterator<>(data.asList(), 4), 2);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), iterations, "3 mini-batches per epoch, 2 epochs");
        assertEquals(2, epochs[0]);
        assertEquals(2, epochs[1]);
        assertEquals(2, net.getEpochCount());
        assertEquals(1, net.lastTrainingStats().samples(), "the last mini-batch held the 9th sample alone");
        assertTrue(net.lastTrainingStats().packetsDelivered() > 0);
        assertTrue(!net.params().equalsWithEps(before, 1e-7), "the parameters read back from the cores changed");
        assertTrue(Double.isFinite(net.score()) && net.score() > 0);
        net.fit(data);
        net.fit(data.getFeatures(), data.getLabels());
        net.fit(data.getFeatures(), new int[] {0, 1, 2, 3, 0, 1, 2, 3, 0});
        assertEquals(9, net.getIterationCount());
    }

    @Test
    void badTrainingInputGetsSpecificExceptions() {
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> net.fit(data.getFeatures(), data.getLabels().getRows(0, 1, 2)));
        assertTrue(rows.getMessage().contains("features have 9 rows but labels have 3"), rows.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> net.fit(data.getFeatures(), Nd4j.rand(9, 5)));
        assertTrue(shape.getMessage().contains("labels have 5 columns but the output layer has nOut 4"),
                shape.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> net.fit(new ListDataSetIterator<>(List.<DataSet>of(), 4)));
        assertTrue(empty.getMessage().contains("yielded no data"), empty.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> net.fit(data.getFeatures(), new int[] {0, 1, 2, 3, 4, 1, 2, 3, 0}));
        assertTrue(label.getMessage().contains("label 4 of example 4"), label.getMessage());
    }

    @Test
    void scoreOfADataSetRunsOnTheMachineAndMatchesTheCpu() {
        double onMachine = net.score(data);
        assertEquals(cpu.score(data), onMachine, 1e-5 * Math.abs(cpu.score(data)));
        INDArray before = net.params().dup();
        assertEquals(Double.doubleToRawLongBits(onMachine), Double.doubleToRawLongBits(net.score(data)),
                "scoring twice gives the same answer");
        BitExact.assertSameBits(before, net.params(), "scoring does not train");
    }

    @Test
    void feedForwardReadsEveryLayerFromTheMachine() {
        List<INDArray> onMachine = net.feedForward(data.getFeatures());
        List<INDArray> onCpu = cpu.feedForward(data.getFeatures());
        assertEquals(onCpu.size(), onMachine.size());
        for (int i = 0; i < onCpu.size(); i++) {
            assertTrue(onMachine.get(i).equalsWithEps(onCpu.get(i), 1e-5), "activation " + i);
        }
        assertEquals(9, net.lastFeedForwardStats().samples());
        assertEquals(2, net.feedForwardToLayer(0, data.getFeatures()).size());
    }

    @Test
    void cpuOnlyPathsThrow() {
        assertThrows(UnsupportedOperationException.class, () -> net.activateSelectedLayers(0, 1, data.getFeatures()));
        assertThrows(UnsupportedOperationException.class, () -> net.scoreExamples(data, false));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, net::computeGradientAndScore);
        assertTrue(e.getMessage().contains("never falls back to the CPU"), e.getMessage());
    }

    @Test
    void changedParametersAreReloadedBeforeTheNextRun() {
        INDArray before = net.output(data.getFeatures());
        INDArray params = cpu.params().dup();
        params.muli(0.5);
        net.setParams(params);
        cpu.setParams(params);
        INDArray after = net.output(data.getFeatures());
        assertTrue(after.equalsWithEps(cpu.output(data.getFeatures()), 1e-5));
        assertTrue(!after.equalsWithEps(before, 1e-6));
    }

    @Test
    void cloneStaysOnTheMachine() {
        SpiNNakerMultiLayerNetwork copy = net.clone();
        INDArray out = copy.output(data.getFeatures());
        assertEquals(9, copy.lastRunStats().samples());
        assertTrue(out.equalsWithEps(cpu.output(data.getFeatures()), 1e-5));
        copy.close();
    }
}
