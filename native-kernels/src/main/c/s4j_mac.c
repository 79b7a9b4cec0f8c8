/*
 * The multiply-accumulate of a block's sums (docs/machine-model.md, "The
 * multiply-accumulate"). A float z += x w is two soft-float calls on the
 * ARM968 (about 80 instructions); here a sum is a wide accumulator instead
 * (s4j_acc): a 64-bit two's complement integer s at an exponent e, the value
 * s 2^(e - 348). A factor is its mantissa with the implicit bit at bit 31
 * and its exponent field + 32 (subnormals normalised); their product's top
 * 32 bits (one UMULL) are the product at the exponent qx + qw, 2^30 or more
 * and below 2^32. In the common case (x and w normal, the product no larger
 * than the largest so far and within 31 places of it) a MAC is those 32 bits
 * shifted right by e - qx - qw and added to or subtracted from s: no
 * rounding, no normalisation. A larger product moves e up to its exponent,
 * shifting s right. s therefore holds terms below 2^32 at its scale, at most
 * 2^14 of them (a state fits 64 KiB), so it cannot overflow; each term loses
 * only its bits below 2^-30 of the largest product, where a float added up in
 * order rounds at every step to 2^-24 of the running sum. It becomes a float
 * once, at the end, rounded to nearest even (s4j_acc_value).
 *
 * Everything the common case leaves out goes to add_any: zeros (they add
 * nothing), subnormals, infinities and NaN (flags in e's upper bits, which
 * also keep the common case's test from passing), and products near the top
 * of the float range. As in float arithmetic: a NaN factor or inf x 0 makes
 * the sum NaN, and so do infinite products of both signs; otherwise an
 * infinite product, or one too large for a float, makes it that infinity; a
 * finite sum too large for a float is an infinity once converted, and an
 * exact zero is +0 (as x - x in float). The common case and add_any compute
 * the same sum, so the result depends only on the products and their order:
 * e is the largest qx + qw so far, and each product adds its top 32 bits
 * shifted right by e - qx - qw (nothing from 32 on), after s was shifted
 * right (rounded down) to each new e.
 */
#include "s4j_internal.h"

#define ACC_EXP  0x3ffu    /* e: 20 .. 572 once a product is in, 0 while empty */
#define ACC_BIG  0x800u    /* e >= BIG_EXP: a product may overflow a float */
#define ACC_PINF 0x1000u   /* a +inf product is in */
#define ACC_NINF 0x2000u   /* a -inf product is in */
#define ACC_NAN  0x4000u   /* a NaN product is in */

#define ACC_FLAGS (ACC_PINF | ACC_NINF | ACC_NAN)
#define SIGN_BIT 0x80000000u

/* the least qx + qw whose product can reach 2^128 */
#define BIG_EXP 444u

static uint64_t acc_s(const s4j_acc *a)
{
    return ((uint64_t)a->hi << 32) | a->lo;
}

static void acc_set(s4j_acc *a, uint64_t s)
{
    a->lo = (uint32_t)s;
    a->hi = (uint32_t)(s >> 32);
}

/* s (two's complement) shifted right k places, rounded down */
static uint64_t shift_down(uint64_t s, uint32_t k)
{
    if (k > 63u) {
        k = 63u;
    }
    return (s >> 63) != 0u ? ~(~s >> k) : s >> k;
}

/* The leading zeros of a nonzero 64-bit value. */
static uint32_t clz64(uint64_t v)
{
    uint32_t hi = (uint32_t)(v >> 32);

    return hi != 0u ? (uint32_t)__builtin_clz(hi)
                    : 32u + (uint32_t)__builtin_clz((uint32_t)v);
}

/* A finite nonzero float's mantissa, implicit bit at bit 31, and its
 * exponent + 32 (a subnormal's below 33: normalised). */
static uint32_t unpack(uint32_t x, uint32_t *q)
{
    uint32_t ex = (x >> 23) & 0xffu;
    uint32_t m = x << 8;
    uint32_t n;

    if (ex != 0u) {
        *q = ex + 32u;
        return m | SIGN_BIT;
    }
    n = (uint32_t)__builtin_clz(m);             /* m != 0: x is not a zero */
    *q = 33u - n;
    return m << n;
}

/*
 * Whether the product p 2^(et - 380) (p from 2^62), rounded to a float, is
 * infinite: its leading bit at 2^128 or above, or at 2^127 with the 24 bits
 * from it all ones and the next one set (rounding up, even on a tie).
 */
static int overflows(uint64_t p, uint32_t et)
{
    uint32_t t = 63u - clz64(p);

    return et + t >= 253u + 255u
        || (et + t == 253u + 254u && (p >> (t - 24u)) == 0x1ffffffu);
}

/* Any product: x w added to a, whatever x and w are. */
static void add_any(s4j_acc *a, uint32_t x, uint32_t w)
{
    uint32_t ex = (x >> 23) & 0xffu;
    uint32_t ew = (w >> 23) & 0xffu;
    uint32_t e = a->e & ACC_EXP;
    uint32_t flags = a->e & ACC_FLAGS;
    uint32_t qx;
    uint32_t qw;
    uint32_t et;
    uint64_t p;
    uint64_t s;
    uint32_t term;

    if (ex == 0xffu || ew == 0xffu) {
        if ((ex == 0xffu && (x << 9) != 0u) || (ew == 0xffu && (w << 9) != 0u)
            || (x << 1) == 0u || (w << 1) == 0u) {
            flags |= ACC_NAN;                   /* a NaN factor, or inf x 0 */
        } else {
            flags |= ((x ^ w) & SIGN_BIT) != 0u ? ACC_NINF : ACC_PINF;
        }
        a->e = (a->e & ~ACC_FLAGS) | flags;
        return;
    }
    if ((x << 1) == 0u || (w << 1) == 0u) {
        return;                                 /* a zero product */
    }
    p = (uint64_t)unpack(x, &qx) * unpack(w, &qw);
    et = qx + qw;
    if (et >= BIG_EXP && overflows(p, et)) {
        /* as in float arithmetic, where the product is already infinite */
        a->e |= ((x ^ w) & SIGN_BIT) != 0u ? ACC_NINF : ACC_PINF;
        return;
    }
    s = acc_s(a);
    if (et > e) {
        s = shift_down(s, et - e);              /* empty: s = 0 */
        e = et;
    }
    term = e - et < 32u ? (uint32_t)(p >> 32) >> (e - et) : 0u;
    acc_set(a, ((x ^ w) & SIGN_BIT) != 0u ? s - term : s + term);
    a->e = e | flags | (e >= BIG_EXP ? ACC_BIG : 0u);
}

/*
 * x w added to a, x normal and given unpacked (mx its mantissa, implicit bit
 * at bit 31, and qx64 its exponent + 64, so that qx64 + ew = qx + qw): the
 * common case inline, the rest by add_any.
 */
static inline void add_normal(s4j_acc *a, uint32_t x, uint32_t mx, uint32_t qx64,
                              uint32_t w)
{
    uint32_t ew = (w >> 23) & 0xffu;
    uint32_t sh;
    uint32_t term;
    uint64_t s;

    if (ew - 1u < 254u) {
        sh = a->e - qx64 - ew;   /* wraps when the product is larger, or e has flags */
        if (sh < 32u) {
            term = (uint32_t)(((uint64_t)mx * ((w << 8) | SIGN_BIT)) >> 32) >> sh;
            s = acc_s(a);
            acc_set(a, ((x ^ w) & SIGN_BIT) != 0u ? s - term : s + term);
            return;
        }
    }
    add_any(a, x, w);
}

void s4j_mac_row(s4j_acc *acc, float x, const float *w, uint32_t n)
{
    uint32_t xb = s4j_bits_of(x);
    uint32_t ex = (xb >> 23) & 0xffu;
    uint32_t mx = (xb << 8) | SIGN_BIT;
    uint32_t j;

    if (ex - 1u < 254u) {
        for (j = 0u; j < n; j++) {
            add_normal(&acc[j], xb, mx, ex + 64u, s4j_bits_of(w[j]));
        }
    } else if ((xb << 1) == 0u) {
        /* x = +-0: only an infinite or NaN weight changes a sum (to NaN) */
        for (j = 0u; j < n; j++) {
            if ((s4j_bits_of(w[j]) & 0x7f800000u) == 0x7f800000u) {
                add_any(&acc[j], xb, s4j_bits_of(w[j]));
            }
        }
    } else {
        for (j = 0u; j < n; j++) {
            add_any(&acc[j], xb, s4j_bits_of(w[j]));
        }
    }
}

void s4j_mac_first_row(s4j_acc *acc, float x, const float *w, uint32_t n)
{
    uint32_t xb = s4j_bits_of(x);
    uint32_t ex = (xb >> 23) & 0xffu;
    uint32_t mx = (xb << 8) | SIGN_BIT;
    uint32_t j;

    if (ex - 1u >= 254u) {
        memset(acc, 0, (size_t)n * sizeof(s4j_acc));
        s4j_mac_row(acc, x, w, n);
        return;
    }
    for (j = 0u; j < n; j++) {
        uint32_t wb = s4j_bits_of(w[j]);
        uint32_t ew = (wb >> 23) & 0xffu;
        uint32_t et = ex + 64u + ew;

        if (ew - 1u < 254u && et < BIG_EXP) {
            /* the sum so far is this product: e = qx + qw, s its top 32 bits */
            uint64_t term = ((uint64_t)mx * ((wb << 8) | SIGN_BIT)) >> 32;

            acc_set(&acc[j], ((xb ^ wb) & SIGN_BIT) != 0u ? 0u - term : term);
            acc[j].e = et;
        } else {
            acc[j].lo = 0u;
            acc[j].hi = 0u;
            acc[j].e = 0u;
            add_any(&acc[j], xb, wb);
        }
    }
}

/* a[j] b[j] added to acc in order of j (inline: s4j_dot's loop too) */
static inline void dot_add(s4j_acc *acc, const float *a, const float *b, uint32_t n)
{
    uint32_t j;

    for (j = 0u; j < n; j++) {
        uint32_t x = s4j_bits_of(a[j]);
        uint32_t ex = (x >> 23) & 0xffu;

        if (ex - 1u < 254u) {
            add_normal(acc, x, (x << 8) | SIGN_BIT, ex + 64u, s4j_bits_of(b[j]));
        } else {
            add_any(acc, x, s4j_bits_of(b[j]));
        }
    }
}

void s4j_dot_add(s4j_acc *acc, const float *a, const float *b, uint32_t n)
{
    dot_add(acc, a, b, n);
}

float s4j_dot(const float *a, const float *b, uint32_t n)
{
    s4j_acc acc = { 0u, 0u, 0u };

    dot_add(&acc, a, b, n);
    return s4j_acc_value(&acc);
}

float s4j_acc_value(const s4j_acc *a)
{
    uint32_t e = a->e & ACC_EXP;
    uint32_t flags = a->e & ACC_FLAGS;
    uint64_t s = acc_s(a);
    uint32_t sign = (uint32_t)(s >> 32) & SIGN_BIT;
    uint64_t mag = sign != 0u ? 0u - s : s;
    uint64_t q;
    uint64_t rest;
    uint64_t half;
    int32_t be;
    int32_t b1;
    int32_t k;

    if ((flags & ACC_NAN) != 0u || (flags & (ACC_PINF | ACC_NINF)) == (ACC_PINF | ACC_NINF)) {
        return s4j_f_of(0x7fc00000u);
    }
    if (flags != 0u) {
        return s4j_f_of((flags & ACC_NINF) != 0u ? 0xff800000u : 0x7f800000u);
    }
    if (mag == 0u) {
        return 0.0f;                            /* an exact zero: +0, as x - x */
    }
    /* the leading bit of mag, at 63 - clz, has the exponent e - 348 + 63 - clz */
    be = (int32_t)e - 158 - (int32_t)clz64(mag);
    if (be >= 255) {
        return s4j_f_of(sign | 0x7f800000u);
    }
    /* keep the bits from the float's last mantissa bit up: 2^(b1 - 150) */
    b1 = be >= 1 ? be : 1;
    k = b1 + 198 - (int32_t)e;
    if (k <= 0) {
        q = mag << (uint32_t)(-k);              /* exact: mag < 2^24 here */
    } else if (k >= 64) {
        q = 0u;                                 /* below a quarter of the last bit */
    } else {
        q = mag >> (uint32_t)k;
        rest = mag & ((UINT64_C(1) << (uint32_t)k) - 1u);
        half = UINT64_C(1) << (uint32_t)(k - 1);
        if (rest > half || (rest == half && (q & 1u) != 0u)) {
            q++;
        }
    }
    /* q in [2^23, 2^24] (normal) or [0, 2^23] (subnormal): a carry out of the
     * mantissa carries into the exponent, to infinity above the largest float */
    return s4j_f_of(sign | (((uint32_t)(b1 - 1) << 23) + (uint32_t)q));
}

void s4j_acc_finish(const s4j_acc *acc, float *z, uint32_t n)
{
    uint32_t j;

    for (j = 0u; j < n; j++) {
        z[j] = s4j_acc_value(&acc[j]);
    }
}
