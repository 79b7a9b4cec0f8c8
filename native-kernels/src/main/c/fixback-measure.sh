#!/usr/bin/env bash
# Measures the s16.15 backward pass (s4j_fixback.c) on the ARM968: instructions and estimated
# cycles per weight of a block's gradient sums (dW += x delta in 64 bits) and of those plus its
# error (W delta added into 64-bit sums), against the float backward pass's figures in the cost
# table (backward.dw, backward.dw_and_w_delta: s4j_block_backward per weight); then per row of the
# error's rounding and per column of each hidden and output delta.
#
#   fixback-measure.sh ELF LOG TABLE   ELF: fixback_measure.c linked with s4j_fixback.c (make
#                                      measure-fixback builds it); LOG: a scratch file; TABLE: the
#                                      cost table
#
# Instructions are counted as calibrate.sh counts them; cycles are estimated from the same traces
# by arm9e-cycles.awk (ARM9E-S timings). Per weight is (a call on 32 rows less one on 16) / (16 x
# 32), 32 columns each, so the per-row and fixed costs cancel; per row (the error's rounding) or
# column (a hidden delta per activation, an output delta per loss) is (32 less 16) / 16.
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

echo "# s4j_fixback.c on the ARM968 per weight, printed by fixback-measure.sh (make measure-fixback):"
echo "# $("$cc" --version | head -1), $("$qemu" --version | head -1)"
echo "# instructions counted under qemu; cycles estimated by arm9e-cycles.awk (ARM9E-S timings)"
printf '%-40s %8s %8s\n' "" instr cycles
for w in dw dw_and_error; do
    set -- $(nc "$w" 32 32); i32=$1; c32=$2
    set -- $(nc "$w" 16 32); i16=$1; c16=$2
    printf '%-40s %8s %8s\n' "s16.15 $w" "$(per 512 "$i32" "$i16")" "$(per 512 "$c32" "$c16")"
done
for k in backward.dw backward.dw_and_w_delta; do
    printf '%-40s %8s %8s\n' "float ($k)" "$(awk -F' = ' -v k="$k" '$1 == k { print $2 }' "$table")" -
done
# per row or column: (a call on 32 less one on 16) / 16
for w in round relu tanh sigmoid softmax_mcxent identity_mse; do
    set -- $(nc "$w" 32 1); i32=$1; c32=$2
    set -- $(nc "$w" 16 1); i16=$1; c16=$2
    printf '%-40s %8s %8s\n' "s16.15 $w, per row or column" "$(per 16 "$i32" "$i16")" "$(per 16 "$c32" "$c16")"
done
rm -f "$log" "$log.dis"
