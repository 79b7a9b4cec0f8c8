package org.spinnaker4j.mapper.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A convolutional network updates on the machine only where some position block holds each tap. */
class NetworkSpecTest {

    private static TrainingSpec sgd(int layers) {
        return new TrainingSpec(LossFunction.MSE, Collections.nCopies(layers,
                new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f)), true);
    }

    private static NetworkSpec convThenPointwise(Conv1DGeometry conv) {
        return new NetworkSpec(List.of(DenseLayerSpec.convolution(conv, Activation.of(ActivationKind.TANH), true),
                DenseLayerSpec.convolution(Conv1DGeometry.pointwise(conv.channelsOut(), 2, conv.outLength()),
                        Activation.of(ActivationKind.IDENTITY), true)), sgd(2));
    }

    @Test
    void aKernelSpanningTheWholeSequenceUpdatesOnTheMachine() {
        Conv1DGeometry whole = new Conv1DGeometry(3, 5, 4, 5, 1, 0, 1, false);
        assertTrue(whole.holdsEveryTap());
        NetworkSpec network = convThenPointwise(whole);
        assertTrue(network.updatesOnTheMachine());
        assertEquals(1, network.rowsPerSample());
    }

    @Test
    void aKernelInSeveralPositionBlocksUpdatesOnTheMachine() {
        Conv1DGeometry shared = new Conv1DGeometry(3, 7, 4, 3, 2, 0, 3, false);
        assertTrue(shared.holdsEveryTap());
        NetworkSpec network = convThenPointwise(shared);
        assertTrue(network.trains());
        assertTrue(network.updatesOnTheMachine());
        assertEquals(3, network.rowsPerSample(), "a row per sample and position");
    }

    @Test
    void tapsThatSeeOnlyPaddingDoNotUpdateThere() {
        // kernel 4 over 2 positions padded by 1 on each side: one output position, taps 0 and 3 on the padding
        Conv1DGeometry padded = new Conv1DGeometry(2, 2, 3, 4, 1, 1, 1, false);
        assertFalse(padded.holdsEveryTap());
        assertFalse(convThenPointwise(padded).updatesOnTheMachine());
        // kernel 3 over 5 positions padded by 1 (Same): the padding's taps fall on the input at other positions
        Conv1DGeometry same = new Conv1DGeometry(2, 5, 3, 3, 1, 1, 5, false);
        assertTrue(same.holdsEveryTap());
        assertTrue(convThenPointwise(same).updatesOnTheMachine());
    }

    @Test
    void tapsThatOnlyOnePositionSeesDoNotUpdateThere() {
        // kernel 3 over 2 positions (Same): tap 0 falls on the input at position 1 only, tap 2 at position 0 only,
        // so each is held by one copy, which no exchange covers
        Conv1DGeometry short2 = new Conv1DGeometry(2, 2, 3, 3, 1, 1, 2, false);
        assertTrue(short2.holdsEveryTap());
        assertEquals(1, short2.positionsSeeing(0));
        assertEquals(2, short2.positionsSeeing(1));
        assertFalse(short2.sharesEveryTap());
        NetworkSpec network = convThenPointwise(short2);
        assertFalse(network.exchangesKernelCopies(0));
        assertFalse(network.updatesOnTheMachine());
        assertTrue(network.exchangesKernelCopies(1), "the per-position layer after it: two positions see its tap");
    }

    @Test
    void aFullyConnectedNetworkUpdatesOnTheMachine() {
        NetworkSpec network = new NetworkSpec(List.of(new DenseLayerSpec(4, 3, Activation.of(ActivationKind.RELU),
                true), new DenseLayerSpec(3, 2, Activation.of(ActivationKind.IDENTITY), true)), sgd(2));
        assertTrue(network.updatesOnTheMachine());
        assertEquals(1, network.rowsPerSample());
    }
}
