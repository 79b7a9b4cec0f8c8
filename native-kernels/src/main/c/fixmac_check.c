/*
 * Checks and measures the ARM assembly s4j_fix_mac_row and s4j_fix_mac_panels
 * (s4j_fixmac_arm.S) against their contracts written as obvious C loops (not part of the Maven
 * build; built for ARM only by the Makefile's check-fixmac and measure-fixmac
 * targets and run under qemu-arm, as calibrate.c is).
 *
 *   fixmac_check             compares the assembly with the C loop bit for bit:
 *                            every n from 0 to 40 and some large n, random and
 *                            extreme operands (INT32_MIN/MAX, negative sums,
 *                            carries across the low word), acc and w at both
 *                            8-byte alignments, guard words around acc and w
 *                            that must stay untouched; then s4j_fix_mac_panels
 *                            for every rows from 0 to 19 and cols from 0 to 10
 *                            and some larger blocks, with guards around acc, w
 *                            and x; exit 1 on a mismatch
 *   fixmac_check F R C       R calls of F (asm: the assembly, c: the C loop,
 *                            null: an empty function of the same signature) on
 *                            R rows of C random weights into C accumulators,
 *                            between calib_begin() and calib_end() (counted by
 *                            fixmac-measure.sh)
 *   fixmac_check panels R C  one call of s4j_fix_mac_panels on R rows of C
 *                            columns between the markers (panelsnull: an
 *                            empty function of the same signature)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib_harness.h"

void s4j_fix_mac_row(uint32_t *acc, const int32_t *w, int32_t x, uint32_t n);
void s4j_fix_mac_panels(uint32_t *acc, const int32_t *w, const int32_t *x, uint32_t rows,
                        uint32_t cols);

void contract_mac_row(uint32_t *acc, const int32_t *w, int32_t x, uint32_t n);
void null_mac_row(uint32_t *acc, const int32_t *w, int32_t x, uint32_t n);

#define GUARD      4u           /* guard words before and after acc and w */
#define MAX_N      4099u        /* the largest n checked */
#define TRIALS     64u          /* random cases per n from 0 to 40 and alignment */
#define ROWS       3u           /* rows multiplied into the same sums per case */
#define MAX_ROWS   32u          /* measured: rows ... */
#define MAX_COLS   64u          /* ... and columns at most */
#define PANEL      3u           /* s4j_fix_mac_panels's columns a panel */
#define MAX_PANEL_ROWS 784u     /* its largest block checked and measured: rows ... */
#define MAX_PANEL_COLS 96u      /* ... and columns */

typedef void mac_row(uint32_t *acc, const int32_t *w, int32_t x, uint32_t n);

/* The contract, the obvious C loop: compiled with the kernels' ARM flags. */
__attribute__((noinline, noclone)) void contract_mac_row(uint32_t *acc, const int32_t *w,
                                                         int32_t x, uint32_t n)
{
    uint32_t j;

    for (j = 0u; j < n; j++) {
        uint64_t s = ((uint64_t)acc[2u * j + 1u] << 32 | acc[2u * j])
                     + (uint64_t)((int64_t)x * w[j]);

        acc[2u * j] = (uint32_t)s;
        acc[2u * j + 1u] = (uint32_t)(s >> 32);
    }
}

/* The panels' contract: weight (r, j) lies in the panel of its column's
 * first multiple of PANEL, whose rows are `width` weights each. */
__attribute__((noinline, noclone)) void contract_mac_panels(uint32_t *acc, const int32_t *w,
                                                            const int32_t *x, uint32_t rows,
                                                            uint32_t cols)
{
    uint32_t r;
    uint32_t j;

    for (j = 0u; j < cols; j++) {
        uint32_t first = j - j % PANEL;
        uint32_t width = cols - first < PANEL ? cols - first : PANEL;

        for (r = 0u; r < rows; r++) {
            uint64_t s = ((uint64_t)acc[2u * j + 1u] << 32 | acc[2u * j])
                         + (uint64_t)((int64_t)x[r] * w[first * rows + r * width + j - first]);

            acc[2u * j] = (uint32_t)s;
            acc[2u * j + 1u] = (uint32_t)(s >> 32);
        }
    }
}

/* s4j_fix_mac_panels's signature, does nothing: the harness's own call. */
__attribute__((noinline, noclone)) void null_mac_panels(uint32_t *acc, const int32_t *w,
                                                        const int32_t *x, uint32_t rows,
                                                        uint32_t cols)
{
    __asm__ volatile("" ::: "memory");
    (void)acc;
    (void)w;
    (void)x;
    (void)rows;
    (void)cols;
}

/* Same signature, does nothing: the harness's own loop. */
__attribute__((noinline, noclone)) void null_mac_row(uint32_t *acc, const int32_t *w,
                                                     int32_t x, uint32_t n)
{
    __asm__ volatile("" ::: "memory");
    (void)acc;
    (void)w;
    (void)x;
    (void)n;
}

static uint32_t state = 0x12345678u;

/* A deterministic 32-bit draw. */
static uint32_t next(void)
{
    return calib_xorshift(&state);
}

static const uint32_t EXTREME_OPERANDS[] = {
    0x80000000u, 0x7FFFFFFFu, 0x80000001u, 0xFFFFFFFFu, 0u, 1u, 0x8000u, 0xFFFF8000u, 0x7FFF8000u
};
static const uint32_t EXTREME_WORDS[] = {
    0xFFFFFFFFu, 0u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 1u
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* A word from the table, or (if extreme is 0, half the time) a random one. */
static uint32_t pick(const uint32_t *table, uint32_t size, int extreme)
{
    uint32_t r = next();

    return extreme || (r & 1u) ? table[(r >> 1) % size] : next();
}

static uint32_t acc_got[GUARD + 2u * MAX_N + 1u + GUARD];
static uint32_t acc_want[COUNT(acc_got)];
static uint32_t guards[COUNT(acc_got)];
static int32_t weights[GUARD + MAX_N + 1u + GUARD];
static int32_t weights_copy[COUNT(weights)];

/* One case: n columns at word offsets acc_at and w_at, ROWS rows. 0 if equal. */
static int check_case(uint32_t n, uint32_t acc_at, uint32_t w_at, int extreme)
{
    uint32_t *got = acc_got + GUARD + acc_at;
    uint32_t *want = acc_want + GUARD + acc_at;
    const int32_t *w = weights + GUARD + w_at;
    uint32_t acc_words = GUARD + acc_at + 2u * n + GUARD;
    uint32_t w_words = GUARD + w_at + n + GUARD;
    uint32_t i;
    uint32_t row;

    for (i = 0u; i < acc_words; i++) {
        acc_got[i] = pick(EXTREME_WORDS, COUNT(EXTREME_WORDS), extreme);
    }
    memcpy(acc_want, acc_got, acc_words * sizeof acc_got[0]);
    memcpy(guards, acc_got, acc_words * sizeof acc_got[0]);
    for (row = 0u; row < ROWS; row++) {
        int32_t x = (int32_t)pick(EXTREME_OPERANDS, COUNT(EXTREME_OPERANDS), extreme);

        for (i = 0u; i < w_words; i++) {
            weights[i] = (int32_t)pick(EXTREME_OPERANDS, COUNT(EXTREME_OPERANDS), extreme);
        }
        memcpy(weights_copy, weights, w_words * sizeof weights[0]);
        s4j_fix_mac_row(got, w, x, n);
        contract_mac_row(want, w, x, n);
        for (i = 0u; i < acc_words; i++) {
            int inside = i >= GUARD + acc_at && i < GUARD + acc_at + 2u * n;

            if (acc_got[i] != acc_want[i] || (!inside && acc_got[i] != guards[i])) {
                printf("fixmac_check: n %lu, acc at +%lu, w at +%lu, row %lu, x %ld: acc word %ld "
                       "is 0x%08lx, want 0x%08lx (before the call 0x%08lx)\n",
                       (unsigned long)n, (unsigned long)acc_at, (unsigned long)w_at,
                       (unsigned long)row, (long)x, (long)i - (long)(GUARD + acc_at),
                       (unsigned long)acc_got[i], (unsigned long)acc_want[i],
                       (unsigned long)guards[i]);
                return 1;
            }
        }
        if (memcmp(weights, weights_copy, w_words * sizeof weights[0]) != 0) {
            printf("fixmac_check: n %lu: the weights changed\n", (unsigned long)n);
            return 1;
        }
    }
    return 0;
}

/* Every n from 0 to 40 and some large n, both alignments of acc and w. */
static int check(void)
{
    static const uint32_t LARGE[] = { 64u, 255u, 1000u, 4096u, 4097u, 4098u, MAX_N };
    uint32_t cases = 0u;
    uint32_t n;
    uint32_t t;
    uint32_t i;

    for (n = 0u; n <= 40u; n++) {
        for (t = 0u; t < 4u * TRIALS; t++) {
            if (check_case(n, t & 1u, (t >> 1) & 1u, (t >> 2) & 1u) != 0) {
                return 1;
            }
            cases++;
        }
    }
    for (i = 0u; i < COUNT(LARGE); i++) {
        for (t = 0u; t < 8u; t++) {
            if (check_case(LARGE[i], t & 1u, (t >> 1) & 1u, (t >> 2) & 1u) != 0) {
                return 1;
            }
            cases++;
        }
    }
    printf("fixmac_check: s4j_fix_mac_row equals the C contract in %lu cases (%lu calls)\n",
           (unsigned long)cases, (unsigned long)(cases * ROWS));
    return 0;
}

static uint32_t panel_acc_got[GUARD + 2u * MAX_PANEL_COLS + 1u + GUARD];
static uint32_t panel_acc_want[COUNT(panel_acc_got)];
static uint32_t panel_guards[COUNT(panel_acc_got)];
static int32_t panel_w[GUARD + MAX_PANEL_ROWS * MAX_PANEL_COLS + 1u + GUARD];
static int32_t panel_w_copy[COUNT(panel_w)];
static int32_t panel_x[GUARD + MAX_PANEL_ROWS + 1u + GUARD];
static int32_t panel_x_copy[COUNT(panel_x)];

/* One block of rows x cols, acc and w at word offsets acc_at and w_at (x at
 * w_at too): s4j_fix_mac_panels against its contract, and nothing outside
 * acc's sums written. 0 if equal. */
static int check_panels_case(uint32_t rows, uint32_t cols, uint32_t acc_at, uint32_t w_at,
                             int extreme)
{
    uint32_t acc_words = GUARD + acc_at + 2u * cols + GUARD;
    uint32_t w_words = GUARD + w_at + rows * cols + GUARD;
    uint32_t x_words = GUARD + w_at + rows + GUARD;
    uint32_t i;

    for (i = 0u; i < acc_words; i++) {
        panel_acc_got[i] = pick(EXTREME_WORDS, COUNT(EXTREME_WORDS), extreme);
    }
    for (i = 0u; i < w_words; i++) {
        panel_w[i] = (int32_t)pick(EXTREME_OPERANDS, COUNT(EXTREME_OPERANDS), extreme);
    }
    for (i = 0u; i < x_words; i++) {
        panel_x[i] = (int32_t)pick(EXTREME_OPERANDS, COUNT(EXTREME_OPERANDS), extreme);
    }
    memcpy(panel_acc_want, panel_acc_got, acc_words * sizeof panel_acc_got[0]);
    memcpy(panel_guards, panel_acc_got, acc_words * sizeof panel_acc_got[0]);
    memcpy(panel_w_copy, panel_w, w_words * sizeof panel_w[0]);
    memcpy(panel_x_copy, panel_x, x_words * sizeof panel_x[0]);
    s4j_fix_mac_panels(panel_acc_got + GUARD + acc_at, panel_w + GUARD + w_at,
                       panel_x + GUARD + w_at, rows, cols);
    contract_mac_panels(panel_acc_want + GUARD + acc_at, panel_w + GUARD + w_at,
                        panel_x + GUARD + w_at, rows, cols);
    for (i = 0u; i < acc_words; i++) {
        int inside = i >= GUARD + acc_at && i < GUARD + acc_at + 2u * cols;

        if (panel_acc_got[i] != panel_acc_want[i] || (!inside && panel_acc_got[i] != panel_guards[i])) {
            printf("fixmac_check: panels of %lu x %lu, acc at +%lu, w at +%lu: acc word %ld "
                   "is 0x%08lx, want 0x%08lx (before the call 0x%08lx)\n",
                   (unsigned long)rows, (unsigned long)cols, (unsigned long)acc_at,
                   (unsigned long)w_at, (long)i - (long)(GUARD + acc_at),
                   (unsigned long)panel_acc_got[i], (unsigned long)panel_acc_want[i],
                   (unsigned long)panel_guards[i]);
            return 1;
        }
    }
    if (memcmp(panel_w, panel_w_copy, w_words * sizeof panel_w[0]) != 0
        || memcmp(panel_x, panel_x_copy, x_words * sizeof panel_x[0]) != 0) {
        printf("fixmac_check: panels of %lu x %lu: the weights or x changed\n",
               (unsigned long)rows, (unsigned long)cols);
        return 1;
    }
    return 0;
}

/* Every block up to 19 rows x 10 columns and some larger, both alignments. */
static int check_panels(void)
{
    static const uint32_t LARGE[][2] = {
        { 64u, 48u }, { 100u, 31u }, { 49u, 17u }, { MAX_PANEL_ROWS, 17u }, { 33u, MAX_PANEL_COLS }
    };
    uint32_t cases = 0u;
    uint32_t rows;
    uint32_t cols;
    uint32_t t;
    uint32_t i;

    for (rows = 0u; rows <= 19u; rows++) {
        for (cols = 0u; cols <= 10u; cols++) {
            for (t = 0u; t < 16u; t++) {
                if (check_panels_case(rows, cols, t & 1u, (t >> 1) & 1u, (t >> 2) & 1u) != 0) {
                    return 1;
                }
                cases++;
            }
        }
    }
    for (i = 0u; i < COUNT(LARGE); i++) {
        for (t = 0u; t < 8u; t++) {
            if (check_panels_case(LARGE[i][0], LARGE[i][1], t & 1u, (t >> 1) & 1u, (t >> 2) & 1u)
                != 0) {
                return 1;
            }
            cases++;
        }
    }
    printf("fixmac_check: s4j_fix_mac_panels equals the C contract in %lu cases\n",
           (unsigned long)cases);
    return 0;
}

/* One call of f on R x C random weights, words and sums, between the markers. */
static int measure_panels(int use_null, uint32_t rows, uint32_t cols)
{
    uint32_t i;

    for (i = 0u; i < 2u * cols; i++) {
        panel_acc_got[i] = next();
    }
    for (i = 0u; i < rows * cols; i++) {
        panel_w[i] = (int32_t)next();
    }
    for (i = 0u; i < rows; i++) {
        panel_x[i] = (int32_t)next();
    }
    calib_begin();
    if (use_null) {
        null_mac_panels(panel_acc_got, panel_w, panel_x, rows, cols);
    } else {
        s4j_fix_mac_panels(panel_acc_got, panel_w, panel_x, rows, cols);
    }
    calib_end();
    return 0;
}

/* A count from 1 to max, or exit 2. */
static uint32_t number(const char *s, uint32_t max)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (*end != '\0' || v < 1u || v > max) {
        printf("fixmac_check: %s is not a number from 1 to %lu\n", s, (unsigned long)max);
        exit(2);
    }
    return (uint32_t)v;
}

/* R calls of f, row r of R x C random weights into C sums, between the markers. */
static int measure(mac_row *f, uint32_t rows, uint32_t cols)
{
    static uint32_t acc[2u * MAX_COLS];
    static int32_t w[MAX_ROWS * MAX_COLS];
    static int32_t x[MAX_ROWS];
    uint32_t r;
    uint32_t i;

    for (i = 0u; i < COUNT(acc); i++) {
        acc[i] = next();
    }
    for (i = 0u; i < COUNT(w); i++) {
        w[i] = (int32_t)next();
    }
    for (r = 0u; r < MAX_ROWS; r++) {
        x[r] = (int32_t)next();
    }
    calib_begin();
    for (r = 0u; r < rows; r++) {
        f(acc, w + r * cols, x[r], cols);
    }
    calib_end();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 1) {
        return check() != 0 || check_panels() != 0;
    }
    if (argc == 4 && (strcmp(argv[1], "panels") == 0 || strcmp(argv[1], "panelsnull") == 0)) {
        return measure_panels(strcmp(argv[1], "panelsnull") == 0, number(argv[2], MAX_PANEL_ROWS),
                              number(argv[3], MAX_PANEL_COLS));
    }
    if (argc == 4) {
        mac_row *f = strcmp(argv[1], "asm") == 0 ? s4j_fix_mac_row
                     : strcmp(argv[1], "c") == 0 ? contract_mac_row
                     : strcmp(argv[1], "null") == 0 ? null_mac_row : NULL;

        if (f != NULL) {
            return measure(f, number(argv[2], MAX_ROWS), number(argv[3], MAX_COLS));
        }
    }
    printf("usage: fixmac_check [asm|c|null|panels|panelsnull ROWS COLUMNS]\n");
    return 2;
}
