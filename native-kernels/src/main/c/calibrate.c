/*
 * ARM968 cost calibration harness for the spinnaker4j kernels (not part of
 * the Maven build; calibrate.sh runs it, see the `calibrate` target of the
 * Makefile).
 *
 * Built with arm-none-eabi-gcc (newlib, --specs=rdimon.specs) and run under
 * `qemu-arm -cpu arm946 -singlestep -d nochain,exec`, which logs one `Trace`
 * line per executed instruction. The harness drives the kernel API exactly
 * as the host does (s4j_parse_config, s4j_load, s4j_on_packet with an outbox
 * whose send just counts, s4j_apply_update) on a static buffer of
 * S4J_DTCM_BYTES, packing configs with the S4J_CFG_* and S4J_RANGE_WORD_*
 * offsets of s4j_kernels.h. Each scenario sets up its state, then runs the
 * work to be measured between calls of calib_begin() and calib_end();
 * calibrate.sh counts the instructions executed between the two and takes
 * the difference between two sizes of the scenario, so the fixed costs
 * cancel. It is built from the lean kernels, the code the simulator charges,
 * and measures a packet as a core's callback delivers it
 * (s4j_on_loaded_packet: the state and outbox are the core's own, checked at
 * load), not the host's checked entry (s4j_on_packet).
 *
 *   calibrate null N         N calls of an empty function shaped like
 *                            s4j_on_loaded_packet
 *   calibrate rows N K       N rows into a 64 x 8 DENSE_BLOCK, from row 63 down,
 *                            so none is multiplied in (row 0 never comes);
 *                            K IGNORE ranges sit before its DATA range
 *   calibrate accumulate R C row 0 of an (R + 1) x C DENSE_BLOCK whose rows 1 .. R-1
 *                            are in: it multiplies rows 0 .. R-1 into z
 *   calibrate rowconv W K C O  row 0 of a 2-D convolution's block run along
 *                            the rows (2 input rows of W columns, 1 channel;
 *                            kernel K wide, stride 1, no padding; output
 *                            columns 0 .. O-1, C channels each) whose rows 1 ..
 *                            W-1 are in: it multiplies the first input row in
 *                            (W rows, O K runs of C MACs)
 *   calibrate dmaaccumulate R C  rows 0 .. R-1 of an (R + 1) x C DENSE_BLOCK in
 *                            one s4j_on_rows call (a DMA buffer): each filed,
 *                            then all multiplied into z (row R never comes);
 *                            fixdmaaccumulate R C: the same on a fused s16.15
 *                            block, each word kept for its completion
 *   calibrate next R C       row R-2 of an R x C DENSE_BLOCK after rows 0 .. R-3:
 *                            multiplies one row, does not complete
 *   calibrate last R C       row R-1 after rows 0 .. R-2: multiplies one row and
 *                            completes the block (unfused: sends the sums)
 *   calibrate partials N     N partials into a 64-column REDUCE expecting 4 each,
 *                            one per output from each of its DATA ranges 1 to
 *                            3 (range 0's never come)
 *   calibrate act A C        the partial that completes a C-column training
 *                            REDUCE (one partial per output) with activation A:
 *                            its whole z at once
 *   calibrate column A C     as act A C on an inference REDUCE, which sends each
 *                            column once it and every earlier one are in:
 *                            column 0's partial, the others in first, so it
 *                            sends every column
 *   calibrate sink N         N values into a 64-column OUTPUT_SINK
 *   calibrate source C       the start event of a C-value INPUT_SOURCE
 *   calibrate fix F N [I]    N calls of the fixed-point function F (exp|div|
 *                            sigmoid|tanh|softplus|elu|softsign|swish|gelu|
 *                            selu|mish|rationaltanh of s4j_fixfunc.h, the
 *                            activations through s4j_fix_activate, elu's
 *                            alpha 1.0) on 256 inputs in turn, evenly spaced over its
 *                            range: exp's [-16, 0) (softmax's, after the max),
 *                            div's softmax quotients (e / s, s in [1, 11), e in
 *                            [0, s)), the activations' [-8, 8); every call on
 *                            input I (0 .. 255) if given
 *   calibrate fixnext R C [A], fixlast R C [A], fixrowconv W K C O,
 *                            fixsink N, fixsource C: next, last, rowconv,
 *                            sink and source in s16.15 (S4J_ARITH_S16_15):
 *                            blocks fused, of words, activating with A
 *                            (identity if not given; a dense block keeps its
 *                            words and multiplies them all in last's
 *                            completion); the source and sink of words
 *   calibrate fixwords R C   the words of rows 0 .. R-1 of an (R + 1) x C
 *                            fused s16.15 block, each kept for its completion
 *                            (row R never comes)
 *   calibrate fixrows N K    rows N K on a block that keeps its words: a
 *                            64-row MAX pooling block of words (8 positions x
 *                            8 channels), which pools them when the last
 *                            arrives (row 0 never comes)
 *   calibrate fixunfusednext R C, fixunfusedlast R C: next and last on an
 *                            unfused s16.15 block (its sums sent as halves)
 *   calibrate fixpool K P C [W KW S]  pool K P C [W KW S] in s16.15: the
 *                            row that completes a pooling block of words
 *                            (max, avg, or norm folded: x a + c rounded once)
 *   calibrate fixpartials N  N halves of 64-bit partials filed by an s16.15
 *                            reduce of 64 columns, 4 partials a column, from
 *                            its ranges 1 to 3, none completing
 *   calibrate fixburst N     the first N (up to 128) of range 1's halves on
 *                            that reduce in one s4j_on_partials call (a
 *                            block's partials read back from SDRAM);
 *                            burst N: N (up to 64) of range 1's partials on
 *                            the float reduce of `partials`
 *   calibrate fixrelay N     N words into a 64-column s16.15 relay, each column
 *                            forwarded as its word arrives
 *   calibrate fixcolumn A C  the half that completes every column of a C-column
 *                            s16.15 reduce of one partial a column (halves),
 *                            activating with A: streamed, softmax all at once
 *   calibrate fixsplit S C   one step of a fused s16.15 softmax block of 2 rows
 *                            x C columns spread over two cores, the packet that
 *                            starts it: S = max, its last row (sums rounded,
 *                            local max sent); sum, the peer's max (exponentials,
 *                            local sum sent); normalise, the peer's sum
 *                            (divisions, outputs sent)
 *   calibrate fixbackward R C S A  the error word that completes the backward
 *                            pass of a sample on an R x C fused s16.15 training
 *                            block of a hidden layer activating with A
 *                            (identity|relu|tanh|sigmoid): its delta, dW and db
 *                            and, S = 1, its rows' errors rounded and sent
 *   calibrate fixoutback R C A L  the label word that completes it on an output
 *                            layer's block, A L = softmax mcxent | identity mse
 *   calibrate fixbackvalue N N error words filed by a 16 x 64 fused s16.15
 *                            training block, none completing its sample
 *   calibrate fixtrainwords R C  fixwords R C on a training block (each word
 *                            also kept for the backward pass)
 *   calibrate fixtraindma R C  fixdmaaccumulate R C on a training block (its
 *                            words kept in its x ring and multiplied in)
 *   calibrate fixpanels R C  one call of s4j_fix_mac_panels on R x C random
 *                            words (the MACs of an inference block's
 *                            completion, besides the completion's own work)
 *   calibrate fixupdate U M R C  s4j_apply_fix_update (U = sgd|adam, rounding
 *                            M = nearest|stochastic) of an R x C fused s16.15
 *                            training block after one sample
 *   calibrate backward R C S the delta that completes an R x C training block's
 *                            deltas (dW += x delta; S = 1: also sends W delta)
 *   calibrate droprows N D   N rows into a 64 x 8 training DENSE_BLOCK, from row
 *                            63 down (none multiplied in), under dropout at
 *                            p 0.5 if D = 1 (s4j_dropout_set), without if 0
 *   calibrate dropback R C D as backward R C 1 with every x 0, under dropout at
 *                            p 0.5 if D = 1
 *   calibrate hidden A C     the backward partial that completes a C-column hidden
 *                            activator (REDUCE) with activation A
 *   calibrate poolback K P C [W KW S]  the backward partial that completes a
 *                            training K (max|avg|norm) pooling block of P positions x
 *                            C channels (or P rows of W pixels x C channels,
 *                            windows of KW pixels at stride S): its rows'
 *                            gradients found and sent
 *   calibrate bnforward B C  s4j_batch_norm_forward of a training norm block of C
 *                            channels in its mini-batch mode, holding B samples
 *   calibrate bnbackward B C s4j_batch_norm_backward of the same block (it sends
 *                            backward), after its forward and B samples' deltas
 *   calibrate bnupdate L C   s4j_apply_update (sgd) of the same block after a
 *                            mini-batch of 8, its statistic L = log|var
 *   calibrate bnexchange B C R  round R (0, 1, 2) of s4j_batch_norm_exchange of a
 *                            norm block in channel mode, C channels of one pixel
 *                            (a column each), 4 pixels a channel, at index 0 of 2
 *                            blocks, holding B samples (the other block's partials
 *                            of the earlier rounds in)
 *   calibrate bnchforward B C  s4j_batch_norm_forward of the same block, every
 *                            round 1 in
 *   calibrate bnchbackward B C s4j_batch_norm_backward of the same block, every
 *                            round 2 in
 *   calibrate bnblocks K     bnchforward 16 16 with K blocks (K - 1 others' sums)
 *   calibrate bnpartial N    N partial sums of the other block filed by the same
 *                            block (B = 16, C = 16), after its DATA and
 *                            BACKWARD_PARTIAL ranges
 *   calibrate droppool K P C D  as poolback K P C, under dropout at p 0.5 if
 *                            D = 1 (a DropoutLayer's: the gradients masked)
 *   calibrate outloss A L C [weighted]  the label that completes a C-column
 *                            output activator (REDUCE) with activation A and loss L
 *                            (per-output weights if 'weighted')
 *   calibrate update U R C [regularized|clipped]
 *                            s4j_apply_update of an R x C training block, updater U
 *                            (with l1, l2 and weight decay, clipped at 0.005, or
 *                            renormalized by the layer's L2 norm)
 *   calibrate normstart R C  s4j_norm_start of an R x C training block (per param
 *                            type: two partials sent)
 *   calibrate normvalue N    2 N peers' partials filed by a 4 x 4 training block
 *   calibrate sharestart R C s4j_share_start of a fused R x C training block that
 *                            holds a kernel copy and owns the first half of its
 *                            parameters (it files those, sends the others)
 *   calibrate sharevalue N   N shares filed by a fused 16 x 16 kernel copy that
 *                            owns all its parameters (after its DATA, LABEL ranges)
 *   calibrate copyupdate P   s4j_apply_update (sgd) of a fused 16 x 16 kernel copy
 *                            of P copies owning all its parameters, every share in
 *   calibrate paramsend R C  s4j_param_send of a fused R x C kernel copy owning all
 *                            its parameters, after its update
 *   calibrate paramvalue N   N new values filed by a fused 16 x 16 kernel copy that
 *                            owns none (after its DATA, LABEL ranges)
 *   calibrate split S C      one step of a C-column softmax REDUCE spread over two
 *                            cores (one peer; trains for S = dot, deltas), the
 *                            packet that starts it: S = max, the partial that
 *                            completes z (bias, local max sent); sum, the peer's
 *                            max (exponentials, local sum sent); normalise, the
 *                            peer's sum (division, outputs sent); dot, the
 *                            backward partial that completes e (local dot sent);
 *                            deltas, the peer's dot (deltas, db, deltas sent)
 *
 * A scenario name ending in 0 (accumulate0, dmaaccumulate0, next0, last0, backward0) runs it
 * with all weights and deltas 0 and all inputs 1, so every soft-float call
 * takes the same path: their counts are exactly linear in R, C and R x C,
 * which separates the per-row and per-column overheads from the
 * (operand-dependent) MACs.
 *
 * A = identity|relu|leakyrelu|sigmoid|tanh|softmax|hardtanh|softplus|elu|swish|
 *     gelu|selu|mish|softsign|rationaltanh|rectifiedtanh|cube|thresholdedrelu|relu6
 *     (alpha, thresholdedrelu's theta, is 0.01),
 * L = mse|l1|l2|mae|xent|mcxent|nll|hinge|squared_hinge|kld|poisson|cosine|mape|
 * msle|wasserstein, U = sgd|nesterovs|adam.
 * Exit status 0 on success; on error a message on stderr and status 1.
 */
#include "s4j_fixfunc.h"
#include "s4j_internal.h" /* s4j_fix_mac_panels */
#include "s4j_kernels.h"
#include "calib_harness.h" /* after s4j_kernels.h: calib_fix_consts */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 4096u
#define MAX_RANGES 32u
#define OUT_KEY    0x10000u
#define DATA_KEY   0x1000u
#define DELTA_KEY  0x2000u
#define BACK_KEY   0x3000u
#define LABEL_KEY  0x4000u
#define IGNORE_KEY 0x100u
#define NORM_KEY   0x5000u      /* this core's partials */
#define PEER_KEY   0x6000u      /* its peers' partials, two keys each */
#define SYNC_KEY   0x7000u      /* the peer's max, sum (and dot) */
#define SHARE_KEY  0x8000u      /* a kernel copy's peers' shares, 0x1000 apart */
#define PARAM_KEY  0xC000u      /* the new values of a kernel copy's other parameters */
#define BN_KEY     0xD000u      /* a batch normalization's exchange keys, 0x400 a block */

int32_t calib_null(void *dtcm, uint32_t key, uint32_t payload, s4j_outbox *out);

/* Same signature as s4j_on_loaded_packet, does nothing: the harness's own
 * loop. */
__attribute__((noinline)) int32_t calib_null(void *dtcm, uint32_t key, uint32_t payload,
                                             s4j_outbox *out)
{
    __asm__ volatile("" ::: "memory");
    (void)dtcm;
    (void)key;
    (void)payload;
    (void)out;
    return 0;
}

static uint32_t dtcm[S4J_DTCM_BYTES / 4u];
static uint32_t words[S4J_CONFIG_WORDS + MAX_RANGES * S4J_RANGE_WORDS + MAX_VALUES];
static float weights[MAX_VALUES];
static float bias[MAX_VALUES];
static uint32_t keys[MAX_VALUES];
static uint32_t payloads[MAX_VALUES];
static uint32_t sends;
static uint32_t rng = 12345u;
static int zeros;               /* dense0 / backward0: constant operands */

static int32_t count_send(void *ctx, uint32_t key, uint32_t payload)
{
    (void)key;
    (void)payload;
    ++*(uint32_t *)ctx;
    return 0;
}

static s4j_outbox outbox = { count_send, &sends, MAX_VALUES, 0u, 0u, 0u };

static void fail(const char *what, long code)
{
    fprintf(stderr, "calibrate: %s (%ld)\n", what, code);
    exit(1);
}

static uint32_t bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

/* Uniform in [lo, hi), deterministic. */
static float uniform(float lo, float hi)
{
    rng = rng * 1664525u + 1013904223u;
    return lo + (hi - lo) * (float)(rng >> 8) * (1.0f / 16777216.0f);
}

static uint32_t number(const char *s, uint32_t min, uint32_t max)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < (long)min || (unsigned long)v > max) {
        fail(s, v);
    }
    return (uint32_t)v;
}

/* A command-line name and the code it stands for. */
typedef struct named {
    const char *name;
    uint32_t code;
} named;

#define COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static uint32_t lookup(const char *s, const named *names, uint32_t n)
{
    uint32_t i;

    for (i = 0u; i < n; i++) {
        if (strcmp(s, names[i].name) == 0) {
            return names[i].code;
        }
    }
    fail(s, -1);
    return 0u;
}

static const named ACTS[] = {
    { "identity", S4J_ACT_IDENTITY }, { "relu", S4J_ACT_RELU },
    { "leakyrelu", S4J_ACT_LEAKYRELU }, { "sigmoid", S4J_ACT_SIGMOID },
    { "tanh", S4J_ACT_TANH }, { "softmax", S4J_ACT_SOFTMAX },
    { "hardtanh", S4J_ACT_HARDTANH }, { "softplus", S4J_ACT_SOFTPLUS },
    { "elu", S4J_ACT_ELU }, { "swish", S4J_ACT_SWISH },
    { "gelu", S4J_ACT_GELU }, { "selu", S4J_ACT_SELU },
    { "mish", S4J_ACT_MISH }, { "softsign", S4J_ACT_SOFTSIGN },
    { "rationaltanh", S4J_ACT_RATIONALTANH },
    { "rectifiedtanh", S4J_ACT_RECTIFIEDTANH }, { "cube", S4J_ACT_CUBE },
    { "thresholdedrelu", S4J_ACT_THRESHOLDEDRELU }, { "relu6", S4J_ACT_RELU6 }
};
static const named LOSSES[] = {
    { "none", S4J_LOSS_NONE }, { "mse", S4J_LOSS_MSE }, { "l1", S4J_LOSS_L1 },
    { "l2", S4J_LOSS_L2 }, { "mae", S4J_LOSS_MAE }, { "xent", S4J_LOSS_XENT },
    { "mcxent", S4J_LOSS_MCXENT }, { "nll", S4J_LOSS_NLL },
    { "hinge", S4J_LOSS_HINGE }, { "squared_hinge", S4J_LOSS_SQUARED_HINGE },
    { "kld", S4J_LOSS_KL_DIVERGENCE }, { "poisson", S4J_LOSS_POISSON },
    { "cosine", S4J_LOSS_COSINE_PROXIMITY },
    { "mape", S4J_LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR },
    { "msle", S4J_LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR },
    { "wasserstein", S4J_LOSS_WASSERSTEIN }
};
static const named POOLS[] = {
    { "max", S4J_POOL_MAX }, { "avg", S4J_POOL_AVG }, { "norm", S4J_POOL_NORM }
};
static const named UPDATERS[] = {
    { "sgd", S4J_UPDATER_SGD }, { "nesterovs", S4J_UPDATER_NESTEROVS },
    { "adam", S4J_UPDATER_ADAM }, { "adamax", S4J_UPDATER_ADAMAX },
    { "nadam", S4J_UPDATER_NADAM }, { "amsgrad", S4J_UPDATER_AMSGRAD },
    { "adagrad", S4J_UPDATER_ADAGRAD }, { "adadelta", S4J_UPDATER_ADADELTA },
    { "rmsprop", S4J_UPDATER_RMSPROP }, { "noop", S4J_UPDATER_NOOP }
};

typedef struct spec {
    uint32_t kind;
    uint32_t rows;
    uint32_t cols;
    uint32_t act;
    uint32_t partials;
    uint32_t ignore;            /* IGNORE ranges before the DATA ranges */
    uint32_t data_ranges;       /* REDUCE: DATA ranges (0: one) */
    uint32_t training;
    uint32_t updater;
    uint32_t loss;
    uint32_t expected_backward;
    uint32_t sends_backward;
    uint32_t regularized;       /* l1, l2 and weight decay on the weights */
    uint32_t clipped;           /* ClipElementWiseAbsoluteValue at 0.005 */
    uint32_t norm;              /* an L2 gradient normalization (S4J_GRAD_NORM_*) */
    uint32_t norm_peers;        /* its peers, at positions 1 .. norm_peers */
    uint32_t loss_weighted;     /* per-output loss weights */
    uint32_t softmax_peers;     /* one SOFTMAX_SYNC range per peer, after the others */
    uint32_t pool;              /* S4J_POOL_*: a pooling block of rows of pool_width pixels of
                                   pool_channels channels, the window pool_kernel_w pixels at stride
                                   pool_stride_w (1, 1, 1 along a sequence), cols its whole output row */
    uint32_t pool_channels;
    uint32_t pool_width;
    uint32_t pool_kernel_w;
    uint32_t pool_stride_w;
    uint32_t fused;             /* a fused block (training: an MSE output activator) */
    uint32_t copies;            /* a kernel copy, at position 0 of this many (0: none) */
    uint32_t owned;             /* its parameters 0 .. owned - 1 are its own, the rest
                                   another copy's */
    uint32_t row_kernel;        /* a row convolution's block: kernel width (0: none), */
    uint32_t row_width;         /* input width (1 channel, stride 1, no padding) */
    uint32_t row_channels;      /* and output channels, all held */
    uint32_t norm_batch;        /* a norm block's largest mini-batch (0: none) */
    uint32_t norm_log_std;      /* its statistic: log10 std (1) or variance */
    uint32_t norm_blocks;       /* channel mode (one channel a column, 4 pixels) over
                                   this many blocks, this one at index 0 (0: per column) */
    uint32_t fixed;             /* S4J_ARITH_S16_15: a fused block of words (fix* scenarios) */
    uint32_t halves;            /* an S16_15 reduce of 64-bit partials' halves (S4J_CFG_PARTIAL_HALVES) */
} spec;

static void range(uint32_t *n, uint32_t lo, uint32_t span, uint32_t local,
                  uint32_t kind)
{
    uint32_t *r = words + S4J_CONFIG_WORDS + *n * S4J_RANGE_WORDS;

    r[S4J_RANGE_WORD_KEY_LO] = lo;
    r[S4J_RANGE_WORD_KEY_HI] = lo + span;
    r[S4J_RANGE_WORD_LOCAL] = local;
    r[S4J_RANGE_WORD_KIND] = kind;
    (*n)++;
}

/* Packs a config as the host does, then s4j_parse_config + s4j_load. */
/* values[0 .. n) replaced by their s16.15 words (truncated: any word will do),
 * carried in the floats' bits as the fixed-point kernels take them. */
static void to_words(float *values, uint32_t n)
{
    uint32_t i;

    for (i = 0u; i < n; i++) {
        uint32_t w = (uint32_t)(int32_t)(values[i] * 32768.0f);

        memcpy(&values[i], &w, sizeof w);
    }
}

/* payloads[0 .. n), floats' bits, replaced by their s16.15 words. */
static void payload_words(uint32_t n)
{
    uint32_t i;

    for (i = 0u; i < n; i++) {
        float f;

        memcpy(&f, &payloads[i], sizeof f);
        payloads[i] = (uint32_t)(int32_t)(f * 32768.0f);
    }
}

static void load(const spec *s)
{
    s4j_config cfg;
    uint32_t n = 0u;
    uint32_t nw;
    uint32_t nb;
    uint32_t i;
    int32_t r;

    memset(words, 0, sizeof words);
    words[S4J_CFG_KIND] = s->kind;
    words[S4J_CFG_N_ROWS] = s->rows;
    words[S4J_CFG_N_COLS] = s->cols;
    words[S4J_CFG_ACTIVATION] = s->act;
    words[S4J_CFG_ALPHA] = bits(0.01f);
    words[S4J_CFG_FUSED] = s->fused;
    words[S4J_CFG_OUT_KEY_BASE] = OUT_KEY;
    words[S4J_CFG_EXPECTED_PARTIALS] = s->partials;
    if (s->training != 0u) {
        words[S4J_CFG_TRAINING] = 1u;
        words[S4J_CFG_UPDATER] = s->updater;
        words[S4J_CFG_LEARNING_RATE] = bits(0.01f);
        words[S4J_CFG_BETA1] = bits(0.9f);
        words[S4J_CFG_BETA2] = bits(0.999f);
        words[S4J_CFG_EPSILON] = bits(1e-8f);
        for (i = 0u; i < 5u; i++) { /* the bias' updater: the weights' */
            words[S4J_CFG_BIAS_UPDATER + i] = words[S4J_CFG_UPDATER + i];
        }
        words[S4J_CFG_LOSS] = s->loss;
        words[S4J_CFG_LAYER_OUTPUTS] = s->cols;
        words[S4J_CFG_DELTA_KEY_BASE] = 0x30000u;    /* delta keys of a reduce */
        words[S4J_CFG_BACKWARD_KEY_BASE] = 0x20000u; /* backward keys of a block */
        words[S4J_CFG_LOSS_KEY_BASE] = 0x40000u;     /* loss key */
        words[S4J_CFG_EXPECTED_BACKWARD] = s->expected_backward;
        words[S4J_CFG_SENDS_BACKWARD] = s->sends_backward;
        words[S4J_CFG_IN_FLIGHT] = s->norm_batch != 0u ? s->norm_batch : 1u;
        if (s->norm_batch != 0u) {
            words[S4J_CFG_NORM_BATCH] = s->norm_batch;
            words[S4J_CFG_NORM_DECAY] = bits(0.9f);
            words[S4J_CFG_NORM_DECAY_REST] = bits((float)(1.0 - 0.9));
            words[S4J_CFG_NORM_EPS] = bits(1e-5f);
            words[S4J_CFG_NORM_LOG_STD] = s->norm_log_std;
            words[S4J_CFG_NORM_BLOCKS] = 1u;
        }
        if (s->norm_blocks != 0u) {
            words[S4J_CFG_NORM_CHANNELS] = s->cols;
            words[S4J_CFG_NORM_PIXELS] = 4u;
            words[S4J_CFG_NORM_BLOCKS] = s->norm_blocks;
            words[S4J_CFG_NORM_EXCHANGE_KEY_BASE] = s->norm_blocks > 1u ? BN_KEY : 0u;
        }
        if (s->regularized != 0u) {
            words[S4J_CFG_L1] = bits(1e-4f);
            words[S4J_CFG_L2] = bits(1e-3f);
            words[S4J_CFG_WEIGHT_DECAY] = bits(1e-5f);
            words[S4J_CFG_WEIGHT_DECAY_TIMES] = 1u;
        }
        if (s->clipped != 0u) {
            /* the gradients lie in [-0.0125, 0.0125]: about 60 % are clipped */
            words[S4J_CFG_GRAD_NORM] = S4J_GRAD_NORM_CLIP_ELEMENT_WISE;
            words[S4J_CFG_GRAD_NORM_THRESHOLD] = bits(0.005f);
        }
        if (s->norm != 0u) {
            words[S4J_CFG_GRAD_NORM] = s->norm;
            words[S4J_CFG_GRAD_NORM_THRESHOLD] = bits(1.0f);
            words[S4J_CFG_NORM_KEY_BASE] = NORM_KEY;
            words[S4J_CFG_NORM_PEERS] = s->norm_peers;
        }
    }
    if (s->pool != S4J_POOL_NONE) {
        words[S4J_CFG_FUSED] = 1u;
        words[S4J_CFG_POOL] = s->pool;
        words[S4J_CFG_POOL_CHANNELS] = s->pool_channels;
        words[S4J_CFG_POOL_START] = s->pool == S4J_POOL_MAX ? bits(-3.402823e38f) : 0u;
        words[S4J_CFG_POOL_DIVISOR] = s->pool == S4J_POOL_AVG
            ? s->rows / (s->pool_channels * s->pool_width) : 0u;
        words[S4J_CFG_POOL_WIDTH] = s->pool_width;
        words[S4J_CFG_POOL_KERNEL_W] = s->pool_kernel_w;
        words[S4J_CFG_POOL_STRIDE_W] = s->pool_stride_w;
        words[S4J_CFG_POOL_OUT_WIDTH] = s->cols / s->pool_channels;
    }
    if (s->row_kernel != 0u) {
        words[S4J_CFG_ROW_KERNEL_W] = s->row_kernel;
        words[S4J_CFG_ROW_WIDTH] = s->row_width;
        words[S4J_CFG_ROW_CHANNELS_IN] = 1u;
        words[S4J_CFG_ROW_STRIDE] = 1u;
        words[S4J_CFG_ROW_CHANNELS_OUT] = s->row_channels;
        words[S4J_CFG_ROW_CHANNELS] = s->row_channels;
    }
    words[S4J_CFG_SOFTMAX_PEERS] = s->softmax_peers;
    words[S4J_CFG_SYNC_KEY_BASE] = 0x50000u;       /* own max, sum (and dot) */
    if (s->ignore + s->data_ranges + s->softmax_peers + 4u > MAX_RANGES) {
        fail("too many ranges", (long)s->ignore);
    }
    for (i = 0u; i < s->ignore; i++) {
        /* keys falling: no run of uniform ranges, each searched by a compare */
        range(&n, IGNORE_KEY + 16u * (s->ignore - i), 16u, 0u, S4J_RANGE_IGNORE);
    }
    if (s->kind != S4J_KIND_INPUT_SOURCE) {
        uint32_t span = s->kind == S4J_KIND_DENSE_BLOCK ? s->rows : s->cols * (s->halves + 1u);

        for (i = 0u; i < (s->data_ranges > 1u ? s->data_ranges : 1u); i++) {
            range(&n, DATA_KEY + i * span, span, 0u, S4J_RANGE_DATA);
        }
    }
    if (s->training != 0u) {
        if (s->kind == S4J_KIND_DENSE_BLOCK && s->fused == 0u) {
            range(&n, DELTA_KEY, s->cols, 0u, S4J_RANGE_DELTA);
        } else if (s->loss == S4J_LOSS_NONE) {
            range(&n, BACK_KEY, s->cols, 0u, S4J_RANGE_BACKWARD_PARTIAL);
        } else {
            range(&n, LABEL_KEY, s->cols, 0u, S4J_RANGE_LABEL);
        }
    }
    if (s->norm_peers + s->softmax_peers + n > MAX_RANGES) {
        fail("too many norm or softmax peers", (long)(s->norm_peers + s->softmax_peers));
    }
    for (i = 0u; i < s->norm_peers; i++) {
        range(&n, PEER_KEY + 2u * i, 2u, 1u + i, S4J_RANGE_NORM);
    }
    for (i = 0u; i < s->softmax_peers; i++) {
        uint32_t keys_per_peer = s->training != 0u ? S4J_SYNC_KEYS_TRAINING : S4J_SYNC_KEYS;

        range(&n, SYNC_KEY + 4u * i, keys_per_peer, i, S4J_RANGE_SOFTMAX_SYNC);
    }
    if (s->copies != 0u) {
        uint32_t params = s->rows * s->cols + s->cols;
        uint32_t c = 0u;
        uint32_t first = n;
        uint32_t *chunk;

        words[S4J_CFG_COPY_SLOTS] = s->copies;
        words[S4J_CFG_COPY_OWNED] = s->owned;
        words[S4J_CFG_COPY_SHARES] = s->owned * (s->copies - 1u);
        words[S4J_CFG_COPY_PARAMS] = params - s->owned;
        for (i = 1u; i < s->copies && s->owned != 0u; i++) {
            range(&n, SHARE_KEY + i * 0x1000u, s->owned, i * s->owned, S4J_RANGE_SHARE);
        }
        if (s->owned < params) {
            range(&n, PARAM_KEY, params - s->owned, s->owned, S4J_RANGE_PARAM);
        }
        words[S4J_CFG_COPY_RANGES] = n - first;
        chunk = words + S4J_CONFIG_WORDS + n * S4J_RANGE_WORDS;
        if (s->owned != 0u) {
            chunk[S4J_CHUNK_WORD_LO] = 0u;
            chunk[S4J_CHUNK_WORD_HI] = s->owned;
            chunk[S4J_CHUNK_WORD_SLOT] = 0u;
            chunk[S4J_CHUNK_WORD_KEY] = OUT_KEY + 0x8000u;
            chunk += S4J_CHUNK_WORDS;
            c++;
        }
        if (s->owned < params) {
            chunk[S4J_CHUNK_WORD_LO] = s->owned;
            chunk[S4J_CHUNK_WORD_HI] = params;
            chunk[S4J_CHUNK_WORD_SLOT] = S4J_CHUNK_NOT_OWNED;
            chunk[S4J_CHUNK_WORD_KEY] = OUT_KEY + 0x9000u;
            c++;
        }
        words[S4J_CFG_COPY_CHUNKS] = c;
    }
    if (s->norm_blocks + n > MAX_RANGES) {
        fail("too many batch normalization blocks", (long)s->norm_blocks);
    }
    for (i = 1u; i < s->norm_blocks; i++) {
        /* the other blocks' exchange keys, after every other range */
        range(&n, BN_KEY + 0x400u * i, S4J_BN_SUMS * s->cols, i * S4J_BN_SUMS * s->cols,
              S4J_RANGE_BN_PARTIAL);
    }
    words[S4J_CFG_N_RANGES] = n;
    if (s->loss_weighted != 0u) {
        if (s->cols > MAX_VALUES) {
            fail("too many loss weights", (long)s->cols);
        }
        words[S4J_CFG_LOSS_WEIGHTED] = 1u;
        for (i = 0u; i < s->cols; i++) {
            words[S4J_CONFIG_WORDS + n * S4J_RANGE_WORDS + i] = bits(uniform(0.5f, 2.0f));
        }
    }
    nw = s->kind != S4J_KIND_DENSE_BLOCK ? 0u
       : s->pool == S4J_POOL_NORM ? S4J_NORM_ROWS * s->cols
       : s->pool != S4J_POOL_NONE ? 0u
       : s->row_kernel != 0u ? s->rows / s->row_width * s->row_kernel * s->row_channels
       : s->rows * s->cols;
    nb = s->kind == S4J_KIND_REDUCE || s->fused != 0u || s->pool != S4J_POOL_NONE ? s->cols : 0u;
    if (nw > MAX_VALUES || nb > MAX_VALUES) {
        fail("block too large", (long)nw);
    }
    for (i = 0u; i < nw; i++) {
        weights[i] = zeros ? 0.0f : uniform(-1.0f, 1.0f);
    }
    if (s->pool == S4J_POOL_NORM) {
        /* a statistic either kind takes: a variance, or a log10 std */
        for (i = 2u * s->cols; i < 3u * s->cols; i++) {
            weights[i] = uniform(0.2f, 1.2f);
        }
    }
    /* a value drawn per column, so the operands that follow stay the same,
     * but a row convolution's block holds one per channel */
    for (i = 0u; i < nb; i++) {
        bias[i] = uniform(-0.5f, 0.5f);
    }
    if (s->row_kernel != 0u && nb != 0u) {
        nb = s->row_channels;
    }
    if (s->fixed != 0u) {
        words[S4J_CFG_ARITHMETIC] = S4J_ARITH_S16_15;
        words[S4J_CFG_PARTIAL_HALVES] = s->halves;
        words[S4J_CFG_ALPHA] = 0u;
        to_words(weights, nw);
        to_words(bias, nb);
    }
    r = s4j_parse_config(words, S4J_CONFIG_WORDS + n * S4J_RANGE_WORDS
                         + (s->loss_weighted != 0u ? s->cols : 0u)
                         + words[S4J_CFG_COPY_CHUNKS] * S4J_CHUNK_WORDS, &cfg);
    if (r != S4J_OK) {
        fail("s4j_parse_config", r);
    }
    r = s4j_load(dtcm, S4J_DTCM_BYTES, &cfg, weights, nw, bias, nb);
    if (r != S4J_OK) {
        fail("s4j_load", r);
    }
}

/* keys[from..to) = base + i - from, payloads uniform in [lo, hi)
 * (zeros: all equal to fixed). */
static void packets(uint32_t from, uint32_t to, uint32_t base, float lo, float hi,
                    float fixed)
{
    uint32_t i;

    if (to > MAX_VALUES) {
        fail("too many packets", (long)to);
    }
    for (i = from; i < to; i++) {
        keys[i] = base + (i - from);
        payloads[i] = bits(zeros ? fixed : uniform(lo, hi));
    }
}

/* A pooling block's shape from `pool K P C [W KW S]` (argv[2] ..): P
 * positions x C channels, or P image rows of W pixels x C channels pooled by
 * windows of KW pixels at stride S; its columns its whole output row. */
static void pool_shape(spec *s, int argc, char **argv)
{
    s->kind = S4J_KIND_DENSE_BLOCK;
    s->pool = lookup(argv[2], POOLS, sizeof POOLS / sizeof POOLS[0]);
    s->pool_channels = number(argv[4], 1u, MAX_VALUES);
    s->pool_width = argc == 8 ? number(argv[5], 1u, MAX_VALUES / s->pool_channels) : 1u;
    s->pool_kernel_w = argc == 8 ? number(argv[6], 1u, s->pool_width) : 1u;
    s->pool_stride_w = argc == 8 ? number(argv[7], 1u, s->pool_width) : 1u;
    s->cols = ((s->pool_width - s->pool_kernel_w) / s->pool_stride_w + 1u) * s->pool_channels;
    s->rows = number(argv[3], 1u, MAX_VALUES / (s->pool_width * s->pool_channels))
        * s->pool_width * s->pool_channels;
}

/* Delivers packets [from, to) outside the measured region. */
static void deliver(uint32_t from, uint32_t to)
{
    uint32_t i;

    for (i = from; i < to; i++) {
        int32_t r = s4j_on_packet(dtcm, S4J_DTCM_BYTES, keys[i], payloads[i], &outbox);
        if (r < 0) {
            fail("s4j_on_packet", r);
        }
    }
}

/* Delivers packets [from, to) inside the measured region. */
static void measure(uint32_t from, uint32_t to)
{
    int32_t worst = 0;
    uint32_t i;

    calib_begin();
    for (i = from; i < to; i++) {
        int32_t r = s4j_on_loaded_packet(dtcm, keys[i], payloads[i], &outbox);
        worst = r < worst ? r : worst;
    }
    calib_end();
    if (worst < 0) {
        fail("s4j_on_loaded_packet", worst);
    }
}

/* Rows [from, to) of the loaded block, their payloads, in one s4j_on_rows
 * call, measured. */
static void measure_rows(uint32_t from, uint32_t to)
{
    int32_t r;

    calib_begin();
    r = s4j_on_rows(dtcm, S4J_DTCM_BYTES, from, to - from, payloads + from, &outbox);
    calib_end();
    if (r < 0) {
        fail("s4j_on_rows", r);
    }
}

/* Packets [0, n) of the loaded reduce, consecutive keys from keys[0], in one
 * s4j_on_partials call (a block's partial sums read back from SDRAM),
 * measured. */
static void measure_partials(uint32_t n)
{
    int32_t r;

    calib_begin();
    r = s4j_on_partials(dtcm, S4J_DTCM_BYTES, keys[0], n, payloads, &outbox);
    calib_end();
    if (r < 0) {
        fail("s4j_on_partials", r);
    }
}

/* The other blocks' partial sums of round r delivered (s->norm_blocks,
 * channel mode), or the first `filed` sums of block 1, measured. */
static void bn_partials(const spec *s, uint32_t r, uint32_t filed)
{
    static const uint32_t first[S4J_BN_ROUNDS] = {0u, 1u, 3u};
    static const uint32_t width[S4J_BN_ROUNDS] = {1u, 2u, 4u};
    uint32_t q;

    if (filed != 0u) {
        packets(0u, filed, BN_KEY + 0x400u, 0.5f, 1.5f, 1.0f);
        measure(0u, filed);
        return;
    }
    for (q = 1u; q < s->norm_blocks; q++) {
        uint32_t lo = BN_KEY + 0x400u * q + first[r] * s->cols;

        packets(0u, width[r] * s->cols, lo, 0.5f, 1.5f, 1.0f);
        deliver(0u, width[r] * s->cols);
    }
}

/* A channel-mode norm block's event `what` (0 .. 2 an exchange round, 3 its
 * forward, 4 its backward), measured if it is `step`. */
static void bn_event(const spec *s, uint32_t what, uint32_t step)
{
    int32_t e;

    if (what == step) {
        calib_begin();
    }
    e = what < S4J_BN_ROUNDS
        ? s4j_batch_norm_exchange(dtcm, S4J_DTCM_BYTES, s->norm_batch, what, &outbox)
        : what == 3u ? s4j_batch_norm_forward(dtcm, S4J_DTCM_BYTES, s->norm_batch, &outbox)
        : s4j_batch_norm_backward(dtcm, S4J_DTCM_BYTES, s->norm_batch, &outbox);
    if (what == step) {
        calib_end();
    }
    if (e < 0) {
        fail("a batch normalization's exchange", e);
    }
}

/* The mini-batch of a norm block in channel mode (s: its batch, columns and
 * blocks) up to step `step`, measured: exchange round 0 .. 2, 3 its forward,
 * 4 its backward, 5 `filed` partials of another block filed. */
static void bn_channel_run(spec *s, uint32_t step, uint32_t filed)
{
    uint32_t b;

    s->kind = S4J_KIND_DENSE_BLOCK;
    s->pool = S4J_POOL_NORM;
    s->fused = 1u;
    s->rows = s->cols;
    s->pool_channels = s->cols;
    s->pool_width = 1u;
    s->pool_kernel_w = 1u;
    s->pool_stride_w = 1u;
    s->training = 1u;
    s->expected_backward = 1u;
    s->sends_backward = 1u;
    load(s);
    for (b = 0u; b < s->norm_batch; b++) {
        packets(0u, s->rows, DATA_KEY, -1.0f, 2.0f, 1.0f);
        deliver(0u, s->rows);
    }
    if (step == 5u) {
        bn_partials(s, 0u, filed);
        return;
    }
    bn_event(s, 0u, step);
    bn_partials(s, 0u, 0u);
    if (step > 0u) {
        bn_event(s, 1u, step);
        bn_partials(s, 1u, 0u);
    }
    if (step < 2u) {
        return;
    }
    bn_event(s, 3u, step);
    for (b = 0u; b < s->norm_batch && step != 3u; b++) {
        packets(0u, s->cols, BACK_KEY, -0.5f, 0.5f, 0.0f);
        deliver(0u, s->cols);
    }
    if (step == 2u || step == 4u) {
        bn_event(s, 2u, step);
        bn_partials(s, 2u, 0u);
    }
    if (step == 4u) {
        bn_event(s, 4u, step);
    }
}

/* A fused R x C MSE output block holding a kernel copy of `copies`, owning
 * its first `owned` parameters (sgd). */
static void copy_block(spec *s, uint32_t rows, uint32_t cols, uint32_t copies, uint32_t owned)
{
    s->kind = S4J_KIND_DENSE_BLOCK;
    s->fused = 1u;
    s->rows = rows;
    s->cols = cols;
    s->training = 1u;
    s->updater = S4J_UPDATER_SGD;
    s->loss = S4J_LOSS_MSE;
    s->copies = copies;
    s->owned = owned;
}

/* One sample's forward and backward pass of a fused output block, so its
 * accumulators hold real gradients. */
/* A loaded training block's dropout at p 0.5 (on = 1), or none. */
static void dropout(uint32_t on)
{
    uint32_t drop[S4J_DROP_WORDS];
    int32_t r;

    drop[S4J_DROP_KEEP] = bits(on != 0u ? 0.5f : 1.0f);
    drop[S4J_DROP_STREAM] = 0x2545F491u;
    drop[S4J_DROP_FIRST] = 0u;
    drop[S4J_DROP_GRADIENT] = 1u;
    r = s4j_dropout_set(dtcm, S4J_DTCM_BYTES, drop, S4J_DROP_WORDS);
    if (r != S4J_OK) {
        fail("s4j_dropout_set", r);
    }
}

static void one_sample(const spec *s)
{
    packets(0u, s->rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
    packets(s->rows, s->rows + s->cols, LABEL_KEY, 0.0f, 1.0f, 0.0f);
    deliver(0u, s->rows + s->cols);
}

/* A training block's inputs, x in [x_lo, x_hi) (zeros: 1), then its deltas:
 * every packet delivered but the last `measured` deltas, which are measured. */
static void inputs_and_deltas(const spec *s, float x_lo, float x_hi, uint32_t measured)
{
    uint32_t n = s->rows + s->cols;

    packets(0u, s->rows, DATA_KEY, x_lo, x_hi, 1.0f);
    packets(s->rows, n, DELTA_KEY, -0.1f, 0.1f, 0.0f);
    deliver(0u, n - measured);
    if (measured != 0u) {
        measure(n - measured, n);
    }
}

/* n rows into a loaded 64-row block, from row 63 down (none multiplied in:
 * row 0 never comes), measured. */
static void rows_down(const spec *s, uint32_t n)
{
    uint32_t k;

    packets(0u, s->rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
    for (k = 0u; k < n; k++) {
        keys[k] = DATA_KEY + s->rows - 1u - k; /* rows 63, 62, ... */
    }
    measure(0u, n);
}

/* A kernel event with no argument of its own (`name`), measured. */
static void measure_event(int32_t (*event)(void *dtcm, uint32_t capacity, s4j_outbox *out),
                          const char *name)
{
    int32_t r;

    calib_begin();
    r = event(dtcm, S4J_DTCM_BYTES, &outbox);
    calib_end();
    if (r < 0) {
        fail(name, r);
    }
}

/* A kernel copy after a sample and its shares, every other copy's share of
 * its parameters filed: its update (sgd), measured if `measured`. */
static void update_copy(const spec *s, int measured)
{
    float rates[S4J_UPDATE_WORDS] = {0.0f};
    uint32_t p;
    int32_t r;

    one_sample(s);
    r = s4j_share_start(dtcm, S4J_DTCM_BYTES, &outbox);
    if (r < 0) {
        fail("s4j_share_start", r);
    }
    for (p = 1u; p < s->copies && s->owned != 0u; p++) {
        packets(0u, s->owned, SHARE_KEY + 0x1000u * p, -0.1f, 0.1f, 0.0f);
        deliver(0u, s->owned);
    }
    rates[S4J_RATE_LEARNING_RATE] = 0.01f;
    rates[S4J_RATE_WORDS + S4J_RATE_LEARNING_RATE] = 0.01f;
    if (measured) {
        calib_begin();
    }
    r = s4j_apply_update(dtcm, S4J_DTCM_BYTES, 8u, 0u, rates, S4J_UPDATE_WORDS);
    if (measured) {
        calib_end();
    }
    if (r != S4J_OK) {
        fail("s4j_apply_update", r);
    }
}

/* `fixsplit S C`: one step of a fused s16.15 softmax block of 2 rows x C
 * columns spread over two cores (one peer), the packet that starts it:
 * S = max, its last row (multiplied in; the sums rounded, the local max
 * sent); sum, the peer's max (exponentials, local sum sent); normalise, the
 * peer's sum (divisions, outputs sent). */
static void fix_split(spec *s, const char *step_name, uint32_t cols)
{
    static const named STEPS[] = { { "max", 0u }, { "sum", 1u }, { "normalise", 2u } };
    uint32_t step = lookup(step_name, STEPS, COUNT(STEPS));
    uint32_t n;

    s->kind = S4J_KIND_DENSE_BLOCK;
    s->fixed = 1u;
    s->fused = 1u;
    s->act = S4J_ACT_SOFTMAX;
    s->rows = 2u;
    s->cols = cols;
    s->softmax_peers = 1u;
    load(s);
    packets(0u, s->rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
    payload_words(s->rows);
    /* the peer's max below every local sum (-64.0), its sum of e words (C/2) */
    keys[s->rows] = SYNC_KEY;
    payloads[s->rows] = (uint32_t)(INT32_C(-64) * (INT32_C(1) << S4J_FIX_FRACTION_BITS));
    keys[s->rows + 1u] = SYNC_KEY + 1u;
    payloads[s->rows + 1u] = cols << (S4J_FIX_FRACTION_BITS - 1u);
    n = s->rows - 1u + step;
    deliver(0u, n);
    measure(n, n + 1u);
}

/* `fixpartials N`, `fixburst N`, `fixrelay N`, `fixcolumn A C`: an S16_15 reduce, its
 * packets measured. fixpartials: N halves of 64-bit partials filed by a
 * 64-column reduce of 4 partials a column (range 1 + k / 128 sends half
 * k % 128),
 * no column completing; fixrelay: N words into a 64-column relay (a reduce of
 * one word a column, zero bias), each column forwarded as it arrives;
 * fixcolumn: the half that completes a C-column reduce of one partial a
 * column, activating with A, column 0's high half last, so it completes every
 * column (streamed, or with A = softmax all at once). */
/* payloads[0 .. n) for keys[0 .. n) from DATA_KEY on, halves of 64-bit
 * partials of 2^-30 units (key 2j the low half of column j's, 2j + 1 the
 * high): each partial in [-1.9, 1.9), its high half its sign. */
static void half_payloads(uint32_t n)
{
    uint32_t i;

    for (i = 0u; i < n; i++) {
        int32_t w = (int32_t)(uniform(-1.9f, 1.9f) * 1073741824.0f);

        payloads[i] = ((keys[i] - DATA_KEY) & 1u) == 0u ? (uint32_t)w : w < 0 ? 0xFFFFFFFFu : 0u;
    }
}

static void fix_reduce(spec *s, const char *what, int argc, char **argv)
{
    uint32_t n;

    s->kind = S4J_KIND_REDUCE;
    s->fixed = 1u;
    s->partials = 1u;
    if (strcmp(what, "fixcolumn") == 0 && argc == 4) {
        s->halves = 1u;
        s->act = lookup(argv[2], ACTS, COUNT(ACTS));
        s->cols = number(argv[3], 1u, MAX_VALUES / 2u);
        load(s);
        n = 2u * s->cols;
        packets(0u, n, DATA_KEY, -4.0f, 4.0f, 1.0f);
        keys[1] = DATA_KEY + n - 1u;
        keys[n - 1u] = DATA_KEY + 1u;
        half_payloads(n);
        deliver(0u, n - 1u);
        measure(n - 1u, n);
        return;
    }
    if (argc != 3 || (strcmp(what, "fixpartials") != 0 && strcmp(what, "fixrelay") != 0
                      && strcmp(what, "fixburst") != 0)) {
        fail("usage: calibrate fixpartials N | fixburst N | fixrelay N | fixcolumn A C", argc);
    }
    s->cols = 64u;
    if (what[3] != 'r') {
        s->halves = 1u;
        s->partials = 4u;
        s->data_ranges = 4u;
    }
    load(s);
    n = number(argv[2], 1u, what[3] == 'p' ? 3u * 2u * s->cols - 1u
                            : what[3] == 'b' ? 2u * s->cols : s->cols - 1u);
    /* a reduce's halves from range 1 on, as partials' (a burst's all range 1's) */
    packets(0u, n, what[3] == 'r' ? DATA_KEY : DATA_KEY + 2u * s->cols, -2.0f, 2.0f, 0.0f);
    if (s->halves != 0u) {
        half_payloads(n);
    } else {
        payload_words(n);
    }
    if (what[3] == 'b') {
        measure_partials(n);
    } else {
        measure(0u, n);
    }
}

/* `fix F N [I]`: N calls of the fixed-point function `name`, measured. */
static void fix_calls(const char *name, uint32_t n, int at)
{
    static const named FIXFUNCS[] = {
        { "exp", 0u }, { "div", 1u }, { "sigmoid", S4J_ACT_SIGMOID }, { "tanh", S4J_ACT_TANH },
        { "softplus", S4J_ACT_SOFTPLUS }, { "elu", S4J_ACT_ELU }, { "softsign", S4J_ACT_SOFTSIGN },
        { "swish", S4J_ACT_SWISH }, { "gelu", S4J_ACT_GELU }, { "selu", S4J_ACT_SELU }, { "mish", S4J_ACT_MISH },
        { "rationaltanh", S4J_ACT_RATIONALTANH }
    };
    static int32_t a[256];
    static int32_t b[256];
    uint32_t f = lookup(name, FIXFUNCS, COUNT(FIXFUNCS));
    int32_t one = (int32_t)1 << S4J_FIX_FRACTION_BITS;
    int32_t i;
    uint32_t k;

    for (i = 0; i < 256; i++) {
        int32_t j = at >= 0 ? at : i;

        a[i] = f == 0u ? -16 * one + j * one / 16 : -8 * one + j * one / 16;
        b[i] = one + j * (one / 256) * 10;          /* s in [1, 11) */
        if (f == 1u) {
            a[i] = (int32_t)(((int64_t)b[i] * ((j * 37) % 256)) / 256); /* e in [0, s) */
        }
    }
    calib_begin();
    for (k = 0u; k < n; k++) {
        uint32_t x = k & 255u;
        int32_t y = f == 0u ? s4j_fix_exp(a[x]) : f == 1u ? s4j_fix_div(a[x], b[x])
                    : s4j_fix_activate(f, one, a[x]);

        __asm__ volatile("" : : "r"(y)); /* the result used */
    }
    calib_end();
}

/* A fused s16.15 training block (s4j_fixtrain.c): R x C words, updater
 * `updater`, a hidden layer's (activation act, loss NONE, one error word a
 * column) or an output layer's (loss), sending its rows' errors back if
 * sends (its layer's width: its columns). */
static void fix_training_block(spec *s, uint32_t rows, uint32_t cols, uint32_t act, uint32_t loss,
                               uint32_t sends, uint32_t updater)
{
    s->kind = S4J_KIND_DENSE_BLOCK;
    s->fixed = 1u;
    s->fused = 1u;
    s->training = 1u;
    s->rows = rows;
    s->cols = cols;
    s->act = act;
    s->loss = loss;
    s->expected_backward = loss == S4J_LOSS_NONE ? 1u : 0u;
    s->sends_backward = sends;
    s->updater = updater;
    load(s);
}

/* One sample on a loaded fused s16.15 training block: its rows (words in
 * [0, 1)), then its error words in [-0.1, 0.1) (a hidden block) or labels
 * (an output block: one-hot, or in [0, 1) for MSE), every packet delivered
 * but the last `measured`, which are measured. */
static void fix_sample(const spec *s, uint32_t measured)
{
    uint32_t n = s->rows + s->cols;
    uint32_t i;

    packets(0u, s->rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
    if (s->loss == S4J_LOSS_NONE) {
        packets(s->rows, n, BACK_KEY, -0.1f, 0.1f, 0.0f);
    } else {
        packets(s->rows, n, LABEL_KEY, 0.0f, 1.0f, 0.0f);
        for (i = s->rows; i < n && s->loss == S4J_LOSS_MCXENT; i++) {
            payloads[i] = bits(i == s->rows + 1u ? 1.0f : 0.0f);
        }
    }
    payload_words(n);
    deliver(0u, n - measured);
    if (measured != 0u) {
        measure(n - measured, n);
    }
}

/* `fixpanels R C`: one call of s4j_fix_mac_panels on R words and R x C
 * weights (the calibration's weights and payloads as words), into C sums. */
static void fix_panels(uint32_t rows, uint32_t cols)
{
    static uint32_t sums[2u * 64u];
    uint32_t i;

    for (i = 0u; i < rows * cols; i++) {
        weights[i] = uniform(-1.0f, 1.0f);
    }
    to_words(weights, rows * cols);
    packets(0u, rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
    payload_words(rows);
    calib_begin();
    s4j_fix_mac_panels(sums, (const int32_t *)(const void *)weights, (const int32_t *)(const void *)payloads,
                       rows, cols);
    calib_end();
}

/* `fixbackward R C S A`, `fixoutback R C A L`, `fixbackvalue N`,
 * `fixtrainwords R C`, `fixupdate U M R C`: s16.15 training on a fused block,
 * as the usage above says. */
static void fix_train(spec *s, const char *what, int argc, char **argv)
{
    static const named LOSS_OF[] = { { "mcxent", S4J_LOSS_MCXENT }, { "mse", S4J_LOSS_MSE } };
    static const named MODES[] = {
        { "nearest", S4J_FIXUPD_NEAREST }, { "stochastic", S4J_FIXUPD_STOCHASTIC }
    };

    if (strcmp(what, "fixbackward") == 0 && argc == 6) {
        fix_training_block(s, number(argv[2], 1u, 64u), number(argv[3], 1u, 64u), lookup(argv[5], ACTS, COUNT(ACTS)),
                           S4J_LOSS_NONE, number(argv[4], 0u, 1u), S4J_UPDATER_SGD);
        fix_sample(s, 1u);
    } else if (strcmp(what, "fixoutback") == 0 && argc == 6) {
        fix_training_block(s, number(argv[2], 1u, 64u), number(argv[3], 1u, 64u), lookup(argv[4], ACTS, COUNT(ACTS)),
                           lookup(argv[5], LOSS_OF, COUNT(LOSS_OF)), 0u, S4J_UPDATER_SGD);
        fix_sample(s, 1u);
    } else if (strcmp(what, "fixbackvalue") == 0 && argc == 3) {
        uint32_t n = number(argv[2], 1u, 63u);

        fix_training_block(s, 16u, 64u, S4J_ACT_RELU, S4J_LOSS_NONE, 0u, S4J_UPDATER_SGD);
        fix_sample(s, 0u); /* one whole sample, so the next one's words find it done */
        packets(0u, s->rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
        packets(s->rows, s->rows + n, BACK_KEY, -0.1f, 0.1f, 0.0f);
        payload_words(s->rows + n);
        deliver(0u, s->rows);
        measure(s->rows, s->rows + n);
    } else if ((strcmp(what, "fixtrainwords") == 0 || strcmp(what, "fixtraindma") == 0) && argc == 4) {
        fix_training_block(s, number(argv[2], 1u, 63u) + 1u, number(argv[3], 1u, 64u), S4J_ACT_RELU, S4J_LOSS_NONE,
                           0u, S4J_UPDATER_SGD);
        packets(0u, s->rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
        payload_words(s->rows);
        if (strcmp(what, "fixtraindma") == 0) {
            measure_rows(0u, s->rows - 1u); /* in one s4j_on_rows call */
        } else {
            measure(0u, s->rows - 1u);
        }
    } else if (strcmp(what, "fixupdate") == 0 && argc == 6) {
        uint32_t adam = strcmp(argv[2], "adam") == 0 ? 1u : 0u;
        s4j_fix_update_consts c;
        s4j_fix_update_counts counts = { 0u, 0u, 0u, 0u };
        int32_t r;

        if (!adam && strcmp(argv[2], "sgd") != 0) {
            fail(argv[2], -1);
        }
        fix_training_block(s, number(argv[4], 1u, 64u), number(argv[5], 1u, 64u), S4J_ACT_IDENTITY, S4J_LOSS_NONE,
                           0u, adam ? S4J_UPDATER_ADAM : S4J_UPDATER_SGD);
        fix_sample(s, 0u);
        calib_fix_consts(&c, (int)adam, lookup(argv[3], MODES, COUNT(MODES)), 1);
        calib_begin();
        r = s4j_apply_fix_update(dtcm, S4J_DTCM_BYTES, &c, s->cols, s->rows * s->cols, &counts);
        calib_end();
        if (r != S4J_OK) {
            fail("s4j_apply_fix_update", r);
        }
    } else {
        fail("usage: calibrate fixbackward R C S A | fixoutback R C A L | fixbackvalue N | fixtrainwords R C"
             " | fixtraindma R C | fixupdate U M R C", argc);
    }
}

int main(int argc, char **argv)
{
    spec s;
    const char *what = argc > 1 ? argv[1] : "";
    uint32_t i;

    memset(&s, 0, sizeof s);
    if (strcmp(what, "fixbackward") == 0 || strcmp(what, "fixoutback") == 0 || strcmp(what, "fixbackvalue") == 0
        || strcmp(what, "fixtrainwords") == 0 || strcmp(what, "fixtraindma") == 0
        || strcmp(what, "fixupdate") == 0) {
        fix_train(&s, what, argc, argv);
        return 0;
    }
    if (strcmp(what, "fixpanels") == 0 && argc == 4) {
        fix_panels(number(argv[2], 1u, 64u), number(argv[3], 1u, 64u));
        return 0;
    }
    if (strcmp(what, "fixpartials") == 0 || strcmp(what, "fixburst") == 0 || strcmp(what, "fixrelay") == 0
        || strcmp(what, "fixcolumn") == 0) {
        fix_reduce(&s, what, argc, argv);
        return 0;
    }
    if (strcmp(what, "fixunfusednext") == 0 || strcmp(what, "fixunfusedlast") == 0) {
        /* next and last on an unfused s16.15 block: its sums sent as halves */
        what += 10;
        s.fixed = 1u;
    } else if (strcmp(what, "fixwords") == 0 || strcmp(what, "fixnext") == 0
        || strcmp(what, "fixlast") == 0 || strcmp(what, "fixrows") == 0
        || strcmp(what, "fixrowconv") == 0 || strcmp(what, "fixdmaaccumulate") == 0
        || strcmp(what, "fixsink") == 0 || strcmp(what, "fixsource") == 0) {
        /* the same scenarios on a fused s16.15 block (words for weights, bias and
         * rows), or on a source or sink of words */
        what += 3;
        s.fixed = 1u;
        s.fused = strcmp(what, "sink") != 0 && strcmp(what, "source") != 0 ? 1u : 0u;
        if (argc == 5 && (what[0] == 'n' || what[0] == 'l')) {
            /* fixnext / fixlast R C A: the block activates with A */
            s.act = lookup(argv[4], ACTS, COUNT(ACTS));
            argc = 4;
        }
    }
    if (strcmp(what, "fixsplit") == 0 && argc == 4) {
        fix_split(&s, argv[2], number(argv[3], 4u, MAX_VALUES / 2u));
        return 0;
    }
    if (strcmp(what, "accumulate0") == 0 || strcmp(what, "dmaaccumulate0") == 0 || strcmp(what, "next0") == 0
        || strcmp(what, "last0") == 0 || strcmp(what, "backward0") == 0) {
        static char plain[16];

        zeros = 1;
        strncpy(plain, what, sizeof plain - 1u);
        plain[strlen(plain) - 1u] = '\0';
        what = plain;
    }
    if (strcmp(what, "null") == 0 && argc == 3) {
        uint32_t n = number(argv[2], 1u, MAX_VALUES);
        int32_t worst = 0;

        packets(0u, n, DATA_KEY, 0.0f, 1.0f, 1.0f);
        calib_begin();
        for (i = 0u; i < n; i++) {
            int32_t r = calib_null(dtcm, keys[i], payloads[i], &outbox);
            worst = r < worst ? r : worst;
        }
        calib_end();
        return worst < 0 ? 1 : 0;
    }
    if (strcmp(what, "rows") == 0 && argc == 4) {
        s.kind = S4J_KIND_DENSE_BLOCK;
        s.rows = 64u;
        s.cols = 8u;
        if (s.fixed != 0u) {
            /* an s16.15 dense block files its words on their own path
             * (fixwords): the words a block files as values are a pooling
             * block's */
            s.pool = S4J_POOL_MAX;
            s.pool_channels = 8u;
            s.pool_width = 1u;
            s.pool_kernel_w = 1u;
            s.pool_stride_w = 1u;
        }
        s.ignore = number(argv[3], 0u, MAX_RANGES - 5u);
        load(&s);
        rows_down(&s, number(argv[2], 1u, s.rows - 1u));
    } else if (strcmp(what, "words") == 0 && s.fixed != 0u && argc == 4) {
        s.kind = S4J_KIND_DENSE_BLOCK;
        s.rows = number(argv[2], 1u, MAX_VALUES - 1u) + 1u;
        s.cols = number(argv[3], 1u, MAX_VALUES);
        load(&s);
        packets(0u, s.rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
        payload_words(s.rows);
        measure(0u, s.rows - 1u);
    } else if ((strcmp(what, "pool") == 0 || strcmp(what, "fixpool") == 0) && (argc == 5 || argc == 8)) {
        /* a pooling block of P positions x C channels (or P image rows of W
         * pixels x C channels, a window of K pixels at stride S): the row that
         * completes it (every other row in): all its rows pooled, its whole
         * output row sent (fixpool: in s16.15, its rows words) */
        pool_shape(&s, argc, argv);
        s.fixed = what[0] == 'f' ? 1u : 0u;
        load(&s);
        packets(0u, s.rows, DATA_KEY, -1.0f, 1.0f, 1.0f);
        if (s.fixed != 0u) {
            payload_words(s.rows);
        }
        deliver(1u, s.rows);
        measure(0u, 1u);
    } else if ((strcmp(what, "poolback") == 0 && (argc == 5 || argc == 8))
               || (strcmp(what, "droppool") == 0 && argc == 6)) {
        /* the same pooling block training (identity, one backward partial per
         * column): the partial that completes its deltas, its rows' gradients
         * found and sent (droppool: under dropout, or not) */
        pool_shape(&s, argc, argv);
        s.fused = 1u;
        s.training = 1u;
        s.expected_backward = 1u;
        s.sends_backward = 1u;
        load(&s);
        if (argc == 6) {
            dropout(number(argv[5], 0u, 1u));
        }
        packets(0u, s.rows, DATA_KEY, -1.0f, 1.0f, 1.0f);
        packets(s.rows, s.rows + s.cols, BACK_KEY, -0.1f, 0.1f, 0.0f);
        deliver(0u, s.rows + s.cols - 1u);
        measure(s.rows + s.cols - 1u, s.rows + s.cols);
    } else if ((strcmp(what, "bnforward") == 0 || strcmp(what, "bnbackward") == 0
                || strcmp(what, "bnupdate") == 0) && argc == 4) {
        int update = strcmp(what, "bnupdate") == 0;
        int forward = strcmp(what, "bnforward") == 0;
        float rates[S4J_UPDATE_WORDS] = {0.0f};
        uint32_t b;
        int32_t r = 0;

        if (update && strcmp(argv[2], "log") != 0 && strcmp(argv[2], "var") != 0) {
            fprintf(stderr, "calibrate: bnupdate's statistic is 'log' or 'var'\n");
            return 1;
        }
        s.kind = S4J_KIND_DENSE_BLOCK;
        s.pool = S4J_POOL_NORM;
        s.fused = 1u;
        s.cols = number(argv[3], 1u, MAX_VALUES / 64u);
        s.rows = s.cols;
        s.pool_channels = s.cols;
        s.pool_width = 1u;
        s.pool_kernel_w = 1u;
        s.pool_stride_w = 1u;
        s.training = 1u;
        s.expected_backward = 1u;
        s.sends_backward = 1u;
        s.norm_batch = update ? 8u : number(argv[2], 1u, S4J_MAX_IN_FLIGHT);
        s.norm_log_std = update && strcmp(argv[2], "log") == 0 ? 1u : 0u;
        load(&s);
        for (b = 0u; b < s.norm_batch; b++) {
            packets(0u, s.rows, DATA_KEY, -1.0f, 2.0f, 1.0f);
            deliver(0u, s.rows);
        }
        if (forward) {
            calib_begin();
        }
        r = s4j_batch_norm_forward(dtcm, S4J_DTCM_BYTES, s.norm_batch, &outbox);
        if (forward) {
            calib_end();
        }
        for (b = 0u; b < s.norm_batch && r >= 0; b++) {
            packets(0u, s.cols, BACK_KEY, -0.5f, 0.5f, 0.0f);
            deliver(0u, s.cols);
        }
        if (!forward && !update && r >= 0) {
            calib_begin();
        }
        if (r >= 0) {
            r = s4j_batch_norm_backward(dtcm, S4J_DTCM_BYTES, s.norm_batch, &outbox);
        }
        if (!forward && !update) {
            calib_end();
        }
        rates[S4J_RATE_LEARNING_RATE] = 0.01f;
        rates[S4J_RATE_WORDS + S4J_RATE_LEARNING_RATE] = 0.01f;
        if (update && r >= 0) {
            calib_begin();
            r = s4j_apply_update(dtcm, S4J_DTCM_BYTES, s.norm_batch, 0u, rates, S4J_UPDATE_WORDS);
            calib_end();
        }
        if (r < 0) {
            fail("a batch normalization's mini-batch", r);
        }
    } else if ((strcmp(what, "bnexchange") == 0 && argc == 5)
               || ((strcmp(what, "bnchforward") == 0 || strcmp(what, "bnchbackward") == 0) && argc == 4)) {
        /* the step measured: 0 .. 2 an exchange round, 3 the forward, 4 the backward */
        s.norm_blocks = 2u;
        s.norm_batch = number(argv[2], 1u, S4J_MAX_IN_FLIGHT);
        s.cols = number(argv[3], 1u, MAX_VALUES / (S4J_BN_SUMS * 16u));
        bn_channel_run(&s, argc == 5 ? number(argv[4], 0u, S4J_BN_ROUNDS - 1u)
                           : strcmp(what, "bnchforward") == 0 ? 3u : 4u, 0u);
    } else if ((strcmp(what, "bnblocks") == 0 || strcmp(what, "bnpartial") == 0) && argc == 3) {
        int blocks = strcmp(what, "bnblocks") == 0;

        s.norm_blocks = blocks ? number(argv[2], 2u, MAX_RANGES - 4u) : 2u;
        s.norm_batch = 16u;
        s.cols = 16u;
        bn_channel_run(&s, blocks ? 3u : 5u, blocks ? 0u : number(argv[2], 1u, S4J_BN_SUMS * 16u));
    } else if (strcmp(what, "rowconv") == 0 && argc == 6) {
        s.kind = S4J_KIND_DENSE_BLOCK;
        s.fused = 1u;
        s.row_width = number(argv[2], 2u, MAX_VALUES / 2u);
        s.row_kernel = number(argv[3], 1u, s.row_width);
        s.row_channels = number(argv[4], 1u, MAX_VALUES);
        s.rows = 2u * s.row_width;
        s.cols = number(argv[5], 1u, s.row_width - s.row_kernel + 1u) * s.row_channels;
        load(&s);
        packets(0u, s.rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
        if (s.fixed != 0u) {
            payload_words(s.rows);
        }
        deliver(1u, s.row_width);
        measure(0u, 1u);
    } else if ((strcmp(what, "accumulate") == 0 || strcmp(what, "dmaaccumulate") == 0) && argc == 4) {
        int dma = what[0] == 'd';

        s.kind = S4J_KIND_DENSE_BLOCK;
        s.rows = number(argv[2], dma ? 1u : 2u, MAX_VALUES - 1u) + 1u;
        s.cols = number(argv[3], 1u, MAX_VALUES);
        load(&s);
        packets(0u, s.rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
        if (s.fixed != 0u) {
            payload_words(s.rows);
        }
        if (dma) {
            measure_rows(0u, s.rows - 1u);
        } else {
            deliver(1u, s.rows - 1u);
            measure(0u, 1u);
        }
    } else if ((strcmp(what, "next") == 0 || strcmp(what, "last") == 0) && argc == 4) {
        uint32_t last = what[0] == 'l' ? 1u : 0u;

        s.kind = S4J_KIND_DENSE_BLOCK;
        s.rows = number(argv[2], 2u, MAX_VALUES);
        s.cols = number(argv[3], 1u, MAX_VALUES);
        load(&s);
        packets(0u, s.rows, DATA_KEY, 0.0f, 1.0f, 1.0f);
        if (s.fixed != 0u) {
            payload_words(s.rows);
        }
        deliver(0u, s.rows - 2u + last);
        measure(s.rows - 2u + last, s.rows - 1u + last);
    } else if ((strcmp(what, "partials") == 0 || strcmp(what, "burst") == 0) && argc == 3) {
        s.kind = S4J_KIND_REDUCE;
        s.cols = 64u;
        s.partials = 4u;
        s.data_ranges = 4u;
        load(&s);
        i = number(argv[2], 1u, what[0] == 'b' ? s.cols : s.cols * (s.partials - 1u) - 1u);
        /* range 1 + k / 64 sends output k % 64: every partial of an output
         * comes from a different range, as a reduce requires, and none from
         * range 0, as most of a reduce's do not (they are found by the
         * multiply of s4j_find_uniform_ranges, range 0's by one compare);
         * a burst's all range 1's, in one s4j_on_partials call */
        packets(0u, i, DATA_KEY + s.cols, -2.0f, 2.0f, 0.0f);
        if (what[0] == 'b') {
            measure_partials(i);
        } else {
            measure(0u, i);
        }
    } else if ((strcmp(what, "act") == 0 || strcmp(what, "column") == 0) && argc == 4) {
        s.kind = S4J_KIND_REDUCE;
        s.act = lookup(argv[2], ACTS, COUNT(ACTS));
        s.cols = number(argv[3], 1u, MAX_VALUES / 2u);
        s.partials = 1u;
        if (what[0] == 'a') {
            /* a training core completes its whole z at once */
            s.training = 1u;
            s.expected_backward = 1u;
        }
        load(&s);
        packets(0u, s.cols, DATA_KEY, -4.0f, 4.0f, 1.0f);
        if (what[0] == 'c') {
            /* column 0 last: an inference reduce sends its columns in
             * order as they complete, so that partial sends them all */
            keys[0] = DATA_KEY + s.cols - 1u;
            keys[s.cols - 1u] = DATA_KEY;
        }
        deliver(0u, s.cols - 1u);
        measure(s.cols - 1u, s.cols);
    } else if (strcmp(what, "sink") == 0 && argc == 3) {
        s.kind = S4J_KIND_OUTPUT_SINK;
        s.cols = 64u;
        load(&s);
        i = number(argv[2], 1u, s.cols);
        packets(0u, i, DATA_KEY, 0.0f, 1.0f, 1.0f);
        measure(0u, i);
    } else if (strcmp(what, "source") == 0 && argc == 3) {
        int32_t r;

        s.kind = S4J_KIND_INPUT_SOURCE;
        s.cols = number(argv[2], 1u, MAX_VALUES);
        load(&s);
        for (i = 0u; i < s.cols; i++) {
            weights[i] = uniform(0.0f, 1.0f);
        }
        r = s4j_source_load(dtcm, S4J_DTCM_BYTES, weights, s.cols);
        if (r != S4J_OK) {
            fail("s4j_source_load", r);
        }
        measure_event(s4j_start, "s4j_start");
    } else if (strcmp(what, "fix") == 0 && (argc == 4 || argc == 5)) {
        fix_calls(argv[2], number(argv[3], 1u, 1u << 20), argc == 5 ? (int)number(argv[4], 0u, 255u) : -1);
    } else if (strcmp(what, "backward") == 0 && argc == 5) {
        s.kind = S4J_KIND_DENSE_BLOCK;
        s.rows = number(argv[2], 1u, MAX_VALUES);
        s.cols = number(argv[3], 1u, MAX_VALUES);
        s.training = 1u;
        s.sends_backward = number(argv[4], 0u, 1u);
        load(&s);
        inputs_and_deltas(&s, 0.0f, 1.0f, 1u);
    } else if (strcmp(what, "droprows") == 0 && argc == 4) {
        s.kind = S4J_KIND_DENSE_BLOCK;
        s.rows = 64u;
        s.cols = 8u;
        s.training = 1u;
        load(&s);
        dropout(number(argv[3], 0u, 1u));
        rows_down(&s, number(argv[2], 1u, s.rows - 1u));
    } else if (strcmp(what, "dropback") == 0 && argc == 5) {
        s.kind = S4J_KIND_DENSE_BLOCK;
        s.rows = number(argv[2], 1u, MAX_VALUES);
        s.cols = number(argv[3], 1u, MAX_VALUES);
        s.training = 1u;
        s.sends_backward = 1u;
        load(&s);
        dropout(number(argv[4], 0u, 1u));
        /* x 0, so that dW's soft-float work does not depend on the mask */
        inputs_and_deltas(&s, 0.0f, 0.0f, 1u);
    } else if (strcmp(what, "hidden") == 0 && argc == 4) {
        s.kind = S4J_KIND_REDUCE;
        s.act = lookup(argv[2], ACTS, COUNT(ACTS));
        s.cols = number(argv[3], 1u, MAX_VALUES / 2u);
        s.partials = 1u;
        s.training = 1u;
        s.expected_backward = 1u;
        load(&s);
        packets(0u, s.cols, DATA_KEY, -4.0f, 4.0f, 1.0f);
        packets(s.cols, 2u * s.cols, BACK_KEY, -0.1f, 0.1f, 0.0f);
        deliver(0u, 2u * s.cols - 1u);
        measure(2u * s.cols - 1u, 2u * s.cols);
    } else if (strcmp(what, "outloss") == 0 && (argc == 5 || argc == 6)) {
        int positive;

        if (argc == 6 && strcmp(argv[5], "weighted") != 0) {
            fprintf(stderr, "calibrate: outloss's 4th argument is 'weighted'\n");
            return 1;
        }
        s.loss_weighted = argc == 6 ? 1u : 0u;
        s.kind = S4J_KIND_REDUCE;
        s.act = lookup(argv[2], ACTS, COUNT(ACTS));
        s.loss = lookup(argv[3], LOSSES, COUNT(LOSSES));
        s.cols = number(argv[4], 1u, MAX_VALUES / 2u);
        s.partials = 1u;
        s.training = 1u;
        load(&s);
        /* the losses that divide by t or take log(t + 1): labels in
         * [0.5, 1.5), the others one-hot */
        positive = s.loss == S4J_LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR
                || s.loss == S4J_LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR
                || s.loss == S4J_LOSS_POISSON;
        packets(0u, s.cols, DATA_KEY, -4.0f, 4.0f, 1.0f);
        packets(s.cols, 2u * s.cols, LABEL_KEY, 0.5f, 1.5f, 1.0f);
        for (i = s.cols; i < 2u * s.cols && !positive; i++) {
            payloads[i] = bits(i == s.cols + 1u ? 1.0f : 0.0f);
        }
        deliver(0u, 2u * s.cols - 1u);
        measure(2u * s.cols - 1u, 2u * s.cols);
    } else if (strcmp(what, "split") == 0 && argc == 4) {
        static const named STEPS[] = {
            { "max", 0u }, { "sum", 1u }, { "normalise", 2u }, { "dot", 3u }, { "deltas", 4u }
        };
        uint32_t step = lookup(argv[2], STEPS, COUNT(STEPS));
        uint32_t n;

        s.kind = S4J_KIND_REDUCE;
        s.act = S4J_ACT_SOFTMAX;
        s.cols = number(argv[3], 1u, MAX_VALUES / 2u - 3u);
        s.partials = 1u;
        s.softmax_peers = 1u;
        s.training = step >= 3u ? 1u : 0u;
        s.expected_backward = s.training;
        load(&s);
        /* in delivery order: the partials, the peer's max (below the local one) and
         * sum, the backward partials, the peer's dot */
        packets(0u, s.cols, DATA_KEY, -4.0f, 4.0f, 1.0f);
        keys[s.cols] = SYNC_KEY;
        payloads[s.cols] = bits(-1.0f);
        keys[s.cols + 1u] = SYNC_KEY + 1u;
        payloads[s.cols + 1u] = bits((float)s.cols);
        packets(s.cols + 2u, 2u * s.cols + 2u, BACK_KEY, -0.1f, 0.1f, 0.0f);
        keys[2u * s.cols + 2u] = SYNC_KEY + 2u;
        payloads[2u * s.cols + 2u] = bits(0.01f);
        n = step == 0u ? s.cols : step == 1u ? s.cols + 1u : step == 2u ? s.cols + 2u
            : step == 3u ? 2u * s.cols + 2u : 2u * s.cols + 3u;
        deliver(0u, n - 1u);
        measure(n - 1u, n);
    } else if (strcmp(what, "update") == 0 && (argc == 5 || argc == 6)) {
        float rates[S4J_UPDATE_WORDS] = {0.0f};
        int32_t r;

        if (argc == 6 && strcmp(argv[5], "regularized") != 0
            && strcmp(argv[5], "clipped") != 0 && strcmp(argv[5], "normalized") != 0) {
            fprintf(stderr, "calibrate: update's 4th argument is 'regularized', 'clipped' or 'normalized'\n");
            return 1;
        }
        s.regularized = argc == 6 && strcmp(argv[5], "regularized") == 0 ? 1u : 0u;
        s.clipped = argc == 6 && strcmp(argv[5], "clipped") == 0 ? 1u : 0u;
        s.norm = argc == 6 && strcmp(argv[5], "normalized") == 0
                 ? S4J_GRAD_NORM_RENORM_L2_PER_LAYER : 0u;
        s.kind = S4J_KIND_DENSE_BLOCK;
        s.updater = lookup(argv[2], UPDATERS, COUNT(UPDATERS));
        s.rows = number(argv[3], 1u, MAX_VALUES);
        s.cols = number(argv[4], 1u, MAX_VALUES);
        s.training = 1u;
        load(&s);
        /* one sample's forward and backward, so dW holds real gradients */
        inputs_and_deltas(&s, 0.0f, 1.0f, 0u);
        if (s.norm != 0u) {
            r = s4j_norm_start(dtcm, S4J_DTCM_BYTES, 8u, &outbox);
            if (r < 0) {
                fail("s4j_norm_start", r);
            }
        }
        /* the update command's values: the config's, as the host sends them */
        for (i = 0u; i < 2u; i++) {
            rates[i * S4J_RATE_WORDS + S4J_RATE_LEARNING_RATE] = 0.01f;
            rates[i * S4J_RATE_WORDS + S4J_RATE_MOMENTUM] =
                s.updater == S4J_UPDATER_NESTEROVS ? 0.9f : 0.0f;
        }
        if (s.regularized != 0u) {
            rates[S4J_RATE_L1] = 1e-4f;
            rates[S4J_RATE_L2] = 1e-3f;
            rates[S4J_RATE_WEIGHT_DECAY] = 1e-5f;
        }
        calib_begin();
        r = s4j_apply_update(dtcm, S4J_DTCM_BYTES, 8u, 0u, rates, S4J_UPDATE_WORDS);
        calib_end();
        if (r != S4J_OK) {
            fail("s4j_apply_update", r);
        }
    } else if (strcmp(what, "normstart") == 0 && argc == 4) {
        int32_t r;

        s.kind = S4J_KIND_DENSE_BLOCK;
        s.updater = S4J_UPDATER_SGD;
        s.rows = number(argv[2], 1u, MAX_VALUES);
        s.cols = number(argv[3], 1u, MAX_VALUES);
        s.training = 1u;
        s.norm = S4J_GRAD_NORM_RENORM_L2_PER_PARAM_TYPE;
        s.norm_peers = 1u;
        load(&s);
        inputs_and_deltas(&s, 0.0f, 1.0f, 0u);
        calib_begin();
        r = s4j_norm_start(dtcm, S4J_DTCM_BYTES, 8u, &outbox);
        calib_end();
        if (r < 0) {
            fail("s4j_norm_start", r);
        }
    } else if (strcmp(what, "normvalue") == 0 && argc == 3) {
        s.kind = S4J_KIND_DENSE_BLOCK;
        s.updater = S4J_UPDATER_SGD;
        s.rows = 4u;
        s.cols = 4u;
        s.training = 1u;
        s.norm = S4J_GRAD_NORM_RENORM_L2_PER_PARAM_TYPE;
        s.norm_peers = number(argv[2], 1u, MAX_RANGES - 4u);
        load(&s);
        packets(0u, 2u * s.norm_peers, PEER_KEY, 0.0f, 1.0f, 1.0f);
        measure(0u, 2u * s.norm_peers);
    } else if (strcmp(what, "sharestart") == 0 && argc == 4) {
        copy_block(&s, number(argv[2], 1u, 64u), number(argv[3], 1u, 64u), 2u, 0u);
        s.owned = (s.rows * s.cols + s.cols) / 2u;
        load(&s);
        one_sample(&s);
        measure_event(s4j_share_start, "s4j_share_start");
    } else if (strcmp(what, "sharevalue") == 0 && argc == 3) {
        copy_block(&s, 16u, 16u, 2u, 16u * 16u + 16u);
        load(&s);
        i = number(argv[2], 1u, s.owned);
        packets(0u, i, SHARE_KEY + 0x1000u, -0.1f, 0.1f, 0.0f);
        measure(0u, i);
    } else if (strcmp(what, "copyupdate") == 0 && argc == 3) {
        copy_block(&s, 16u, 16u, number(argv[2], 2u, 4u), 16u * 16u + 16u);
        load(&s);
        update_copy(&s, 1);
    } else if (strcmp(what, "paramsend") == 0 && argc == 4) {
        copy_block(&s, number(argv[2], 1u, 64u), number(argv[3], 1u, 64u), 2u, 0u);
        s.owned = s.rows * s.cols + s.cols;
        load(&s);
        update_copy(&s, 0);
        measure_event(s4j_param_send, "s4j_param_send");
    } else if (strcmp(what, "paramvalue") == 0 && argc == 3) {
        copy_block(&s, 16u, 16u, 2u, 0u);
        load(&s);
        update_copy(&s, 0);
        i = number(argv[2], 1u, s.rows * s.cols + s.cols);
        packets(0u, i, PARAM_KEY, -1.0f, 1.0f, 0.0f);
        measure(0u, i);
    } else {
        fprintf(stderr, "calibrate: unknown scenario or wrong arguments\n");
        return 1;
    }
    return 0;
}
