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
 *
 * s4j_fix_mac_panels, below, multiplies a whole block at once.
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

/*
 *   void s4j_fix_mac_panels(uint32_t *acc, const int32_t *w, const int32_t *x,
 *                           uint32_t rows, uint32_t cols);
 *
 * The whole block at once: for every r < rows and j < cols it adds
 * (int64_t)x[r] * W(r, j) to sum j of acc (cols pairs, as above), W stored in
 * panels of 3 columns (s4j_panel_index: panel p holds columns 3p .. 3p + 2,
 * or the cols mod 3 that remain, row-major, one panel after the other). It
 * reads x[0 .. rows-1], w[0 .. rows cols - 1] and acc[0 .. 2 cols - 1] and
 * writes acc[0 .. 2 cols - 1], nothing else.
 *
 * A panel's sums stay in registers while its rows stream past: per row one
 * ldr of x, one ldm of the panel's weights and a smlal per column, 8 rows a
 * step and then one row a step for rows mod 8. Each MAC moves a weight and a
 * third of an x word, against the five words of s4j_fix_mac_row's.
 */
        .equ    X_BASE, 0                   @ the frame below the 9 pushed words
        .equ    COLS_LEFT, 4
        .equ    X_END8, 8                   @ x + 4 (rows - rows mod 8)
        .equ    X_END, 12                   @ x + 4 rows
        .equ    FRAME, 16

@ one row of a panel whose sums are r0 .. \last (x in r6, weights from r7 on)
.macro  PANEL_ROW width
        ldr     r6, [r10], #4
.if \width == 3
        ldmia   r11!, {r7-r9}
        smlal   r0, r1, r6, r7
        smlal   r2, r3, r6, r8
        smlal   r4, r5, r6, r9
.elseif \width == 2
        ldmia   r11!, {r7, r8}
        smlal   r0, r1, r6, r7
        smlal   r2, r3, r6, r8
.else
        ldr     r7, [r11], #4
        smlal   r0, r1, r6, r7
.endif
.endm

@ one panel: its sums r0 .. \last loaded from lr, every row multiplied in, the
@ sums stored back and lr moved past them
.macro  PANEL width, last
        ldmia   lr, {r0-\last}
        ldr     r10, [sp, #X_BASE]
        ldr     r12, [sp, #X_END8]
        cmp     r10, r12
        beq     2f
1:
.rept 8
        PANEL_ROW \width
.endr
        cmp     r10, r12
        bne     1b
2:      ldr     r12, [sp, #X_END]
        cmp     r10, r12
        beq     4f
3:      PANEL_ROW \width
        cmp     r10, r12
        bne     3b
4:      stmia   lr!, {r0-\last}
.endm

        .global s4j_fix_mac_panels
        .type   s4j_fix_mac_panels, %function
s4j_fix_mac_panels:
        @ r0-r5 a panel's sums, r6 x[r], r7-r9 weights, r10 x, r11 w, r12 an
        @ end of x, lr acc
        push    {r4-r11, lr}                @ 9 words: a leaf, so sp need not stay 8-aligned
        ldr     r4, [sp, #36]               @ cols
        sub     sp, sp, #FRAME
        bic     r5, r3, #7
        add     r5, r2, r5, lsl #2
        add     r12, r2, r3, lsl #2
        stmia   sp, {r2, r4, r5, r12}       @ X_BASE, COLS_LEFT, X_END8, X_END
        mov     lr, r0
        mov     r11, r1
5:      ldr     r4, [sp, #COLS_LEFT]
        subs    r4, r4, #3
        blo     6f
        str     r4, [sp, #COLS_LEFT]
        PANEL   3, r5
        b       5b
6:      adds    r4, r4, #2                  @ cols mod 3, less 1
        bmi     8f
        beq     7f
        PANEL   2, r3
        b       8f
7:      PANEL   1, r1
8:      add     sp, sp, #FRAME
        pop     {r4-r11, pc}
        .size   s4j_fix_mac_panels, .-s4j_fix_mac_panels

        .section .note.GNU-stack, "", %progbits
