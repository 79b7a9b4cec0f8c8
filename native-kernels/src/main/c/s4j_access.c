/*
 * What the host reads from and writes into a loaded state between events:
 * the values received, the packets discarded, the last loss, the parameters
 * and the updaters' state arrays.
 */
#include "s4j_internal.h"

int32_t s4j_received(const void *dtcm, uint32_t capacity)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    const s4j_layout *l;
    int32_t r = s4j_layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (h->kind == S4J_KIND_INPUT_SOURCE) {
        return h->received != 0u ? (int32_t)h->n_cols : 0;
    }
    return h->received > (uint32_t)INT32_MAX ? S4J_ERR_CORRUPT : (int32_t)h->received;
}

/* The offset and length of parameter array `which` (S4J_ARRAY_*) of slot
 * `slot` (0: the parameters, k >= 1: updater state array k) of a core whose
 * layout is l; S4J_OK, or an error if the core has no such array. */
static int32_t locate_array(const void *dtcm, const s4j_layout *l,
                            uint32_t which, uint32_t slot, uint32_t *off,
                            uint32_t *count)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    const s4j_train *t;
    uint32_t state;
    uint32_t kind_of;

    if (which == S4J_ARRAY_WEIGHTS) {
        if (h->kind != S4J_KIND_DENSE_BLOCK) {
            return S4J_ERR_WRONG_KIND;
        }
        /* below total / 4: no overflow; a pooling block has none */
        *count = s4j_block_weights(h);
        *off = l->weights;
        state = l->w_state;
        kind_of = 0u;
    } else if (which == S4J_ARRAY_BIAS) {
        if (!s4j_has_bias(h->kind, h->fused)) {
            return S4J_ERR_WRONG_KIND;
        }
        *count = s4j_biases(h);
        *off = l->bias;
        state = l->b_state;
        kind_of = 1u;
    } else {
        return S4J_ERR_BAD_ARGUMENT;
    }
    if (slot != 0u) {
        if (l->train == 0u) {
            return S4J_ERR_NOT_TRAINING;
        }
        if (h->arithmetic != S4J_ARITH_FLOAT) {
            return S4J_ERR_WRONG_KIND; /* s16.15 Adam's v is no array of floats */
        }
        t = CAT(s4j_train, dtcm, l->train);
        if (state == 0u
            || slot > s4j_updater_arrays(kind_of == 0u ? t->upd_w.kind : t->upd_b.kind)) {
            return S4J_ERR_BAD_ARGUMENT;
        }
        *off = state + (slot - 1u) * *count * 4u; /* inside the state: no overflow */
    }
    return S4J_OK;
}

/* Weight k (row-major) of a loaded DENSE_BLOCK's state: where it lies, in
 * panels on an S16_15 inference block (s4j_fix_in_panels). */
static size_t weight_at(const s4j_header *h, const s4j_layout *l, uint32_t k)
{
    return s4j_fix_in_panels(h, l->train) ? s4j_panel_index(k / h->n_cols, k % h->n_cols, h->n_rows, h->n_cols)
                                          : (size_t)k;
}

void s4j_put_weights(const s4j_header *h, const s4j_layout *l, void *dtcm, const float *values)
{
    uint32_t *w = AT(uint32_t, dtcm, l->weights);
    uint32_t n = s4j_block_weights(h);
    uint32_t k;

    for (k = 0u; k < n; k++) {
        /* as bits: an s16.15 word may be a signalling NaN's pattern */
        memcpy(&w[weight_at(h, l, k)], &values[k], sizeof(uint32_t));
    }
}

int32_t s4j_params(const void *dtcm, uint32_t capacity, uint32_t which,
                   uint32_t slot, float *dest, uint32_t dest_len)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    const s4j_layout *l;
    const uint32_t *values;
    uint32_t count = 0u;
    uint32_t off = 0u;
    uint32_t k;
    int32_t r = s4j_layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (dest == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    r = locate_array(dtcm, l, which, slot, &off, &count);
    if (r != S4J_OK) {
        return r;
    }
    if (dest_len != count) {
        return S4J_ERR_BAD_LENGTH;
    }
    values = CAT(uint32_t, dtcm, off);
    for (k = 0u; k < count; k++) {
        /* as bits (an s16.15 word may be a signalling NaN's pattern); an
         * updater's array is a training core's: row-major as its weights */
        memcpy(&dest[k], &values[which == S4J_ARRAY_WEIGHTS ? weight_at(h, l, k) : k], sizeof(uint32_t));
    }
    return S4J_OK;
}

int32_t s4j_set_params(void *dtcm, uint32_t capacity, uint32_t which,
                       uint32_t slot, const float *values, uint32_t n)
{
    const s4j_layout *l;
    uint32_t count = 0u;
    uint32_t off = 0u;
    int32_t r = s4j_layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    r = locate_array(dtcm, l, which, slot, &off, &count);
    if (r != S4J_OK) {
        return r;
    }
    if (values == NULL || n != count) {
        return S4J_ERR_BAD_LENGTH;
    }
    if (s4j_samples_in_flight(s4j_train_of(l, dtcm))) {
        return S4J_ERR_INCOMPLETE;
    }
    if (which == S4J_ARRAY_WEIGHTS && slot == 0u) {
        s4j_put_weights((const s4j_header *)dtcm, l, dtcm, values);
        return S4J_OK;
    }
    /* as bits, as s4j_put_weights and s4j_params copy */
    memcpy(AT(float, dtcm, off), values, (size_t)count * sizeof(float));
    return S4J_OK;
}

/* A counter of a loaded state's header (the member at offset `at`). */
static int32_t header_count(const void *dtcm, uint32_t capacity, size_t at, uint32_t *count)
{
    const s4j_layout *l;
    int32_t r = s4j_layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (count == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    *count = *CAT(uint32_t, dtcm, at);
    return S4J_OK;
}

int32_t s4j_discarded(const void *dtcm, uint32_t capacity, uint32_t *count)
{
    return header_count(dtcm, capacity, offsetof(s4j_header, discarded), count);
}

int32_t s4j_saturated(const void *dtcm, uint32_t capacity, uint32_t *count)
{
    return header_count(dtcm, capacity, offsetof(s4j_header, saturated), count);
}

int32_t s4j_last_loss(const void *dtcm, uint32_t capacity, float *loss)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    const s4j_train *t;
    const s4j_layout *l;
    int32_t r = s4j_layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (l->train == 0u) {
        return S4J_ERR_NOT_TRAINING;
    }
    t = CAT(s4j_train, dtcm, l->train);
    if (!s4j_has_bias(h->kind, h->fused) || t->loss == S4J_LOSS_NONE) {
        return S4J_ERR_WRONG_KIND;
    }
    if (loss == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    *loss = t->last_loss;
    return S4J_OK;
}
