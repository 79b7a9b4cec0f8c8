/*
 * The backward pass of a sample: a block's dW += x delta and its W delta sent
 * upstream, an activator's db and deltas, a hidden activator's delta from
 * its backward partials, and the ring bookkeeping of the samples held.
 */
#include "s4j_activation.h"

/* Whether a training core holds part of a sample: one whose forward pass is
 * done and backward pass is not, labels not yet used, or a backward pass or
 * a set of labels half received. */
int s4j_samples_in_flight(const s4j_train *t)
{
    return t != NULL
        && (t->held != 0u || t->labels_held != 0u || t->back_received != 0u
            || t->dots_received != 0u || (t->flags & S4J_TRAIN_DOT_SENT) != 0u);
}

/* The oldest sample held has had its backward pass: its entries are free. */
void s4j_backward_done(const s4j_header *h, s4j_train *t)
{
    t->held--;
    t->back_slot = s4j_ring_next(h, t->back_slot);
    t->drop_back++;
    if (s4j_is_output(h, t)) {
        t->labels_held--;
    }
}

/* A block whose delta[n_cols] is complete: dW += x^T delta (a float
 * multiply-add per weight: dW holds the mini-batch's sum; under dropout x is
 * the input as dropped), and sends e_i = sum_j W[i][j] delta_j (in order of
 * j, in a wide accumulator: s4j_dot; under dropout times m_i / p unless its
 * GRADIENT word says not) for every row i. */
int32_t s4j_block_backward(const s4j_header *h, const s4j_layout *l,
                           void *dtcm, const s4j_train *t, s4j_outbox *out)
{
    const float *x = CAT(float, dtcm, l->x) + (size_t)t->back_slot * h->n_rows;
    const float *w = CAT(float, dtcm, l->weights);
    const float *delta = CAT(float, dtcm, l->delta);
    float *dw = AT(float, dtcm, l->dw);
    uint32_t n_rows = h->n_rows;
    uint32_t n_cols = h->n_cols;
    uint32_t i;
    uint32_t j;
    int masks;
    int32_t r;

    out->work |= S4J_WORK_BLOCK_BACKWARD;
    if (h->pool != S4J_POOL_NONE) {
        return s4j_pool_backward(h, l, dtcm, t, out);
    }
    if (h->row.kernel_w != 0u) {
        return s4j_row_backward(h, l, dtcm, t, out);
    }
    for (i = 0u; i < n_rows; i++) {
        float *g = dw + (size_t)i * n_cols;
        float xi = x[i];
        for (j = 0u; j < n_cols; j++) {
            g[j] += xi * delta[j];
        }
    }
    if (t->sends_backward == 0u) {
        return S4J_OK;
    }
    masks = s4j_drop_masks_gradient(t, out);
    for (i = 0u; i < n_rows; i++) {
        float e = s4j_dot(w + (size_t)i * n_cols, delta, n_cols);

        if (masks) {
            e *= s4j_drop_scale(t, t->drop_back, i);
        }
        r = s4j_emit(out, t->backward_key_base + i, s4j_bits_of(e));
        if (r < 0) {
            return r;
        }
    }
    return S4J_OK;
}

/* An activator whose delta[n_cols] is complete: db += delta (a row
 * convolution's: each column's delta added to its channel's), then a reduce
 * sends the deltas to its blocks and a fused block runs its own backward;
 * the sample's backward pass is then done. */
int32_t s4j_activator_backward(const s4j_header *h, const s4j_layout *l,
                               void *dtcm, s4j_train *t, s4j_outbox *out)
{
    const float *delta = CAT(float, dtcm, l->delta);
    float *db;
    uint32_t n = h->n_cols;
    uint32_t j;
    uint32_t bj;
    uint32_t wrap;
    uint32_t end;
    int32_t r;

    out->work |= S4J_WORK_DELTAS;
    /* a MAX or AVG pooling block has no bias to take a gradient; in runs
     * of columns: a row convolution's block adds each output column's
     * deltas to its channels' db */
    if (!s4j_pools(h)) {
        s4j_bias_walk(&h->row, n, &bj, &wrap);
        for (j = 0u; j < n; bj = 0u) {
            db = AT(float, dtcm, l->db) + bj;
            for (end = j + s4j_bias_run(bj, wrap, n - j); j < end; j++, db++) {
                *db += delta[j];
            }
        }
    }
    r = h->kind == S4J_KIND_REDUCE ? s4j_emit_values(out, t->delta_key_base, delta, n)
                                   : s4j_block_backward(h, l, dtcm, t, out);
    if (r < 0) {
        return r;
    }
    s4j_backward_done(h, t);
    return S4J_OK;
}

/* Hidden activator, every backward partial in: delta = e * act'(z) (a batch
 * normalization in its mini-batch mode keeps e for its mini-batch). */
int32_t s4j_hidden_backward(const s4j_header *h, const s4j_layout *l,
                            void *dtcm, s4j_train *t, s4j_outbox *out)
{
    size_t entry = (size_t)t->back_slot * h->n_cols;
    const float *y = CAT(float, dtcm, l->y) + entry;
    const float *z = CAT(float, dtcm, l->tz) + entry;
    float *e = AT(float, dtcm, l->eacc);
    float *delta = AT(float, dtcm, l->delta);
    uint32_t n = h->n_cols;
    uint32_t j;

    if (h->activation == S4J_ACT_SOFTMAX) {
        return s4j_hidden_softmax_backward(h, l, dtcm, t, out);
    }
    if (l->bn != 0u) {
        return s4j_batch_norm_keep_delta(h, l, dtcm, s4j_bn_of(l, dtcm));
    }
    for (j = 0u; j < n; j++) {
        delta[j] = s4j_backprop(h->activation, h->alpha, z[j], y[j], e[j]);
    }
    memset(e, 0, (size_t)n * sizeof(float));
    return s4j_activator_backward(h, l, dtcm, t, out);
}
