/*
 * The multiply-accumulate of the s16.15 fixed-point mode (S4J_ARITH_S16_15,
 * docs/fixed-point.md): a row's products x w[j], each exact in 64 bits
 * (s33.30), added to its column's 64-bit sum. Two's complement addition in
 * uint64_t is the same bits as the signed sum and has no undefined
 * behaviour; the host refuses a layer whose sums could reach 2^63, so no sum
 * actually wraps. On the ARM968 each product is one SMLAL.
 *
 * This C is the host's version and the specification. The ARM builds define
 * S4J_FIXMAC_ASM and link s4j_fixmac_arm.S instead (four columns a step;
 * checked against this contract by `make check-fixmac`).
 */
#include "s4j_fixsum.h"

#ifndef S4J_FIXMAC_ASM
void s4j_fix_mac_row(uint32_t *acc, const int32_t *w, int32_t x, uint32_t n)
{
    uint32_t j;

    for (j = 0u; j < n; j++, acc += 2) {
        s4j_sum_set(acc, s4j_sum_get(acc) + (uint64_t)((int64_t)x * w[j]));
    }
}
#endif
