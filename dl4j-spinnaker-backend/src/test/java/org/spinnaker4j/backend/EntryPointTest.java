package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every MultiLayerNetwork entry point either runs on the machine (and the run statistics
 * show it) or throws; none computes on the CPU.
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
    void trainingAndCpuOnlyPathsThrow() {
        assertThrows(UnsupportedOperationException.class, () -> net.fit(data));
        assertThrows(UnsupportedOperationException.class, () -> net.fit(data.getFeatures(), data.getLabels()));
        assertThrows(UnsupportedOperationException.class,
                () -> net.fit(new ListDataSetIterator<>(data.asList(), 4)));
        assertThrows(UnsupportedOperationException.class, () -> net.score(data));
        assertThrows(UnsupportedOperationException.class, () -> net.feedForward(data.getFeatures()));
        assertThrows(UnsupportedOperationException.class, () -> net.feedForwardToLayer(1, data.getFeatures()));
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
