/*
 * Measures the s16.15 training update (s4j_fixupdate.c) on the ARM968 under
 * qemu-arm (not part of the Maven build; built for ARM only by the
 * Makefile's measure-fixupdate target, run by fixupdate-measure.sh, which
 * counts the instructions between calib_begin() and calib_end() and
 * estimates their cycles, as calibrate.sh does for the kernels).
 *
 *   fixupdate_measure U R N   one call of U (sgd or adam) with rounding R
 *                             (nearest or stochastic) over N parameters
 *                             (at most 256) of MNIST-like magnitudes: mean
 *                             gradients up to 2^-8 over a batch of 32, m up
 *                             to 2^-10, v up to 2^-15, words up to 0.25;
 *                             lr 0.1 (Sgd), Adam 1e-3 at iteration 10;
 *                             prints nothing (fails if a step saturated)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s4j_fixupdate.h"
#include "calib_harness.h" /* after s4j_fixupdate.h: calib_fix_consts */

#define MAX_N 256u
#define BATCH 32


static uint32_t state = 12345u;

/* A deterministic 32-bit draw. */
static uint32_t next(void)
{
    return calib_xorshift(&state);
}

/* A signed draw in (-2^bits, 2^bits). */
static int32_t signed_bits(uint32_t bits)
{
    int32_t x = (int32_t)(next() >> (32u - bits));

    return (next() & 1u) != 0u ? -x : x;
}

int main(int argc, char **argv)
{
    static int32_t words[MAX_N];
    static int32_t m[MAX_N];
    static uint32_t v[2u * MAX_N];
    static int64_t grads[MAX_N];
    s4j_fix_update_consts c;
    s4j_fix_update_counts counts = {0u, 0u, 0u, 0u};
    uint32_t n;
    uint32_t i;
    int adam;
    int status;

    if (argc != 4 || (strcmp(argv[1], "sgd") != 0 && strcmp(argv[1], "adam") != 0)
        || (strcmp(argv[2], "nearest") != 0 && strcmp(argv[2], "stochastic") != 0)
        || (n = (uint32_t)strtoul(argv[3], NULL, 10)) < 1u || n > MAX_N) {
        fprintf(stderr, "usage: fixupdate_measure sgd|adam nearest|stochastic N (1 to %u)\n", MAX_N);
        return 2;
    }
    adam = strcmp(argv[1], "adam") == 0;
    calib_fix_consts(&c, adam, strcmp(argv[2], "stochastic") == 0 ? S4J_FIXUPD_STOCHASTIC : S4J_FIXUPD_NEAREST,
                     BATCH);
    for (i = 0u; i < n; i++) {
        grads[i] = (int64_t)signed_bits(22u) * BATCH;
        words[i] = signed_bits(13u);
        m[i] = signed_bits(20u);
        v[2u * i] = next();
        v[2u * i + 1u] = next() >> 19; /* below 2^45 */
    }
    calib_begin();
    status = adam ? s4j_fix_adam_step(&c, words, m, v, grads, n, &counts)
                  : s4j_fix_sgd_step(&c, words, grads, n, &counts);
    calib_end();
    if (status != 0) {
        fprintf(stderr, "fixupdate_measure: the kernel refused the constants\n");
        return 1;
    }
    if (counts.nonzero != n || counts.saturated != 0u) {
        fprintf(stderr, "fixupdate_measure: expected %u non-zero gradients and no saturation, got %u and %u\n",
                (unsigned)n, (unsigned)counts.nonzero, (unsigned)counts.saturated);
        return 1;
    }
    return 0;
}
