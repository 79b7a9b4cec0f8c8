#!/usr/bin/env bash
# Measures the s16.15 training update (s4j_fixupdate.c) on the ARM968: instructions and estimated
# cycles per parameter of Sgd and Adam, each with nearest and stochastic rounding, against the float
# update's figures in the cost table (update.sgd, update.adam: s4j_apply_update per parameter).
#
#   fixupdate-measure.sh ELF LOG TABLE   ELF: fixupdate_measure.c linked with s4j_fixupdate.c (make
#                                        measure-fixupdate builds it); LOG: a scratch file; TABLE:
#                                        the cost table
#
# Instructions are counted as calibrate.sh counts them; cycles are estimated from the same traces
# by arm9e-cycles.awk (ARM9E-S timings). Per parameter is (one call on 64 parameters less one on
# 32) / 32, so the call's fixed cost cancels; it is the mean over MNIST-like operands
# (fixupdate_measure.c), since the square root and the libgcc division depend on them.
# Environment: QEMU_ARM, ARM_NM, ARM_CC, ARM_OBJDUMP.
set -euo pipefail
elf=$1
log=$2
table=$3
qemu=${QEMU_ARM:-qemu-arm}
nm=${ARM_NM:-arm-none-eabi-nm}
cc=${ARM_CC:-arm-none-eabi-gcc}
objdump=${ARM_OBJDUMP:-arm-none-eabi-objdump}
. "$(dirname "$0")/calibrate-count.sh"

echo "# s4j_fixupdate.c on the ARM968 per parameter, printed by fixupdate-measure.sh (make measure-fixupdate):"
echo "# $("$cc" --version | head -1), $("$qemu" --version | head -1)"
echo "# instructions counted under qemu; cycles estimated by arm9e-cycles.awk (ARM9E-S timings)"
printf '%-28s %8s %8s\n' "" instr cycles
for u in sgd adam; do
    for r in nearest stochastic; do
        set -- $(nc "$u" "$r" 64); i64=$1; c64=$2
        set -- $(nc "$u" "$r" 32); i32=$1; c32=$2
        printf '%-28s %8s %8s\n' "s16.15 $u, $r" "$(per 32 "$i64" "$i32")" "$(per 32 "$c64" "$c32")"
    done
    printf '%-28s %8s %8s\n' "float $u (update.$u)" \
        "$(awk -F' = ' -v k="update.$u" '$1 == k { print $2 }' "$table")" -
done
rm -f "$log" "$log.dis"
