/*
 * What every ARM measuring harness (calibrate.c, fixmac_check.c,
 * fixupdate_measure.c, fixback_measure.c) shares: the markers whose calls
 * calibrate-count.sh finds by name and counts the instructions between, and
 * the xorshift32 draw that gives each run the same operands, and, included
 * after s4j_fixupdate.h, the s16.15 update's constants as the host computes
 * them. Included by the one source file of a harness program, which it
 * defines the markers in.
 */
#ifndef CALIB_HARNESS_H
#define CALIB_HARNESS_H

#include <stdint.h>

#ifdef S4J_FIXUPDATE_H
#include <math.h>
#include <string.h>
#endif

void calib_begin(void);
void calib_end(void);

/* The markers: calibrate-count.sh counts the instructions between their calls. */
__attribute__((noinline)) void calib_begin(void)
{
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void calib_end(void)
{
    __asm__ volatile("" ::: "memory");
}

/* The next xorshift32 draw from *state (never 0 if *state is not). */
static inline uint32_t calib_xorshift(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

#ifdef S4J_FIXUPDATE_H
/* AccumUpdate.Scale.of: c as a mantissa in [2^30, 2^31) over 2^shift. */
static inline void calib_fix_scale(double c, uint32_t *mantissa, uint32_t *shift)
{
    int e;
    double f = frexp(c, &e); /* c = f 2^e, f in [0.5, 1): exponent e - 1 */
    int s = 30 - (e - 1);
    double m = round(ldexp(f, 31));

    if (m >= 2147483648.0) {
        m /= 2;
        s--;
    }
    *mantissa = (uint32_t)m;
    *shift = (uint32_t)s;
}

/* The constants of an s16.15 update (s4j_fixupdate.h) as the host computes
 * them (AccumUpdate) for a mini-batch of `batch`: Sgd at rate 0.1, or Adam at
 * 1e-3 in its 10th iteration; rounding `mode`, seed 2026, layer 1. */
static inline void calib_fix_consts(s4j_fix_update_consts *c, int adam, uint32_t mode, int batch)
{
    memset(c, 0, sizeof *c);
    c->mode = mode;
    c->seed = 2026u;
    c->layer = 1u;
    c->iteration = 9u;
    if (adam) {
        int t = 10;

        calib_fix_scale(1e-3 * sqrt(1 - pow(0.999, t)) / (1 - pow(0.9, t)), &c->rate_mantissa,
                        &c->rate_shift);
        c->rate_shift -= 15u;
        calib_fix_scale(1.0 / batch, &c->mean_mantissa, &c->mean_shift);
        c->beta1 = (uint32_t)llround(0.9 * 2147483648.0);
        c->beta2 = (uint32_t)llround(0.999 * 2147483648.0);
        c->epsilon = (uint32_t)llround(1e-8 * 1073741824.0);
    } else {
        calib_fix_scale(0.1 / batch / 32768.0, &c->rate_mantissa, &c->rate_shift);
    }
}
#endif

#endif
