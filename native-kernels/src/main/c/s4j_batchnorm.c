/*
 * A batch normalization's block training with the mini-batch's statistics
 * (S4J_CFG_NORM_BATCH; docs/architecture.md, "Batch normalization"): it
 * keeps each sample's row and delta as they come, and computes the
 * mini-batch's outputs (s4j_batch_norm_forward) and deltas back
 * (s4j_batch_norm_backward) in one event each, then steps its running
 * statistics at its update (s4j_batch_norm_step). Column j normalizes row
 * pool_first + j of each sample, as a NORM block at inference does.
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
    return t->held >= bn->batch || bn->phase != S4J_BN_IDLE ? S4J_ERR_IN_FLIGHT : S4J_OK;
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

int32_t s4j_batch_norm_forward(void *dtcm, uint32_t capacity, uint32_t batch, s4j_outbox *out)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    const s4j_layout *l;
    s4j_train *t;
    s4j_bn *bn;
    const float *w;
    const float *beta;
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
    w = CAT(float, dtcm, l->weights);
    beta = CAT(float, dtcm, l->bias);
    st = s4j_bn_stats(l, dtcm);
    fb = (float)batch;
    for (j = 0u; j < n; j++) {
        float sum = 0.0f;
        float squares = 0.0f;
        float mean;
        float var;

        for (b = 0u; b < batch; b++) {
            sum += sample_row(h, l, dtcm, t, b)[j];
        }
        mean = sum / fb;
        for (b = 0u; b < batch; b++) {
            float d = sample_row(h, l, dtcm, t, b)[j] - mean;

            squares += d * d;
        }
        var = squares / fb;
        st[S4J_BN_ROW_MEAN * n + j] = mean;
        st[S4J_BN_ROW_VAR * n + j] = var;
        st[S4J_BN_ROW_STD * n + j] = s4j_sqrt(var + bn->eps);
    }
    for (b = 0u; b < batch; b++) {
        const float *x = sample_row(h, l, dtcm, t, b);

        for (j = 0u; j < n; j++) {
            float y = (x[j] - st[S4J_BN_ROW_MEAN * n + j]) / st[S4J_BN_ROW_STD * n + j]
                    * w[S4J_NORM_ROW_GAMMA * n + j] + beta[j];

            r = s4j_emit(out, h->out_key_base + j, s4j_bits_of(y));
            if (r < 0) {
                return r;
            }
        }
    }
    bn->phase = S4J_BN_FORWARD;
    bn->count = batch;
    bn->deltas = 0u;
    return (int32_t)out->count;
}

/* Column j's sums over the mini-batch, in sample order: gamma's and beta's
 * gradients added to their accumulators, and the backward pass's two
 * per-column factors kept (S4J_BN_ROW_DVAR, S4J_BN_ROW_DMEAN); factors are
 * -2 / batch, 2 / batch and 1 / batch, each a double rounded to float. */
static void column_sums(const s4j_header *h, const s4j_layout *l, void *dtcm, const s4j_train *t,
                        uint32_t batch, const float *factors, uint32_t j)
{
    uint32_t n = h->n_cols;
    const float *deltas = s4j_bn_deltas(l, dtcm, n);
    float *st = s4j_bn_stats(l, dtcm);
    float gamma = CAT(float, dtcm, l->weights)[S4J_NORM_ROW_GAMMA * n + j];
    float mean = st[S4J_BN_ROW_MEAN * n + j];
    float std = st[S4J_BN_ROW_STD * n + j];
    float sum_delta = 0.0f;
    float sum_delta_xhat = 0.0f;
    float sum_dxhat = 0.0f;
    float sum_dxhat_xmu = 0.0f;
    float sum_xmu = 0.0f;
    float dvar;
    float dmean;
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
    AT(float, dtcm, l->dw)[S4J_NORM_ROW_GAMMA * n + j] += sum_delta_xhat;
    AT(float, dtcm, l->db)[j] += sum_delta;
    dvar = sum_dxhat_xmu * -0.5f / (std * std * std);
    dmean = -sum_dxhat / std + sum_xmu * factors[0] * dvar;
    st[S4J_BN_ROW_DVAR * n + j] = dvar * factors[1];
    st[S4J_BN_ROW_DMEAN * n + j] = dmean * factors[2];
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
    n = h->n_cols;
    factors[0] = (float)(-2.0 / (double)batch);
    factors[1] = (float)(2.0 / (double)batch);
    factors[2] = (float)(1.0 / (double)batch);
    for (i = 0u; i < n; i++) {
        column_sums(h, l, dtcm, t, batch, factors, i);
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
}
