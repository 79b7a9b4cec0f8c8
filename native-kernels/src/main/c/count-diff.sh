#!/usr/bin/env bash
# Where two builds of the calibration harness differ in the instructions one operation executes:
# counts, per function (or per instruction of one function), the instructions executed between
# calib_begin() and calib_end() as calibrate.sh does, per operation ((count of scenario HI -
# count of scenario LO) / PER), in build A and in build B.
#
#   count-diff.sh A_ELF B_ELF PER 'HI ARGS' 'LO ARGS' [FUNCTION]
#       e.g. count-diff.sh old.elf new.elf 32 'rows 48 0' 'rows 16 0'   (block.value)
#
# Without FUNCTION: one line per function that executes in either build: A, B and B - A per
# operation (a function inlined in one build and not the other shows in its caller). With
# FUNCTION: that function's instructions that execute per operation, each build's listing in
# turn (count and disassembly), to read side by side with diff or by eye. make diff-counts runs
# it against a baseline build (see the Makefile). Environment: QEMU_ARM, ARM_NM, ARM_OBJDUMP.
set -euo pipefail
a_elf=$1
b_elf=$2
per_op=$3
hi=$4
lo=$5
function=${6:-}
qemu=${QEMU_ARM:-qemu-arm}
nm=${ARM_NM:-arm-none-eabi-nm}
objdump=${ARM_OBJDUMP:-arm-none-eabi-objdump}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
log=$scratch/trace
elf=$a_elf
. "$(dirname "$0")/calibrate-count.sh"

# pcs ARGS: the PC of every instruction executed between the markers in one run of `ELF ARGS`, with
# its count, one "count pc" a line.
pcs() {
    trace "$@"
    awk -v b="$begin" -v e="$end" '$1 == "Trace" { split($4, f, "/");
        if (f[2] == b) { on = 1 } else if (f[2] == e) { on = 0 } else if (on) { c[f[2]]++ } }
        END { for (pc in c) print c[pc], pc }' "$log"
}

# per_pc NAME: for elf, "function count-per-operation disassembly" of every instruction whose count
# differs between the two scenarios, in address order, into $scratch/NAME.
per_pc() {
    markers
    pcs $hi > "$scratch/hi"
    pcs $lo > "$scratch/lo"
    "$objdump" -d "$elf" > "$scratch/dis"
    awk -v per="$per_op" '
        FILENAME == ARGV[1] { hi[$2] = $1; next }
        FILENAME == ARGV[2] { lo[$2] = $1; next }
        /^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3); next }
        /^ *[0-9a-f]+:\t/ {
            pc = $1; sub(/:$/, "", pc); while (length(pc) < 8) pc = "0" pc
            if (!(pc in hi)) next
            d = (hi[pc] - lo[pc]) / per
            if (d == 0) next
            text = $0; sub(/^ *[0-9a-f]+:\t[0-9a-f ]+\t/, "", text); sub(/[ \t]*;.*$/, "", text)
            gsub(/\t/, " ", text)
            printf "%s %.2f %s\n", fn, d, text
        }' "$scratch/hi" "$scratch/lo" "$scratch/dis" > "$scratch/$1"
}

elf=$a_elf; per_pc a
elf=$b_elf; per_pc b
if [ -z "$function" ]; then
    printf '%-32s %8s %8s %8s\n' function A B B-A
    awk 'FILENAME == ARGV[1] { a[$1] += $2; all[$1] = 1; next } { b[$1] += $2; all[$1] = 1 }
        END { for (f in all) { ta += a[f]; tb += b[f]; printf "%-32s %8.2f %8.2f %8.2f\n", f, a[f], b[f], b[f] - a[f] }
              printf "%-32s %8.2f %8.2f %8.2f\n", "(total)", ta, tb, tb - ta }' \
        "$scratch/a" "$scratch/b" | sort -k1,1 | awk '$1 != "(total)" { print } $1 == "(total)" { t = $0 } END { print t }'
else
    for x in a b; do
        echo "# $function in build ${x^^} (instructions per operation)"
        awk -v f="$function" '$1 == f { $1 = ""; print substr($0, 2) }' "$scratch/$x"
    done
fi
