/*
 * spinnaker4j core kernels: the programs of the simulated SpiNNaker cores.
 *
 * Portable C11 (no JNI, no heap, no globals holding state, no floating point
 * hardware required): the same source is compiled for the host (called from
 * Java through s4j_jni.c) and for the ARM968 of a real SpiNNaker chip.
 *
 * A core's whole state lives in ONE caller-provided buffer (its DTCM,
 * S4J_DTCM_BYTES = 64 KiB),
 * laid out as:
 *
 *   header (s4j_header, starts with the magic/version word: S4J_MAGIC for
 *           an inference state, S4J_MAGIC_TRAINING for a training state)
 *   layout (s4j_layout: the byte offsets of the parts below and the most
 *           sends one event can make, derived once by s4j_load)
 *   input-range table   n_ranges x s4j_range (16 bytes each)
 *   softmax peer table  softmax_peers x s4j_peer (12 bytes each)
 *   per kind:
 *     INPUT_SOURCE  values[n_cols]
 *     DENSE_BLOCK   w[n_rows*n_cols] (row-major; none for a pooling block,
 *                   S4J_CFG_POOL; a row convolution's kernel slice,
 *                   n_rows / ROW_WIDTH x ROW_KERNEL_W x ROW_CHANNELS,
 *                   S4J_CFG_ROW_*), bias[n_cols] if fused (a row
 *                   convolution's: bias[ROW_CHANNELS], one per channel of
 *                   its kernel, each added to every column of that channel),
 *                   x[n_rows], z[n_cols] (the sums, once the sample's rows are
 *                   all in), acc[n_cols] (3 words each: the wide accumulators
 *                   the rows 0 .. rows_done-1 of the sample are multiplied
 *                   into, in order; s4j_mac.c), row bitmap[ceil(n_rows/32)]
 *                   words
 *     REDUCE        bias[n_cols], acc[n_cols], partial counts[n_cols],
 *                   slots[n_src*n_cols], slot bitmap[ceil(n_src*n_cols/32)]
 *                   words, where n_src = n_ranges - softmax_peers - norm_peers
 *                   (the ranges other than SOFTMAX_SYNC and NORM): slot s*n_cols+j holds output j's
 *                   partial from the s-th such range; a reduce expecting one
 *                   partial per output (a relay) keeps one row of n_cols,
 *                   slot j holding output j's partial from whichever range
 *                   sent it. Once all partials of a
 *                   sample are in, acc[j] = its slots added in range-table
 *                   order, whatever order they arrived in. In S16_15:
 *                   bias[n_cols] words, z[n_cols] words, then 64-bit
 *                   sums[n_cols] (low, high word pairs), counts[n_cols]
 *                   (packets in per column), no slots, and a bitmap of
 *                   the keys in per slot row: [rows x keys] bits, keys =
 *                   2 n_cols with PARTIAL_HALVES, else n_cols
 *     OUTPUT_SINK   out[n_cols], arrival bitmap[ceil(n_cols/32)] words
 *   then, for a training state only (DENSE_BLOCK or REDUCE; D = in_flight,
 *   the samples the core holds between their forward and backward passes;
 *   a training block's x above is x[D][n_rows], one row per sample held; U = the
 *   state arrays of the weights' updater, B = of the bias' updater: 0 for SGD
 *   and NOOP, 1 for NESTEROVS, ADAGRAD and RMSPROP, 2 for ADAM, ADAMAX, NADAM
 *   and ADADELTA, 3 for AMSGRAD):
 *     training header (s4j_train), peer dots[softmax_peers],
 *     delta[n_cols]
 *     DENSE_BLOCK   dW[W], U x updater state[W] (W: its weights, above),
 *                   delta bitmap[ceil(n_cols/32)] words if not fused
 *     activator     y[D][n_cols], z[D][n_cols], db[n_cols], B x state[n_cols],
 *     (REDUCE or    output layer: labels[D][n_cols], label bitmap[ceil(n_cols/32)],
 *                   loss weights[n_cols] if the loss is weighted
 *      fused block) hidden layer: e acc[n_cols], e counts[n_cols],
 *                   backward slots[n_src*n_cols] and their bitmap, as a
 *                   REDUCE's forward slots (the backward partials of one
 *                   sample arrive while the next samples' forward partials
 *                   do); e is likewise summed over the BACKWARD_PARTIAL
 *                   ranges in range-table order
 *     L2 gradient   norm[(norm_peers + 1) * 2]: each position's partial sums
 *     normalization of squares (the weights' or the layer's, the bias'), and
 *                   their bitmap[ceil((norm_peers + 1) * 2 / 32)] words
 *     kernel copy   chunks[copy chunks] (4 words each, S4J_CHUNK_WORD_*),
 *                   share slots[copy slots * copy owned] (slot p * owned + k:
 *                   the share of owned parameter k from the copy at
 *                   position p) and their bitmap
 *     batch         a NORM block in its mini-batch mode (S4J_CFG_NORM_*),
 *     normalization last: its words and where its mini-batch is (8 words),
 *                   statistics[5][n_cols], kept deltas[NORM_BATCH][n_cols]
 *   The per-sample arrays are rings: sample k of a run uses entry k mod D,
 *   written by its forward pass (labels: when they arrive) and read by its
 *   backward pass, which comes in sample order.
 *
 * Validated once: s4j_load checks the config in full and caches the layout
 * in the state; the other entry points check the buffer, the magic word and
 * the size, then trust the cached layout (the host's Java side keeps the
 * buffer private and validates every argument). Built with -DS4J_CHECKED,
 * every entry point also re-derives the layout from the header, compares it
 * with the cached one and bounds-checks every index (but
 * s4j_on_loaded_packet, a core's own entry, which trusts its state and
 * leaves the layout's comparison to s4j_on_packet), so a corrupted buffer
 * yields a negative error code, never an access outside it (s4j_checked()
 * says which build this is). Both builds compute the same results.
 */
#ifndef S4J_KERNELS_H
#define S4J_KERNELS_H

#include <stdint.h>

#include "s4j_fixupdate.h"

/* Every S4J_* number below that Java also uses (sizes, config word offsets,
 * codes) has a constant of the same name without the prefix in
 * org.spinnaker4j.kernels.KernelAbi; s4j_contract.c asserts at compile time
 * that each pair agrees, so the host build fails on a mismatch. */

/* 'S' '4' 'K' + layout version 37; version 38 is the same state followed by
 * the training part (1 and 2: before a block's z had its accumulators; 3
 * and 4: before the header held a pooling block's words, the state the
 * kernel copies' exchange, and a reduce expecting one partial per output
 * kept one slot row; 7 and 8: before the header held a row convolution's
 * words; 9 and 10: before it held a pooling block's width; 11 and 12:
 * before a batch normalization block held its S4J_NORM_ROWS rows of
 * weights; 13 and 14: before a row convolution's block held one bias per
 * channel rather than per column; 15 and 16: before a row convolution's block
 * held one bias per channel and the training header a block's dropout, each
 * without the other; 17 and 18: before a batch normalization's block could
 * train with the mini-batch's statistics, S4J_CFG_NORM_*; 23 and 24: before
 * its blocks could share a channel's statistics, S4J_CFG_NORM_CHANNELS ..;
 * 25 and 26: before the header held the arithmetic, S4J_CFG_ARITHMETIC ..;
 * 27 and 28: before it held a reduce's partial halves, S4J_CFG_PARTIAL_HALVES;
 * 31 and 32: before an S16_15 fused block could train, its 64-bit gradient
 * sums 8-byte aligned, s4j_apply_fix_update; 33 and 34: before a block
 * sending halves could start at a row of its own, S4J_CFG_BACKWARD_FIRST_ROW;
 * 35 and 36: before the layout held the uniform ranges' count and
 * reciprocal, s4j_find_uniform_ranges).
 * C only: Java never reads the state's words. */
#define S4J_MAGIC          0x53344B25u
#define S4J_MAGIC_TRAINING 0x53344B26u

/* Kinds of core (KernelKind.code()). */
#define S4J_KIND_INPUT_SOURCE 0u
#define S4J_KIND_DENSE_BLOCK  1u
#define S4J_KIND_REDUCE       2u
#define S4J_KIND_OUTPUT_SINK  3u

/* Activations (KernelActivation.code()). */
#define S4J_ACT_IDENTITY  0u
#define S4J_ACT_RELU      1u
#define S4J_ACT_LEAKYRELU 2u
#define S4J_ACT_SIGMOID   3u
#define S4J_ACT_TANH      4u
#define S4J_ACT_SOFTMAX   5u
#define S4J_ACT_HARDTANH  6u
#define S4J_ACT_SOFTPLUS  7u
#define S4J_ACT_ELU       8u
#define S4J_ACT_SWISH     9u
#define S4J_ACT_GELU      10u
#define S4J_ACT_SELU      11u
#define S4J_ACT_MISH      12u
#define S4J_ACT_SOFTSIGN  13u
#define S4J_ACT_RATIONALTANH    14u
#define S4J_ACT_RECTIFIEDTANH   15u
#define S4J_ACT_CUBE            16u
#define S4J_ACT_THRESHOLDEDRELU 17u
#define S4J_ACT_RELU6           18u

/* Kinds of input range (RangeKind.code()). */
#define S4J_RANGE_DATA             0u
#define S4J_RANGE_SOFTMAX_SYNC     1u  /* peer's max, sum (+ backward dot in training) */
#define S4J_RANGE_DELTA            2u  /* dL/dz of the block's columns */
#define S4J_RANGE_BACKWARD_PARTIAL 3u  /* partial dL/dy of a hidden activator's outputs */
#define S4J_RANGE_LABEL            4u  /* labels of an output activator */
#define S4J_RANGE_IGNORE           5u  /* accepted and counted, nothing else */
#define S4J_RANGE_NORM             6u  /* a peer's partial sums of squares of its
                                          gradient (S4J_GRAD_NORM_* keys);
                                          local: the peer's position */
#define S4J_RANGE_SHARE            7u  /* a kernel copy: another copy's share
                                          (its accumulated gradient) of the
                                          parameters this copy owns; local:
                                          the share slot, position x
                                          COPY_OWNED + the owned offset */
#define S4J_RANGE_PARAM            8u  /* a kernel copy: new parameters from
                                          their owner, written over its own;
                                          local: the parameter's index (W
                                          row-major, then the bias) */
#define S4J_RANGE_BN_PARTIAL       9u  /* a batch normalization's exchange:
                                          another block's partial sums per
                                          channel (S4J_BN_SUM_*; key offset
                                          k: sum k of its S4J_BN_SUMS x
                                          NORM_CHANNELS); local: that
                                          block's NORM_BLOCK_INDEX x that
                                          many, its first sum's slot */

/* Updaters (UpdaterKind.code()), with their state arrays in DL4J's order. */
#define S4J_UPDATER_SGD       0u  /* none */
#define S4J_UPDATER_NESTEROVS 1u  /* v */
#define S4J_UPDATER_ADAM      2u  /* m, v */
#define S4J_UPDATER_ADAMAX    3u  /* m, u */
#define S4J_UPDATER_NADAM     4u  /* m, v */
#define S4J_UPDATER_AMSGRAD   5u  /* m, v, vHat */
#define S4J_UPDATER_ADAGRAD   6u  /* sum of g^2 */
#define S4J_UPDATER_ADADELTA  7u  /* msg, msdx */
#define S4J_UPDATER_RMSPROP   8u  /* g^2 average */
#define S4J_UPDATER_NOOP      9u  /* none */

/* Losses (LossKind.code()). */
#define S4J_LOSS_NONE   0u
#define S4J_LOSS_MSE    1u
#define S4J_LOSS_L1     2u
#define S4J_LOSS_L2     3u
#define S4J_LOSS_MAE    4u
#define S4J_LOSS_XENT   5u
#define S4J_LOSS_MCXENT 6u
#define S4J_LOSS_NLL    7u
#define S4J_LOSS_HINGE                          8u
#define S4J_LOSS_SQUARED_HINGE                  9u
#define S4J_LOSS_KL_DIVERGENCE                 10u
#define S4J_LOSS_POISSON                       11u
#define S4J_LOSS_COSINE_PROXIMITY              12u  /* the whole layer on one core */
#define S4J_LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR 13u
#define S4J_LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR 14u
#define S4J_LOSS_WASSERSTEIN                   15u

/* Gradient normalizations (GradientNormalizationKind.code()): DL4J's
 * GradientNormalization applied by a core to the gradient it owns. */
#define S4J_GRAD_NORM_NONE              0u
#define S4J_GRAD_NORM_CLIP_ELEMENT_WISE 1u  /* g = clip(g, -threshold, threshold) */
/* The L2 modes need the norm of the layer's whole gradient: each core of the
 * layer that owns parameters sends its partial sums of squares to the
 * others (s4j_norm_start), one key per layer, or two per param type (the
 * weights', then the bias'), and adds every core's in the order of their
 * positions, so all get the same norms. */
#define S4J_GRAD_NORM_RENORM_L2_PER_LAYER      2u  /* g /= ||layer|| */
#define S4J_GRAD_NORM_RENORM_L2_PER_PARAM_TYPE 3u  /* W /= ||W||, b /= ||b|| */
#define S4J_GRAD_NORM_CLIP_L2_PER_LAYER        4u  /* g *= t / ||layer|| if above t */
#define S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE   5u  /* W /= ||W|| / t if above t; b too */

/* Work an event did, as bits of s4j_outbox.work (KernelWork.code()): what
 * the simulator charges beyond receiving the packet. */
#define S4J_WORK_FORWARD           1u  /* a source sent its values, or a block's
                                          or reduce's z completed: the forward
                                          outputs computed (split softmax: the
                                          local max) and sent */
#define S4J_WORK_SOFTMAX_SUM       2u  /* softmax across cores: exp(z - M) and
                                          the local sum sent */
#define S4J_WORK_SOFTMAX_NORMALISE 4u  /* softmax across cores: y = e / total
                                          sent */
#define S4J_WORK_SOFTMAX_DOT       8u  /* hidden softmax across cores: the local
                                          dot sum e_k y_k sent */
#define S4J_WORK_DELTAS           16u  /* an activator's deltas (from labels or
                                          backward partials), db, deltas sent */
#define S4J_WORK_BLOCK_BACKWARD   32u  /* a block's dW += x delta, and W delta
                                          sent if it sends backward */
#define S4J_WORK_DROPOUT_ROW      64u  /* a block under dropout: the row it
                                          filed scaled by its mask / p */
#define S4J_WORK_DROPOUT_BACK    128u  /* a block under dropout: its W delta
                                          scaled by the masks / p, a hash per
                                          row */
#define S4J_WORK_COLUMN          256u  /* an inference reduce with an element-
                                          wise activation: each column it sent
                                          summed, biased and activated as soon
                                          as its partials were in (one
                                          column's work per send) */

/* Sync keys of a softmax core: 2 for inference, 3 for training. */
#define S4J_SYNC_KEYS          2u
#define S4J_SYNC_KEYS_TRAINING 3u

/* Bytes of DTCM of a core: the capacity of a core's state buffer. */
#define S4J_DTCM_BYTES 65536u

/* Words of a packed config: the fixed part (11 inference words, then 35
 * training words, all 0 when training is off, then 5 pooling words, 7
 * kernel-copy words, 9 row-convolution words, 6 more pooling words and 5
 * batch normalization words), then S4J_RANGE_WORDS
 * words per input range, then, for a weighted loss, n_cols loss weights,
 * then a kernel copy's chunks. Floats are carried as their bits. */
#define S4J_CFG_KIND               0u
#define S4J_CFG_N_ROWS             1u
#define S4J_CFG_N_COLS             2u
#define S4J_CFG_ACTIVATION         3u
#define S4J_CFG_ALPHA              4u  /* float */
#define S4J_CFG_FUSED              5u
#define S4J_CFG_OUT_KEY_BASE       6u
#define S4J_CFG_EXPECTED_PARTIALS  7u
#define S4J_CFG_SOFTMAX_PEERS      8u
#define S4J_CFG_SYNC_KEY_BASE      9u
#define S4J_CFG_N_RANGES          10u
#define S4J_CFG_TRAINING          11u  /* 1: the training words below count */
#define S4J_CFG_UPDATER           12u
#define S4J_CFG_LEARNING_RATE     13u  /* float */
#define S4J_CFG_BETA1             14u  /* float: momentum, beta1, rho, decay */
#define S4J_CFG_BETA2             15u  /* float */
#define S4J_CFG_EPSILON           16u  /* float */
#define S4J_CFG_LOSS              17u
#define S4J_CFG_LAYER_OUTPUTS     18u
#define S4J_CFG_DELTA_KEY_BASE    19u
#define S4J_CFG_BACKWARD_KEY_BASE 20u
#define S4J_CFG_LOSS_KEY_BASE     21u
#define S4J_CFG_EXPECTED_BACKWARD 22u
#define S4J_CFG_SENDS_BACKWARD    23u
/* DL4J's regularization of the weights, then of the bias (floats; 0: none):
 * l1 and l2 are added to the averaged gradient before the updater (l2
 * first if L2_FIRST is 1, else l1 first), weight decay (its coefficient
 * already multiplied by the learning rate where DL4J's applyLR says so) to
 * the update after it, WEIGHT_DECAY_TIMES times (DL4J's layer lists can
 * hold the network-wide WeightDecay twice, and then apply it twice; 0 to
 * 255, at least 1 with a weight decay: a scheduled one may start at 0).
 * The coefficients, the learning rate and the momentum are the values at
 * load; every update brings its own (S4J_RATE_*). */
#define S4J_CFG_L1                24u
#define S4J_CFG_L2                25u
#define S4J_CFG_WEIGHT_DECAY      26u
#define S4J_CFG_L2_FIRST          27u
#define S4J_CFG_WEIGHT_DECAY_TIMES 28u
#define S4J_CFG_BIAS_L1           29u
#define S4J_CFG_BIAS_L2           30u
#define S4J_CFG_BIAS_WEIGHT_DECAY 31u
#define S4J_CFG_BIAS_L2_FIRST     32u
#define S4J_CFG_BIAS_WEIGHT_DECAY_TIMES 33u
/* DL4J's gradient normalization of the layer (S4J_GRAD_NORM_*), applied to
 * the averaged gradient before the regularization, and its threshold
 * (float; 0 without normalization). */
#define S4J_CFG_GRAD_NORM         34u
#define S4J_CFG_GRAD_NORM_THRESHOLD 35u
/* The L2 modes: the key of this core's first partial (NORM_KEYS keys), how
 * many other cores of the layer send theirs (its NORM ranges), and this
 * core's position among all of them (0 .. NORM_PEERS). */
#define S4J_CFG_NORM_KEY_BASE     36u
#define S4J_CFG_NORM_PEERS        37u
#define S4J_CFG_NORM_SELF         38u
/* Training: how many samples the core holds between their forward pass and
 * their backward pass (1 .. S4J_MAX_IN_FLIGHT): 1 when samples run one after
 * another, more when they are pipelined. */
#define S4J_CFG_IN_FLIGHT         39u
/* The bias' updater and its hyper-parameters, as UPDATER .. EPSILON are the
 * weights' (the same words unless DL4J's biasUpdater differs). */
#define S4J_CFG_BIAS_UPDATER      40u
#define S4J_CFG_BIAS_LEARNING_RATE 41u /* float */
#define S4J_CFG_BIAS_BETA1        42u  /* float */
#define S4J_CFG_BIAS_BETA2        43u  /* float */
#define S4J_CFG_BIAS_EPSILON      44u  /* float */
/* 1: an output activator's loss is weighted per output (DL4J's loss
 * weights): its n_cols weights (finite floats) follow the ranges, as the
 * config's last n_cols words; 0: unweighted. */
#define S4J_CFG_LOSS_WEIGHTED     45u
/* A pooling block (S4J_POOL_*; NONE: a block of weights): a fused
 * DENSE_BLOCK without weights whose rows are whole positions of
 * POOL_CHANNELS channels (row i is channel i mod POOL_CHANNELS of the
 * (i / POOL_CHANNELS)-th position it pools) and whose column j is channel
 * POOL_FIRST + j: z_j is the max (from POOL_START, a float, up: a value
 * counts only if it is greater, so NaN never does) or the sum (from 0, in
 * row order) divided by POOL_DIVISOR (AVG) of its channel's rows, then the
 * bias and activation as any fused block. Inference only. All five words
 * are 0 when POOL is NONE. */
#define S4J_CFG_POOL              46u
#define S4J_CFG_POOL_CHANNELS     47u
#define S4J_CFG_POOL_FIRST        48u
#define S4J_CFG_POOL_START        49u  /* float: MAX's starting value */
#define S4J_CFG_POOL_DIVISOR      50u  /* AVG: the sum's divisor, >= 1 */

/* A fused block holding one of several copies of a convolution's kernel
 * slice (docs/architecture.md, "Convolutions"): its parameters (W row-major,
 * then the bias, as one array) are cut into COPY_CHUNKS chunks, each owned
 * by one copy. After the last backward pass of a mini-batch
 * (s4j_share_start) the copy sends each owner its share of the owner's
 * chunks and files its own share of its chunks; its update sums the shares
 * of its chunks in position order and updates them alone; it then sends
 * their new values to the other holders (s4j_param_send), which write them
 * over their own. 0 chunks: not a copy (the words below are 0). */
#define S4J_CFG_COPY_CHUNKS       51u  /* chunk entries after the loss weights */
#define S4J_CFG_COPY_SLOTS        52u  /* copies of the slice: share slot rows */
#define S4J_CFG_COPY_SELF         53u  /* this copy's position, < COPY_SLOTS */
#define S4J_CFG_COPY_OWNED        54u  /* parameters it owns: a slot row */
#define S4J_CFG_COPY_SHARES       55u  /* share packets it files per update */
#define S4J_CFG_COPY_PARAMS       56u  /* parameter packets it files per update */
#define S4J_CFG_COPY_RANGES       57u  /* its SHARE and PARAM input ranges */
/* A block of a 2-D convolution run along the image's rows (docs/
 * architecture.md, "Convolutions (Conv2D)"): a fused DENSE_BLOCK whose rows
 * are whole input rows of an image, ROW_WIDTH columns of ROW_CHANNELS_IN
 * channels each (row i is channel i mod ROW_CHANNELS_IN of column
 * (i / ROW_CHANNELS_IN) mod ROW_WIDTH of its field's (i / (ROW_WIDTH x
 * ROW_CHANNELS_IN))-th input row, r), and whose column j is output channel
 * (ROW_FIRST_COLUMN + j) mod ROW_CHANNELS_OUT of output column ox =
 * (ROW_FIRST_COLUMN + j) / ROW_CHANNELS_OUT. It holds its channels' slice of
 * the 2-D kernel once: ROW_CHANNELS output channels from ROW_FIRST_CHANNEL
 * (every column's channel among them), weight ((r x ROW_KERNEL_W + kx) x
 * ROW_CHANNELS_IN + in) x ROW_CHANNELS + k, and multiplies input (r, x, in)
 * into the columns of each ox with kx = x + ROW_PAD - ox x ROW_STRIDE in
 * [0, ROW_KERNEL_W), in order of ox and channel. ROW_KERNEL_W 0: an ordinary
 * block (all nine words 0). */
#define S4J_CFG_ROW_KERNEL_W      58u
#define S4J_CFG_ROW_WIDTH         59u
#define S4J_CFG_ROW_CHANNELS_IN   60u
#define S4J_CFG_ROW_STRIDE        61u
#define S4J_CFG_ROW_PAD           62u
#define S4J_CFG_ROW_CHANNELS_OUT  63u
#define S4J_CFG_ROW_FIRST_COLUMN  64u
#define S4J_CFG_ROW_FIRST_CHANNEL 65u
#define S4J_CFG_ROW_CHANNELS      66u
/* A pooling block's width (a 2-D SubsamplingLayer on the image-row lowering,
 * docs/architecture.md "Pooling (2-D)"): its rows are whole image rows of
 * POOL_WIDTH pixels of POOL_CHANNELS channels (row i is channel i mod C of
 * pixel (i / C) mod POOL_WIDTH of the (i / (C x POOL_WIDTH))-th row it
 * pools), its column j is output pixel (POOL_FIRST + j) / C of an output row
 * of POOL_OUT_WIDTH pixels, channel (POOL_FIRST + j) mod C, which pools its
 * channel at pixels ox x POOL_STRIDE_W - POOL_PAD_W .. + POOL_KERNEL_W - 1 of
 * each row (those outside the row are padding), the rows in order, the
 * pixels in order within a row; AVG divides by POOL_DIVISOR times
 * POOL_KERNEL_W if POOL_PAD_IN_DIVISOR, else times the window's pixels in
 * the row. Along a sequence: width, kernel, stride and out width 1, pad 0.
 * All six words are 0 when POOL is NONE. */
#define S4J_CFG_POOL_WIDTH        67u
#define S4J_CFG_POOL_KERNEL_W     68u
#define S4J_CFG_POOL_STRIDE_W     69u
#define S4J_CFG_POOL_PAD_W        70u
#define S4J_CFG_POOL_OUT_WIDTH    71u
#define S4J_CFG_POOL_PAD_IN_DIVISOR 72u /* AVG: 1 if the width's padding counts */
/* A batch normalization's block (S4J_POOL_NORM) training with the
 * mini-batch's statistics (docs/architecture.md, "Batch normalization"):
 * NORM_BATCH, the largest mini-batch it holds (1 .. its in_flight; 0: it
 * normalizes with its running statistics, as at inference, and its update
 * is refused); DL4J's decay as a float, and 1 - decay computed in double
 * then rounded to float (DECAY_REST), as DL4J's steps of the running mean
 * and statistic take them; eps as a float (> 0); LOG_STD 1 if the statistic
 * is log10 of the standard deviation, 0 if the variance. In that mode a
 * sample's row is kept and nothing is sent (s4j_batch_norm_forward sends
 * the mini-batch's), as is its delta (s4j_batch_norm_backward), and the
 * update steps gamma and beta through the updaters and the running mean and
 * statistic as DL4J does. The block's activation must be IDENTITY, without
 * gradient normalization; all five words are 0 on any other core. */
#define S4J_CFG_NORM_BATCH        73u
#define S4J_CFG_NORM_DECAY        74u  /* float */
#define S4J_CFG_NORM_DECAY_REST   75u  /* float: (float)(1 - decay) */
#define S4J_CFG_NORM_EPS          76u  /* float */
#define S4J_CFG_NORM_LOG_STD      77u
/* A batch normalization whose channels are spread over several blocks (after
 * a 2-D convolution: a block per image row, or slice of one): column j
 * normalizes channel (POOL_FIRST + j) mod NORM_CHANNELS (an image row's
 * values are its pixels' channels, channel fastest) with the statistics of
 * the mini-batch's every pixel, NORM_PIXELS per sample (H x W: the mean
 * divides by batch x NORM_PIXELS). The NORM_BLOCKS blocks of the layer (this
 * one included) exchange their partial sums per channel
 * (s4j_batch_norm_exchange) and add them in the order of their
 * NORM_BLOCK_INDEX (0 .. NORM_BLOCKS - 1), so all compute the same bits;
 * this block sends sum k of its S4J_BN_SUMS x NORM_CHANNELS with key
 * NORM_EXCHANGE_KEY_BASE + k, and receives another block's on a
 * S4J_RANGE_BN_PARTIAL range of that many keys (local: the block's index x
 * that many; after every other range). NORM_CHANNELS 0: every column is a feature of
 * its own over the batch alone (a fully connected normalization: PIXELS 0,
 * BLOCKS 1, INDEX and KEY_BASE 0); NORM_BLOCKS 1: no exchange, the block
 * computes the sums alone. All five words are 0 without NORM_BATCH. */
#define S4J_CFG_NORM_CHANNELS     78u
#define S4J_CFG_NORM_PIXELS       79u
#define S4J_CFG_NORM_BLOCKS       80u
#define S4J_CFG_NORM_BLOCK_INDEX  81u
#define S4J_CFG_NORM_EXCHANGE_KEY_BASE 82u
/* The arithmetic (S4J_ARITH_*), and in S16_15 the activation's alpha as an
 * s16.15 word (LEAKYRELU's slope, ELU's alpha, THRESHOLDEDRELU's threshold
 * word floor(theta 2^15); 0 in FLOAT). In S16_15 every
 * value a core holds or sends is an s16.15 word (value = word / 2^15): a
 * source's values, a block's weights, x and bias, a sink's outputs. A
 * block's sum per column is an int64 (low word, high word) in its acc
 * region, sum x^ w^ + b^ 2^15 exact, rounded once to s16.15 (nearest, ties
 * away from zero, saturated and counted: s4j_saturated) before the
 * activation; a dense block (not pooling, not a row convolution's) files
 * each word as it arrives: at inference it keeps it and multiplies them all
 * at completion, its weights in panels of 3 columns (s4j_params reads them
 * back row-major); in training it multiplies each in at once. S16_15 inference
 * runs on INPUT_SOURCE, OUTPUT_SINK, DENSE_BLOCKs and REDUCEs (training: a
 * fused DENSE_BLOCK, s4j_fixtrain.c); an activator's activation is
 * IDENTITY, RELU, RELU6, LEAKYRELU, HARDTANH, THRESHOLDEDRELU, CUBE, one
 * s4j_fix_supports accepts, or SOFTMAX over at most S4J_FIX_SOFTMAX_MAX_COLS
 * columns. An unfused block sends each column's 64-bit sum, unbiased and
 * unrounded, as two packets: key out_key_base + 2j its low word, + 2j + 1
 * its high word (s4j_fixreduce.c adds them up). */
#define S4J_CFG_ARITHMETIC        83u
#define S4J_CFG_ALPHA_FIXED       84u
/* What an S16_15 REDUCE receives (0 in FLOAT and on any other kind): 1, the
 * halves of unfused blocks' 64-bit sums: its DATA ranges cover 2 keys a
 * column, their local offsets count halves (offset k: column k / 2, the low
 * word if k is even, else the high word); 0, s16.15 words, one key a column
 * (a relay's values, each forwarded unchanged with a zero bias and
 * IDENTITY). */
#define S4J_CFG_PARTIAL_HALVES    85u
/* An S16_15 training block that sends its rows' errors back as halves: the
 * local row it sends first, then on in order, wrapping to row 0 (blocks of a
 * layer starting at different rows reach different receivers at once); 0 in
 * every other core. */
#define S4J_CFG_BACKWARD_FIRST_ROW 86u
#define S4J_CONFIG_WORDS          87u

/* Arithmetics (Arithmetic's codes in KernelConfig). */
#define S4J_ARITH_FLOAT  0u
#define S4J_ARITH_S16_15 1u

/* A batch normalization's exchange: a block's partial sums per channel c of
 * NORM_CHANNELS = C, in its rounds' order. Round 0: sum of x at c; round 1
 * (once every block's round 0 is in, so the mean is known): sum of x - mean
 * at C + 2c, of (x - mean)^2 at C + 2c + 1; round 2 (backward, its deltas
 * in): sum of delta at 3C + 4c, of delta x^ at + 1, of delta gamma (dx^) at
 * + 2, of dx^ (x - mean) at + 3. Each sum over the block's samples in order,
 * and within a sample its columns of the channel in order. */
#define S4J_BN_SUMS         7u   /* sums per channel over the three rounds */
#define S4J_BN_ROUNDS       3u

/* Kinds of pooling block (PoolingKind.code()). */
#define S4J_POOL_NONE 0u
#define S4J_POOL_MAX  1u
#define S4J_POOL_AVG  2u
/* A batch normalization of one position (n_rows == POOL_CHANNELS, a row of
 * POOL_WIDTH 1 pooled by a window of POOL_KERNEL_W 1 at POOL_STRIDE_W 1 into
 * POOL_OUT_WIDTH 1; START, DIVISOR, PAD_W and PAD_IN_DIVISOR 0):
 * z_j = ((x_{POOL_FIRST + j} - mean_j) / std_j) * gamma_j, then the bias
 * (beta) and activation; its weights are S4J_NORM_ROWS rows of
 * n_cols: gamma, mean, the statistic DL4J stores (log10 of the standard
 * deviation, or the variance), and std = sqrt(var + eps) as the host derives
 * it from that statistic (the kernel reads gamma, mean and std). */
#define S4J_POOL_NORM 3u
#define S4J_NORM_ROWS 4u

/* Words of one chunk of a kernel copy's parameters, after the loss weights:
 * parameters LO .. HI - 1 (W row-major, then the bias after the weights),
 * and SLOT, their first's offset among the parameters the copy owns, or
 * S4J_CHUNK_NOT_OWNED; KEY is the key of the first's new value (owned) or
 * of the first's share to the owner (not owned). */
#define S4J_CHUNK_WORD_LO   0u
#define S4J_CHUNK_WORD_HI   1u  /* exclusive */
#define S4J_CHUNK_WORD_SLOT 2u
#define S4J_CHUNK_WORD_KEY  3u
#define S4J_CHUNK_WORDS     4u
#define S4J_CHUNK_NOT_OWNED 0xFFFFFFFFu

/* Words of one input range of a packed config. */
#define S4J_RANGE_WORD_KEY_LO 0u
#define S4J_RANGE_WORD_KEY_HI 1u  /* exclusive */
#define S4J_RANGE_WORD_LOCAL  2u  /* local offset of key_lo */
#define S4J_RANGE_WORD_KIND   3u  /* S4J_RANGE_* */
#define S4J_RANGE_WORDS       4u

/* The most samples a training core holds at once. */
#define S4J_MAX_IN_FLIGHT 64u

_Static_assert(S4J_CONFIG_WORDS == S4J_CFG_BACKWARD_FIRST_ROW + 1u,
               "S4J_CONFIG_WORDS must follow the last S4J_CFG_* word");
_Static_assert(S4J_CFG_EPSILON == S4J_CFG_UPDATER + 4u
               && S4J_CFG_BIAS_EPSILON == S4J_CFG_BIAS_UPDATER + 4u,
               "an updater's words: kind, learning rate, beta1, beta2, epsilon");
_Static_assert(S4J_RANGE_WORDS == S4J_RANGE_WORD_KIND + 1u,
               "S4J_RANGE_WORDS must follow the last S4J_RANGE_WORD_* word");
_Static_assert(S4J_CHUNK_WORDS == S4J_CHUNK_WORD_KEY + 1u,
               "S4J_CHUNK_WORDS must follow the last S4J_CHUNK_WORD_* word");

/* Return codes: >= 0 success (usually a count of sends), < 0 error. */
#define S4J_OK                     0
#define S4J_ERR_NOT_LOADED        (-1)  /* no magic/version word: unloaded or overwritten */
#define S4J_ERR_BUFFER_TOO_SMALL  (-2)  /* buffer capacity below the loaded state's size */
#define S4J_ERR_BAD_BUFFER        (-3)  /* null, not direct, or misaligned buffer */
#define S4J_ERR_BAD_CONFIG        (-4)  /* config fails validation */
#define S4J_ERR_TOO_LARGE         (-5)  /* config needs more bytes than the buffer has */
#define S4J_ERR_BAD_LENGTH        (-6)  /* weights / bias / input / config array length */
#define S4J_ERR_UNKNOWN_KEY       (-7)  /* key in no input range */
#define S4J_ERR_DUPLICATE_ROW     (-8)  /* dense row arrived twice in one sample */
#define S4J_ERR_TOO_MANY_PARTIALS (-9)  /* reduce got more than expected_partials for one output,
                                           or a second one from the same range */
#define S4J_ERR_DUPLICATE_VALUE   (-10) /* sink value arrived twice before it was read */
#define S4J_ERR_DUPLICATE_SYNC    (-11) /* a peer's softmax max or sum arrived twice,
                                           or a gradient-norm partial (mini-batch) */
#define S4J_ERR_SAMPLE_OVERLAP    (-12) /* data of a next sample during a softmax exchange */
#define S4J_ERR_OUTBOX_TOO_SMALL  (-13) /* outbox holds fewer than max_sends sends */
#define S4J_ERR_WRONG_KIND        (-14) /* operation not defined for this kind of core */
#define S4J_ERR_NO_INPUT          (-15) /* start on a source with no loaded input */
#define S4J_ERR_INCOMPLETE        (-16) /* sink read before all values arrived */
#define S4J_ERR_CORRUPT           (-17) /* state inconsistent with its header */
#define S4J_ERR_JNI               (-18) /* JNI could not access a Java array */
#define S4J_ERR_DUPLICATE_DELTA   (-19) /* a block's delta j arrived twice in one sample */
#define S4J_ERR_DUPLICATE_LABEL   (-20) /* label j arrived twice in one sample */
#define S4J_ERR_TOO_MANY_BACKWARD (-21) /* more than expected_backward partials for one output,
                                           or a second one from the same range */
#define S4J_ERR_NO_FORWARD        (-22) /* backward packet before the sample's forward completed */
#define S4J_ERR_NOT_TRAINING      (-23) /* training operation on an inference-only core */
#define S4J_ERR_BAD_ARGUMENT      (-24) /* bad scalar argument (e.g. batch size 0) */
#define S4J_ERR_IN_FLIGHT         (-25) /* a sample's forward or labels start while the
                                           core holds in_flight samples awaiting backward
                                           (a batch normalization's: NORM_BATCH samples,
                                           or its mini-batch's forward is sent) */
#define S4J_ERR_BATCH_SIZE        (-26) /* a batch normalization's mini-batch outside
                                           1 .. NORM_BATCH, or not the size of its forward */
#define S4J_ERR_BATCH_HELD        (-27) /* a batch normalization holds another number of
                                           samples (forward) or deltas (backward) than
                                           its mini-batch, or part of one */
#define S4J_ERR_EXCHANGE_INCOMPLETE (-28) /* a batch normalization's step before every
                                           other block's partial sums of the round it
                                           needs are in */
#define S4J_ERR_DUPLICATE_PARTIAL (-29) /* a block's exchange partial arrived twice in one
                                           mini-batch */
#define S4J_ERR_EXCHANGE_ORDER    (-30) /* a batch normalization's exchange round out of
                                           order (or again), or its forward or backward
                                           before its round */
#define S4J_ERR_ROW_RANGE         (-31) /* s4j_on_rows: rows [first, first + n) not all
                                           within the block's n_rows */
#define S4J_ERR_KEY_RANGE         (-32) /* s4j_on_partials: keys [key, key + n) not all
                                           in the range that holds key */

/* DL4J's regularization of one parameter array (all 0: none). */
typedef struct s4j_regularization {
    float l1;                   /* gradient += l1 sign(p), before the updater */
    float l2;                   /* gradient += l2 p, before the updater */
    float weight_decay;         /* update += weight_decay p, after it */
    uint32_t l2_first;          /* 1: l2 is added before l1 */
    uint32_t decay_times;       /* weight decay is added this many times */
} s4j_regularization;

/* One updater and its hyper-parameters: the weights', or the bias' (DL4J's
 * biasUpdater, the same as the weights' unless the layer sets its own). */
typedef struct s4j_updater {
    uint32_t kind;              /* S4J_UPDATER_* */
    float learning_rate;
    float beta1;                /* NESTEROVS: momentum; ADAM, ADAMAX, NADAM,
                                   AMSGRAD: beta1; ADADELTA: rho; RMSPROP:
                                   decay */
    float beta2;                /* ADAM, ADAMAX, NADAM, AMSGRAD */
    float epsilon;
} s4j_updater;

/* A kernel copy's part of a config (S4J_CFG_COPY_*; chunks = 0: none). */
typedef struct s4j_copy {
    uint32_t chunks;
    uint32_t slots;
    uint32_t self;
    uint32_t owned;
    uint32_t shares;
    uint32_t params;
    uint32_t ranges;
} s4j_copy;

/* The training part of a config (enabled = 0: inference only). */
typedef struct s4j_training {
    uint32_t enabled;
    s4j_updater updater;        /* of W (DENSE_BLOCK) */
    uint32_t loss;              /* != NONE: output-layer activator */
    uint32_t loss_weighted;     /* 1: loss_weights holds n_cols weights */
    uint32_t layer_outputs;     /* nOut of the whole layer (MSE, MAE, MAPE,
                                   MSLE, WASSERSTEIN) */
    uint32_t delta_key_base;    /* REDUCE: key of delta 0 */
    uint32_t backward_key_base; /* DENSE_BLOCK: key of e_0 */
    uint32_t backward_first_row; /* S16_15 block sending halves: row sent first */
    uint32_t loss_key_base;     /* output activator: key of its loss packet */
    uint32_t expected_backward; /* hidden activator: partials per output */
    uint32_t sends_backward;    /* DENSE_BLOCK: sends e to the previous layer */
    s4j_regularization weights; /* of W (DENSE_BLOCK) */
    s4j_regularization bias;    /* of b (activator) */
    uint32_t in_flight;         /* samples held between forward and backward */
    uint32_t grad_norm;         /* S4J_GRAD_NORM_* */
    float grad_norm_threshold;
    uint32_t norm_key_base;     /* L2 modes: key of this core's partials */
    uint32_t norm_peers;        /* L2 modes: NORM ranges */
    uint32_t norm_self;         /* L2 modes: this core's position */
    s4j_updater bias_updater;   /* of b (activator) */
    s4j_copy copy;              /* a fused block holding a kernel copy */
} s4j_training;

/* A block of a 2-D convolution run along the rows (S4J_CFG_ROW_*;
 * kernel_w 0: none). */
typedef struct s4j_row_conv {
    uint32_t kernel_w;
    uint32_t width;
    uint32_t channels_in;
    uint32_t stride;
    uint32_t pad;
    uint32_t channels_out;
    uint32_t first_column;
    uint32_t first_channel;
    uint32_t channels;
} s4j_row_conv;

/* A config as passed from the host (all values are 32-bit words). */
typedef struct s4j_config {
    uint32_t kind;
    uint32_t n_rows;
    uint32_t n_cols;
    uint32_t activation;
    float alpha;
    uint32_t fused;
    uint32_t out_key_base;
    uint32_t expected_partials;
    uint32_t softmax_peers;
    uint32_t sync_key_base;
    uint32_t n_ranges;
    s4j_training training;
    /* n_ranges x S4J_RANGE_WORDS words (S4J_RANGE_WORD_*) */
    const uint32_t *ranges;
    /* training.loss_weighted: n_cols float bits, the loss weights of the
     * core's columns; NULL otherwise */
    const uint32_t *loss_weights;
    uint32_t pool;              /* S4J_POOL_*: NONE, or a pooling block */
    uint32_t pool_channels;
    uint32_t pool_first;
    float pool_start;
    uint32_t pool_divisor;
    uint32_t pool_width;        /* S4J_CFG_POOL_WIDTH .. PAD_IN_DIVISOR */
    uint32_t pool_kernel_w;
    uint32_t pool_stride_w;
    uint32_t pool_pad_w;
    uint32_t pool_out_width;
    uint32_t pool_pad_in_divisor;
    /* training.copy.chunks x S4J_CHUNK_WORDS words (S4J_CHUNK_WORD_*); NULL
     * without chunks */
    const uint32_t *chunks;
    s4j_row_conv row;           /* a row convolution's block (S4J_CFG_ROW_*) */
    uint32_t norm_batch;        /* S4J_CFG_NORM_BATCH .. NORM_LOG_STD */
    float norm_decay;
    float norm_rest;
    float norm_eps;
    uint32_t norm_log_std;
    uint32_t norm_channels;     /* S4J_CFG_NORM_CHANNELS .. EXCHANGE_KEY_BASE */
    uint32_t norm_pixels;
    uint32_t norm_blocks;
    uint32_t norm_block_index;
    uint32_t norm_exchange_key_base;
    uint32_t arithmetic;        /* S4J_CFG_ARITHMETIC, ALPHA_FIXED */
    int32_t alpha_fixed;
    uint32_t partial_halves;    /* S4J_CFG_PARTIAL_HALVES */
} s4j_config;

/* Where sends go: the host collects them, the ARM build sends packets. */
typedef int32_t (*s4j_send_fn)(void *ctx, uint32_t key, uint32_t payload);

typedef struct s4j_outbox {
    s4j_send_fn send;   /* called once per send; a negative return aborts */
    void *ctx;
    uint32_t capacity;  /* how many sends the caller can take in one event */
    uint32_t count;     /* sends made by the current event */
    uint32_t work;      /* S4J_WORK_* bits: the work the current event did */
    uint32_t rows;      /* DENSE_BLOCK: rows the current event multiplied
                           into z (rows are multiplied in order of i as soon
                           as every row before them has arrived) */
} s4j_outbox;

/* Fills cfg from a packed config (S4J_CONFIG_WORDS + S4J_RANGE_WORDS * n_ranges
 * words). */
int32_t s4j_parse_config(const uint32_t *words, uint32_t n_words, s4j_config *cfg);

/* Checks a config: S4J_OK or S4J_ERR_BAD_CONFIG. */
int32_t s4j_check_config(const s4j_config *cfg);

/* Bytes of state the config needs (saturates at UINT32_MAX). */
uint32_t s4j_state_bytes(const s4j_config *cfg);

/* Writes a fresh state for cfg; weights/bias lengths must match the kind. */
int32_t s4j_load(void *dtcm, uint32_t capacity, const s4j_config *cfg,
                 const float *weights, uint32_t n_weights,
                 const float *bias, uint32_t n_bias);

/* Upper bound of the sends of one event (packet or start) of the loaded core. */
int32_t s4j_max_sends(const void *dtcm, uint32_t capacity);

/* Delivers one multicast packet; returns the number of sends made, and sets
 * out->work to the work it did and out->rows to the rows it accumulated.
 * The host's entry (the JNI bridge's): it checks the buffer, the loaded
 * state and the outbox, then does what s4j_on_loaded_packet does. */
int32_t s4j_on_packet(void *dtcm, uint32_t capacity, uint32_t key,
                      uint32_t payload, s4j_outbox *out);

/* s4j_on_packet on a core's own state, as its packet callback calls it: the
 * state is the one s4j_load wrote into the core's DTCM and the outbox the
 * core's own, sized at load for s4j_max_sends, so neither is checked again
 * for every packet (the calibration measures this entry). */
int32_t s4j_on_loaded_packet(void *dtcm, uint32_t key, uint32_t payload, s4j_outbox *out);

/* A dense block's rows [first, first + n) of the current sample at once (a
 * buffer read from SDRAM by DMA), words[k] row first + k's value (a float's
 * bits; an S16_15 block's s16.15 word): exactly what their n DATA packets
 * would do, in order (a training block's ring, a float32 block's dropout
 * and kernel copy's wait, the multiply, the completion and its sends),
 * stopping at the first row refused with that row's error (what the rows
 * before it did stays done). Returns the sends; out->rows the rows
 * multiplied in over the call, out->work the work bits. S4J_ERR_WRONG_KIND
 * on any core but a dense block of weights (a pooling block, a batch
 * normalization's, a row convolution's, any other kind),
 * S4J_ERR_BAD_ARGUMENT for n 0 or no words, S4J_ERR_ROW_RANGE unless
 * first + n <= n_rows. */
int32_t s4j_on_rows(void *dtcm, uint32_t capacity, uint32_t first, uint32_t n,
                    const uint32_t *words, s4j_outbox *out);

/* A reduce's packets of keys [key, key + n) at once, payloads[k] key + k's
 * (a block's partial sums its core wrote to their chip's SDRAM, read back by
 * DMA): exactly what their n packets would do, in key order (the filing,
 * the columns streamed or the completion and its sends), stopping at the
 * first packet refused with its error (what the packets before it did
 * stays done). Returns the sends; out->work the work bits.
 * S4J_ERR_WRONG_KIND on any core but a reduce, or if the range that holds
 * key is not one of its DATA ranges; S4J_ERR_BAD_ARGUMENT for n 0 or no
 * payloads; S4J_ERR_UNKNOWN_KEY if no range holds key; S4J_ERR_KEY_RANGE
 * unless that range holds key + n - 1 too. */
int32_t s4j_on_partials(void *dtcm, uint32_t capacity, uint32_t key, uint32_t n,
                        const uint32_t *payloads, s4j_outbox *out);

/* INPUT_SOURCE: stores the next sample's n_cols values. */
int32_t s4j_source_load(void *dtcm, uint32_t capacity, const float *values,
                        uint32_t n);

/* Start event: a source emits its loaded values (its FORWARD work); other
 * kinds do nothing (out, if not NULL, counts no sends and no work). */
int32_t s4j_start(void *dtcm, uint32_t capacity, s4j_outbox *out);

/* Rows / partials / values received in the current sample (source: loaded values). */
int32_t s4j_received(const void *dtcm, uint32_t capacity);

/* OUTPUT_SINK: points *values at the n_cols complete outputs and resets the
 * count; dest_len (the room the caller has) must equal n_cols. */
int32_t s4j_sink_take(void *dtcm, uint32_t capacity, uint32_t dest_len,
                      const float **values, uint32_t *n);

/* Words of the values the host sends with each update command (the
 * per-mini-batch update message of a real machine): the values DL4J's
 * schedules give this update, S4J_RATE_WORDS for the weights, then as many
 * for the bias (floats, finite and >= 0). They replace the core's current
 * values (those of its config until the first update), so a learning rate,
 * momentum or regularization coefficient that follows a schedule and one
 * that is fixed take the same path. */
#define S4J_RATE_LEARNING_RATE 0u  /* the updater's (0 for ADADELTA, NOOP) */
#define S4J_RATE_MOMENTUM      1u  /* NESTEROVS: its momentum; else 0 */
#define S4J_RATE_L1            2u
#define S4J_RATE_L2            3u
#define S4J_RATE_WEIGHT_DECAY  4u  /* times the learning rate where applyLR */
#define S4J_RATE_WORDS         5u
#define S4J_UPDATE_WORDS      10u  /* weights' rates, then the bias' */

_Static_assert(S4J_RATE_WORDS == S4J_RATE_WEIGHT_DECAY + 1u,
               "S4J_RATE_WORDS must follow the last S4J_RATE_* word");
_Static_assert(S4J_UPDATE_WORDS == 2u * S4J_RATE_WORDS,
               "an update carries the weights' and the bias' rates");

/* Training, an L2 gradient normalization: the end of a mini-batch's
 * backward passes. The core computes its partial sums of squares of the
 * averaged gradient g / batch_size (its weights', its bias'), keeps them at
 * its position and sends them to its peers (NORM_KEYS sends, none without
 * peers); S4J_ERR_WRONG_KIND on a core without an L2 mode,
 * S4J_ERR_DUPLICATE_SYNC if it already did this mini-batch. */
int32_t s4j_norm_start(void *dtcm, uint32_t capacity, uint32_t batch_size,
                       s4j_outbox *out);

/* Training, a batch normalization's block in its mini-batch mode
 * (S4J_CFG_NORM_BATCH != 0), once it holds the rows of all batch samples of
 * the mini-batch (they arrived as any NORM block's, and were kept, nothing
 * sent): per column, the mini-batch's mean and biased variance (float sums in
 * sample order, then / batch), std = sqrt(var + eps), and each sample's
 * outputs ((x - mean) / std) * gamma + beta, sent sample after sample, each
 * sample's in the order and with the keys of a sample's completion (so a
 * core's k-th send is sample k / n_cols's). Keeps the mean, variance and
 * std for the backward pass and the update. S4J_ERR_WRONG_KIND on any other
 * core, S4J_ERR_BATCH_SIZE for a batch outside 1 .. NORM_BATCH,
 * S4J_ERR_BATCH_HELD unless it holds exactly batch samples, whole,
 * S4J_ERR_DUPLICATE_SYNC if it already ran in this mini-batch. */
int32_t s4j_batch_norm_forward(void *dtcm, uint32_t capacity, uint32_t batch,
                               s4j_outbox *out);

/* Training, the same block once every sample's delta is in (each kept, nothing
 * sent): per column the sums of delta and delta x^ (gamma's gradient, added
 * to weight row S4J_NORM_ROW_GAMMA's accumulator, and beta's, to the bias'),
 * and each sample's delta back in DL4J's own steps (dx^ = delta gamma,
 * dL/dvar = sum(dx^ (x - mean)) * -0.5 / std^3, dL/dmean = -sum(dx^) / std
 * + sum(x - mean) * (-2 / batch) * dL/dvar, then dx^ / std + (x - mean) *
 * dL/dvar * (2 / batch) + dL/dmean * (1 / batch), the two fractions computed
 * in double, rounded to float), sent sample after sample as a NORM block's
 * backward pass sends one sample's (a key per row, the other blocks'
 * channels 0; none without SENDS_BACKWARD). S4J_ERR_NO_FORWARD before
 * s4j_batch_norm_forward (or after this ran), S4J_ERR_BATCH_SIZE for
 * another batch than the forward's, S4J_ERR_BATCH_HELD unless all its
 * deltas are in. */
int32_t s4j_batch_norm_backward(void *dtcm, uint32_t capacity, uint32_t batch,
                                s4j_outbox *out);

/* Training, a batch normalization whose channels are spread over
 * NORM_BLOCKS > 1 blocks (S4J_CFG_NORM_CHANNELS): round `round` of its
 * exchange (S4J_BN_SUMS), whose partial sums per channel it keeps at its
 * NORM_BLOCK_INDEX and sends (key NORM_EXCHANGE_KEY_BASE + the sum's index),
 * the other blocks' arriving on its S4J_RANGE_BN_PARTIAL ranges at any time.
 * Round 0 once it holds its batch samples, whole (else S4J_ERR_BATCH_HELD);
 * round 1 once every block's round 0 is in (else S4J_ERR_EXCHANGE_INCOMPLETE),
 * from the mean = (the blocks' sums added in index order) / (batch x
 * NORM_PIXELS); s4j_batch_norm_forward once every round 1 is in, the
 * variance the blocks' sums of squares so added / (batch x NORM_PIXELS);
 * round 2 once its forward ran and every delta is in (else
 * S4J_ERR_BATCH_HELD); s4j_batch_norm_backward once every round 2 is in,
 * its sums the layer's: every column of a channel gets the channel's whole
 * gamma and beta gradients, so each block's update steps them, and the
 * running statistics, alike. S4J_ERR_EXCHANGE_ORDER for a round other than
 * the next (or one of NORM_BLOCKS 1: S4J_ERR_WRONG_KIND), S4J_ERR_BATCH_SIZE
 * for another batch than round 0's; the sends are S4J_BN_SUMS' of the round
 * (1, 2 or 4) x NORM_CHANNELS. */
int32_t s4j_batch_norm_exchange(void *dtcm, uint32_t capacity, uint32_t batch,
                                uint32_t round, s4j_outbox *out);

/* Training, a kernel copy (S4J_CFG_COPY_CHUNKS): the end of a mini-batch's
 * backward passes. The copy files its accumulated gradient of the chunks it
 * owns in its own share slots and sends that of every other chunk to the
 * chunk's owner; S4J_ERR_WRONG_KIND on a core that is no copy,
 * S4J_ERR_DUPLICATE_SYNC if it already did this mini-batch, S4J_ERR_INCOMPLETE
 * while it holds part of a sample or still waits for the last update's
 * parameters. */
int32_t s4j_share_start(void *dtcm, uint32_t capacity, s4j_outbox *out);

/* Training, a kernel copy after its update: sends the new values of the
 * chunks it owns to their other holders; S4J_ERR_INCOMPLETE before the
 * update, S4J_ERR_DUPLICATE_SYNC if it already sent them. */
int32_t s4j_param_send(void *dtcm, uint32_t capacity, s4j_outbox *out);

/* Training: the end of a mini-batch of batch_size samples. rates
 * (n_rates = S4J_UPDATE_WORDS words, S4J_RATE_*) become the current
 * learning rates, momentums and regularization coefficients of the weights'
 * and the bias' updaters; a weight decay needs one in the config
 * (S4J_ERR_BAD_ARGUMENT otherwise). Every gradient accumulator g becomes
 * g / batch_size (DL4J's miniBatch), is normalized (S4J_GRAD_NORM_*: an L2
 * mode needs s4j_norm_start and every peer's partials first, else
 * S4J_ERR_INCOMPLETE), l1 and l2 are added, the updater steps W (blocks)
 * and b (activators) with weight decay added to its update, then the
 * accumulators are zeroed. iteration counts the updates before this one
 * (the bias corrections of the Adam family). S4J_ERR_INCOMPLETE while the
 * core holds part of a sample. A kernel copy needs s4j_share_start and every
 * share of its chunks first (else S4J_ERR_INCOMPLETE); its gradient of each
 * chunk it owns is the shares added in position order, and it updates those
 * chunks alone (the others' owners send their new values). A batch
 * normalization's block (S4J_POOL_NORM) without NORM_BATCH trains for
 * score(DataSet) alone: S4J_ERR_WRONG_KIND. With it, after
 * s4j_batch_norm_backward (else S4J_ERR_INCOMPLETE) and for the same batch
 * (else S4J_ERR_BATCH_SIZE): gamma (weight row S4J_NORM_ROW_GAMMA) through
 * the weights' updater and beta (the bias) through the bias', as any
 * parameters; per column the running mean and statistic stepped as DL4J
 * does, every operation in float: mean' = mean - (mean - batch mean) *
 * DECAY_REST, the variance alike with the biased batch variance, or, with
 * LOG_STD, p = powf(10, s), v = p p, v' = v DECAY + batch variance *
 * DECAY_REST, s' = s - logf(v / v') * (float)(1 / (2 ln 10)); then std =
 * sqrt(var' + eps), var' = (float)pow(10, s') squared with LOG_STD (the
 * power in double, as the host derives std at load). */
int32_t s4j_apply_update(void *dtcm, uint32_t capacity, uint32_t batch_size,
                         uint32_t iteration, const float *rates,
                         uint32_t n_rates);

/* Training in S4J_ARITH_S16_15 (a fused block: s4j_check_config): the end
 * of a mini-batch, instead of s4j_apply_update (which refuses such a core,
 * S4J_ERR_WRONG_KIND, as this refuses a float one). The host computes the
 * constants per mini-batch (org.spinnaker4j.kernels.AccumUpdate: Sgd's
 * lr / batch, or Adam's 1 / batch, beta1, beta2, epsilon and bias-corrected
 * rate for this iteration; the rounding, seed, layer and iteration of the
 * random bits), `weights` with first_index the index in its layer of the
 * block's W[0][0]; W[i][j]'s is first_index + i row_stride + j, bias j's
 * bias_first + j. s4j_fix_sgd_step or s4j_fix_adam_step steps every weight
 * from its exact gradient sum, then every bias, the sums are zeroed and
 * `counts` adds what they counted. S4J_ERR_INCOMPLETE while the core holds
 * part of a sample (words of its forward pass too), S4J_ERR_BAD_ARGUMENT (nothing changed) for a constant the
 * step refuses. */
int32_t s4j_apply_fix_update(void *dtcm, uint32_t capacity, const s4j_fix_update_consts *weights,
                             uint32_t row_stride, uint32_t bias_first, s4j_fix_update_counts *counts);

/* Words of the host's dropout message to a training block, before a
 * mini-batch whose forward passes drop its layer's input (DL4J's Dropout:
 * x_i m_i / p, the backward pass's e_i times the same m_i / p): KEEP, p as a
 * float in (0, 1] (1: no dropout); STREAM, the mini-batch's stream key (the
 * host's mix of the network's seed, the iteration and the dropout's layer);
 * FIRST, the index in the layer's input of the block's row 0; GRADIENT, 1 if
 * the backward pass scales e_i too, 0 if not (DL4J's Convolution1DLayer drops
 * its input but does not mask the gradient it passes back). m_i = 1 when
 * s4j_drop_hash(STREAM, sample in the mini-batch, FIRST + i) < p x 2^32. */
#define S4J_DROP_KEEP     0u
#define S4J_DROP_STREAM   1u
#define S4J_DROP_FIRST    2u
#define S4J_DROP_GRADIENT 3u
#define S4J_DROP_WORDS    4u

_Static_assert(S4J_DROP_WORDS == S4J_DROP_GRADIENT + 1u,
               "S4J_DROP_WORDS must follow the last S4J_DROP_* word");

/* Training, a block of weights (a row convolution's too) or a MAX or AVG
 * pooling block: the dropout of the next mini-batch (S4J_DROP_*), which ends
 * with its update (s4j_apply_update); S4J_ERR_WRONG_KIND on any other core,
 * S4J_ERR_BAD_ARGUMENT for a p outside (0, 1] or a GRADIENT word other than
 * 0 or 1, S4J_ERR_INCOMPLETE while the
 * core holds part of a sample. */
int32_t s4j_dropout_set(void *dtcm, uint32_t capacity, const uint32_t *words,
                        uint32_t n_words);

/* The dropout hash of a value: murmur3's finalizer f applied as
 * f(f(stream ^ sample x 0x9E3779B9) ^ index x 0x85EBCA77) (32-bit
 * arithmetic). */
uint32_t s4j_drop_hash(uint32_t stream, uint32_t sample, uint32_t index);

/* Parameter arrays of a core (CoreArray.code()). */
#define S4J_ARRAY_WEIGHTS 0u  /* DENSE_BLOCK: n_rows*n_cols, row-major */
#define S4J_ARRAY_BIAS    1u  /* REDUCE or fused block: n_cols */

/* Copies array `which` (S4J_ARRAY_*) of slot `slot` into dest: 0 is the
 * parameters themselves (weights row-major, whatever order the core keeps
 * them in), k = 1 .. (updater arrays) the updater's state array
 * k (in the order of S4J_UPDATER_*'s comment: NESTEROVS: 1 = v; ADAM: 1 = m,
 * 2 = v; ...) of a training core, laid out like
 * the parameters; dest_len must equal the array's length. */
int32_t s4j_params(const void *dtcm, uint32_t capacity, uint32_t which,
                   uint32_t slot, float *dest, uint32_t dest_len);

/* Overwrites array `which` of slot `slot` (as s4j_params) with n values;
 * S4J_ERR_INCOMPLETE while the core holds part of a sample (its forward pass
 * done and its backward pass not, or labels or a backward pass half in). */
int32_t s4j_set_params(void *dtcm, uint32_t capacity, uint32_t which,
                       uint32_t slot, const float *values, uint32_t n);

/* Packets accepted on IGNORE ranges since load (saturates at UINT32_MAX). */
int32_t s4j_discarded(const void *dtcm, uint32_t capacity, uint32_t *count);

/* S4J_ARITH_S16_15: sums (and leakyrelu products) that saturated when rounded
 * to s16.15 since load (saturates at UINT32_MAX); 0 in float. */
int32_t s4j_saturated(const void *dtcm, uint32_t capacity, uint32_t *count);

/* Output activator: the partial loss of its last backward (0 before any). */
int32_t s4j_last_loss(const void *dtcm, uint32_t capacity, float *loss);

/* 1 if this build re-validates the state on every entry (S4J_CHECKED), else 0. */
int32_t s4j_checked(void);

#endif /* S4J_KERNELS_H */
