package org.spinnaker4j.kernels;

/**
 * A batch normalization's block ({@link PoolingKind#NORM}) training with the mini-batch's statistics, as DL4J's
 * {@code fit} does: it keeps each sample's row and delta, and {@link KernelCore#batchNormForward} and
 * {@link KernelCore#batchNormBackward} compute the whole mini-batch's outputs and deltas back in one event each; its
 * update steps gamma and beta through its updaters and the running mean and statistic as DL4J does. {@link #NONE}:
 * the block normalizes with its running statistics, as at inference (for {@code score(DataSet)}), and its update is
 * refused.
 *
 * @param maxBatch the largest mini-batch the block holds, 1 to its {@link TrainingConfig#samplesInFlight()} (its rows
 *        are kept in its ring of samples); 0 for {@link #NONE}
 * @param decay DL4J's decay of the running statistics, in [0, 1]
 * @param eps DL4J's eps, added to the variance before its square root ({@code > 0} and finite as a float)
 * @param logStd whether DL4J stores log10 of the standard deviation ({@code useLogStd}), not the variance
 */
public record BatchNormTrainingConfig(int maxBatch, double decay, double eps, boolean logStd) {

    /** No mini-batch mode. */
    public static final BatchNormTrainingConfig NONE = new BatchNormTrainingConfig(0, 0, 0, false);

    /** Validates the fields. */
    public BatchNormTrainingConfig {
        boolean none = maxBatch == 0 && decay == 0 && eps == 0 && !logStd;
        if (!none && (maxBatch < 1 || maxBatch > TrainingConfig.MAX_SAMPLES_IN_FLIGHT || !(decay >= 0 && decay <= 1)
                || !((float) eps > 0) || Float.isInfinite((float) eps))) {
            throw new IllegalArgumentException("a batch normalization's mini-batch mode needs a largest mini-batch in 1.."
                    + TrainingConfig.MAX_SAMPLES_IN_FLIGHT + ", a decay in [0, 1] and an eps > 0 finite as a float, got "
                    + maxBatch + ", " + decay + ", " + eps);
        }
    }

    /** Whether the block trains with the mini-batch's statistics. */
    public boolean isOn() {
        return maxBatch != 0;
    }

    /** The config words ({@code KernelAbi.CFG_NORM_*}) written into {@code words}; all 0 for {@link #NONE}. */
    void pack(int[] words) {
        if (!isOn()) {
            return;
        }
        words[KernelAbi.CFG_NORM_BATCH] = maxBatch;
        words[KernelAbi.CFG_NORM_DECAY] = Float.floatToRawIntBits((float) decay);
        words[KernelAbi.CFG_NORM_DECAY_REST] = Float.floatToRawIntBits((float) (1 - decay));
        words[KernelAbi.CFG_NORM_EPS] = Float.floatToRawIntBits((float) eps);
        words[KernelAbi.CFG_NORM_LOG_STD] = logStd ? 1 : 0;
    }

    @Override
    public String toString() {
        return isOn() ? "batch statistics of up to " + maxBatch + " samples, decay " + decay + ", eps " + eps
                + (logStd ? ", log10 std" : ", variance") : "running statistics";
    }
}
