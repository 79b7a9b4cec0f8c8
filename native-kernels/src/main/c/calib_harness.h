/*
 * What every ARM measuring harness (calibrate.c, fixmac_check.c,
 * fixupdate_measure.c, fixback_measure.c) shares: the markers whose calls
 * calibrate-count.sh finds by name and counts the instructions between, and
 * the xorshift32 draw that gives each run the same operands. Included by the
 * one source file of a harness program, which it defines the markers in.
 */
#ifndef CALIB_HARNESS_H
#define CALIB_HARNESS_H

#include <stdint.h>

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

#endif
