/*
 * s4j_fix_mac_row for the ARM968 (ARMv5TE, ARM state, AAPCS): one input value
 * multiplied into a row of s16.15 weights and added to 64-bit accumulators.
 *
 *   void s4j_fix_mac_row(uint32_t *acc, const int32_t *w, int32_t x, uint32_t n);
 *
 * acc holds n (low word, high word) pairs, each an int64 two's-complement sum;
 * for j < n it adds (int64_t)x * w[j] to sum j (modulo 2^64, as smlal does).
 * Any n >= 0; acc and w word-aligned. It reads w[0 .. n-1] and acc[0 .. 2n-1]
 * and writes acc[0 .. 2n-1], nothing else.
 *
 * The portable C in s4j_fixmac.c is the specification and the host's version;
 * the ARM builds (the Makefile's ARM_ASM) use this one instead, and
 * fixmac_check.c (make check-fixmac) checks the two agree bit for bit.
 *
 * Four columns a step: one ldm of 4 accumulators (8 words), two ldm of 2
 * weights, 4 smlal, one stm; then one column a step for n mod 4.
 */
        .syntax unified
        .arm
        .text
        .align  2
        .global s4j_fix_mac_row
        .type   s4j_fix_mac_row, %function
s4j_fix_mac_row:
        @ r0 acc, r1 w, r2 x, r3 columns left; r4-r11 four sums, r12 and lr weights
        push    {r4-r11, lr}                @ 9 words: a leaf, so sp need not stay 8-aligned
        subs    r3, r3, #4
        blo     2f
1:      ldmia   r0, {r4-r11}
        ldmia   r1!, {r12, lr}
        smlal   r4, r5, r12, r2
        smlal   r6, r7, lr, r2
        ldmia   r1!, {r12, lr}
        smlal   r8, r9, r12, r2
        smlal   r10, r11, lr, r2
        stmia   r0!, {r4-r11}
        subs    r3, r3, #4
        bhs     1b
2:      adds    r3, r3, #4              @ n mod 4 columns left
        beq     4f
3:      ldmia   r0, {r4, r5}
        ldr     r12, [r1], #4
        subs    r3, r3, #1              @ between the load and its use
        smlal   r4, r5, r12, r2
        stmia   r0!, {r4, r5}
        bne     3b
4:      pop     {r4-r11, pc}
        .size   s4j_fix_mac_row, .-s4j_fix_mac_row

        .section .note.GNU-stack, "", %progbits
