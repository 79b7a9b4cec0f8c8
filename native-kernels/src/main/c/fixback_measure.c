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
 *                           to 2^-4; prints nothing
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s4j_fixback.h"

#define MAX_N 64u

void calib_begin(void);
void calib_end(void);

/* The markers: fixback-measure.sh counts the instructions between their calls. */
__attribute__((noinline)) void calib_begin(void)
{
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void calib_end(void)
{
    __asm__ volatile("" ::: "memory");
}

static uint32_t state = 12345u;

/* A deterministic 32-bit draw (xorshift). */
static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

/* A signed draw in (-2^bits, 2^bits), never 0. */
static int32_t signed_bits(uint32_t bits)
{
    int32_t x = (int32_t)(next() >> (32u - bits)) | 1;

    return (next() & 1u) != 0u ? -x : x;
}

int main(int argc, char **argv)
{
    static int32_t w[MAX_N * MAX_N];
    static uint64_t gw[MAX_N * MAX_N];
    static int32_t x[MAX_N];
    static int32_t delta[MAX_N];
    static uint64_t error[MAX_N];
    uint32_t rows;
    uint32_t cols;
    uint32_t i;
    int both;

    if (argc != 4 || (strcmp(argv[1], "dw") != 0 && strcmp(argv[1], "dw_and_error") != 0)
        || (rows = (uint32_t)strtoul(argv[2], NULL, 10)) < 1u || rows > MAX_N
        || (cols = (uint32_t)strtoul(argv[3], NULL, 10)) < 1u || cols > MAX_N) {
        fprintf(stderr, "usage: fixback_measure dw|dw_and_error ROWS COLS (1 to %u each)\n", MAX_N);
        return 2;
    }
    both = strcmp(argv[1], "dw_and_error") == 0;
    for (i = 0u; i < rows * cols; i++) {
        w[i] = signed_bits(13u);
        gw[i] = (uint64_t)(int64_t)signed_bits(30u);
    }
    for (i = 0u; i < rows; i++) {
        x[i] = signed_bits(15u);
    }
    for (i = 0u; i < cols; i++) {
        delta[i] = signed_bits(11u);
    }
    calib_begin();
    s4j_fix_gradient_add(gw, NULL, x, delta, rows, cols);
    if (both) {
        s4j_fix_error_add(error, w, delta, rows, cols);
    }
    calib_end();
    return 0;
}
