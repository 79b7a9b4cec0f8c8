package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spinnaker4j.kernels.Kernels.Packet;
import static org.spinnaker4j.kernels.Kernels.assertThrowsWith;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An s16.15 training block that sends its rows' errors back as halves (its layer's columns on several blocks) starts
 * at its {@code backwardFirstRow} and wraps (docs/fixed-point.md, "A part of the rows a receiver"): the same halves,
 * in a rotated order; a first row is refused wherever it would change a sum or leave the rows.
 */
class FixedPointBackwardOrderTest {

    private static final int ROWS = 0x100;
    private static final int ERRORS = 0x200;
    private static final int OUT = 0x300;
    private static final int BACK = 0x400;
    private static final int N_ROWS = 5;
    private static final int N_COLS = 2;

    private static KernelConfig block(int firstRow) {
        TrainingConfig training = TrainingConfig.builder(TrainingReference.Hyper.sgd(0.1f).config())
                .backwardPartials(1).layerOutputs(2 * N_COLS).sendsBackward(BACK).backwardFirstRow(firstRow).build();
        return config(training, true);
    }

    private static KernelConfig config(TrainingConfig training, boolean fixedPoint) {
        return new KernelConfig(KernelKind.DENSE_BLOCK, N_ROWS, N_COLS, KernelActivation.TANH, 0f, true, OUT, 0, 0, 0,
                List.of(KeyRange.data(ROWS, N_ROWS, 0), KeyRange.backwardPartial(ERRORS, N_COLS, 0)), training, null,
                null, fixedPoint, false);
    }

    /** The halves a block starting at {@code firstRow} sends back for one sample, in the order it sends them. */
    private static List<Packet> backward(int firstRow) {
        KernelCore core = new KernelCore();
        int[] weights = new int[N_ROWS * N_COLS];
        for (int k = 0; k < weights.length; k++) {
            weights[k] = (k % 3 - 1) * (k + 1) * AccumQuantiser.ONE / 7;
        }
        core.loadWords(block(firstRow), weights, new int[] {AccumQuantiser.ONE / 10, -AccumQuantiser.ONE / 5});
        for (int i = 0; i < N_ROWS; i++) {
            Kernels.deliver(core, new Packet(ROWS + i, (i + 1) * AccumQuantiser.ONE / 4));
        }
        Kernels.deliver(core, new Packet(ERRORS, AccumQuantiser.ONE / 3));
        return Kernels.deliver(core, new Packet(ERRORS + 1, -AccumQuantiser.ONE / 5));
    }

    @Test
    void aBlockSendsItsRowsFromItsFirstRowAndWraps() {
        List<Packet> inOrder = backward(0);
        assertEquals(2 * N_ROWS, inOrder.size(), "two halves a row");
        for (int k = 0; k < inOrder.size(); k++) {
            assertEquals(BACK + k, inOrder.get(k).key(), "from row 0: half " + k);
        }
        for (int first = 1; first < N_ROWS; first++) {
            List<Packet> rotated = backward(first);
            List<Integer> keys = rotated.stream().map(Packet::key).toList();
            List<Integer> expected = new ArrayList<>();
            for (int r = 0; r < N_ROWS; r++) {
                int row = (first + r) % N_ROWS;
                expected.add(BACK + 2 * row);
                expected.add(BACK + 2 * row + 1);
            }
            assertEquals(expected, keys, "from row " + first + ", wrapping");
            List<Packet> sorted = new ArrayList<>(rotated);
            sorted.sort(Comparator.comparingInt(Packet::key));
            assertEquals(inOrder, sorted, "the same halves from row " + first);
        }
    }

    @Test
    void aFirstRowIsRefusedWhereItWouldChangeASumOrLeaveTheRows() {
        assertThrowsWith(IllegalArgumentException.class, () -> block(N_ROWS), "backwardFirstRow 5",
                "one of its 5 rows");
        TrainingConfig floatRotated = TrainingConfig.builder(TrainingReference.Hyper.sgd(0.1f).config())
                .backwardPartials(1).layerOutputs(2 * N_COLS).sendsBackward(BACK).backwardFirstRow(1).build();
        assertThrowsWith(IllegalArgumentException.class, () -> config(floatRotated, false), "only an s16.15 block");
        TrainingConfig words = TrainingConfig.builder(TrainingReference.Hyper.sgd(0.1f).config())
                .backwardPartials(1).layerOutputs(N_COLS).sendsBackward(BACK).backwardFirstRow(1).build();
        assertThrowsWith(IllegalArgumentException.class, () -> config(words, true), "as halves");
        assertThrowsWith(IllegalArgumentException.class, () -> TrainingConfig.builder(
                TrainingReference.Hyper.sgd(0.1f).config()).backwardFirstRow(1).build(), "unless the core sends");
    }
}
