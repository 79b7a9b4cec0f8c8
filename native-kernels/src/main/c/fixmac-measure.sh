#!/usr/bin/env bash
# Counts the ARM instructions of the s16.15 row multiply-accumulate s4j_fix_mac_row, the
# assembly (s4j_fixmac_arm.S) and the obvious C loop (fixmac_check.c's contract_mac_row, built
# with the kernels' ARM flags), as calibrate.sh counts the kernels'.
#
#   fixmac-measure.sh ELF LOG   ELF: fixmac_check.c linked with the assembly (make
#                               measure-fixmac builds it); LOG: a scratch file for qemu's trace
#
# Each count is of R calls on R rows of C columns between the markers, for R and C in 16 and 32,
# split as fixed + per call + per column + per MAC (calibrate-count.sh's fit); the tail (columns
# beyond a multiple of 4) from 16 calls on 19 columns against 16. Environment: QEMU_ARM
# (qemu-arm), ARM_NM (arm-none-eabi-nm), ARM_CC (arm-none-eabi-gcc, for its version).
set -euo pipefail
elf=$1
log=$2
qemu=${QEMU_ARM:-qemu-arm}
nm=${ARM_NM:-arm-none-eabi-nm}
cc=${ARM_CC:-arm-none-eabi-gcc}
. "$(dirname "$0")/calibrate-count.sh"

echo "# ARM instructions of s4j_fix_mac_row, printed by fixmac-measure.sh (make measure-fixmac):"
echo "# $("$cc" --version | head -1), $("$qemu" --version | head -1)"
set -- $(fit null)
harness=$2
echo "# the harness's loop per call of an empty function of the same signature: $harness"
printf '%-5s %8s %9s %10s %14s\n' code per-MAC per-call per-column tail-per-column
for f in asm c; do
    set -- $(fit "$f")
    tail=$(per 48 "$(n "$f" 16 19)" "$(n "$f" 16 16)")
    # per call besides the harness's loop
    printf '%-5s %8s %9s %10s %14s\n' "$f" "$1" "$(awk -v b="$2" -v h="$harness" 'BEGIN { printf "%.1f", b - h }')" \
        "$3" "$tail"
done
rm -f "$log"
