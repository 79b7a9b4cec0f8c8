package org.spinnaker4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.AccumTrainingRange.LayerRange;
import org.spinnaker4j.kernels.AccumTrainingRange.Range;

/**
 * {@link AccumTrainingRange}'s bounds on networks worked by hand (a relu's outputs from its columns' sums), the
 * refusals at the exact mini-batch size where a sum could first pass 2^63 − 1, each naming its layer and sum, and
 * what has no bound. That the bounds hold for the reference's actual sums is parity-tests'
 * AccumTrainingRangeHoldsTest.
 */
class AccumTrainingRangeTest {

    private static final int ONE = AccumQuantiser.ONE;

    @Test
    void boundsFollowTheChainLayerByLayer() {
        // 3 → 2 tanh → 2 sigmoid → 2 softmax + MCXENT, four samples, inputs up to 3.0, one-hot labels
        int[][] weights = {{ONE, 0, 0, ONE, ONE, ONE}, {ONE, ONE, -ONE, 0}, {ONE, -2 * ONE, 3 * ONE, 0}};
        int[][] inputs = {{0, 3 * ONE, -ONE}, {ONE, 0, 0}, {-3 * ONE, 0, 0}, {0, 0, 0}};
        int[][] labels = {{ONE, 0}, {0, ONE}, {ONE, 0}, {0, ONE}};
        Range range = AccumTrainingRange.check(new KernelActivation[] {KernelActivation.TANH, KernelActivation.SIGMOID,
            KernelActivation.SOFTMAX}, LossKind.MCXENT, weights, new int[3][2], inputs, labels);
        LayerRange top = range.layers().get(2);
        assertEquals(ONE, top.delta()); // |p − y| ≤ 1 with one-hot labels
        assertEquals(ONE, top.input()); // the sigmoid's outputs
        assertEquals(3L * ONE * ONE, top.errorSum()); // the widest row's Σ|W| = 3.0, times δ's 1.0
        assertEquals(4L * ONE * ONE, top.weightSums());
        assertEquals(4L * ONE * ONE, top.biasSums());
        LayerRange mid = range.layers().get(1);
        long error = 3L * ONE; // the error sum rounded to a word
        assertEquals((error + 2) >> 2, mid.delta()); // sigmoid's derivative at most 1/4
        assertEquals(2L * ONE * mid.delta(), mid.errorSum());
        LayerRange first = range.layers().get(0);
        assertEquals(2L * mid.delta(), first.delta()); // tanh's derivative at most 1: the rounded error
        assertEquals(3L * ONE, first.input());
        assertEquals(0, first.errorSum()); // the first layer sends no error back
        assertEquals(4L * 3 * ONE * first.delta(), first.weightSums());
        assertEquals(Math.log((double) Long.MAX_VALUE / first.weightSums()) / Math.log(2), range.headroomBits(), 1e-9);
    }

    @Test
    void reluOutputsAreBoundedByTheirColumnsSums() {
        // 2 → 1 relu (weights 2.0 and −1.0, bias 0.5) → 1 softmax: |z| ≤ 3.0 · 3.0 + 0.5 for inputs up to 3.0
        Range range = AccumTrainingRange.check(new KernelActivation[] {KernelActivation.RELU,
            KernelActivation.SOFTMAX}, LossKind.MCXENT, new int[][] {{2 * ONE, -ONE}, {ONE}},
                new int[][] {{ONE / 2}, {0}}, new int[][] {{3 * ONE, 0}, {0, -ONE}}, new int[][] {{ONE}, {ONE}});
        assertEquals(9 * ONE + ONE / 2, range.layers().get(1).input());
        assertEquals(2L * (9 * ONE + ONE / 2) * ONE, range.layers().get(1).weightSums());
    }

    @Test
    void refusesTheFirstBatchWhoseWeightSumsCouldWrap() {
        // inputs of −2^16 through a weight of −1.0 into a relu: its outputs up to 2^31 (saturated); below a softmax
        // δ up to 2^15: 2^46 a sample, so 131,071 samples pass and 131,072 not
        KernelActivation[] acts = {KernelActivation.RELU, KernelActivation.SOFTMAX};
        int[][] weights = {{-ONE}, {ONE}};
        int[][] biases = {{0}, {0}};
        AccumTrainingRange.check(acts, LossKind.MCXENT, weights, biases, labels(131_071, Integer.MIN_VALUE),
                labels(131_071, ONE));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> AccumTrainingRange.check(acts,
                LossKind.MCXENT, weights, biases, labels(131_072, Integer.MIN_VALUE), labels(131_072, ONE)));
        assertEquals(AccumTrainingRange.WORD, AccumTrainingRange.check(acts, LossKind.MCXENT, weights, biases,
                labels(1, Integer.MIN_VALUE), labels(1, ONE)).layers().get(1).input());
        assertTrue(e.getMessage().startsWith("layer 1: the weights' gradient sums"), e.getMessage());
        assertTrue(e.getMessage().contains("at most 131071 samples"), e.getMessage());
    }

    @Test
    void refusesBiasSumsOfLargeLabels() {
        // one softmax layer, inputs 0 (no weight sum), labels of −2^16: |p − y| up to 2^31 (a word's largest)
        KernelActivation[] acts = {KernelActivation.SOFTMAX};
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> AccumTrainingRange.check(acts,
                LossKind.MCXENT, new int[][] {{ONE}}, new int[1][1], new int[1 << 17][1],
                labels(1 << 17, Integer.MIN_VALUE)));
        assertTrue(e.getMessage().startsWith("layer 0: the biases' gradient sums"), e.getMessage());
        assertTrue(e.getMessage().contains("at most 131071 samples"), e.getMessage());
    }

    @Test
    void refusesAnErrorSumThatCouldWrap() {
        // tanh, then identity + MSE over 4 outputs whose weights reach 2^16: outputs bounded by a word's 2^31, labels
        // up to 2^16: δ up to (4 (2^31 + 2^31 − 1) + 4) / 8 = 2^31; a row of four of the largest weights: 2^33 − 4
        // times that, about 2^64
        KernelActivation[] acts = {KernelActivation.TANH, KernelActivation.IDENTITY};
        int[] big = {Integer.MAX_VALUE, Integer.MAX_VALUE, -Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] small = {ONE, ONE, 0, ONE};
        AccumTrainingRange.check(acts, LossKind.MSE, new int[][] {{ONE}, small}, new int[][] {{0}, new int[4]},
                new int[2][1],
                largeLabels());
        int[][] wide = {{ONE, ONE}, concat(small, big)};
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> AccumTrainingRange.check(acts,
                LossKind.MSE, wide, new int[][] {{0, 0}, new int[4]}, new int[2][1], largeLabels()));
        assertTrue(e.getMessage().startsWith("layer 1: the error sum W·δ of row 1"), e.getMessage());
        assertTrue(e.getMessage().contains("8589934588 (Σ_j |W_ij|) × 2147483648"), e.getMessage());
    }

    @Test
    void refusesWhatItHasNoBoundFor() {
        int[][] weights = {{ONE}, {ONE}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccumTrainingRange.check(
                new KernelActivation[] {KernelActivation.ELU, KernelActivation.SOFTMAX}, LossKind.MCXENT, weights,
                new int[2][1], new int[1][1], new int[1][1]));
        assertTrue(e.getMessage().contains("layer 0") && e.getMessage().contains("ELU"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AccumTrainingRange.check(new KernelActivation[] {
            KernelActivation.RELU, KernelActivation.SIGMOID}, LossKind.XENT, weights, new int[2][1], new int[1][1],
                new int[1][1]));
        assertTrue(e.getMessage().contains("SIGMOID with XENT"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AccumTrainingRange.check(new KernelActivation[] {
            KernelActivation.RELU, KernelActivation.SOFTMAX}, LossKind.MCXENT, weights, new int[2][1],
                new int[2][1], new int[1][1]));
        assertTrue(e.getMessage().contains("2 samples and 1 label rows"), e.getMessage());
    }

    private static int[][] labels(int rows, int value) {
        int[][] y = new int[rows][1];
        for (int[] row : y) {
            row[0] = value;
        }
        return y;
    }

    private static int[][] largeLabels() {
        int[][] y = new int[2][4];
        y[1][2] = Integer.MAX_VALUE;
        return y;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = new int[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
