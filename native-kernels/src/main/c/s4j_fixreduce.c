/*
 * An S16_15 reduce (s4j_fix_on_partial): the halves of its unfused blocks'
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
    uint64_t s = ((uint64_t)sum[1] << 32) | sum[0];

    sum[0] = 0u;
    sum[1] = 0u;
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
 * order (S4J_WORK_COLUMN); after the last, the next sample starts. Not
 * inlined, nor finish_columns: in s4j_fix_on_partial their registers and
 * stack arguments cost every packet (count-diff.sh). */
__attribute__((noinline))
static int32_t stream_columns(void *dtcm, s4j_outbox *out)
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
__attribute__((noinline))
static int32_t finish_columns(void *dtcm, s4j_outbox *out)
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
 * The constants of the filing are the header's (h->fix, fixed at load): the
 * column a shift, the key's bit in the bitmap one multiply-add, no test of
 * the shape. h and l are found from dtcm, so the call takes 5 arguments, as
 * s4j_on_packet does, which ends with it (a tail call): so it returns what
 * s4j_on_packet returns.
 */
int32_t s4j_fix_on_partial(void *dtcm, uint32_t src, uint32_t k, uint32_t payload,
                           s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l = CAT(s4j_layout, dtcm, sizeof(s4j_header));
    uint32_t *counts = AT(uint32_t, dtcm, l->counts);
    uint32_t col = k >> h->partial_halves;
    size_t bit = (size_t)src * h->fix.row_bits + k;
    uint32_t *word = AT(uint32_t, dtcm, l->slot_bitmap) + bit / 32u;
    uint32_t mask = 1u << (uint32_t)(bit % 32u);
    uint32_t *sum = AT(uint32_t, dtcm, h->fix.sums) + 2u * col;
    uint32_t n;
    int32_t r = S4J_OK;

    S4J_VERIFY(h->arithmetic == S4J_ARITH_S16_15 && h->kind == S4J_KIND_REDUCE
               && src < l->n_src && col < h->n_cols);
    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP;
    }
    n = counts[col];
    if (n >= h->fix.per_col) {
        return S4J_ERR_TOO_MANY_PARTIALS;
    }
    if ((*word & mask) != 0u) {
        return S4J_ERR_TOO_MANY_PARTIALS; /* this range already sent this key */
    }
    S4J_VERIFY(h->received < h->fix.per_sample);
    *word |= mask;
    if (h->partial_halves == 0u) {
        /* a word, in units of 2^-30 */
        uint64_t s = (((uint64_t)sum[1] << 32) | sum[0]) + ((uint64_t)(int64_t)(int32_t)payload << 15);

        sum[0] = (uint32_t)s;
        sum[1] = (uint32_t)(s >> 32);
    } else if ((k & 1u) != 0u) {
        sum[1] += payload; /* a high half */
    } else {
        uint32_t lo = sum[0] + payload; /* a low half, its carry into the high word */

        sum[0] = lo;
        sum[1] += lo < payload ? 1u : 0u;
    }
    counts[col] = ++n;
    h->received++;
    if (n == h->fix.per_col && col == h->rows_done && s4j_streams_columns(h, NULL)) {
        r = stream_columns(dtcm, out);
    } else if (h->received == h->fix.per_sample) {
        r = finish_columns(dtcm, out);
    }
    return r < 0 ? r : (int32_t)out->count;
}
