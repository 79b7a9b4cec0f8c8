# Sourced by calibrate.sh and fixmac-measure.sh: counts the ARM instructions executed between
# the harness's calib_begin() and calib_end() calls (or estimates their cycles). Expects elf (the harness), log (a scratch
# file for qemu's trace), qemu (qemu-arm) and nm (arm-none-eabi-nm) to be set; cycles and nc
# also objdump (arm-none-eabi-objdump).

count_dir=$(dirname "${BASH_SOURCE[0]}")

# markers: the addresses of calib_begin and calib_end in elf (again after elf changes).
markers() {
    rm -f "$log.dis"
    begin=$("$nm" "$elf" | awk '$3 == "calib_begin" { print $1 }')
    end=$("$nm" "$elf" | awk '$3 == "calib_end" { print $1 }')
}
markers

# trace ARGS: one run of `ELF ARGS` under qemu, its trace in log.
trace() {
    "$qemu" -cpu arm946 -singlestep -d nochain,exec -D "$log" "$elf" "$@" \
        || { echo "${0##*/}: scenario '$*' failed" >&2; exit 1; }
}

# instructions_of_log: instructions between calib_begin() and calib_end() in the trace in log.
instructions_of_log() {
    awk -v b="$begin" -v e="$end" '$1 == "Trace" { split($4, f, "/");
        if (f[2] == b) { on = 1 } else if (f[2] == e) { on = 0 } else if (on) { c++ } }
        END { print c + 0 }' "$log"
}

# cycles_of_log: as instructions_of_log, the ARM968's cycles instead, estimated by
# arm9e-cycles.awk (conditional instructions counted as executed; as skipped if skipped is 1).
# The disassembly of elf is made once, in log.dis (markers removes it when elf changes).
cycles_of_log() {
    [ -s "$log.dis" ] || "$objdump" -d "$elf" > "$log.dis"
    awk -v b="$begin" -v e="$end" -v skipped="${skipped:-0}" -f "$count_dir/arm9e-cycles.awk" "$log.dis" "$log"
}

# n ARGS: instructions between calib_begin() and calib_end() in one run of `ELF ARGS`.
n() {
    trace "$@"
    instructions_of_log
}

# cycles ARGS: as n, the ARM968's estimated cycles instead.
cycles() {
    trace "$@"
    cycles_of_log
}

# nc ARGS: "instructions cycles" of one run of `ELF ARGS` (one trace for both).
nc() {
    trace "$@"
    echo "$(instructions_of_log) $(cycles_of_log)"
}

# per X A B: (A - B) / X.
per() {
    awk -v x="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", (a - b) / x }'
}

# fit_terms P Q R S: counts at (R, C) = (16, 16), (32, 16), (16, 32), (32, 32) split as
# a + b R + c C + d R C; prints d b c a.
fit_terms() {
    awk -v p="$1" -v q="$2" -v r="$3" -v s="$4" 'BEGIN {
        d = (s - q - r + p) / 256; b = (q - p) / 16 - 16 * d; c = (r - p) / 16 - 16 * d;
        printf "%.1f %.1f %.1f %.0f\n", d, b, c, p - 16 * b - 16 * c - 256 * d }'
}

# fit NAME [S]: runs NAME R C [S] for R, C in 16, 32 and splits the counts (n, or the
# function named by count) as fit_terms does; prints d b c a.
fit() {
    local k=${count:-n}
    fit_terms "$($k "$1" 16 16 ${2:+"$2"})" "$($k "$1" 32 16 ${2:+"$2"})" \
        "$($k "$1" 16 32 ${2:+"$2"})" "$($k "$1" 32 32 ${2:+"$2"})"
}

# fitnc NAME [ARGS...]: as fit, from one trace of NAME R C ARGS... per shape (nc); prints d b c a
# of the instructions, then d b c a of the cycles.
fitnc() {
    local name=$1
    shift
    set -- $(nc "$name" 16 16 "$@") $(nc "$name" 32 16 "$@") $(nc "$name" 16 32 "$@") $(nc "$name" 32 32 "$@")
    echo "$(fit_terms "$1" "$3" "$5" "$7") $(fit_terms "$2" "$4" "$6" "$8")"
}

