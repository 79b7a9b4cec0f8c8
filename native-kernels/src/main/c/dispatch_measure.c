/*
 * Measures what a multicast packet costs a core before and after its
 * callback on the ARM968 under qemu-arm: spinnaker_tools' real spin1 event
 * code (dispatch_st_api.c: the dispatcher and schedule(); its spin1_isr.c:
 * the packet handlers) receives packets that dispatch_wfi.S's stand-in for
 * the wait for interrupt delivers while the dispatcher sleeps, and
 * dispatch-measure.sh counts the instructions and estimates the cycles of
 * each packet's window (calibrate-count.sh's markers, in dispatch_wfi.S).
 * Built by the Makefile's measure-dispatch target only.
 *
 *   dispatch_measure MODE N   N packets with payload (MCPL) to a callback
 *                             registered as MODE: fiq (priority -1, the
 *                             FIQ handler calls it), p0 (priority 0, the
 *                             IRQ handler calls it through schedule()) or
 *                             p1 (priority 1, queued and dispatched); in
 *                             every mode a user event is registered at
 *                             priority 1, so the dispatcher has one queue
 *                             to check, as a core with queued backward
 *                             work has; prints nothing; the callback is
 *                             the global received
 */
#include <stdlib.h>
#include <string.h>

#include <sark.h>
#include <spin1_api.h>

/* spin1_isr.c's packet handlers (the vector's targets), dispatch_st_api.c's entry to the dispatcher */
INT_HANDLER cc_rx_ready_isr(void);
INT_HANDLER cc_rx_ready_fiqsr(void);
void s4j_dispatch(void);
uint s4j_next_handler(void);

static unsigned left;
static int_handler handler;
/* The packet callback, empty (bx lr): the work it stands for is charged by the kernels' own figures;
 * dispatch-measure.sh checks in each trace that it ran once a packet. */
void received(uint key, uint payload)
{
    (void) key;
    (void) payload;
}

/* The other callback registered: never called. */
static void user_event(uint a, uint b)
{
    (void) a;
    (void) b;
}

/* Called by the stand-in wait for interrupt: the next packet's handler, or 0 (and the run ends). */
uint s4j_next_handler(void)
{
    if (left == 0) {
        spin1_exit(0);
        return 0;
    }
    left--;
    cc[CC_RSR] = PKT_MC_PL;
    cc[CC_RXDATA] = 0x3f800000u;
    cc[CC_RXKEY] = 0x00010000u + left;
    return (uint) handler;
}

int main(int argc, char **argv)
{
    int priority;

    if (argc != 3) {
        return 2;
    }
    if (strcmp(argv[1], "fiq") == 0) {
        priority = -1;
        handler = cc_rx_ready_fiqsr;
    } else if (strcmp(argv[1], "p0") == 0) {
        priority = 0;
        handler = cc_rx_ready_isr;
    } else if (strcmp(argv[1], "p1") == 0) {
        priority = 1;
        handler = cc_rx_ready_isr;
    } else {
        return 2;
    }
    left = (unsigned) atoi(argv[2]);
    spin1_callback_on(USER_EVENT, user_event, 1);
    spin1_callback_on(MCPL_PACKET_RECEIVED, received, priority);
    s4j_dispatch();
    return 0;
}
