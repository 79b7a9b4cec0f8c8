package org.spinnaker4j.backend;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Bad inputs to output() and the options get specific exceptions before anything reaches the kernels. */
class BadInputTest {

    private static SpiNNakerMultiLayerNetwork initialised() {
        SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(TestNetworks.small());
        net.init();
        return net;
    }

    @Test
    void wrongColumnCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> initialised().output(Nd4j.rand(3, 7)));
        assertTrue(e.getMessage().contains("7 columns but layer 0 has nIn 6"), e.getMessage());
    }

    @Test
    void rankThreeInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> initialised().output(Nd4j.rand(new int[] {3, 6, 2})));
        assertTrue(e.getMessage().contains("rank 3"), e.getMessage());
    }

    @Test
    void emptyBatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> initialised().output(Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 0, 6)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void notInitialised() {
        SpiNNakerMultiLayerNetwork net = new SpiNNakerMultiLayerNetwork(TestNetworks.small());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.output(Nd4j.rand(3, 6)));
        assertTrue(e.getMessage().contains("call init() first"), e.getMessage());
    }

    @Test
    void hostThreadsOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpiNNakerOptions.builder().hostThreads(-1));
        assertTrue(e.getMessage().contains("1 or 2 host threads (or 0: it chooses), not -1"), e.getMessage());
    }
}
