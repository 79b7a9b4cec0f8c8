/*
 * Gradient normalization by an L2 norm over a layer spread on cores: each
 * core's partial sums of squares sent to its peers (s4j_norm_start) and the
 * scales of the gradients once every partial is in.
 */
#include "s4j_internal.h"

#include <math.h>

/* The sum of (acc[k] / batch)^2 over n accumulators. */
static float sum_of_squares(const float *acc, uint32_t n, float batch)
{
    float sum = 0.0f;
    uint32_t k;

    for (k = 0u; k < n; k++) {
        float g = acc[k] / batch;

        sum += g * g;
    }
    return sum;
}

int32_t s4j_norm_start(void *dtcm, uint32_t capacity, uint32_t batch_size,
                       s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    s4j_train *t;
    const s4j_layout *l;
    float *norm;
    float batch;
    float w = 0.0f;
    float b = 0.0f;
    int32_t r = s4j_end_of_batch(dtcm, capacity, batch_size, &l, &t);

    if (r != S4J_OK) {
        return r;
    }
    if (!s4j_is_l2(t->grad_norm)) {
        return S4J_ERR_WRONG_KIND;
    }
    if (out == NULL || out->send == NULL || out->capacity < l->max_sends) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    if (s4j_samples_in_flight(t)) {
        return S4J_ERR_INCOMPLETE;
    }
    if (t->norm_own != 0u) {
        return S4J_ERR_DUPLICATE_SYNC;
    }
    s4j_begin_event(out);
    batch = (float)batch_size;
    if (h->kind == S4J_KIND_DENSE_BLOCK) {
        w = sum_of_squares(AT(const float, dtcm, l->dw), s4j_block_weights(h), batch);
    }
    if (s4j_has_bias(h->kind, h->fused)) {
        b = sum_of_squares(AT(const float, dtcm, l->db), s4j_biases(h), batch);
    }
    /* s4j_load made norm_self <= norm_peers, and norm holds norm_peers + 1 pairs */
    S4J_VERIFY(l->norm != 0u && t->norm_self <= t->norm_peers);
    norm = AT(float, dtcm, l->norm);
    t->norm_own = 1u;
    if (s4j_norm_keys(t->grad_norm) == 1u) {
        norm[2u * t->norm_self] = w + b;
        r = t->norm_peers != 0u ? s4j_emit(out, t->norm_key_base, s4j_bits_of(w + b)) : S4J_OK;
    } else {
        norm[2u * t->norm_self] = w;
        norm[2u * t->norm_self + 1u] = b;
        r = t->norm_peers != 0u ? s4j_emit(out, t->norm_key_base, s4j_bits_of(w)) : S4J_OK;
        if (r >= 0 && t->norm_peers != 0u) {
            r = s4j_emit(out, t->norm_key_base + 1u, s4j_bits_of(b));
        }
    }
    return r < 0 ? r : (int32_t)out->count;
}

/* DL4J's preApply of an L2 mode with norm l2 (0: renormalizing divides by
 * 1e-5 instead, as DL4J does); the factors in double as DL4J computes them,
 * then float as nd4j's scalar ops take them. */
static s4j_scale scale_of(const s4j_train *t, float l2)
{
    s4j_scale sc;
    double norm = (double)l2;
    double threshold = (double)t->grad_norm_threshold;

    sc.divide = 0;
    sc.multiply = 0;
    sc.factor = 1.0f;
    switch (t->grad_norm) {
    case S4J_GRAD_NORM_RENORM_L2_PER_LAYER:
    case S4J_GRAD_NORM_RENORM_L2_PER_PARAM_TYPE:
        sc.divide = 1;
        sc.factor = (float)(norm == 0.0 ? 1e-5 : norm);
        break;
    case S4J_GRAD_NORM_CLIP_L2_PER_LAYER:
        if (norm > threshold) {
            sc.multiply = 1;
            sc.factor = (float)(threshold / norm);
        }
        break;
    case S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE:
        if (norm > threshold) {
            sc.divide = 1;
            sc.factor = (float)(norm / threshold);
        }
        break;
    default:
        break;
    }
    return sc;
}

/* The scales of the weights' and the bias' gradients: the partials of every
 * position added in position order, so every core of the layer gets the
 * same norms. */
void s4j_scales_of(const s4j_train *t, const s4j_layout *l, void *dtcm,
                   s4j_scale *sw, s4j_scale *sb)
{
    const float *norm;
    float w = 0.0f;
    float b = 0.0f;
    uint32_t k;

    if (!s4j_is_l2(t->grad_norm)) {
        *sw = scale_of(t, 0.0f);
        *sb = *sw;
        return;
    }
    norm = CAT(float, dtcm, l->norm);
    for (k = 0u; k <= t->norm_peers; k++) {
        w += norm[2u * k];
        b += norm[2u * k + 1u];
    }
    if (s4j_norm_keys(t->grad_norm) == 1u) {
        *sw = scale_of(t, sqrtf(w));
        *sb = *sw;
    } else {
        *sw = scale_of(t, sqrtf(w));
        *sb = scale_of(t, sqrtf(b));
    }
}
