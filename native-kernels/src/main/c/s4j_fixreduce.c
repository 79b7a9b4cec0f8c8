/*
 * An S16_15 reduce's completions (its filing, s4j_fix_on_partial, is in
 * s4j_fixsum.h, inlined into s4j_on_packet): the halves of its unfused blocks'
 * 64-bit sums (PARTIAL_HALVES), or a relay's words, added at once into one
 * exact 64-bit sum per column; a complete column biased, rounded once,
 * activated and sent. Integer addition mod 2^64 does not depend on the order,
 * so the result is the exact sum of the layer's products whatever the
 * partitioning and the arrival order (docs/fixed-point.md).
 */
#include "s4j_fixsum.h"

/* Column j's sum plus the bias, rounded once to a word; the sum emptied for
 * the next sample. */
static int32_t column_word(s4j_header *h, uint32_t *sum, int32_t bias)
{
    uint64_t s = s4j_sum_get(sum);

    s4j_sum_set(sum, 0u);
    return s4j_fix_round(h, s + ((uint64_t)(int64_t)bias << 15));
}

/* The sample's packets are all in and its columns sent or rounded: counts
 * and key bits cleared for the next. */
static void next_sample(s4j_header *h, const s4j_layout *l, void *dtcm)
{
    uint32_t keys = h->n_cols * s4j_keys_in(h->partial_halves);
    uint32_t bits = s4j_slot_rows(h->expected_partials, l->n_src) * keys;

    memset(AT(uint32_t, dtcm, l->counts), 0, (size_t)h->n_cols * sizeof(uint32_t));
    memset(AT(uint32_t, dtcm, l->slot_bitmap), 0, (size_t)s4j_bitmap_words(bits) * sizeof(uint32_t));
    h->received = 0u;
    h->rows_done = 0u;
}

/* Sends every column from rows_done on whose packets are all in, in column
 * order (S4J_WORK_COLUMN); after the last, the next sample starts. Out of
 * line, as s4j_fix_finish_columns: inlined into the filing, their registers
 * and stack arguments cost every packet (count-diff.sh). */
int32_t s4j_fix_stream_columns(void *dtcm, s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l = CAT(s4j_layout, dtcm, sizeof(s4j_header));
    const uint32_t *counts = CAT(uint32_t, dtcm, l->counts);
    const int32_t *bias = CAT(int32_t, dtcm, l->bias);
    uint32_t *sums = AT(uint32_t, dtcm, h->fix.sums);
    uint32_t j = h->rows_done;
    int32_t r;

    for (; j < h->n_cols && counts[j] == h->fix.per_col; j++) {
        int32_t z = column_word(h, sums + 2u * j, bias[j]);

        r = s4j_emit(out, h->out_key_base + j, (uint32_t)s4j_fix_activate_word(h, z));
        if (r < 0) {
            return r;
        }
        out->work |= S4J_WORK_COLUMN;
    }
    h->rows_done = j;
    if (j == h->n_cols) {
        next_sample(h, l, dtcm);
    }
    return S4J_OK;
}

/* Every column's packets are in: each rounded into z, then a softmax's
 * exchange, or every column activated and sent (S4J_WORK_FORWARD). */
int32_t s4j_fix_finish_columns(void *dtcm, s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l = CAT(s4j_layout, dtcm, sizeof(s4j_header));
    const int32_t *bias = CAT(int32_t, dtcm, l->bias);
    int32_t *z = AT(int32_t, dtcm, l->z);
    uint32_t *sums = AT(uint32_t, dtcm, h->fix.sums);
    uint32_t j;
    int32_t r;

    for (j = 0u; j < h->n_cols; j++) {
        z[j] = column_word(h, sums + 2u * j, bias[j]);
    }
    next_sample(h, l, dtcm);
    out->work |= S4J_WORK_FORWARD;
    if (h->activation == S4J_ACT_SOFTMAX) {
        return s4j_fix_softmax_forward(h, l, dtcm, out);
    }
    for (j = 0u; j < h->n_cols; j++) {
        r = s4j_emit(out, h->out_key_base + j, (uint32_t)s4j_fix_activate_word(h, z[j]));
        if (r < 0) {
            return r;
        }
    }
    return s4j_forward_complete(h, l, dtcm, out);
}

/*
 * Halves [first, first + n) of range src of a reduce of halves at once, when
 * they are whole columns (first and n even) none of whose keys came before
 * and none of whose columns is full, outside a softmax exchange and within
 * the sample (*fits 1): each column's 64-bit partial added, its count and
 * key bits set, then the columns streamed or the sample completed as the
 * last of their packets would (a packet streams every complete column from
 * rows_done on, so one stream after them all sends the same columns in the
 * same order). Otherwise *fits 0 and nothing is done: the caller files them
 * packet by packet, each refused as its packet would be.
 */
int32_t s4j_fix_on_columns(void *dtcm, uint32_t src, uint32_t first, uint32_t n, const uint32_t *halves,
                           s4j_outbox *out, int *fits)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l = CAT(s4j_layout, dtcm, sizeof(s4j_header));
    uint32_t *counts = AT(uint32_t, dtcm, l->counts);
    uint32_t *sums = AT(uint32_t, dtcm, h->fix.sums);
    uint32_t *bitmap = AT(uint32_t, dtcm, l->slot_bitmap);
    uint32_t per_col = h->fix.per_col;
    uint32_t bit = src * h->fix.row_bits + first;
    uint32_t lo = first / 2u;
    uint32_t hi = (first + n) / 2u;
    uint32_t j;

    *fits = 0;
    if (h->partial_halves == 0u || (first | n) % 2u != 0u || (h->phase & S4J_PHASE_Z_COMPLETE) != 0u
        || n > h->fix.per_sample - h->received || !s4j_bits_clear(bitmap, bit, n)) {
        return S4J_OK;
    }
    for (j = lo; j < hi; j++) {
        if (counts[j] + 2u > per_col) {
            return S4J_OK;
        }
    }
    *fits = 1;
    s4j_bits_set(bitmap, bit, n);
    for (j = lo; j < hi; j++) {
        const uint32_t *w = halves + 2u * (j - lo);

        s4j_sum_set(sums + 2u * j, s4j_sum_get(sums + 2u * j) + ((uint64_t)w[1] << 32 | w[0]));
        counts[j] += 2u;
    }
    h->received += n;
    if (s4j_streams_columns(h, NULL)) {
        return counts[h->rows_done] == per_col ? s4j_fix_stream_columns(dtcm, out) : S4J_OK;
    }
    return h->received == h->fix.per_sample ? s4j_fix_finish_columns(dtcm, out) : S4J_OK;
}
