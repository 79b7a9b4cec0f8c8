package org.spinnaker4j.kernels;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What one core runs: its kind, block shape, activation, output keys and input key ranges.
 *
 * <ul>
 *   <li>{@link KernelKind#INPUT_SOURCE}: {@code start} sends {@code nCols} values as
 *       {@code (outKeyBase + j, bits(value[j]))}; no inputs; {@code nRows} unused.</li>
 *   <li>{@link KernelKind#DENSE_BLOCK}: weights {@code nRows x nCols}; receives {@code nRows} inputs on DATA
 *       ranges (local index = row); sends partial sums, or, if {@code fused}, {@code act(sum + bias)}.</li>
 *   <li>{@link KernelKind#REDUCE}: receives {@code expectedPartials} partial sums per output {@code j}
 *       (local index = j) and sends {@code act(sum + bias)}; {@code nRows} unused.</li>
 *   <li>{@link KernelKind#OUTPUT_SINK}: receives {@code nCols} values (local index = output) for the host.</li>
 * </ul>
 *
 * <p>A core that applies {@link KernelActivation#SOFTMAX} to part of a layer has {@code softmaxPeers > 0}
 * (the number of other cores of the layer), sends its max and sum as {@code syncKeyBase + 0/1}, and has one
 * {@link RangeKind#SOFTMAX_SYNC} range per peer (3 keys in training: a hidden softmax core also sends its backward
 * dot {@code sum e_j y_j} as {@code syncKeyBase + 2}). Keys are unsigned 32-bit values carried in ints.
 *
 * <p>With a {@link TrainingConfig} (DENSE_BLOCK and REDUCE only) the core also runs the backward pass, accumulates
 * its gradients and updates its parameters; {@code null} means inference only. {@link RangeKind#IGNORE} ranges are
 * allowed on any core that has inputs.
 *
 * @param kind the core's program
 * @param nRows rows of the weight block (DENSE_BLOCK; 0 or ignored otherwise)
 * @param nCols outputs of the core (values sent by a source, received by a sink)
 * @param activation the activation of a fused block or a reduce
 * @param alpha the activation's parameter: LEAKYRELU's and ELU's alpha, THRESHOLDEDRELU's theta
 * @param fused whether a dense block adds the bias and applies the activation itself
 * @param outKeyBase the key of output 0
 * @param expectedPartials partial sums per output per sample (REDUCE)
 * @param softmaxPeers other cores of the same softmax layer
 * @param syncKeyBase the key of this core's softmax max ({@code + 1}: its sum; {@code + 2}: its backward dot in training)
 * @param inputs the key ranges the core accepts
 * @param training how the core trains, or {@code null} for inference only
 * @param pooling a pooling block's ({@link PoolingConfig}: a fused DENSE_BLOCK without weights but a NORM's; a NORM
 *        block trains for score(DataSet) alone, its update refused, unless its training config's
 *        {@link TrainingConfig#batchNorm()} is on), or
 *        {@code null} for a block of weights and every other kind
 * @param rowConv a block of a 2-D convolution run along the image's rows ({@link RowConvConfig}: a fused DENSE_BLOCK
 *        holding its channels' kernel once), or {@code null} for every other core
 * @param fixedPoint whether the core computes in s16.15 fixed point (docs/fixed-point.md): every value it holds or
 *        sends is an s16.15 word ({@link KernelCore#loadWords}); inference on a source, a sink, a DENSE_BLOCK
 *        of weights (a row convolution's too) or a pooling block (MAX, AVG, or NORM whose weight row 0 holds the
 *        folded â = gamma / sqrt(var + eps) and whose bias the folded ĉ = beta - mean â) or a REDUCE; an activator's
 *        activation is identity, relu,
 *        leakyrelu, hardtanh, one {@link FixedPointFunctions#supports} accepts, or softmax over at most
 *        {@link FixedPointFunctions#SOFTMAX_MAX_WIDTH} columns. An unfused block sends each column j's 64-bit sum
 *        as two packets, {@code outKeyBase + 2j} its low word and {@code + 2j + 1} its high word. Training: a fused
 *        DENSE_BLOCK as {@link #trainsInFixedPoint()} says (labels and error words in, error words out, its update
 *        {@link KernelCore#applyFixedUpdate})
 * @param partialHalves whether a fixed-point REDUCE receives such halves (its DATA ranges cover two keys a column,
 *        their local offsets count halves) rather than words, one key a column (a relay)
 */
public record KernelConfig(KernelKind kind, int nRows, int nCols, KernelActivation activation, float alpha,
                           boolean fused, int outKeyBase, int expectedPartials, int softmaxPeers,
                           int syncKeyBase, List<KeyRange> inputs, TrainingConfig training, PoolingConfig pooling,
                           RowConvConfig rowConv, boolean fixedPoint, boolean partialHalves) {

    private static final long KEY_SPACE = 1L << 32;

    /** A config whose REDUCE, if any, receives no partial halves. */
    public KernelConfig(KernelKind kind, int nRows, int nCols, KernelActivation activation, float alpha,
                        boolean fused, int outKeyBase, int expectedPartials, int softmaxPeers,
                        int syncKeyBase, List<KeyRange> inputs, TrainingConfig training, PoolingConfig pooling,
                        RowConvConfig rowConv, boolean fixedPoint) {
        this(kind, nRows, nCols, activation, alpha, fused, outKeyBase, expectedPartials, softmaxPeers, syncKeyBase,
                inputs, training, pooling, rowConv, fixedPoint, false);
    }

    /** A float32 config ({@code fixedPoint == false}). */
    public KernelConfig(KernelKind kind, int nRows, int nCols, KernelActivation activation, float alpha,
                        boolean fused, int outKeyBase, int expectedPartials, int softmaxPeers,
                        int syncKeyBase, List<KeyRange> inputs, TrainingConfig training, PoolingConfig pooling,
                        RowConvConfig rowConv) {
        this(kind, nRows, nCols, activation, alpha, fused, outKeyBase, expectedPartials, softmaxPeers, syncKeyBase,
                inputs, training, pooling, rowConv, false);
    }

    /** A config that is not a row convolution's block ({@code rowConv == null}). */
    public KernelConfig(KernelKind kind, int nRows, int nCols, KernelActivation activation, float alpha,
                        boolean fused, int outKeyBase, int expectedPartials, int softmaxPeers,
                        int syncKeyBase, List<KeyRange> inputs, TrainingConfig training, PoolingConfig pooling) {
        this(kind, nRows, nCols, activation, alpha, fused, outKeyBase, expectedPartials, softmaxPeers, syncKeyBase,
                inputs, training, pooling, null);
    }

    /** A config that is not a pooling block's ({@code pooling == null}). */
    public KernelConfig(KernelKind kind, int nRows, int nCols, KernelActivation activation, float alpha,
                        boolean fused, int outKeyBase, int expectedPartials, int softmaxPeers,
                        int syncKeyBase, List<KeyRange> inputs, TrainingConfig training) {
        this(kind, nRows, nCols, activation, alpha, fused, outKeyBase, expectedPartials, softmaxPeers, syncKeyBase,
                inputs, training, null);
    }

    /** An inference-only config ({@code training == null}). */
    public KernelConfig(KernelKind kind, int nRows, int nCols, KernelActivation activation, float alpha,
                        boolean fused, int outKeyBase, int expectedPartials, int softmaxPeers,
                        int syncKeyBase, List<KeyRange> inputs) {
        this(kind, nRows, nCols, activation, alpha, fused, outKeyBase, expectedPartials, softmaxPeers, syncKeyBase,
                inputs, null);
    }

    /** Validates the config and copies the input list. */
    public KernelConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(inputs, "inputs");
        inputs = List.copyOf(inputs);
        if (nCols <= 0 || nCols > Integer.MAX_VALUE - 2) {
            throw new IllegalArgumentException("nCols must be positive, got " + nCols);
        }
        if (kind == KernelKind.DENSE_BLOCK ? nRows <= 0 : nRows < 0) {
            throw new IllegalArgumentException(
                    (kind == KernelKind.DENSE_BLOCK ? "nRows must be positive" : "nRows must be >= 0")
                            + " for " + kind + ", got " + nRows);
        }
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite, got " + alpha);
        }
        if (kind == KernelKind.REDUCE ? expectedPartials <= 0 : expectedPartials < 0) {
            throw new IllegalArgumentException(
                    (kind == KernelKind.REDUCE ? "expectedPartials must be positive" : "expectedPartials must be >= 0")
                            + " for " + kind + ", got " + expectedPartials);
        }
        if (kind == KernelKind.REDUCE && (long) nCols * expectedPartials > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("nCols * expectedPartials = " + (long) nCols * expectedPartials
                    + " exceeds " + Integer.MAX_VALUE);
        }
        boolean softmax = activation == KernelActivation.SOFTMAX
                && (kind == KernelKind.REDUCE || (kind == KernelKind.DENSE_BLOCK && fused));
        if (softmaxPeers < 0 || (softmaxPeers > 0 && !softmax)) {
            throw new IllegalArgumentException("softmaxPeers must be 0 unless the core applies SOFTMAX "
                    + "(a REDUCE or a fused DENSE_BLOCK), and never negative; got " + softmaxPeers
                    + " for " + kind + (fused ? " fused " : " ") + activation);
        }
        long outKeys = (long) nCols * (fixedPoint && kind == KernelKind.DENSE_BLOCK && !fused ? 2 : 1);
        if (kind != KernelKind.OUTPUT_SINK && Integer.toUnsignedLong(outKeyBase) + outKeys > KEY_SPACE) {
            throw new IllegalArgumentException(String.format(
                    "output keys 0x%08x + %d wrap past 0xffffffff", outKeyBase, outKeys));
        }
        int syncKeys = KeyRange.syncKeys(training != null);
        if (softmaxPeers > 0 && Integer.toUnsignedLong(syncKeyBase) + syncKeys > KEY_SPACE) {
            throw new IllegalArgumentException(String.format(
                    "sync keys 0x%08x + %d wrap past 0xffffffff", syncKeyBase, syncKeys));
        }
        if (training != null) {
            checkTraining(kind, nRows, nCols, activation, fused, softmaxPeers, training);
            boolean sendsHalves = fixedPoint && kind == KernelKind.DENSE_BLOCK && training.sendsBackward()
                    && training.layerOutputs() > nCols;
            if (training.backwardFirstRow() != 0 && (!sendsHalves || training.backwardFirstRow() >= nRows)) {
                throw new IllegalArgumentException("backwardFirstRow " + training.backwardFirstRow() + ": only an "
                        + "s16.15 block that sends its rows' errors back as halves (its sums exact in any order) starts"
                        + " at a row other than 0, one of its " + nRows + " rows");
            }
        }
        if (pooling != null && (kind != KernelKind.DENSE_BLOCK || !fused
                || activation == KernelActivation.SOFTMAX || nRows % ((long) pooling.channels() * pooling.width()) != 0
                || (long) pooling.first() + nCols > (long) pooling.outWidth() * pooling.channels()
                || (pooling.kind() == PoolingKind.NORM && nRows != pooling.channels()))) {
            throw new IllegalArgumentException("a pooling block is a fused DENSE_BLOCK without softmax, "
                    + "its rows whole rows of " + pooling.width() + " × " + pooling.channels() + " values (a NORM "
                    + "block's: one) and its columns within an output row of " + pooling.outWidth() + " × "
                    + pooling.channels() + "; got " + nRows + " x " + nCols + " from " + pooling.first() + " of a "
                    + kind + (fused ? " fused " : " ") + activation + (training != null ? " training" : ""));
        }
        if (training != null && training.batchNorm().isOn()
                && (pooling == null || pooling.kind() != PoolingKind.NORM || activation != KernelActivation.IDENTITY)) {
            throw new IllegalArgumentException("only a batch normalization's block (a NORM pooling block, its activation "
                    + "IDENTITY) trains with the mini-batch's statistics, got a " + kind + " " + activation
                    + (pooling != null ? " " + pooling : "") + " with " + training.batchNorm());
        }
        BatchNormTrainingConfig batchNorm = training == null ? BatchNormTrainingConfig.NONE : training.batchNorm();
        if (batchNorm.channels() > nRows) {
            throw new IllegalArgumentException("a batch normalization's block holds rows of whole pixels of its "
                    + batchNorm.channels() + " channels, got " + nRows + " rows");
        }
        if (rowConv != null && (kind != KernelKind.DENSE_BLOCK || !fused || pooling != null
                || !rowConv.fits(nRows, nCols))) {
            throw new IllegalArgumentException("a row convolution's block is a fused DENSE_BLOCK of whole input rows "
                    + "holding its columns' channels, got " + nRows + " x " + nCols + " of a " + kind
                    + (fused ? " fused" : "") + (pooling != null ? " pooling" : "") + " block: " + rowConv);
        }
        if (fixedPoint && training != null) {
            String refusal = fixedPointTrainingRefusal(kind, nRows, nCols, fused, activation, softmaxPeers, training,
                    pooling, rowConv);
            if (refusal != null) {
                throw new IllegalArgumentException("s16.15 fixed point training runs on a fused DENSE_BLOCK (all the "
                        + "rows of its columns; docs/fixed-point.md, \"Training in s16.15 on the machine\"); " + refusal);
            }
        }
        if (fixedPoint && !fixedPointRuns(kind, nCols, fused, activation, training)) {
            throw new IllegalArgumentException("s16.15 fixed point runs inference on a source, a sink, a DENSE_BLOCK "
                    + "of weights (a row convolution's too), a pooling block (MAX, AVG, NORM with running statistics) "
                    + "or a REDUCE, an activator's activation one of " + Stream.concat(EXACT_ON_WORDS.stream(),
                    Stream.of(FixedPointFunctions.supported())).toList() + " or softmax (at most "
                    + FixedPointFunctions.SOFTMAX_MAX_WIDTH + " columns); got a " + (training != null ? "training " : "")
                    + kind + (fused ? " fused " : " ") + activation + (pooling != null ? " pooling" : "")
                    + (rowConv != null ? " row convolution" : "") + " core");
        }
        if (partialHalves && (!fixedPoint || kind != KernelKind.REDUCE)) {
            throw new IllegalArgumentException("only a fixed-point REDUCE receives partial halves, got a "
                    + (fixedPoint ? "fixed-point " : "float32 ") + kind);
        }
        if (kind == KernelKind.INPUT_SOURCE && !inputs.isEmpty()) {
            throw new IllegalArgumentException("an INPUT_SOURCE has no inputs, got " + inputs);
        }
        long limit = kind == KernelKind.DENSE_BLOCK ? nRows : (long) nCols * (partialHalves ? 2 : 1);
        boolean activator = kind == KernelKind.REDUCE || (kind == KernelKind.DENSE_BLOCK && fused);
        boolean output = training != null && training.isOutputLayer();
        int syncs = 0;
        GradientNormalizationConfig norm = training == null ? GradientNormalizationConfig.NONE
                : training.gradientNormalization();
        java.util.Set<Integer> normPositions = new java.util.HashSet<>();
        java.util.Set<Integer> bnPeers = new java.util.HashSet<>();
        KernelCopyConfig copy = training == null ? KernelCopyConfig.NONE : training.copy();
        if (copy.isCopy() && (kind != KernelKind.DENSE_BLOCK || !fused)) {
            throw new IllegalArgumentException("only a fused DENSE_BLOCK holds a kernel copy, not a "
                    + (fused ? "fused " : "") + kind + " (" + copy + ")");
        }
        long params = (kind == KernelKind.DENSE_BLOCK
                ? (rowConv != null ? rowConv.weightCount(nRows) : (long) nRows * nCols) : 0)
                + (rowConv != null ? rowConv.channels() : nCols);
        if (copy.isCopy() && copy.chunks().get(copy.chunks().size() - 1).hi() > params) {
            throw new IllegalArgumentException("a kernel copy's chunks lie within its " + params + " parameters, got "
                    + copy.chunks());
        }
        for (int i = 0; i < inputs.size(); i++) {
            KeyRange r = inputs.get(i);
            switch (r.kind()) {
                case DATA -> {
                    if (r.localOffset() + r.size() > limit) {
                        throw new IllegalArgumentException("input range " + r + " maps to local indices up to "
                                + (r.localOffset() + r.size() - 1) + " but this " + kind + " has "
                                + limit + (kind == KernelKind.DENSE_BLOCK ? " rows" : " outputs"));
                    }
                }
                case SOFTMAX_SYNC -> {
                    if (r.size() != syncKeys) {
                        throw new IllegalArgumentException(training == null
                                ? "a SOFTMAX_SYNC range has exactly " + syncKeys + " keys (max, sum), got " + r
                                : "in training a SOFTMAX_SYNC range has exactly " + syncKeys
                                        + " keys (max, sum, backward dot), got " + r);
                    }
                    syncs++;
                }
                case DELTA -> {
                    if (training == null || kind != KernelKind.DENSE_BLOCK || fused) {
                        throw new IllegalArgumentException("DELTA ranges are for training unfused DENSE_BLOCKs "
                                + "(a fused block computes its own deltas), got " + r + " on a "
                                + (training == null ? "non-training " : "") + (fused ? "fused " : "") + kind);
                    }
                    checkColumns(r, nCols);
                }
                case BACKWARD_PARTIAL -> {
                    if (training == null || !activator || output) {
                        throw new IllegalArgumentException("BACKWARD_PARTIAL ranges are for training hidden-layer "
                                + "activators (a REDUCE or fused DENSE_BLOCK without a loss), got " + r);
                    }
                    // an s16.15 block's errors from several blocks come as halves: two keys a column
                    checkColumns(r, fixedPoint && training.expectedBackwardPartials() > 1 ? 2 * nCols : nCols);
                }
                case LABEL -> {
                    if (!output) {
                        throw new IllegalArgumentException("LABEL ranges are for training output-layer activators "
                                + "(a REDUCE or fused DENSE_BLOCK with a loss), got " + r);
                    }
                    checkColumns(r, nCols);
                }
                case IGNORE -> { }
                case SHARE -> {
                    if (!copy.isCopy() || r.localOffset() + r.size() > (long) copy.copies() * copy.owned()) {
                        throw new IllegalArgumentException("SHARE ranges are for kernel copies, within their "
                                + copy.copies() + " x " + copy.owned() + " share slots, got " + r + " (" + copy + ")");
                    }
                }
                case PARAM -> {
                    if (!copy.isCopy() || r.localOffset() + r.size() > params) {
                        throw new IllegalArgumentException("PARAM ranges are for kernel copies, within their " + params
                                + " parameters, got " + r + " (" + copy + ")");
                    }
                }
                case BN_PARTIAL -> {
                    int keys = batchNorm.exchangeKeys();
                    if (!batchNorm.exchanges() || r.size() != keys || r.localOffset() % keys != 0
                            || r.localOffset() / keys >= batchNorm.peers()
                            || r.localOffset() / keys == batchNorm.peerIndex() || !bnPeers.add(r.localOffset())) {
                        throw new IllegalArgumentException("a BN_PARTIAL range is another block's " + keys
                                + " exchange keys from its first slot (its index × " + keys + ") at an index of its "
                                + "own below " + batchNorm.peers() + ", not this block's " + batchNorm.peerIndex()
                                + " (" + batchNorm + "), got " + r);
                    }
                }
                case NORM -> {
                    if (r.size() != norm.kind().normKeys() || r.localOffset() > norm.peers()
                            || r.localOffset() == norm.position() || !normPositions.add(r.localOffset())) {
                        throw new IllegalArgumentException("a NORM range is a peer's " + norm.kind().normKeys()
                                + " partial(s) at a position of its own in [0, " + norm.peers() + "], not this core's "
                                + norm.position() + " (" + norm + "), got " + r);
                    }
                }
            }
            boolean copyRange = r.kind() == RangeKind.SHARE || r.kind() == RangeKind.PARAM;
            if (!copyRange && i > 0 && (inputs.get(i - 1).kind() == RangeKind.SHARE
                    || inputs.get(i - 1).kind() == RangeKind.PARAM)) {
                throw new IllegalArgumentException("a kernel copy's SHARE and PARAM ranges come after every other, got "
                        + r + " after " + inputs.get(i - 1));
            }
            if (r.kind() != RangeKind.BN_PARTIAL && i > 0 && inputs.get(i - 1).kind() == RangeKind.BN_PARTIAL) {
                throw new IllegalArgumentException("a batch normalization's BN_PARTIAL ranges come after every other, "
                        + "got " + r + " after " + inputs.get(i - 1));
            }
            for (int j = 0; j < i; j++) {
                if (r.overlaps(inputs.get(j))) {
                    throw new IllegalArgumentException("input ranges " + inputs.get(j) + " and " + r + " overlap");
                }
            }
        }
        if (normPositions.size() != norm.peers()) {
            throw new IllegalArgumentException(norm + " needs " + norm.peers() + " NORM input ranges, got "
                    + normPositions.size());
        }
        if (bnPeers.size() != (batchNorm.exchanges() ? batchNorm.peers() - 1 : 0)) {
            throw new IllegalArgumentException(batchNorm + " needs a BN_PARTIAL input range from each other block, got "
                    + bnPeers.size());
        }
        if (syncs != softmaxPeers) {
            throw new IllegalArgumentException("softmaxPeers = " + softmaxPeers + " needs that many SOFTMAX_SYNC "
                    + "input ranges, got " + syncs);
        }
    }

    private static void checkColumns(KeyRange r, int nCols) {
        if (r.localOffset() + r.size() > nCols) {
            throw new IllegalArgumentException("input range " + r + " maps to local columns up to "
                    + (r.localOffset() + r.size() - 1) + " but this core has " + nCols + " columns");
        }
    }

    private static void checkTraining(KernelKind kind, int nRows, int nCols, KernelActivation activation,
                                      boolean fused, int softmaxPeers, TrainingConfig t) {
        if (kind != KernelKind.DENSE_BLOCK && kind != KernelKind.REDUCE) {
            throw new IllegalArgumentException("only DENSE_BLOCK and REDUCE cores train, not " + kind
                    + "; its training config must be null");
        }
        boolean activator = kind == KernelKind.REDUCE || fused;
        if (!activator) {
            if (t.isOutputLayer()) {
                throw new IllegalArgumentException("a partial DENSE_BLOCK has no loss (" + t.loss() + "): the loss "
                        + "belongs to the activator of the output layer, a REDUCE or a fused DENSE_BLOCK");
            }
            if (t.expectedBackwardPartials() != 0) {
                throw new IllegalArgumentException("a partial DENSE_BLOCK receives deltas, not backward partials: "
                        + "expectedBackwardPartials must be 0, got " + t.expectedBackwardPartials());
            }
        } else if (t.isOutputLayer()) {
            if (t.layerOutputs() < nCols) {
                throw new IllegalArgumentException("layerOutputs (nOut of the whole layer) = " + t.layerOutputs()
                        + " is less than this core's nCols = " + nCols);
            }
            if (activation == KernelActivation.SOFTMAX && t.loss() == LossKind.XENT) {
                throw new IllegalArgumentException("a SOFTMAX output layer does not train with XENT (DL4J scores it "
                        + "with a log-softmax the cores do not compute)");
            }
            if (t.loss() == LossKind.COSINE_PROXIMITY && t.layerOutputs() != nCols) {
                throw new IllegalArgumentException("COSINE_PROXIMITY needs the whole layer on one core (its norms "
                        + "span the layer): layerOutputs = " + t.layerOutputs() + ", nCols = " + nCols);
            }
            if (!t.lossWeights().isEmpty() && t.lossWeights().size() != nCols) {
                throw new IllegalArgumentException("an output core has one loss weight per column: " + nCols
                        + " columns, " + t.lossWeights().size() + " weights");
            }
        } else {
            if (t.expectedBackwardPartials() <= 0) {
                throw new IllegalArgumentException("a hidden-layer activator (no loss) needs expectedBackwardPartials"
                        + " > 0 (backward partials per output per sample), got " + t.expectedBackwardPartials());
            }
            if ((long) nCols * t.expectedBackwardPartials() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("nCols * expectedBackwardPartials = "
                        + (long) nCols * t.expectedBackwardPartials() + " exceeds " + Integer.MAX_VALUE);
            }
        }
        if (kind == KernelKind.REDUCE) {
            if (t.sendsBackward()) {
                throw new IllegalArgumentException("a REDUCE sends deltas, not backward partials: sendsBackward "
                        + "is for DENSE_BLOCKs");
            }
            if (Integer.toUnsignedLong(t.deltaKeyBase()) + nCols > KEY_SPACE) {
                throw new IllegalArgumentException(String.format(
                        "delta keys 0x%08x + %d wrap past 0xffffffff", t.deltaKeyBase(), nCols));
            }
        } else if (t.sendsBackward() && Integer.toUnsignedLong(t.backwardKeyBase()) + nRows > KEY_SPACE) {
            throw new IllegalArgumentException(String.format(
                    "backward keys 0x%08x + %d wrap past 0xffffffff", t.backwardKeyBase(), nRows));
        }
        long forward = (long) nCols + (softmaxPeers > 0 ? 2 : 0);
        long backward = (kind == KernelKind.DENSE_BLOCK && t.sendsBackward() ? nRows : 0)
                + (kind == KernelKind.REDUCE ? nCols : 0) + (activator ? 1 : 0);
        if (forward + backward > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("one event could send " + (forward + backward)
                    + " packets, more than " + Integer.MAX_VALUE);
        }
    }

    /**
     * Why an s16.15 training core is not one the kernels train (their {@code fix_training_ok}), or null: a fused
     * DENSE_BLOCK without pooling, row convolution or softmax peers; Sgd or Adam for both weights and bias (their
     * constants come with each update, {@link KernelCore#applyFixedUpdate}); no regularization, gradient
     * normalization, kernel copy, batch normalization or loss weights; an output layer softmax + MCXENT or identity +
     * MSE over all its columns, a hidden one relu, identity, tanh or sigmoid (its error from one block as words, or
     * from several as halves), which states its layer's width if it sends back.
     */
    private static String fixedPointTrainingRefusal(KernelKind kind, int nRows, int nCols, boolean fused,
            KernelActivation activation, int softmaxPeers, TrainingConfig t, PoolingConfig pooling,
            RowConvConfig rowConv) {
        if (kind != KernelKind.DENSE_BLOCK || !fused || pooling != null || rowConv != null || softmaxPeers != 0) {
            return "got a training " + (fused ? "fused " : "") + kind + (pooling != null ? " pooling block" : "")
                    + (rowConv != null ? " row convolution" : "") + (softmaxPeers != 0 ? " with softmax peers" : "")
                    + " (map each layer on blocks of whole columns, its softmax on one block)";
        }
        UpdaterKind u = t.weightUpdater().kind();
        if ((u != UpdaterKind.SGD && u != UpdaterKind.ADAM) || t.biasUpdater().kind() != u) {
            return "its updaters must both be Sgd or both Adam, got " + u + " and " + t.biasUpdater().kind();
        }
        if (!t.weightRegularization().isNone() || !t.biasRegularization().isNone()
                || !t.gradientNormalization().isNone() || t.copy().isCopy() || t.batchNorm().isOn()
                || !t.lossWeights().isEmpty()) {
            return "it has no regularization, gradient normalization, kernel copy, batch normalization or loss "
                    + "weights, got " + t;
        }
        if (t.loss() != LossKind.NONE) {
            boolean pair = (activation == KernelActivation.SOFTMAX && t.loss() == LossKind.MCXENT
                    && nCols <= FixedPointFunctions.SOFTMAX_MAX_WIDTH)
                    || (activation == KernelActivation.IDENTITY && t.loss() == LossKind.MSE);
            if (!pair || t.layerOutputs() != nCols) {
                return "an output layer is softmax + MCXENT (at most " + FixedPointFunctions.SOFTMAX_MAX_WIDTH
                        + " columns) or identity + MSE on one block of all its " + t.layerOutputs()
                        + " columns, got " + activation + " + " + t.loss() + " on " + nCols;
            }
            return null;
        }
        if (!EnumSet.of(KernelActivation.RELU, KernelActivation.IDENTITY, KernelActivation.TANH,
                KernelActivation.SIGMOID).contains(activation)) {
            return "a hidden layer is relu, identity, tanh or sigmoid, got " + activation;
        }
        if (t.sendsBackward() && t.layerOutputs() < nCols) {
            return "a hidden block that sends back states its layer's width (layerOutputs, at least its " + nCols
                    + " columns; more: it sends each row's error as two halves), got " + t.layerOutputs();
        }
        if (t.sendsBackward() && t.layerOutputs() > nCols
                && Integer.toUnsignedLong(t.backwardKeyBase()) + 2L * nRows > KEY_SPACE) {
            return String.format("its backward keys 0x%08x + %d (two a row: halves) wrap past 0xffffffff",
                    t.backwardKeyBase(), 2L * nRows);
        }
        return null;
    }

    private static boolean fixedPointRuns(KernelKind kind, int nCols, boolean fused, KernelActivation activation,
                                          TrainingConfig training) {
        if (training != null) {
            return true; // fixedPointTrainingRefusal checked it
        }
        if (kind == KernelKind.INPUT_SOURCE || kind == KernelKind.OUTPUT_SINK) {
            return true;
        }
        // an unfused block sends its sums: the activation is its reduce's
        return (kind == KernelKind.DENSE_BLOCK && !fused) || EXACT_ON_WORDS.contains(activation)
                || FixedPointFunctions.supports(activation)
                || (activation == KernelActivation.SOFTMAX && nCols <= FixedPointFunctions.SOFTMAX_MAX_WIDTH);
    }

    /**
     * The activations the fixed-point kernels compute on the word itself (leakyrelu and cube: one rounding;
     * thresholdedrelu against its {@link AccumQuantiser#threshold threshold word}).
     */
    private static final Set<KernelActivation> EXACT_ON_WORDS = EnumSet.of(KernelActivation.IDENTITY,
            KernelActivation.RELU, KernelActivation.RELU6, KernelActivation.LEAKYRELU, KernelActivation.HARDTANH,
            KernelActivation.THRESHOLDEDRELU, KernelActivation.CUBE);

    /** Whether this core runs the backward pass and updates its parameters ({@code training != null}). */
    public boolean isTraining() {
        return training != null;
    }

    /** This config with {@code training} instead of its training config. */
    public KernelConfig withTraining(TrainingConfig training) {
        return new KernelConfig(kind, nRows, nCols, activation, alpha, fused, outKeyBase, expectedPartials,
                softmaxPeers, syncKeyBase, inputs, training, pooling, rowConv, fixedPoint, partialHalves);
    }

    /** This config computing in s16.15 fixed point ({@link #fixedPoint()}). */
    /**
     * Whether this training config is one the kernels train in s16.15 ({@link #withFixedPoint()} accepts it: a fused
     * DENSE_BLOCK of the layers, updaters and losses docs/fixed-point.md, "Training in s16.15 on the machine", lists);
     * false for an inference config.
     */
    public boolean trainsInFixedPoint() {
        return training != null && fixedPointTrainingRefusal(kind, nRows, nCols, fused, activation, softmaxPeers,
                training, pooling, rowConv) == null;
    }

    public KernelConfig withFixedPoint() {
        return new KernelConfig(kind, nRows, nCols, activation, alpha, fused, outKeyBase, expectedPartials,
                softmaxPeers, syncKeyBase, inputs, training, pooling, rowConv, true, partialHalves);
    }


    /**
     * This config of a batch normalization's block with its running statistics ({@link BatchNormTrainingConfig#NONE}):
     * its ranges of other blocks' partial sums ({@link RangeKind#BN_PARTIAL}) become ranges it ignores.
     */
    public KernelConfig withRunningStatistics() {
        if (training == null) {
            throw new IllegalStateException("only a training core has a mini-batch mode to leave");
        }
        List<KeyRange> ignoring = inputs.stream().map(r -> r.kind() != RangeKind.BN_PARTIAL ? r
                : new KeyRange(r.keyLo(), r.keyHi(), r.localOffset(), RangeKind.IGNORE)).toList();
        return new KernelConfig(kind, nRows, nCols, activation, alpha, fused, outKeyBase, expectedPartials,
                softmaxPeers, syncKeyBase, ignoring, training.toBuilder().batchNorm(BatchNormTrainingConfig.NONE)
                .build(), pooling, rowConv, fixedPoint, partialHalves);
    }

    /** Whether this core applies a (possibly layer-wide) softmax. */
    public boolean appliesSoftmax() {
        return activation == KernelActivation.SOFTMAX
                && (kind == KernelKind.REDUCE || (kind == KernelKind.DENSE_BLOCK && fused));
    }

    /** Whether this core needs a bias (of {@link #biasCount()} values: a fused dense block or a reduce). */
    public boolean hasBias() {
        return kind == KernelKind.REDUCE || (kind == KernelKind.DENSE_BLOCK && fused);
    }

    /**
     * The bias values {@code load} expects: {@code nCols}, but a row convolution's block holds one per channel of its
     * kernel ({@link RowConvConfig#channels()}), added to each of its columns of that channel; 0 without a bias.
     */
    public int biasCount() {
        return !hasBias() ? 0 : rowConv != null ? rowConv.channels() : nCols;
    }

    /**
     * The number of weights {@code load} expects: {@code nRows * nCols} for a dense block, a row convolution's
     * {@link RowConvConfig#weightCount}, else 0 (pooling: 0, but a batch normalization {@link PoolingKind#NORM_ROWS}
     * rows of {@code nCols}).
     */
    public long weightCount() {
        if (kind != KernelKind.DENSE_BLOCK) {
            return 0;
        }
        if (pooling != null) {
            return pooling.kind() == PoolingKind.NORM ? (long) KernelAbi.NORM_ROWS * nCols : 0;
        }
        return rowConv != null ? rowConv.weightCount(nRows) : (long) nRows * nCols;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("KernelConfig[").append(kind);
        switch (kind) {
            case DENSE_BLOCK -> {
                sb.append(' ').append(nRows).append(" x ").append(nCols);
                sb.append(fused ? " fused " + activation : " partial");
                if (pooling != null) {
                    sb.append(' ').append(pooling);
                }
                if (rowConv != null) {
                    sb.append(' ').append(rowConv);
                }
            }
            case REDUCE -> sb.append(' ').append(nCols).append(" outputs x ").append(expectedPartials)
                    .append(" partials ").append(activation);
            default -> sb.append(' ').append(nCols).append(" values");
        }
        if (activation.hasParameter()) {
            sb.append(" alpha=").append(alpha);
        }
        if (kind != KernelKind.OUTPUT_SINK) {
            sb.append(String.format(", out 0x%08x", outKeyBase));
        }
        if (softmaxPeers > 0) {
            sb.append(String.format(", softmax peers=%d sync 0x%08x", softmaxPeers, syncKeyBase));
        }
        if (training != null) {
            sb.append(", ").append(training);
        }
        return sb.append(", inputs=").append(inputs).append(']').toString();
    }
}
