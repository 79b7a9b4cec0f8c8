/*
 * The transcendental functions of the fixed-point mode, in s16.15: an
 * int32_t x stands for x / 2^15, so the range is [-65536, 65536 - 2^-15] in
 * steps (ulps) of 2^-15. Integer arithmetic only (the ARM968 has no FPU):
 * 32 x 32 -> 64-bit multiplies, shifts, CLZ, no division instruction and no
 * library call. Every function is defined for every int32_t input, rounds
 * to nearest (halves away from zero) and saturates to [INT32_MIN, INT32_MAX].
 *
 * Method (docs/fixed-point.md, "Fixed-point functions"): e^x = 2^(x log2 e)
 * split into 2^k 2^f, 2^f from a 64-entry table (256 bytes) times a cubic;
 * division by a Newton reciprocal corrected to the exact quotient;
 * sigmoid and tanh as one such division of e^-|x| terms; softplus's
 * log(1 + u) from two 33-entry tables (264 bytes) and a cubic. Worst-case
 * errors, measured over the inputs by FixedPointFunctionsTest, are stated
 * there.
 */
#ifndef S4J_FIXFUNC_H
#define S4J_FIXFUNC_H

#include <stdint.h>

/* Fraction bits of s16.15: 1.0 is 1 << S4J_FIX_FRACTION_BITS. */
#define S4J_FIX_FRACTION_BITS 15u

/* One more saturated rounding in *count (it stops at UINT32_MAX). */
static inline void s4j_count_into(uint32_t *count)
{
    if (*count != UINT32_MAX) {
        (*count)++;
    }
}

/* e^x; saturates to INT32_MAX where e^x >= 65536 (x >= ln 2^16) and is 0
 * below about -11.09 (e^x under half an ulp). For softmax after the max
 * subtraction: e^0 is exactly 1.0. */
int32_t s4j_fix_exp(int32_t x);

/* num / den, correctly rounded (error at most half an ulp), saturating; a
 * den of 0 gives INT32_MAX, INT32_MIN or 0 by num's sign. */
int32_t s4j_fix_div(int32_t num, int32_t den);

/* 1 / (1 + e^-x); sigmoid(x) + sigmoid(-x) is exactly 1.0. */
int32_t s4j_fix_sigmoid(int32_t x);

/* tanh(x); odd: tanh(-x) is exactly -tanh(x). */
int32_t s4j_fix_tanh(int32_t x);

/* log(1 + e^x). */
int32_t s4j_fix_softplus(int32_t x);

/* x at or above 0, alpha (e^x - 1) below it; alpha_q in s16.15. */
int32_t s4j_fix_elu(int32_t x, int32_t alpha_q);

/* DL4J's rationaltanh: 1.7159 sgn(d) (1 - 1 / (1 + |d| + d^2 + 1.41645 d^4)),
 * d = 2x/3; odd, never saturated. */
int32_t s4j_fix_rationaltanh(int32_t x);

/* x / (1 + |x|); odd, correctly rounded (one division). */
int32_t s4j_fix_softsign(int32_t x);

/* x sigmoid(x) (swish), x sigmoid(1.702 x) (DL4J's gelu) and
 * x tanh(log(1 + e^x)) (mish): x times a factor in [0, 1] kept in Q30,
 * rounded once; never saturated. */
int32_t s4j_fix_swish(int32_t x);
int32_t s4j_fix_gelu(int32_t x);
int32_t s4j_fix_mish(int32_t x);

/* selu: lambda x above 0 (saturated from about 62,373.6), lambda alpha (e^x - 1)
 * at or below it, DL4J's constants in Q30. */
int32_t s4j_fix_selu(int32_t x);

/* s4j_fix_selu(x), with one more saturation in *saturated (which stops at
 * UINT32_MAX) if lambda x is beyond the range: one call, so the kernels'
 * completion loops, which inline the word's activation, stay as short. */
int32_t s4j_fix_selu_counted(int32_t x, uint32_t *saturated);

/* 1 if s4j_fix_activate evaluates the activation code act (S4J_ACT_SIGMOID,
 * _TANH, _SOFTPLUS, _ELU, _SOFTSIGN, _RECTIFIEDTANH: max(0, tanh x), _SWISH,
 * _GELU, _MISH, _SELU, _RATIONALTANH), else 0. Softmax is per layer: its
 * kernel builds it from s4j_fix_exp and s4j_fix_div. */
int s4j_fix_supports(uint32_t act);

/* The activation act (one s4j_fix_supports accepts; alpha_q is elu's alpha,
 * ignored by the others) at x; 0 for any other code. */
int32_t s4j_fix_activate(uint32_t act, int32_t alpha_q, int32_t x);

#endif
