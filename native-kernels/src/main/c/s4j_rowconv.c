/*
 * A block of a 2-D convolution run along the image's rows (S4J_CFG_ROW_*):
 * its rows are whole input rows, its columns a run of (output column,
 * channel) outputs of one output row, and it holds its channels' slice of
 * the 2-D kernel once instead of the lowered (Toeplitz) kernel, whose zeros
 * it skips. An input (r, x, in) meets the block's output columns ox with
 * kernel column kx = x + pad - ox stride in [0, kernel_w): for each, one run
 * of contiguous columns (its channels in the block) and contiguous weights.
 * The forward sums take each row's runs in order of ox and channel, as the
 * lowered kernel's row would with its zeros adding nothing, so the sums are
 * those of the lowered block bit for bit; so are the backward pass's e (a
 * wide sum in order of column) and dW (one float per kernel weight: the sum
 * over its output columns, in order of row, then column). In s16.15 the same
 * runs go into the 64-bit sums of s4j_fix_mac_row, exact in any order.
 */
#include "s4j_internal.h"

/* Where a block's columns lie: output columns ox_first .. ox_last, the
 * first's from channel c_first, the last's up to channel c_last. */
typedef struct row_cols {
    uint32_t ox_first;
    uint32_t ox_last;
    uint32_t c_first;
    uint32_t c_last;
} row_cols;

/* A row of the field: its input row r (from the field's first), its column
 * x and its channel. */
typedef struct row_pos {
    uint32_t r;
    uint32_t x;
    uint32_t in;
} row_pos;

static void cols_of(const s4j_header *h, row_cols *c)
{
    const s4j_row_conv *rc = &h->row;
    uint32_t last = rc->first_column + h->n_cols - 1u;

    c->ox_first = rc->first_column / rc->channels_out;
    c->c_first = rc->first_column - c->ox_first * rc->channels_out;
    c->ox_last = last / rc->channels_out;
    c->c_last = last - c->ox_last * rc->channels_out;
}

static void pos_of(const s4j_row_conv *rc, uint32_t i, row_pos *p)
{
    uint32_t per_row = rc->width * rc->channels_in;
    uint32_t rest;

    p->r = i / per_row;
    rest = i - p->r * per_row;
    p->x = rest / rc->channels_in;
    p->in = rest - p->x * rc->channels_in;
}

static void pos_next(const s4j_row_conv *rc, row_pos *p)
{
    if (++p->in == rc->channels_in) {
        p->in = 0u;
        if (++p->x == rc->width) {
            p->x = 0u;
            p->r++;
        }
    }
}

/* The block's output columns [*lo, *hi) that input column x falls under
 * (empty: *lo >= *hi); x < n_rows and pad < 2^16, so x + pad does not wrap. */
static void ox_range(const s4j_row_conv *rc, const row_cols *c, uint32_t x,
                     uint32_t *lo, uint32_t *hi)
{
    uint32_t reach = x + rc->pad;
    uint32_t top = rc->stride == 1u ? reach : reach / rc->stride;
    uint32_t bottom = 0u;

    if (reach >= rc->kernel_w) {
        uint32_t least = reach - rc->kernel_w + 1u; /* ox stride >= least */

        bottom = rc->stride == 1u ? least : (least - 1u) / rc->stride + 1u;
    }
    *lo = bottom > c->ox_first ? bottom : c->ox_first;
    *hi = top < c->ox_last ? top + 1u : c->ox_last + 1u;
}

/* Output column ox's run for row p: its first column *j, its length *n and
 * the offset of its first weight. */
static uint32_t run_at(const s4j_header *h, const row_cols *c, const row_pos *p,
                       uint32_t ox, uint32_t *j, uint32_t *n)
{
    const s4j_row_conv *rc = &h->row;
    uint32_t c_lo = ox == c->ox_first ? c->c_first : 0u;
    uint32_t c_hi = ox == c->ox_last ? c->c_last + 1u : rc->channels_out;
    uint32_t kx = p->x + rc->pad - ox * rc->stride;

    *j = ox * rc->channels_out + c_lo - rc->first_column;
    *n = c_hi - c_lo;
    return ((p->r * rc->kernel_w + kx) * rc->channels_in + p->in) * rc->channels
           + (c_lo - rc->first_channel);
}

int s4j_row_conv_ok(uint32_t kind, uint32_t fused, uint32_t pool, const s4j_row_conv *row,
                    uint32_t n_rows, uint32_t n_cols)
{
    uint64_t last = (uint64_t)row->first_column + n_cols - 1u;
    uint64_t per_row = (uint64_t)row->width * row->channels_in;
    uint32_t ox_first;
    uint32_t ox_last;
    uint32_t c_first;
    uint32_t c_last;

    if (row->kernel_w == 0u) {
        return row->width == 0u && row->channels_in == 0u && row->stride == 0u
            && row->pad == 0u && row->channels_out == 0u && row->first_column == 0u
            && row->first_channel == 0u && row->channels == 0u;
    }
    if (kind != S4J_KIND_DENSE_BLOCK || fused != 1u || pool != S4J_POOL_NONE
        || row->kernel_w > 0xFFFFu || row->channels_out > 0xFFFFu || row->stride == 0u
        || row->pad > 0xFFFFu || row->channels == 0u
        || (uint64_t)row->first_channel + row->channels > row->channels_out
        || per_row == 0u || per_row > n_rows || n_rows % per_row != 0u
        || last > UINT32_MAX) {
        return 0;
    }
    /* every column's channel among the kernel's: the columns of one output
     * column within them, of several every channel */
    ox_first = row->first_column / row->channels_out;
    c_first = row->first_column - ox_first * row->channels_out;
    ox_last = (uint32_t)last / row->channels_out;
    c_last = (uint32_t)last - ox_last * row->channels_out;
    if (ox_first == ox_last) {
        return c_first >= row->first_channel
            && c_last < row->first_channel + row->channels;
    }
    return row->first_channel == 0u && row->channels == row->channels_out;
}

/* One run of row i's products: x[i] times the weights from offset `at`
 * into the sums of columns [j, j + n) (float or s16.15: row_walk). */
typedef void (*row_run)(void *sums, const float *x, const void *w, uint32_t i,
                        uint32_t j, uint32_t at, uint32_t n);

/* Rows first .. end-1 (first < end) multiplied into sums, each row's runs in
 * order of ox and channel. Inlined into each caller with its own `run`, so
 * the call through the pointer becomes a direct call. */
static inline __attribute__((always_inline)) void row_walk(const s4j_header *h, row_run run,
                                                           void *sums, const float *x,
                                                           const void *w, uint32_t first,
                                                           uint32_t end)
{
    const s4j_row_conv *rc = &h->row;
    row_cols c;
    row_pos p;
    uint32_t i;

    cols_of(h, &c);
    pos_of(rc, first, &p);
    for (i = first; i < end; i++) {
        uint32_t lo;
        uint32_t hi;
        uint32_t ox;

        ox_range(rc, &c, p.x, &lo, &hi);
        for (ox = lo; ox < hi; ox++) {
            uint32_t j;
            uint32_t n;
            uint32_t at = run_at(h, &c, &p, ox, &j, &n);

            run(sums, x, w, i, j, at, n);
        }
        pos_next(rc, &p);
    }
}

static void float_run(void *sums, const float *x, const void *w, uint32_t i, uint32_t j,
                      uint32_t at, uint32_t n)
{
    s4j_mac_row((s4j_acc *)sums + j, x[i], (const float *)w + at, n);
}

/* x holds the words filed as a float block's rows (s4j_fix_accumulate_rows) */
static void fix_run(void *sums, const float *x, const void *w, uint32_t i, uint32_t j,
                    uint32_t at, uint32_t n)
{
    s4j_fix_mac_row((uint32_t *)sums + 2u * j, (const int32_t *)w + at,
                    (int32_t)s4j_bits_of(x[i]), n);
}

void s4j_row_mac(const s4j_header *h, s4j_acc *acc, const float *x, const float *w,
                 uint32_t first, uint32_t end)
{
    if (first == end) {
        return;
    }
    if (first == 0u) {
        memset(acc, 0, (size_t)h->n_cols * sizeof(s4j_acc)); /* empty sums */
    }
    row_walk(h, float_run, acc, x, w, first, end);
}

void s4j_fix_row_mac(const s4j_header *h, uint32_t *sums, const float *x, const int32_t *w,
                     uint32_t first, uint32_t end)
{
    if (first == end) {
        return;
    }
    row_walk(h, fix_run, sums, x, w, first, end); /* sums emptied at completion */
}

int32_t s4j_row_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                         const s4j_train *t, s4j_outbox *out)
{
    const s4j_row_conv *rc = &h->row;
    const float *x = CAT(float, dtcm, l->x) + (size_t)t->back_slot * h->n_rows;
    const float *w = CAT(float, dtcm, l->weights);
    const float *delta = CAT(float, dtcm, l->delta);
    float *dw = AT(float, dtcm, l->dw);
    row_cols c;
    row_pos p;
    uint32_t i;
    uint32_t lo;
    uint32_t hi;
    uint32_t ox;
    uint32_t j;
    uint32_t n;
    uint32_t q;
    int masks;
    int32_t r;

    cols_of(h, &c);
    pos_of(rc, 0u, &p);
    for (i = 0u; i < h->n_rows; i++) {
        float xi = x[i];

        ox_range(rc, &c, p.x, &lo, &hi);
        for (ox = lo; ox < hi; ox++) {
            float *g = dw + run_at(h, &c, &p, ox, &j, &n);

            for (q = 0u; q < n; q++) {
                g[q] += xi * delta[j + q];
            }
        }
        pos_next(rc, &p);
    }
    if (t->sends_backward == 0u) {
        return S4J_OK;
    }
    masks = s4j_drop_masks_gradient(t, out);
    pos_of(rc, 0u, &p);
    for (i = 0u; i < h->n_rows; i++) {
        s4j_acc e = { 0u, 0u, 0u };
        float v;

        ox_range(rc, &c, p.x, &lo, &hi);
        for (ox = lo; ox < hi; ox++) {
            uint32_t at = run_at(h, &c, &p, ox, &j, &n);

            s4j_dot_add(&e, w + at, delta + j, n);
        }
        v = s4j_acc_value(&e);
        if (masks) {
            v *= s4j_drop_scale(t, t->drop_back, i);
        }
        r = s4j_emit(out, t->backward_key_base + i, s4j_bits_of(v));
        if (r < 0) {
            return r;
        }
        pos_next(rc, &p);
    }
    return S4J_OK;
}
