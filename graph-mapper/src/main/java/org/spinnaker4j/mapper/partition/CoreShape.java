package org.spinnaker4j.mapper.partition;

import org.spinnaker4j.mapper.graph.VertexKind;
import org.spinnaker4j.mapper.ir.Arithmetic;
import org.spinnaker4j.mapper.ir.RowBlock;
import org.spinnaker4j.mapper.ir.UpdaterType;

/**
 * What decides a core's DTCM size: its kind, block shape, how many key ranges it listens to
 * (softmax peers' ranges included) and, when it trains, the updaters of its weights and its bias, whether it
 * computes the loss (an activating core of the output layer) with per-output weights or not, the partials of an
 * L2 gradient normalization it exchanges and how many samples it holds between their forward and backward passes.
 *
 * @param updater the weights' updater; null for a core that does not train
 * @param biasUpdater the bias' updater (the weights' unless the layer has a bias updater of its own); null for a
 *        core that does not train
 * @param lossWeighted an output-layer core whose loss has per-output weights (one per column in its state)
 * @param normKeys the keys of each core's partials of its layer's L2 gradient normalization, 0 without one
 * @param normPeers the other cores whose partials it receives (one key range each, among {@code ranges})
 * @param samplesInFlight a training core's samples held at once (1 unless training is pipelined)
 * @param pooling a pooling layer's block (it holds no weights)
 * @param copy a block holding one of several copies of a kernel slice that exchange: its part; {@link Copy#NONE}
 *        otherwise
 * @param rowBlock a 2-D convolution's block that holds its kernel once (its weights are not rows × cols), or null
 * @param miniBatchNorm a batch normalization's block that trains with the mini-batch's statistics: it holds its
 *        {@code PoolingSpec.NORM_ROWS} weight rows and, besides its samples, their deltas and its statistics (its
 *        largest mini-batch is its samples held)
 * @param sums a {@code miniBatchNorm} block's exchange of per-channel partial sums with the other blocks of its layer
 *        (after a 2-D convolution): what it holds of them; {@link Sums#NONE} otherwise
 * @param arithmetic what the core computes in: an s16.15 core's state differs from a float32 one's (a reduce keeps
 *        a 64-bit sum per column and a bit per half of its blocks' partials)
 */
public record CoreShape(VertexKind kind, int rows, int cols, boolean fused, int ranges, int softmaxPeers,
        UpdaterType updater, UpdaterType biasUpdater, boolean outputLayer, boolean lossWeighted, int normKeys,
        int normPeers, int samplesInFlight, boolean pooling, Copy copy, RowBlock rowBlock, boolean miniBatchNorm,
        Sums sums, Arithmetic arithmetic) {

    /**
     * A kernel copy's part in its slice's exchange, as far as its state's size goes.
     *
     * @param copies the copies of the slice: rows of its share slots
     * @param chunks the chunks of the slice it holds: its chunk table
     * @param owned the parameters it owns: a row of its share slots
     * @param ranges its SHARE and PARAM key ranges (among {@code ranges}; they take no slot row)
     */
    public record Copy(int copies, int chunks, int owned, int ranges) {

        /** A block that holds no copy that exchanges. */
        public static final Copy NONE = new Copy(0, 0, 0, 0);
    }

    /**
     * A batch normalization's exchange of partial sums, as far as its block's state goes: it keeps
     * {@code BatchNormExchange.SUMS_PER_CHANNEL} sums per channel of every block of its layer, itself included.
     *
     * @param channels the channels of the layer's image
     * @param peers the other blocks of the layer, whose sums it receives (one BN_PARTIAL key range each, among
     *        {@code ranges}; they take no slot row)
     */
    public record Sums(int channels, int peers) {

        /** A block that exchanges no sums. */
        public static final Sums NONE = new Sums(0, 0);

        public Sums {
            if (channels < 0 || peers < 0 || (channels == 0) != (peers == 0)) {
                throw new IllegalArgumentException("a block exchanges the sums of channels with peers, or neither; got "
                        + channels + " channels, " + peers + " peers");
            }
        }
    }

    public CoreShape {
        if ((updater == null) != (biasUpdater == null)) {
            throw new IllegalArgumentException("a training core has both updaters, an inference core neither");
        }
        if (copy.chunks() > 0 && updater == null) {
            throw new IllegalArgumentException("only a training core exchanges kernel copies");
        }
        if (miniBatchNorm && (kind != VertexKind.DENSE_BLOCK || updater == null || pooling)) {
            throw new IllegalArgumentException("only a training batch normalization's block holds a mini-batch");
        }
        if (sums.peers() > 0 && !miniBatchNorm) {
            throw new IllegalArgumentException("only a batch normalization's block holding a mini-batch exchanges sums");
        }
        if (samplesInFlight < 1 || (updater == null && samplesInFlight != 1)) {
            throw new IllegalArgumentException("samplesInFlight must be 1, or more on a training core; got "
                    + samplesInFlight);
        }
    }

    /**
     * A float32 core whose loss, if it has one, is unweighted, without an L2 gradient normalization, holding one
     * sample.
     */
    public CoreShape(VertexKind kind, int rows, int cols, boolean fused, int ranges, int softmaxPeers,
            UpdaterType updater, UpdaterType biasUpdater, boolean outputLayer) {
        this(kind, rows, cols, fused, ranges, softmaxPeers, updater, biasUpdater, outputLayer, false, 0, 0, 1, false,
                Copy.NONE, null, false, Sums.NONE, Arithmetic.FLOAT32);
    }

    /** This shape holding {@code samples} samples. */
    public CoreShape holding(int samples) {
        return new CoreShape(kind, rows, cols, fused, ranges, softmaxPeers, updater, biasUpdater, outputLayer,
                lossWeighted, normKeys, normPeers, samples, pooling, copy, rowBlock, miniBatchNorm, sums, arithmetic);
    }
}
