/*
 * Dropout in training (DL4J's Dropout, inverted): a block of a layer whose
 * input DL4J drops files each received x_i as x_i m_i / p, and scales the
 * W delta it sends back for row i by the same m_i / p (unless the layer's
 * DL4J class does not: Convolution1DLayer); a row convolution's block and a
 * MAX or AVG pooling block (after a DropoutLayer) alike. The mask is not kept:
 * m_i comes from a counter-based hash of the mini-batch's stream key (the
 * host's mix of the network's seed, the iteration and the dropout's layer),
 * the sample's index in the mini-batch and the value's index in the layer's
 * input, so every block that receives the value (a dense layer's column
 * slices, a convolution's overlapping fields) draws the same m_i, the
 * backward pass recomputes it, and the host can reconstruct every mask
 * (docs/architecture.md, "Dropout").
 */
#include "s4j_internal.h"

/* murmur3's 32-bit finalizer: a bijection that spreads every input bit. */
static inline uint32_t fmix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

uint32_t s4j_drop_hash(uint32_t stream, uint32_t sample, uint32_t index)
{
    return fmix(fmix(stream ^ (sample * 0x9E3779B9u)) ^ (index * 0x85EBCA77u));
}

float s4j_drop_scale(const s4j_train *t, uint32_t sample, uint32_t row)
{
    return s4j_drop_hash(t->drop_stream, sample, t->drop_first + row) < t->drop_threshold
        ? t->drop_scale : 0.0f;
}

int s4j_drop_masks_gradient(const s4j_train *t, s4j_outbox *out)
{
    if (t->drop_on == 0u || t->drop_gradient == 0u) {
        return 0;
    }
    out->work |= S4J_WORK_DROPOUT_BACK;
    return 1;
}

uint32_t s4j_drop_row(const s4j_train *t, uint32_t row, uint32_t payload, s4j_outbox *out)
{
    out->work |= S4J_WORK_DROPOUT_ROW;
    return s4j_bits_of(s4j_f_of(payload) * s4j_drop_scale(t, t->drop_fwd, row));
}

int32_t s4j_dropout_set(void *dtcm, uint32_t capacity, const uint32_t *words,
                        uint32_t n_words)
{
    const s4j_layout *l;
    s4j_train *t;
    const s4j_header *h = (const s4j_header *)dtcm;
    int32_t r = s4j_training_of(dtcm, capacity, &l, &t);
    float keep;

    if (r != S4J_OK) {
        return r;
    }
    if (words == NULL || n_words != S4J_DROP_WORDS) {
        return S4J_ERR_BAD_LENGTH;
    }
    if (h->kind != S4J_KIND_DENSE_BLOCK || h->pool == S4J_POOL_NORM
        || h->arithmetic != S4J_ARITH_FLOAT) {
        return S4J_ERR_WRONG_KIND; /* s16.15 training has no dropout */
    }
    keep = s4j_f_of(words[S4J_DROP_KEEP]);
    if (!(keep > 0.0f && keep <= 1.0f) || words[S4J_DROP_GRADIENT] > 1u) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    if (s4j_samples_in_flight(t) || h->received != 0u) {
        return S4J_ERR_INCOMPLETE;
    }
    /* keep < 1 is below 2^32 after the exact scaling by 2^32 */
    t->drop_on = keep < 1.0f ? 1u : 0u;
    t->drop_gradient = words[S4J_DROP_GRADIENT];
    t->drop_threshold = keep < 1.0f ? (uint32_t)(keep * 4294967296.0f) : 0u;
    t->drop_scale = 1.0f / keep;
    t->drop_stream = words[S4J_DROP_STREAM];
    t->drop_first = words[S4J_DROP_FIRST];
    t->drop_fwd = 0u;
    t->drop_back = 0u;
    return S4J_OK;
}

void s4j_dropout_end(s4j_train *t)
{
    t->drop_on = 0u;
    t->drop_fwd = 0u;
    t->drop_back = 0u;
}
