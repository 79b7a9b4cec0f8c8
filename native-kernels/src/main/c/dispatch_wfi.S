@ The stand-in for spin1_wfi (SARK's wait for interrupt) in dispatch_measure.c:
@ where the real one sleeps until an interrupt, this one takes the next
@ simulated packet's interrupt, as the ARM968 does: lr_irq is the return + 4
@ and the vector's one instruction loads pc with the handler's address (the
@ VIC's vector register for an IRQ). The markers that calibrate-count.sh
@ counts between are here: calib_begin is the exception entry (not counted:
@ the hardware's own, est. 3 cycles), calib_end the dispatcher's next call
@ to sleep; so a window holds one packet's handling from the vector to the
@ dispatcher asleep again. The handler returns (as to the interrupted wait)
@ to the real spin1_wfi's own return.
        .syntax unified
        .arm
        .section .text.s4j_wfi, "ax", %progbits
        .align  2
        .global spin1_wfi
        .global calib_begin
        .global calib_end
        .type   spin1_wfi, %function
spin1_wfi:
calib_end:
        push    {r4, lr}
        bl      s4j_next_handler        @ r0: the handler, 0 when the run is over
        pop     {r4, lr}
        cmp     r0, #0
        bxeq    lr
        ldr     r1, =s4j_vector
        str     r0, [r1]
        mov     r2, lr                  @ kept: a handler preserves every register
calib_begin:
        add     lr, pc, #4              @ the exception entry: lr_irq = 1f + 4
        ldr     pc, [r1]                @ the vector: ldr pc, [pc, #-0xff0]
1:      bx      r2                      @ the real spin1_wfi's return
        .size   spin1_wfi, . - spin1_wfi

        .bss
        .align  2
s4j_vector:
        .space  4
