/*
 * The s16.15 training update (docs/fixed-point.md, "Training in s16.15"):
 * Sgd's and Adam's step of a run of parameters from their exact gradient
 * sums, bit for bit what org.spinnaker4j.kernels.AccumUpdate computes on the
 * host. Integer arithmetic only, no 128-bit compiler type: 128-bit values are
 * two uint64_t halves; Adam's one division (64 by 64 bits) is libgcc's on the
 * ARM968. A training fused block's update calls them (s4j_fixtrain.c); the
 * host also runs them through FixedPointUpdate for tests, and
 * fixupdate-measure.sh measures them on the ARM build.
 */
#ifndef S4J_FIXUPDATE_H
#define S4J_FIXUPDATE_H

#include <stdint.h>

/* How a step is rounded to a word (AccumUpdate.Rounding). */
#define S4J_FIXUPD_NEAREST 0u     /* to nearest, ties away from zero */
#define S4J_FIXUPD_STOCHASTIC 1u  /* floor(x + r), r 32 bits of s4j_fix_update_random */

/* The constants the host fills for one run of one layer's parameters at one
 * iteration. A scale c is mantissa / 2^shift, the mantissa below 2^31. */
typedef struct {
    uint32_t mode;          /* S4J_FIXUPD_NEAREST or S4J_FIXUPD_STOCHASTIC */
    uint32_t seed;          /* the random bits' seed, */
    uint32_t layer;         /* layer, */
    uint32_t iteration;     /* iteration (0 for the first) */
    uint32_t first_index;   /* and the run's first parameter's index in its layer */
    uint32_t rate_mantissa; /* Sgd: c = lr / batch 2^-15; Adam: the bias-corrected rate */
    uint32_t rate_shift;    /* Sgd: c's shift; Adam: the rate's shift less 15; in [1, 126] */
    uint32_t mean_mantissa; /* Adam: the scale of 1 / batch, */
    uint32_t mean_shift;    /* its shift in [1, 126] */
    uint32_t beta1;         /* Adam: round(beta1 2^31), in [0, 2^31] */
    uint32_t beta2;         /* Adam: round(beta2 2^31), in [0, 2^31] */
    uint32_t epsilon;       /* Adam: round(epsilon 2^30), in [1, 2^31) */
} s4j_fix_update_consts;

/* What a run counted (each call adds to them). */
typedef struct {
    uint32_t nonzero;    /* parameters with a non-zero gradient sum */
    uint32_t zero_steps; /* of those, steps rounded to 0 */
    uint32_t saturated;  /* parameters saturated by their step */
    uint32_t clipped;    /* Adam: mean gradients clipped to |g| < 2 */
} s4j_fix_update_counts;

/* 32 bits for parameter index of layer at iteration: AccumUpdate.random. */
uint32_t s4j_fix_update_random(uint32_t seed, uint32_t layer, uint32_t index, uint32_t iteration);

/* floor(sqrt(v)), Adam's square root (AccumUpdate.isqrt, for any v). */
uint64_t s4j_fix_update_isqrt(uint64_t v);

/* Sgd over n parameters: words[i] -= grads[i] c, the step rounded once by
 * c->mode, saturated. grads are exact sums in units of 2^-30. Returns 0, or
 * -1 (nothing written) if a constant Sgd uses is out of its range. */
int s4j_fix_sgd_step(const s4j_fix_update_consts *c, int32_t *words, const int64_t *grads, uint32_t n,
                     s4j_fix_update_counts *counts);

/* Adam over n parameters: m[i] (units of 2^-30) and v (units of 2^-60, as
 * v[2i] low and v[2i + 1] high word, in [0, 2^62]) stepped from the mean
 * gradient, then words[i] less the step rounded by c->mode, saturated (see
 * AccumUpdate.adamStep). Returns 0, or -1 (nothing written) if a constant is
 * out of its range. */
int s4j_fix_adam_step(const s4j_fix_update_consts *c, int32_t *words, int32_t *m, uint32_t *v,
                      const int64_t *grads, uint32_t n, s4j_fix_update_counts *counts);

#endif
