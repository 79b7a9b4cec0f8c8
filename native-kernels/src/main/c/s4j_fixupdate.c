/*
 * The s16.15 training update (s4j_fixupdate.h), a transcription of
 * org.spinnaker4j.kernels.AccumUpdate: every value Java holds in a long is a
 * uint64_t here (two's complement, so additions and multiplications wrap as
 * Java's do, without undefined behaviour), a signed 128-bit value is a pair
 * (hi, lo) of uint64_t, and arithmetic right shifts are spelt out (asr).
 * Shifts are in range by construction: the constants' shifts are checked
 * once per run.
 */
#include "s4j_fixupdate.h"
#include "s4j_internal.h"

#define TOP64 ((uint64_t)1 << 63)
#define Q31 ((uint64_t)1 << 31)
/* a step of at least 2^32 saturates any word (AccumUpdate.subtract) */
#define STEP_LIMIT ((uint64_t)1 << 32)

/* x >> n of a signed value held in a uint64_t (0 <= n <= 63). */
static inline uint64_t asr(uint64_t x, uint32_t n)
{
    return (x & TOP64) != 0u ? ~(~x >> n) : x >> n;
}

/* The signed value of two's complement bits. */
static inline int64_t to_s64(uint64_t x)
{
    return (x & TOP64) != 0u ? -(int64_t)(~x) - 1 : (int64_t)x;
}

/* a x b as a signed 128-bit (hi, lo), a a signed 64-bit value (bits), b < 2^32. */
static inline void mul_s64_u32(uint64_t a, uint32_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t p0 = (a & 0xFFFFFFFFu) * b;
    uint64_t p1 = (a >> 32) * b;
    uint64_t l = p0 + (p1 << 32);

    *hi = (p1 >> 32) + (l < p0 ? 1u : 0u) - ((a & TOP64) != 0u ? b : 0u);
    *lo = l;
}

/* AccumUpdate.round128: (hi, lo) / 2^shift rounded by mode, saturated to
 * 64 bits (1 <= shift <= 126). */
static int64_t round128(uint64_t hi, uint64_t lo, uint32_t shift, uint32_t random, uint32_t mode)
{
    int negative = (hi & TOP64) != 0u;
    uint64_t add_hi;
    uint64_t add_lo;
    uint64_t sum_lo;
    uint64_t sum_hi;
    uint64_t out_lo;
    uint64_t out_hi;
    uint64_t r;

    if (mode == S4J_FIXUPD_STOCHASTIC) {
        uint64_t rr = random;

        if (shift >= 96u) {
            add_lo = 0u;
            add_hi = rr << (shift - 96u);
        } else if (shift >= 32u) {
            add_lo = rr << (shift - 32u);
            add_hi = shift > 64u ? rr >> (96u - shift) : 0u;
        } else {
            add_lo = rr >> (32u - shift);
            add_hi = 0u;
        }
    } else {
        if (negative) {
            lo = 0u - lo;
            hi = ~hi + (lo == 0u ? 1u : 0u);
        }
        add_lo = shift <= 64u ? (uint64_t)1 << (shift - 1u) : 0u;
        add_hi = shift <= 64u ? 0u : (uint64_t)1 << (shift - 65u);
    }
    sum_lo = lo + add_lo;
    sum_hi = hi + add_hi + (sum_lo < lo ? 1u : 0u);
    if (shift < 64u) {
        out_lo = (sum_lo >> shift) | (sum_hi << (64u - shift));
        out_hi = asr(sum_hi, shift);
    } else {
        out_lo = asr(sum_hi, shift - 64u);
        out_hi = asr(sum_hi, 63u);
    }
    if (out_hi != asr(out_lo, 63u)) {
        r = (out_hi & TOP64) != 0u ? TOP64 : TOP64 - 1u;
    } else {
        r = out_lo;
    }
    return to_s64(mode == S4J_FIXUPD_NEAREST && negative ? 0u - r : r);
}

/* Digit-by-digit square root steps over the bit pairs of word from pair k
 * (its bit k) down: each brings the next pair into the remainder, doubles the
 * root and sets its new bit if 4 root + 1 fits. In 32 bits while the root
 * stays below 2^16 (the remainder is at most 2 root, so below 2^17). */
static inline void sqrt_pairs32(uint32_t word, int32_t k, uint32_t *root, uint32_t *rem)
{
    uint32_t r = *root;
    uint32_t m = *rem;

    for (; k >= 0; k -= 2) {
        uint32_t trial;

        m = (m << 2) | ((word >> k) & 3u);
        trial = (r << 2) | 1u;
        r <<= 1;
        if (m >= trial) {
            m -= trial;
            r |= 1u;
        }
    }
    *root = r;
    *rem = m;
}

/* The index of the leading bit pair of a non-zero word (its even bit). */
static inline int32_t leading_pair(uint32_t word)
{
    return (31 - __builtin_clz(word)) & ~1;
}

/* floor(sqrt(v)), digit by digit from v's leading bit pair: the high word's
 * pairs in 32 bits, then the low word's (in 32 bits too if the high word is
 * 0; else the remainder, below 2^33, in 64). */
static uint64_t isqrt(uint64_t v)
{
    uint32_t hi = (uint32_t)(v >> 32);
    uint32_t lo = (uint32_t)v;
    uint32_t root = 0u;
    uint32_t rem = 0u;
    uint64_t rem64;
    int32_t k;

    if (hi == 0u) {
        if (lo != 0u) {
            sqrt_pairs32(lo, leading_pair(lo), &root, &rem);
        }
        return root;
    }
    sqrt_pairs32(hi, leading_pair(hi), &root, &rem);
    rem64 = rem;
    for (k = 30; k >= 0; k -= 2) {
        uint64_t trial;

        rem64 = (rem64 << 2) | ((lo >> k) & 3u);
        trial = ((uint64_t)root << 2) | 1u;
        root <<= 1;
        if (rem64 >= trial) {
            rem64 -= trial;
            root |= 1u;
        }
    }
    return root;
}

/* isqrt for the tests (FixedPointUpdate.isqrt). */
uint64_t s4j_fix_update_isqrt(uint64_t v)
{
    return isqrt(v);
}

static inline uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

uint32_t s4j_fix_update_random(uint32_t seed, uint32_t layer, uint32_t index, uint32_t iteration)
{
    uint32_t h = mix(seed ^ 0x5bd1e995u * (layer + 1u));

    h = mix(h ^ index);
    return mix(h ^ iteration);
}

/* words[i] less step, saturated and counted with the step (AccumUpdate.subtract). */
static inline void apply(int32_t *word, int64_t gradient, int64_t step, s4j_fix_update_counts *counts)
{
    int64_t p;

    if (gradient != 0) {
        counts->nonzero++;
        if (step == 0) {
            counts->zero_steps++;
        }
    }
    if (step > (int64_t)STEP_LIMIT) {
        step = (int64_t)STEP_LIMIT;
    } else if (step < -(int64_t)STEP_LIMIT) {
        step = -(int64_t)STEP_LIMIT;
    }
    p = *word - step;
    if (p > INT32_MAX || p < INT32_MIN) {
        counts->saturated++;
        p = p > 0 ? INT32_MAX : INT32_MIN;
    }
    *word = (int32_t)p;
}

static inline int shift_ok(uint32_t shift)
{
    return shift >= 1u && shift <= 126u;
}

static inline int mode_ok(uint32_t mode)
{
    return mode == S4J_FIXUPD_NEAREST || mode == S4J_FIXUPD_STOCHASTIC;
}

/* The random bits of parameter i of the run (only stochastic rounding uses them). */
static inline uint32_t random_of(const s4j_fix_update_consts *c, uint32_t i)
{
    return c->mode == S4J_FIXUPD_STOCHASTIC
        ? s4j_fix_update_random(c->seed, c->layer, c->first_index + i, c->iteration) : 0u;
}

int s4j_fix_sgd_step(const s4j_fix_update_consts *c, int32_t *words, const int64_t *grads, uint32_t n,
                     s4j_fix_update_counts *counts)
{
    uint32_t i;

    if (!mode_ok(c->mode) || !shift_ok(c->rate_shift) || c->rate_mantissa >= Q31) {
        return -1;
    }
    for (i = 0u; i < n; i++) {
        uint64_t hi;
        uint64_t lo;

        mul_s64_u32((uint64_t)grads[i], c->rate_mantissa, &hi, &lo);
        apply(&words[i], grads[i], round128(hi, lo, c->rate_shift, random_of(c, i), c->mode), counts);
    }
    return 0;
}

int s4j_fix_adam_step(const s4j_fix_update_consts *c, int32_t *words, int32_t *m, uint32_t *v,
                      const int64_t *grads, uint32_t n, s4j_fix_update_counts *counts)
{
    uint64_t b1 = c->beta1;
    uint64_t b2 = c->beta2;
    uint32_t i;

    if (!mode_ok(c->mode) || !shift_ok(c->rate_shift) || !shift_ok(c->mean_shift) || c->rate_mantissa >= Q31
        || c->mean_mantissa >= Q31 || b1 > Q31 || b2 > Q31 || c->epsilon < 1u || c->epsilon >= Q31) {
        return -1;
    }
    for (i = 0u; i < n; i++) {
        uint64_t hi;
        uint64_t lo;
        uint64_t hi2;
        uint64_t lo2;
        uint64_t vi = s4j_sum_get(v + 2u * i);
        int64_t mean;
        int64_t x;
        uint64_t mag;
        uint64_t sq;
        uint64_t q;
        int64_t new_m;
        int64_t new_v;
        int64_t step;

        /* g = G / batch, to nearest, clipped to |g| < 2 (m's range) */
        mul_s64_u32((uint64_t)grads[i], c->mean_mantissa, &hi, &lo);
        mean = round128(hi, lo, c->mean_shift, 0u, S4J_FIXUPD_NEAREST);
        if (mean > INT32_MAX || mean < -INT32_MAX) {
            counts->clipped++;
            mean = mean > 0 ? INT32_MAX : -INT32_MAX;
        }
        /* m = (b1 m + (2^31 - b1) g) / 2^31 to nearest: |x| <= 2^62 */
        x = (int64_t)b1 * m[i] + (int64_t)(Q31 - b1) * mean;
        mag = x < 0 ? 0u - (uint64_t)x : (uint64_t)x;
        mag = (mag + (Q31 >> 1)) >> 31;
        new_m = x < 0 ? -(int64_t)mag : (int64_t)mag;
        /* v = (b2 v + (2^31 - b2) g^2) / 2^31 to nearest, the sum in 128 bits */
        sq = (uint64_t)(mean * mean);
        mul_s64_u32(vi, (uint32_t)b2, &hi, &lo);
        mul_s64_u32(sq, (uint32_t)(Q31 - b2), &hi2, &lo2);
        lo += lo2;
        hi += hi2 + (lo < lo2 ? 1u : 0u);
        new_v = round128(hi, lo, 31u, 0u, S4J_FIXUPD_NEAREST);
        /* the step: floor(|m| A / (floor(sqrt v) + eps)) / 2^(S - 15), m's sign */
        q = (uint64_t)(new_m < 0 ? -new_m : new_m) * c->rate_mantissa
            / (isqrt((uint64_t)new_v) + c->epsilon);
        step = round128(0u, q, c->rate_shift, random_of(c, i), c->mode);
        m[i] = (int32_t)new_m;
        s4j_sum_set(v + 2u * i, (uint64_t)new_v);
        apply(&words[i], grads[i], new_m < 0 ? -step : step, counts);
    }
    return 0;
}
