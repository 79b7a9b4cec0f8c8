package org.spinnaker4j.mapper.ir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A convolutional network trains only where each layer holds its kernel once. */
class NetworkSpecTest {

    private static TrainingSpec sgd(int layers) {
        return new TrainingSpec(LossFunction.MSE, Collections.nCopies(layers,
                new UpdaterSpec(UpdaterType.SGD, 0.1f, 0f, 0f, 0f)), true);
    }

    private static List<DenseLayerSpec> convThenPointwise(Conv1DGeometry conv) {
        return List.of(DenseLayerSpec.convolution(conv, Activation.of(ActivationKind.TANH), true),
                DenseLayerSpec.convolution(Conv1DGeometry.pointwise(conv.channelsOut(), 2, conv.outLength()),
                        Activation.of(ActivationKind.IDENTITY), true));
    }

    @Test
    void aKernelSpanningTheWholeSequenceTrains() {
        Conv1DGeometry whole = new Conv1DGeometry(3, 5, 4, 5, 1, 0, 1, false);
        assertTrue(whole.holdsKernelOnce());
        assertTrue(new NetworkSpec(convThenPointwise(whole), sgd(2)).trains());
    }

    @Test
    void aKernelInSeveralPositionBlocksDoesNotTrainYet() {
        Conv1DGeometry shared = new Conv1DGeometry(3, 7, 4, 3, 2, 0, 3, false);
        assertFalse(shared.holdsKernelOnce());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NetworkSpec(convThenPointwise(shared), sgd(2)));
        assertTrue(e.getMessage().startsWith("layer 0 "), e.getMessage());
        new NetworkSpec(convThenPointwise(shared));
    }

    @Test
    void tapsThatSeeOnlyPaddingDoNotTrain() {
        // kernel 4 over 2 positions padded by 1 on each side: one output position, taps 0 and 3 on the padding
        Conv1DGeometry padded = new Conv1DGeometry(2, 2, 3, 4, 1, 1, 1, false);
        assertFalse(padded.holdsKernelOnce());
        assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(convThenPointwise(padded), sgd(2)));
    }
}
