/*
 * A batch normalization's block training with the mini-batch's statistics
 * (S4J_CFG_NORM_BATCH; docs/architecture.md, "Batch normalization"): it
 * keeps each sample's row and delta as they come, and computes the
 * mini-batch's outputs (s4j_batch_norm_forward) and deltas back
 * (s4j_batch_norm_backward) in one event each, then steps its running
 * statistics at its update (s4j_batch_norm_step). Column j normalizes row
 * pool_first + j of each sample, as a NORM block at inference does. In
 * channel mode (bn->channels != 0, after a 2-D convolution) the statistics
 * are a channel's over every pixel, and the blocks of the layer exchange
 * their partial sums per channel (s4j_batch_norm_exchange,
 * s4j_batch_norm_partial) and add them in block order.
 */
#include "s4j_internal.h"

#include <math.h>

/* DL4J's factor turning ln(var / var') into the step of log10 of the
 * standard deviation: 1 / (2 ln 10), a double rounded to float. */
#define S4J_ONE_ON_2LN10 ((float)(1.0 / (2.0 * 2.302585092994045684)))

/* The block in its mini-batch mode at a mini-batch event of batch samples:
 * its layout, training part and mini-batch part; the event begun. */
static int32_t batch_event_open(void *dtcm, uint32_t capacity, uint32_t batch, s4j_outbox *out,
                                const s4j_layout **l, s4j_train **t, s4j_bn **bn)
{
    int32_t r = s4j_training_of(dtcm, capacity, l, t);

    if (r != S4J_OK) {
        return r;
    }
    *bn = s4j_bn_of(*l, dtcm);
    if (*bn == NULL) {
        return S4J_ERR_WRONG_KIND;
    }
    if (out == NULL || out->send == NULL || out->capacity < (*l)->max_sends) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    if (batch == 0u || batch > (*bn)->batch) {
        return S4J_ERR_BATCH_SIZE;
    }
    s4j_begin_event(out);
    return S4J_OK;
}

/* Sample b's row (its ring entry counted from the oldest held). */
static const float *sample_row(const s4j_header *h, const s4j_layout *l, const void *dtcm,
                               const s4j_train *t, uint32_t b)
{
    uint32_t entry = t->back_slot + b;

    if (entry >= h->in_flight) {
        entry -= h->in_flight;
    }
    return CAT(float, dtcm, l->x) + (size_t)entry * h->n_rows + h->pool_first;
}

int32_t s4j_batch_norm_room(const s4j_train *t, const s4j_bn *bn)
{
    return t->held >= bn->batch || bn->phase != S4J_BN_IDLE || bn->rounds != 0u
        ? S4J_ERR_IN_FLIGHT : S4J_OK;
}

/* Where round r's sums start among a block's, in channels, and how many a
 * channel has in it (S4J_BN_SUMS). */
static const uint32_t round_first[S4J_BN_ROUNDS] = {0u, 1u, 3u};
static const uint32_t round_width[S4J_BN_ROUNDS] = {1u, 2u, 4u};

/* The round of a block's sum k. */
static uint32_t round_of(const s4j_bn *bn, uint32_t k)
{
    return k < bn->channels ? 0u : k < 3u * bn->channels ? 1u : 2u;
}

/* Whether every other block's sums of round r are in. */
static int round_in(const s4j_bn *bn, uint32_t r)
{
    return bn->got[r] == (bn->blocks - 1u) * round_width[r] * bn->channels;
}

int32_t s4j_batch_norm_partial(const s4j_layout *l, void *dtcm, s4j_train *t, uint32_t at,
                               uint32_t payload)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    s4j_bn *bn = s4j_bn_of(l, dtcm);
    uint32_t *bits;
    uint32_t sums;

    (void)t;
    /* s4j_load accepts BN_PARTIAL ranges only on a block in channel mode, each
     * another block's S4J_BN_SUMS x channels sums from its first slot */
    S4J_VERIFY(bn != NULL && bn->channels != 0u);
    sums = S4J_BN_SUMS * bn->channels;
    S4J_VERIFY(at < bn->blocks * sums && at / sums != bn->index);
    bits = s4j_bn_bits(l, dtcm, h->n_cols, bn);
    if ((bits[at / 32u] & (1u << (at % 32u))) != 0u) {
        return S4J_ERR_DUPLICATE_PARTIAL;
    }
    bits[at / 32u] |= 1u << (at % 32u);
    s4j_bn_sums(l, dtcm, h->n_cols, bn)[at] = s4j_f_of(payload);
    bn->got[round_of(bn, at % sums)]++;
    return 0;
}

/* A channel's sum k over every block, added in block order. */
static float total(const s4j_layout *l, void *dtcm, uint32_t n_cols, const s4j_bn *bn, uint32_t k)
{
    const float *sums = s4j_bn_sums(l, dtcm, n_cols, bn);
    float sum = 0.0f;
    uint32_t p;

    for (p = 0u; p < bn->blocks; p++) {
        sum += sums[(size_t)p * S4J_BN_SUMS * bn->channels + k];
    }
    return sum;
}

int32_t s4j_batch_norm_keep_row(const s4j_header *h, s4j_train *t, const s4j_bn *bn)
{
    /* on_row took the sample's first row only with room for it */
    S4J_VERIFY(s4j_batch_norm_room(t, bn) == S4J_OK);
    (void)bn;
    t->held++;
    t->fwd_slot = s4j_ring_next(h, t->fwd_slot);
    t->drop_fwd++;
    return S4J_OK;
}

int32_t s4j_batch_norm_keep_delta(const s4j_header *h, const s4j_layout *l, void *dtcm,
                                  s4j_bn *bn)
{
    float *e = AT(float, dtcm, l->eacc);
    uint32_t n = h->n_cols;

    int32_t r = S4J_OK;

    if (bn->phase != S4J_BN_FORWARD) {
        r = S4J_ERR_NO_FORWARD;
    } else if (bn->deltas >= bn->count) {
        r = S4J_ERR_TOO_MANY_BACKWARD;
    } else {
        /* IDENTITY (s4j_check_config): the delta is e */
        memcpy(s4j_bn_deltas(l, dtcm, n) + (size_t)bn->deltas * n, e, (size_t)n * sizeof(float));
        bn->deltas++;
    }
    memset(e, 0, (size_t)n * sizeof(float));
    return r;
}

/* The values a channel's statistics are over: batch x pixels per channel
 * (channel mode), batch per column. */
static float values_of(const s4j_bn *bn, uint32_t batch)
{
    return (float)(bn->channels != 0u ? batch * bn->pixels : batch);
}

/* Column j's std from its variance, both kept with its mean. */
static void keep_variance(float *st, uint32_t n, uint32_t j, float var, float eps)
{
    st[S4J_BN_ROW_VAR * n + j] = var;
    st[S4J_BN_ROW_STD * n + j] = s4j_sqrt(var + eps);
}

/* This block's sums of round r (channel mode), kept at its index: each sum
 * over its samples in order, a sample's columns of the channel in order.
 * Round 1 first keeps every column's mean, its channel's sum of round 0 over
 * the blocks / the values. */
static void own_sums(const s4j_header *h, const s4j_layout *l, void *dtcm, const s4j_train *t,
                     const s4j_bn *bn, uint32_t batch, uint32_t r)
{
    uint32_t n = h->n_cols;
    uint32_t c = bn->channels;
    float *own = s4j_bn_sums(l, dtcm, n, bn) + (size_t)bn->index * S4J_BN_SUMS * c;
    float *st = s4j_bn_stats(l, dtcm);
    const float *mean = st + S4J_BN_ROW_MEAN * n;
    const float *std = st + S4J_BN_ROW_STD * n;
    const float *gamma = CAT(float, dtcm, l->weights) + S4J_NORM_ROW_GAMMA * n;
    const float *deltas = s4j_bn_deltas(l, dtcm, n);
    float values = values_of(bn, batch);
    uint32_t b;
    uint32_t j;

    memset(own + round_first[r] * c, 0, (size_t)round_width[r] * c * sizeof(float));
    for (j = 0u; j < n && r == 1u; j++) {
        st[S4J_BN_ROW_MEAN * n + j] = total(l, dtcm, n, bn, (h->pool_first + j) % c) / values;
    }
    for (b = 0u; b < batch; b++) {
        const float *x = sample_row(h, l, dtcm, t, b);
        const float *delta = deltas + (size_t)b * n;

        for (j = 0u; j < n; j++) {
            uint32_t ch = (h->pool_first + j) % c;

            if (r == 0u) {
                own[ch] += x[j];
            } else if (r == 1u) {
                float xmu = x[j] - mean[j];

                own[c + 2u * ch] += xmu;
                own[c + 2u * ch + 1u] += xmu * xmu;
            } else {
                float xmu = x[j] - mean[j];
                float dxhat = delta[j] * gamma[j];
                float *s4 = own + 3u * c + 4u * ch;

                s4[0] += delta[j];
                s4[1] += delta[j] * (xmu / std[j]);
                s4[2] += dxhat;
                s4[3] += dxhat * xmu;
            }
        }
    }
}

/* Whether the block may run exchange round r of batch samples (S4J_OK). */
static int32_t round_ready(const s4j_header *h, const s4j_train *t, s4j_bn *bn, uint32_t batch,
                           uint32_t r)
{
    if (r != bn->rounds) {
        return S4J_ERR_EXCHANGE_ORDER;
    }
    if (r == 0u) {
        if (bn->phase != S4J_BN_IDLE) {
            return S4J_ERR_DUPLICATE_SYNC;
        }
        return t->held != batch || h->received != 0u ? S4J_ERR_BATCH_HELD : S4J_OK;
    }
    if (batch != bn->count) {
        return S4J_ERR_BATCH_SIZE;
    }
    if (r == 2u) {
        if (bn->phase != S4J_BN_FORWARD) {
            return S4J_ERR_NO_FORWARD;
        }
        if (bn->deltas != batch || t->back_received != 0u) {
            return S4J_ERR_BATCH_HELD;
        }
    }
    return round_in(bn, r - 1u) ? S4J_OK : S4J_ERR_EXCHANGE_INCOMPLETE;
}

/* Runs round r: its sums kept, and sent unless the block is alone. */
static int32_t run_round(const s4j_header *h, const s4j_layout *l, void *dtcm, const s4j_train *t,
                         s4j_bn *bn, uint32_t batch, uint32_t r, s4j_outbox *out)
{
    uint32_t c = bn->channels;
    const float *own = s4j_bn_sums(l, dtcm, h->n_cols, bn) + (size_t)bn->index * S4J_BN_SUMS * c;
    uint32_t k;

    if (r == 0u) {
        bn->count = batch;
    }
    own_sums(h, l, dtcm, t, bn, batch, r);
    bn->rounds = r + 1u;
    for (k = round_first[r] * c; k < (round_first[r] + round_width[r]) * c && bn->blocks > 1u; k++) {
        int32_t e = s4j_emit(out, bn->key_base + k, s4j_bits_of(own[k]));

        if (e < 0) {
            return e;
        }
    }
    return S4J_OK;
}

int32_t s4j_batch_norm_exchange(void *dtcm, uint32_t capacity, uint32_t batch, uint32_t round,
                                s4j_outbox *out)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    const s4j_layout *l;
    s4j_train *t;
    s4j_bn *bn;
    int32_t r = batch_event_open(dtcm, capacity, batch, out, &l, &t, &bn);

    if (r != S4J_OK) {
        return r;
    }
    if (bn->channels == 0u || bn->blocks == 1u) {
        return S4J_ERR_WRONG_KIND;
    }
    if (round >= S4J_BN_ROUNDS) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    r = round_ready(h, t, bn, batch, round);
    if (r == S4J_OK) {
        r = run_round(h, l, dtcm, t, bn, batch, round, out);
    }
    return r < 0 ? r : (int32_t)out->count;
}

/* Runs the rounds up to `upto` (exclusive) a block alone in channel mode
 * runs itself; then whether the block's exchange is there and the other
 * blocks' last round is in (S4J_OK). */
static int32_t rounds_done(const s4j_header *h, const s4j_layout *l, void *dtcm, const s4j_train *t,
                           s4j_bn *bn, uint32_t batch, uint32_t upto, s4j_outbox *out)
{
    while (bn->blocks == 1u && bn->rounds < upto) {
        int32_t r = round_ready(h, t, bn, batch, bn->rounds);

        if (r != S4J_OK) {
            return r;
        }
        (void)run_round(h, l, dtcm, t, bn, batch, bn->rounds, out);
    }
    if (bn->rounds != upto) {
        return S4J_ERR_EXCHANGE_ORDER;
    }
    if (batch != bn->count) {
        return S4J_ERR_BATCH_SIZE;
    }
    return round_in(bn, upto - 1u) ? S4J_OK : S4J_ERR_EXCHANGE_INCOMPLETE;
}

/* Every sample's outputs ((x - mean) / std) * gamma + beta, sample after
 * sample, each with the keys of a sample's completion. */
static int32_t send_outputs(const s4j_header *h, const s4j_layout *l, void *dtcm, const s4j_train *t,
                            uint32_t batch, s4j_outbox *out)
{
    uint32_t n = h->n_cols;
    const float *w = CAT(float, dtcm, l->weights);
    const float *beta = CAT(float, dtcm, l->bias);
    const float *st = s4j_bn_stats(l, dtcm);
    uint32_t b;
    uint32_t j;

    for (b = 0u; b < batch; b++) {
        const float *x = sample_row(h, l, dtcm, t, b);

        for (j = 0u; j < n; j++) {
            float y = (x[j] - st[S4J_BN_ROW_MEAN * n + j]) / st[S4J_BN_ROW_STD * n + j]
                    * w[S4J_NORM_ROW_GAMMA * n + j] + beta[j];
            int32_t r = s4j_emit(out, h->out_key_base + j, s4j_bits_of(y));

            if (r < 0) {
                return r;
            }
        }
    }
    return S4J_OK;
}

int32_t s4j_batch_norm_forward(void *dtcm, uint32_t capacity, uint32_t batch, s4j_outbox *out)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    const s4j_layout *l;
    s4j_train *t;
    s4j_bn *bn;
    float *st;
    float fb;
    uint32_t n;
    uint32_t b;
    uint32_t j;
    int32_t r = batch_event_open(dtcm, capacity, batch, out, &l, &t, &bn);

    if (r != S4J_OK) {
        return r;
    }
    if (bn->phase != S4J_BN_IDLE) {
        return S4J_ERR_DUPLICATE_SYNC;
    }
    if (t->held != batch || h->received != 0u) {
        return S4J_ERR_BATCH_HELD;
    }
    n = h->n_cols;
    st = s4j_bn_stats(l, dtcm);
    fb = values_of(bn, batch);
    if (bn->channels != 0u) {
        r = rounds_done(h, l, dtcm, t, bn, batch, 2u, out);
        if (r != S4J_OK) {
            return r;
        }
        for (j = 0u; j < n; j++) {
            uint32_t ch = (h->pool_first + j) % bn->channels;

            keep_variance(st, n, j, total(l, dtcm, n, bn, bn->channels + 2u * ch + 1u) / fb, bn->eps);
        }
    }
    for (j = 0u; j < n && bn->channels == 0u; j++) {
        float sum = 0.0f;
        float squares = 0.0f;
        float mean;

        for (b = 0u; b < batch; b++) {
            sum += sample_row(h, l, dtcm, t, b)[j];
        }
        mean = sum / fb;
        for (b = 0u; b < batch; b++) {
            float d = sample_row(h, l, dtcm, t, b)[j] - mean;

            squares += d * d;
        }
        st[S4J_BN_ROW_MEAN * n + j] = mean;
        keep_variance(st, n, j, squares / fb, bn->eps);
    }
    r = send_outputs(h, l, dtcm, t, batch, out);
    if (r < 0) {
        return r;
    }
    bn->phase = S4J_BN_FORWARD;
    bn->count = batch;
    bn->deltas = 0u;
    return (int32_t)out->count;
}

/* Column j's sums over the values of its statistics (of delta, delta x^,
 * dx^, dx^ (x - mean) and x - mean): gamma's and beta's gradients added to
 * their accumulators, and the backward pass's two per-column factors kept
 * (S4J_BN_ROW_DVAR, S4J_BN_ROW_DMEAN); factors are -2 / values, 2 / values
 * and 1 / values, each a double rounded to float. */
static inline void finish_column(const s4j_layout *l, void *dtcm, uint32_t n, const float *factors,
                                 uint32_t j, float sum_delta, float sum_delta_xhat, float sum_dxhat,
                                 float sum_dxhat_xmu, float sum_xmu)
{
    float *st = s4j_bn_stats(l, dtcm);
    float std = st[S4J_BN_ROW_STD * n + j];
    float dvar;
    float dmean;

    AT(float, dtcm, l->dw)[S4J_NORM_ROW_GAMMA * n + j] += sum_delta_xhat;
    AT(float, dtcm, l->db)[j] += sum_delta;
    dvar = sum_dxhat_xmu * -0.5f / (std * std * std);
    dmean = -sum_dxhat / std + sum_xmu * factors[0] * dvar;
    st[S4J_BN_ROW_DVAR * n + j] = dvar * factors[1];
    st[S4J_BN_ROW_DMEAN * n + j] = dmean * factors[2];
}

/* Column j's sums over the mini-batch, in sample order (a column its own
 * feature), finished. */
static void column_sums(const s4j_header *h, const s4j_layout *l, void *dtcm, const s4j_train *t,
                        uint32_t batch, const float *factors, uint32_t j)
{
    uint32_t n = h->n_cols;
    const float *deltas = s4j_bn_deltas(l, dtcm, n);
    const float *st = s4j_bn_stats(l, dtcm);
    float gamma = CAT(float, dtcm, l->weights)[S4J_NORM_ROW_GAMMA * n + j];
    float mean = st[S4J_BN_ROW_MEAN * n + j];
    float std = st[S4J_BN_ROW_STD * n + j];
    float sum_delta = 0.0f;
    float sum_delta_xhat = 0.0f;
    float sum_dxhat = 0.0f;
    float sum_dxhat_xmu = 0.0f;
    float sum_xmu = 0.0f;
    uint32_t b;

    for (b = 0u; b < batch; b++) {
        float delta = deltas[(size_t)b * n + j];
        float xmu = sample_row(h, l, dtcm, t, b)[j] - mean;
        float dxhat = delta * gamma;

        sum_delta += delta;
        sum_delta_xhat += delta * (xmu / std);
        sum_dxhat += dxhat;
        sum_dxhat_xmu += dxhat * xmu;
        sum_xmu += xmu;
    }
    finish_column(l, dtcm, n, factors, j, sum_delta, sum_delta_xhat, sum_dxhat, sum_dxhat_xmu, sum_xmu);
}

/* Column j's channel's sums over every block (channel mode), finished. */
static void channel_sums(const s4j_header *h, const s4j_layout *l, void *dtcm, const s4j_bn *bn,
                         const float *factors, uint32_t j)
{
    uint32_t n = h->n_cols;
    uint32_t c = bn->channels;
    uint32_t ch = (h->pool_first + j) % c;
    uint32_t k = 3u * c + 4u * ch;

    finish_column(l, dtcm, n, factors, j, total(l, dtcm, n, bn, k), total(l, dtcm, n, bn, k + 1u),
                  total(l, dtcm, n, bn, k + 2u), total(l, dtcm, n, bn, k + 3u),
                  total(l, dtcm, n, bn, c + 2u * ch));
}

int32_t s4j_batch_norm_backward(void *dtcm, uint32_t capacity, uint32_t batch, s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l;
    s4j_train *t;
    s4j_bn *bn;
    const float *gamma;
    const float *st;
    const float *deltas;
    float factors[3];
    double values;
    uint32_t n;
    uint32_t first;
    uint32_t b;
    uint32_t i;
    int32_t r = batch_event_open(dtcm, capacity, batch, out, &l, &t, &bn);

    if (r != S4J_OK) {
        return r;
    }
    if (bn->phase != S4J_BN_FORWARD) {
        return S4J_ERR_NO_FORWARD;
    }
    if (batch != bn->count) {
        return S4J_ERR_BATCH_SIZE;
    }
    if (bn->deltas != batch || t->back_received != 0u) {
        return S4J_ERR_BATCH_HELD;
    }
    if (bn->channels != 0u) {
        r = rounds_done(h, l, dtcm, t, bn, batch, 3u, out);
        if (r != S4J_OK) {
            return r;
        }
    }
    n = h->n_cols;
    values = (double)values_of(bn, batch);
    factors[0] = (float)(-2.0 / values);
    factors[1] = (float)(2.0 / values);
    factors[2] = (float)(1.0 / values);
    for (i = 0u; i < n; i++) {
        if (bn->channels != 0u) {
            channel_sums(h, l, dtcm, bn, factors, i);
        } else {
            column_sums(h, l, dtcm, t, batch, factors, i);
        }
    }
    gamma = CAT(float, dtcm, l->weights) + S4J_NORM_ROW_GAMMA * n;
    st = s4j_bn_stats(l, dtcm);
    deltas = s4j_bn_deltas(l, dtcm, n);
    first = h->pool_first;
    for (b = 0u; b < batch && t->sends_backward != 0u; b++) {
        const float *x = sample_row(h, l, dtcm, t, b);
        const float *delta = deltas + (size_t)b * n;

        for (i = 0u; i < h->n_rows; i++) {
            float e = 0.0f;

            if (i - first < n) {
                uint32_t j = i - first;

                e = delta[j] * gamma[j] / st[S4J_BN_ROW_STD * n + j]
                  + (x[j] - st[S4J_BN_ROW_MEAN * n + j]) * st[S4J_BN_ROW_DVAR * n + j]
                  + st[S4J_BN_ROW_DMEAN * n + j];
            }
            r = s4j_emit(out, t->backward_key_base + i, s4j_bits_of(e));
            if (r < 0) {
                return r;
            }
        }
    }
    for (b = 0u; b < batch; b++) {
        s4j_backward_done(h, t);
    }
    bn->phase = S4J_BN_BACKWARD;
    bn->deltas = 0u;
    return (int32_t)out->count;
}

int32_t s4j_batch_norm_update_ready(const s4j_bn *bn, uint32_t batch_size)
{
    if (bn->phase != S4J_BN_BACKWARD) {
        return S4J_ERR_INCOMPLETE;
    }
    return batch_size == bn->count ? S4J_OK : S4J_ERR_BATCH_SIZE;
}

/* DL4J's step of a running mean or variance towards the mini-batch's: the
 * gradient (running - batch) x (1 - decay), subtracted. */
static float decayed(float running, float batch, float rest)
{
    return running - (running - batch) * rest;
}

void s4j_batch_norm_step(const s4j_header *h, const s4j_layout *l, void *dtcm, s4j_bn *bn)
{
    uint32_t n = h->n_cols;
    float *w = AT(float, dtcm, l->weights);
    const float *st = s4j_bn_stats(l, dtcm);
    uint32_t j;

    for (j = 0u; j < n; j++) {
        float *mean = &w[S4J_NORM_ROW_MEAN * n + j];
        float *stat = &w[S4J_NORM_ROW_STAT * n + j];
        float batch_var = st[S4J_BN_ROW_VAR * n + j];
        float var;

        *mean = decayed(*mean, st[S4J_BN_ROW_MEAN * n + j], bn->rest);
        if (bn->log_std != 0u) {
            float p = powf(10.0f, *stat);
            float v = p * p;
            float s;

            *stat -= logf(v / (v * bn->decay + batch_var * bn->rest)) * S4J_ONE_ON_2LN10;
            s = (float)pow(10.0, (double)*stat);
            var = s * s;
        } else {
            *stat = decayed(*stat, batch_var, bn->rest);
            var = *stat;
        }
        w[S4J_NORM_ROW_STD * n + j] = s4j_sqrt(var + bn->eps);
    }
    bn->phase = S4J_BN_IDLE;
    bn->count = 0u;
    if (bn->channels != 0u) {
        /* the next mini-batch's exchange starts empty */
        memset(s4j_bn_bits(l, dtcm, n, bn), 0,
               (size_t)s4j_bitmap_words(bn->blocks * S4J_BN_SUMS * bn->channels) * sizeof(uint32_t));
        memset(bn->got, 0, sizeof bn->got);
        bn->rounds = 0u;
    }
}
