/*
 * The spin1 API's event code (spinnaker_tools' spin1_api.c, included here as
 * it is, with its static dispatcher) made runnable under qemu-arm for
 * dispatch_measure.c: the few SARK entry points it calls and the two
 * hardware register blocks its packet path touches are stood in for here;
 * everything else is the real source. Built by the Makefile's
 * measure-dispatch target only, with spinnaker_tools' own flags (Thumb, -Os,
 * as its spin1_api library), from SPINNAKER_TOOLS, which is never committed
 * to this repository (Apache 2.0; see docs/machine-model.md).
 */
#include "spin1_api.c"

/* The communications controller and VIC: placed at their SpiNNaker
 * addresses by the link (-Wl,--section-start), initialised so that they
 * are loaded as data. */
volatile uint s4j_cc_block[64] __attribute__((section(".s4j_cc"), used)) = { 1 };
volatile uint s4j_vic_block[64] __attribute__((section(".s4j_vic"), used)) = { 1 };

/* Runs the real dispatcher until spin1_exit(). */
void s4j_dispatch(void)
{
    run = 1;
    dispatch();
}

/* SARK's run-time error: the harness fails. */
void rt_error(uint code, ...)
{
    (void) code;
    for (;;) {
    }
}

/* SARK's tube output: nothing to say under qemu. */
void io_printf(char *stream, char *format, ...)
{
    (void) stream;
    (void) format;
}

/* SARK's data and state report, which the dispatcher's resume path names (never taken here). */
sark_data_t sark;
event_data_t event;

void sark_cpu_state(cpu_state state)
{
    (void) state;
}
