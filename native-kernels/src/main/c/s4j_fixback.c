/*
 * The s16.15 backward pass of a sample (s4j_fixback.h): what
 * AccumTrainingReference's outputDelta, backward, derivative and accumulate
 * compute, in C.
 */
#include "s4j_fixback.h"
#include "s4j_fixsum.h"

#define ONE_Q15 ((int64_t)1 << 15)

/* A value of at most 64 bits' magnitude saturated to a word, counted. */
static int32_t saturated_word(int64_t v, uint32_t *saturated)
{
    if (v > INT32_MAX) {
        s4j_count_into(saturated);
        return INT32_MAX;
    }
    if (v < INT32_MIN) {
        s4j_count_into(saturated);
        return INT32_MIN;
    }
    return (int32_t)v;
}

/* x / 2^shift rounded to nearest, ties away from zero (|x| < 2^62,
 * 1 <= shift <= 62): AccumUpdate.roundShift. */
static int64_t round_shift(int64_t x, uint32_t shift)
{
    uint64_t mag = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    int64_t r = (int64_t)((mag + ((uint64_t)1 << (shift - 1u))) >> shift);

    return x < 0 ? -r : r;
}

int s4j_fix_output_delta(uint32_t activation, uint32_t loss, const int32_t *out, const int32_t *y,
                         uint32_t n, uint32_t n_out, int32_t *delta, uint32_t *saturated)
{
    uint32_t j;

    if (activation == S4J_ACT_SOFTMAX && loss == S4J_LOSS_MCXENT) {
        for (j = 0u; j < n; j++) {
            delta[j] = saturated_word((int64_t)out[j] - y[j], saturated);
        }
        return 0;
    }
    if (activation != S4J_ACT_IDENTITY || loss != S4J_LOSS_MSE || n_out == 0u) {
        return -1;
    }
    for (j = 0u; j < n; j++) {
        /* 2 (a - y) / n_out to nearest, ties away: (2 |2d| + n) / 2n */
        int64_t d = 2 * ((int64_t)out[j] - y[j]);
        uint64_t mag = d < 0 ? (uint64_t)-d : (uint64_t)d;
        int64_t q = (int64_t)((2u * mag + n_out) / (2u * (uint64_t)n_out));

        delta[j] = saturated_word(d < 0 ? -q : q, saturated);
    }
    return 0;
}

void s4j_fix_error_add(uint64_t *sums, const int32_t *w, const int32_t *delta, uint32_t n_rows,
                       uint32_t n_cols)
{
    uint32_t i;
    uint32_t j;

    for (i = 0u; i < n_rows; i++, w += n_cols) {
        uint64_t s = sums[i];

        for (j = 0u; j < n_cols; j++) {
            s += (uint64_t)((int64_t)w[j] * delta[j]);
        }
        sums[i] = s;
    }
}

void s4j_fix_round_sums(const uint64_t *sums, int32_t *words, uint32_t n, uint32_t *saturated)
{
    uint32_t i;

    for (i = 0u; i < n; i++) {
        words[i] = s4j_fix_round_to(saturated, sums[i]);
    }
}

int s4j_fix_hidden_delta(uint32_t activation, const int32_t *e, const int32_t *a, uint32_t n,
                         int32_t *delta)
{
    uint32_t j;

    switch (activation) {
    case S4J_ACT_IDENTITY:
    case S4J_ACT_RELU:
        break;
    case S4J_ACT_TANH:
    case S4J_ACT_SIGMOID:
        for (j = 0u; j < n; j++) {
            if (a[j] > ONE_Q15 || a[j] < (activation == S4J_ACT_TANH ? -ONE_Q15 : 0)) {
                return -1;
            }
        }
        break;
    default:
        return -1;
    }
    for (j = 0u; j < n; j++) {
        int64_t aj = a[j];

        switch (activation) {
        case S4J_ACT_IDENTITY:
            delta[j] = e[j];
            break;
        case S4J_ACT_RELU:
            delta[j] = aj > 0 ? e[j] : 0;
            break;
        case S4J_ACT_TANH:
            /* |e (1 - a^2)| < 2^61: exact; the result within |e| */
            delta[j] = (int32_t)round_shift(e[j] * (ONE_Q15 * ONE_Q15 - aj * aj), 30u);
            break;
        default: /* S4J_ACT_SIGMOID (checked above): a (1 - a) in [0, 2^28] */
            delta[j] = (int32_t)round_shift(e[j] * (aj * (ONE_Q15 - aj)), 30u);
            break;
        }
    }
    return 0;
}

void s4j_fix_gradient_add(uint64_t *gw, uint64_t *gb, const int32_t *x, const int32_t *delta,
                          uint32_t n_rows, uint32_t n_cols)
{
    uint32_t i;
    uint32_t j;

    for (i = 0u; i < n_rows; i++, gw += n_cols) {
        int64_t xi = x[i];

        if (xi == 0) {
            continue; /* adds 0: relu's zeros are common */
        }
        for (j = 0u; j < n_cols; j++) {
            gw[j] += (uint64_t)(xi * delta[j]);
        }
    }
    if (gb != NULL) {
        for (j = 0u; j < n_cols; j++) {
            gb[j] += (uint64_t)(int64_t)delta[j] << 15;
        }
    }
}
