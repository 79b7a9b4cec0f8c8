/*
 * Softmax over a layer: its exponentials and normalisation (in float, or in
 * s16.15 words from s4j_fix_exp and s4j_fix_div), the exchange of maxima,
 * sums and backward dots between the peers of a softmax spread over cores,
 * and its backward products y (e - S) and y s - a.
 */
#include "s4j_internal.h"
#include "s4j_fixfunc.h"

#include <math.h>

/* A softmax's running max starts here, not at its first z: nd4j-native's
 * softmax behaves as if its max started at -3.402823e38f (libnd4j's float
 * max, two ulps short of FLT_MAX), so a row whose every z lies below that
 * gives exp(z - floor) = 0 everywhere and 0/0 = NaN there, measured; here
 * too. NaN never wins the comparison, and a NaN z makes the sum, hence the
 * whole row, NaN, as on the CPU. */
#define S4J_SOFTMAX_MAX_FLOOR (-3.402823e38f)

static void reset_softmax(s4j_header *h, s4j_peer *peers)
{
    uint32_t p;

    h->phase = 0u;
    h->maxes_received = 0u;
    h->sums_received = 0u;
    for (p = 0u; p < h->softmax_peers; p++) {
        peers[p].flags &= ~(S4J_PEER_MAX | S4J_PEER_SUM);
    }
}

/* z[j] = e^(z[j] - m); returns their sum. */
static float exponentials(float *z, uint32_t n, float m)
{
    float s = 0.0f;
    uint32_t j;

    for (j = 0u; j < n; j++) {
        float e = expf(z[j] - m);
        z[j] = e;
        s += e;
    }
    return s;
}

/* The outputs z[j] / total (the exponentials over the layer's sum), kept as
 * a training core's y and sent: the sample's forward pass is done. */
static int32_t normalise(const s4j_header *h, const s4j_layout *l, void *dtcm,
                         float total, s4j_outbox *out)
{
    float *z = AT(float, dtcm, l->z);
    uint32_t n = h->n_cols;
    float *y = l->y != 0u
        ? AT(float, dtcm, l->y) + (size_t)s4j_fwd_entry(s4j_train_of(l, dtcm)) * n : NULL;
    uint32_t j;
    int32_t r;

    for (j = 0u; j < n; j++) {
        float v = z[j] / total;
        if (y != NULL) {
            y[j] = v;
        }
        r = s4j_emit(out, h->out_key_base + j, s4j_bits_of(v));
        if (r < 0) {
            return r;
        }
    }
    memset(z, 0, (size_t)n * sizeof(float)); /* the next sample's sums */
    return s4j_forward_complete(h, l, dtcm, out);
}

/* A softmax's z, bias added, is complete: its max, then on one core the
 * outputs at once, spread over cores the max sent to the peers. */
int32_t s4j_softmax_forward(s4j_header *h, const s4j_layout *l, void *dtcm,
                            s4j_outbox *out)
{
    float *z = AT(float, dtcm, l->z);
    uint32_t n = h->n_cols;
    float m = S4J_SOFTMAX_MAX_FLOOR;
    uint32_t j;
    int32_t r;

    for (j = 0u; j < n; j++) {
        if (z[j] > m) {
            m = z[j];
        }
    }
    if (h->softmax_peers == 0u) {
        return normalise(h, l, dtcm, exponentials(z, n, m), out);
    }
    h->local_max = m;
    h->phase |= S4J_PHASE_Z_COMPLETE;
    r = s4j_emit(out, h->sync_key_base, s4j_bits_of(m));
    return r < 0 ? r : s4j_softmax_advance(h, l, dtcm, out);
}

/* S16_15: z[j] = s4j_fix_exp(z[j] - m) for words z[j] <= m (z[j] - m taken
 * in 64 bits and clamped to INT32_MIN, where e^x is 0 already); each e is at
 * most 1.0 (2^15), so their sum is exact for n <= S4J_FIX_SOFTMAX_MAX_COLS. */
static int32_t fix_exponentials(int32_t *z, uint32_t n, int32_t m)
{
    uint32_t s = 0u;
    uint32_t j;

    for (j = 0u; j < n; j++) {
        int64_t d = (int64_t)z[j] - m;

        z[j] = s4j_fix_exp(d < INT32_MIN ? INT32_MIN : (int32_t)d);
        s += (uint32_t)z[j];
    }
    return (int32_t)s;
}

/* S16_15: the outputs s4j_fix_div(e[j], total), sent (a training block's
 * also kept in its y ring, for its output delta). */
static int32_t fix_normalise(const s4j_header *h, const s4j_layout *l, void *dtcm,
                             int32_t total, s4j_outbox *out)
{
    const int32_t *e = CAT(int32_t, dtcm, l->z);
    int32_t *y = l->y != 0u
        ? AT(int32_t, dtcm, l->y) + (size_t)s4j_fwd_entry(s4j_train_of(l, dtcm)) * h->n_cols : NULL;
    uint32_t j;
    int32_t r;

    for (j = 0u; j < h->n_cols; j++) {
        int32_t p = s4j_fix_div(e[j], total);

        if (y != NULL) {
            y[j] = p;
        }
        r = s4j_emit(out, h->out_key_base + j, (uint32_t)p);
        if (r < 0) {
            return r;
        }
    }
    return s4j_forward_complete(h, l, dtcm, out);
}

int32_t s4j_fix_softmax_forward(s4j_header *h, const s4j_layout *l, void *dtcm,
                                s4j_outbox *out)
{
    int32_t *z = AT(int32_t, dtcm, l->z);
    int32_t m = INT32_MIN;
    uint32_t j;
    int32_t r;

    for (j = 0u; j < h->n_cols; j++) {
        if (z[j] > m) {
            m = z[j];
        }
    }
    if (h->softmax_peers == 0u) {
        return fix_normalise(h, l, dtcm, fix_exponentials(z, h->n_cols, m), out);
    }
    h->local_max_q = m;
    h->phase |= S4J_PHASE_Z_COMPLETE;
    r = s4j_emit(out, h->sync_key_base, (uint32_t)m);
    return r < 0 ? r : s4j_softmax_advance(h, l, dtcm, out);
}

/* The layer's max (every peer's is in), then this core's exponentials; the
 * local sum kept and returned as the packet to send. */
static uint32_t local_sum_step(s4j_header *h, const s4j_layout *l, void *dtcm,
                               const s4j_peer *peers)
{
    uint32_t p;

    if (h->arithmetic == S4J_ARITH_S16_15) {
        int32_t m = h->local_max_q;

        for (p = 0u; p < h->softmax_peers; p++) {
            if (peers[p].max_q > m) {
                m = peers[p].max_q;
            }
        }
        h->local_sum_q = fix_exponentials(AT(int32_t, dtcm, l->z), h->n_cols, m);
        return (uint32_t)h->local_sum_q;
    }
    {
        float m = h->local_max;

        for (p = 0u; p < h->softmax_peers; p++) {
            if (peers[p].max > m) {
                m = peers[p].max;
            }
        }
        h->local_sum = exponentials(AT(float, dtcm, l->z), h->n_cols, m);
        return s4j_bits_of(h->local_sum);
    }
}

/* S16_15: the layer's exact sum of e words, or S4J_ERR_CORRUPT if a peer's
 * sum is negative or the total leaves 32 bits (the host refuses layers wider
 * than S4J_FIX_SOFTMAX_MAX_COLS, so only a corrupt packet does that). */
static int32_t fix_layer_sum(const s4j_header *h, const s4j_peer *peers, int32_t *total)
{
    uint64_t s = (uint64_t)h->local_sum_q;
    uint32_t p;

    for (p = 0u; p < h->softmax_peers; p++) {
        if (peers[p].sum_q < 0) {
            return S4J_ERR_CORRUPT;
        }
        s += (uint64_t)peers[p].sum_q;
    }
    if (s > (uint64_t)INT32_MAX) {
        return S4J_ERR_CORRUPT;
    }
    *total = (int32_t)s;
    return S4J_OK;
}

/* Layer-wide softmax across peers: runs each step whose inputs are all in. */
int32_t s4j_softmax_advance(s4j_header *h, const s4j_layout *l, void *dtcm,
                            s4j_outbox *out)
{
    s4j_peer *peers = AT(s4j_peer, dtcm, l->peers);
    uint32_t p;
    int32_t r;

    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u
        && (h->phase & S4J_PHASE_SUM_SENT) == 0u
        && h->maxes_received == h->softmax_peers) {
        uint32_t sum = local_sum_step(h, l, dtcm, peers);

        h->phase |= S4J_PHASE_SUM_SENT;
        out->work |= S4J_WORK_SOFTMAX_SUM;
        r = s4j_emit(out, h->sync_key_base + 1u, sum);
        if (r < 0) {
            return r;
        }
    }
    if ((h->phase & S4J_PHASE_SUM_SENT) != 0u
        && h->sums_received == h->softmax_peers) {
        float total = h->local_sum;

        if (h->arithmetic == S4J_ARITH_S16_15) {
            int32_t total_q = 0;

            r = fix_layer_sum(h, peers, &total_q);
            if (r < 0) {
                return r;
            }
            reset_softmax(h, peers);
            out->work |= S4J_WORK_SOFTMAX_NORMALISE;
            return fix_normalise(h, l, dtcm, total_q, out);
        }
        for (p = 0u; p < h->softmax_peers; p++) {
            total += peers[p].sum;
        }
        reset_softmax(h, peers);
        out->work |= S4J_WORK_SOFTMAX_NORMALISE;
        return normalise(h, l, dtcm, total, out);
    }
    return S4J_OK;
}

/* An output softmax's deltas once the layer's sum s of a_k is known (a_j in
 * delta[j]): y s - a for a weighted MCXENT / NLL (a = w t: DL4J's
 * output * sum(w t) - w t), y (a - s) for the other losses (a = dL/dy:
 * libnd4j's softmax_bp). */
int32_t s4j_output_softmax_backward(const s4j_header *h, const s4j_layout *l,
                                    void *dtcm, s4j_train *t, float s,
                                    s4j_outbox *out)
{
    const float *y = CAT(float, dtcm, l->y) + (size_t)t->back_slot * h->n_cols;
    float *delta = AT(float, dtcm, l->delta);
    int mcxent = t->loss == S4J_LOSS_MCXENT || t->loss == S4J_LOSS_NLL;
    uint32_t j;

    for (j = 0u; j < h->n_cols; j++) {
        delta[j] = mcxent ? y[j] * s - delta[j] : y[j] * (delta[j] - s);
    }
    return s4j_activator_backward(h, l, dtcm, t, out);
}

/* Hidden softmax, S = sum over the layer of e_k y_k known: delta = y (e - S). */
static int32_t softmax_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                                s4j_train *t, float s, s4j_outbox *out)
{
    const float *y = CAT(float, dtcm, l->y) + (size_t)t->back_slot * h->n_cols;
    float *e = AT(float, dtcm, l->eacc);
    float *delta = AT(float, dtcm, l->delta);
    uint32_t n = h->n_cols;
    uint32_t j;

    for (j = 0u; j < n; j++) {
        delta[j] = y[j] * (e[j] - s);
    }
    memset(e, 0, (size_t)n * sizeof(float));
    return s4j_activator_backward(h, l, dtcm, t, out);
}

/* Hidden softmax split over peers: finishes once every dot is in. */
int32_t s4j_dot_advance(const s4j_header *h, const s4j_layout *l,
                        void *dtcm, s4j_train *t, s4j_outbox *out)
{
    s4j_peer *peers = AT(s4j_peer, dtcm, l->peers);
    const float *dots = CAT(float, dtcm, l->peer_dots);
    float s;
    uint32_t p;

    if ((t->flags & S4J_TRAIN_DOT_SENT) == 0u
        || t->dots_received != h->softmax_peers) {
        return S4J_OK;
    }
    s = t->local_dot;
    for (p = 0u; p < h->softmax_peers; p++) {
        s += dots[p];
        peers[p].flags &= ~S4J_PEER_DOT;
    }
    t->flags &= ~S4J_TRAIN_DOT_SENT;
    t->dots_received = 0u;
    if (t->loss != S4J_LOSS_NONE) {
        int32_t r = s4j_output_softmax_backward(h, l, dtcm, t, s, out);

        /* the next sample's forward pass and labels may be in already:
         * its backward starts now (its sum and loss fit this event's sends) */
        return r < 0 ? r : s4j_output_ready_backward(h, l, dtcm, t, out);
    }
    return softmax_backward(h, l, dtcm, t, s, out);
}

/* Sends a softmax's local dot (a hidden one's sum of e_k y_k, an output one's
 * sum of a_k) to its peers, and waits for theirs. */
int32_t s4j_send_dot(const s4j_header *h, s4j_train *t, float dot, s4j_outbox *out)
{
    t->local_dot = dot;
    t->flags |= S4J_TRAIN_DOT_SENT;
    out->work |= S4J_WORK_SOFTMAX_DOT;
    return s4j_emit(out, h->sync_key_base + 2u, s4j_bits_of(dot));
}

/* Hidden softmax, every backward partial in: the local dot of e and y, then
 * the deltas at once on one core, or once the peers' dots are in. */
int32_t s4j_hidden_softmax_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                                    s4j_train *t, s4j_outbox *out)
{
    const float *y = CAT(float, dtcm, l->y) + (size_t)t->back_slot * h->n_cols;
    const float *e = CAT(float, dtcm, l->eacc);
    float dot = 0.0f;
    uint32_t j;
    int32_t r;

    for (j = 0u; j < h->n_cols; j++) {
        dot += e[j] * y[j];
    }
    if (h->softmax_peers == 0u) {
        t->local_dot = dot;
        return softmax_backward(h, l, dtcm, t, dot, out);
    }
    r = s4j_send_dot(h, t, dot, out);
    return r < 0 ? r : s4j_dot_advance(h, l, dtcm, t, out);
}
