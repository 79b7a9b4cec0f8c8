/*
 * The fixed-point mode's transcendental functions (s4j_fixfunc.h). Internal
 * values are magnitudes in unsigned Q30 (x / 2^30) or wider, so no signed
 * value is ever shifted and no signed operation can overflow; signs are put
 * back once, by from_magnitude.
 */
#include "s4j_fixfunc.h"

#include "s4j_kernels.h"

#define Q30_ONE   (1u << 30)
#define Q55_ONE   ((int64_t)1 << 55)
/* |x| beyond 64.0: e^x has over- or underflowed every format used here */
#define EXP_LIMIT (64u << S4J_FIX_FRACTION_BITS)
/* log2(e) in Q40 and ln(2) in Q30 */
#define LOG2E_Q40 1586259972792LL
#define LN2_Q30   744261118u
/* SELU's lambda and lambda alpha, gelu's 1.702, in Q30 */
#define SELU_LAMBDA_Q30  1128181595u
#define SELU_LA_Q30      1887744793u
#define GELU_SCALE_Q30   1827508584u
/* rationaltanh's 1.7159 and its quartic's 1.41645 (Q30, Q28); 2/3 in Q32 */
#define RTANH_SCALE_Q30  1842433596u
#define RTANH_QUART_Q30  1520901607u
#define RTANH_QUART_Q28  380225402u
#define TWO_THIRDS_Q32   2863311531u
/* the Newton reciprocal's first guess 48/17 - 32/17 d, in Q30 */
#define RECIP_A_Q30 3031741621u
#define RECIP_B_Q30 2021161080u

/* 2^(i / 64) in Q30 (256 bytes) */
static const uint32_t POW2_Q30[64] = {
    1073741824u, 1085434106u, 1097253708u, 1109202018u, 1121280436u, 1133490379u, 1145833280u, 1158310587u,
    1170923762u, 1183674286u, 1196563654u, 1209593378u, 1222764986u, 1236080024u, 1249540052u, 1263146652u,
    1276901417u, 1290805962u, 1304861917u, 1319070932u, 1333434672u, 1347954824u, 1362633090u, 1377471191u,
    1392470869u, 1407633882u, 1422962010u, 1438457051u, 1454120821u, 1469955159u, 1485961921u, 1502142985u,
    1518500250u, 1535035634u, 1551751076u, 1568648537u, 1585730000u, 1602997467u, 1620452965u, 1638098541u,
    1655936265u, 1673968228u, 1692196547u, 1710623359u, 1729250827u, 1748081133u, 1767116489u, 1786359126u,
    1805811301u, 1825475297u, 1845353420u, 1865448001u, 1885761398u, 1906295993u, 1927054196u, 1948038440u,
    1969251188u, 1990694927u, 2012372174u, 2034285470u, 2056437387u, 2078830522u, 2101467502u, 2124350982u
};

/* ln(1 + i / 32) and 1 / (1 + i / 32) in Q30 (264 bytes together) */
static const uint32_t LN1P_Q30[33] = {
    0u, 33040817u, 65095192u, 96220323u, 126468572u, 155887996u, 184522808u, 212413774u,
    239598564u, 266112055u, 291986604u, 317252283u, 341937090u, 366067135u, 389666807u, 412758919u,
    435364845u, 457504636u, 479197128u, 500460037u, 521310048u, 541762891u, 561833416u, 581535654u,
    600882877u, 619887653u, 638561895u, 656916903u, 674963409u, 692711611u, 710171213u, 727351448u,
    744261118u
};
static const uint32_t INV1P_Q30[33] = {
    1073741824u, 1041204193u, 1010580540u, 981706811u, 954437177u, 928641578u, 904203641u, 881018933u,
    858993459u, 838042399u, 818089009u, 799063683u, 780903145u, 763549742u, 746950834u, 731058263u,
    715827883u, 701219150u, 687194767u, 673720360u, 660764199u, 648296950u, 636291451u, 624722516u,
    613566757u, 602802428u, 592409282u, 582368447u, 572662306u, 563274399u, 554189329u, 545392673u,
    536870912u
};

/* |x| as an unsigned magnitude (INT32_MIN's is 2^31). */
static uint32_t magnitude(int32_t x)
{
    return x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
}

/* The s16.15 value of sign and magnitude m, saturated. */
static int32_t from_magnitude(uint64_t m, int negative)
{
    if (negative) {
        return m >= 0x80000000u ? INT32_MIN : -(int32_t)m;
    }
    return m > (uint64_t)INT32_MAX ? INT32_MAX : (int32_t)m;
}

/* v / 2^s rounded to nearest (halves up), s in 1 .. 63. */
static uint64_t round_shift(uint64_t v, uint32_t s)
{
    return (v >> s) + ((v >> (s - 1u)) & 1u);
}

/* 2^f for f in [0, 1) in Q55, in Q30 (in [2^30, 2^31]): the table's 2^(i/64)
 * times e^u, u = r ln 2 below 0.011, by its cubic (error under 2^-30). */
static uint32_t pow2_fraction(uint64_t f)
{
    uint32_t r = (uint32_t)((f & (((uint64_t)1 << 49) - 1u)) >> 25);
    uint32_t u = (uint32_t)(((uint64_t)r * LN2_Q30) >> 30);
    uint32_t u2 = (uint32_t)(((uint64_t)u * u) >> 30);
    uint32_t u3 = (uint32_t)(((uint64_t)u2 * u) >> 30);
    uint32_t poly = Q30_ONE + u + (u2 >> 1) + u3 / 6u;

    return (uint32_t)round_shift((uint64_t)POW2_Q30[f >> 49] * poly, 30u);
}

/* e^x for |x| at most EXP_LIMIT as p 2^k, p in Q30 (returned), k in *k. */
static uint32_t exp_split(int32_t x, int32_t *k)
{
    int64_t t = (int64_t)x * LOG2E_Q40;   /* x log2 e in Q55 */
    uint64_t above = (uint64_t)t + 0x8000000000000000u; /* t + 2^63: no negative shifted */
    int64_t whole = (int64_t)(above >> 55) - 256; /* floor(t) */

    *k = (int32_t)whole;
    return pow2_fraction((uint64_t)(t - whole * Q55_ONE));
}

/* e^-a in Q30 for a magnitude a in s16.15. */
static uint32_t exp_neg_q30(uint32_t a)
{
    int32_t k;
    uint32_t p;

    if (a >= EXP_LIMIT) {
        return 0u;
    }
    p = exp_split(-(int32_t)a, &k);
    if (k == 0) {
        return p;
    }
    return k < -62 ? 0u : (uint32_t)round_shift(p, (uint32_t)-k);
}

int32_t s4j_fix_exp(int32_t x)
{
    int32_t k;
    uint32_t p;

    if (x >= (int32_t)EXP_LIMIT) {
        return INT32_MAX;
    }
    if (x <= -(int32_t)EXP_LIMIT) {
        return 0;
    }
    p = exp_split(x, &k);       /* e^x 2^15 = p 2^(k - 15) */
    if (k >= 16) {
        return INT32_MAX;
    }
    if (k == 15) {
        return from_magnitude(p, 0);
    }
    return 15 - k > 62 ? 0 : from_magnitude(round_shift(p, (uint32_t)(15 - k)), 0);
}

/*
 * n / d rounded to nearest (halves up), for d >= 1 and n < 2^62; 2^31 when
 * the quotient is 2^31 or more. A Newton reciprocal of d gives a quotient
 * within a few units, which the remainder then corrects to the exact one.
 */
static uint32_t divide(uint64_t n, uint32_t d)
{
    uint32_t s = (uint32_t)__builtin_clz(d);
    uint32_t dn = d << s;       /* d 2^s in [2^31, 2^32): dn / 2^32 in [0.5, 1) */
    uint32_t x = RECIP_A_Q30 - (uint32_t)(((uint64_t)RECIP_B_Q30 * dn) >> 32);
    uint64_t p;
    uint64_t q;
    int64_t r;
    int i;

    if (n >= ((uint64_t)d << 31)) {
        return 0x80000000u;
    }
    for (i = 0; i < 3; i++) {   /* x -> x (2 - d x): 1/17, 2^-8.2, 2^-16.3, 2^-30 */
        uint64_t dx = ((uint64_t)dn * x) >> 32;
        x = (uint32_t)(((uint64_t)x * ((2u * (uint64_t)Q30_ONE) - dx)) >> 30);
    }
    /* n / d = n x 2^(s - 62): x in Q30 stands for 2^32 / dn */
    p = (n >> 32) * x + (((n & 0xFFFFFFFFu) * x) >> 32);
    q = s <= 30u ? p >> (30u - s) : p << 1;
    if (q > 0x80000000u) {
        q = 0x80000000u;
    }
    r = (int64_t)n - (int64_t)(q * d);
    while (r < 0) {
        q--;
        r += d;
    }
    while (r >= (int64_t)d) {
        q++;
        r -= d;
    }
    if (2 * r >= (int64_t)d) {
        q++;
    }
    return q >= 0x80000000u ? 0x80000000u : (uint32_t)q;
}

int32_t s4j_fix_div(int32_t num, int32_t den)
{
    int negative = (num < 0) != (den < 0);

    if (den == 0) {
        return num == 0 ? 0 : (num > 0 ? INT32_MAX : INT32_MIN);
    }
    return from_magnitude(divide((uint64_t)magnitude(num) << S4J_FIX_FRACTION_BITS, magnitude(den)),
                          negative);
}

int32_t s4j_fix_sigmoid(int32_t x)
{
    uint32_t e = exp_neg_q30(magnitude(x));
    /* sigmoid(|x|) = 1 / (1 + e^-|x|), in [0.5, 1] */
    uint32_t s = divide((uint64_t)1 << 45, Q30_ONE + e);

    return x < 0 ? (int32_t)((1u << S4J_FIX_FRACTION_BITS) - s) : (int32_t)s;
}

int32_t s4j_fix_tanh(int32_t x)
{
    uint32_t a = magnitude(x);
    uint32_t e = exp_neg_q30(a >= EXP_LIMIT ? EXP_LIMIT : 2u * a);
    /* tanh |x| = (1 - e^-2|x|) / (1 + e^-2|x|), in [0, 1] */
    uint32_t t = divide((uint64_t)(Q30_ONE - e) << S4J_FIX_FRACTION_BITS, Q30_ONE + e);

    return from_magnitude(t, x < 0);
}

/* log(1 + u) for u in [0, 1] in Q30: log(1 + u_i) + log(1 + w) with u_i = i / 32
 * below u and w = (u - u_i) / (1 + u_i) under 1/32, by its cubic (error under 2^-22). */
static uint32_t log1p_q30(uint32_t u)
{
    uint32_t i = u >> 25;
    uint32_t w = (uint32_t)(((uint64_t)(u - (i << 25)) * INV1P_Q30[i]) >> 30);
    uint32_t w2 = (uint32_t)(((uint64_t)w * w) >> 30);
    uint32_t w3 = (uint32_t)(((uint64_t)w2 * w) >> 30);

    return LN1P_Q30[i] + w - (w2 >> 1) + w3 / 3u;
}

int32_t s4j_fix_softplus(int32_t x)
{
    /* log(1 + e^x) = max(x, 0) + log(1 + e^-|x|) */
    uint64_t l = log1p_q30(exp_neg_q30(magnitude(x)));
    uint64_t whole = x > 0 ? (uint64_t)(uint32_t)x << 15 : 0u; /* max(x, 0) in Q30 */

    return from_magnitude(round_shift(whole + l, 15u), 0);
}

int32_t s4j_fix_elu(int32_t x, int32_t alpha_q)
{
    uint32_t m;

    if (x >= 0) {
        return x;
    }
    m = Q30_ONE - exp_neg_q30(magnitude(x)); /* 1 - e^x in Q30 */
    /* alpha (e^x - 1) = -alpha m */
    return from_magnitude(round_shift((uint64_t)magnitude(alpha_q) * m, 30u), alpha_q > 0);
}

/* sigmoid of a value of magnitude a (s16.15) and sign negative, in Q30 */
static uint32_t sigmoid_q30(uint32_t a, int negative)
{
    /* sigmoid(a) = 1 / (1 + e^-a), in [2^29, 2^30] */
    uint32_t s = divide((uint64_t)1 << 60, Q30_ONE + exp_neg_q30(a));

    return negative ? Q30_ONE - s : s;
}

/* x f for a factor f in Q30 (at most 1.0, so never saturated), rounded once */
static int32_t times_q30(int32_t x, uint32_t f)
{
    return from_magnitude(round_shift((uint64_t)magnitude(x) * f, 30u), x < 0);
}

int32_t s4j_fix_swish(int32_t x)
{
    return times_q30(x, sigmoid_q30(magnitude(x), x < 0));
}

int32_t s4j_fix_gelu(int32_t x)
{
    /* 1.702 |x| in s16.15: under 2^32 */
    uint64_t a = round_shift((uint64_t)magnitude(x) * GELU_SCALE_Q30, 30u);

    return times_q30(x, sigmoid_q30((uint32_t)a, x < 0));
}

int32_t s4j_fix_mish(int32_t x)
{
    /* tanh(log(1 + e^x)) = (e^2x + 2 e^x) / (e^2x + 2 e^x + 2); with w = e^-|x|
     * (Q30), (1 + 2w) / (1 + 2w + 2w^2) for x >= 0 and (w^2 + 2w) / (w^2 + 2w + 2)
     * below; in Q29, where w's Q30 word is 2w, so both sums stay under 2^32 */
    uint32_t w = exp_neg_q30(magnitude(x));
    uint32_t w2 = (uint32_t)round_shift((uint64_t)w * w, 31u); /* w^2 in Q29 */
    uint32_t num = x >= 0 ? (1u << 29) + w : w2 + w;
    uint32_t den = x >= 0 ? num + 2u * w2 : num + (1u << 30);

    return times_q30(x, divide((uint64_t)num << 30, den));
}

/* lambda m (m in s16.15), rounded once to s16.15, not saturated */
static uint64_t selu_above(uint32_t m)
{
    return round_shift((uint64_t)m * SELU_LAMBDA_Q30, 30u);
}

int32_t s4j_fix_selu(int32_t x)
{
    uint32_t m;

    if (x > 0) {
        return from_magnitude(selu_above((uint32_t)x), 0);
    }
    m = Q30_ONE - exp_neg_q30(magnitude(x)); /* 1 - e^x in Q30 */
    /* lambda alpha (e^x - 1) = -(lambda alpha) m: under 1.76 */
    return from_magnitude(round_shift((uint64_t)SELU_LA_Q30 * m, 45u), 1);
}

int32_t s4j_fix_selu_counted(int32_t x, uint32_t *saturated)
{
    if (x > 0 && selu_above((uint32_t)x) > (uint64_t)INT32_MAX) {
        s4j_count_into(saturated);
    }
    return s4j_fix_selu(x);
}

/* 1 / D in Q30, D = 1 + a + a^2 + 1.41645 a^4, for a magnitude a in Q32
 * (under 2^48); its error under 2^-26 */
static uint32_t rtanh_reciprocal_q30(uint64_t a32)
{
    if (a32 < ((uint64_t)2 << 32)) {
        /* a < 2: D under 30, summed in Q30 and divided in Q27 (under 2^32) */
        uint64_t a = a32 >> 2;
        uint64_t a2 = (a * a) >> 30;       /* under 2^32 */
        uint64_t a4 = (a2 * a2) >> 30;     /* under 2^34 */
        uint64_t d = Q30_ONE + a + a2 + ((a4 * RTANH_QUART_Q28) >> 28);

        return divide((uint64_t)1 << 57, (uint32_t)(d >> 3));
    }
    if (a32 < ((uint64_t)256 << 32)) {
        /* 2 <= a < 256: 1 / D = u^4 / (u^4 + u^3 + u^2 + 1.41645), u = 1/a
         * in Q30 (at most 1/2), a in Q24 (under 2^32) */
        uint32_t u = divide((uint64_t)1 << 54, (uint32_t)(a32 >> 8));
        uint32_t u2 = (uint32_t)(((uint64_t)u * u) >> 30);
        uint32_t u3 = (uint32_t)(((uint64_t)u2 * u) >> 30);
        uint32_t u4 = (uint32_t)(((uint64_t)u2 * u2) >> 30);

        return divide((uint64_t)u4 << 30, u4 + u3 + u2 + RTANH_QUART_Q30);
    }
    return 0u; /* 1 / D under 2^-32.5 */
}

int32_t s4j_fix_rationaltanh(int32_t x)
{
    /* d = 2x/3; 1.7159 sgn(d) (1 - 1/D(|d|)), the factor in Q30, rounded once */
    uint64_t a32 = ((uint64_t)magnitude(x) * TWO_THIRDS_Q32) >> 15;

    return from_magnitude(round_shift((uint64_t)RTANH_SCALE_Q30 * (Q30_ONE - rtanh_reciprocal_q30(a32)), 45u),
                          x < 0);
}

int32_t s4j_fix_softsign(int32_t x)
{
    uint32_t m = magnitude(x);

    /* |x| / (1 + |x|) = m 2^15 / (2^15 + m) in s16.15, in [0, 1); 2^15 + m
     * is at most 2^31 + 2^15 */
    return from_magnitude(divide((uint64_t)m << S4J_FIX_FRACTION_BITS, (1u << S4J_FIX_FRACTION_BITS) + m),
                          x < 0);
}

int s4j_fix_supports(uint32_t act)
{
    return act == S4J_ACT_SIGMOID || act == S4J_ACT_TANH || act == S4J_ACT_SOFTPLUS
           || act == S4J_ACT_ELU || act == S4J_ACT_SOFTSIGN || act == S4J_ACT_RECTIFIEDTANH
           || act == S4J_ACT_SWISH || act == S4J_ACT_GELU || act == S4J_ACT_MISH || act == S4J_ACT_SELU
           || act == S4J_ACT_RATIONALTANH;
}

int32_t s4j_fix_activate(uint32_t act, int32_t alpha_q, int32_t x)
{
    switch (act) {
    case S4J_ACT_SIGMOID:
        return s4j_fix_sigmoid(x);
    case S4J_ACT_TANH:
        return s4j_fix_tanh(x);
    case S4J_ACT_SOFTPLUS:
        return s4j_fix_softplus(x);
    case S4J_ACT_ELU:
        return s4j_fix_elu(x, alpha_q);
    case S4J_ACT_SOFTSIGN:
        return s4j_fix_softsign(x);
    case S4J_ACT_RECTIFIEDTANH:
        return x > 0 ? s4j_fix_tanh(x) : 0;
    case S4J_ACT_SWISH:
        return s4j_fix_swish(x);
    case S4J_ACT_GELU:
        return s4j_fix_gelu(x);
    case S4J_ACT_MISH:
        return s4j_fix_mish(x);
    case S4J_ACT_SELU:
        return s4j_fix_selu(x);
    case S4J_ACT_RATIONALTANH:
        return s4j_fix_rationaltanh(x);
    default:
        return 0;
    }
}
