/*
 * S16_15 training on a fused block (docs/fixed-point.md, "Training in s16.15
 * on the machine"): a sample's output delta, a hidden layer's delta from its
 * error words, the block's exact gradient sums and the error words it sends
 * its rows, and the mini-batch's update (s4j_apply_fix_update), each the
 * arithmetic of s4j_fixback.c and s4j_fixupdate.c on the state's arrays.
 */
#include "s4j_internal.h"
#include "s4j_fixback.h"
#include "s4j_fixupdate.h"

/* The oldest sample's delta is complete: dW += x delta and db += delta
 * (exact, units of 2^-30), then, if the block sends back, each row's error
 * sum_j W[i][j] delta[j]: rounded once and sent as a word if the block holds
 * its layer's every column (the receiver's EXPECTED_BACKWARD is 1), else
 * sent whole as its low and high words (s4j_fix_sends_halves), which the
 * receiver adds to the other blocks' before its one rounding; the sample's
 * backward pass is then done. */
static int32_t fix_block_backward(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t,
                                  s4j_outbox *out)
{
    const int32_t *x = CAT(int32_t, dtcm, l->x) + (size_t)t->back_slot * h->n_rows;
    const int32_t *w = CAT(int32_t, dtcm, l->weights);
    const int32_t *delta = CAT(int32_t, dtcm, l->delta);
    uint32_t n_rows = h->n_rows;
    uint32_t n_cols = h->n_cols;
    uint32_t i;
    int32_t r;

    out->work |= S4J_WORK_DELTAS | S4J_WORK_BLOCK_BACKWARD;
    s4j_fix_gradient_add(AT(uint64_t, dtcm, l->dw), AT(uint64_t, dtcm, l->db), x, delta, n_rows, n_cols);
    if (t->sends_backward != 0u) {
        int halves = s4j_fix_sends_halves(h->arithmetic, n_cols, t->layer_outputs);
        uint32_t sent;

        /* from the first row on, wrapping (s4j_load: first row 0 unless it
         * sends halves, and below n_rows) */
        for (sent = 0u, i = t->backward_first_row; sent < n_rows; sent++, i = i + 1u < n_rows ? i + 1u : 0u) {
            uint64_t sum = 0u;
            int32_t e;

            s4j_fix_error_add(&sum, w + (size_t)i * n_cols, delta, 1u, n_cols);
            if (halves) {
                r = s4j_emit(out, t->backward_key_base + 2u * i, (uint32_t)sum);
                if (r >= 0) {
                    r = s4j_emit(out, t->backward_key_base + 2u * i + 1u, (uint32_t)(sum >> 32));
                }
            } else {
                s4j_fix_round_sums(&sum, &e, 1u, &h->saturated);
                r = s4j_emit(out, t->backward_key_base + i, (uint32_t)e);
            }
            if (r < 0) {
                return r;
            }
        }
    }
    s4j_backward_done(h, t);
    return S4J_OK;
}

int32_t s4j_fix_output_backward(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t,
                                s4j_outbox *out)
{
    size_t entry = (size_t)t->back_slot * h->n_cols;

    /* s4j_load accepted softmax + MCXENT or identity + MSE, layer_outputs
     * = n_cols >= 1: the pair is one s4j_fix_output_delta computes */
    if (s4j_fix_output_delta(h->activation, t->loss, CAT(int32_t, dtcm, l->y) + entry,
                             CAT(int32_t, dtcm, l->labels) + entry, h->n_cols, t->layer_outputs,
                             AT(int32_t, dtcm, l->delta), &h->saturated)
        != 0) {
        return S4J_ERR_CORRUPT;
    }
    return fix_block_backward(h, l, dtcm, t, out);
}

int32_t s4j_fix_hidden_backward(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t,
                                s4j_outbox *out)
{
    const int32_t *y = CAT(int32_t, dtcm, l->y) + (size_t)t->back_slot * h->n_cols;

    /* -1: an activation s4j_load refuses, or a tanh or sigmoid word the
     * fixed functions never give */
    if (s4j_fix_hidden_delta(h->activation, CAT(int32_t, dtcm, l->eacc), y, h->n_cols,
                             AT(int32_t, dtcm, l->delta))
        != 0) {
        return S4J_ERR_CORRUPT;
    }
    return fix_block_backward(h, l, dtcm, t, out);
}

/* One array of n parameters (rows of `width` from index first_index, the
 * next row's `stride` further in the layer) stepped by the updater, its sums
 * then zeroed. -1 if the kernel refused a constant. */
static int fix_step_rows(const s4j_fix_update_consts *c, uint32_t adam, int32_t *words, int32_t *m,
                         uint32_t *v, uint64_t *sums, uint32_t rows, uint32_t width, uint32_t stride,
                         s4j_fix_update_counts *counts)
{
    s4j_fix_update_consts row = *c;
    uint32_t i;

    for (i = 0u; i < rows; i++) {
        size_t at = (size_t)i * width;
        int r = adam != 0u
            ? s4j_fix_adam_step(&row, words + at, m + at, v + 2u * at, (const int64_t *)(sums + at), width,
                                counts)
            : s4j_fix_sgd_step(&row, words + at, (const int64_t *)(sums + at), width, counts);

        if (r != 0) {
            return -1;
        }
        row.first_index += stride;
    }
    memset(sums, 0, (size_t)rows * width * sizeof(uint64_t));
    return 0;
}

int32_t s4j_apply_fix_update(void *dtcm, uint32_t capacity, const s4j_fix_update_consts *weights,
                             uint32_t row_stride, uint32_t bias_first, s4j_fix_update_counts *counts)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l;
    const s4j_train *t;
    s4j_fix_update_consts bias;
    uint32_t adam;
    uint32_t n_w;
    uint32_t n_b;
    int32_t r = s4j_layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (weights == NULL || counts == NULL) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    if (l->train == 0u) {
        return S4J_ERR_NOT_TRAINING;
    }
    if (h->arithmetic != S4J_ARITH_S16_15) {
        return S4J_ERR_WRONG_KIND;
    }
    t = CAT(s4j_train, dtcm, l->train);
    if (s4j_samples_in_flight(t) || h->received != 0u) {
        return S4J_ERR_INCOMPLETE; /* a sample's passes, or its words, half done */
    }
    /* a loaded S16_15 training core is a fused block (s4j_config.c), the
     * state arrays sized for its updater (s4j_layout.c) */
    adam = t->upd_w.kind == S4J_UPDATER_ADAM ? 1u : 0u;
    n_w = s4j_block_weights(h);
    n_b = s4j_biases(h);
    bias = *weights;
    bias.first_index = bias_first;
    if (fix_step_rows(weights, adam, AT(int32_t, dtcm, l->weights),
                      adam != 0u ? AT(int32_t, dtcm, l->w_state) : NULL,
                      adam != 0u ? AT(uint32_t, dtcm, l->w_state + n_w * 4u) : NULL,
                      AT(uint64_t, dtcm, l->dw), h->n_rows, h->n_cols, row_stride, counts)
            != 0
        || fix_step_rows(&bias, adam, AT(int32_t, dtcm, l->bias),
                         adam != 0u ? AT(int32_t, dtcm, l->b_state) : NULL,
                         adam != 0u ? AT(uint32_t, dtcm, l->b_state + n_b * 4u) : NULL,
                         AT(uint64_t, dtcm, l->db), 1u, n_b, 0u, counts)
            != 0) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    return S4J_OK;
}
