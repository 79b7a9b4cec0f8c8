/*
 * A packet in (s4j_on_loaded_packet; s4j_on_packet, the host's entry,
 * checks first): find its key's range, file its value (a row, a partial, a
 * sink's value, a softmax peer's step, a delta, a backward partial, a label,
 * a norm partial), and on the one that completes a step
 * hand over to the forward, softmax or backward pass. A float32 block
 * multiplies each row in as it and the rows before it are in
 * (accumulate_rows); an s16.15 dense block files each word as it arrives
 * (on_fix_word: an inference block multiplies them all at completion): the
 * receive and the multiply-accumulate stay in this file, the code of every
 * packet.
 */
#include "s4j_fixsum.h"
#include "s4j_fixback.h"

/* Whether a core may start the forward pass of a sample: it has a free ring
 * entry for it (a batch normalization in its mini-batch mode: one of its
 * mini-batch's, whose outputs are not yet sent). */
static int32_t forward_room(const s4j_header *h, const s4j_layout *l, void *dtcm,
                            const s4j_train *t)
{
    const s4j_bn *bn = s4j_bn_of(l, dtcm);

    if (bn != NULL) {
        return s4j_batch_norm_room(t, bn);
    }
    return t != NULL && t->held >= h->in_flight ? S4J_ERR_IN_FLIGHT : S4J_OK;
}

/*
 * Receive and multiply-accumulate fused: z_j += x_i w_ij for the rows i =
 * rows_done, rows_done + 1, ... that have arrived, stopping at the first that
 * has not, so z's accumulators always hold the sum over i = 0 .. rows_done-1
 * added in order of i (row 0 sets them) and the result does not depend on
 * the order the rows arrive in. Counts the rows in out->rows. Inlined into
 * both its callers (a packet's on_row, s4j_on_rows), as it was into its one.
 */
static inline __attribute__((always_inline))
void accumulate_rows(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out)
{
    const uint32_t *bitmap = CAT(uint32_t, dtcm, l->bitmap);
    uint32_t n_rows = h->n_rows;
    const float *x = CAT(float, dtcm, l->x)
        + (size_t)s4j_fwd_entry(s4j_train_of(l, dtcm)) * n_rows;
    const float *w = CAT(float, dtcm, l->weights);
    uint32_t n_cols = h->n_cols;
    s4j_acc *acc = s4j_block_acc(l, dtcm, n_cols);
    uint32_t first = h->rows_done;
    uint32_t i = first;

    if (h->row.kernel_w != 0u) {
        while (i < n_rows && (bitmap[i / 32u] & (1u << (i % 32u))) != 0u) {
            i++;
        }
        s4j_row_mac(h, acc, x, w, first, i);
        h->rows_done = i;
        out->rows += i - first;
        return;
    }
    while (i < n_rows && (bitmap[i / 32u] & (1u << (i % 32u))) != 0u) {
        if (i == 0u) {
            s4j_mac_first_row(acc, x[0], w, n_cols);
        } else {
            s4j_mac_row(acc, x[i], w + (size_t)i * n_cols, n_cols);
        }
        i++;
    }
    h->rows_done = i;
    out->rows += i - first;
}

/* One value pooled into column j of a pooling block: the float path's
 * (z a float per column) or S16_15's (s4j_fix_pool_sums). */
typedef void (*s4j_pool_visit)(void *z, uint32_t j, const float *v);

static inline __attribute__((always_inline))
void pool_walk(const s4j_header *h, const float *x, void *z, s4j_pool_visit visit)
{
    uint32_t channels = h->pool_channels;
    int32_t width = (int32_t)h->pool_width;
    int32_t kernel_w = (int32_t)h->pool_kernel_w;
    uint32_t row_values = channels * h->pool_width;
    uint32_t first = h->pool_first;
    uint32_t end = first + h->n_cols;
    uint32_t ox_first = first / channels;
    uint32_t ox_end = (end - 1u) / channels + 1u;
    uint32_t row;

    for (row = 0u; row < h->n_rows; row += row_values) {
        for (uint32_t ox = ox_first; ox < ox_end; ox++) {
            uint32_t out = ox * channels;
            uint32_t c_lo = out < first ? first - out : 0u;
            uint32_t c_hi = end - out < channels ? end - out : channels;
            int32_t x0 = (int32_t)(ox * h->pool_stride_w) - (int32_t)h->pool_pad_w;
            int32_t kx = x0 < 0 ? -x0 : 0;
            int32_t kx_end = width - x0 < kernel_w ? width - x0 : kernel_w;
            uint32_t j0 = out + c_lo - first;

            for (; kx < kx_end; kx++) {
                const float *v = x + row + (uint32_t)(x0 + kx) * channels + c_lo;

                for (uint32_t c = 0u; c < c_hi - c_lo; c++) {
                    visit(z, j0 + c, v + c);
                }
            }
        }
    }
}

static inline __attribute__((always_inline)) void pool_max_float(void *z, uint32_t j, const float *v)
{
    float *zj = (float *)z + j;

    if (*v > *zj) {
        *zj = *v;
    }
}

static inline __attribute__((always_inline)) void pool_add_float(void *z, uint32_t j, const float *v)
{
    ((float *)z)[j] += *v;
}

/* AVG's divisor of output pixel ox: pool_divisor (the window's rows on the
 * image) times its pixels on the row, or pool_kernel_w if the padding counts;
 * below 2^32 (check_pooling bounds both factors below 2^16). */
static inline uint32_t pool_avg_divisor(const s4j_header *h, uint32_t ox)
{
    int32_t x0 = (int32_t)(ox * h->pool_stride_w) - (int32_t)h->pool_pad_w;
    int32_t lo = x0 < 0 ? 0 : x0;
    int32_t hi = x0 + (int32_t)h->pool_kernel_w;
    uint32_t pixels = h->pool_pad_in_divisor != 0u ? h->pool_kernel_w
        : (uint32_t)((hi < (int32_t)h->pool_width ? hi : (int32_t)h->pool_width) - lo);

    return h->pool_divisor * pixels;
}

/*
 * A pooling block's sums, once every row is in. Its rows are whole image rows
 * (of pool_width pixels of pool_channels channels; along a sequence a row is
 * a position, one pixel wide), its column j output pixel (first + j) / C,
 * channel (first + j) mod C, of one output row. Each column starts from MAX's
 * starting value (0 for AVG's sum); then, row by row and within a row output
 * pixel by output pixel, each pixel of its window on the row adds the
 * block's channels there into their columns: so every column pools its
 * values rows first, pixels next, as DL4J's pooling does, MAX as it compares
 * (a value counts only if it is greater, so NaN never does), AVG adding in
 * float, and NORM (one position, its window one pixel) adding its value to
 * 0. No weights read here (a normalization's are read by norm_finish): one
 * compare or add per value pooled, all in the event
 * that brings the last row (its producers may interleave as they like:
 * nothing waits for an earlier row), which the cost model charges as the
 * block's completion; out->rows counts none. s4j_pool_shape_ok bounds every
 * size below 2^16, so no product below overflows. Not inlined: inside
 * s4j_on_loaded_packet its loops took registers from the receive and the completion
 * (block.value 115, pool.completion.fixed.max 486 instructions inlined; 114
 * and 468 not; count-diff.sh).
 */
__attribute__((noinline))
static void pool_rows(s4j_header *h, const s4j_layout *l, void *dtcm)
{
    const float *x = CAT(float, dtcm, l->x)
        + (size_t)s4j_fwd_entry(s4j_train_of(l, dtcm)) * h->n_rows;
    float *z = AT(float, dtcm, l->z);
    int max = h->pool == S4J_POOL_MAX;
    uint32_t j;

    for (j = 0u; j < h->n_cols; j++) {
        z[j] = max ? h->pool_start : 0.0f;
    }
    if (max) {
        pool_walk(h, x, z, pool_max_float);
    } else {
        pool_walk(h, x, z, pool_add_float);
    }
}

/* S16_15: the largest word of column j's window so far (the words filed
 * as floats' bits, compared as integers: exact). */
static inline __attribute__((always_inline)) void pool_max_word(void *z, uint32_t j, const float *v)
{
    int32_t *zj = (int32_t *)z + j;
    int32_t w = (int32_t)s4j_bits_of(*v);

    if (w > *zj) {
        *zj = w;
    }
}

/* S16_15: a word added to column j's 64-bit sum (a low, high word pair,
 * added modulo 2^64: a window of fewer than 2^32 words cannot wrap). */
static inline __attribute__((always_inline)) void pool_add_word(void *z, uint32_t j, const float *v)
{
    uint32_t *s = (uint32_t *)z + 2u * j;

    s4j_sum_set(s, s4j_sum_get(s) + (uint64_t)(int64_t)(int32_t)s4j_bits_of(*v));
}

/*
 * An S16_15 pooling block's pooled values, every row in, as the 64-bit sums
 * s4j_fix_finish_block biases, rounds once, activates and sends (in units
 * of 2^-30: a word w is w 2^15, which that rounding gives back exactly).
 * MAX: the largest word of the window from INT32_MIN (the word DL4J's start,
 * -3.4e38 or -inf, saturates to), so a window whose words are all INT32_MIN
 * gives INT32_MIN. AVG: the exact sum of the window's words divided by
 * pool_divisor times its pixels in a row (pool_kernel_w if the padding
 * counts) and rounded once, to nearest, ties away from zero (on the
 * magnitude, so no negative value is divided; the divisor is below 2^32, as
 * check_pooling bounds its factors, and the quotient's magnitude at most
 * 2^31, so it cannot saturate). NORM: the one word x of column j times
 * weight row S4J_NORM_ROW_GAMMA, the folded a^ = gamma / sqrt(var + eps)
 * the host quantised (the bias is the folded c^ = beta - mean a).
 */
__attribute__((noinline))
static void fix_pool_sums(s4j_header *h, const s4j_layout *l, void *dtcm)
{
    const float *x = CAT(float, dtcm, l->x);
    uint32_t *sums = (uint32_t *)(void *)s4j_block_acc(l, dtcm, h->n_cols);
    int32_t *zq = AT(int32_t, dtcm, l->z);
    uint32_t n = h->n_cols;
    uint32_t ox = h->pool_first / h->pool_channels;
    uint32_t c = h->pool_first - ox * h->pool_channels;
    uint32_t j;

    if (h->pool == S4J_POOL_MAX) {
        for (j = 0u; j < n; j++) {
            zq[j] = INT32_MIN;
        }
        pool_walk(h, x, zq, pool_max_word);
        for (j = 0u; j < n; j++) {
            s4j_sum_set(sums + 2u * j, (uint64_t)(int64_t)zq[j] << 15);
        }
        return;
    }
    pool_walk(h, x, sums, pool_add_word); /* into sums that are 0 (s4j_fix_finish_block) */
    for (j = 0u; j < n; j++) {
        uint64_t s = s4j_sum_get(sums + 2u * j);

        if (h->pool == S4J_POOL_NORM) {
            const int32_t *a = CAT(int32_t, dtcm, l->weights) + S4J_NORM_ROW_GAMMA * n;

            s = (uint64_t)((int64_t)(int32_t)(uint32_t)s * a[j]);
        } else {
            uint64_t d = pool_avg_divisor(h, ox);
            int negative = (s >> 63) != 0u;
            uint64_t mag = negative ? 0u - s : s;
            uint64_t q = mag / d;

            q += 2u * (mag - q * d) >= d ? 1u : 0u;
            s = (negative ? 0u - q : q) << 15;
            if (++c == h->pool_channels) {
                c = 0u;
                ox++;
            }
        }
        s4j_sum_set(sums + 2u * j, s);
    }
}

/* A batch normalization's z once its row is in: each value normalized and
 * scaled, ((x - mean) / std) * gamma, as DL4J computes it (beta is the
 * bias, added with the activation). */
static void norm_finish(const s4j_header *h, const s4j_layout *l, void *dtcm)
{
    float *z = AT(float, dtcm, l->z);
    const float *w = CAT(float, dtcm, l->weights);
    uint32_t n = h->n_cols;
    uint32_t j;

    for (j = 0u; j < n; j++) {
        z[j] = (z[j] - w[S4J_NORM_ROW_MEAN * n + j]) / w[S4J_NORM_ROW_STD * n + j]
             * w[S4J_NORM_ROW_GAMMA * n + j];
    }
}

/* A pooling block's z once every row is in: AVG's sums divided, column j's
 * by pool_divisor times its window's pixels in a row (pool_kernel_w if the
 * padding counts). */
static void pool_finish(const s4j_header *h, const s4j_layout *l, void *dtcm)
{
    float *z = AT(float, dtcm, l->z);
    uint32_t channels = h->pool_channels;
    uint32_t ox = h->pool_first / channels;
    uint32_t c = h->pool_first - ox * channels;
    uint32_t j;

    if (h->pool == S4J_POOL_NORM) {
        norm_finish(h, l, dtcm);
        return;
    }
    if (h->pool != S4J_POOL_AVG) {
        return;
    }
    for (j = 0u; j < h->n_cols; j++) {
        z[j] /= (float)pool_avg_divisor(h, ox);
        if (++c == channels) {
            c = 0u;
            ox++;
        }
    }
}

/*
 * Every row of a block is in (a block's multiplied in, a pooling block's
 * pooled next): its row bookkeeping reset for the next sample's rows, then a
 * batch normalization's row kept, or the sums finished (S16_15's by
 * s4j_fix_finish_block) and sent. A function of its own, the bitmap taken
 * again: with on_row's pointer kept live here, every row's receive and the
 * loop that multiplies rows in spilled registers (block.value 115, block.row
 * 37 instructions against 114 and 35; count-diff.sh). Inlined into both its
 * callers (on_row, s4j_on_rows), as it was into its one.
 */
static inline __attribute__((always_inline))
int32_t rows_complete(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out)
{
    S4J_VERIFY(h->pool != S4J_POOL_NONE || h->rows_done == h->n_rows);
    memset(AT(uint32_t, dtcm, l->bitmap), 0, (size_t)s4j_bitmap_words(h->n_rows) * sizeof(uint32_t));
    h->received = 0u;
    h->rows_done = 0u;
    if (l->bn != 0u) {
        /* kept for the mini-batch's statistics: nothing sent */
        return s4j_batch_norm_keep_row(h, s4j_train_of(l, dtcm), s4j_bn_of(l, dtcm));
    }
    if (h->arithmetic != S4J_ARITH_FLOAT) {
        if (h->pool != S4J_POOL_NONE) {
            fix_pool_sums(h, l, dtcm);
        }
        return s4j_fix_finish_block(h, l, dtcm, out);
    }
    if (h->pool != S4J_POOL_NONE) {
        pool_rows(h, l, dtcm);
        pool_finish(h, l, dtcm);
    } else {
        s4j_acc_finish(s4j_block_acc(l, dtcm, h->n_cols), AT(float, dtcm, l->z), h->n_cols);
    }
    return s4j_finish_z(h, l, dtcm, out);
}

/* Row `row` of a block filed (a float, or in S16_15 a word, its bits kept as
 * a float's, read back by a row convolution's s4j_fix_accumulate_rows or a
 * pooling block's fix_pool_sums; an S16_15 dense block's words go to
 * on_fix_word instead), nothing multiplied in yet: S4J_OK, or the refusal
 * of a next sample's row during a softmax exchange, of a training block's
 * first row of a sample with no ring entry free, of a row that came twice.
 * The one filing of on_row and s4j_on_rows. */
static inline __attribute__((always_inline))
int32_t file_row(s4j_header *h, const s4j_layout *l, void *dtcm, uint32_t row, uint32_t payload)
{
    uint32_t *bitmap = AT(uint32_t, dtcm, l->bitmap);
    s4j_train *t = s4j_train_of(l, dtcm);
    uint32_t bit = 1u << (row % 32u);
    uint32_t n_rows = h->n_rows;
    float *x = AT(float, dtcm, l->x) + (size_t)s4j_fwd_entry(t) * n_rows;

    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP;
    }
    if (h->received == 0u && forward_room(h, l, dtcm, t) != S4J_OK) {
        return S4J_ERR_IN_FLIGHT;
    }
    if ((bitmap[row / 32u] & bit) != 0u) {
        return S4J_ERR_DUPLICATE_ROW;
    }
    S4J_VERIFY(h->received < n_rows && h->rows_done <= row);
    bitmap[row / 32u] |= bit;
    x[row] = s4j_f_of(payload);
    h->received++;
    return S4J_OK;
}

/* Row `row` of a block filed (file_row); the rows from rows_done on that
 * have arrived multiplied in, and the last completes the block. n_rows is
 * read before the filing: reloaded after it, block.row measured 33 against
 * 34 here (count-diff.sh). */
static int32_t on_row(s4j_header *h, const s4j_layout *l, void *dtcm,
                      uint32_t row, uint32_t payload, s4j_outbox *out)
{
    uint32_t n_rows = h->n_rows;
    int32_t r = file_row(h, l, dtcm, row, payload);

    if (r != S4J_OK) {
        return r;
    }
    if (row == h->rows_done && h->pool == S4J_POOL_NONE) {
        if (h->arithmetic == S4J_ARITH_FLOAT) {
            accumulate_rows(h, l, dtcm, out);
        } else {
            s4j_fix_accumulate_rows(h, l, dtcm, out);
        }
    }
    if (h->received == n_rows) {
        return rows_complete(h, l, dtcm, out);
    }
    return S4J_OK;
}

/*
 * Word `row` of an S16_15 dense block (s4j_fix_on_arrival: its DATA ranges
 * have kind S4J_RANGE_FIX_WORD in its state, S4J_RANGE_FIX_TRAIN_WORD if it
 * trains). Exact integer sums do not depend on the order, so nothing waits
 * for an earlier row, as a float32 block's rows must (float addition is not
 * associative). An inference block keeps the word and multiplies every word
 * in at its completion, its weights in panels (s4j_fix_mac_panels: a
 * panel's sums stay in registers); a training block (`training`, a constant
 * at each of the two calls: an inference block's path has no test of it)
 * multiplies it straight into its 64-bit sums and keeps it in its x ring for
 * the backward pass. The checks are on_row's: a next sample's word during a
 * softmax exchange, a row that came twice (the bitmap), and a training
 * block's ring room at a sample's first word. The last word completes the
 * block, which empties the sums for the next sample. Returns what
 * s4j_on_loaded_packet returns. A training block's event reports its one row
 * (out->rows), which the cost model charges the word's MACs by; an inference
 * block's MACs are its completion's.
 */
static inline __attribute__((always_inline))
int32_t on_fix_word(const s4j_layout *l, void *dtcm, uint32_t row, uint32_t payload, s4j_outbox *out,
                    int training)
{
    s4j_header *h = (s4j_header *)dtcm;
    uint32_t *bitmap = AT(uint32_t, dtcm, l->bitmap);
    uint32_t bit = 1u << (row % 32u);
    uint32_t n_cols = h->n_cols;

    S4J_VERIFY(s4j_fix_on_arrival(h) && (l->train != 0u) == (training != 0) && l->bn == 0u
               && row < h->n_rows);
    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP;
    }
    if ((bitmap[row / 32u] & bit) != 0u) {
        return S4J_ERR_DUPLICATE_ROW;
    }
    S4J_VERIFY(h->received < h->n_rows);
    if (training) {
        const s4j_train *t = CAT(s4j_train, dtcm, l->train);

        if (h->received == 0u && t->held >= h->in_flight) {
            return S4J_ERR_IN_FLIGHT;
        }
        AT(uint32_t, dtcm, l->x)[(size_t)s4j_fwd_entry(t) * h->n_rows + row] = payload;
    } else {
        AT(uint32_t, dtcm, l->x)[row] = payload;
    }
    bitmap[row / 32u] |= bit;
    if (training) {
        s4j_fix_mac_row((uint32_t *)(void *)s4j_block_acc(l, dtcm, n_cols),
                        CAT(int32_t, dtcm, l->weights) + (size_t)row * n_cols, (int32_t)payload, n_cols);
        out->rows = 1u; /* the event's one row (s4j_begin_event zeroed the count) */
    }
    if (++h->received == h->n_rows) {
        int32_t r;

        memset(bitmap, 0, (size_t)s4j_bitmap_words(h->n_rows) * sizeof(uint32_t));
        h->received = 0u;
        if (!training) {
            s4j_fix_mac_panels((uint32_t *)(void *)s4j_block_acc(l, dtcm, n_cols),
                               CAT(int32_t, dtcm, l->weights), CAT(int32_t, dtcm, l->x), h->n_rows, n_cols);
        }
        r = s4j_fix_finish_block(h, l, dtcm, out);
        if (r < 0) {
            return r;
        }
    }
    return (int32_t)out->count;
}

/*
 * Slot (row, j) of a table of partials, n_cols a row: whether it is already
 * filled (1), or fills it with v (0). The caller checked that row is one of
 * the table's rows (src < n_src, or 0 for a one-row table) and j < n_cols;
 * the table lies inside the state, so the index cannot overflow.
 */
static int slot_put(float *slots, uint32_t *bitmap, uint32_t n_cols,
                    uint32_t row, uint32_t j, float v)
{
    size_t k = (size_t)row * n_cols + j;

    if (s4j_bit_claim(bitmap, k) != 0) {
        return 1;
    }
    slots[k] = v;
    return 0;
}

/*
 * sum[j] = the filled slots (src, j) of the ranges of one kind added in
 * range-table order (src counts the ranges other than SOFTMAX_SYNC), whatever
 * order they arrived in; their bits are cleared for the next sample. A table
 * of one row (rows == 1: each output has one partial, from any range) is
 * added once, as the first range of that kind.
 */
static void slot_sums(const s4j_header *h, const s4j_layout *l, void *dtcm,
                      uint32_t kind, const float *slots, uint32_t *bitmap,
                      uint32_t rows, float *sum)
{
    const s4j_range *ranges = CAT(s4j_range, dtcm, l->ranges);
    uint32_t n_cols = h->n_cols;
    uint32_t src = 0u;
    uint32_t i;
    uint32_t j;

    for (j = 0u; j < n_cols; j++) {
        sum[j] = 0.0f;
    }
    for (i = 0u; i < h->n_ranges && src < l->n_src; i++) {
        if (ranges[i].kind == S4J_RANGE_SOFTMAX_SYNC || ranges[i].kind == S4J_RANGE_NORM) {
            continue;
        }
        if (ranges[i].kind == kind) {
            size_t row = rows == 1u ? 0u : src;

            for (j = 0u; j < n_cols; j++) {
                s4j_slot_take(slots, bitmap, row * n_cols + j, &sum[j]);
            }
            if (rows == 1u) {
                break;
            }
        }
        src++;
    }
}

/* Every partial of a float reduce's sample is in: z_j = the partials of
 * output j in range-table order, not arrival order; the counts emptied for
 * the next sample, and z finished (on_partial, float_partials). */
static int32_t partials_complete(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out)
{
    uint32_t *counts = AT(uint32_t, dtcm, l->counts);

    slot_sums(h, l, dtcm, S4J_RANGE_DATA, AT(float, dtcm, l->slots), AT(uint32_t, dtcm, l->slot_bitmap),
              s4j_slot_rows(h->expected_partials, l->n_src), AT(float, dtcm, l->z));
    memset(counts, 0, (size_t)h->n_cols * sizeof(uint32_t));
    h->received = 0u;
    return s4j_finish_z(h, l, dtcm, out);
}

/* Partial sum for output col of a float reduce from its DATA range src (src
 * counts the ranges other than SOFTMAX_SYNC), filed in slot row src, or in
 * row 0 of the one-row table of a reduce expecting one partial per output. */
static int32_t on_partial(s4j_header *h, const s4j_layout *l, void *dtcm,
                          uint32_t src, uint32_t col, uint32_t payload,
                          s4j_outbox *out)
{
    uint32_t *counts = AT(uint32_t, dtcm, l->counts);
    float *slots = AT(float, dtcm, l->slots);
    uint32_t *slot_bitmap = AT(uint32_t, dtcm, l->slot_bitmap);
    s4j_train *t = s4j_train_of(l, dtcm);
    uint32_t n_cols = h->n_cols;

    S4J_VERIFY(l->slots != 0u && src < l->n_src && col < n_cols);
    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP;
    }
    if (h->received == 0u && forward_room(h, l, dtcm, t) != S4J_OK) {
        return S4J_ERR_IN_FLIGHT;
    }
    if (counts[col] >= h->expected_partials) {
        return S4J_ERR_TOO_MANY_PARTIALS;
    }
    S4J_VERIFY((uint64_t)h->received < (uint64_t)n_cols * h->expected_partials);
    if (slot_put(slots, slot_bitmap, n_cols, h->expected_partials == 1u ? 0u : src, col,
                 s4j_f_of(payload)) != 0) {
        return S4J_ERR_TOO_MANY_PARTIALS; /* this range already sent output col */
    }
    counts[col]++;
    h->received++;
    if (counts[col] == h->expected_partials && col == h->rows_done && s4j_streams_columns(h, t)) {
        /* the column sent next is complete: it and every complete one
         * after it go (rows_done is always the first incomplete column,
         * so the sample's last partial is such a column's) */
        return s4j_stream_columns(h, l, dtcm, out);
    }
    if ((uint64_t)h->received == (uint64_t)n_cols * h->expected_partials) {
        return partials_complete(h, l, dtcm, out);
    }
    return S4J_OK;
}

static int32_t on_value(s4j_header *h, const s4j_layout *l, void *dtcm,
                        uint32_t idx, uint32_t payload)
{
    uint32_t *bitmap = AT(uint32_t, dtcm, l->bitmap);
    float *values = AT(float, dtcm, l->z);
    uint32_t bit = 1u << (idx % 32u);

    if ((bitmap[idx / 32u] & bit) != 0u) {
        return S4J_ERR_DUPLICATE_VALUE;
    }
    S4J_VERIFY(h->received < h->n_cols);
    bitmap[idx / 32u] |= bit;
    values[idx] = s4j_f_of(payload);
    h->received++;
    return S4J_OK;
}

static int32_t on_sync(s4j_header *h, const s4j_layout *l, void *dtcm,
                       uint32_t slot, uint32_t which, uint32_t payload,
                       s4j_outbox *out)
{
    s4j_peer *peers = AT(s4j_peer, dtcm, l->peers);
    s4j_train *t = s4j_train_of(l, dtcm);
    s4j_peer *p;

    S4J_VERIFY(slot < h->softmax_peers && which <= (t != NULL ? 2u : 1u));
    p = &peers[slot];
    if (which == 2u) {
        float *dots = AT(float, dtcm, l->peer_dots);

        if (t->loss != S4J_LOSS_NONE && !s4j_softmax_jacobian(h, t)) {
            return S4J_ERR_WRONG_KIND; /* y - t needs no sums */
        }
        if ((p->flags & S4J_PEER_DOT) != 0u) {
            return S4J_ERR_DUPLICATE_SYNC;
        }
        S4J_VERIFY(t->dots_received < h->softmax_peers);
        p->flags |= S4J_PEER_DOT;
        dots[slot] = s4j_f_of(payload);
        t->dots_received++;
        return s4j_dot_advance(h, l, dtcm, t, out);
    }
    if (which == 0u) {
        if ((p->flags & S4J_PEER_MAX) != 0u) {
            return S4J_ERR_DUPLICATE_SYNC;
        }
        p->flags |= S4J_PEER_MAX;
        if (h->arithmetic == S4J_ARITH_S16_15) {
            p->max_q = (int32_t)payload;
        } else {
            p->max = s4j_f_of(payload);
        }
        h->maxes_received++;
    } else {
        if ((p->flags & S4J_PEER_SUM) != 0u) {
            return S4J_ERR_DUPLICATE_SYNC;
        }
        p->flags |= S4J_PEER_SUM;
        if (h->arithmetic == S4J_ARITH_S16_15) {
            p->sum_q = (int32_t)payload;
        } else {
            p->sum = s4j_f_of(payload);
        }
        h->sums_received++;
    }
    return s4j_softmax_advance(h, l, dtcm, out);
}

/* DELTA j of an unfused block. */
static int32_t on_delta(s4j_header *h, const s4j_layout *l, void *dtcm,
                        s4j_train *t, uint32_t j, uint32_t payload,
                        s4j_outbox *out)
{
    uint32_t *bitmap = AT(uint32_t, dtcm, l->delta_bitmap);
    float *delta = AT(float, dtcm, l->delta);
    uint32_t bit = 1u << (j % 32u);

    if (t->held == 0u) {
        return S4J_ERR_NO_FORWARD;
    }
    if ((bitmap[j / 32u] & bit) != 0u) {
        return S4J_ERR_DUPLICATE_DELTA;
    }
    S4J_VERIFY(t->back_received < h->n_cols);
    bitmap[j / 32u] |= bit;
    delta[j] = s4j_f_of(payload);
    t->back_received++;
    if (t->back_received == h->n_cols) {
        int32_t r;

        memset(bitmap, 0, (size_t)s4j_bitmap_words(h->n_cols) * sizeof(uint32_t));
        t->back_received = 0u;
        r = s4j_block_backward(h, l, dtcm, t, out);
        if (r < 0) {
            return r;
        }
        s4j_backward_done(h, t);
    }
    return S4J_OK;
}

/* S16_15: the error word of output j of a hidden fused block, rounded once
 * by the one block of the layer above that holds its row (EXPECTED_BACKWARD
 * 1, s4j_config.c); the last of the sample's starts its backward pass. */
static int32_t on_fix_error(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t,
                            uint32_t j, uint32_t payload, s4j_outbox *out)
{
    uint32_t *counts = AT(uint32_t, dtcm, l->ecounts);

    S4J_VERIFY(l->eacc != 0u && j < h->n_cols);
    if (t->held == 0u) {
        return S4J_ERR_NO_FORWARD;
    }
    if (counts[j] != 0u) {
        return S4J_ERR_TOO_MANY_BACKWARD;
    }
    S4J_VERIFY(t->back_received < h->n_cols);
    counts[j] = 1u;
    AT(uint32_t, dtcm, l->eacc)[j] = payload;
    if (++t->back_received == h->n_cols) {
        memset(counts, 0, (size_t)h->n_cols * sizeof(uint32_t));
        t->back_received = 0u;
        return s4j_fix_hidden_backward(h, l, dtcm, t, out);
    }
    return S4J_OK;
}

/* S16_15: half k (column k / 2; the low word if k is even, else the high
 * word) of a partial error of a hidden fused block from the block of the
 * layer above behind range src (src counts the ranges other than
 * SOFTMAX_SYNC), added into the column's 64-bit sum: exact, in any order.
 * Once every block's halves of every column are in (2 EXPECTED_BACKWARD
 * n_cols), each sum is rounded once to the column's error word and the
 * sample's backward pass starts. Not inlined: in s4j_on_loaded_packet it cost every
 * other packet's path two instructions (check-calibration, reduce.partial). */
static __attribute__((noinline))
int32_t on_fix_error_half(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t,
                                 uint32_t src, uint32_t k, uint32_t payload, s4j_outbox *out)
{
    uint32_t *counts = AT(uint32_t, dtcm, l->ecounts);
    uint32_t *bitmap = AT(uint32_t, dtcm, l->back_slot_bitmap);
    uint64_t *sums = AT(uint64_t, dtcm, l->back_slots);
    uint32_t n = h->n_cols;
    uint32_t j = k / 2u;
    uint32_t bit = src * 2u * n + k;
    uint64_t expected = 2u * (uint64_t)n * t->expected_backward;

    S4J_VERIFY(l->back_slots != 0u && l->eacc != 0u && src < l->n_src && k < 2u * n);
    if (t->held == 0u) {
        return S4J_ERR_NO_FORWARD;
    }
    if ((bitmap[bit / 32u] & (1u << (bit % 32u))) != 0u || counts[j] >= 2u * t->expected_backward) {
        return S4J_ERR_TOO_MANY_BACKWARD; /* this range sent it already, or too many blocks did */
    }
    S4J_VERIFY((uint64_t)t->back_received < expected);
    bitmap[bit / 32u] |= 1u << (bit % 32u);
    counts[j]++;
    sums[j] += (k % 2u) != 0u ? (uint64_t)payload << 32 : (uint64_t)payload;
    if ((uint64_t)++t->back_received == expected) {
        s4j_fix_round_sums(sums, AT(int32_t, dtcm, l->eacc), n, &h->saturated);
        memset(sums, 0, (size_t)n * sizeof(uint64_t));
        memset(counts, 0, (size_t)n * sizeof(uint32_t));
        memset(bitmap, 0, (size_t)s4j_bitmap_words(l->n_src * 2u * n) * sizeof(uint32_t));
        t->back_received = 0u;
        return s4j_fix_hidden_backward(h, l, dtcm, t, out);
    }
    return S4J_OK;
}

#ifdef S4J_CHECKED
/* The local keys a DELTA, BACKWARD_PARTIAL or LABEL range may map to: n_cols,
 * or 2 n_cols for an S16_15 block's error halves. */
static uint32_t back_keys_in(const s4j_header *h, const s4j_train *t, uint32_t kind)
{
    return kind == S4J_RANGE_BACKWARD_PARTIAL && s4j_fix_takes_halves(h->arithmetic, t->expected_backward)
        ? 2u * h->n_cols : h->n_cols;
}
#endif

/* BACKWARD_PARTIAL for output j of a hidden activator from range src (src
 * counts the ranges other than SOFTMAX_SYNC). */
static int32_t on_backward_partial(s4j_header *h, const s4j_layout *l,
                                   void *dtcm, s4j_train *t, uint32_t src,
                                   uint32_t j, uint32_t payload, s4j_outbox *out)
{
    uint32_t *counts = AT(uint32_t, dtcm, l->ecounts);
    float *e = AT(float, dtcm, l->eacc);
    float *slots = AT(float, dtcm, l->back_slots);
    uint32_t *slot_bitmap = AT(uint32_t, dtcm, l->back_slot_bitmap);
    uint64_t expected = (uint64_t)h->n_cols * t->expected_backward;

    S4J_VERIFY(l->eacc != 0u && l->back_slots != 0u && src < l->n_src && j < h->n_cols);
    if (t->held == 0u) {
        return S4J_ERR_NO_FORWARD;
    }
    if ((t->flags & S4J_TRAIN_DOT_SENT) != 0u || counts[j] >= t->expected_backward) {
        return S4J_ERR_TOO_MANY_BACKWARD;
    }
    S4J_VERIFY((uint64_t)t->back_received < expected);
    if (slot_put(slots, slot_bitmap, h->n_cols, src, j, s4j_f_of(payload)) != 0) {
        return S4J_ERR_TOO_MANY_BACKWARD; /* this range already sent output j */
    }
    counts[j]++;
    t->back_received++;
    if ((uint64_t)t->back_received == expected) {
        /* e_j = partials of output j in range-table order, not arrival order */
        slot_sums(h, l, dtcm, S4J_RANGE_BACKWARD_PARTIAL, slots, slot_bitmap, l->n_src, e);
        memset(counts, 0, (size_t)h->n_cols * sizeof(uint32_t));
        t->back_received = 0u;
        return s4j_hidden_backward(h, l, dtcm, t, out);
    }
    return S4J_OK;
}

/* LABEL j of an output activator: the labels of the samples come in sample
 * order, each set into the next ring entry; a complete set whose sample's
 * forward pass is done starts the backward pass. */
static int32_t on_label(s4j_header *h, const s4j_layout *l, void *dtcm,
                        s4j_train *t, uint32_t j, uint32_t payload,
                        s4j_outbox *out)
{
    uint32_t *bitmap = AT(uint32_t, dtcm, l->label_bitmap);
    float *labels = AT(float, dtcm, l->labels) + (size_t)t->label_slot * h->n_cols;
    uint32_t bit = 1u << (j % 32u);

    if (t->back_received == 0u && t->labels_held >= h->in_flight) {
        return S4J_ERR_IN_FLIGHT;
    }
    if ((bitmap[j / 32u] & bit) != 0u) {
        return S4J_ERR_DUPLICATE_LABEL;
    }
    S4J_VERIFY(t->back_received < h->n_cols);
    bitmap[j / 32u] |= bit;
    if (h->arithmetic == S4J_ARITH_S16_15) {
        ((uint32_t *)(void *)labels)[j] = payload; /* a word, as AccumQuantiser gave it */
    } else {
        labels[j] = s4j_f_of(payload);
    }
    t->back_received++;
    if (t->back_received == h->n_cols) {
        memset(bitmap, 0, (size_t)s4j_bitmap_words(h->n_cols) * sizeof(uint32_t));
        t->back_received = 0u;
        t->labels_held++;
        t->label_slot = s4j_ring_next(h, t->label_slot);
        return s4j_output_ready_backward(h, l, dtcm, t, out);
    }
    return S4J_OK;
}

/* Partial `which` (0: the weights' or the layer's, 1: the bias') of the
 * sums of squares of the peer at position pos; no sends. */
static int32_t on_norm(const s4j_layout *l, void *dtcm, s4j_train *t,
                       uint32_t pos, uint32_t which, uint32_t payload)
{
    float *norm = AT(float, dtcm, l->norm);
    uint32_t *bits = AT(uint32_t, dtcm, l->norm_bits);
    uint32_t k;

    /* s4j_load accepts NORM ranges only on L2 training cores, of
     * norm_keys keys, at positions up to norm_peers */
    S4J_VERIFY(t != NULL && l->norm != 0u && pos <= t->norm_peers && which < 2u);
    k = 2u * pos + which;
    if ((bits[k / 32u] & (1u << (k % 32u))) != 0u) {
        return S4J_ERR_DUPLICATE_SYNC;
    }
    bits[k / 32u] |= 1u << (k % 32u);
    norm[k] = s4j_f_of(payload);
    t->norm_received++;
    return 0;
}

/* The source index of range i (the ranges other than SOFTMAX_SYNC and NORM
 * before it: a reduce's slot row or key-bitmap row): i itself among the
 * uniform ranges (none of them a SOFTMAX_SYNC or NORM), else counted, only
 * for the packets that need it, so every other packet's search is a compare
 * a range. A kernel copy's SHARE and PARAM ranges come last
 * (s4j_check_config). */
static inline uint32_t source_of(const s4j_layout *l, const s4j_range *ranges, uint32_t i)
{
    uint32_t src = 0u;
    uint32_t k;

    if (i < l->uniform_ranges) {
        return i;
    }
    for (k = 0u; k < i; k++) {
        src += (uint32_t)s4j_counts_as_source(ranges[k].kind);
    }
    return src;
}

/* The range of n that holds key (n if none): the first by a compare (a
 * block's one range), the other uniform ranges by a multiply
 * (s4j_find_uniform_ranges), the rest by a compare each, so a reduce's
 * packet finds its source's range at one cost whichever it is. */
static inline __attribute__((always_inline))
uint32_t range_of(const s4j_layout *l, const s4j_range *ranges, uint32_t n, uint32_t key)
{
    uint32_t u;
    uint32_t i;

    if (n == 0u || key - ranges[0].key_lo < ranges[0].span) {
        return 0u;
    }
    u = l->uniform_ranges;
    if (u != 0u) {
        i = (uint32_t)(((uint64_t)(key - ranges[0].key_lo) * l->range_recip) >> 32);
        if (i < u && key - ranges[i].key_lo < ranges[i].span) {
            return i;
        }
    }
    for (i = u != 0u ? u : 1u; i < n && key - ranges[i].key_lo >= ranges[i].span; i++) {
    }
    return i;
}

/* What a row of a training core's input (t != NULL) meets before its filing,
 * as a DATA packet or in s4j_on_rows: a kernel copy's next forward pass
 * waits for its new parameters (S4J_ERR_INCOMPLETE), and a block under
 * dropout (no other core has it on) files x m / p (*payload scaled). */
static inline __attribute__((always_inline))
int32_t data_admit(const s4j_train *t, uint32_t row, uint32_t *payload, s4j_outbox *out)
{
    if (t->copy_phase != 0u) {
        return S4J_ERR_INCOMPLETE;
    }
    if (t->drop_on != 0u) {
        *payload = s4j_drop_row(t, row, *payload, out);
    }
    return S4J_OK;
}

/* The checks of an event's entry from the host (s4j_on_packet, s4j_on_rows):
 * a loaded state in a buffer of capacity bytes, its layout in *l, and an
 * outbox that takes the core's most sends of one event; S4J_OK or the
 * error. The outbox is not emptied here (s4j_begin_event). */
static inline __attribute__((always_inline))
int32_t check_event(const void *dtcm, uint32_t capacity, const s4j_layout **l, const s4j_outbox *out)
{
    int32_t r = s4j_layout_of(dtcm, capacity, l);

    if (r != S4J_OK) {
        return r;
    }
    if (out == NULL || out->send == NULL || out->capacity < (*l)->max_sends) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    return S4J_OK;
}

int32_t s4j_on_packet(void *dtcm, uint32_t capacity, uint32_t key,
                      uint32_t payload, s4j_outbox *out)
{
    const s4j_layout *l;
    int32_t r = check_event(dtcm, capacity, &l, out);

    return r != S4J_OK ? r : s4j_on_loaded_packet(dtcm, key, payload, out);
}

int32_t s4j_on_loaded_packet(void *dtcm, uint32_t key, uint32_t payload, s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l = CAT(s4j_layout, dtcm, sizeof(s4j_header));
    const s4j_range *ranges;
    const s4j_range *rg;
    s4j_train *t;
    uint32_t n;
    uint32_t i;
    uint32_t off;
    int32_t r;

    s4j_begin_event(out);
    ranges = AT(const s4j_range, dtcm, l->ranges);
    n = h->n_ranges;
    i = range_of(l, ranges, n, key);
    if (i == n) {
        return S4J_ERR_UNKNOWN_KEY;
    }
    rg = &ranges[i];
    off = key - rg->key_lo;
    t = s4j_train_of(l, dtcm);
    switch (rg->kind) {
    case S4J_RANGE_IGNORE:
        if (h->discarded != UINT32_MAX) {
            h->discarded++;
        }
        return 0;
    case S4J_RANGE_SOFTMAX_SYNC:
        r = on_sync(h, l, dtcm, rg->local, off, payload, out);
        return r < 0 ? r : (int32_t)out->count;
    case S4J_RANGE_NORM:
        return on_norm(l, dtcm, t, rg->local, off, payload);
    case S4J_RANGE_SHARE:
    case S4J_RANGE_BN_PARTIAL:
        /* a share slot, or a batch normalization's partial-sum slot (the
         * sender's first at local; s4j_on_share tells them apart): one call,
         * so every other packet's path keeps its cost */
        return s4j_on_share(l, dtcm, t, rg->local + off, payload);
    case S4J_RANGE_PARAM:
        return s4j_on_param(l, dtcm, t, rg->local + off, payload);
    case S4J_RANGE_FIX_WORD:
        /* an S16_15 dense block's word, an S16_15 reduce's packet (s4j_load
         * gave their DATA ranges these kinds) to their own filings, which end
         * the event: no test of the training part, the core's kind or its
         * arithmetic (count-diff.sh: a word 8 instructions fewer than from
         * the default case, a half 6 fewer than from DATA's kind switch) */
        return on_fix_word(l, dtcm, rg->local + off, payload, out, 0);
    case S4J_RANGE_FIX_TRAIN_WORD:
        /* a training block's word, also kept in its x ring */
        return on_fix_word(l, dtcm, rg->local + off, payload, out, 1);
    case S4J_RANGE_FIX_PARTIAL:
        return s4j_fix_on_partial(dtcm, source_of(l, ranges, i), rg->local + off, payload, out);
    case S4J_RANGE_DATA:
        if (t != NULL && data_admit(t, rg->local + off, &payload, out) != S4J_OK) {
            return S4J_ERR_INCOMPLETE;
        }
        break;
    case S4J_RANGE_DELTA:
    case S4J_RANGE_BACKWARD_PARTIAL:
    case S4J_RANGE_LABEL:
        /* s4j_load accepts these ranges only on training cores of the
         * right kind, within n_cols (2 n_cols: an S16_15 block's halves) */
        S4J_VERIFY(t != NULL
                   && rg->local < back_keys_in(h, t, rg->kind) && off < back_keys_in(h, t, rg->kind) - rg->local);
        if (rg->kind == S4J_RANGE_DELTA) {
            S4J_VERIFY(h->kind == S4J_KIND_DENSE_BLOCK && h->fused == 0u);
            r = on_delta(h, l, dtcm, t, rg->local + off, payload, out);
        } else if (rg->kind == S4J_RANGE_LABEL) {
            S4J_VERIFY(s4j_has_bias(h->kind, h->fused) && t->loss != S4J_LOSS_NONE);
            r = on_label(h, l, dtcm, t, rg->local + off, payload, out);
        } else if (h->arithmetic == S4J_ARITH_S16_15) {
            S4J_VERIFY(s4j_has_bias(h->kind, h->fused) && t->loss == S4J_LOSS_NONE);
            r = s4j_fix_takes_halves(h->arithmetic, t->expected_backward)
                ? on_fix_error_half(h, l, dtcm, t, source_of(l, ranges, i), rg->local + off, payload, out)
                : on_fix_error(h, l, dtcm, t, rg->local + off, payload, out);
        } else {
            S4J_VERIFY(s4j_has_bias(h->kind, h->fused) && t->loss == S4J_LOSS_NONE);
            r = on_backward_partial(h, l, dtcm, t, source_of(l, ranges, i), rg->local + off,
                                    payload, out);
        }
        return r < 0 ? r : (int32_t)out->count;
    default:
        return S4J_ERR_CORRUPT;
    }
    /* s4j_load accepts DATA ranges only within n_rows (block) or n_cols
     * (twice that for a reduce's partial halves) */
    S4J_VERIFY(rg->local < (h->kind == S4J_KIND_DENSE_BLOCK ? h->n_rows
                            : h->n_cols * s4j_keys_in(h->partial_halves))
               && off < (h->kind == S4J_KIND_DENSE_BLOCK ? h->n_rows
                         : h->n_cols * s4j_keys_in(h->partial_halves)) - rg->local);
    switch (h->kind) {
    case S4J_KIND_DENSE_BLOCK:
        S4J_VERIFY(!s4j_fix_on_arrival(h)); /* its DATA ranges are FIX_WORD or FIX_TRAIN_WORD */
        r = on_row(h, l, dtcm, rg->local + off, payload, out);
        break;
    case S4J_KIND_REDUCE:
        S4J_VERIFY(!s4j_fix_reduce_partials(h)); /* its DATA ranges are FIX_PARTIAL */
        r = on_partial(h, l, dtcm, source_of(l, ranges, i), rg->local + off, payload, out);
        break;
    case S4J_KIND_OUTPUT_SINK:
        r = on_value(h, l, dtcm, rg->local + off, payload);
        break;
    default:
        r = S4J_ERR_UNKNOWN_KEY;
        break;
    }
    return r < 0 ? r : (int32_t)out->count;
}

/*
 * A float32 block's rows [first, first + n) from words, each as its DATA
 * packet would be, in order: admitted (data_admit), filed (file_row), and
 * the row that brings the sample's last multiplies the rest in and completes
 * the block (a next row is then the next sample's, as its packet would be).
 * The filed rows are multiplied in once, after the loop or the first row
 * refused: accumulate_rows runs on from rows_done as far as rows have
 * arrived, the same MACs in the same order of i as a multiply per packet.
 */
static int32_t rows_float(s4j_header *h, const s4j_layout *l, void *dtcm, uint32_t first, uint32_t n,
                          const uint32_t *words, s4j_outbox *out)
{
    const s4j_train *t = s4j_train_of(l, dtcm);
    int32_t r = S4J_OK;
    uint32_t k;

    for (k = 0u; k < n; k++) {
        uint32_t payload = words[k];

        r = t != NULL ? data_admit(t, first + k, &payload, out) : S4J_OK;
        if (r == S4J_OK) {
            r = file_row(h, l, dtcm, first + k, payload);
        }
        if (r != S4J_OK) {
            break;
        }
        if (h->received == h->n_rows) {
            accumulate_rows(h, l, dtcm, out);
            r = rows_complete(h, l, dtcm, out);
            if (r < 0) {
                return r;
            }
        }
    }
    accumulate_rows(h, l, dtcm, out);
    return r < 0 ? r : (int32_t)out->count;
}

/* An S16_15 dense block's words [first, first + n), each filed as its
 * packet's (on_fix_word; `training` a constant at each of the two calls, as
 * there), stopping at the first refused; out->rows the count a training
 * block multiplied in (an inference block's MACs are its completion's). */
static inline __attribute__((always_inline))
int32_t rows_fix(const s4j_layout *l, void *dtcm, uint32_t first, uint32_t n, const uint32_t *words,
                 s4j_outbox *out, int training)
{
    int32_t r = S4J_OK;
    uint32_t k;

    for (k = 0u; k < n; k++) {
        r = on_fix_word(l, dtcm, first + k, words[k], out, training);
        if (r < 0) {
            break;
        }
    }
    out->rows = training ? k : 0u; /* on_fix_word counts a training block's one row */
    return r;
}

int32_t s4j_on_rows(void *dtcm, uint32_t capacity, uint32_t first, uint32_t n, const uint32_t *words,
                    s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l;
    int32_t r = check_event(dtcm, capacity, &l, out);

    if (r != S4J_OK) {
        return r;
    }
    s4j_begin_event(out);
    if (h->kind != S4J_KIND_DENSE_BLOCK || h->pool != S4J_POOL_NONE || h->row.kernel_w != 0u || l->bn != 0u) {
        return S4J_ERR_WRONG_KIND;
    }
    if (n == 0u || words == NULL) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    if (first >= h->n_rows || n > h->n_rows - first) {
        return S4J_ERR_ROW_RANGE;
    }
    if (s4j_fix_on_arrival(h)) {
        return l->train != 0u ? rows_fix(l, dtcm, first, n, words, out, 1)
                              : rows_fix(l, dtcm, first, n, words, out, 0);
    }
    return rows_float(h, l, dtcm, first, n, words, out);
}

/*
 * A float32 reduce's partial sums [first, first + n) of range src at once,
 * when it does not train, none of their slots is filled and none of their
 * columns is full, outside a softmax exchange and within the sample (*fits
 * 1): each filed in its slot (row src, or 0 of a one-row table) and
 * counted, then the columns streamed or the sample completed as the last of
 * their packets would (on_partial: a packet streams every complete column
 * from rows_done on, so one stream after them all sends the same columns in
 * the same order; the sums add the slots in range-table order either way).
 * Otherwise *fits 0 and nothing is done. Not inlined, so that the packet
 * path keeps its code.
 */
static __attribute__((noinline))
int32_t float_partials(s4j_header *h, const s4j_layout *l, void *dtcm, uint32_t src, uint32_t first, uint32_t n,
                       const uint32_t *payloads, s4j_outbox *out, int *fits)
{
    uint32_t *counts = AT(uint32_t, dtcm, l->counts);
    float *slots = AT(float, dtcm, l->slots);
    uint32_t *bitmap = AT(uint32_t, dtcm, l->slot_bitmap);
    uint32_t n_cols = h->n_cols;
    uint32_t expected = h->expected_partials;
    uint32_t row = expected == 1u ? 0u : src;
    uint32_t j;

    *fits = 0;
    if (l->slots == 0u || s4j_train_of(l, dtcm) != NULL || s4j_bn_of(l, dtcm) != NULL
        || (h->phase & S4J_PHASE_Z_COMPLETE) != 0u || src >= l->n_src || first + n > n_cols
        || n > n_cols * expected - h->received || !s4j_bits_clear(bitmap, row * n_cols + first, n)) {
        return S4J_OK;
    }
    for (j = first; j < first + n; j++) {
        if (counts[j] >= expected) {
            return S4J_OK;
        }
    }
    *fits = 1;
    s4j_bits_set(bitmap, row * n_cols + first, n);
    for (j = 0u; j < n; j++) {
        slots[row * n_cols + first + j] = s4j_f_of(payloads[j]);
        counts[first + j]++;
    }
    h->received += n;
    if (s4j_streams_columns(h, NULL)) {
        return counts[h->rows_done] == expected ? s4j_stream_columns(h, l, dtcm, out) : S4J_OK;
    }
    return h->received == n_cols * expected ? partials_complete(h, l, dtcm, out) : S4J_OK;
}

/* A reduce's keys [key, key + n) at once: whole columns of an S16_15 reduce's
 * halves added at once where they fit (s4j_fix_on_columns), a float32
 * reduce's partials filed at once (float_partials), else each key
 * as its packet (s4j_on_loaded_packet, a call each: the packet path keeps its
 * code as it was), their sends in one outbox, its capacity shared. */
int32_t s4j_on_partials(void *dtcm, uint32_t capacity, uint32_t key, uint32_t n, const uint32_t *payloads,
                        s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l;
    const s4j_range *ranges;
    const s4j_range *rg;
    uint32_t room;
    uint32_t sent = 0u;
    uint32_t work = 0u;
    uint32_t i;
    uint32_t k;
    int32_t r = check_event(dtcm, capacity, &l, out);

    if (r != S4J_OK) {
        return r;
    }
    s4j_begin_event(out);
    if (h->kind != S4J_KIND_REDUCE) {
        return S4J_ERR_WRONG_KIND;
    }
    if (n == 0u || payloads == NULL) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    ranges = AT(const s4j_range, dtcm, l->ranges);
    i = range_of(l, ranges, h->n_ranges, key);
    if (i == h->n_ranges) {
        return S4J_ERR_UNKNOWN_KEY;
    }
    rg = &ranges[i];
    if (rg->kind != S4J_RANGE_FIX_PARTIAL && rg->kind != S4J_RANGE_DATA) {
        return S4J_ERR_WRONG_KIND;
    }
    if (n > rg->span - (key - rg->key_lo)) {
        return S4J_ERR_KEY_RANGE;
    }
    {
        int fits;
        uint32_t src = source_of(l, ranges, i);
        uint32_t first = rg->local + (key - rg->key_lo);

        r = rg->kind == S4J_RANGE_FIX_PARTIAL ? s4j_fix_on_columns(dtcm, src, first, n, payloads, out, &fits)
            : float_partials(h, l, dtcm, src, first, n, payloads, out, &fits);
        if (fits) {
            return r < 0 ? r : (int32_t)out->count;
        }
    }
    room = out->capacity;
    for (k = 0u; k < n && r >= 0; k++) {
        out->capacity = room - sent;
        r = s4j_on_loaded_packet(dtcm, key + k, payloads[k], out);
        sent += out->count;
        work |= out->work;
    }
    out->capacity = room;
    out->count = sent;
    out->work = work;
    return r < 0 ? r : (int32_t)sent;
}
