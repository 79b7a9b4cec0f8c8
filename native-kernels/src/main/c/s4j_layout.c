/*
 * The layout of a core's state: derived from its shape (the byte offsets of
 * its parts and the most sends of one event), written with the config's
 * values by s4j_load, and re-derived and compared on every entry of a checked
 * build (S4J_CHECKED).
 */
#include "s4j_internal.h"

static uint32_t sat_add(uint32_t a, uint32_t b)
{
    return (a > UINT32_MAX - b) ? UINT32_MAX : a + b;
}

static uint32_t sat_mul(uint32_t a, uint32_t b)
{
    uint64_t p = (uint64_t)a * (uint64_t)b;
    return (p > UINT32_MAX) ? UINT32_MAX : (uint32_t)p;
}

/* Upper bound of the sends of one event (64-bit, so it cannot overflow). */
uint64_t s4j_sends_bound(uint32_t kind, uint32_t n_rows, uint32_t n_cols,
                         uint32_t fused, uint32_t peers, int training,
                         uint32_t sends_backward)
{
    uint64_t fwd;
    uint64_t back = 0u;

    switch (kind) {
    case S4J_KIND_INPUT_SOURCE:
        return n_cols;
    case S4J_KIND_DENSE_BLOCK:
    case S4J_KIND_REDUCE:
        fwd = (uint64_t)n_cols + (peers != 0u ? 2u : 0u);
        break;
    default:
        return 0u;
    }
    if (!training) {
        return fwd;
    }
    if (kind == S4J_KIND_DENSE_BLOCK) {
        back = (uint64_t)n_rows * sends_backward; /* keys a row: 0, 1, or 2 (halves) */
    }
    if (!s4j_has_bias(kind, fused)) {
        /* rows and deltas arrive in separate events */
        return fwd > back ? fwd : back;
    }
    /* the last forward input may also complete the backward of an output
     * activator: deltas (reduce), one loss or softmax dot, e (fused block) */
    if (kind == S4J_KIND_REDUCE) {
        back += n_cols;
    }
    return fwd + back + 1u;
}

/* A state's weights (s4j_weight_count; only a DENSE_BLOCK has any),
 * saturated. */
static uint32_t weights_of(uint32_t kind, uint32_t pool, const s4j_row_conv *row,
                           uint32_t n_rows, uint32_t n_cols)
{
    uint64_t n = kind == S4J_KIND_DENSE_BLOCK ? s4j_weight_count(pool, row, n_rows, n_cols) : 0u;

    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* The offset of a part of `bytes` bytes at *off, which moves past it; the
 * 16-bit offset is exact for the states s4j_load accepts (at most
 * S4J_DTCM_BYTES), and unused for any other. */
static uint16_t take(uint32_t *off, uint32_t bytes)
{
    uint32_t at = *off;

    *off = sat_add(*off, bytes);
    return (uint16_t)(at & 0xFFFFu);
}

/* As take, the part starting at a multiple of 8 bytes (an S16_15 training
 * core's 64-bit sums: the ARM968's LDRD and STRD need it). */
static uint16_t take8(uint32_t *off, uint32_t bytes)
{
    *off = sat_add(*off, (8u - *off % 8u) % 8u);
    return take(off, bytes);
}

/* Layout of a state; returns its total size (UINT32_MAX if it cannot exist). */
static uint32_t compute_layout(const s4j_shape *s, s4j_layout *l)
{
    uint32_t off = (uint32_t)(sizeof(s4j_header) + sizeof(s4j_layout));
    uint64_t sends = s4j_sends_bound(s->kind, s->n_rows, s->n_cols, s->fused,
                                     s->peers, s->training != 0u, s->sends_backward * s->back_keys)
                   * s4j_keys_out(s->kind, s->fused, s->arithmetic);
    uint32_t cols_bytes = sat_mul(s->n_cols, 4u);
    uint32_t bias_bytes = sat_mul(s->biases, 4u);
    /* a pooling block has no weights (nor their gradients) */
    uint32_t block_bytes = sat_mul(s->weights, 4u);
    /* one slot row per range that is not a softmax sync, a norm or a
     * kernel copy's (SOFTMAX_SYNC ranges number exactly softmax_peers, NORM
     * ranges norm_peers, SHARE and PARAM copy_ranges): a function of the
     * shape alone */
    uint32_t others = s->peers + s->norm_peers + s->copy_ranges
                    + (s->norm_blocks > 1u ? s->norm_blocks - 1u : 0u);
    uint32_t n_src = s->n_ranges > others ? s->n_ranges - others : 0u;
    uint32_t n_slots = sat_mul(n_src, s->n_cols);
    uint32_t n_fwd_slots = sat_mul(s4j_slot_rows(s->expected_partials, n_src), s->n_cols);
    uint32_t held = s->in_flight;

    if (s->norm_slots != 0u && sends < 2u) {
        sends = 2u; /* s4j_norm_start's partials */
    }
    if (s->copy_chunks != 0u) {
        /* s4j_share_start or s4j_param_send: at most every parameter */
        uint64_t params = (uint64_t)s->weights + s->biases;

        sends = sends > params ? sends : params;
    }
    if (s->norm_batch != 0u) {
        /* s4j_batch_norm_forward and _backward: a mini-batch's outputs or
         * deltas back */
        uint64_t batch = (uint64_t)s->norm_batch
            * (s->sends_backward != 0u && s->n_rows > s->n_cols ? s->n_rows : s->n_cols);

        sends = sends > batch ? sends : batch;
        if (s->norm_blocks > 1u) {
            /* s4j_batch_norm_exchange: round 2's four sums per channel */
            uint64_t sums = (uint64_t)4u * s->norm_channels;

            sends = sends > sums ? sends : sums;
        }
    }
    memset(l, 0, sizeof *l);
    l->max_sends = (uint16_t)(sends > 0xFFFFu ? 0xFFFFu : sends);
    l->n_src = (uint16_t)(n_src > 0xFFFFu ? 0xFFFFu : n_src);
    l->ranges = take(&off, sat_mul(s->n_ranges, (uint32_t)sizeof(s4j_range)));
    l->peers = take(&off, sat_mul(s->peers, (uint32_t)sizeof(s4j_peer)));
    switch (s->kind) {
    case S4J_KIND_INPUT_SOURCE:
        l->z = take(&off, cols_bytes);
        break;
    case S4J_KIND_DENSE_BLOCK:
        l->weights = take(&off, block_bytes);
        if (s->fused != 0u) {
            l->bias = take(&off, bias_bytes);
        }
        l->x = take(&off, sat_mul(sat_mul(s->n_rows, 4u), held));
        /* z, then the accumulators its rows are summed in (s4j_block_acc) */
        l->z = take(&off, sat_add(cols_bytes, sat_mul(s->n_cols, (uint32_t)sizeof(s4j_acc))));
        l->bitmap = take(&off, sat_mul(s4j_bitmap_words(s->n_rows), 4u));
        break;
    case S4J_KIND_REDUCE:
        l->bias = take(&off, cols_bytes);
        if (s->arithmetic != S4J_ARITH_FLOAT) {
            /* z words, then the 64-bit sums (s4j_fix_reduce.sums); a bit per key
             * and slot row instead of slots */
            uint32_t keys = sat_mul(n_fwd_slots, s4j_keys_in(s->partial_halves));

            l->z = take(&off, sat_mul(cols_bytes, 3u));
            l->counts = take(&off, cols_bytes);
            l->slot_bitmap = take(&off, sat_mul(s4j_bitmap_words(keys), 4u));
            break;
        }
        l->z = take(&off, cols_bytes);
        l->counts = take(&off, cols_bytes);
        l->slots = take(&off, sat_mul(n_fwd_slots, 4u));
        l->slot_bitmap = take(&off, sat_mul(s4j_bitmap_words(n_fwd_slots), 4u));
        break;
    case S4J_KIND_OUTPUT_SINK:
        l->z = take(&off, cols_bytes);
        l->bitmap = take(&off, sat_mul(s4j_bitmap_words(s->n_cols), 4u));
        break;
    default:
        return UINT32_MAX;
    }
    if (s->training != 0u) {
        uint32_t u = s4j_updater_arrays(s->w_updater);
        uint32_t ub = s4j_updater_arrays(s->b_updater);

        l->train = take(&off, (uint32_t)sizeof(s4j_train));
        l->peer_dots = take(&off, sat_mul(s->peers, 4u));
        l->delta = take(&off, cols_bytes);
        if (s->arithmetic != S4J_ARITH_FLOAT) {
            /* S16_15 (a fused block, s4j_config.c): the x and y rings,
             * labels, the error and the delta hold words; dW and db are
             * 64-bit sums, 8-byte aligned; Adam's state is m (a word a
             * parameter) then v (a low, high pair a parameter) */
            uint32_t per_param = s->w_updater == S4J_UPDATER_ADAM ? 12u : 0u;

            l->dw = take8(&off, sat_mul(s->weights, 8u));
            l->db = take8(&off, sat_mul(s->biases, 8u));
            if (per_param != 0u) {
                l->w_state = take(&off, sat_mul(s->weights, per_param));
                l->b_state = take(&off, sat_mul(s->biases, per_param));
            }
            l->y = take(&off, sat_mul(cols_bytes, held));
            if (s->loss != S4J_LOSS_NONE) {
                l->labels = take(&off, sat_mul(cols_bytes, held));
                l->label_bitmap = take(&off, sat_mul(s4j_bitmap_words(s->n_cols), 4u));
            } else {
                l->eacc = take(&off, cols_bytes);
                l->ecounts = take(&off, cols_bytes);
                if (s->error_halves != 0u) {
                    /* a 64-bit sum per column (its halves added), and a
                     * bit per source range and half key */
                    l->back_slots = take8(&off, sat_mul(s->n_cols, 8u));
                    l->back_slot_bitmap = take(&off, sat_mul(s4j_bitmap_words(sat_mul(n_src,
                                                             sat_mul(s->n_cols, 2u))), 4u));
                }
            }
            return off;
        }
        if (s->kind == S4J_KIND_DENSE_BLOCK) {
            l->dw = take(&off, block_bytes);
            if (u != 0u) {
                l->w_state = take(&off, sat_mul(u, block_bytes));
            }
            if (s->fused == 0u) {
                l->delta_bitmap = take(&off, sat_mul(s4j_bitmap_words(s->n_cols), 4u));
            }
        }
        if (s4j_has_bias(s->kind, s->fused)) {
            l->y = take(&off, sat_mul(cols_bytes, held));
            l->tz = take(&off, sat_mul(cols_bytes, held));
            l->db = take(&off, bias_bytes);
            if (ub != 0u) {
                l->b_state = take(&off, sat_mul(ub, bias_bytes));
            }
            if (s->loss != S4J_LOSS_NONE) {
                l->labels = take(&off, sat_mul(cols_bytes, held));
                l->label_bitmap = take(&off, sat_mul(s4j_bitmap_words(s->n_cols), 4u));
                if (s->loss_weighted != 0u) {
                    (void)take(&off, cols_bytes); /* loss_weights_at */
                }
            } else {
                l->eacc = take(&off, cols_bytes);
                l->ecounts = take(&off, cols_bytes);
                l->back_slots = take(&off, sat_mul(n_slots, 4u));
                l->back_slot_bitmap = take(&off, sat_mul(s4j_bitmap_words(n_slots), 4u));
            }
        }
        if (s->norm_slots != 0u) {
            l->norm = take(&off, sat_mul(s->norm_slots, 8u));
            l->norm_bits = take(&off, sat_mul(s4j_bitmap_words(sat_mul(s->norm_slots, 2u)), 4u));
        }
        if (s->copy_chunks != 0u) {
            l->chunks = take(&off, sat_mul(s->copy_chunks, S4J_CHUNK_WORDS * 4u));
            l->shares = take(&off, sat_mul(s->copy_slots, 4u));
            l->share_bits = take(&off, sat_mul(s4j_bitmap_words(s->copy_slots), 4u));
        }
        if (s->norm_batch != 0u) {
            /* the part, its statistics, its deltas and its exchange's sums
             * (s4j_bn_of ..) */
            l->bn = take(&off, sat_add(sat_add((uint32_t)sizeof(s4j_bn),
                                               sat_mul(cols_bytes, sat_add(S4J_BN_ROWS, s->norm_batch))),
                                       sat_mul(s4j_bn_exchange_words(s->norm_channels, s->norm_blocks),
                                               4u)));
        }
    }
    return off;
}

/* The longest run of two or more ranges from the first whose key_lo are d
 * apart (the first two's distance, at least 2), each no wider than d, none a
 * SOFTMAX_SYNC or NORM, and u d^2 <= 2^32 for a run of u: then for a key
 * x = key - ranges[0].key_lo below u d, the high word of x ceil(2^32 / d)
 * is x / d exactly (its error, below x / 2^32, stays under 1 / d), the range
 * that can hold the key; for any other x it is u or more. A reduce's
 * sources, their partitions' keys allocated block after block in row-slice
 * order, form such a run (docs/machine-model.md, "A packet's entry and its
 * range"). Sets l->uniform_ranges and l->range_recip, for s4j_load and
 * s4j_derive_layout. */
static void s4j_find_uniform_ranges(const s4j_range *ranges, uint32_t n, s4j_layout *l)
{
    uint64_t d;
    uint32_t u;

    l->uniform_ranges = 0u;
    l->range_recip = 0u;
    if (n < 2u || !s4j_counts_as_source(ranges[0].kind) || ranges[1].key_lo <= ranges[0].key_lo) {
        return;
    }
    d = ranges[1].key_lo - ranges[0].key_lo;
    if (d < 2u || ranges[0].span > d) {
        return;
    }
    for (u = 1u; u < n && u < 0xFFFFu && s4j_counts_as_source(ranges[u].kind) && ranges[u].span <= d
                 && ranges[0].key_lo + u * d == ranges[u].key_lo
                 && ranges[0].key_lo + (u + 1u) * d <= (UINT64_C(1) << 32)
                 && (u + 1u) * d * d <= (UINT64_C(1) << 32);
         u++) {
    }
    if (u >= 2u) {
        l->uniform_ranges = (uint16_t)u;
        l->range_recip = (uint32_t)(UINT64_C(0xFFFFFFFF) / d + 1u);
    }
}

#ifdef S4J_CHECKED
/* The BN_PARTIAL ranges of a state's range table (after the header and the
 * layout), UINT32_MAX if the table overruns the capacity. */
static uint32_t bn_partial_ranges(const void *dtcm, uint32_t capacity, uint32_t n_ranges)
{
    uint32_t first = (uint32_t)(sizeof(s4j_header) + sizeof(s4j_layout));
    const s4j_range *ranges = CAT(s4j_range, dtcm, first);
    uint32_t count = 0u;
    uint32_t i;

    if ((uint64_t)first + (uint64_t)n_ranges * sizeof(s4j_range) > capacity) {
        return UINT32_MAX;
    }
    for (i = 0u; i < n_ranges; i++) {
        count += ranges[i].kind == S4J_RANGE_BN_PARTIAL ? 1u : 0u;
    }
    return count;
}

int32_t s4j_derive_layout(const void *dtcm, uint32_t capacity, s4j_layout *l)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    s4j_shape s;
    uint32_t total;
    uint32_t exchanges;

    if (h->kind > S4J_KIND_OUTPUT_SINK || h->activation > S4J_ACT_LAST
        || h->in_flight == 0u || h->in_flight > S4J_MAX_IN_FLIGHT
        || (h->in_flight != 1u && h->magic != S4J_MAGIC_TRAINING)
        || h->n_cols == 0u || h->fused > 1u || h->softmax_peers > h->n_ranges
        || h->partial_halves > 1u || h->arithmetic > S4J_ARITH_S16_15
        || h->pool > S4J_POOL_NORM
        || (h->pool != S4J_POOL_NONE
            && (h->kind != S4J_KIND_DENSE_BLOCK
                || (h->magic != S4J_MAGIC && h->magic != S4J_MAGIC_TRAINING)
                || h->pool_pad_in_divisor > 1u
                || !s4j_pool_shape_ok(h->n_rows, h->n_cols, h->pool_channels, h->pool_first,
                                      h->pool_width, h->pool_kernel_w, h->pool_stride_w,
                                      h->pool_pad_w, h->pool_out_width)))
        || (h->softmax_peers != 0u
            && !s4j_applies_softmax(h->kind, h->fused, h->activation))
        || !s4j_row_conv_ok(h->kind, h->fused, h->pool, &h->row, h->n_rows, h->n_cols)) {
        return S4J_ERR_CORRUPT;
    }
    s.kind = h->kind;
    s.n_rows = h->n_rows;
    s.n_cols = h->n_cols;
    s.fused = h->fused;
    s.peers = h->softmax_peers;
    s.n_ranges = h->n_ranges;
    s.training = 0u;
    s.w_updater = 0u;
    s.b_updater = 0u;
    s.loss = 0u;
    s.loss_weighted = 0u;
    s.sends_backward = 0u;
    s.back_keys = 1u;
    s.error_halves = 0u;
    s.in_flight = h->in_flight;
    s.norm_peers = 0u;
    s.norm_slots = 0u;
    s.pool = h->pool;
    s.weights = weights_of(h->kind, h->pool, &h->row, h->n_rows, h->n_cols);
    s.biases = s4j_biases(h);
    s.copy_chunks = 0u;
    s.copy_slots = 0u;
    s.copy_ranges = 0u;
    s.expected_partials = h->expected_partials;
    s.norm_batch = 0u;
    s.norm_channels = 0u;
    s.norm_blocks = 0u;
    s.arithmetic = h->arithmetic;
    s.partial_halves = h->partial_halves;
    total = compute_layout(&s, l);
    {
        /* an S16_15 reduce's filing constants, as s4j_load fixed them */
        s4j_fix_reduce fix = s4j_fix_reduce_of(h, l);

        if (h->kind == S4J_KIND_REDUCE
            && ((uint64_t)h->n_cols * h->expected_partials > (uint64_t)INT32_MAX
                || memcmp(&fix, &h->fix, sizeof fix) != 0)) {
            return S4J_ERR_CORRUPT;
        }
    }
    if (h->magic == S4J_MAGIC_TRAINING) {
        const s4j_train *t;

        if ((h->kind != S4J_KIND_DENSE_BLOCK && h->kind != S4J_KIND_REDUCE)
            || total > h->total_bytes
            || h->total_bytes - total < (uint32_t)sizeof(s4j_train)) {
            return S4J_ERR_CORRUPT;
        }
        if (h->total_bytes > capacity) {
            return S4J_ERR_BUFFER_TOO_SMALL;
        }
        t = CAT(s4j_train, dtcm, total);
        if (t->upd_w.kind > S4J_UPDATER_NOOP || t->upd_b.kind > S4J_UPDATER_NOOP
            || t->loss > S4J_LOSS_WASSERSTEIN
            || t->sends_backward > 1u || t->loss_weighted > 1u
            || (t->backward_first_row != 0u && t->backward_first_row >= h->n_rows)
            || (t->loss_weighted != 0u && t->loss == S4J_LOSS_NONE)
            || t->held > h->in_flight || t->labels_held > h->in_flight
            || t->fwd_slot >= h->in_flight || t->back_slot >= h->in_flight
            || t->label_slot >= h->in_flight
            || t->grad_norm > S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE
            || t->norm_self > t->norm_peers
            || (t->norm_peers != 0u && !s4j_is_l2(t->grad_norm))
            || t->norm_peers > h->n_ranges
            || (t->loss != S4J_LOSS_NONE
                && (!s4j_has_bias(h->kind, h->fused) || t->layer_outputs < h->n_cols))
            || (t->copy.chunks != 0u
                && (h->kind != S4J_KIND_DENSE_BLOCK || h->fused != 1u
                    || t->copy.self >= t->copy.slots || t->copy.ranges > h->n_ranges
                    || (uint64_t)t->copy.owned > (uint64_t)s.weights + s4j_biases(h)
                    || t->shares_received > t->copy.shares
                    || t->params_received > t->copy.params))) {
            return S4J_ERR_CORRUPT;
        }
        s.training = 1u;
        s.w_updater = t->upd_w.kind;
        s.b_updater = t->upd_b.kind;
        s.loss = t->loss;
        s.loss_weighted = t->loss_weighted;
        s.sends_backward = t->sends_backward;
        s.back_keys = s4j_fix_sends_halves(h->arithmetic, h->n_cols, t->layer_outputs) ? 2u : 1u;
        s.error_halves = (uint32_t)s4j_fix_takes_halves(h->arithmetic, t->expected_backward);
        s.norm_peers = t->norm_peers;
        s.norm_slots = s4j_is_l2(t->grad_norm) ? t->norm_peers + 1u : 0u;
        s.copy_chunks = t->copy.chunks;
        s.copy_slots = t->copy.chunks != 0u ? sat_mul(t->copy.slots, t->copy.owned) : 0u;
        s.copy_ranges = t->copy.ranges;
        /* a batch normalization's BN_PARTIAL ranges take no slot row */
        exchanges = h->pool == S4J_POOL_NORM ? bn_partial_ranges(dtcm, capacity, h->n_ranges) : 0u;
        if (exchanges == UINT32_MAX) {
            return S4J_ERR_CORRUPT;
        }
        s.norm_blocks = exchanges + 1u;
        total = compute_layout(&s, l);
        if (h->pool == S4J_POOL_NORM && total < h->total_bytes) {
            /* a batch normalization's mini-batch part, the state's last */
            const s4j_bn *bn;

            if (h->total_bytes - total < (uint32_t)sizeof(s4j_bn)) {
                return S4J_ERR_CORRUPT;
            }
            bn = CAT(s4j_bn, dtcm, total);
            if (bn->batch == 0u || bn->batch > h->in_flight || bn->phase > S4J_BN_BACKWARD
                || bn->count > bn->batch || bn->deltas > bn->count || bn->log_std > 1u
                || bn->blocks == 0u || bn->index >= bn->blocks || bn->rounds > S4J_BN_ROUNDS
                || (bn->channels == 0u && bn->blocks != 1u) || bn->blocks != exchanges + 1u) {
                return S4J_ERR_CORRUPT;
            }
            s.norm_batch = bn->batch;
            s.norm_channels = bn->channels;
            s.norm_blocks = bn->blocks;
            total = compute_layout(&s, l);
        }
    }
    if (total != h->total_bytes || total > S4J_DTCM_BYTES || h->rows_done > (h->kind == S4J_KIND_REDUCE ? h->n_cols : h->n_rows)) {
        return S4J_ERR_CORRUPT;
    }
    if (total > capacity) {
        return S4J_ERR_BUFFER_TOO_SMALL;
    }
    s4j_find_uniform_ranges(CAT(s4j_range, dtcm, l->ranges), h->n_ranges, l); /* within total */
    return S4J_OK;
}
#endif

static void shape_of_config(const s4j_config *cfg, s4j_shape *s)
{
    s->kind = cfg->kind;
    s->n_rows = cfg->n_rows;
    s->n_cols = cfg->n_cols;
    s->fused = cfg->fused;
    s->peers = cfg->softmax_peers;
    s->n_ranges = cfg->n_ranges;
    s->training = cfg->training.enabled != 0u ? 1u : 0u;
    s->w_updater = cfg->training.updater.kind;
    s->b_updater = cfg->training.bias_updater.kind;
    s->loss = cfg->training.loss;
    s->loss_weighted = cfg->training.loss_weighted;
    s->sends_backward = cfg->training.sends_backward;
    s->back_keys = s->training != 0u
        && s4j_fix_sends_halves(cfg->arithmetic, cfg->n_cols, cfg->training.layer_outputs) ? 2u : 1u;
    s->error_halves = s->training != 0u
        && s4j_fix_takes_halves(cfg->arithmetic, cfg->training.expected_backward) ? 1u : 0u;
    s->in_flight = s->training != 0u ? cfg->training.in_flight : 1u;
    s->norm_peers = s->training != 0u ? cfg->training.norm_peers : 0u;
    s->norm_slots = s->training != 0u && s4j_is_l2(cfg->training.grad_norm)
                    ? cfg->training.norm_peers + 1u : 0u;
    s->pool = cfg->pool;
    s->weights = weights_of(cfg->kind, cfg->pool, &cfg->row, cfg->n_rows, cfg->n_cols);
    s->biases = s4j_bias_count(&cfg->row, cfg->n_cols);
    s->copy_chunks = s->training != 0u ? cfg->training.copy.chunks : 0u;
    s->copy_slots = s->copy_chunks != 0u
                    ? sat_mul(cfg->training.copy.slots, cfg->training.copy.owned) : 0u;
    s->copy_ranges = s->training != 0u ? cfg->training.copy.ranges : 0u;
    s->expected_partials = cfg->expected_partials;
    s->norm_batch = s->training != 0u ? cfg->norm_batch : 0u;
    s->norm_channels = s->norm_batch != 0u ? cfg->norm_channels : 0u;
    s->norm_blocks = s->norm_batch != 0u ? cfg->norm_blocks : 0u;
    s->arithmetic = cfg->arithmetic;
    s->partial_halves = cfg->partial_halves;
}

uint32_t s4j_state_bytes(const s4j_config *cfg)
{
    s4j_layout l;
    s4j_shape s;

    if (cfg == NULL) {
        return UINT32_MAX;
    }
    shape_of_config(cfg, &s);
    return compute_layout(&s, &l);
}

int32_t s4j_load(void *dtcm, uint32_t capacity, const s4j_config *cfg,
                 const float *weights, uint32_t n_weights,
                 const float *bias, uint32_t n_bias)
{
    s4j_header *h = (s4j_header *)dtcm;
    s4j_layout l;
    s4j_shape s;
    s4j_range *ranges;
    uint32_t total;
    uint32_t want_w;
    uint32_t want_b;
    uint32_t slot = 0u;
    uint32_t i;
    int32_t r = s4j_check_buffer(dtcm);

    if (r != S4J_OK) {
        return r;
    }
    r = s4j_check_config(cfg);
    if (r != S4J_OK) {
        return r;
    }
    shape_of_config(cfg, &s);
    total = compute_layout(&s, &l);
    if (total > capacity || total > S4J_DTCM_BYTES) {
        return S4J_ERR_TOO_LARGE;
    }
    /* both counts are below total / 4 */
    want_w = s.weights;
    want_b = s4j_has_bias(cfg->kind, cfg->fused) ? s.biases : 0u;
    if (n_weights != want_w || (want_w != 0u && weights == NULL)
        || n_bias != want_b || (want_b != 0u && bias == NULL)) {
        return S4J_ERR_BAD_LENGTH;
    }

    memset(dtcm, 0, total); /* clears the magic first: unloaded until done */
    h->total_bytes = total;
    h->kind = cfg->kind;
    h->n_rows = cfg->n_rows;
    h->n_cols = cfg->n_cols;
    h->activation = cfg->activation;
    h->alpha = cfg->alpha;
    h->fused = cfg->fused;
    h->out_key_base = cfg->out_key_base;
    h->expected_partials = cfg->expected_partials;
    h->softmax_peers = cfg->softmax_peers;
    h->sync_key_base = cfg->sync_key_base;
    h->n_ranges = cfg->n_ranges;
    h->in_flight = s.in_flight;
    h->pool = cfg->pool;
    h->pool_channels = cfg->pool_channels;
    h->pool_first = cfg->pool_first;
    h->pool_start = cfg->pool_start;
    h->pool_divisor = cfg->pool_divisor;
    h->row = cfg->row;
    h->pool_width = cfg->pool_width;
    h->pool_kernel_w = cfg->pool_kernel_w;
    h->pool_stride_w = cfg->pool_stride_w;
    h->pool_pad_w = cfg->pool_pad_w;
    h->pool_out_width = cfg->pool_out_width;
    h->pool_pad_in_divisor = cfg->pool_pad_in_divisor;
    h->arithmetic = cfg->arithmetic;
    h->alpha_fixed = cfg->alpha_fixed;
    h->partial_halves = cfg->partial_halves;
    if (cfg->kind == S4J_KIND_REDUCE) {
        h->fix = s4j_fix_reduce_of(h, &l); /* over the pooling words, all 0 */
    }
    memcpy(AT(s4j_layout, dtcm, sizeof(s4j_header)), &l, sizeof l);

    ranges = AT(s4j_range, dtcm, l.ranges);
    for (i = 0u; i < cfg->n_ranges; i++) {
        const uint32_t *src = cfg->ranges + (size_t)i * S4J_RANGE_WORDS;
        ranges[i].key_lo = src[S4J_RANGE_WORD_KEY_LO];
        ranges[i].span = src[S4J_RANGE_WORD_KEY_HI] - src[S4J_RANGE_WORD_KEY_LO];
        ranges[i].kind = src[S4J_RANGE_WORD_KIND] != S4J_RANGE_DATA ? src[S4J_RANGE_WORD_KIND]
                       : s4j_fix_on_arrival(h) ? (s.training != 0u ? S4J_RANGE_FIX_TRAIN_WORD : S4J_RANGE_FIX_WORD)
                       : s4j_fix_reduce_partials(h) ? S4J_RANGE_FIX_PARTIAL : S4J_RANGE_DATA;
        ranges[i].local = ranges[i].kind == S4J_RANGE_SOFTMAX_SYNC ? slot++
                        : (ranges[i].kind == S4J_RANGE_IGNORE ? 0u : src[S4J_RANGE_WORD_LOCAL]);
    }
    s4j_find_uniform_ranges(ranges, cfg->n_ranges, AT(s4j_layout, dtcm, sizeof(s4j_header)));
    if (want_w != 0u) {
        s4j_put_weights(h, &l, dtcm, weights);
    }
    if (want_b != 0u) {
        memcpy(AT(float, dtcm, l.bias), bias, (size_t)want_b * sizeof(float));
    }
    if (s.training != 0u) {
        s4j_train *t = AT(s4j_train, dtcm, l.train);
        const s4j_training *c = &cfg->training;

        t->upd_w = c->updater;
        t->upd_b = c->bias_updater;
        t->loss = c->loss;
        t->loss_weighted = c->loss_weighted;
        if (c->loss_weighted != 0u) {
            memcpy(AT(float, dtcm, s4j_loss_weights_at(&l, cfg->n_cols)), cfg->loss_weights,
                   (size_t)cfg->n_cols * sizeof(float));
        }
        t->layer_outputs = c->layer_outputs;
        t->delta_key_base = c->delta_key_base;
        t->backward_key_base = c->backward_key_base;
        t->backward_first_row = c->backward_first_row;
        t->loss_key_base = c->loss_key_base;
        t->expected_backward = c->expected_backward;
        t->sends_backward = c->sends_backward;
        t->reg_w = c->weights;
        t->reg_b = c->bias;
        t->grad_norm = c->grad_norm;
        t->grad_norm_threshold = c->grad_norm_threshold;
        t->norm_key_base = c->norm_key_base;
        t->norm_peers = c->norm_peers;
        t->norm_self = c->norm_self;
        t->copy = c->copy;
        if (l.bn != 0u) {
            s4j_bn *bn = AT(s4j_bn, dtcm, l.bn);

            bn->batch = cfg->norm_batch;
            bn->decay = cfg->norm_decay;
            bn->rest = cfg->norm_rest;
            bn->eps = cfg->norm_eps;
            bn->log_std = cfg->norm_log_std;
            bn->channels = cfg->norm_channels;
            bn->pixels = cfg->norm_pixels;
            bn->blocks = cfg->norm_blocks;
            bn->index = cfg->norm_block_index;
            bn->key_base = cfg->norm_exchange_key_base;
        }
        if (c->copy.chunks != 0u) {
            memcpy(AT(uint32_t, dtcm, l.chunks), cfg->chunks,
                   (size_t)c->copy.chunks * S4J_CHUNK_WORDS * sizeof(uint32_t));
        }
        h->magic = S4J_MAGIC_TRAINING;
    } else {
        h->magic = S4J_MAGIC;
    }
    return S4J_OK;
}

int32_t s4j_max_sends(const void *dtcm, uint32_t capacity)
{
    const s4j_layout *l;
    int32_t r = s4j_layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    return (int32_t)l->max_sends;
}

int32_t s4j_checked(void)
{
#ifdef S4J_CHECKED
    return 1;
#else
    return 0;
#endif
}
