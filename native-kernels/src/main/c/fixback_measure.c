/*
 * Measures the s16.15 backward pass's per-weight work (s4j_fixback.c) on the
 * ARM968 under qemu-arm (not part of the Maven build; built for ARM only by
 * the Makefile's measure-fixback target, run by fixback-measure.sh, which
 * counts the instructions between calib_begin() and calib_end() and
 * estimates their cycles, as calibrate.sh does for the kernels).
 *
 *   fixback_measure W R C   one sample's work W on a block of R rows and C
 *                           columns (each at most 64): dw (the gradient sums
 *                           x delta, s4j_fix_gradient_add, weights only) or
 *                           dw_and_error (that, then W delta added into the
 *                           rows' 64-bit sums, s4j_fix_error_add); inputs
 *                           non-zero up to 1.0, weights up to 0.25, deltas up
 *                           to 2^-4. Per row: round (R error sums up to 2^-4
 *                           rounded, s4j_fix_round_sums). Per column, R of
 *                           them: relu, tanh, sigmoid (a hidden delta from
 *                           errors up to 2^-4 and output words in the
 *                           function's range, s4j_fix_hidden_delta),
 *                           softmax_mcxent, identity_mse (an output delta,
 *                           s4j_fix_output_delta, MSE of a layer of R). C is
 *                           read but unused by the per-row and per-column
 *                           work. Prints nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib_harness.h"
#include "s4j_fixback.h"
#include "s4j_kernels.h"

#define MAX_N 64u


static uint32_t state = 12345u;

/* A deterministic 32-bit draw. */
static uint32_t next(void)
{
    return calib_xorshift(&state);
}

/* A signed draw in (-2^bits, 2^bits), never 0. */
static int32_t signed_bits(uint32_t bits)
{
    int32_t x = (int32_t)(next() >> (32u - bits)) | 1;

    return (next() & 1u) != 0u ? -x : x;
}

/* The work a name stands for: what main calls between the markers. */
enum work { DW, DW_AND_ERROR, ROUND, RELU, TANH, SIGMOID, SOFTMAX_MCXENT, IDENTITY_MSE };

static const char *const NAMES[] = {
    "dw", "dw_and_error", "round", "relu", "tanh", "sigmoid", "softmax_mcxent", "identity_mse"
};

int main(int argc, char **argv)
{
    static int32_t w[MAX_N * MAX_N];
    static uint64_t gw[MAX_N * MAX_N];
    static int32_t x[MAX_N];
    static int32_t delta[MAX_N];
    static int32_t out[MAX_N];
    static int32_t err[MAX_N];
    static int32_t labels[MAX_N];
    static uint64_t error[MAX_N];
    uint32_t saturated = 0u;
    uint32_t rows;
    uint32_t cols;
    uint32_t i;
    int status = 0;
    int k = -1;

    for (i = 0u; argc == 4 && i < sizeof NAMES / sizeof NAMES[0]; i++) {
        if (strcmp(argv[1], NAMES[i]) == 0) {
            k = (int)i;
        }
    }
    if (k < 0 || (rows = (uint32_t)strtoul(argv[2], NULL, 10)) < 1u || rows > MAX_N
        || (cols = (uint32_t)strtoul(argv[3], NULL, 10)) < 1u || cols > MAX_N) {
        fprintf(stderr, "usage: fixback_measure dw|dw_and_error|round|relu|tanh|sigmoid|softmax_mcxent|"
                        "identity_mse ROWS COLS (1 to %u each)\n", MAX_N);
        return 2;
    }
    for (i = 0u; i < rows * cols; i++) {
        w[i] = signed_bits(13u);
        gw[i] = (uint64_t)(int64_t)signed_bits(30u);
    }
    for (i = 0u; i < MAX_N; i++) {
        int32_t a = (int32_t)(next() >> 17); /* [0, 1.0) */

        x[i] = signed_bits(15u);
        delta[i] = signed_bits(11u);
        err[i] = signed_bits(11u);
        error[i] = (uint64_t)(int64_t)signed_bits(26u);
        labels[i] = (next() & 3u) == 0u ? 1 << 15 : 0;
        out[i] = k == TANH && (next() & 1u) != 0u ? -a : a;
    }
    calib_begin();
    switch (k) {
    case DW:
    case DW_AND_ERROR:
        s4j_fix_gradient_add(gw, NULL, x, delta, rows, cols);
        if (k == DW_AND_ERROR) {
            s4j_fix_error_add(error, w, delta, rows, cols);
        }
        break;
    case ROUND:
        s4j_fix_round_sums(error, delta, rows, &saturated);
        break;
    case RELU:
    case TANH:
    case SIGMOID:
        status = s4j_fix_hidden_delta(k == RELU ? S4J_ACT_RELU : k == TANH ? S4J_ACT_TANH : S4J_ACT_SIGMOID,
                                      err, out, rows, delta);
        break;
    default:
        status = s4j_fix_output_delta(k == SOFTMAX_MCXENT ? S4J_ACT_SOFTMAX : S4J_ACT_IDENTITY,
                                      k == SOFTMAX_MCXENT ? S4J_LOSS_MCXENT : S4J_LOSS_MSE, out, labels, rows, rows,
                                      delta, &saturated);
        break;
    }
    calib_end();
    if (status != 0 || saturated != 0u) {
        fprintf(stderr, "fixback_measure: %s refused its operands or saturated\n", NAMES[k]);
        return 1;
    }
    return 0;
}
