#!/usr/bin/env bash
# Compares measured ARM instruction counts with the cost table the simulator and mapper use, and
# fails if any figure differs from its table entry by more than 5 % (or either lacks the other).
#
#   check-calibration.sh MEASURED TABLE     both in the properties format calibrate.sh prints
#
# Prints every figure: measured, table, difference, and "ok" or "DIFFERS".
set -euo pipefail
awk -v limit=0.05 '
    function entries(line, kv) {
        if (line ~ /^[ \t]*(#|$)/) { return 0 }
        split(line, kv, /[ \t]*=[ \t]*/); gsub(/^[ \t]+|[ \t]+$/, "", kv[1]); gsub(/[ \t]+$/, "", kv[2])
        return 1
    }
    FNR == NR { if (entries($0, kv)) { measured[kv[1]] = kv[2]; order[++n] = kv[1] } next }
    { if (entries($0, kv)) { table[kv[1]] = kv[2] } }
    END {
        bad = 0
        printf "%-34s %10s %10s %8s\n", "figure", "measured", "table", "diff"
        for (i = 1; i <= n; i++) {
            k = order[i]; m = measured[k] + 0
            if (!(k in table)) { printf "%-34s %10s %10s %8s  MISSING FROM TABLE\n", k, measured[k], "-", "-"; bad++; continue }
            t = table[k] + 0; scale = (t < 0 ? -t : t); d = m - t; if (d < 0) { d = -d }
            rel = scale > 0 ? d / scale : (d > 0 ? 1 : 0)
            ok = rel <= limit
            printf "%-34s %10s %10s %7.1f%%  %s\n", k, measured[k], table[k], 100 * rel, ok ? "ok" : "DIFFERS"
            if (!ok) { bad++ }
        }
        for (k in table) { if (!(k in measured)) { printf "%-34s %10s %10s %8s  NOT MEASURED\n", k, "-", table[k], "-"; bad++ } }
        if (bad > 0) { printf "%d figure(s) differ from the cost table by more than %d %%; re-calibrate (make calibrate) and update the table and docs/machine-model.md\n", bad, 100 * limit; exit 1 }
        printf "all %d figures within %d %% of the cost table\n", n, 100 * limit
    }' "$1" "$2"
