# Sourced by calibrate.sh and fixmac-measure.sh: counts the ARM instructions executed between
# the harness's calib_begin() and calib_end() calls. Expects elf (the harness), log (a scratch
# file for qemu's trace), qemu (qemu-arm) and nm (arm-none-eabi-nm) to be set.
begin=$("$nm" "$elf" | awk '$3 == "calib_begin" { print $1 }')
end=$("$nm" "$elf" | awk '$3 == "calib_end" { print $1 }')

# n ARGS: instructions between calib_begin() and calib_end() in one run of `ELF ARGS`.
n() {
    "$qemu" -cpu arm946 -singlestep -d nochain,exec -D "$log" "$elf" "$@" \
        || { echo "${0##*/}: scenario '$*' failed" >&2; exit 1; }
    awk -v b="$begin" -v e="$end" '$1 == "Trace" { split($4, f, "/");
        if (f[2] == b) { on = 1 } else if (f[2] == e) { on = 0 } else if (on) { c++ } }
        END { print c + 0 }' "$log"
}

# per X A B: (A - B) / X.
per() {
    awk -v x="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", (a - b) / x }'
}

# fit NAME [S]: runs NAME R C [S] for R, C in 16, 32 and splits the counts as
# a + b R + c C + d R C; prints d b c a.
fit() {
    local c11 c21 c12 c22
    c11=$(n "$1" 16 16 ${2:+"$2"}); c21=$(n "$1" 32 16 ${2:+"$2"})
    c12=$(n "$1" 16 32 ${2:+"$2"}); c22=$(n "$1" 32 32 ${2:+"$2"})
    awk -v p="$c11" -v q="$c21" -v r="$c12" -v s="$c22" 'BEGIN {
        d = (s - q - r + p) / 256; b = (q - p) / 16 - 16 * d; c = (r - p) / 16 - 16 * d;
        printf "%.1f %.1f %.1f %.0f\n", d, b, c, p - 16 * b - 16 * c - 256 * d }'
}

