/*
 * The loss of an output activator: DL4J's score terms and dL/dy of every
 * loss, per-output weights, and the output layer's backward start (delta,
 * loss packet) once a sample's outputs and labels are both in.
 */
#include "s4j_activation.h"

#include <math.h>

#define S4J_XENT_CLIP        1e-5f
#define S4J_MCXENT_CLIP      1e-10f
#define S4J_EPS_THRESHOLD    1e-5f   /* Nd4j.EPS_THRESHOLD: KLD and cosine clip */

static float clamp(float v, float lo, float hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* The row norms and dot of a cosine proximity (the whole layer is on this
 * core): |t|, |y| and sum t_j y_j, as nd4j's norm2 and sum in float. */
typedef struct s4j_cosine {
    float t_norm;
    float y_norm;
    float dot;
} s4j_cosine;

static s4j_cosine cosine_of(const float *y, const float *labels, uint32_t n)
{
    s4j_cosine c = { 0.0f, 0.0f, 0.0f };
    uint32_t j;

    for (j = 0u; j < n; j++) {
        c.t_norm += labels[j] * labels[j];
        c.y_norm += y[j] * y[j];
        c.dot += labels[j] * y[j];
    }
    c.t_norm = sqrtf(c.t_norm);
    c.y_norm = sqrtf(c.y_norm);
    return c;
}

/* DL4J's hinge mask of s = 1 - t y: 1 above 0, 0 below, s itself at 0 and
 * NaN (replaceWhere leaves them). */
static float hinge_mask(float s)
{
    return s > 0.0f ? 1.0f : (s < 0.0f ? 0.0f : s);
}

/* Whether an output softmax's delta needs the layer's sum of a_k (its
 * Jacobian): every loss but the unweighted MCXENT / NLL, whose y - t does
 * not. */
int s4j_softmax_jacobian(const s4j_header *h, const s4j_train *t)
{
    return h->activation == S4J_ACT_SOFTMAX
        && ((t->loss != S4J_LOSS_MCXENT && t->loss != S4J_LOSS_NLL)
            || t->loss_weighted != 0u);
}

/*
 * One output's unweighted score term and dL/dy (*g) of DL4J's ILossFunction
 * (scoreArray and computeGradient before the activation's backprop); n_out
 * is the layer's nOut, c the row's norms (cosine proximity). DL4J applies a
 * loss weight last, so the caller does: to the term, and to g before the
 * s4j_backprop (after it for XENT, MCXENT and NLL); MSE and MAE divide after the
 * backprop, also the caller's.
 */
static float loss_term(uint32_t loss, float y, float t, float n_out,
                       const s4j_cosine *c, int softmax, float *g)
{
    float d = y - t;
    float s;
    float v;

    switch (loss) {
    case S4J_LOSS_MSE:
    case S4J_LOSS_L2:
        *g = d * 2.0f;
        return d * d;
    case S4J_LOSS_L1:
    case S4J_LOSS_MAE:
        *g = s4j_sign_of(d);
        return fabsf(d);
    case S4J_LOSS_XENT:
        v = clamp(y, S4J_XENT_CLIP, 1.0f - S4J_XENT_CLIP);
        *g = (v - t) / (v * (1.0f - v));
        return t * logf(v) + (1.0f - t) * logf(1.0f - v);
    case S4J_LOSS_HINGE:
        s = 1.0f - y * t;
        *g = -t * hinge_mask(s);
        return s < 0.0f ? 0.0f : s;
    case S4J_LOSS_SQUARED_HINGE:
        s = 1.0f - y * t;
        *g = (s * 2.0f) * -t * hinge_mask(s);
        v = s < 0.0f ? 0.0f : s;
        return v * v;
    case S4J_LOSS_KL_DIVERGENCE:
        *g = -(t / y);
        v = clamp(t, S4J_EPS_THRESHOLD, 1.0f);
        return logf(v / clamp(y, S4J_EPS_THRESHOLD, 1.0f)) * v;
    case S4J_LOSS_POISSON:
        *g = 1.0f - t / y;
        return y - logf(y) * t;
    case S4J_LOSS_COSINE_PROXIMITY:
        *g = -((t * (c->y_norm * c->y_norm) - y * c->dot)
               / (c->t_norm > S4J_EPS_THRESHOLD ? c->t_norm : S4J_EPS_THRESHOLD)
               / ((c->y_norm > S4J_EPS_THRESHOLD ? c->y_norm : S4J_EPS_THRESHOLD)
                  * (c->y_norm * c->y_norm > S4J_EPS_THRESHOLD
                     ? c->y_norm * c->y_norm : S4J_EPS_THRESHOLD)));
        return -(y * t / (c->y_norm > S4J_EPS_THRESHOLD ? c->y_norm : S4J_EPS_THRESHOLD)
                 / (c->t_norm > S4J_EPS_THRESHOLD ? c->t_norm : S4J_EPS_THRESHOLD));
    case S4J_LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR:
        *g = s4j_sign_of(-d) / fabsf(t) * (-100.0f / n_out);
        return fabsf(-d / t) * (100.0f / n_out);
    case S4J_LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR:
        v = logf((y + 1.0f) / (t + 1.0f));
        *g = (2.0f / n_out) / (y + 1.0f) * v;
        return v * v / n_out;
    case S4J_LOSS_WASSERSTEIN:
        *g = t / n_out;
        return t * y;
    case S4J_LOSS_MCXENT:
    case S4J_LOSS_NLL:
    default:
        if (softmax) {
            v = clamp(y, S4J_MCXENT_CLIP, 1.0f - S4J_MCXENT_CLIP);
            *g = d;
            return logf(v) * t;
        }
        *g = -(t / y);
        return logf(y) * t;
    }
}

/*
 * Output activator, y and labels of the oldest sample held complete: delta = dL/dz and the partial
 * loss of its columns (DL4J's ILossFunction.computeGradient / scoreArray),
 * then the loss packet, then the deltas (or the fused block's backward). An
 * output softmax whose delta needs the layer's sum (s4j_softmax_jacobian) sends
 * its local sum to its peers first, as a hidden softmax sends its dot.
 */
static int32_t output_backward(const s4j_header *h, const s4j_layout *l,
                               void *dtcm, s4j_train *t, s4j_outbox *out)
{
    size_t entry = (size_t)t->back_slot * h->n_cols;
    const float *y = CAT(float, dtcm, l->y) + entry;
    const float *z = CAT(float, dtcm, l->tz) + entry;
    const float *labels = CAT(float, dtcm, l->labels) + entry;
    const float *weights = t->loss_weighted != 0u
        ? CAT(float, dtcm, s4j_loss_weights_at(l, h->n_cols)) : NULL;
    float *delta = AT(float, dtcm, l->delta);
    float n_out = (float)t->layer_outputs;
    int softmax = h->activation == S4J_ACT_SOFTMAX;
    int jacobian = s4j_softmax_jacobian(h, t);
    int mcxent = t->loss == S4J_LOSS_MCXENT || t->loss == S4J_LOSS_NLL;
    int weight_after = t->loss == S4J_LOSS_XENT || mcxent;
    int divide = t->loss == S4J_LOSS_MSE || t->loss == S4J_LOSS_MAE;
    int activate_back = !(softmax && mcxent);
    uint32_t loss_kind = t->loss;
    s4j_cosine c = { 0.0f, 0.0f, 0.0f };
    float loss = 0.0f;
    float dot = 0.0f;
    uint32_t n = h->n_cols;
    uint32_t j;
    int32_t r;

    if ((t->flags & S4J_TRAIN_DOT_SENT) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP; /* the last sample's sum is not in */
    }
    if (t->loss == S4J_LOSS_COSINE_PROXIMITY) {
        c = cosine_of(y, labels, n);
    }
    for (j = 0u; j < n; j++) {
        float g;
        float term = loss_term(loss_kind, y[j], labels[j], n_out, &c, softmax, &g);

        if (weights != NULL) {
            term = term * weights[j];
            if (!weight_after) {
                g = g * weights[j];
            }
        }
        loss += term;
        if (jacobian) {
            /* a_j: w t for a weighted MCXENT / NLL, else dL/dy */
            delta[j] = mcxent ? weights[j] * labels[j] : g;
            dot += mcxent ? delta[j] : delta[j] * y[j];
            continue;
        }
        if (activate_back) {
            g = s4j_backprop(h->activation, h->alpha, z[j], y[j], g);
        }
        if (divide) {
            g = g / n_out;
        }
        delta[j] = weight_after && weights != NULL ? g * weights[j] : g;
    }
    if (t->loss == S4J_LOSS_MSE || t->loss == S4J_LOSS_MAE || t->loss == S4J_LOSS_WASSERSTEIN) {
        loss = loss / n_out;
    } else if (t->loss == S4J_LOSS_XENT || mcxent) {
        loss = -loss;
    }
    t->last_loss = loss;
    if (jacobian && h->softmax_peers != 0u) {
        /* the sum first: sends leave in order, and the peers wait for it
         * (the loss packet's slot comes after the exchange's) */
        r = s4j_send_dot(h, t, dot, out);
        if (r < 0) {
            return r;
        }
        r = s4j_emit(out, t->loss_key_base, s4j_bits_of(loss));
        if (r < 0) {
            return r;
        }
        return s4j_dot_advance(h, l, dtcm, t, out);
    }
    r = s4j_emit(out, t->loss_key_base, s4j_bits_of(loss));
    if (r < 0) {
        return r;
    }
    if (!jacobian) {
        return s4j_activator_backward(h, l, dtcm, t, out);
    }
    return s4j_output_softmax_backward(h, l, dtcm, t, dot, out);
}

/* An output activator starts the backward pass of its oldest sample held if
 * that sample's forward pass and labels are both in and no earlier sample
 * still waits for its softmax peers' sums. */
int32_t s4j_output_ready_backward(const s4j_header *h, const s4j_layout *l,
                                  void *dtcm, s4j_train *t, s4j_outbox *out)
{
    if (t->held == 0u || t->labels_held == 0u || (t->flags & S4J_TRAIN_DOT_SENT) != 0u) {
        return S4J_OK;
    }
    if (h->arithmetic == S4J_ARITH_S16_15) {
        /* no loss packet: s16.15 defines no loss on the cores; the header
         * (at dtcm) counts the delta's saturations */
        return s4j_fix_output_backward((s4j_header *)dtcm, l, dtcm, t, out);
    }
    return output_backward(h, l, dtcm, t, out);
}
