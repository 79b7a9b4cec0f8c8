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
 *
 * s4j_fix_mac_panels is a whole inference block's MACs at once, its weights
 * in panels of S4J_PANEL_COLS columns (s4j_panel_index); the assembly keeps
 * a panel's sums in registers while its rows stream past.
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

void s4j_fix_mac_panels(uint32_t *acc, const int32_t *w, const int32_t *x, uint32_t rows,
                        uint32_t cols)
{
    uint32_t first;
    uint32_t r;

    for (first = 0u; first < cols; first += S4J_PANEL_COLS) {
        uint32_t width = s4j_panel_width(first, cols);

        for (r = 0u; r < rows; r++, w += width) {
            s4j_fix_mac_row(acc + 2u * first, w, x[r], width);
        }
    }
}
#endif
