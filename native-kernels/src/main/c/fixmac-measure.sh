#!/usr/bin/env bash
# Measures the s16.15 row multiply-accumulate s4j_fix_mac_row on the ARM968: the assembly
# (s4j_fixmac_arm.S), its whole-block form s4j_fix_mac_panels, and the obvious C loop (fixmac_check.c's contract_mac_row, built with the
# kernels' ARM flags), against the float kernel's MAC (calibrate.c's accumulate scenario, whose
# per-MAC instructions are block.mac in the cost table).
#
#   fixmac-measure.sh FIXELF CALELF LOG   FIXELF: fixmac_check.c linked with the assembly;
#                                         CALELF: calibrate.c linked with the kernels (make
#                                         measure-fixmac builds both); LOG: a scratch file
#
# Instructions are counted as calibrate.sh counts them; cycles are estimated from the same
# traces by arm9e-cycles.awk (ARM9E-S timings, docs/fixed-point.md). Each figure comes from R
# calls on R rows of C columns for R and C in 16 and 32, split as fixed + per call + per
# column + per MAC (calibrate-count.sh's fit); per call is besides the harness's loop (an
# empty function of the same signature); the tail (columns beyond a multiple of 4) from 16
# calls on 19 columns against 16. Environment: QEMU_ARM, ARM_NM, ARM_CC, ARM_OBJDUMP.
set -euo pipefail
elf=$1
cal_elf=$2
log=$3
qemu=${QEMU_ARM:-qemu-arm}
nm=${ARM_NM:-arm-none-eabi-nm}
cc=${ARM_CC:-arm-none-eabi-gcc}
objdump=${ARM_OBJDUMP:-arm-none-eabi-objdump}
. "$(dirname "$0")/calibrate-count.sh"

# row WHAT MAC_I MAC_C CALL_I CALL_C HARNESS_I HARNESS_C TAIL_I TAIL_C: one line of the table,
# instructions (_I) and cycles (_C); per call less the harness's loop
row() {
    printf '%-30s %6s %6s %8s %8s %6s %6s\n' "$1" "$2" "$3" \
        "$(awk -v b="$4" -v h="$6" 'BEGIN { printf "%.1f", b - h }')" \
        "$(awk -v b="$5" -v h="$7" 'BEGIN { printf "%.1f", b - h }')" "$8" "$9"
}

echo "# s4j_fix_mac_row on the ARM968, printed by fixmac-measure.sh (make measure-fixmac):"
echo "# $("$cc" --version | head -1), $("$qemu" --version | head -1)"
echo "# instructions counted under qemu; cycles estimated by arm9e-cycles.awk (ARM9E-S timings)"
set -- $(fit null); null_i=$2
set -- $(count=cycles fit null); null_c=$2
printf '%-30s %6s %6s %8s %8s %6s %6s\n' "" MAC MAC call call tail tail
printf '%-30s %6s %6s %8s %8s %6s %6s\n' "" instr cycles instr cycles instr cycles
for f in asm c; do
    set -- $(fit "$f"); mac_i=$1; call_i=$2
    set -- $(count=cycles fit "$f"); mac_c=$1; call_c=$2
    tail_i=$(per 48 "$(n "$f" 16 19)" "$(n "$f" 16 16)")
    tail_c=$(per 48 "$(cycles "$f" 16 19)" "$(cycles "$f" 16 16)")
    case $f in
        asm) what="assembly (s4j_fixmac_arm.S)" ;;
        *) what="C contract loop" ;;
    esac
    row "$what" "$mac_i" "$mac_c" "$call_i" "$call_c" "$null_i" "$null_c" "$tail_i" "$tail_c"
done
# s4j_fix_mac_panels, one call on an R x C block: per MAC from R in 64, 128 and C in 48, 96 (panels of 3 columns
# only, 8 rows a step), per call less an empty function's; then the measured whole of blocks whose columns leave a
# panel of 1 or 2 (and rows a step of fewer than 8) against R C times that MAC and the call
# panels_mac UNIT: per MAC of the four shapes (n or cycles)
panels_mac() {
    local p q r s
    p=$($1 panels 64 48); q=$($1 panels 128 48); r=$($1 panels 64 96); s=$($1 panels 128 96)
    awk -v p="$p" -v q="$q" -v r="$r" -v s="$s" 'BEGIN { printf "%.2f", (s - q - r + p) / (64 * 48) }'
}
pm_i=$(panels_mac n)
pm_c=$(panels_mac cycles)
call_i=$(( $(n panels 1 3) - $(n panelsnull 1 3) ))
call_c=$(( $(cycles panels 1 3) - $(cycles panelsnull 1 3) ))
printf '%-30s %6s %6s %8s %8s\n' "panels (s4j_fix_mac_panels)" "$pm_i" "$pm_c" "$call_i" "$call_c"
echo "# whole calls of s4j_fix_mac_panels, cycles (est.): measured, and R C x $pm_c"
for shape in "49 17" "784 17" "64 16" "63 1" "63 2" "63 4" "100 31"; do
    set -- $shape
    whole=$(( $(cycles panels "$1" "$2") - $(cycles panelsnull "$1" "$2") ))
    printf '%-30s %8s %8s\n' "$1 x $2" "$whole" "$(awk -v r="$1" -v c="$2" -v m="$pm_c" 'BEGIN { printf "%.0f", r * c * m }')"
done
elf=$cal_elf
markers
set -- $(fit accumulate); mac_i=$1
set -- $(count=cycles fit accumulate); mac_c=$1
printf '%-30s %6s %6s %8s %8s %6s %6s\n' "float kernel (block.mac)" "$mac_i" "$mac_c" - - - -
rm -f "$log" "$log.dis"
