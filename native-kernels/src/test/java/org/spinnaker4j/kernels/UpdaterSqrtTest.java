package org.spinnaker4j.kernels;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.TrainingReference.Hyper;

/**
 * The updaters' square root (s4j_sqrt, integer arithmetic) gives sqrtf's bits: Adam without a gradient, with beta1 =
 * beta2 = 1/2 so that every other step is exact or one float operation Java repeats, moves each weight by
 * (m / 2 · alpha_t) / (sqrt(v / 2) + eps), for v of every exponent (odd and even), subnormal and zero.
 */
class UpdaterSqrtTest {

    private static final int ROWS = 0x100;
    private static final int DELTA = 0x200;
    private static final int BACK = 0x400;
    private static final int N_ROWS = 16;
    private static final int N_COLS = 16;

    @Test
    void adamStepsWithTheCorrectlyRoundedSquareRoot() {
        Hyper adam = new Hyper(UpdaterKind.ADAM, 0.01f, 0.5f, 0.5f, 1e-8f);
        // iteration 0: alpha_t = lr sqrt(1 - 1/2) / (1 - 1/2), in float as the kernel computes it
        float alpha = 0.01f * (float) Math.sqrt(0.5f) / 0.5f;
        Random rnd = new Random(11);
        for (int round = 0; round < 40; round++) {
            int n = N_ROWS * N_COLS;
            float[] w = new float[n];
            float[] m = new float[n];
            float[] v = new float[n];
            for (int k = 0; k < n; k++) {
                w[k] = rnd.nextFloat();
                m[k] = (float) rnd.nextGaussian();
                // any non-negative float bit pattern below infinity: every exponent, subnormals and zero included
                v[k] = Float.intBitsToFloat(rnd.nextInt(0x7F800000));
            }
            v[0] = 0f;
            v[1] = Float.MIN_NORMAL;
            v[2] = Float.MAX_VALUE;
            KernelCore core = new KernelCore();
            core.load(new KernelConfig(KernelKind.DENSE_BLOCK, N_ROWS, N_COLS, KernelActivation.IDENTITY, 0f, false,
                    0x300, 0, 0, 0, List.of(KeyRange.data(ROWS, N_ROWS, 0), KeyRange.delta(DELTA, N_COLS, 0)),
                    TrainingReference.hidden(adam, 0, BACK, 0, true)), w, null);
            core.writeWeightState(1, m);
            core.writeWeightState(2, v);
            Kernels.applyUpdate(core, 1, 0);
            float[] expected = new float[n];
            for (int k = 0; k < n; k++) {
                float mk = 0.5f * m[k] + 0f * (1f - 0.5f);
                float vk = 0.5f * v[k] + 0f * 0f * (1f - 0.5f);
                expected[k] = w[k] - (mk * alpha) / ((float) Math.sqrt(vk) + 1e-8f);
            }
            Kernels.assertSameBits(expected, core.readWeights(), "W after Adam, round " + round);
        }
    }
}
