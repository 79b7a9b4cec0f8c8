#!/usr/bin/env bash
# Measures what a multicast packet with payload costs an ARM968 core besides its callback's own work:
# the instructions and estimated cycles from the packet interrupt's vector to the dispatcher asleep
# again, with the callback at priority -1 (the FIQ handler calls it), 0 (the IRQ handler calls it
# through schedule()) and 1 (queued, then dispatched), through spinnaker_tools' spin1 event code.
#
#   dispatch-measure.sh ELF LOG   ELF: dispatch_measure.c and spinnaker_tools' event code (make
#                                 measure-dispatch builds it); LOG: a scratch file
#
# Per packet is (a run of 9 packets less a run of 1) / 8 (the windows are summed). Last, the cycles
# until each handler has read the key and so emptied the receive register. Instructions
# are counted as calibrate.sh counts them, cycles estimated by arm9e-cycles.awk; the exception
# entry itself (est. 3 cycles) and the wake from the wait for interrupt are the hardware's, not
# in the trace, and are not included. Environment: QEMU_ARM, ARM_NM, ARM_CC, ARM_OBJDUMP.
set -euo pipefail
elf=$1
log=$2
qemu=${QEMU_ARM:-qemu-arm}
nm=${ARM_NM:-arm-none-eabi-nm}
cc=${ARM_CC:-arm-none-eabi-gcc}
objdump=${ARM_OBJDUMP:-arm-none-eabi-objdump}
. "$(dirname "$0")/calibrate-count.sh"

echo "# a packet's receive and dispatch on the ARM968, printed by dispatch-measure.sh (make measure-dispatch):"
echo "# $("$cc" --version | head -1), $("$qemu" --version | head -1)"
echo "# from the vector to the dispatcher asleep again, the callback's body (bx lr) included;"
echo "# instructions counted under qemu, cycles estimated by arm9e-cycles.awk (ARM9E-S timings)"
printf '%-34s %8s %8s\n' "callback" instr cycles
callback=$("$nm" "$elf" | awk '$3 == "received" { print $1 }')

# hits ADDRESS: how many times the trace in log executed ADDRESS.
hits() {
    awk -v a="$1" '$1 == "Trace" { split($4, f, "/"); if (f[2] == a) c++ } END { print c + 0 }' "$log"
}

# measured MODE N: "instructions cycles" of N packets' windows, from a trace that is complete: the
# callback ran N times and the dispatcher slept N + 1 times (qemu-arm, loaded, has been seen to
# lose the end of its log: a short trace is run again, twice at most).
measured() {
    local try r
    for try in 1 2 3; do
        r=$(nc "$1" "$2")
        if [ "$(hits "$callback")" = "$2" ] && [ "$(hits "$end")" = "$(($2 + 1))" ]; then
            echo "$r"
            return
        fi
    done
    echo "${0##*/}: '$1 $2': the trace lacks packets $try times" >&2
    exit 1
}

for mode in fiq p0 p1; do
    set -- $(measured "$mode" 9); i9=$1; c9=$2
    set -- $(measured "$mode" 1); i1=$1; c1=$2
    case $mode in
        fiq) name="priority -1 (FIQ)" ;;
        p0) name="priority 0 (IRQ, not queued)" ;;
        p1) name="priority 1 (IRQ, queued)" ;;
    esac
    printf '%-34s %8s %8s\n' "$name" "$(per 8 "$i9" "$i1")" "$(per 8 "$c9" "$c1")"
done

# the receive register: emptied by the handler's read of the key (CC_RXKEY, the controller's
# register at offset 20); the cycles from the vector up to and with that read, with payload
for handler in cc_rx_ready_fiqsr cc_rx_ready_isr; do
    [ -s "$log.dis" ] || "$objdump" -d "$elf" > "$log.dis"
    read_key=$(awk -v h="<$handler>:" '$2 == h { on = 1; next } on && /^$/ { exit }
        on && $3 ~ /^ldr/ && $0 ~ /, #20\]/ { found = 1; next } found { sub(/:$/, "", $1); print $1; exit }' "$log.dis")
    [ -n "$read_key" ] || { echo "${0##*/}: no read of CC_RXKEY in $handler" >&2; exit 1; }
    mode=$([ $handler = cc_rx_ready_fiqsr ] && echo fiq || echo p0)
    trace "$mode" 1
    end=$(printf '%08x' "0x$read_key") cycles_of_log > "$log.n"
    printf '%-34s %8s %8s\n' "$handler: CC_RXKEY read" - "$(cat "$log.n")"
done
rm -f "$log" "$log.dis" "$log.n"
