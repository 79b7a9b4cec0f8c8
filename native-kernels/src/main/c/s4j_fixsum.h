/*
 * An S16_15 activator's last steps on a column (docs/fixed-point.md): its
 * exact 64-bit sum rounded once to an s16.15 word, then activated on the
 * word. Shared by the fused block (s4j_forward.c) and the reduce
 * (s4j_fixreduce.c); static inline, so each keeps them in its loop.
 */
#ifndef S4J_FIXSUM_H
#define S4J_FIXSUM_H

#include "s4j_internal.h"
#include "s4j_fixfunc.h"

/* One more saturated rounding (the count stops at UINT32_MAX). */
static inline void s4j_count_saturation(s4j_header *h)
{
    if (h->saturated != UINT32_MAX) {
        h->saturated++;
    }
}

/*
 * A 64-bit sum s in units of 2^-30 (two's complement) rounded once to an
 * s16.15 word: to nearest, ties away from zero, on the magnitude (so no
 * negative value is shifted), then saturated and counted.
 */
static inline int32_t s4j_fix_round(s4j_header *h, uint64_t s)
{
    uint64_t mag = (s >> 63) != 0u ? 0u - s : s;
    uint64_t q = (mag >> 15) + ((mag >> 14) & 1u);

    if ((s >> 63) == 0u) {
        if (q > (uint64_t)INT32_MAX) {
            s4j_count_saturation(h);
            return INT32_MAX;
        }
        return (int32_t)q;
    }
    if (q > (uint64_t)INT32_MAX + 1u) {
        s4j_count_saturation(h);
        return INT32_MIN;
    }
    return q == (uint64_t)INT32_MAX + 1u ? INT32_MIN : -(int32_t)q;
}

/* A rounded sum z's activation, on the word: identity, relu and hardtanh
 * exactly, leakyrelu as z alpha^ rounded once for z < 0, the others by
 * s4j_fix_activate (s4j_load accepts no other). */
static inline int32_t s4j_fix_activate_word(s4j_header *h, int32_t z)
{
    switch (h->activation) {
    case S4J_ACT_RELU:
        return z < 0 ? 0 : z;
    case S4J_ACT_HARDTANH:
        return z < -(INT32_C(1) << 15) ? -(INT32_C(1) << 15)
             : (z > (INT32_C(1) << 15) ? (INT32_C(1) << 15) : z);
    case S4J_ACT_LEAKYRELU:
        return z < 0 ? s4j_fix_round(h, (uint64_t)((int64_t)z * h->alpha_fixed)) : z;
    case S4J_ACT_IDENTITY:
        return z;
    default:
        return s4j_fix_activate(h->activation, h->alpha_fixed, z);
    }
}

#endif
