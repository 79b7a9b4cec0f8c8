/*
 * A core's config: read from its packed words (s4j_parse_config) and checked
 * in full (s4j_check_config) before s4j_load writes a state from it.
 */
#include "s4j_internal.h"
#include "s4j_fixfunc.h"

#include <math.h>

int32_t s4j_parse_config(const uint32_t *words, uint32_t n_words, s4j_config *cfg)
{
    s4j_training *t;

    if (words == NULL || cfg == NULL || n_words < S4J_CONFIG_WORDS) {
        return S4J_ERR_BAD_LENGTH;
    }
    cfg->kind = words[S4J_CFG_KIND];
    cfg->n_rows = words[S4J_CFG_N_ROWS];
    cfg->n_cols = words[S4J_CFG_N_COLS];
    cfg->activation = words[S4J_CFG_ACTIVATION];
    cfg->alpha = s4j_f_of(words[S4J_CFG_ALPHA]);
    cfg->fused = words[S4J_CFG_FUSED];
    cfg->out_key_base = words[S4J_CFG_OUT_KEY_BASE];
    cfg->expected_partials = words[S4J_CFG_EXPECTED_PARTIALS];
    cfg->softmax_peers = words[S4J_CFG_SOFTMAX_PEERS];
    cfg->sync_key_base = words[S4J_CFG_SYNC_KEY_BASE];
    cfg->n_ranges = words[S4J_CFG_N_RANGES];
    t = &cfg->training;
    t->enabled = words[S4J_CFG_TRAINING];
    t->updater.kind = words[S4J_CFG_UPDATER];
    t->updater.learning_rate = s4j_f_of(words[S4J_CFG_LEARNING_RATE]);
    t->updater.beta1 = s4j_f_of(words[S4J_CFG_BETA1]);
    t->updater.beta2 = s4j_f_of(words[S4J_CFG_BETA2]);
    t->updater.epsilon = s4j_f_of(words[S4J_CFG_EPSILON]);
    t->bias_updater.kind = words[S4J_CFG_BIAS_UPDATER];
    t->bias_updater.learning_rate = s4j_f_of(words[S4J_CFG_BIAS_LEARNING_RATE]);
    t->bias_updater.beta1 = s4j_f_of(words[S4J_CFG_BIAS_BETA1]);
    t->bias_updater.beta2 = s4j_f_of(words[S4J_CFG_BIAS_BETA2]);
    t->bias_updater.epsilon = s4j_f_of(words[S4J_CFG_BIAS_EPSILON]);
    t->loss = words[S4J_CFG_LOSS];
    t->loss_weighted = words[S4J_CFG_LOSS_WEIGHTED];
    t->layer_outputs = words[S4J_CFG_LAYER_OUTPUTS];
    t->delta_key_base = words[S4J_CFG_DELTA_KEY_BASE];
    t->backward_key_base = words[S4J_CFG_BACKWARD_KEY_BASE];
    t->backward_first_row = words[S4J_CFG_BACKWARD_FIRST_ROW];
    t->loss_key_base = words[S4J_CFG_LOSS_KEY_BASE];
    t->expected_backward = words[S4J_CFG_EXPECTED_BACKWARD];
    t->sends_backward = words[S4J_CFG_SENDS_BACKWARD];
    t->weights.l1 = s4j_f_of(words[S4J_CFG_L1]);
    t->weights.l2 = s4j_f_of(words[S4J_CFG_L2]);
    t->weights.weight_decay = s4j_f_of(words[S4J_CFG_WEIGHT_DECAY]);
    t->weights.l2_first = words[S4J_CFG_L2_FIRST];
    t->weights.decay_times = words[S4J_CFG_WEIGHT_DECAY_TIMES];
    t->bias.l1 = s4j_f_of(words[S4J_CFG_BIAS_L1]);
    t->bias.l2 = s4j_f_of(words[S4J_CFG_BIAS_L2]);
    t->bias.weight_decay = s4j_f_of(words[S4J_CFG_BIAS_WEIGHT_DECAY]);
    t->bias.l2_first = words[S4J_CFG_BIAS_L2_FIRST];
    t->bias.decay_times = words[S4J_CFG_BIAS_WEIGHT_DECAY_TIMES];
    t->in_flight = words[S4J_CFG_IN_FLIGHT];
    t->grad_norm = words[S4J_CFG_GRAD_NORM];
    t->grad_norm_threshold = s4j_f_of(words[S4J_CFG_GRAD_NORM_THRESHOLD]);
    t->norm_key_base = words[S4J_CFG_NORM_KEY_BASE];
    t->norm_peers = words[S4J_CFG_NORM_PEERS];
    t->norm_self = words[S4J_CFG_NORM_SELF];
    cfg->pool = words[S4J_CFG_POOL];
    cfg->pool_channels = words[S4J_CFG_POOL_CHANNELS];
    cfg->pool_first = words[S4J_CFG_POOL_FIRST];
    cfg->pool_start = s4j_f_of(words[S4J_CFG_POOL_START]);
    cfg->pool_divisor = words[S4J_CFG_POOL_DIVISOR];
    cfg->pool_width = words[S4J_CFG_POOL_WIDTH];
    cfg->pool_kernel_w = words[S4J_CFG_POOL_KERNEL_W];
    cfg->pool_stride_w = words[S4J_CFG_POOL_STRIDE_W];
    cfg->pool_pad_w = words[S4J_CFG_POOL_PAD_W];
    cfg->pool_out_width = words[S4J_CFG_POOL_OUT_WIDTH];
    cfg->pool_pad_in_divisor = words[S4J_CFG_POOL_PAD_IN_DIVISOR];
    t->copy.chunks = words[S4J_CFG_COPY_CHUNKS];
    t->copy.slots = words[S4J_CFG_COPY_SLOTS];
    t->copy.self = words[S4J_CFG_COPY_SELF];
    t->copy.owned = words[S4J_CFG_COPY_OWNED];
    t->copy.shares = words[S4J_CFG_COPY_SHARES];
    t->copy.params = words[S4J_CFG_COPY_PARAMS];
    t->copy.ranges = words[S4J_CFG_COPY_RANGES];
    cfg->row.kernel_w = words[S4J_CFG_ROW_KERNEL_W];
    cfg->row.width = words[S4J_CFG_ROW_WIDTH];
    cfg->row.channels_in = words[S4J_CFG_ROW_CHANNELS_IN];
    cfg->row.stride = words[S4J_CFG_ROW_STRIDE];
    cfg->row.pad = words[S4J_CFG_ROW_PAD];
    cfg->row.channels_out = words[S4J_CFG_ROW_CHANNELS_OUT];
    cfg->row.first_column = words[S4J_CFG_ROW_FIRST_COLUMN];
    cfg->row.first_channel = words[S4J_CFG_ROW_FIRST_CHANNEL];
    cfg->row.channels = words[S4J_CFG_ROW_CHANNELS];
    cfg->norm_batch = words[S4J_CFG_NORM_BATCH];
    cfg->norm_decay = s4j_f_of(words[S4J_CFG_NORM_DECAY]);
    cfg->norm_rest = s4j_f_of(words[S4J_CFG_NORM_DECAY_REST]);
    cfg->norm_eps = s4j_f_of(words[S4J_CFG_NORM_EPS]);
    cfg->norm_log_std = words[S4J_CFG_NORM_LOG_STD];
    cfg->norm_channels = words[S4J_CFG_NORM_CHANNELS];
    cfg->norm_pixels = words[S4J_CFG_NORM_PIXELS];
    cfg->norm_blocks = words[S4J_CFG_NORM_BLOCKS];
    cfg->norm_block_index = words[S4J_CFG_NORM_BLOCK_INDEX];
    cfg->norm_exchange_key_base = words[S4J_CFG_NORM_EXCHANGE_KEY_BASE];
    cfg->arithmetic = words[S4J_CFG_ARITHMETIC];
    cfg->alpha_fixed = (int32_t)words[S4J_CFG_ALPHA_FIXED];
    cfg->partial_halves = words[S4J_CFG_PARTIAL_HALVES];
    {
        /* the ranges, then n_cols loss weights if weighted, then the copy's
         * chunks (64-bit sums: the counts come from the caller) */
        uint64_t want = (uint64_t)cfg->n_ranges * S4J_RANGE_WORDS
                      + (t->loss_weighted != 0u ? (uint64_t)cfg->n_cols : 0u)
                      + (uint64_t)t->copy.chunks * S4J_CHUNK_WORDS;

        if (want != (uint64_t)(n_words - S4J_CONFIG_WORDS)) {
            return S4J_ERR_BAD_LENGTH;
        }
    }
    cfg->ranges = words + S4J_CONFIG_WORDS;
    cfg->loss_weights = t->loss_weighted != 0u
        ? words + S4J_CONFIG_WORDS + (size_t)cfg->n_ranges * S4J_RANGE_WORDS : NULL;
    cfg->chunks = t->copy.chunks != 0u
        ? words + S4J_CONFIG_WORDS + (size_t)cfg->n_ranges * S4J_RANGE_WORDS
              + (t->loss_weighted != 0u ? (size_t)cfg->n_cols : 0u)
        : NULL;
    return S4J_OK;
}

/* Whether n keys from base would run past the last key (2^32 - 1). */
static int keys_wrap(uint32_t base, uint64_t n)
{
    return (uint64_t)base + n > (uint64_t)UINT32_MAX + 1u;
}

/* Whether a range's keys, filed from its local index on, run past limit. */
static int range_overruns(const uint32_t *r, uint64_t limit)
{
    return (uint64_t)r[S4J_RANGE_WORD_LOCAL] + (r[S4J_RANGE_WORD_KEY_HI] - r[S4J_RANGE_WORD_KEY_LO]) > limit;
}

/* Regularization coefficients are finite and >= 0, the order is a flag, a
 * weight decay is applied up to 255 times, at least once if there is one. */
static int regularization_ok(const s4j_regularization *r)
{
    return isfinite(r->l1) && isfinite(r->l2) && isfinite(r->weight_decay)
        && r->l1 >= 0.0f && r->l2 >= 0.0f && r->weight_decay >= 0.0f
        && r->l2_first <= 1u && r->decay_times <= 255u
        && (r->weight_decay == 0.0f || r->decay_times >= 1u);
}

/* An updater's kind and hyper-parameters: all finite, the learning rate
 * >= 0; NESTEROVS: momentum >= 0; the Adam family, AdaDelta and RmsProp:
 * beta1 (rho, decay) and beta2 in [0, 1), epsilon > 0; AdaGrad: epsilon
 * > 0. */
static int updater_ok(const s4j_updater *u)
{
    if (u->kind > S4J_UPDATER_NOOP || !isfinite(u->learning_rate)
        || !isfinite(u->beta1) || !isfinite(u->beta2) || !isfinite(u->epsilon)
        || u->learning_rate < 0.0f) {
        return 0;
    }
    switch (u->kind) {
    case S4J_UPDATER_SGD:
    case S4J_UPDATER_NOOP:
        return 1;
    case S4J_UPDATER_NESTEROVS:
        return u->beta1 >= 0.0f;
    case S4J_UPDATER_ADAGRAD:
        return u->epsilon > 0.0f;
    default:
        return u->beta1 >= 0.0f && u->beta1 < 1.0f && u->beta2 >= 0.0f
            && u->beta2 < 1.0f && u->epsilon > 0.0f;
    }
}

/* Whether a loss takes DL4J's per-output weights. */
static int loss_takes_weights(uint32_t loss)
{
    switch (loss) {
    case S4J_LOSS_MSE:
    case S4J_LOSS_L1:
    case S4J_LOSS_L2:
    case S4J_LOSS_MAE:
    case S4J_LOSS_XENT:
    case S4J_LOSS_MCXENT:
    case S4J_LOSS_NLL:
    case S4J_LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR:
    case S4J_LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR:
        return 1;
    default:
        return 0;
    }
}

/* Unweighted, or a loss that takes weights with n_cols finite weights. */
static int loss_weights_ok(const s4j_config *cfg)
{
    const s4j_training *t = &cfg->training;
    uint32_t j;

    if (t->loss_weighted == 0u) {
        return 1;
    }
    if (t->loss_weighted != 1u || !loss_takes_weights(t->loss)
        || cfg->loss_weights == NULL) {
        return 0;
    }
    for (j = 0u; j < cfg->n_cols; j++) {
        if (!isfinite(s4j_f_of(cfg->loss_weights[j]))) {
            return 0;
        }
    }
    return 1;
}

/*
 * A kernel copy's part: none (all 0), or, on a fused training block without
 * an L2 gradient normalization, chunks within its parameters in increasing
 * order without overlap, the owned ones' slots numbering them 0 .. owned - 1
 * in order, keys that do not wrap, and share slots that fit.
 */
static int copy_ok(const s4j_config *cfg)
{
    const s4j_copy *c = &cfg->training.copy;
    uint64_t params = s4j_weight_count(cfg->pool, &cfg->row, cfg->n_rows, cfg->n_cols)
                      + s4j_bias_count(&cfg->row, cfg->n_cols);
    uint64_t end = 0u;
    uint64_t owned = 0u;
    uint64_t held = 0u;
    uint32_t i;

    if (c->chunks == 0u) {
        return c->slots == 0u && c->self == 0u && c->owned == 0u && c->shares == 0u
            && c->params == 0u && c->ranges == 0u;
    }
    if (cfg->training.enabled != 1u || cfg->kind != S4J_KIND_DENSE_BLOCK || cfg->fused != 1u
        || cfg->chunks == NULL || s4j_is_l2(cfg->training.grad_norm)
        || c->slots < 2u || c->self >= c->slots || c->ranges > cfg->n_ranges
        || c->owned > params
        || (uint64_t)c->shares > (uint64_t)c->owned * (c->slots - 1u)) {
        return 0;
    }
    for (i = 0u; i < c->chunks; i++) {
        const uint32_t *k = cfg->chunks + (size_t)i * S4J_CHUNK_WORDS;
        uint32_t lo = k[S4J_CHUNK_WORD_LO];
        uint32_t hi = k[S4J_CHUNK_WORD_HI];

        if (lo < end || hi <= lo || hi > params
            || keys_wrap(k[S4J_CHUNK_WORD_KEY], hi - lo)) {
            return 0;
        }
        if (k[S4J_CHUNK_WORD_SLOT] != S4J_CHUNK_NOT_OWNED) {
            if (k[S4J_CHUNK_WORD_SLOT] != owned) {
                return 0;
            }
            owned += hi - lo;
        } else {
            held += hi - lo;
        }
        end = hi;
    }
    return owned == c->owned && c->params <= held;
}

static int32_t check_training(const s4j_config *cfg)
{
    const s4j_training *t = &cfg->training;
    int activator = s4j_has_bias(cfg->kind, cfg->fused);
    int output = t->loss != S4J_LOSS_NONE;
    /* keys a row's error takes when sent back: 2, an S16_15 block's halves */
    uint32_t back_keys = s4j_fix_sends_halves(cfg->arithmetic, cfg->n_cols, t->layer_outputs) ? 2u : 1u;

    if (!copy_ok(cfg)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (t->enabled == 0u) {
        return t->in_flight == 0u && t->loss_weighted == 0u ? S4J_OK : S4J_ERR_BAD_CONFIG;
    }
    if (t->enabled != 1u
        || (cfg->kind != S4J_KIND_DENSE_BLOCK && cfg->kind != S4J_KIND_REDUCE)
        || t->loss > S4J_LOSS_WASSERSTEIN || t->sends_backward > 1u
        || !loss_weights_ok(cfg)
        || t->in_flight == 0u || t->in_flight > S4J_MAX_IN_FLIGHT
        || !updater_ok(&t->updater) || !updater_ok(&t->bias_updater)
        || !regularization_ok(&t->weights) || !regularization_ok(&t->bias)
        || t->grad_norm > S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE
        || !isfinite(t->grad_norm_threshold)
        || (t->grad_norm == S4J_GRAD_NORM_NONE && t->grad_norm_threshold != 0.0f)
        || (!s4j_is_l2(t->grad_norm)
            && (t->norm_key_base != 0u || t->norm_peers != 0u || t->norm_self != 0u))
        || t->norm_self > t->norm_peers
        || keys_wrap(t->norm_key_base, s4j_norm_keys(t->grad_norm))) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (!activator && (output || t->expected_backward != 0u)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (activator && output
        && (t->expected_backward != 0u || t->layer_outputs < cfg->n_cols)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (activator && !output
        && (t->expected_backward == 0u
            || (uint64_t)cfg->n_cols * t->expected_backward > (uint64_t)INT32_MAX)) {
        return S4J_ERR_BAD_CONFIG;
    }
    /* binary cross-entropy scores a softmax with DL4J's log-softmax, which
     * the cores do not compute; cosine proximity needs the whole row */
    if (activator && output && cfg->activation == S4J_ACT_SOFTMAX
        && t->loss == S4J_LOSS_XENT) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (output && t->loss == S4J_LOSS_COSINE_PROXIMITY && t->layer_outputs != cfg->n_cols) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->kind == S4J_KIND_REDUCE
        && (t->sends_backward != 0u
            || keys_wrap(t->delta_key_base, cfg->n_cols))) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->kind == S4J_KIND_DENSE_BLOCK && t->sends_backward != 0u
        && keys_wrap(t->backward_key_base, (uint64_t)cfg->n_rows * back_keys)) {
        return S4J_ERR_BAD_CONFIG;
    }
    /* only a block sending halves (exact sums, added in any order) starts
     * elsewhere than at row 0 */
    if (t->backward_first_row != 0u
        && (cfg->kind != S4J_KIND_DENSE_BLOCK || t->sends_backward == 0u || back_keys != 2u
            || t->backward_first_row >= cfg->n_rows)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (s4j_sends_bound(cfg->kind, cfg->n_rows, cfg->n_cols, cfg->fused, cfg->softmax_peers, 1,
                        t->sends_backward * back_keys) > (uint64_t)INT32_MAX) {
        return S4J_ERR_BAD_CONFIG;
    }
    return S4J_OK;
}

/* A pooling block's shape: whole rows of width pixels of channels channels,
 * its columns within one output row of out_width pixels, every output pixel
 * seeing a pixel of the row (0 < pad_w + ... : the first ends right of the
 * row's start, the last starts left of its end), every size below 2^16 so
 * that the kernel's arithmetic cannot overflow. */
int s4j_pool_shape_ok(uint32_t n_rows, uint32_t n_cols, uint32_t channels, uint32_t first,
                      uint32_t width, uint32_t kernel_w, uint32_t stride_w, uint32_t pad_w,
                      uint32_t out_width)
{
    const uint32_t limit = 65536u;

    if (channels == 0u || width == 0u || kernel_w == 0u || stride_w == 0u || out_width == 0u
        || channels >= limit || width >= limit || kernel_w >= limit || stride_w >= limit
        || pad_w >= limit || out_width >= limit) {
        return 0;
    }
    return n_rows % (channels * width) == 0u
        && (uint64_t)first + n_cols <= (uint64_t)out_width * channels
        && pad_w < kernel_w
        && (uint64_t)(out_width - 1u) * stride_w < (uint64_t)width + pad_w;
}

/* A pooling block: a fused DENSE_BLOCK without softmax whose
 * rows are whole image rows and whose columns lie within one output row
 * (s4j_pool_shape_ok); MAX starts from a value that is not NaN, AVG divides
 * by at least 1 (and below 2^16, so that its product with a window's pixels
 * cannot overflow), only AVG may count the padding, and a normalization
 * takes one position (one row of one pixel, its window that pixel).
 * Without pooling, its words are 0. */
static int32_t check_pooling(const s4j_config *cfg)
{
    if (cfg->pool == S4J_POOL_NONE) {
        return cfg->pool_channels == 0u && cfg->pool_first == 0u
            && s4j_bits_of(cfg->pool_start) == 0u && cfg->pool_divisor == 0u
            && cfg->pool_width == 0u && cfg->pool_kernel_w == 0u && cfg->pool_stride_w == 0u
            && cfg->pool_pad_w == 0u && cfg->pool_out_width == 0u && cfg->pool_pad_in_divisor == 0u
            ? S4J_OK : S4J_ERR_BAD_CONFIG;
    }
    if (cfg->pool > S4J_POOL_NORM || cfg->kind != S4J_KIND_DENSE_BLOCK
        || cfg->fused != 1u
        || cfg->activation == S4J_ACT_SOFTMAX
        || !s4j_pool_shape_ok(cfg->n_rows, cfg->n_cols, cfg->pool_channels, cfg->pool_first,
                              cfg->pool_width, cfg->pool_kernel_w, cfg->pool_stride_w,
                              cfg->pool_pad_w, cfg->pool_out_width)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->pool == S4J_POOL_MAX) {
        return !isnan(cfg->pool_start) && cfg->pool_divisor == 0u && cfg->pool_pad_in_divisor == 0u
            ? S4J_OK : S4J_ERR_BAD_CONFIG;
    }
    if (cfg->pool == S4J_POOL_NORM) {
        return cfg->n_rows == cfg->pool_channels && cfg->pool_width == 1u
            && cfg->pool_kernel_w == 1u && cfg->pool_stride_w == 1u && cfg->pool_pad_w == 0u
            && cfg->pool_out_width == 1u && cfg->pool_divisor == 0u
            && s4j_bits_of(cfg->pool_start) == 0u && cfg->pool_pad_in_divisor == 0u
            ? S4J_OK : S4J_ERR_BAD_CONFIG;
    }
    return cfg->pool_divisor != 0u && cfg->pool_divisor < 65536u
        && s4j_bits_of(cfg->pool_start) == 0u && cfg->pool_pad_in_divisor <= 1u
        ? S4J_OK : S4J_ERR_BAD_CONFIG;
}

/* A batch normalization's channels (S4J_CFG_NORM_CHANNELS ..): per column
 * (CHANNELS 0, PIXELS 0, one block, INDEX and KEY_BASE 0), or 1 .. n_rows
 * (at most 2^16) channels of 1 .. 2^16 pixels (batch x pixels stays exact in float) on
 * 1 .. 2^16 blocks, this one's index among them, its exchange keys not
 * wrapping. */
static int batch_norm_channels_ok(const s4j_config *cfg)
{
    if (cfg->norm_channels == 0u) {
        return cfg->norm_pixels == 0u && cfg->norm_blocks == 1u && cfg->norm_block_index == 0u
            && cfg->norm_exchange_key_base == 0u;
    }
    return cfg->norm_channels <= cfg->n_rows && cfg->norm_channels <= 65536u && cfg->norm_pixels != 0u
        && cfg->norm_pixels <= 65536u && cfg->norm_blocks != 0u && cfg->norm_blocks <= 65536u
        && cfg->norm_block_index < cfg->norm_blocks
        && (cfg->norm_blocks == 1u
            ? cfg->norm_exchange_key_base == 0u
            : !keys_wrap(cfg->norm_exchange_key_base, S4J_BN_SUMS * cfg->norm_channels));
}

/* A batch normalization's mini-batch mode (S4J_CFG_NORM_*): none (all ten
 * words 0), or, on a training NORM block without softmax or any other
 * activation, gradient normalization or kernel copy, a largest mini-batch
 * of 1 .. in_flight samples (its rows are kept in the x ring), decay and
 * 1 - decay in [0, 1], eps > 0 (finite), LOG_STD a flag, and its channels
 * (batch_norm_channels_ok). */
static int batch_norm_ok(const s4j_config *cfg)
{
    const s4j_training *t = &cfg->training;

    if (cfg->norm_batch == 0u) {
        return s4j_bits_of(cfg->norm_decay) == 0u && s4j_bits_of(cfg->norm_rest) == 0u
            && s4j_bits_of(cfg->norm_eps) == 0u && cfg->norm_log_std == 0u
            && cfg->norm_channels == 0u && cfg->norm_pixels == 0u && cfg->norm_blocks == 0u
            && cfg->norm_block_index == 0u && cfg->norm_exchange_key_base == 0u;
    }
    if (!batch_norm_channels_ok(cfg)) {
        return 0;
    }
    return t->enabled == 1u && cfg->pool == S4J_POOL_NORM && cfg->activation == S4J_ACT_IDENTITY
        && t->loss == S4J_LOSS_NONE && t->grad_norm == S4J_GRAD_NORM_NONE && t->copy.chunks == 0u
        && cfg->norm_batch <= t->in_flight
        && cfg->norm_decay >= 0.0f && cfg->norm_decay <= 1.0f
        && cfg->norm_rest >= 0.0f && cfg->norm_rest <= 1.0f
        && isfinite(cfg->norm_eps) && cfg->norm_eps > 0.0f && cfg->norm_log_std <= 1u;
}

/* Whether a regularization is none at all. */
static int regularization_none(const s4j_regularization *r)
{
    return r->l1 == 0.0f && r->l2 == 0.0f && r->weight_decay == 0.0f && r->decay_times == 0u;
}

/* S16_15 training (docs/fixed-point.md, "Training in s16.15 on the
 * machine"): a fused block (all the rows of its columns), no pooling, row
 * convolution, softmax peers, regularization, gradient normalization, kernel
 * copy, batch normalization or loss weights; both updaters SGD or both ADAM
 * (their constants come with each update, s4j_apply_fix_update); an output
 * layer softmax + MCXENT or identity + MSE over all the layer's columns, a
 * hidden one relu, identity, tanh or sigmoid (its error a rounded word a
 * column from one block, EXPECTED_BACKWARD 1, or halves from several). A
 * block that sends back states its layer's width (LAYER_OUTPUTS at least its
 * columns; more: it sends halves, s4j_fix_sends_halves). */
static int fix_training_ok(const s4j_config *cfg)
{
    const s4j_training *t = &cfg->training;
    uint32_t act = cfg->activation;

    if (cfg->kind != S4J_KIND_DENSE_BLOCK || cfg->fused != 1u || cfg->pool != S4J_POOL_NONE
        || cfg->row.kernel_w != 0u || cfg->softmax_peers != 0u || cfg->norm_batch != 0u
        || t->copy.chunks != 0u || t->grad_norm != S4J_GRAD_NORM_NONE || t->loss_weighted != 0u
        || !regularization_none(&t->weights) || !regularization_none(&t->bias)
        || (t->updater.kind != S4J_UPDATER_SGD && t->updater.kind != S4J_UPDATER_ADAM)
        || t->bias_updater.kind != t->updater.kind) {
        return 0;
    }
    if (t->loss != S4J_LOSS_NONE) {
        return t->layer_outputs == cfg->n_cols
            && ((act == S4J_ACT_SOFTMAX && t->loss == S4J_LOSS_MCXENT
                 && cfg->n_cols <= S4J_FIX_SOFTMAX_MAX_COLS)
                || (act == S4J_ACT_IDENTITY && t->loss == S4J_LOSS_MSE));
    }
    if (t->sends_backward != 0u && t->layer_outputs < cfg->n_cols) {
        return 0;
    }
    return t->expected_backward >= 1u
        && (act == S4J_ACT_RELU || act == S4J_ACT_IDENTITY || act == S4J_ACT_TANH
            || act == S4J_ACT_SIGMOID);
}

/* The arithmetic (S4J_CFG_ARITHMETIC): FLOAT (ALPHA_FIXED and
 * PARTIAL_HALVES 0), S16_15 training as fix_training_ok says, or S16_15
 * for inference on a source, a sink, an
 * unfused block of weights, or an activator (a fused block of weights, a
 * pooling block at inference, a row convolution's, or a reduce, the only kind that may receive
 * PARTIAL_HALVES) whose activation is exact on a word (IDENTITY, RELU,
 * LEAKYRELU, HARDTANH, RELU6, THRESHOLDEDRELU, CUBE), one s4j_fix_supports
 * accepts, or SOFTMAX over at most S4J_FIX_SOFTMAX_MAX_COLS columns. */
static int arithmetic_ok(const s4j_config *cfg)
{
    uint32_t act = cfg->activation;

    if (cfg->arithmetic == S4J_ARITH_FLOAT) {
        return cfg->alpha_fixed == 0 && cfg->partial_halves == 0u;
    }
    if (cfg->arithmetic != S4J_ARITH_S16_15
        || cfg->partial_halves > (cfg->kind == S4J_KIND_REDUCE ? 1u : 0u)) {
        return 0;
    }
    if (cfg->training.enabled != 0u) {
        return cfg->partial_halves == 0u && cfg->alpha_fixed == 0 && fix_training_ok(cfg);
    }
    if (cfg->kind == S4J_KIND_INPUT_SOURCE || cfg->kind == S4J_KIND_OUTPUT_SINK) {
        return 1;
    }
    /* a pooling block (MAX, AVG, or a batch normalization at inference,
     * its parameters folded by the host) pools words (s4j_packet.c); a
     * row convolution's block multiplies its runs (s4j_rowconv.c); an
     * unfused block sends its sums: its activation is the reduce's */
    return (cfg->kind == S4J_KIND_DENSE_BLOCK && cfg->fused == 0u)
        || act == S4J_ACT_IDENTITY || act == S4J_ACT_RELU || act == S4J_ACT_LEAKYRELU
        || act == S4J_ACT_HARDTANH || act == S4J_ACT_RELU6 || act == S4J_ACT_THRESHOLDEDRELU
        || act == S4J_ACT_CUBE || s4j_fix_supports(act)
        || (act == S4J_ACT_SOFTMAX && cfg->n_cols <= S4J_FIX_SOFTMAX_MAX_COLS);
}

/* Range i, a BN_PARTIAL: on a batch normalization in channel mode, the
 * S4J_BN_SUMS x channels keys of another block (local: its index x that
 * many, its first sum's slot), one range per block. */
static int bn_partial_range_ok(const s4j_config *cfg, uint32_t i)
{
    const uint32_t *r = cfg->ranges + (size_t)i * S4J_RANGE_WORDS;
    uint32_t sums = S4J_BN_SUMS * cfg->norm_channels;
    uint32_t block;
    uint32_t j;

    if (cfg->norm_batch == 0u || cfg->norm_channels == 0u
        || r[S4J_RANGE_WORD_KEY_HI] - r[S4J_RANGE_WORD_KEY_LO] != sums
        || r[S4J_RANGE_WORD_LOCAL] % sums != 0u) {
        return 0;
    }
    block = r[S4J_RANGE_WORD_LOCAL] / sums;
    if (block >= cfg->norm_blocks || block == cfg->norm_block_index) {
        return 0;
    }
    for (j = 0u; j < i; j++) {
        const uint32_t *o = cfg->ranges + (size_t)j * S4J_RANGE_WORDS;

        if (o[S4J_RANGE_WORD_KIND] == S4J_RANGE_BN_PARTIAL && o[S4J_RANGE_WORD_LOCAL] == block * sums) {
            return 0;
        }
    }
    return 1;
}

int32_t s4j_check_config(const s4j_config *cfg)
{
    uint32_t i;
    uint32_t j;
    uint32_t limit;
    uint32_t syncs = 0u;
    uint32_t norms = 0u;
    uint32_t copy_ranges = 0u;
    uint32_t bn_ranges = 0u;
    uint32_t sync_keys;
    int softmax;
    int training;
    int activator;
    int output;

    if (cfg == NULL || cfg->kind > S4J_KIND_OUTPUT_SINK
        || cfg->activation > S4J_ACT_LAST || cfg->n_cols == 0u
        || cfg->fused > 1u || !isfinite(cfg->alpha)
        || (cfg->n_ranges != 0u && cfg->ranges == NULL)) {
        return S4J_ERR_BAD_CONFIG;
    }
    softmax = s4j_applies_softmax(cfg->kind, cfg->fused, cfg->activation);
    if (cfg->kind == S4J_KIND_DENSE_BLOCK && cfg->n_rows == 0u) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->kind == S4J_KIND_REDUCE
        && (cfg->expected_partials == 0u
            || (uint64_t)cfg->n_cols * cfg->expected_partials > (uint64_t)INT32_MAX)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->kind == S4J_KIND_INPUT_SOURCE && cfg->n_ranges != 0u) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->softmax_peers != 0u && !softmax) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->n_cols > (uint32_t)INT32_MAX - 2u) {
        return S4J_ERR_BAD_CONFIG;
    }
    /* emitted keys must not wrap around */
    if (cfg->kind != S4J_KIND_OUTPUT_SINK
        && keys_wrap(cfg->out_key_base,
                     (uint64_t)cfg->n_cols * s4j_keys_out(cfg->kind, cfg->fused, cfg->arithmetic))) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (check_training(cfg) != S4J_OK || check_pooling(cfg) != S4J_OK || !batch_norm_ok(cfg)
        || !arithmetic_ok(cfg)
        || !s4j_row_conv_ok(cfg->kind, cfg->fused, cfg->pool, &cfg->row, cfg->n_rows, cfg->n_cols)) {
        return S4J_ERR_BAD_CONFIG;
    }
    training = cfg->training.enabled != 0u;
    activator = s4j_has_bias(cfg->kind, cfg->fused);
    output = training && cfg->training.loss != S4J_LOSS_NONE;
    sync_keys = training ? S4J_SYNC_KEYS_TRAINING : S4J_SYNC_KEYS;
    if (cfg->softmax_peers != 0u
        && keys_wrap(cfg->sync_key_base, sync_keys)) {
        return S4J_ERR_BAD_CONFIG;
    }
    limit = cfg->kind == S4J_KIND_DENSE_BLOCK ? cfg->n_rows
          : cfg->n_cols * s4j_keys_in(cfg->partial_halves);
    for (i = 0u; i < cfg->n_ranges; i++) {
        const uint32_t *r = cfg->ranges + (size_t)i * S4J_RANGE_WORDS;
        uint32_t lo = r[S4J_RANGE_WORD_KEY_LO];
        uint32_t hi = r[S4J_RANGE_WORD_KEY_HI];

        if (hi <= lo) {
            return S4J_ERR_BAD_CONFIG;
        }
        switch (r[S4J_RANGE_WORD_KIND]) {
        case S4J_RANGE_DATA:
            if (range_overruns(r, limit)) {
                return S4J_ERR_BAD_CONFIG;
            }
            break;
        case S4J_RANGE_SOFTMAX_SYNC:
            if (hi - lo != sync_keys) {
                return S4J_ERR_BAD_CONFIG;
            }
            syncs++;
            break;
        case S4J_RANGE_DELTA:
            if (!training || cfg->kind != S4J_KIND_DENSE_BLOCK || cfg->fused != 0u
                || range_overruns(r, cfg->n_cols)) {
                return S4J_ERR_BAD_CONFIG;
            }
            break;
        case S4J_RANGE_BACKWARD_PARTIAL:
            /* S16_15 halves: two keys a column */
            if (!training || !activator || output
                || range_overruns(r, (uint64_t)cfg->n_cols
                                         * (s4j_fix_takes_halves(cfg->arithmetic,
                                                                 cfg->training.expected_backward) ? 2u : 1u))) {
                return S4J_ERR_BAD_CONFIG;
            }
            break;
        case S4J_RANGE_LABEL:
            if (!output || range_overruns(r, cfg->n_cols)) {
                return S4J_ERR_BAD_CONFIG;
            }
            break;
        case S4J_RANGE_IGNORE:
            break;
        case S4J_RANGE_NORM: {
            /* one range per peer, at a position of its own, not this core's */
            uint32_t pos = r[S4J_RANGE_WORD_LOCAL];
            uint32_t j;

            if (!training || !s4j_is_l2(cfg->training.grad_norm)
                || hi - lo != s4j_norm_keys(cfg->training.grad_norm)
                || pos > cfg->training.norm_peers || pos == cfg->training.norm_self) {
                return S4J_ERR_BAD_CONFIG;
            }
            for (j = 0u; j < i; j++) {
                const uint32_t *o = cfg->ranges + (size_t)j * S4J_RANGE_WORDS;
                if (o[S4J_RANGE_WORD_KIND] == S4J_RANGE_NORM && o[S4J_RANGE_WORD_LOCAL] == pos) {
                    return S4J_ERR_BAD_CONFIG;
                }
            }
            norms++;
            break;
        }
        case S4J_RANGE_SHARE: {
            const s4j_copy *c = &cfg->training.copy;

            if (c->chunks == 0u
                || range_overruns(r, (uint64_t)c->slots * c->owned)) {
                return S4J_ERR_BAD_CONFIG;
            }
            copy_ranges++;
            break;
        }
        case S4J_RANGE_PARAM:
            if (cfg->training.copy.chunks == 0u
                || range_overruns(r, s4j_weight_count(cfg->pool, &cfg->row, cfg->n_rows, cfg->n_cols)
                                         + cfg->n_cols)) {
                return S4J_ERR_BAD_CONFIG;
            }
            copy_ranges++;
            break;
        case S4J_RANGE_BN_PARTIAL:
            if (!bn_partial_range_ok(cfg, i)) {
                return S4J_ERR_BAD_CONFIG;
            }
            bn_ranges++;
            break;
        default:
            return S4J_ERR_BAD_CONFIG;
        }
        for (j = 0u; j < i; j++) {
            const uint32_t *o = cfg->ranges + (size_t)j * S4J_RANGE_WORDS;
            if (lo < o[S4J_RANGE_WORD_KEY_HI] && o[S4J_RANGE_WORD_KEY_LO] < hi) {
                return S4J_ERR_BAD_CONFIG; /* overlapping key ranges */
            }
        }
        /* a kernel copy's SHARE and PARAM ranges come after every other, so
         * the slot rows (n_src) number the ranges before them */
        if (copy_ranges != 0u && r[S4J_RANGE_WORD_KIND] != S4J_RANGE_SHARE
            && r[S4J_RANGE_WORD_KIND] != S4J_RANGE_PARAM) {
            return S4J_ERR_BAD_CONFIG;
        }
        /* so do a batch normalization's BN_PARTIAL ranges */
        if (bn_ranges != 0u && r[S4J_RANGE_WORD_KIND] != S4J_RANGE_BN_PARTIAL) {
            return S4J_ERR_BAD_CONFIG;
        }
    }
    if (syncs != cfg->softmax_peers || norms != (training ? cfg->training.norm_peers : 0u)
        || copy_ranges != cfg->training.copy.ranges
        || bn_ranges != (cfg->norm_batch != 0u && cfg->norm_channels != 0u ? cfg->norm_blocks - 1u : 0u)) {
        return S4J_ERR_BAD_CONFIG;
    }
    return S4J_OK;
}
