# Estimates the ARM968E-S (ARM9E-S core) cycles of the instructions a qemu trace executed
# between two marker addresses, from the ARM9E-S instruction timings (docs/fixed-point.md, "MAC
# cost on the ARM build", cites them; figures marked est. there are estimates). Zero-wait-state
# TCM assumed. The trace does not say whether a conditional instruction other than a branch
# executed (unless it writes pc): counted as executed, or as skipped (1 cycle) with -v skipped=1,
# so the two runs bound the estimate.
#
#   awk -v b=BEGIN -v e=END [-v skipped=1] -f arm9e-cycles.awk DISASSEMBLY TRACE
#
# DISASSEMBLY: `arm-none-eabi-objdump -d` of the ELF; TRACE: `qemu-arm -singlestep -d
# nochain,exec` log of one run (one Trace line per instruction, its address in field 4). Prints
# the cycles from the first instruction after the one at b up to the one at e, as
# calibrate-count.sh's n counts instructions.

function hex8(a) {
    a = tolower(a)
    while (length(a) < 8) a = "0" a
    return a
}

# the registers an operand list names, r0-r15 by number ("sp", "lr", "pc", "ip", "fp", "sl", "sb"
# too), ranges in braces expanded; into out[1..], returns how many
function registers(ops, out,    n, s, m, i, lo, hi) {
    n = 0
    s = ops
    gsub(/sb/, "r9", s); gsub(/sl/, "r10", s); gsub(/fp/, "r11", s); gsub(/ip/, "r12", s)
    gsub(/sp/, "r13", s); gsub(/lr/, "r14", s); gsub(/pc/, "r15", s)
    while (match(s, /r[0-9]+(-r[0-9]+)?/)) {
        m = substr(s, RSTART + 1, RLENGTH - 1)
        s = substr(s, RSTART + RLENGTH)
        if (index(m, "-")) {
            lo = substr(m, 1, index(m, "-") - 1) + 0
            hi = substr(m, index(m, "-") + 2) + 0
            for (i = lo; i <= hi; i++) out[++n] = i
        } else {
            out[++n] = m + 0
        }
    }
    return n
}

# 1 if the instruction (mnemonic op, operands ops) reads register r
function reads(op, ops, r,    regs, n, i, first) {
    n = registers(ops, regs)
    if (op ~ /^(ldm|pop)/) return op ~ /^ldm/ && regs[1] == r       # its base register
    # a store multiple interlocks on its base and on the first register it stores only
    if (op ~ /^stm/) return regs[1] == r || regs[2] == r
    if (op ~ /^push/) return regs[1] == r
    # stores, compares and branches read every register they name; multiply-accumulates
    # (long ones read RdLo and RdHi) read all; the rest all but the first (the destination),
    # a base register written back included
    first = (op ~ /^(str|stm|push|cmp|cmn|tst|teq|b|smlal|umlal|mla|mls|smla)/) ? 1 : 2
    for (i = first; i <= n; i++) if (regs[i] == r) return 1
    if (first == 2 && ops ~ /\[r/ && ops ~ /!/ && n >= 2 && regs[2] == r) return 1
    return 0
}

# the cycles of instruction pc followed by next (its successor in the trace)
function cost(pc, next_pc,    op, ops, n, regs, c, last, nop, nops) {
    op = mnem[pc]; ops = oper[pc]
    nop = mnem[next_pc]; nops = oper[next_pc]
    if (conditional[pc] && op !~ /^b/ && (skipped || (ops ~ /^pc|pc}/ && seq[pc] == next_pc))) {
        return 1
    }
    if (op ~ /^b(l|x|lx)?(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?$/) {
        # a taken branch refills the pipeline (est. 3); not taken, 1
        return seq[pc] == next_pc ? 1 : 3
    }
    if (op ~ /^(ldm|pop)/) {
        n = registers(ops, regs)
        if (op ~ /^ldm/) { n--; for (c = 1; c <= n; c++) regs[c] = regs[c + 1] }
        last = regs[n]
        if (last == 15) return n + 4                       # est., as LDR pc's 5 = 1 + 4
        c = n < 2 ? 2 : n
        return c + (reads(nop, nops, last) ? 1 : 0)      # last register used next: +1
    }
    if (op ~ /^(stm|push)/) {
        n = registers(ops, regs)
        if (op ~ /^stm/) n--
        return n < 2 ? 2 : n                               # est., as LDM
    }
    if (op ~ /^ldrd/) { registers(ops, regs); return reads(nop, nops, regs[2]) ? 3 : 2 }
    if (op ~ /^strd/) return 2
    if (op ~ /^ldr/) {
        registers(ops, regs)
        if (regs[1] == 15) return 5
        c = (ops ~ /, (lsl|lsr|asr|ror) #/) ? 2 : 1       # scaled register offset
        if (reads(nop, nops, regs[1])) c += (op ~ /^ldr(s?b|s?h)/) ? 2 : 1
        return c
    }
    if (op ~ /^str/) return (ops ~ /, (lsl|lsr|asr|ror) #/) ? 2 : 1
    if (op ~ /^(smull|umull|smlal|umlal)/) {
        registers(ops, regs)
        c = (op ~ /^(smull|umull|smlal|umlal)s/) ? 5 : 3
        # the result used next (not as the accumulator of a multiply-accumulate): +1
        if (c == 3 && nop !~ /^(smlal|umlal)/ && (reads(nop, nops, regs[1]) || reads(nop, nops, regs[2]))) c++
        return c
    }
    if (op ~ /^smlal(bb|bt|tb|tt)/) return 2
    if (op ~ /^(smla|smul)(bb|bt|tb|tt|wb|wt)/) return 1
    if (op ~ /^(mul|mla|mls)/) {
        registers(ops, regs)
        c = (op ~ /^(mul|mla)s/) ? 4 : 2
        if (c == 2 && nop !~ /^mla/ && reads(nop, nops, regs[1])) c++
        return c
    }
    registers(ops, regs)
    if (regs[1] == 15 && op !~ /^(cmp|cmn|tst|teq)/) return 4   # data op writing pc (3 or 4)
    if (ops ~ /, (lsl|lsr|asr|ror) r/ || (op ~ /^(lsl|lsr|asr|ror)/ && ops ~ /, r[0-9]+, (r[0-9]+|ip|lr|sl|fp|sb)$/))
        return 2                                           # register-controlled shift
    return 1
}

FNR == NR {
    # objdump: "    8540:\te3530000 \tcmp\tr3, #0"
    # (a 32-bit Thumb instruction, bl or blx, as two halfwords: "f003 ff9c")
    if (match($0, /^ *[0-9a-f]+:\t[0-9a-f]+( [0-9a-f][0-9a-f][0-9a-f][0-9a-f])? +\t/)) {
        split($0, t, "\t")
        a = t[1]; sub(/^ */, "", a); sub(/:$/, "", a)
        a = hex8(a)
        mnem[a] = t[3]
        sub(/\.[nw]$/, "", mnem[a])                   # Thumb's width suffix (b.n, bgt.n)
        # the condition field, bits 31..28, of an ARM instruction (8 hex digits); Thumb code
        # (4-digit halfwords) is conditional only in its branches, which cost() tells apart
        conditional[a] = t[2] ~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f] *$/ && t[2] !~ /^[ef]/
        oper[a] = t[4]
        sub(/[ \t]*[;@<].*$/, "", oper[a])
        if (last_a != "") seq[last_a] = a          # the next address in the disassembly
        last_a = a
    }
    next
}

$1 == "Trace" {
    split($4, f, "/")
    pc = tolower(f[2])
    if (prev != "") total += cost(prev, pc)
    prev = ""
    if (pc == b) { on = 1 } else if (pc == e) { on = 0 } else if (on) { prev = pc }
}

END { print total + 0 }
