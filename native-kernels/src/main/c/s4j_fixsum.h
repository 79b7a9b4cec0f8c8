/*
 * An S16_15 activator's last steps on a column (docs/fixed-point.md): its
 * exact 64-bit sum rounded once to an s16.15 word, then activated on the
 * word. Shared by the fused block (s4j_forward.c) and the reduce
 * (s4j_fixreduce.c); static inline, so each keeps them in its loop. And the
 * reduce's filing of a packet (s4j_fix_on_partial), inlined into
 * s4j_on_loaded_packet (s4j_packet.c): a call cost every packet 7 instructions and
 * 26 estimated cycles (count-diff.sh).
 */
#ifndef S4J_FIXSUM_H
#define S4J_FIXSUM_H

#include "s4j_internal.h"
#include "s4j_fixfunc.h"

/* One more saturated rounding of a core (h->saturated). */
static inline void s4j_count_saturation(s4j_header *h)
{
    s4j_count_into(&h->saturated);
}

/*
 * A 64-bit sum s in units of 2^-30 (two's complement) rounded once to an
 * s16.15 word: to nearest, ties away from zero, on the magnitude (so no
 * negative value is shifted), then saturated and counted in *count.
 */
static inline int32_t s4j_fix_round_to(uint32_t *count, uint64_t s)
{
    uint64_t mag = (s >> 63) != 0u ? 0u - s : s;
    uint64_t q = (mag >> 15) + ((mag >> 14) & 1u);

    if ((s >> 63) == 0u) {
        if (q > (uint64_t)INT32_MAX) {
            s4j_count_into(count);
            return INT32_MAX;
        }
        return (int32_t)q;
    }
    if (q > (uint64_t)INT32_MAX + 1u) {
        s4j_count_into(count);
        return INT32_MIN;
    }
    return q == (uint64_t)INT32_MAX + 1u ? INT32_MIN : -(int32_t)q;
}

/* s4j_fix_round_to, counted in the core's h->saturated. */
static inline int32_t s4j_fix_round(s4j_header *h, uint64_t s)
{
    return s4j_fix_round_to(&h->saturated, s);
}

/*
 * z^3 rounded once (to nearest, ties away from zero, on the magnitude),
 * saturated and counted in h->saturated: |z| under 64 (2^21 as a word)
 * cubes exactly in 64 bits (under 2^63, in units of 2^-45); from 64 on
 * (and from about 40.3) the cube is beyond the format.
 */
static inline int32_t s4j_fix_cube_word(s4j_header *h, int32_t z)
{
    uint32_t m = z < 0 ? 0u - (uint32_t)z : (uint32_t)z;
    uint64_t c;
    uint64_t q;

    /* two tests, each saturating: one shared test cubed every word and
     * cost about 5 % more cycles a column (calibrate) */
    if (m >= (UINT32_C(1) << 21)) {
        s4j_count_saturation(h);
        return z < 0 ? INT32_MIN : INT32_MAX;
    }
    c = (uint64_t)m * m * m;
    q = (c >> 30) + ((c >> 29) & 1u); /* never exactly 2^31: 1321122 cubes to 2^31 - 4754, 1321123 to 2^31 + 123 */
    if (q > (uint64_t)INT32_MAX) {
        s4j_count_saturation(h);
        return z < 0 ? INT32_MIN : INT32_MAX;
    }
    return z < 0 ? -(int32_t)q : (int32_t)q;
}

/* A rounded sum z's activation, on the word: identity, relu, relu6,
 * hardtanh and thresholdedrelu exactly (the latter keeps z above its
 * threshold word, h->alpha_fixed: floor(theta 2^15), so z > theta exactly
 * but for theta below -65536, where the lowest word, a saturated sum, is 0),
 * leakyrelu as z alpha^ rounded once for z < 0, cube rounded once
 * (s4j_fix_cube_word), selu by s4j_fix_selu_counted (its saturations
 * counted), the others by s4j_fix_activate (s4j_load accepts no other). */
static inline int32_t s4j_fix_activate_word(s4j_header *h, int32_t z)
{
    switch (h->activation) {
    case S4J_ACT_RELU:
        return z < 0 ? 0 : z;
    case S4J_ACT_RELU6:
        return z < 0 ? 0 : (z > (INT32_C(6) << 15) ? (INT32_C(6) << 15) : z);
    case S4J_ACT_HARDTANH:
        return z < -(INT32_C(1) << 15) ? -(INT32_C(1) << 15)
             : (z > (INT32_C(1) << 15) ? (INT32_C(1) << 15) : z);
    case S4J_ACT_THRESHOLDEDRELU:
        return z > h->alpha_fixed ? z : 0;
    case S4J_ACT_LEAKYRELU:
        return z < 0 ? s4j_fix_round(h, (uint64_t)((int64_t)z * h->alpha_fixed)) : z;
    case S4J_ACT_CUBE:
        return s4j_fix_cube_word(h, z);
    case S4J_ACT_SELU:
        return s4j_fix_selu_counted(z, &h->saturated);
    case S4J_ACT_IDENTITY:
        return z;
    default:
        return s4j_fix_activate(h->activation, h->alpha_fixed, z);
    }
}

/*
 * An S16_15 reduce's packet at key offset k of its DATA range src
 * (range-table order, SOFTMAX_SYNC and NORM not counted): a half of a
 * column's 64-bit partial sum (PARTIAL_HALVES: the low half at an even
 * offset, the high at an odd) or a word, added at once into the column's
 * sum; then a completion (s4j_fix_stream_columns, s4j_fix_finish_columns).
 * Refused: a packet while the sample's softmax exchange runs
 * (SAMPLE_OVERLAP), one more than the column takes, or a key its range
 * already sent (TOO_MANY_PARTIALS). The constants are the header's (h->fix,
 * fixed at load): the column a shift, the key's bit one multiply-add, no
 * test of the shape. Returns what s4j_on_loaded_packet returns: an error, or the
 * event's sends.
 */
static inline int32_t s4j_fix_on_partial(void *dtcm, uint32_t src, uint32_t k, uint32_t payload,
                                          s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l = CAT(s4j_layout, dtcm, sizeof(s4j_header));
    uint32_t *counts = AT(uint32_t, dtcm, l->counts);
    uint32_t col = k >> h->partial_halves;
    uint32_t *sum = AT(uint32_t, dtcm, h->fix.sums) + 2u * col;
    uint32_t per_col = h->fix.per_col;
    uint32_t halves = h->partial_halves;
    uint32_t n;
    int32_t r = S4J_OK;

    S4J_VERIFY(h->arithmetic == S4J_ARITH_S16_15 && h->kind == S4J_KIND_REDUCE
               && src < l->n_src && col < h->n_cols);
    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP;
    }
    n = counts[col];
    if (n >= per_col) {
        return S4J_ERR_TOO_MANY_PARTIALS;
    }
    S4J_VERIFY(h->received < h->fix.per_sample);
    if (s4j_bit_claim(AT(uint32_t, dtcm, l->slot_bitmap), (size_t)src * h->fix.row_bits + k) != 0) {
        return S4J_ERR_TOO_MANY_PARTIALS; /* this range already sent this key */
    }
    if ((k & halves) != 0u) {
        sum[1] += payload; /* a high half (odd key offset) */
    } else if (halves != 0u) {
        uint32_t lo = sum[0] + payload; /* a low half, its carry into the high word */

        sum[0] = lo;
        sum[1] += lo < payload ? 1u : 0u;
    } else {
        /* a word, in units of 2^-30 */
        s4j_sum_set(sum, s4j_sum_get(sum) + ((uint64_t)(int64_t)(int32_t)payload << 15));
    }
    counts[col] = ++n;
    h->received++;
    if (n == per_col && col == h->rows_done && s4j_streams_columns(h, NULL)) {
        r = s4j_fix_stream_columns(dtcm, out);
    } else if (h->received == h->fix.per_sample) {
        r = s4j_fix_finish_columns(dtcm, out);
    }
    return r < 0 ? r : (int32_t)out->count;
}

#endif
