package org.spinnaker4j.kernels;

/**
 * The values one update of one parameter array (a core's weights or its bias) uses, sent by the host with every
 * update command, as a real machine's per-mini-batch update message carries them: the learning rate, Nesterovs'
 * momentum and the regularization coefficients that DL4J's schedules give this iteration and epoch (a fixed value
 * is the schedule that never changes). The core's config fixes everything else (the updater, its other
 * hyper-parameters, the order of l1 and l2, how many times the weight decay is added).
 *
 * @param learningRate the updater's learning rate (0 for updaters without one: AdaDelta, NoOp)
 * @param momentum Nesterovs' momentum; 0 for other updaters
 * @param l1 the L1Regularization coefficient
 * @param l2 the L2Regularization coefficient
 * @param weightDecay the WeightDecay coefficient, already multiplied by the learning rate where its
 *        {@code applyLR} says so (in double, as DL4J does, then rounded to float)
 */
public record UpdateValues(float learningRate, float momentum, float l1, float l2, float weightDecay) {

    /** Validates: every value finite and {@code >= 0}. */
    public UpdateValues {
        if (!ok(learningRate) || !ok(momentum) || !ok(l1) || !ok(l2) || !ok(weightDecay)) {
            throw new IllegalArgumentException("update values must be finite and >= 0, got " + this);
        }
    }

    private static boolean ok(float value) {
        return Float.isFinite(value) && value >= 0;
    }

    /** Writes the values into {@code words} from {@code offset} in the kernels' order (S4J_RATE_*). */
    void pack(float[] words, int offset) {
        words[offset + KernelAbi.RATE_LEARNING_RATE] = learningRate;
        words[offset + KernelAbi.RATE_MOMENTUM] = momentum;
        words[offset + KernelAbi.RATE_L1] = l1;
        words[offset + KernelAbi.RATE_L2] = l2;
        words[offset + KernelAbi.RATE_WEIGHT_DECAY] = weightDecay;
    }
}
