#!/usr/bin/env bash
# Counts the ARM instructions the lean kernels execute per operation and prints them as the
# cost table's properties (name = value, each after a comment saying what it is), the format of
# graph-mapper/src/main/resources/org/spinnaker4j/mapper/cost/arm968-soft-float.properties.
#
#   calibrate.sh ELF LOG      ELF: calibrate.c linked with the kernels (make calibrate builds it);
#                             LOG: a scratch file for qemu's trace
#
# Each scenario of ELF runs under `qemu-arm -cpu arm946 -singlestep -d nochain,exec`, which logs
# one Trace line per executed instruction; n counts those between the harness's calib_begin()
# and calib_end() calls, and each figure is a difference between sizes of a scenario, so fixed
# costs cancel; the s16.15 figures are also given in cycles estimated from the same traces
# (arm9e-cycles.awk). Environment: QEMU_ARM (qemu-arm), ARM_NM (arm-none-eabi-nm), ARM_CC
# (arm-none-eabi-gcc, for its version), ARM_OBJDUMP (arm-none-eabi-objdump).
set -euo pipefail
elf=$1
log=$2
qemu=${QEMU_ARM:-qemu-arm}
nm=${ARM_NM:-arm-none-eabi-nm}
cc=${ARM_CC:-arm-none-eabi-gcc}
objdump=${ARM_OBJDUMP:-arm-none-eabi-objdump}
. "$(dirname "$0")/calibrate-count.sh"

# figure NAME VALUE WHAT: one entry of the table.
figure() {
    printf '# %s\n%s = %s\n' "$3" "$1" "$2"
}

# the activations, in the cost table's order (the s16.15 kernels compute each too: docs/fixed-point.md)
ACTIVATIONS="identity relu leakyrelu hardtanh sigmoid tanh softplus elu softmax swish gelu selu mish softsign
    rationaltanh rectifiedtanh cube thresholdedrelu relu6"

echo "# ARM instructions per operation of the lean kernels, printed by calibrate.sh (make calibrate):"
echo "# $("$cc" --version | head -1), $("$qemu" --version | head -1)"
echo "# -O2 -mcpu=arm968e-s -marm -mfloat-abi=soft, newlib; each per-packet figure includes the harness's call"
figure harness.call "$(per 32 "$(n null 48)" "$(n null 16)")" \
    "the harness's loop per call of an empty function shaped like s4j_on_loaded_packet"
block_value=$(per 32 "$(n rows 48 0)" "$(n rows 16 0)")
figure block.value "$block_value" \
    "a value filed by a 64 x 8 DENSE_BLOCK that multiplies no row in (a row before it is missing)"
range=$(per 256 "$(n rows 32 8)" "$(n rows 32 0)")
figure packet.range "$range" \
    "per input range searched before the one that holds the key"
set -- $(fit accumulate)
mac=$1
figure block.mac "$1" "a multiply-accumulate z_j += x_i w_ij into a wide accumulator as a row is multiplied in (random operands)"
set -- $(fit accumulate0)
figure block.row "$2" "per row multiplied in, besides its MACs (the loop; zero operands)"
# a dense block's rows given at once (s4j_on_rows: a DMA buffer of its input; dmaaccumulate0 R C: rows 0 .. R-1 in
# one call, each filed, then all multiplied in), split as accumulate0's
set -- $(fit dmaaccumulate0)
figure block.dma.row "$2" \
    "per row a dense block files and multiplies in from rows given at once (s4j_on_rows), besides its MACs (zero operands)"
figure block.dma.event "$4" "the fixed work of a call of s4j_on_rows on a dense block, besides its rows and MACs"
# a 2-D convolution's block of 16 output columns of 4 channels: the first input row (W rows, 16 K runs of 4
# MACs) multiplied in, less its MACs at block.mac; rows from W = 32 to 48, runs from K = 3 to 5
r1=$(awk -v n="$(n rowconv 32 3 4 16)" -v m="$mac" 'BEGIN { print n - 48 * 4 * m }')
r2=$(awk -v n="$(n rowconv 48 3 4 16)" -v m="$mac" 'BEGIN { print n - 48 * 4 * m }')
r3=$(awk -v n="$(n rowconv 32 5 4 16)" -v m="$mac" 'BEGIN { print n - 80 * 4 * m }')
run=$(per 32 "$r3" "$r1")
figure rowconv.row "$(per 16 "$r2" "$r1")" \
    "per row a 2-D convolution's block multiplies in, besides its runs and MACs (the output columns under its column)"
figure rowconv.run "$run" \
    "per run of one output column's channels a 2-D convolution's block multiplies a row into, besides its MACs"
c16=$(( $(n last0 16 16) - $(n next0 16 16) ))
c32=$(( $(n last0 16 32) - $(n next0 16 32) ))
x=$(per 16 "$c32" "$c16")
figure block.completion.column "$x" \
    "per column of the event that completes an unfused block, besides its row (round the sum to a float, emit and send it, reset z)"
figure block.completion.fixed "$(awk -v a="$c16" -v x="$x" 'BEGIN { printf "%.0f", a - 16 * x }')" \
    "fixed work of the event that completes a block, besides its row and columns"
for k in max avg; do
    # along a sequence (P positions x C channels): a window and a pixel per position, C values each
    p8=$(n pool "$k" 8 8); p16=$(n pool "$k" 16 8); c16=$(n pool "$k" 8 16); pc16=$(n pool "$k" 16 16)
    value=$(awk -v a="$p8" -v b="$p16" -v c="$c16" -v d="$pc16" 'BEGIN { printf "%.1f", (d - c - b + a) / 64 }')
    column=$(awk -v a="$p8" -v c="$c16" -v v="$value" 'BEGIN { printf "%.1f", (c - a - 64 * v) / 8 }')
    # across rows of 12 pixels of 1 channel, 2 more rows: windows 2 at stride 2 (12 windows, 24 pixels)
    # and 4 at stride 4 (6 windows, 24 pixels)
    w2=$(( $(n pool "$k" 4 1 12 2 2) - $(n pool "$k" 2 1 12 2 2) ))
    w4=$(( $(n pool "$k" 4 1 12 4 4) - $(n pool "$k" 2 1 12 4 4) ))
    window=$(per 6 "$w2" "$w4")
    pixel=$(awk -v a="$w4" -v w="$window" -v v="$value" 'BEGIN { printf "%.1f", (a - 6 * w - 24 * v) / 24 }')
    figure "pool.value.$k" "$value" "per value a $k pooling block pools (one compare or add)"
    figure "pool.window.$k" "$window" \
        "per row and output pixel of a $k pooling block (its window on the row; a position along a sequence)"
    figure "pool.pixel.$k" "$pixel" "per pixel of a window on a row a $k pooling block pools, besides its values"
    figure "pool.completion.column.$k" "$column" \
        "per column of the row that completes a $k pooling block, besides its values (start, divide if avg, zero bias, emit and send)"
    figure "pool.completion.fixed.$k" "$(awk -v a="$p8" -v w="$window" -v p="$pixel" -v x="$value" -v c="$column" \
        -v v="$block_value" 'BEGIN { printf "%.0f", a - 8 * w - 8 * p - 64 * x - 8 * c - v }')" \
        "fixed work of the row that completes a $k pooling block, besides that packet, its windows, pixels, values and columns"
done
# a training pooling block's backward pass, from the partial that completes its deltas: per column (its
# derivative and start, avg's division; besides backward.output.identity), per value of its windows (a compare, or
# a share added to a gradient still 0, with its loops), per value beyond the block's rows (overlapping windows on a
# row: a share added to a gradient another window reached), per row (zeroed, emitted and sent) and fixed
identity=$(per 32 "$(n hidden identity 64)" "$(n hidden identity 32)")
for k in max avg; do
    a=$(n poolback "$k" 8 8); b=$(n poolback "$k" 16 8); c=$(n poolback "$k" 8 16)
    d2=$(n poolback "$k" 2 1 12 2 2); d3=$(n poolback "$k" 2 1 12 2 3); h=$(n poolback "$k" 2 1 12 3 1)
    # along a sequence a value and a row per position and channel: 64 more of each from P = 8 to 16
    b_each=$(per 64 "$b" "$a")
    b_column=$(awk -v a="$a" -v c="$c" -v x="$b_each" 'BEGIN { printf "%.1f", (c - a - 64 * x) / 8 }')
    # rows of 12 pixels: windows of 2 at stride 2 (6 columns, 24 values) and at stride 3 (4, 16), 24 rows each
    b_value=$(awk -v p="$d2" -v q="$d3" -v c="$b_column" 'BEGIN { printf "%.1f", (p - q - 2 * c) / 8 }')
    # windows of 3 at stride 1: 10 columns, 60 values, 36 beyond the 24 rows
    b_overlap=$(awk -v h="$h" -v d="$d2" -v c="$b_column" -v v="$b_value" \
        'BEGIN { printf "%.1f", (h - d - 4 * c - 36 * v) / 36 }')
    figure "poolback.value.$k" "$b_value" \
        "per value of its windows a training $k pooling block's backward pass reads or adds a share to"
    figure "poolback.overlap.$k" "$b_overlap" \
        "per value beyond its rows a training $k pooling block's backward pass reaches (windows overlapping on a row)"
    figure "poolback.row.$k" "$(awk -v x="$b_each" -v v="$b_value" 'BEGIN { printf "%.1f", x - v }')" \
        "per row of a training $k pooling block's backward pass (zeroed, emitted and sent)"
    figure "poolback.column.$k" "$(awk -v c="$b_column" -v i="$identity" 'BEGIN { printf "%.1f", c - i }')" \
        "per column of a training $k pooling block's backward pass, besides backward.output.identity"
    figure "poolback.fixed.$k" "$(awk -v a="$a" -v x="$b_each" -v c="$b_column" -v v="$block_value" \
        'BEGIN { printf "%.0f", a - 64 * x - 8 * c - v }')" \
        "fixed work of the partial that completes a training $k pooling block's backward pass, besides that packet"
done
# a normalization pools its one position (a window of one pixel, C values) as avg adds, so it
# shares avg's value, window and pixel; from C = 8 to 16 channels, the rest per channel is its column
c8=$(n pool norm 1 8); c16=$(n pool norm 1 16)
column=$(awk -v a="$c8" -v c="$c16" -v v="$value" 'BEGIN { printf "%.1f", (c - a) / 8 - v }')
figure pool.value.norm "$value" "per value a norm pooling block pools (one add to 0, as avg's)"
figure pool.window.norm "$window" "per row and output pixel of a norm pooling block (one: as avg's)"
figure pool.pixel.norm "$pixel" "per pixel of a window on a row a norm pooling block pools (one: as avg's)"
figure pool.completion.column.norm "$column" \
    "per column of the row that completes a norm pooling block, besides its value (start, normalize, bias, emit and send)"
figure pool.completion.fixed.norm "$(awk -v a="$c8" -v w="$window" -v p="$pixel" -v x="$value" -v c="$column" \
    -v v="$block_value" 'BEGIN { printf "%.0f", a - w - p - 8 * x - 8 * c - v }')" \
    "fixed work of the row that completes a norm pooling block, besides that packet, its window, pixel, values and columns"
# a normalization's backward pass (score(DataSet)'s: delta · gamma / std per column) zeroes, emits and sends its
# rows as avg's; from C = 8 to 16 channels the rest per channel is its column (no window: value and overlap 0)
a=$(n poolback norm 1 8); c=$(n poolback norm 1 16)
row=$(awk -v x="$b_each" -v v="$b_value" 'BEGIN { printf "%.1f", x - v }')
column=$(awk -v a="$a" -v c="$c" -v r="$row" -v i="$identity" 'BEGIN { printf "%.1f", (c - a) / 8 - r - i }')
figure poolback.value.norm 0 "per value of a training norm pooling block's backward pass (none: in its column)"
figure poolback.overlap.norm 0 "per value beyond its rows a training norm pooling block's backward pass reaches (none)"
figure poolback.row.norm "$row" "per row of a training norm pooling block's backward pass (zeroed, emitted and sent: as avg's)"
figure poolback.column.norm "$column" \
    "per column of a training norm pooling block's backward pass (delta · gamma / std), besides backward.output.identity"
figure poolback.fixed.norm "$(awk -v a="$a" -v r="$row" -v c="$column" -v i="$identity" -v v="$block_value" \
    'BEGIN { printf "%.0f", a - 8 * r - 8 * (c + i) - v }')" \
    "fixed work of the partial that completes a training norm pooling block's backward pass, besides that packet"
figure reduce.partial "$(per 128 "$(n partials 160)" "$(n partials 32)")" \
    "a partial sum filed by a REDUCE, not completing, from a source after its first (found by a multiply)"
# a block's partials read back from SDRAM, filed by one s4j_on_partials call (burst N: N of range 1's), 16 to 64
b16=$(n burst 16)
burst_key=$(per 48 "$(n burst 64)" "$b16")
figure reduce.burst.key "$burst_key" \
    "per partial sum a REDUCE files from a block's partials given at once (s4j_on_partials), no column completing"
figure reduce.burst.event "$(awk -v a="$b16" -v k="$burst_key" 'BEGIN { printf "%.0f", a - 16 * k }')" \
    "the fixed work of a call of s4j_on_partials on a REDUCE, besides its partial sums"
figure sink.value "$(per 32 "$(n sink 48)" "$(n sink 16)")" "a value filed by an OUTPUT_SINK"
figure source.value "$(per 32 "$(n source 64)" "$(n source 32)")" "a value sent by an INPUT_SOURCE's start event"
for a in $ACTIVATIONS; do
    figure "forward.output.$a" "$(per 32 "$(n act "$a" 64)" "$(n act "$a" 32)")" \
        "per output of a completing REDUCE with $a: sum the partials, bias, activation, emit and send"
done
figure reduce.column "$(awk -v c="$(per 32 "$(n column identity 64)" "$(n column identity 32)")" \
    -v w="$(per 32 "$(n act identity 64)" "$(n act identity 32)")" 'BEGIN { printf "%.1f", c - w }')" \
    "per column an inference REDUCE sends as soon as its partials are in, besides forward.output of its activation"
# the fixed-point mode's functions (s4j_fixfunc.h): the average per call over 256 inputs spread over each one's range
# (calibrate.c, scenario fix), the harness's loop included; their cost varies with the input (docs/fixed-point.md)
for f in exp div sigmoid tanh softplus elu softsign swish gelu selu mish rationaltanh; do
    figure "fix.$f" "$(per 256 "$(n fix "$f" 512)" "$(n fix "$f" 256)")" \
        "per call of the fixed-point $f (s16.15), averaged over its calibration inputs"
done
echo "# s16.15 fixed point: each figure in instructions, and as NAME.cycles in ARM968 cycles estimated from the"
echo "# same scenario's trace by arm9e-cycles.awk (ARM9E-S timings), which CoreCostModel charges s16.15 cores"
# fixfigure NAME INSTRUCTIONS CYCLES WHAT: an s16.15 figure, in instructions and in estimated cycles.
fixfigure() {
    figure "$1" "$2" "s16.15: $4"
    figure "$1.cycles" "$3" "s16.15, estimated cycles: $4"
}
# nc_per X A B: (A - B) / X for both halves of two "instructions cycles" pairs.
nc_per() {
    set -- "$1" $2 $3
    echo "$(per "$1" "$2" "$4") $(per "$1" "$3" "$5")"
}
# nc_diff A B: A - B for both halves of two pairs.
nc_diff() {
    set -- $1 $2
    echo "$(( $1 - $3 )) $(( $2 - $4 ))"
}
# larger FIXED A B: "instructions cycles" of FIXED, or A B where larger
larger() {
    set -- $1 "$2" "$3"
    echo "$(( $1 > $3 ? $1 : $3 )) $(( $2 > $4 ? $2 : $4 ))"
}
# a training block's words, each multiplied in as it arrives (fixtrainwords R C: R words of C MACs), split as
# accumulate's
set -- $(fitnc fixtrainwords); mac_i=$1; mac_c=$5
fixfigure fix.block.mac "$1" "$5" \
    "a multiply-accumulate into a 64-bit sum as a training block multiplies a word in (s4j_fix_mac_row: s4j_fixmac_arm.S on the ARM)"
fixfigure fix.block.train.word "$2" "$6" \
    "a word a training block multiplies into its sums as it arrives, besides its MACs (filed: duplicate bit, count, x ring; the call)"
# an inference block's words, each kept for its completion (fixwords R C: rows 0 .. R-1 of an (R + 1) x C block)
set -- $(fitnc fixwords)
fixfigure fix.block.word "$2" "$6" \
    "a word an inference block keeps for its completion (filed: duplicate bit, count, stored)"
# a training block's words given at once (s4j_on_rows: fixtraindma R C), split as fixtrainwords
set -- $(fitnc fixtraindma)
fixfigure fix.block.train.dma.row "$2" "$6" \
    "per word a training block keeps in its x ring and multiplies in from words given at once (s4j_on_rows), besides its MACs"
fixfigure fix.block.train.dma.event "$4" "$8" \
    "the fixed work of a call of s4j_on_rows on a training block, besides its words and MACs"
# the same on an inference block (fixdmaaccumulate R C, rows 0 .. R-1 in one call), split as fixwords
set -- $(fitnc fixdmaaccumulate)
fixfigure fix.block.dma.row "$2" "$6" \
    "per word an inference block keeps from words given at once (s4j_on_rows)"
fixfigure fix.block.dma.event "$4" "$8" \
    "the fixed work of a call of s4j_on_rows on an inference block, besides its words"
# field PAIR F: field F of a pair (1: instructions, 2: cycles)
field() {
    echo "$1" | awk -v f="$2" '{ print $f }'
}
# an inference block's completion multiplies every word in at once (s4j_fix_mac_panels, in panels of 3 columns, the
# last of the cols mod 3 left, a panel's sums in registers, 8 rows a step): one call on R words of C columns
# (fixpanels R C) for R in 16, 32 and C = 3, 6 (panels of 3), 4 and 5 (a last panel of 1, of 2); the completion's own
# figures below are its completing word less these MACs at the same shape
# panelsplit I: field I (1 instructions, 2 cycles) of the fixpanels counts split as
# "mac fixed call row2 fixed2 row1 fixed1"
panelsplit() {
    local f=$1
    awk -v a="$(field "$p3a" "$f")" -v b="$(field "$p3b" "$f")" -v c="$(field "$p6a" "$f")" \
        -v d="$(field "$p6b" "$f")" -v e="$(field "$p4a" "$f")" -v g="$(field "$p4b" "$f")" \
        -v h="$(field "$p5a" "$f")" -v k="$(field "$p5b" "$f")" 'BEGIN {
        row = (b - a) / 16; fixed = c - a - 16 * row; call = a - fixed - 16 * row
        row1 = (g - b - e + a) / 16; fixed1 = e - a - 16 * row1
        row2 = (k - b - h + a) / 16; fixed2 = h - a - 16 * row2
        printf "%.2f %.0f %.0f %.1f %.0f %.1f %.0f\n", row / 3, fixed, call, row2, fixed2, row1, fixed1 }'
}
p3a=$(nc fixpanels 16 3); p3b=$(nc fixpanels 32 3); p6a=$(nc fixpanels 16 6); p6b=$(nc fixpanels 32 6)
p4a=$(nc fixpanels 16 4); p4b=$(nc fixpanels 32 4); p5a=$(nc fixpanels 16 5); p5b=$(nc fixpanels 32 5)
pi=$(panelsplit 1); pc=$(panelsplit 2)
fixfigure fix.block.panel.mac "$(field "$pi" 1)" "$(field "$pc" 1)" \
    "a multiply-accumulate of an inference block's completion in a panel of 3 columns (s4j_fix_mac_panels: s4j_fixmac_arm.S on the ARM)"
fixfigure fix.block.panel.fixed "$(field "$pi" 2)" "$(field "$pc" 2)" \
    "per panel of 3 columns of an inference block's completion, besides its MACs (its sums loaded and stored, its pass's start)"
fixfigure fix.block.panel.call "$(field "$pi" 3)" "$(field "$pc" 3)" \
    "the fixed work of an inference block's MACs at its completion (the call of s4j_fix_mac_panels)"
fixfigure fix.block.panel.row.2 "$(field "$pi" 4)" "$(field "$pc" 4)" \
    "per word of an inference block's last panel when it has 2 columns (its 2 MACs)"
fixfigure fix.block.panel.fixed.2 "$(field "$pi" 5)" "$(field "$pc" 5)" \
    "an inference block's last panel of 2 columns, besides its words"
fixfigure fix.block.panel.row.1 "$(field "$pi" 6)" "$(field "$pc" 6)" \
    "per word of an inference block's last panel when it has 1 column (its MAC)"
fixfigure fix.block.panel.fixed.1 "$(field "$pi" 7)" "$(field "$pc" 7)" \
    "an inference block's last panel of 1 column, besides its words"

# a 2-D convolution's fused block, as rowconv above on words: its first input row's work less its MACs at
# fix.block.mac; rows from W = 32 to 48, runs from K = 3 to 5
# fixrowconv W K MACS: "instructions cycles" of fixrowconv W K 4 16 less MACS MACs
fixrowconv() {
    set -- $(nc fixrowconv "$1" "$2" 4 16) "$3"
    echo "$(awk -v n="$1" -v k="$3" -v m="$mac_i" 'BEGIN { print n - k * m }') \
$(awk -v n="$2" -v k="$3" -v m="$mac_c" 'BEGIN { print n - k * m }')"
}
fr1=$(fixrowconv 32 3 192)
set -- $(nc_per 16 "$(fixrowconv 48 3 192)" "$fr1")
fixfigure fix.rowconv.row "$1" "$2" \
    "per row a 2-D convolution's fused block multiplies in, besides its runs and MACs (the output columns under its column)"
set -- $(nc_per 32 "$(fixrowconv 32 5 320)" "$fr1")
fixfigure fix.rowconv.run "$1" "$2" \
    "per run of one output column's channels a 2-D convolution's fused block multiplies a row into, besides its MACs"
set -- $(nc_per 32 "$(nc fixrows 48 0)" "$(nc fixrows 16 0)")
fixfigure fix.block.value "$1" "$2" \
    "a word filed by a block that keeps it (a 64-row MAX pooling block, not completing; a row convolution's, a row before it missing)"
fix_value="$1 $2"
# s16.15 pooling blocks (fixpool), split as the float ones above, each figure in instructions and cycles (field f of
# each "instructions cycles" pair); a normalization's value, window and pixel are avg's (the same walk adds its word)
# and its column the fold's product, rounding, emit and send
fixpoolsplit() {
    local p8=$1 p16=$2 c16=$3 pc16=$4 w2=$5 w4=$6 bv=$7
    awk -v a="$p8" -v b="$p16" -v c="$c16" -v d="$pc16" -v w2="$w2" -v w4="$w4" -v bv="$bv" 'BEGIN {
        value = (d - c - b + a) / 64; column = (c - a - 64 * value) / 8; window = (w2 - w4) / 6;
        pixel = (w4 - 6 * window - 24 * value) / 24;
        printf "%.1f %.1f %.1f %.1f %.0f\n", value, window, pixel, column,
            a - 8 * window - 8 * pixel - 64 * value - 8 * column - bv }'
}
for k in max avg; do
    p8=$(nc fixpool "$k" 8 8); p16=$(nc fixpool "$k" 16 8); c16=$(nc fixpool "$k" 8 16); pc16=$(nc fixpool "$k" 16 16)
    w2=$(nc_diff "$(nc fixpool "$k" 4 1 12 2 2)" "$(nc fixpool "$k" 2 1 12 2 2)")
    w4=$(nc_diff "$(nc fixpool "$k" 4 1 12 4 4)" "$(nc fixpool "$k" 2 1 12 4 4)")
    fig_i=$(fixpoolsplit "$(field "$p8" 1)" "$(field "$p16" 1)" "$(field "$c16" 1)" "$(field "$pc16" 1)" \
        "$(field "$w2" 1)" "$(field "$w4" 1)" "$(field "$fix_value" 1)")
    fig_c=$(fixpoolsplit "$(field "$p8" 2)" "$(field "$p16" 2)" "$(field "$c16" 2)" "$(field "$pc16" 2)" \
        "$(field "$w2" 2)" "$(field "$w4" 2)" "$(field "$fix_value" 2)")
    fixfigure "fix.pool.value.$k" "$(field "$fig_i" 1)" "$(field "$fig_c" 1)" \
        "per word a $k pooling block pools (one compare, or one add into a 64-bit sum)"
    fixfigure "fix.pool.window.$k" "$(field "$fig_i" 2)" "$(field "$fig_c" 2)" "per row and output pixel of a $k pooling block"
    fixfigure "fix.pool.pixel.$k" "$(field "$fig_i" 3)" "$(field "$fig_c" 3)" \
        "per pixel of a window on a row a $k pooling block pools, besides its words"
    fixfigure "fix.pool.completion.column.$k" "$(field "$fig_i" 4)" "$(field "$fig_c" 4)" \
        "per column of the row that completes a $k pooling block, besides its words (start, $k's result as a sum, bias, rounding, emit, send)"
    fixfigure "fix.pool.completion.fixed.$k" "$(field "$fig_i" 5)" "$(field "$fig_c" 5)" \
        "fixed work of the row that completes a $k pooling block, besides that packet, its windows, pixels, words and columns"
    [ "$k" = avg ] && avg_i=$fig_i && avg_c=$fig_c
done
c8=$(nc fixpool norm 1 8); c16=$(nc fixpool norm 1 16)
for f in 1 2; do
    [ "$f" = 1 ] && a=$avg_i || a=$avg_c
    set -- $a
    column=$(per 8 "$(field "$c16" "$f")" "$(field "$c8" "$f")")
    column=$(awk -v c="$column" -v v="$1" 'BEGIN { printf "%.1f", c - v }')
    fixed=$(awk -v a="$(field "$c8" "$f")" -v w="$2" -v p="$3" -v x="$1" -v c="$column" -v v="$(field "$fix_value" "$f")" \
        'BEGIN { printf "%.0f", a - w - p - 8 * x - 8 * c - v }')
    [ "$f" = 1 ] && norm_i="$1 $2 $3 $column $fixed" || norm_c="$1 $2 $3 $column $fixed"
done
fixfigure fix.pool.value.norm "$(field "$norm_i" 1)" "$(field "$norm_c" 1)" \
    "per word a folded norm pooling block pools (one add into a 64-bit sum, as avg's)"
fixfigure fix.pool.window.norm "$(field "$norm_i" 2)" "$(field "$norm_c" 2)" \
    "per row and output pixel of a folded norm pooling block (one: as avg's)"
fixfigure fix.pool.pixel.norm "$(field "$norm_i" 3)" "$(field "$norm_c" 3)" \
    "per pixel of a window on a row a folded norm pooling block pools (one: as avg's)"
fixfigure fix.pool.completion.column.norm "$(field "$norm_i" 4)" "$(field "$norm_c" 4)" \
    "per column of the row that completes a folded norm pooling block, besides its word (x a, bias c, one rounding, emit, send)"
fixfigure fix.pool.completion.fixed.norm "$(field "$norm_i" 5)" "$(field "$norm_c" 5)" \
    "fixed work of the row that completes a folded norm pooling block, besides that packet, its window, pixel, words and columns"
# fixcompletion BLOCK [A]: a completing row less a row that does not complete (scenarios fixBLOCKlast and
# fixBLOCKnext, activation A), less the MACs of an inference block's completion at the same shape (fixpanels, measured
# once for every completion below): "instructions cycles" per column from 16 to 32 columns, then the same at 16
# columns
panels16=$(nc fixpanels 16 16)
panels32=$(nc fixpanels 16 32)
fixcompletion() {
    local c16 c32
    c16=$(nc_diff "$(nc_diff "$(nc "fix${1}last" 16 16 ${2:+"$2"})" "$(nc "fix${1}next" 16 16 ${2:+"$2"})")" "$panels16")
    c32=$(nc_diff "$(nc_diff "$(nc "fix${1}last" 16 32 ${2:+"$2"})" "$(nc "fix${1}next" 16 32 ${2:+"$2"})")" "$panels32")
    echo "$(nc_per 16 "$c32" "$c16") $c16"
}
# fixcompletionfigures NAME BLOCK WHAT KIND [A]: NAME.column (per column, WHAT) and NAME.fixed (the rest, of KIND) of
# fixcompletion
fixcompletionfigures() {
    local name=$1 what=$3 kind=$4
    set -- $(fixcompletion "$2" ${5:+"$5"})
    fixfigure "$name.column" "$1" "$2" "$what"
    fixfigure "$name.fixed" "$(awk -v a="$3" -v x="$1" 'BEGIN { printf "%.0f", a - 16 * x }')" \
        "$(awk -v a="$4" -v x="$2" 'BEGIN { printf "%.0f", a - 16 * x }')" \
        "fixed work of the event that completes $kind, besides its row and columns"
}
for a in $ACTIVATIONS; do
    if [ "$a" = identity ]; then
        fixcompletionfigures fix.block.completion "" \
            "per column of the event that completes a fused identity block, besides its row (bias, one rounding, emit, send)" \
            "a fused block" identity
    else
        set -- $(fixcompletion "" "$a")
        fixfigure "fix.block.completion.column.$a" "$1" "$2" \
            "per column of the event that completes a fused $a block, besides its row (bias, rounding, $a, emit, send)"
    fi
done
# a fused softmax block spread over two cores: its steps per column, from 32 to 64 columns; its 2 rows' MACs (in
# panels: fixpanels 2 C) taken out of the max step's
for step in max sum normalise; do
    if [ "$step" = max ]; then
        set -- $(nc_per 32 "$(nc_diff "$(nc fixsplit max 64)" "$(nc fixpanels 2 64)")" \
            "$(nc_diff "$(nc fixsplit max 32)" "$(nc fixpanels 2 32)")")
    else
        set -- $(nc_per 32 "$(nc fixsplit "$step" 64)" "$(nc fixsplit "$step" 32)")
    fi
    case $step in
        max) what="its completing row: bias, rounding, local max (sent), besides the row's MACs" ;;
        sum) what="the peer's max in: exponentials and local sum (sent)" ;;
        *) what="the peer's sum in: division, emit and send" ;;
    esac
    fixfigure "fix.softmax.split.$step" "$1" "$2" "per column of a fused softmax block spread over cores, $what"
done
# an unfused block's completing row, as the fused block's above
fixcompletionfigures fix.unfused.completion unfused \
    "per column of the event that completes an unfused block, besides its row (its 64-bit sum sent as two halves, no rounding)" \
    "an unfused block"
# a reduce of unfused blocks' halves: a half filed (4 partials a column, none completing, from its sources after the
# first), from 32 to 160 halves
partial=$(nc_per 128 "$(nc fixpartials 160)" "$(nc fixpartials 32)")
fixfigure fix.reduce.partial $partial \
    "a half of a 64-bit partial sum filed by a REDUCE, no column completing, from a source after its first"
# the same halves given at once, a block's read back from SDRAM (fixburst N: N of range 1's in one s4j_on_partials
# call), from 32 to 128 halves
b32=$(nc fixburst 32)
set -- $(nc_per 96 "$(nc fixburst 128)" "$b32") $b32
fixfigure fix.reduce.burst.key "$1" "$2" \
    "per half a REDUCE files from a block's partials given at once (s4j_on_partials), no column completing"
fixfigure fix.reduce.burst.event "$(awk -v a="$3" -v k="$1" 'BEGIN { printf "%.0f", a - 32 * k }')" \
    "$(awk -v a="$4" -v k="$2" 'BEGIN { printf "%.0f", a - 32 * k }')" \
    "the fixed work of a call of s4j_on_partials on a REDUCE, besides its halves"
# per column the half that completes every column streams (softmax: completes at once), from 32 to 64 columns
for a in $ACTIVATIONS; do
    set -- $(nc_per 32 "$(nc fixcolumn "$a" 64)" "$(nc fixcolumn "$a" 32)")
    case $a in
        identity) fixfigure fix.reduce.column "$1" "$2" \
            "per column a REDUCE with identity sends as its halves are in: sum, bias, one rounding, emit, send" ;;
        softmax) fixfigure fix.reduce.completion.column.softmax "$1" "$2" \
            "per column of a softmax REDUCE's completing half: sum, bias, rounding, exponential, division, emit, send" ;;
        *) fixfigure "fix.reduce.column.$a" "$1" "$2" \
            "per column a REDUCE with $a sends as its halves are in: sum, bias, one rounding, $a, emit, send" ;;
    esac
done
# a relay's word filed and forwarded, from 16 to 48 words, less a half filed: its column's work
set -- $(nc_per 32 "$(nc fixrelay 48)" "$(nc fixrelay 16)") $partial
fixfigure fix.relay.column "$(awk -v a="$1" -v b="$3" 'BEGIN { printf "%.1f", a - b }')" \
    "$(awk -v a="$2" -v b="$4" 'BEGIN { printf "%.1f", a - b }')" \
    "per word a RELAY forwards, besides fix.reduce.partial (its filing): rounding, emit, send"
set -- $(nc_per 32 "$(nc fixsink 48)" "$(nc fixsink 16)")
fixfigure fix.sink.value "$1" "$2" "a word filed by an OUTPUT_SINK"
set -- $(nc_per 32 "$(nc fixsource 64)" "$(nc fixsource 32)")
fixfigure fix.source.value "$1" "$2" "a word sent by an INPUT_SOURCE's start event"
# s16.15 training on a fused block (s4j_fixtrain.c), in instructions and cycles: the word that completes a sample's
# backward pass (R, C from 16 to 32) split as backward below, on a hidden block not sending back and sending back
# (identity), per column for each hidden activation and output loss; the fixed work the largest of the fits'
# intercepts (294, 171, 351 and 227 instructions when measured), so that no block is charged less
set -- $(fitnc fixbackward 0 identity)
fixfigure fix.backward.dw "$1" "$5" \
    "dW += x delta in 64 bits per weight of the word that completes a training block's backward pass (no sends)"
fixfigure fix.backward.row.kept "$2" "$6" "per row of a training block's backward pass not sending back"
fixfigure fix.backward.output.identity "$3" "$7" \
    "per column of a hidden identity training block's completing word: delta, db, the column's loops"
fixed="$4 $8"
set -- $(fitnc fixbackward 1 identity)
fixfigure fix.backward.dw_and_error "$1" "$5" \
    "dW += x delta and the error W delta in 64 bits per weight of the completing word (sending back)"
fixfigure fix.backward.row.sent "$2" "$6" \
    "per row of a training block's backward pass sending back: the row's error rounded once, emitted and sent"
fixed=$(larger "$fixed" "$4" "$8")
for a in relu tanh sigmoid; do
    set -- $(fitnc fixbackward 0 "$a")
    fixfigure "fix.backward.output.$a" "$3" "$7" \
        "per column of a hidden $a training block's completing word: delta (the derivative at its output), db, loops"
done
for al in softmax:mcxent identity:mse; do
    set -- $(fitnc fixoutback "${al%:*}" "${al#*:}")
    fixfigure "fix.loss.output.${al%:*}.${al#*:}" "$3" "$7" \
        "per column of a ${al%:*} output training block's completing label with ${al#*:}: delta, db, loops"
    fixed=$(larger "$fixed" "$4" "$8")
done
set -- $fixed
fixfigure fix.backward.fixed "$1" "$2" "fixed work of the word that completes a training block's backward pass"
set -- $(nc_per 32 "$(nc fixbackvalue 48)" "$(nc fixbackvalue 16)")
fixfigure fix.backward.value "$1" "$2" "an error word filed by a training block, not completing its sample"
for u in sgd adam; do
    for m in nearest stochastic; do
        set -- $(nc_per 256 "$(nc fixupdate "$u" "$m" 32 16)" "$(nc fixupdate "$u" "$m" 16 16)")
        fixfigure "fix.update.$u.$m" "$1" "$2" "s4j_apply_fix_update with $u, $m rounding, per parameter"
    done
done
set -- $(fit backward 0)
figure backward.dw "$1" "dW += x delta per weight of a completing DELTA (no sends)"
set -- $(fit backward 1)
figure backward.dw_and_w_delta "$1" "dW += x delta and e = W delta per weight of a completing DELTA"
set -- $(fit backward0 1)
figure backward.row "$2" "per row of a block's backward pass (loops, e emitted and sent)"
figure backward.column "$3" "per column of a block's backward pass (no float work)"
figure backward.fixed "$4" "fixed work of the delta that completes a block's backward pass"
# dropout in training: the extra work of a row filed and of a row of W delta sent under dropout (p 0.5)
on=$(( $(n droprows 48 1) - $(n droprows 16 1) )); off=$(( $(n droprows 48 0) - $(n droprows 16 0) ))
figure dropout.row "$(per 32 "$on" "$off")" "per row a block under dropout files: hash, mask and scaling"
on=$(( $(n dropback 48 16 1) - $(n dropback 16 16 1) )); off=$(( $(n dropback 48 16 0) - $(n dropback 16 16 0) ))
figure dropout.back.row "$(per 32 "$on" "$off")" "per row of W delta a block under dropout sends: hash, mask and scaling"
# a pooling block after a DropoutLayer: avg along a sequence, 64 more rows from P = 8 to 16 positions of 8 channels
on=$(( $(n droppool avg 16 8 1) - $(n droppool avg 8 8 1) )); off=$(( $(n droppool avg 16 8 0) - $(n droppool avg 8 8 0) ))
figure dropout.back.row.pool "$(per 64 "$on" "$off")" \
    "per row of its gradient a pooling block under dropout sends: hash, mask and scaling"
for a in $ACTIVATIONS; do
    figure "backward.output.$a" "$(per 32 "$(n hidden "$a" 64)" "$(n hidden "$a" 32)")" \
        "per output of a hidden $a activator's completing backward partial: derivative, db, delta sent"
done
for al in identity:mse sigmoid:xent softmax:mcxent; do
    figure "loss.output.${al%:*}.${al#*:}" \
        "$(per 32 "$(n outloss "${al%:*}" "${al#*:}" 64)" "$(n outloss "${al%:*}" "${al#*:}" 32)")" \
        "per output of a ${al%:*} output activator's completing label with ${al#*:}: loss, gradient, db, delta"
done
for al in identity:hinge identity:squared_hinge softmax:kld softplus:poisson identity:cosine identity:mape \
        softplus:msle identity:wasserstein; do
    figure "loss.output.${al%:*}.${al#*:}" \
        "$(per 32 "$(n outloss "${al%:*}" "${al#*:}" 64)" "$(n outloss "${al%:*}" "${al#*:}" 32)")" \
        "per output of a ${al%:*} output activator's completing label with ${al#*:}: loss, gradient, db, delta"
done
for al in identity:mse softmax:mcxent; do
    figure "loss.output.${al%:*}.${al#*:}_weighted" \
        "$(per 32 "$(n outloss "${al%:*}" "${al#*:}" 64 weighted)" "$(n outloss "${al%:*}" "${al#*:}" 32 weighted)")" \
        "per output of a ${al%:*} output activator's completing label with ${al#*:} and per-output weights"
done
split_figure() {
    figure "softmax.split.$1" "$(per 32 "$(n split "$1" 64)" "$(n split "$1" 32)")" "$2"
}
split_figure max "per output of a softmax spread over cores, its completing partial: sum the partials, bias, local max (sent)"
split_figure sum "per output of a softmax spread over cores, the peers' maxima in: exponentials and local sum (sent)"
split_figure normalise "per output of a softmax spread over cores, the peers' sums in: divide, emit and send"
split_figure dot "per output of a hidden softmax spread over cores, its completing backward partial: local dot (sent)"
split_figure deltas "per output of a hidden softmax spread over cores, the peers' dots in: derivative, db, delta sent"
for u in sgd nesterovs adam adamax nadam amsgrad adagrad adadelta rmsprop noop; do
    figure "update.$u" "$(per 256 "$(n update "$u" 32 16)" "$(n update "$u" 16 16)")" \
        "s4j_apply_update with $u, per parameter (batch 8)"
done
sgd=$(per 256 "$(n update sgd 32 16)" "$(n update sgd 16 16)")
figure update.regularization \
    "$(awk -v r="$(per 256 "$(n update sgd 32 16 regularized)" "$(n update sgd 16 16 regularized)")" -v s="$sgd" \
        'BEGIN { printf "%.1f", r - s }')" \
    "s4j_apply_update's extra work per parameter with l1, l2 and weight decay (sgd, batch 8)"
figure update.clip \
    "$(awk -v r="$(per 256 "$(n update sgd 32 16 clipped)" "$(n update sgd 16 16 clipped)")" -v s="$sgd" \
        'BEGIN { printf "%.1f", r - s }')" \
    "s4j_apply_update's extra work per parameter with ClipElementWiseAbsoluteValue (sgd, batch 8, ~60 % clipped)"
figure update.normalize \
    "$(awk -v r="$(per 256 "$(n update sgd 32 16 normalized)" "$(n update sgd 16 16 normalized)")" -v s="$sgd" \
        'BEGIN { printf "%.1f", r - s }')" \
    "s4j_apply_update's extra work per parameter with an L2 gradient normalization (sgd, batch 8, the norm's division)"
# a batch normalization in its mini-batch mode, B samples of C channels (B and C from 16 to 32): its forward event
# (the statistics per column, every sample's outputs sent) and its backward event (the sums per column, every
# sample's deltas back sent, a row per channel), each split as fixed + per sample + per column + per sample and column
for e in forward backward; do
    set -- $(fit "bn$e")
    figure "bn.$e.value" "$1" "per sample and column of a batch normalization's $e event (a value sent)"
    figure "bn.$e.sample" "$2" "per sample of a batch normalization's $e event"
    figure "bn.$e.column" "$3" "per column of a batch normalization's $e event (its statistics or sums)"
    # the fit's intercept is negative (the soft-float work per value grows with B and C): taken as 0, so that a
    # small block is charged a little more, never less
    figure "bn.$e.fixed" "$(awk -v a="$4" 'BEGIN { printf "%.0f", a < 0 ? 0 : a }')" \
        "fixed work of a batch normalization's $e event (the fit's intercept, at least 0)"
done
for k in log var; do
    figure "bn.update.$k" "$(awk -v a="$(n bnupdate "$k" 32)" -v b="$(n bnupdate "$k" 16)" -v s="$sgd" \
        'BEGIN { printf "%.1f", (a - b) / 16 - 2 * s }')" \
        "per column of a batch normalization's update, besides gamma's and beta's (the running mean and $k statistic stepped, std derived)"
done
# the same block in channel mode (docs/architecture.md, "The kernel's mini-batch mode"): C channels of one pixel each
# (a column each), 4 pixels a channel, at index 0 of 2 blocks; each exchange round and its forward and backward events
# split as the events above. A block's sums added over the blocks: bn.sum.block per block and per total a column
# adds (round 1: 1, forward: 1, backward: 5), measured on the forward from 2 to 6 blocks; the fits at 2 blocks have
# 2 of them per total, taken out of their per-column figure, so that the cost model adds blocks x totals of them.
block_sum=$(per 64 "$(n bnblocks 6)" "$(n bnblocks 2)")
figure bn.sum.block "$block_sum" \
    "per block and channel total of a batch normalization's channel-mode event (a block's partial sum added, in order)"
for e in exchange0:0 exchange1:1 exchange2:0 chforward:1 chbackward:5; do
    name=${e%:*}
    totals=${e#*:}
    case $name in
        exchange*) set -- $(fit bnexchange "${name#exchange}"); what="exchange round ${name#exchange}" ;;
        *) set -- $(fit "bn$name"); what="channel-mode ${name#ch} event" ;;
    esac
    figure "bn.$name.value" "$1" "per sample and column of a batch normalization's $what"
    # a negative per-sample or per-column term (round 2's: the soft-float work per value varies with B and C) is
    # taken as 0, as the intercepts are: a block is charged a little more, never less
    figure "bn.$name.sample" "$(awk -v a="$2" 'BEGIN { printf "%.1f", a < 0 ? 0 : a }')" \
        "per sample of a batch normalization's $what (at least 0)"
    figure "bn.$name.column" "$(awk -v c="$3" -v t="$totals" -v s="$block_sum" \
            'BEGIN { c -= 2 * t * s; printf "%.1f", c < 0 ? 0 : c }')" \
        "per column of a batch normalization's $what, besides its totals over the blocks (a column its own channel; at least 0)"
    figure "bn.$name.fixed" "$(awk -v a="$4" 'BEGIN { printf "%.0f", a < 0 ? 0 : a }')" \
        "fixed work of a batch normalization's $what (the fit's intercept, at least 0)"
done
figure bn.partial "$(per 64 "$(n bnpartial 80)" "$(n bnpartial 16)")" \
    "another block's exchange partial filed by a batch normalization's block (after its DATA and BACKWARD_PARTIAL ranges)"
figure norm.partial "$(per 256 "$(n normstart 32 16)" "$(n normstart 16 16)")" \
    "s4j_norm_start per parameter: the partial sums of squares of the averaged gradient (batch 8)"
# peer p's 2 partials compare the p NORM ranges before their own: 24 peers' 48 compare 552, 8 peers' 16 compare 56,
# 496 more (the block's own ranges before them, a uniform run, cost each packet a compare and a multiply, whatever
# the peers)
figure norm.value "$(awk -v a="$(n normvalue 24)" -v b="$(n normvalue 8)" -v r="$range" \
        'BEGIN { printf "%.1f", (a - b - 496 * r) / 32 }')" \
    "a peer's partial sum of squares filed by a training block, besides the ranges searched before its own"
figure copy.share "$(per 256 "$(n sharestart 32 16)" "$(n sharestart 16 16)")" \
    "s4j_share_start per parameter of a kernel copy: its share filed (owned) or sent to the owner"
# a share passes its block's DATA and LABEL ranges (a uniform run: a compare and a multiply) to its own, the next
figure copy.share.value "$(per 32 "$(n sharevalue 64)" "$(n sharevalue 32)")" \
    "another copy's share filed by its owner, with its search past its block's own ranges"
# 4 copies' shares of 272 parameters against 2 copies': 544 more shares added up
figure copy.sum "$(per 544 "$(n copyupdate 4)" "$(n copyupdate 2)")" \
    "per share an owner adds up in its update (every copy's share of each owned parameter)"
figure copy.param "$(per 256 "$(n paramsend 32 16)" "$(n paramsend 16 16)")" \
    "s4j_param_send per owned parameter: its new value sent"
figure copy.param.value "$(per 32 "$(n paramvalue 64)" "$(n paramvalue 32)")" \
    "a new value of another copy's parameter filed, with its search past its block's own ranges"

rm -f "$log" "$log.dis"
