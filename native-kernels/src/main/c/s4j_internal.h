/*
 * What the kernel files share, not part of the ABI (that is s4j_kernels.h):
 * the parts of a core's state (header, key ranges, softmax peers, training
 * part, shape and layout) and their flags; the helpers every entry uses
 * (s4j_layout_of, s4j_train_of, s4j_emit ...), static inline because they run
 * on every packet; and the functions one kernel file calls in another. Which
 * file does what: docs/architecture.md, "Kernels".
 */
#ifndef S4J_INTERNAL_H
#define S4J_INTERNAL_H

#include "s4j_kernels.h"

#include <stddef.h>
#include <string.h>

/*
 * An S16_15 reduce's constants for filing a packet, fixed at load
 * (s4j_fix_reduce_of) so that a packet's filing neither multiplies nor
 * decides what the shape alone decides (docs/fixed-point.md).
 */
typedef struct s4j_fix_reduce {
    uint32_t sums;              /* byte offset of its 64-bit sums (low, high
                                   word pairs), right after its z words */
    uint32_t per_col;           /* keys a column takes a sample:
                                   expected_partials << partial_halves (the
                                   column of key offset k: k >> partial_halves) */
    uint32_t row_bits;          /* bits of a row of the key bitmap (one per
                                   source range, n_cols << partial_halves
                                   keys), 0 for a one-row table (s4j_slot_rows) */
    uint32_t per_sample;        /* keys a sample: n_cols x per_col (s4j_load
                                   bounds n_cols x expected_partials by 2^31) */
} s4j_fix_reduce;

/* Header at the start of the buffer: all members are 4-byte words. */
typedef struct s4j_header {
    uint32_t magic;             /* S4J_MAGIC once loaded */
    uint32_t total_bytes;       /* size of the whole state */
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
    uint32_t in_flight;         /* D, the entries of a training core's
                                   per-sample rings (1 on any other core) */
    /* per-sample state */
    uint32_t received;          /* rows / partial packets / values / source loaded */
    uint32_t phase;             /* softmax exchange: S4J_PHASE_* bits */
    uint32_t maxes_received;
    uint32_t sums_received;
    union {                     /* this core's softmax max: a float, or */
        float local_max;
        int32_t local_max_q;    /* S16_15: the largest of its z words */
    };
    union {                     /* this core's softmax sum: a float, or */
        float local_sum;
        int32_t local_sum_q;    /* S16_15: the exact sum of its e words */
    };
    uint32_t discarded;         /* packets on IGNORE ranges since load */
    uint32_t rows_done;         /* DENSE_BLOCK: rows 0 .. rows_done-1 are in z
                                   (0 on an S16_15 dense block: its words go
                                   in as they arrive, s4j_fix_on_arrival);
                                   a REDUCE sending column by column: columns
                                   0 .. rows_done-1 are sent */
    /* a pooling block (S4J_CFG_POOL ..): S4J_POOL_NONE on any other core */
    uint32_t pool;
    uint32_t pool_channels;
    uint32_t pool_first;
    float pool_start;
    uint32_t pool_divisor;
    /* a row convolution's block (S4J_CFG_ROW_*): kernel_w 0 on any other core */
    s4j_row_conv row;
    /* A pooling block's width (S4J_CFG_POOL_WIDTH ..), or an S16_15
     * REDUCE's filing constants (pool is S4J_POOL_NONE). Words only: a
     * union with a float member would let every float store alias the
     * pooling words, and the pooling loops reload them (count-diff.sh:
     * poolback.value.avg 27.1 -> 34.6 with the constants over pool_channels
     * .. pool_divisor). */
    union {
        struct {
            uint32_t pool_width;
            uint32_t pool_kernel_w;
            uint32_t pool_stride_w;
            uint32_t pool_pad_w;
            uint32_t pool_out_width;
            uint32_t pool_pad_in_divisor;
        };
        s4j_fix_reduce fix;
    };
    uint32_t arithmetic;        /* S4J_ARITH_* (S4J_CFG_ARITHMETIC) */
    int32_t alpha_fixed;        /* S16_15: alpha as an s16.15 word (THRESHOLDEDRELU: its threshold word) */
    uint32_t saturated;         /* S16_15: roundings that saturated since load */
    uint32_t partial_halves;    /* S16_15 REDUCE: S4J_CFG_PARTIAL_HALVES */
} s4j_header;

/* An input range: key k maps when (k - key_lo) < span (unsigned). */
typedef struct s4j_range {
    uint32_t key_lo;
    uint32_t span;
    uint32_t local;             /* local offset; SOFTMAX_SYNC: peer slot; IGNORE: 0 */
    uint32_t kind;              /* S4J_RANGE_*, or S4J_RANGE_FIX_WORD, _FIX_TRAIN_WORD or _FIX_PARTIAL */
} s4j_range;

/*
 * A range kind of the state only, never of a config (s4j_check_config refuses
 * it): s4j_load gives it to the DATA ranges of an S16_15 dense block that
 * files its words on arrival (s4j_fix_on_arrival), so s4j_on_loaded_packet's
 * switch on the range kind sends those words to their own filing and a
 * float32 block's values pay no test of the arithmetic.
 */
#define S4J_RANGE_FIX_WORD 10u
_Static_assert(S4J_RANGE_FIX_WORD > S4J_RANGE_BN_PARTIAL, "S4J_RANGE_FIX_WORD is no config range kind");

/* The other range kind of the state only: s4j_load gives it to the DATA
 * ranges of an S16_15 reduce (s4j_fix_reduce_partials), whose packets
 * s4j_on_loaded_packet files inline (s4j_fix_on_partial). */
#define S4J_RANGE_FIX_PARTIAL 11u
_Static_assert(S4J_RANGE_FIX_PARTIAL > S4J_RANGE_BN_PARTIAL, "S4J_RANGE_FIX_PARTIAL is no config range kind");

/* Whether a range of kind k has a source index, a reduce's slot row or key
 * bitmap row (every kind but SOFTMAX_SYNC and NORM). */
static inline int s4j_counts_as_source(uint32_t k)
{
    return k != S4J_RANGE_SOFTMAX_SYNC && k != S4J_RANGE_NORM;
}

/* And S4J_RANGE_FIX_WORD's for a training block (l->train != 0): its words
 * also go into its x ring, a path of their own so that an inference block's
 * word keeps its cost (fix.block.word). */
#define S4J_RANGE_FIX_TRAIN_WORD 12u
_Static_assert(S4J_RANGE_FIX_TRAIN_WORD > S4J_RANGE_BN_PARTIAL, "S4J_RANGE_FIX_TRAIN_WORD is no config range kind");

/* Whether a block files each word as it arrives, whatever rows are missing
 * (its sums are exact): an S16_15 dense block, neither pooling (its words
 * pooled at completion) nor a row convolution (its rows in order, by their
 * runs). An inference one keeps the words and multiplies them at completion
 * (s4j_fix_in_panels); a training one multiplies each in as it arrives and
 * keeps it in its x ring. */
static inline int s4j_fix_on_arrival(const s4j_header *h)
{
    return h->kind == S4J_KIND_DENSE_BLOCK && h->arithmetic != S4J_ARITH_FLOAT
        && h->pool == S4J_POOL_NONE && h->row.kernel_w == 0u;
}

/* The columns of a panel: an S16_15 inference block (s4j_fix_in_panels)
 * stores its weights as panels of this many columns, each row-major, one
 * after the other (the last has the cols mod 3 that remain), so that
 * s4j_fix_mac_panels streams each panel's rows past sums held in registers. */
#define S4J_PANEL_COLS 3u

/* The width of the panel whose first column is `first` of cols. */
static inline uint32_t s4j_panel_width(uint32_t first, uint32_t cols)
{
    return cols - first < S4J_PANEL_COLS ? cols - first : S4J_PANEL_COLS;
}

/* Where weight (r, j) of a rows x cols block stored in panels lies. */
static inline size_t s4j_panel_index(uint32_t r, uint32_t j, uint32_t rows, uint32_t cols)
{
    uint32_t first = j - j % S4J_PANEL_COLS;

    return (size_t)first * rows + (size_t)r * s4j_panel_width(first, cols) + (j - first);
}

/* Whether a block keeps its words and multiplies them all at its completion
 * (s4j_fix_mac_panels), its weights in panels: an S16_15 dense block that
 * files its words on arrival and does not train (a training block multiplies
 * each word in as it arrives: its backward pass and update walk the weights
 * row by row). */
static inline int s4j_fix_in_panels(const s4j_header *h, uint32_t training)
{
    return s4j_fix_on_arrival(h) && training == 0u;
}

/* Whether an S16_15 training block sends each row's error as its 64-bit
 * partial's two halves (low word, high word: keys backward + 2i and + 2i + 1)
 * rather than rounded to a word: its layer's columns (layer_outputs) are on
 * several blocks, so no block has a row's whole error. */
static inline int s4j_fix_sends_halves(uint32_t arithmetic, uint32_t n_cols, uint32_t layer_outputs)
{
    return arithmetic == S4J_ARITH_S16_15 && layer_outputs > n_cols;
}

/* Whether an S16_15 hidden training block takes its errors as halves: from
 * more than one block of the layer above (EXPECTED_BACKWARD > 1), each a
 * partial its rows' sums add before one rounding. */
static inline int s4j_fix_takes_halves(uint32_t arithmetic, uint32_t expected_backward)
{
    return arithmetic == S4J_ARITH_S16_15 && expected_backward > 1u;
}

/* Whether a core is an S16_15 reduce, whose DATA ranges have kind
 * S4J_RANGE_FIX_PARTIAL in its state. */
static inline int s4j_fix_reduce_partials(const s4j_header *h)
{
    return h->kind == S4J_KIND_REDUCE && h->arithmetic != S4J_ARITH_FLOAT;
}

/* What a softmax peer has sent in the current sample. */
typedef struct s4j_peer {
    union {                     /* S16_15: words (max_q, sum_q) */
        float max;
        int32_t max_q;
    };
    union {
        float sum;
        int32_t sum_q;
    };
    uint32_t flags;             /* S4J_PEER_* bits */
} s4j_peer;

/* Training part of a state, right after the inference part. */
typedef struct s4j_train {
    s4j_updater upd_w;          /* of the weights */
    uint32_t loss;
    uint32_t layer_outputs;
    uint32_t delta_key_base;
    uint32_t backward_key_base;
    uint32_t backward_first_row;
    uint32_t loss_key_base;
    uint32_t expected_backward;
    uint32_t sends_backward;
    s4j_regularization reg_w;   /* of the weights */
    s4j_regularization reg_b;   /* of the bias */
    uint32_t grad_norm;         /* S4J_GRAD_NORM_* */
    float grad_norm_threshold;
    uint32_t norm_key_base;     /* L2 modes: key of this core's partials */
    uint32_t norm_peers;        /* L2 modes: NORM ranges */
    uint32_t norm_self;         /* L2 modes: this core's position */
    uint32_t norm_received;     /* peers' partials in this mini-batch */
    uint32_t norm_own;          /* 1: s4j_norm_start ran this mini-batch */
    s4j_updater upd_b;          /* of the bias */
    /* per-sample backward state */
    uint32_t flags;             /* S4J_TRAIN_* bits */
    uint32_t back_received;     /* deltas / labels / backward partials */
    uint32_t dots_received;     /* peers' softmax backward dots */
    float local_dot;
    float last_loss;
    /* the rings: samples whose forward pass is done and whose backward pass
     * is not, the output layer's label sets not yet used, and the ring
     * entries of the next forward, the next backward and the next labels */
    uint32_t held;
    uint32_t labels_held;
    uint32_t fwd_slot;
    uint32_t back_slot;
    uint32_t label_slot;
    uint32_t loss_weighted;     /* 1: the layout has loss_weights */
    /* a kernel copy (copy.chunks != 0): its config, and the exchange of the
     * current mini-batch: shares filed, new parameters filed since its
     * update, and where it is (S4J_COPY_* bits) */
    s4j_copy copy;
    uint32_t shares_received;
    uint32_t params_received;
    uint32_t copy_phase;
    /* a block's dropout in this mini-batch (s4j_dropout.c): on, whether its
     * backward pass scales e too, the hash threshold p x 2^32, 1 / p, the
     * stream key, the input index of row 0, and the samples whose forward and
     * backward passes it has done */
    uint32_t drop_on;
    uint32_t drop_gradient;
    uint32_t drop_threshold;
    float drop_scale;
    uint32_t drop_stream;
    uint32_t drop_first;
    uint32_t drop_fwd;
    uint32_t drop_back;
} s4j_train;

/* A batch normalization's block in its mini-batch mode (S4J_CFG_NORM_*): its
 * words, where its mini-batch is (S4J_BN_* phase), the mini-batch's size and
 * the deltas it keeps; at the start of the state's last part (l->bn), which
 * then holds its statistics [S4J_BN_ROWS][n_cols] (s4j_bn_stats) and its
 * deltas [batch][n_cols] (s4j_bn_deltas), then, in channel mode
 * (channels != 0), each block's partial sums [blocks][S4J_BN_SUMS x channels]
 * (s4j_bn_sums) and their bitmap (s4j_bn_bits). No other core has the part,
 * so theirs keep the size they had. */
typedef struct s4j_bn {
    uint32_t batch;
    float decay;
    float rest;
    float eps;
    uint32_t log_std;
    uint32_t phase;
    uint32_t count;
    uint32_t deltas;
    uint32_t channels;          /* S4J_CFG_NORM_CHANNELS (0: per column) */
    uint32_t pixels;
    uint32_t blocks;
    uint32_t index;
    uint32_t key_base;
    uint32_t rounds;            /* exchange rounds this block ran (0 .. 3) */
    uint32_t got[S4J_BN_ROUNDS];/* other blocks' partials in, per round */
} s4j_bn;

/* A block's column sum while its rows are multiplied in (s4j_mac.c): the
 * 64-bit two's complement integer hi:lo at an exponent and flags, e; all
 * zero is an empty sum. */
typedef struct s4j_acc {
    uint32_t lo;
    uint32_t hi;
    uint32_t e;
} s4j_acc;

/* What a state is made of: enough to derive its layout. */
typedef struct s4j_shape {
    uint32_t kind;
    uint32_t n_rows;
    uint32_t n_cols;
    uint32_t fused;
    uint32_t peers;
    uint32_t n_ranges;
    uint32_t training;
    uint32_t w_updater;
    uint32_t b_updater;
    uint32_t loss;
    uint32_t loss_weighted;
    uint32_t sends_backward;
    uint32_t back_keys;         /* keys a row's error takes when sent back: 2
                                   for an S16_15 block's halves, else 1 */
    uint32_t error_halves;      /* an S16_15 hidden block taking its errors
                                   as halves (s4j_fix_takes_halves) */
    uint32_t in_flight;         /* ring entries: 1 unless a training core
                                   holds several samples */
    uint32_t norm_peers;        /* NORM ranges (training) */
    uint32_t norm_slots;        /* L2 modes: norm_peers + 1, else 0 */
    uint32_t pool;              /* S4J_POOL_*: a pooling block has no weights */
    uint32_t weights;           /* DENSE_BLOCK: s4j_weight_count (saturated) */
    uint32_t biases;            /* an activator's: s4j_bias_count */
    uint32_t copy_chunks;       /* a kernel copy's chunks (training) */
    uint32_t copy_slots;        /* its share slots: copies x owned */
    uint32_t copy_ranges;       /* its SHARE and PARAM ranges */
    uint32_t expected_partials; /* REDUCE: 1 keeps one forward slot row */
    uint32_t norm_batch;        /* a batch normalization's mini-batch mode */
    uint32_t norm_channels;     /* its channels (0: per column) */
    uint32_t norm_blocks;       /* its blocks: BN_PARTIAL ranges + 1 */
    uint32_t arithmetic;        /* S4J_ARITH_*: an S16_15 reduce keeps 64-bit
                                   sums, an unfused block sends 2 keys a column */
    uint32_t partial_halves;    /* an S16_15 reduce's: 2 keys a column in */
} s4j_shape;

/* Byte offsets of the parts of the state (0 = absent), derived from its
 * shape; s4j_load caches it in the state, right after the header. 16 bits
 * suffice: s4j_load accepts no state larger than S4J_DTCM_BYTES. */
typedef struct s4j_layout {
    uint16_t ranges;
    uint16_t peers;
    uint16_t weights;
    uint16_t bias;
    uint16_t x;
    uint16_t z;
    uint16_t counts;
    uint16_t bitmap;
    uint16_t slots;             /* forward partial[s4j_slot_rows][n_cols] (REDUCE) */
    uint16_t slot_bitmap;       /* which slots hold a partial of the current sample */
    uint16_t back_slots;        /* backward partial[n_src][n_cols] (hidden activator) */
    uint16_t back_slot_bitmap;
    uint16_t n_src;             /* slot rows: ranges other than SOFTMAX_SYNC */
    /* training part */
    uint16_t train;
    uint16_t peer_dots;
    uint16_t delta;
    uint16_t dw;
    uint16_t w_state;           /* the updater's state arrays of W, one after another */
    uint16_t delta_bitmap;
    uint16_t y;
    uint16_t tz;
    uint16_t db;
    uint16_t b_state;           /* the updater's state arrays of b, one after another */
    uint16_t labels;
    uint16_t label_bitmap;
    uint16_t eacc;
    uint16_t ecounts;
    uint16_t norm;              /* L2 modes: [position][2] partial sums of squares */
    uint16_t norm_bits;         /* which of them are in this mini-batch */
    uint16_t chunks;            /* kernel copy: its chunks (S4J_CHUNK_WORDS each) */
    uint16_t shares;            /* kernel copy: share slots[copies][owned] */
    uint16_t share_bits;        /* which of them are in this mini-batch */
    uint16_t bn;                /* a batch normalization's mini-batch part
                                   (s4j_bn), the state's last */
    uint16_t max_sends;         /* the most sends of one event: below n_rows +
                                   2 n_cols + 3, or a batch normalization's
                                   batch x (n_rows or n_cols), so exact for
                                   any state that fits S4J_DTCM_BYTES */
    uint16_t uniform_ranges;    /* 0, or ranges [0, uniform_ranges) lie d keys
                                   apart, each within its d, none a
                                   SOFTMAX_SYNC or NORM: a key's range among
                                   them (and its source index) is the high
                                   word of (key - the first's key_lo) x
                                   range_recip (s4j_find_uniform_ranges) */
    uint16_t pad;               /* keeps range_recip word-aligned */
    uint32_t range_recip;       /* ceil(2^32 / d) */
} s4j_layout;

/* A batch normalization's rows of weights (S4J_POOL_NORM; the host lays
 * them out as PoolingSpec.NORM_ROWS says): gamma, mean, DL4J's statistic
 * (row 2, held for reading back), std. */
#define S4J_NORM_ROW_GAMMA 0u
#define S4J_NORM_ROW_MEAN  1u
#define S4J_NORM_ROW_STAT  2u
#define S4J_NORM_ROW_STD   3u

/* A batch normalization's mini-batch (s4j_batchnorm.c): its statistics per
 * column, kept from its forward to its update, and the two per-column
 * factors of its backward pass. */
#define S4J_BN_ROW_MEAN 0u
#define S4J_BN_ROW_VAR  1u
#define S4J_BN_ROW_STD  2u
#define S4J_BN_ROW_DVAR 3u    /* dL/dvar x (2 / batch) */
#define S4J_BN_ROW_DMEAN 4u   /* dL/dmean x (1 / batch) */
#define S4J_BN_ROWS     5u

/* Where a batch normalization's mini-batch is (s4j_bn.phase). */
#define S4J_BN_IDLE      0u  /* keeping its samples' rows */
#define S4J_BN_FORWARD   1u  /* its outputs sent: keeping its deltas */
#define S4J_BN_BACKWARD  2u  /* its deltas back sent: its update is due */

/* The weights of a DENSE_BLOCK of n_rows x n_cols: none for a pooling
 * block but S4J_NORM_ROWS x n_cols for a batch normalization, a row convolution's kernel slice (n_rows / width input rows of
 * kernel_w x channels_in x channels; its rows are whole input rows), else
 * every W[i][j]. 64-bit: a config's may exceed any state. */
static inline uint64_t s4j_weight_count(uint32_t pool, const s4j_row_conv *row,
                                        uint32_t n_rows, uint32_t n_cols)
{
    if (pool != S4J_POOL_NONE) {
        return pool == S4J_POOL_NORM ? (uint64_t)S4J_NORM_ROWS * n_cols : 0u;
    }
    if (row->kernel_w != 0u) {
        if (row->width == 0u || row->kernel_w > 0xFFFFu || row->channels > 0xFFFFu) {
            return UINT64_MAX; /* no such block (s4j_row_conv_ok refuses it) */
        }
        return (uint64_t)(n_rows / row->width) * (row->kernel_w * row->channels);
    }
    return (uint64_t)n_rows * n_cols;
}

/* The weights of a loaded DENSE_BLOCK (they fit its state: no overflow). */
static inline uint32_t s4j_block_weights(const s4j_header *h)
{
    return (uint32_t)s4j_weight_count(h->pool, &h->row, h->n_rows, h->n_cols);
}

/* The rows of a REDUCE's forward slot table: one per source range, or one
 * alone when each output has exactly one partial (a relay), which lands in
 * its output's column whichever range it came from. */
static inline uint32_t s4j_slot_rows(uint32_t expected_partials, uint32_t n_src)
{
    return expected_partials == 1u && n_src > 1u ? 1u : n_src;
}

/* Bit k of a reduce's bitmap of slots or keys: whether it is already set
 * (1: a range sent the same partial twice), else sets it (0). Shared by the
 * float reduce's slots (slot_put) and the S16_15 reduce's keys. */
static inline int s4j_bit_claim(uint32_t *bitmap, size_t k)
{
    uint32_t *word = bitmap + k / 32u;
    uint32_t bit = 1u << (uint32_t)(k % 32u);

    if ((*word & bit) != 0u) {
        return 1;
    }
    *word |= bit;
    return 0;
}

/* Whether bits [first, first + n) of a bitmap are all clear (a block's
 * partial sums at once: s4j_on_partials). */
static inline int s4j_bits_clear(const uint32_t *bitmap, uint32_t first, uint32_t n)
{
    uint32_t k = first;
    uint32_t end = first + n;

    while (k < end) {
        uint32_t shift = k % 32u;
        uint32_t take = end - k < 32u - shift ? end - k : 32u - shift;
        uint32_t mask = (take == 32u ? UINT32_MAX : ((UINT32_C(1) << take) - 1u)) << shift;

        if ((bitmap[k / 32u] & mask) != 0u) {
            return 0;
        }
        k += take;
    }
    return 1;
}

/* Sets bits [first, first + n) of a bitmap. */
static inline void s4j_bits_set(uint32_t *bitmap, uint32_t first, uint32_t n)
{
    uint32_t k = first;
    uint32_t end = first + n;

    while (k < end) {
        uint32_t shift = k % 32u;
        uint32_t take = end - k < 32u - shift ? end - k : 32u - shift;

        bitmap[k / 32u] |= (take == 32u ? UINT32_MAX : ((UINT32_C(1) << take) - 1u)) << shift;
        k += take;
    }
}

/* Adds slot k of a slot table to *sum and empties it, if it is filled. */
static inline void s4j_slot_take(const float *slots, uint32_t *bitmap, size_t k, float *sum)
{
    uint32_t bit = 1u << (uint32_t)(k % 32u);

    if ((bitmap[k / 32u] & bit) != 0u) {
        *sum += slots[k];
        bitmap[k / 32u] &= ~bit;
    }
}

#define S4J_PHASE_Z_COMPLETE 1u
#define S4J_PHASE_SUM_SENT   2u
#define S4J_PEER_MAX         1u
#define S4J_PEER_SUM         2u
#define S4J_PEER_DOT         4u
#define S4J_TRAIN_DOT_SENT   2u  /* hidden softmax: local dot sent, waiting for peers */
#define S4J_COPY_SHARED  1u  /* a kernel copy filed and sent its shares */
#define S4J_COPY_UPDATED 2u  /* it updated its chunks: others' new values due */
#define S4J_COPY_SENT    4u  /* it sent its chunks' new values */

_Static_assert(sizeof(s4j_header) == 46u * 4u, "header must be packed words");
_Static_assert(sizeof(s4j_layout) == 36u * 2u + 4u, "layout must be packed half-words, then the reciprocal");
_Static_assert(S4J_DTCM_BYTES <= 65536u, "layout offsets and sends must fit 16 bits");
_Static_assert(sizeof(s4j_train) == 64u * 4u, "training header must be packed words");
_Static_assert((sizeof(s4j_header) + sizeof(s4j_layout)) % 4u == 0u,
               "the ranges after the layout must be word-aligned");
_Static_assert(sizeof(s4j_bn) == 17u * 4u, "batch normalization part must be packed words");
_Static_assert(sizeof(s4j_range) == 16u, "range entry must be 4 words");
_Static_assert(sizeof(s4j_peer) == 12u, "peer entry must be 3 words");
_Static_assert(sizeof(s4j_acc) == 12u, "accumulator must be 3 words");
_Static_assert(sizeof(float) == sizeof(uint32_t), "float must be 32-bit");

/* The highest activation code s4j_load accepts. */
#define S4J_ACT_LAST S4J_ACT_RELU6

#define AT(type, base, off) ((type *)(void *)((uint8_t *)(base) + (off)))
#define CAT(type, base, off) \
    ((const type *)(const void *)((const uint8_t *)(base) + (off)))

#ifdef S4J_CHECKED
/* Checked builds: a corrupted state is refused (S4J_ERR_CORRUPT). */
#define S4J_VERIFY(cond)                 \
    do {                                 \
        if (!(cond)) {                   \
            return S4J_ERR_CORRUPT;      \
        }                                \
    } while (0)
#else
/* Lean builds: s4j_load validated the state, which no one else writes. */
#define S4J_VERIFY(cond) ((void)0)
#endif

/* ---- small helpers ---------------------------------------------------- */

static inline float s4j_f_of(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline uint32_t s4j_bits_of(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}

static inline uint32_t s4j_bitmap_words(uint32_t n)
{
    return n / 32u + ((n % 32u) != 0u ? 1u : 0u);
}

/* The 64-bit sum (two's complement) held as a (low word, high word) pair at
 * s: a block's, a reduce's or a pooling block's column, an s16.15 Adam v. */
static inline uint64_t s4j_sum_get(const uint32_t *s)
{
    return ((uint64_t)s[1] << 32) | s[0];
}

/* The pair at s set to the 64-bit v. */
static inline void s4j_sum_set(uint32_t *s, uint64_t v)
{
    s[0] = (uint32_t)v;
    s[1] = (uint32_t)(v >> 32);
}

static inline int s4j_applies_softmax(uint32_t kind, uint32_t fused, uint32_t activation)
{
    return activation == S4J_ACT_SOFTMAX
        && (kind == S4J_KIND_REDUCE || (kind == S4J_KIND_DENSE_BLOCK && fused != 0u));
}

/* A core with a bias is its columns' activator (a reduce or a fused block). */
static inline int s4j_has_bias(uint32_t kind, uint32_t fused)
{
    return kind == S4J_KIND_REDUCE || (kind == S4J_KIND_DENSE_BLOCK && fused != 0u);
}

/* The biases of an activator of n_cols columns: one per column, but a row
 * convolution's block (S4J_CFG_ROW_*) holds one per channel of its kernel
 * (the channel's bias repeated along the row is one parameter). */
static inline uint32_t s4j_bias_count(const s4j_row_conv *row, uint32_t n_cols)
{
    return row->kernel_w != 0u ? row->channels : n_cols;
}

/* The bias index of column 0 of a block of n_cols columns, and where the
 * index wraps to 0: a row convolution's column j is channel (first_column +
 * j) mod channels_out, at that minus first_channel; any other core's column
 * j is bias j (one run of n_cols). The columns are runs of consecutive bias
 * indices: the first from *first, each next one from 0, each at most up to
 * *wrap (s4j_bias_run). */
static inline void s4j_bias_walk(const s4j_row_conv *row, uint32_t n_cols,
                                 uint32_t *first, uint32_t *wrap)
{
    if (row->kernel_w == 0u) {
        *first = 0u;
        *wrap = n_cols;
        return;
    }
    *first = row->first_column % row->channels_out - row->first_channel;
    *wrap = row->channels_out;
}

/* The columns of the run that starts at bias index b with `left` columns
 * left (s4j_bias_walk): at least 1, as b < wrap. */
static inline uint32_t s4j_bias_run(uint32_t b, uint32_t wrap, uint32_t left)
{
    return wrap - b < left ? wrap - b : left;
}

/*
 * Whether a reduce completes column by column: an inference core (no training
 * state) whose activation acts on each output alone. Each column is then
 * summed, biased, activated and sent once its partials and every earlier
 * column's are in (s4j_stream_columns), with the same arithmetic as a whole z.
 */
static inline int s4j_streams_columns(const s4j_header *h, const s4j_train *t)
{
    return t == NULL && h->activation != S4J_ACT_SOFTMAX && h->softmax_peers == 0u;
}

/* The biases of a loaded activator (s4j_bias_count). */
static inline uint32_t s4j_biases(const s4j_header *h)
{
    return s4j_bias_count(&h->row, h->n_cols);
}

/* Whether a gradient normalization needs the L2 norm of the layer. */
static inline int s4j_is_l2(uint32_t grad_norm)
{
    return grad_norm >= S4J_GRAD_NORM_RENORM_L2_PER_LAYER
        && grad_norm <= S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE;
}

/* Keys of one core's partials: one per layer, two per param type. */
static inline uint32_t s4j_norm_keys(uint32_t grad_norm)
{
    return grad_norm == S4J_GRAD_NORM_RENORM_L2_PER_PARAM_TYPE
        || grad_norm == S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE ? 2u : 1u;
}

/* The ring entry after `slot`. */
static inline uint32_t s4j_ring_next(const s4j_header *h, uint32_t slot)
{
    return slot + 1u == h->in_flight ? 0u : slot + 1u;
}

/* The ring entry the current forward pass writes (0 on an inference core). */
static inline uint32_t s4j_fwd_entry(const s4j_train *t)
{
    return t != NULL ? t->fwd_slot : 0u;
}

static inline int s4j_is_output(const s4j_header *h, const s4j_train *t)
{
    return s4j_has_bias(h->kind, h->fused) && t->loss != S4J_LOSS_NONE;
}

/* libnd4j's sign: 1, -1, or 0 at NaN and at either zero. */
static inline float s4j_sign_of(float v)
{
    return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f);
}

/* An output activator's loss weights (a weighted loss only): right after
 * its label bitmap. */
static inline uint32_t s4j_loss_weights_at(const s4j_layout *l, uint32_t n_cols)
{
    return (uint32_t)l->label_bitmap + s4j_bitmap_words(n_cols) * 4u;
}

static inline int32_t s4j_check_buffer(const void *dtcm)
{
    if (dtcm == NULL || ((uintptr_t)dtcm & 3u) != 0u) {
        return S4J_ERR_BAD_BUFFER;
    }
    return S4J_OK;
}

/* Whether a pooling block's shape is one it can pool (s4j_config.c). */
int s4j_pool_shape_ok(uint32_t n_rows, uint32_t n_cols, uint32_t channels, uint32_t first,
                      uint32_t width, uint32_t kernel_w, uint32_t stride_w, uint32_t pad_w,
                      uint32_t out_width);

#ifdef S4J_CHECKED
/* Re-derives a loaded state's layout from its header, validating what the
 * header says against the buffer's capacity (l->train != 0: training). */
int32_t s4j_derive_layout(const void *dtcm, uint32_t capacity, s4j_layout *l);
#endif

/*
 * The layout of a loaded state, as s4j_load cached it: every build checks the
 * buffer, the magic word and the state's size against the capacity; a
 * checked build (S4J_CHECKED) also re-derives the layout from the header and
 * refuses a state whose cached layout differs (l->train != 0: training).
 */
static inline int32_t s4j_layout_of(const void *dtcm, uint32_t capacity, const s4j_layout **l)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    int32_t r = s4j_check_buffer(dtcm);

    if (r != S4J_OK) {
        return r;
    }
    if (capacity < (uint32_t)(sizeof(s4j_header) + sizeof(s4j_layout))) {
        return S4J_ERR_BUFFER_TOO_SMALL;
    }
    if (h->magic != S4J_MAGIC && h->magic != S4J_MAGIC_TRAINING) {
        return S4J_ERR_NOT_LOADED;
    }
    if (h->total_bytes > capacity) {
        return S4J_ERR_BUFFER_TOO_SMALL;
    }
    *l = CAT(s4j_layout, dtcm, sizeof(s4j_header));
#ifdef S4J_CHECKED
    {
        s4j_layout derived;

        r = s4j_derive_layout(dtcm, capacity, &derived);
        if (r != S4J_OK) {
            return r;
        }
        if (memcmp(&derived, *l, sizeof derived) != 0) {
            return S4J_ERR_CORRUPT;
        }
    }
#endif
    return S4J_OK;
}

/* The keys a core takes per value on its DATA ranges (one for a block's
 * rows, a reduce's or sink's columns; two for an S16_15 reduce's columns
 * when it receives partial halves) and sends per column (two for an S16_15
 * unfused block's halves). */
static inline uint32_t s4j_keys_in(uint32_t partial_halves)
{
    return partial_halves != 0u ? 2u : 1u;
}

static inline uint32_t s4j_keys_out(uint32_t kind, uint32_t fused, uint32_t arithmetic)
{
    return arithmetic != S4J_ARITH_FLOAT && kind == S4J_KIND_DENSE_BLOCK && fused == 0u ? 2u : 1u;
}

/* The filing constants (s4j_fix_reduce) of a REDUCE of this header's shape
 * and layout l in S16_15; all zero in float (its pooling words). s4j_load sets
 * them, a checked build's s4j_derive_layout compares them. */
static inline s4j_fix_reduce s4j_fix_reduce_of(const s4j_header *h, const s4j_layout *l)
{
    s4j_fix_reduce f = { 0u, 0u, 0u, 0u };

    if (h->kind == S4J_KIND_REDUCE && h->arithmetic == S4J_ARITH_S16_15) {
        f.sums = (uint32_t)l->z + h->n_cols * 4u;
        f.per_col = h->expected_partials << h->partial_halves;
        f.row_bits = s4j_slot_rows(h->expected_partials, l->n_src) == 1u ? 0u
                   : h->n_cols << h->partial_halves;
        f.per_sample = h->n_cols * f.per_col;
    }
    return f;
}

/* A block's column accumulators: right after its z. */
static inline s4j_acc *s4j_block_acc(const s4j_layout *l, void *dtcm, uint32_t n_cols)
{
    return AT(s4j_acc, dtcm, (uint32_t)l->z + n_cols * 4u);
}

static inline s4j_train *s4j_train_of(const s4j_layout *l, void *dtcm)
{
    return l->train != 0u ? AT(s4j_train, dtcm, l->train) : NULL;
}

/* The layout and training part of a loaded state (s4j_layout_of), which
 * must train. */
static inline int32_t s4j_training_of(void *dtcm, uint32_t capacity, const s4j_layout **l,
                                      s4j_train **t)
{
    int32_t r = s4j_layout_of(dtcm, capacity, l);

    if (r != S4J_OK) {
        return r;
    }
    *t = s4j_train_of(*l, dtcm);
    return *t != NULL ? S4J_OK : S4J_ERR_NOT_TRAINING;
}

/* An event starts: no sends, no work, no rows yet. */
static inline void s4j_begin_event(s4j_outbox *out)
{
    out->count = 0u;
    out->work = 0u;
    out->rows = 0u;
}

/* Sends one packet (key, payload): S4J_OK, or an error if the outbox is full
 * or the send failed. */
static inline int32_t s4j_emit(s4j_outbox *out, uint32_t key, uint32_t payload)
{
    int32_t r;

    if (out->count >= out->capacity) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    r = out->send(out->ctx, key, payload);
    if (r < 0) {
        return r;
    }
    out->count++;
    return S4J_OK;
}

/* Sends values[0 .. n-1] with keys key_base .. key_base + n - 1, in order. */
static inline int32_t s4j_emit_values(s4j_outbox *out, uint32_t key_base,
                                      const float *values, uint32_t n)
{
    uint32_t j;
    int32_t r;

    for (j = 0u; j < n; j++) {
        r = s4j_emit(out, key_base + j, s4j_bits_of(values[j]));
        if (r < 0) {
            return r;
        }
    }
    return S4J_OK;
}

/* How an L2 mode scales one parameter array's averaged gradient: divided or
 * multiplied by factor, or neither. */
typedef struct s4j_scale {
    int divide;
    int multiply;
    float factor;
} s4j_scale;

/* ---- across the kernel files (each defined in the file named) ---------- */

/* s4j_layout.c: the most sends of one event (64-bit, so it cannot overflow) */
uint64_t s4j_sends_bound(uint32_t kind, uint32_t n_rows, uint32_t n_cols,
                         uint32_t fused, uint32_t peers, int training,
                         uint32_t sends_backward);

/* s4j_forward.c: z complete: bias, activation, sends; or, column by column
 * (s4j_streams_columns), each column whose partials are in */
int32_t s4j_finish_z(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out);
int32_t s4j_stream_columns(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out);
/* s4j_forward.c: the sample's outputs are all sent */
int32_t s4j_forward_complete(const s4j_header *h, const s4j_layout *l, void *dtcm,
                             s4j_outbox *out);

/* s4j_softmax.c: a softmax's z (bias added) is complete */
int32_t s4j_softmax_forward(s4j_header *h, const s4j_layout *l, void *dtcm,
                            s4j_outbox *out);
/* S16_15: the widest softmax whose exact sum of e words (each at most 1.0,
 * 2^15) fits a packet's 32 bits as a non-negative int32_t: on one core, and
 * over the layer (the host refuses wider layers) */
#define S4J_FIX_SOFTMAX_MAX_COLS 65535u

/* s4j_softmax.c (S4J_ARITH_S16_15): a softmax's rounded z words are
 * complete in l->z: max, e = s4j_fix_exp(z - max), the exact sum, outputs
 * s4j_fix_div(e, sum); over peers as the float softmax (words exchanged) */
int32_t s4j_fix_softmax_forward(s4j_header *h, const s4j_layout *l, void *dtcm,
                                s4j_outbox *out);
/* s4j_softmax.c: the forward exchange with the peers, each step whose inputs are in */
int32_t s4j_softmax_advance(s4j_header *h, const s4j_layout *l, void *dtcm,
                            s4j_outbox *out);
/* s4j_softmax.c: sends the local dot (or output sum) to the peers */
int32_t s4j_send_dot(const s4j_header *h, s4j_train *t, float dot, s4j_outbox *out);
/* s4j_softmax.c: the backward exchange, once every peer's dot is in */
int32_t s4j_dot_advance(const s4j_header *h, const s4j_layout *l, void *dtcm,
                        s4j_train *t, s4j_outbox *out);
/* s4j_softmax.c: a hidden softmax's backward partials are all in */
int32_t s4j_hidden_softmax_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                                    s4j_train *t, s4j_outbox *out);
/* s4j_softmax.c: an output softmax's deltas once the layer's sum is known */
int32_t s4j_output_softmax_backward(const s4j_header *h, const s4j_layout *l,
                                    void *dtcm, s4j_train *t, float s,
                                    s4j_outbox *out);

/* s4j_mac.c: acc[j] += x w[j] for j < n */
void s4j_mac_row(s4j_acc *acc, float x, const float *w, uint32_t n);
/* s4j_mac.c: acc[j] = x w[j] for j < n, whatever acc held (a sample's row 0) */
void s4j_mac_first_row(s4j_acc *acc, float x, const float *w, uint32_t n);
/* s4j_mac.c: the sum of a[j] b[j] for j < n, in a wide accumulator */
float s4j_dot(const float *a, const float *b, uint32_t n);
/* a[j] b[j] for j = 0 .. n-1 added in order to acc (s4j_dot without the
 * rounding: several runs make one sum) */
void s4j_dot_add(s4j_acc *acc, const float *a, const float *b, uint32_t n);
/* s4j_mac.c: an accumulator's sum as a float, rounded to nearest even */
float s4j_acc_value(const s4j_acc *a);
/* s4j_mac.c: z[j] = acc[j]'s sum for j < n */
void s4j_acc_finish(const s4j_acc *acc, float *z, uint32_t n);

/* s4j_fixmac.c (S4J_ARITH_S16_15): for j < n, acc's pair j (low word, high
 * word: an int64 in two's complement) += (int64_t)x w[j]; the host refuses
 * a layer whose sums could reach 2^63, so no sum wraps */
void s4j_fix_mac_row(uint32_t *acc, const int32_t *w, int32_t x, uint32_t n);
/* s4j_access.c: a loaded DENSE_BLOCK's weights set from its n_rows x n_cols
 * row-major values (in panels if s4j_fix_in_panels) */
void s4j_put_weights(const s4j_header *h, const s4j_layout *l, void *dtcm, const float *values);
/* s4j_fixmac.c (S4J_ARITH_S16_15): for every r < rows and j < cols, acc's
 * pair j += (int64_t)x[r] W(r, j), W a rows x cols block stored in panels
 * (s4j_panel_index): an inference block's MACs, all at its completion */
void s4j_fix_mac_panels(uint32_t *acc, const int32_t *w, const int32_t *x, uint32_t rows,
                        uint32_t cols);
/* s4j_forward.c (S4J_ARITH_S16_15): a row convolution's rows (s16.15
 * words, filed as the float block's) from rows_done on that have arrived
 * multiplied into its 64-bit sums in order, counted in out->rows (a dense
 * block files each word as it arrives: on_fix_word in s4j_packet.c) */
void s4j_fix_accumulate_rows(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out);
/* s4j_forward.c (S4J_ARITH_S16_15): every row of a block is in (its row
 * bookkeeping reset): a fused block's sums each biased, rounded once to
 * s16.15, activated and sent; an unfused block's sent whole as halves; the
 * sums emptied for the next sample (they are 0 at load too) */
int32_t s4j_fix_finish_block(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out);
/* s4j_fixreduce.c (S4J_ARITH_S16_15): a reduce's completions, after
 * s4j_fix_on_partial (s4j_fixsum.h) filed a packet: every column from
 * rows_done on whose packets are all in biased, rounded once, activated and
 * sent in order (a reduce that streams columns); or, all its packets in,
 * every column rounded, then sent or exchanged (softmax:
 * s4j_fix_softmax_forward). S4J_OK or an error. */
int32_t s4j_fix_stream_columns(void *dtcm, s4j_outbox *out);
int32_t s4j_fix_finish_columns(void *dtcm, s4j_outbox *out);
/* s4j_fixreduce.c: whole columns of a block's halves at once (s4j_on_partials),
 * if they fit (0: they do not; the caller files them packet by packet) */
int32_t s4j_fix_on_columns(void *dtcm, uint32_t src, uint32_t first, uint32_t n, const uint32_t *halves,
                           s4j_outbox *out, int *fits);

/* s4j_rowconv.c: whether a row convolution's words are valid for a block
 * of n_rows x n_cols (S4J_CFG_ROW_*; all 0 on any other core) */
int s4j_row_conv_ok(uint32_t kind, uint32_t fused, uint32_t pool, const s4j_row_conv *row,
                    uint32_t n_rows, uint32_t n_cols);
/* s4j_rowconv.c: a row convolution's rows first .. end-1 multiplied into
 * acc (row 0 empties it first) */
void s4j_row_mac(const s4j_header *h, s4j_acc *acc, const float *x, const float *w,
                 uint32_t first, uint32_t end);
/* s4j_rowconv.c (S4J_ARITH_S16_15): the same rows' runs, words (filed as
 * floats' bits) times weight words, added into the 64-bit sums of
 * s4j_fix_mac_row (emptied at completion, s4j_fix_finish_block) */
void s4j_fix_row_mac(const s4j_header *h, uint32_t *sums, const float *x, const int32_t *w,
                     uint32_t first, uint32_t end);
/* s4j_rowconv.c: a row convolution's dW += x delta, and W delta sent (under
 * dropout, times each row's m / p if its GRADIENT word says so) */
int32_t s4j_row_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                         const s4j_train *t, s4j_outbox *out);

/* s4j_poolback.c: whether a block pools MAX or AVG (it has no parameters:
 * its zero bias takes no gradient and no update) */
int s4j_pools(const s4j_header *h);
/* s4j_poolback.c: a MAX, AVG or NORM pooling block's row gradients sent */
int32_t s4j_pool_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                          const s4j_train *t, s4j_outbox *out);

/* s4j_backward.c: whether a training core holds part of a sample */
int s4j_samples_in_flight(const s4j_train *t);
/* s4j_backward.c: the oldest sample held has had its backward pass */
void s4j_backward_done(const s4j_header *h, s4j_train *t);
/* s4j_backward.c: a block's delta is complete: dW, and W delta sent */
int32_t s4j_block_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                           const s4j_train *t, s4j_outbox *out);
/* s4j_backward.c: an activator's delta is complete: db, deltas sent */
int32_t s4j_activator_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                               s4j_train *t, s4j_outbox *out);
/* s4j_backward.c: a hidden activator's backward partials are all in */
int32_t s4j_hidden_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                            s4j_train *t, s4j_outbox *out);

/* s4j_loss.c: whether an output softmax's delta needs the layer's sum */
int s4j_softmax_jacobian(const s4j_header *h, const s4j_train *t);
/* s4j_loss.c: an output activator starts a backward pass if it can */
int32_t s4j_output_ready_backward(const s4j_header *h, const s4j_layout *l,
                                  void *dtcm, s4j_train *t, s4j_outbox *out);

/* s4j_fixtrain.c (S4J_ARITH_S16_15 training, a fused block): the oldest
 * sample's output delta from its y and label words, or a hidden layer's
 * from its error words (l->eacc) and y words; then the block's gradient
 * sums and the error words it sends back; the sample's backward pass done */
int32_t s4j_fix_output_backward(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t,
                                s4j_outbox *out);
int32_t s4j_fix_hidden_backward(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t,
                                s4j_outbox *out);
/* s4j_update.c: arrays of updater state per parameter */
uint32_t s4j_updater_arrays(uint32_t updater);
/* s4j_update.c: the layout and training part at the end of a mini-batch */
int32_t s4j_end_of_batch(void *dtcm, uint32_t capacity, uint32_t batch_size,
                         const s4j_layout **l, s4j_train **t);

/* s4j_copies.c: a share of an owned parameter, from another copy, in slot k
 * (on a batch normalization's block: s4j_batch_norm_partial) */
int32_t s4j_on_share(const s4j_layout *l, void *dtcm, s4j_train *t, uint32_t k,
                     uint32_t payload);
/* s4j_copies.c: a new value of parameter k from its owner */
int32_t s4j_on_param(const s4j_layout *l, void *dtcm, s4j_train *t,
                     uint32_t k, uint32_t payload);
/* s4j_copies.c: the shares of each owned parameter added in position order
 * into the copy's accumulators dW and db, their bits cleared */
void s4j_sum_shares(const s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t);

/* s4j_dropout.c: m / p of row `row` of a block under dropout, in sample
 * `sample` of the mini-batch: 1 / p or 0 */
float s4j_drop_scale(const s4j_train *t, uint32_t sample, uint32_t row);
/* s4j_dropout.c: a block under dropout: the value (float bits) of row `row`
 * it is about to file, times the row's m / p */
uint32_t s4j_drop_row(const s4j_train *t, uint32_t row, uint32_t payload, s4j_outbox *out);
/* s4j_dropout.c: whether the backward pass of a block under dropout scales
 * the gradient e_i it sends back by row i's m / p (s4j_drop_scale with the
 * sample drop_back), reporting S4J_WORK_DROPOUT_BACK if so */
int s4j_drop_masks_gradient(const s4j_train *t, s4j_outbox *out);
/* s4j_dropout.c: the mini-batch's dropout is over (its update) */
void s4j_dropout_end(s4j_train *t);

/* A batch normalization's mini-batch part: NULL on any other core. */
static inline s4j_bn *s4j_bn_of(const s4j_layout *l, void *dtcm)
{
    return l->bn != 0u ? AT(s4j_bn, dtcm, l->bn) : NULL;
}

/* Its statistics [S4J_BN_ROWS][n_cols], right after it. */
static inline float *s4j_bn_stats(const s4j_layout *l, void *dtcm)
{
    return AT(float, dtcm, (uint32_t)l->bn + (uint32_t)sizeof(s4j_bn));
}

/* Its kept deltas [batch][n_cols], after the statistics. */
static inline float *s4j_bn_deltas(const s4j_layout *l, void *dtcm, uint32_t n_cols)
{
    return s4j_bn_stats(l, dtcm) + (size_t)S4J_BN_ROWS * n_cols;
}

/* Its exchange's partial sums [blocks][S4J_BN_SUMS x channels] after its
 * deltas (channel mode only). */
static inline float *s4j_bn_sums(const s4j_layout *l, void *dtcm, uint32_t n_cols,
                                 const s4j_bn *bn)
{
    return s4j_bn_deltas(l, dtcm, n_cols) + (size_t)bn->batch * n_cols;
}

/* The bitmap of the other blocks' partial sums in, after them. */
static inline uint32_t *s4j_bn_bits(const s4j_layout *l, void *dtcm, uint32_t n_cols,
                                    const s4j_bn *bn)
{
    return (uint32_t *)(void *)(s4j_bn_sums(l, dtcm, n_cols, bn)
                                + (size_t)bn->blocks * S4J_BN_SUMS * bn->channels);
}

/* The words of a batch normalization's exchange part, its sums and their
 * bitmap (channels 0, per column: none). */
static inline uint32_t s4j_bn_exchange_words(uint32_t channels, uint32_t blocks)
{
    uint64_t sums = (uint64_t)blocks * S4J_BN_SUMS * channels;

    if (sums > 0x3FFFFFFFu) {
        return 0x3FFFFFFFu; /* no such state: s4j_load refuses it */
    }
    return (uint32_t)sums + (uint32_t)((sums + 31u) / 32u);
}

/* s4j_batchnorm.c: another block's partial sum filed in slot `at` of the
 * exchange's sums (S4J_RANGE_BN_PARTIAL: that block's index x S4J_BN_SUMS x
 * channels + the sum's, the range's local offset + the key's); no sends */
int32_t s4j_batch_norm_partial(const s4j_layout *l, void *dtcm, s4j_train *t, uint32_t at,
                               uint32_t payload);
/* s4j_batchnorm.c: whether a sample's forward may start (S4J_OK) */
int32_t s4j_batch_norm_room(const s4j_train *t, const s4j_bn *bn);
/* s4j_batchnorm.c: a sample's row is in: kept, nothing sent */
int32_t s4j_batch_norm_keep_row(const s4j_header *h, s4j_train *t, const s4j_bn *bn);
/* s4j_batchnorm.c: a sample's delta (e, every backward partial in) is in:
 * kept, nothing sent */
int32_t s4j_batch_norm_keep_delta(const s4j_header *h, const s4j_layout *l, void *dtcm,
                                  s4j_bn *bn);
/* s4j_batchnorm.c: whether the mini-batch's update may run (S4J_OK) */
int32_t s4j_batch_norm_update_ready(const s4j_bn *bn, uint32_t batch_size);
/* s4j_batchnorm.c: the running mean and statistic stepped, std derived */
void s4j_batch_norm_step(const s4j_header *h, const s4j_layout *l, void *dtcm, s4j_bn *bn);

/* s4j_update.c: sqrtf(x), the same bits, faster in soft float */
float s4j_sqrt(float x);

/* s4j_gradnorm.c: the scales of the weights' and the bias' gradients */
void s4j_scales_of(const s4j_train *t, const s4j_layout *l, void *dtcm,
                   s4j_scale *sw, s4j_scale *sb);

#endif
