package org.spinnaker4j.kernels;

/**
 * A batch normalization's block ({@link PoolingKind#NORM}) training with the mini-batch's statistics, as DL4J's
 * {@code fit} does: it keeps each sample's row and delta, and {@link KernelCore#batchNormForward} and
 * {@link KernelCore#batchNormBackward} compute the whole mini-batch's outputs and deltas back in one event each; its
 * update steps gamma and beta through its updaters and the running mean and statistic as DL4J does. {@link #NONE}:
 * the block normalizes with its running statistics, as at inference (for {@code score(DataSet)}), and its update is
 * refused.
 *
 * <p>Per feature (a fully connected normalization, {@code channels} 0): column {@code j} is a feature of its own,
 * its statistics over the mini-batch. Per channel (after a 2-D convolution, {@code channels} &gt; 0): the block's
 * rows are an image row's values, pixel after pixel, channel fastest ({@code Conv2DGeometry}'s layout), so column
 * {@code j} (row {@link PoolingConfig#first()} + j) is channel {@code (first + j) mod channels}, and its statistics
 * are the channel's over the mini-batch's every pixel: {@code batch × pixelsPerChannel} values, spread over the
 * {@code peers} blocks of the layer. Those exchange their partial sums per channel in three rounds
 * ({@link KernelCore#batchNormExchange}) and add them in the order of their {@code peerIndex}, so every block
 * computes the same bits. Keys: a block sends its sum {@code k} (of {@link #exchangeKeys()}, in the order of
 * {@code S4J_BN_SUMS} in s4j_kernels.h: round 0 Σx at {@code c}; round 1 Σ(x − mean) at {@code C + 2c}, Σ(x − mean)²
 * at {@code C + 2c + 1}; round 2 Σδ, Σδ·x̂, Σδ·gamma, Σδ·gamma·(x − mean) at {@code 3C + 4c ..}) with key
 * {@code exchangeKeyBase + k}, and receives each other block's on a {@link KeyRange#batchNormPartial} range, which
 * come after every other range of its config. So the mapper allocates each block one partition of
 * {@link #exchangeKeys()} keys, routed to every other block of the layer.
 *
 * @param maxBatch the largest mini-batch the block holds, 1 to its {@link TrainingConfig#samplesInFlight()} (its rows
 *        are kept in its ring of samples); 0 for {@link #NONE}
 * @param decay DL4J's decay of the running statistics, in [0, 1]
 * @param eps DL4J's eps, added to the variance before its square root ({@code > 0} and finite as a float)
 * @param logStd whether DL4J stores log10 of the standard deviation ({@code useLogStd}), not the variance
 * @param channels the image's channels (1 to 65,536, at most the block's rows); 0 per feature
 * @param pixelsPerChannel H × W of the image (1 to 65,536); 0 per feature
 * @param peers the blocks of the layer that share the channels, this one included (1 to 65,536; 1: no exchange,
 *        and always 1 per feature)
 * @param peerIndex this block's place in the sum order, 0 to {@code peers − 1}
 * @param exchangeKeyBase the key of this block's first exchange send (0 unless {@code peers} &gt; 1)
 */
public record BatchNormTrainingConfig(int maxBatch, double decay, double eps, boolean logStd, int channels,
                                      int pixelsPerChannel, int peers, int peerIndex, int exchangeKeyBase) {

    /** No mini-batch mode. */
    public static final BatchNormTrainingConfig NONE = new BatchNormTrainingConfig(0, 0, 0, false, 0, 0, 0, 0, 0);

    private static final int MAX_SPREAD = 65_536;

    /** Validates the fields. */
    public BatchNormTrainingConfig {
        boolean none = maxBatch == 0 && decay == 0 && eps == 0 && !logStd && channels == 0 && pixelsPerChannel == 0
                && peers == 0 && peerIndex == 0 && exchangeKeyBase == 0;
        if (!none && (maxBatch < 1 || maxBatch > TrainingConfig.MAX_SAMPLES_IN_FLIGHT || !(decay >= 0 && decay <= 1)
                || !((float) eps > 0) || Float.isInfinite((float) eps))) {
            throw new IllegalArgumentException("a batch normalization's mini-batch mode needs a largest mini-batch in 1.."
                    + TrainingConfig.MAX_SAMPLES_IN_FLIGHT + ", a decay in [0, 1] and an eps > 0 finite as a float, got "
                    + maxBatch + ", " + decay + ", " + eps);
        }
        if (!none && !spreadOk(channels, pixelsPerChannel, peers, peerIndex, exchangeKeyBase)) {
            throw new IllegalArgumentException("a batch normalization's channels need channels and pixels in 1.."
                    + MAX_SPREAD + ", peers in 1.." + MAX_SPREAD + ", a peer index below peers and an exchange key "
                    + "base only with peers > 1, or all 0 but peers 1 per feature; got channels " + channels
                    + ", pixels " + pixelsPerChannel + ", peers " + peers + ", index " + peerIndex + ", key base "
                    + exchangeKeyBase);
        }
    }

    /** Per feature ({@code channels} 0) with the block alone, as a fully connected normalization trains. */
    public BatchNormTrainingConfig(int maxBatch, double decay, double eps, boolean logStd) {
        this(maxBatch, decay, eps, logStd, 0, 0, maxBatch == 0 && decay == 0 && eps == 0 && !logStd ? 0 : 1, 0, 0);
    }

    private static boolean spreadOk(int channels, int pixels, int peers, int index, int keyBase) {
        if (channels == 0) {
            return pixels == 0 && peers == 1 && index == 0 && keyBase == 0;
        }
        return channels >= 1 && channels <= MAX_SPREAD && pixels >= 1 && pixels <= MAX_SPREAD && peers >= 1
                && peers <= MAX_SPREAD && index >= 0 && index < peers && (peers > 1 || keyBase == 0)
                && (peers == 1 || Integer.toUnsignedLong(keyBase) + exchangeKeys(channels) <= 1L << 32);
    }

    /** The exchange keys of one block of a normalization of {@code channels} channels: 7 sums per channel. */
    public static int exchangeKeys(int channels) {
        return KernelAbi.BN_SUMS * channels;
    }

    /** The exchange keys this block sends, from {@link #exchangeKeyBase()} (0 unless it exchanges). */
    public int exchangeKeys() {
        return exchanges() ? exchangeKeys(channels) : 0;
    }

    /** Whether the block trains with the mini-batch's statistics. */
    public boolean isOn() {
        return maxBatch != 0;
    }

    /** Whether the block exchanges partial sums with other blocks ({@link KernelCore#batchNormExchange}). */
    public boolean exchanges() {
        return channels != 0 && peers > 1;
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
        words[KernelAbi.CFG_NORM_CHANNELS] = channels;
        words[KernelAbi.CFG_NORM_PIXELS] = pixelsPerChannel;
        words[KernelAbi.CFG_NORM_BLOCKS] = peers;
        words[KernelAbi.CFG_NORM_BLOCK_INDEX] = peerIndex;
        words[KernelAbi.CFG_NORM_EXCHANGE_KEY_BASE] = exchangeKeyBase;
    }

    @Override
    public String toString() {
        if (!isOn()) {
            return "running statistics";
        }
        String spread = channels == 0 ? "" : ", " + channels + " channels of " + pixelsPerChannel + " pixels"
                + (peers > 1 ? String.format(" over %d blocks (this one %d, keys from 0x%08x)", peers, peerIndex,
                        exchangeKeyBase) : "");
        return "batch statistics of up to " + maxBatch + " samples, decay " + decay + ", eps " + eps
                + (logStd ? ", log10 std" : ", variance") + spread;
    }
}
