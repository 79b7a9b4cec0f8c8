/*
 * The exchange between the copies of a convolution's kernel slice held by
 * its position blocks (S4J_CFG_COPY_*): each copy sends the owner of each
 * chunk of its parameters its share, the gradient it accumulated over the
 * mini-batch (s4j_share_start); the owner adds the shares of its chunks in
 * position order (s4j_sum_shares, from s4j_apply_update), updates them alone,
 * and sends their new values to the other holders (s4j_param_send), which
 * write them over their own (s4j_on_param). Copies stay bit-identical.
 */
#include "s4j_internal.h"

/* A copy's weights: in a fused block's state its bias follows them. */
static uint32_t weights_of(const s4j_layout *l)
{
    return ((uint32_t)l->bias - l->weights) / 4u;
}

/* Accumulator k of a copy's parameters (n_w weights): dW row-major, then db. */
static float *acc_at(const s4j_layout *l, void *dtcm, uint32_t n_w, uint32_t k)
{
    return k < n_w ? AT(float, dtcm, l->dw) + k : AT(float, dtcm, l->db) + (k - n_w);
}

/* Parameter k of a copy (n_w weights): W row-major, then the bias. */
static float *param_at(const s4j_layout *l, void *dtcm, uint32_t n_w, uint32_t k)
{
    return k < n_w ? AT(float, dtcm, l->weights) + k : AT(float, dtcm, l->bias) + (k - n_w);
}

/* Past the last parameter of chunk c its copy owns: its first if another
 * copy owns it (so a loop over what the copy owns skips it). */
static uint32_t owned_end(const uint32_t *c)
{
    return c[S4J_CHUNK_WORD_SLOT] != S4J_CHUNK_NOT_OWNED ? c[S4J_CHUNK_WORD_HI]
                                                         : c[S4J_CHUNK_WORD_LO];
}

/* The chunk a copy's shares start from: the one after the first chunk it owns
 * (the first if it owns none), going round to the chunks before it. Owners are
 * dealt round robin over a slice's chunks, so copies that each start after
 * their own chunk send their first shares to different owners instead of
 * every copy sending to the first chunk's owner at once (KernelCopies
 * .shareOrder says the same in Java, for the TDMA scheduler). */
static uint32_t first_to_share(const uint32_t *chunks, uint32_t n)
{
    uint32_t i;

    for (i = 0u; i < n; i++) {
        if (chunks[(size_t)i * S4J_CHUNK_WORDS + S4J_CHUNK_WORD_SLOT] != S4J_CHUNK_NOT_OWNED) {
            return (i + 1u) % n;
        }
    }
    return 0u;
}

/* The layout and training part of a kernel copy, and a checked outbox. */
static int32_t copy_of(void *dtcm, uint32_t capacity, s4j_outbox *out,
                       const s4j_layout **l, s4j_train **t)
{
    int32_t r = s4j_training_of(dtcm, capacity, l, t);

    if (r != S4J_OK) {
        return r;
    }
    if ((*t)->copy.chunks == 0u) {
        return S4J_ERR_WRONG_KIND;
    }
    if (out == NULL || out->send == NULL || out->capacity < (*l)->max_sends) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    return S4J_OK;
}

int32_t s4j_share_start(void *dtcm, uint32_t capacity, s4j_outbox *out)
{
    const s4j_layout *l;
    s4j_train *t;
    const uint32_t *chunks;
    float *shares;
    uint32_t *bits;
    uint32_t n_w;
    uint32_t first;
    uint32_t j;
    int32_t r = copy_of(dtcm, capacity, out, &l, &t);

    if (r != S4J_OK) {
        return r;
    }
    if (s4j_samples_in_flight(t) || (t->copy_phase & S4J_COPY_UPDATED) != 0u) {
        return S4J_ERR_INCOMPLETE;
    }
    if ((t->copy_phase & S4J_COPY_SHARED) != 0u) {
        return S4J_ERR_DUPLICATE_SYNC;
    }
    s4j_begin_event(out);
    chunks = CAT(uint32_t, dtcm, l->chunks);
    n_w = weights_of(l);
    shares = AT(float, dtcm, l->shares) + (size_t)t->copy.self * t->copy.owned;
    bits = AT(uint32_t, dtcm, l->share_bits);
    first = first_to_share(chunks, t->copy.chunks);
    for (j = 0u; j < t->copy.chunks; j++) {
        uint32_t i = (first + j) % t->copy.chunks;
        const uint32_t *c = chunks + (size_t)i * S4J_CHUNK_WORDS;
        uint32_t k;

        for (k = c[S4J_CHUNK_WORD_LO]; k < c[S4J_CHUNK_WORD_HI]; k++) {
            float g = *acc_at(l, dtcm, n_w, k);
            uint32_t off = k - c[S4J_CHUNK_WORD_LO];

            if (c[S4J_CHUNK_WORD_SLOT] == S4J_CHUNK_NOT_OWNED) {
                r = s4j_emit(out, c[S4J_CHUNK_WORD_KEY] + off, s4j_bits_of(g));
                if (r < 0) {
                    return r;
                }
            } else {
                size_t s = (size_t)t->copy.self * t->copy.owned + c[S4J_CHUNK_WORD_SLOT] + off;

                shares[c[S4J_CHUNK_WORD_SLOT] + off] = g;
                bits[s / 32u] |= 1u << (uint32_t)(s % 32u);
            }
        }
    }
    t->copy_phase |= S4J_COPY_SHARED;
    return (int32_t)out->count;
}

int32_t s4j_param_send(void *dtcm, uint32_t capacity, s4j_outbox *out)
{
    const s4j_layout *l;
    s4j_train *t;
    const uint32_t *chunks;
    uint32_t n_w;
    uint32_t i;
    int32_t r = copy_of(dtcm, capacity, out, &l, &t);

    if (r != S4J_OK) {
        return r;
    }
    if ((t->copy_phase & S4J_COPY_UPDATED) == 0u) {
        return S4J_ERR_INCOMPLETE;
    }
    if ((t->copy_phase & S4J_COPY_SENT) != 0u) {
        return S4J_ERR_DUPLICATE_SYNC;
    }
    s4j_begin_event(out);
    chunks = CAT(uint32_t, dtcm, l->chunks);
    n_w = weights_of(l);
    for (i = 0u; i < t->copy.chunks; i++) {
        const uint32_t *c = chunks + (size_t)i * S4J_CHUNK_WORDS;
        uint32_t end = owned_end(c);
        uint32_t k;

        for (k = c[S4J_CHUNK_WORD_LO]; k < end; k++) {
            r = s4j_emit(out, c[S4J_CHUNK_WORD_KEY] + (k - c[S4J_CHUNK_WORD_LO]),
                         s4j_bits_of(*param_at(l, dtcm, n_w, k)));
            if (r < 0) {
                return r;
            }
        }
    }
    t->copy_phase |= S4J_COPY_SENT;
    if (t->params_received == t->copy.params) {
        t->copy_phase = 0u;
        t->params_received = 0u;
    }
    return (int32_t)out->count;
}

int32_t s4j_on_share(const s4j_layout *l, void *dtcm, s4j_train *t, uint32_t k,
                     uint32_t payload)
{
    uint32_t *bits = AT(uint32_t, dtcm, l->share_bits);

    if (l->bn != 0u) {
        /* a batch normalization's block (never a copy): its exchange's
         * S4J_RANGE_BN_PARTIAL packets come this way (s4j_on_packet) */
        return s4j_batch_norm_partial(l, dtcm, t, k, payload);
    }
    /* s4j_load accepts SHARE ranges only on copies, within their slots */
    S4J_VERIFY(t != NULL && l->shares != 0u && k < t->copy.slots * t->copy.owned);
    if ((t->copy_phase & S4J_COPY_UPDATED) != 0u) {
        return S4J_ERR_INCOMPLETE; /* a share of the next update before this one's values are out */
    }
    if ((bits[k / 32u] & (1u << (k % 32u))) != 0u || t->shares_received >= t->copy.shares) {
        return S4J_ERR_DUPLICATE_SYNC;
    }
    bits[k / 32u] |= 1u << (k % 32u);
    AT(float, dtcm, l->shares)[k] = s4j_f_of(payload);
    t->shares_received++;
    return 0;
}

int32_t s4j_on_param(const s4j_layout *l, void *dtcm, s4j_train *t,
                     uint32_t k, uint32_t payload)
{
    /* s4j_load accepts PARAM ranges only on copies, within their parameters
     * (in a fused block's state x follows its weights and bias) */
    S4J_VERIFY(t != NULL && l->chunks != 0u && k < ((uint32_t)l->x - l->weights) / 4u);
    if ((t->copy_phase & S4J_COPY_UPDATED) == 0u) {
        return S4J_ERR_INCOMPLETE; /* new values before this copy's own update */
    }
    if (t->params_received >= t->copy.params) {
        return S4J_ERR_DUPLICATE_SYNC;
    }
    *param_at(l, dtcm, weights_of(l), k) = s4j_f_of(payload);
    t->params_received++;
    if (t->params_received == t->copy.params && (t->copy_phase & S4J_COPY_SENT) != 0u) {
        t->copy_phase = 0u;
        t->params_received = 0u;
    }
    return 0;
}

void s4j_sum_shares(const s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t)
{
    const uint32_t *chunks = CAT(uint32_t, dtcm, l->chunks);
    const float *shares = CAT(float, dtcm, l->shares);
    uint32_t *bits = AT(uint32_t, dtcm, l->share_bits);
    uint32_t owned = t->copy.owned;
    uint32_t n_w = s4j_block_weights(h);
    uint32_t i;

    for (i = 0u; i < t->copy.chunks; i++) {
        const uint32_t *c = chunks + (size_t)i * S4J_CHUNK_WORDS;
        uint32_t end = owned_end(c);
        uint32_t k;

        for (k = c[S4J_CHUNK_WORD_LO]; k < end; k++) {
            uint32_t o = c[S4J_CHUNK_WORD_SLOT] + (k - c[S4J_CHUNK_WORD_LO]);
            float sum = 0.0f;
            uint32_t p;

            for (p = 0u; p < t->copy.slots; p++) {
                size_t s = (size_t)p * owned + o;

                if ((bits[s / 32u] & (1u << (uint32_t)(s % 32u))) != 0u) {
                    sum += shares[s];
                }
            }
            *acc_at(l, dtcm, n_w, k) = sum;
        }
    }
    memset(bits, 0, (size_t)s4j_bitmap_words(t->copy.slots * owned) * sizeof(uint32_t));
    t->shares_received = 0u;
}
