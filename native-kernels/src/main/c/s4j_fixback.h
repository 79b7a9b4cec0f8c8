/*
 * The s16.15 backward pass of a Dense/Output layer's sample (docs/fixed-point.md,
 * "Training in s16.15"), bit for bit what the host's AccumTrainingReference
 * (parity-tests) computes: the output delta, the error sent to the layer
 * below (W delta summed exactly in 64 bits, rounded once), the delta below
 * (the activation's derivative at its output word) and the exact gradient
 * sums x delta. Integer arithmetic only; 64-bit sums are uint64_t (two's
 * complement, so an addition wraps without undefined behaviour: the host
 * refuses a mini-batch whose sums could reach 2^63). A training fused block
 * calls them (s4j_fixtrain.c); the host also runs them through
 * FixedPointBackward for tests.
 */
#ifndef S4J_FIXBACK_H
#define S4J_FIXBACK_H

#include <stdint.h>

/*
 * An output layer's delta = dL/dz of one sample over n of its columns, from
 * its output words out and label words y: a softmax (S4J_ACT_SOFTMAX) with
 * MCXENT (S4J_LOSS_MCXENT) p - y exactly; identity (S4J_ACT_IDENTITY) with
 * MSE (S4J_LOSS_MSE) 2(a - y) / n_out (the layer's width, n_out >= 1)
 * rounded once to nearest, ties away. Each saturated and counted in
 * *saturated. Returns 0, or -1 (nothing written) for any other pair or
 * n_out 0.
 */
int s4j_fix_output_delta(uint32_t activation, uint32_t loss, const int32_t *out, const int32_t *y,
                         uint32_t n, uint32_t n_out, int32_t *delta, uint32_t *saturated);

/*
 * The error a block of W[n_rows][n_cols] (row-major words) sends its rows:
 * sums[i] += sum over j of W[i][j] delta[j], exact in 64 bits (units of
 * 2^-30). A layer whose columns are on several blocks adds each block's
 * into the same sums before rounding them once (s4j_fix_round_sums).
 */
void s4j_fix_error_add(uint64_t *sums, const int32_t *w, const int32_t *delta, uint32_t n_rows,
                       uint32_t n_cols);

/* words[i] = sums[i] rounded once to an s16.15 word (to nearest, ties away),
 * saturated and counted in *saturated, for i < n. */
void s4j_fix_round_sums(const uint64_t *sums, int32_t *words, uint32_t n, uint32_t *saturated);

/*
 * The delta of a hidden layer's n columns from the error e at its outputs and
 * its output words a: relu e or 0 (a > 0 passes), identity e, exactly; tanh
 * e (1 - a^2), sigmoid e a (1 - a), the factor exact in Q30, the product
 * rounded once to a word (to nearest, ties away). Returns 0, or -1 (nothing
 * written) for any other activation, or a tanh word a outside [-1, 1] or a
 * sigmoid word outside [0, 1] (which the fixed functions never give).
 */
int s4j_fix_hidden_delta(uint32_t activation, const int32_t *e, const int32_t *a, uint32_t n,
                         int32_t *delta);

/*
 * A sample's gradient added to a block's exact sums (units of 2^-30):
 * gw[i][j] += x[i] delta[j] for its n_rows x n_cols weights (row-major), and,
 * if gb is not NULL (the columns' activator), gb[j] += delta[j] (a bias's x
 * is 1.0). Exact: the sums are never rounded before the update, which takes
 * them as they are (s4j_fix_sgd_step, s4j_fix_adam_step).
 */
void s4j_fix_gradient_add(uint64_t *gw, uint64_t *gb, const int32_t *x, const int32_t *delta,
                          uint32_t n_rows, uint32_t n_cols);

#endif
