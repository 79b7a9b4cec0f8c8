package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.ir.DenseLayerSpec;

/**
 * The key layout of a batch normalization's exchange after a 2-D convolution
 * ({@link DenseLayerSpec#normalizesChannels()}): each NORM block of the layer sends its per-channel partial sums of the
 * mini-batch to every other block of the layer in three rounds, one {@code BATCH_NORM} partition per block of
 * {@link #SUMS_PER_CHANNEL} keys per channel of the image (whatever channels the block holds), as the kernel numbers
 * them ({@code BatchNormTrainingConfig} in native-kernels): round 0 Σx of channel c at key offset c; round 1
 * Σ(x − mean) and Σ(x − mean)² at C + 2c and C + 2c + 1; round 2 Σδ, Σδ·x̂, Σδ·gamma and Σδ·gamma·(x − mean) from
 * 3C + 4c. A receiver knows its peer by the key range, whose local offset is the peer's position among the layer's
 * blocks in order of vertex id (as an L2 gradient normalization's exchange, {@code ReceiveTableBuilder.normPosition}).
 */
public final class BatchNormExchange {

    /** The sums per channel a block sends over the three rounds: 1 + 2 + 4. */
    public static final int SUMS_PER_CHANNEL = 7;

    /** The rounds of the exchange: two before the forward event, one before the backward event. */
    public static final int ROUNDS = 3;

    private BatchNormExchange() {
    }

    /** The sums per channel a block sends in exchange round {@code round} (0 to 2): 1, 2 and 4. */
    public static int sumsPerChannel(int round) {
        return switch (round) {
            case 0 -> 1;
            case 1 -> 2;
            case 2 -> 4;
            default -> throw new IllegalArgumentException("a batch normalization's exchange has rounds 0 to 2, got "
                    + round);
        };
    }

    /** The keys of each block's partition of {@code layer}'s exchange. */
    public static int keys(DenseLayerSpec layer) {
        if (!layer.normalizesChannels()) {
            throw new IllegalArgumentException("only a batch normalization after a 2-D convolution exchanges sums");
        }
        return SUMS_PER_CHANNEL * layer.convolution().image().channelsIn();
    }
}
