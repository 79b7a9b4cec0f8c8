/*
 * The backward pass of a MAX, AVG or NORM pooling block, once its deltas are
 * in: the gradient of each of its rows, sent upstream as a block of weights
 * sends W delta (one key per row, the rows of the channels of other blocks 0).
 */
#include "s4j_activation.h"

int s4j_pools(const s4j_header *h)
{
    return h->pool == S4J_POOL_MAX || h->pool == S4J_POOL_AVG;
}

/* Column j's window on a row: output pixel ox = (first + j) / C, channel c;
 * its pixels on the row are x0 + kx for kx in [kx_lo, kx_hi). */
typedef struct {
    uint32_t c;
    int32_t x0;
    int32_t kx_lo;
    int32_t kx_hi;
} pool_window;

static pool_window window_of(const s4j_header *h, uint32_t j)
{
    uint32_t col = h->pool_first + j;
    uint32_t ox = col / h->pool_channels;
    pool_window w;

    w.c = col - ox * h->pool_channels;
    w.x0 = (int32_t)(ox * h->pool_stride_w) - (int32_t)h->pool_pad_w;
    w.kx_lo = w.x0 < 0 ? -w.x0 : 0;
    w.kx_hi = (int32_t)h->pool_width - w.x0 < (int32_t)h->pool_kernel_w
        ? (int32_t)h->pool_width - w.x0 : (int32_t)h->pool_kernel_w;
    return w;
}

/* The row of window w's pixel kx in the field row starting at `row`. */
static uint32_t row_of(const s4j_header *h, const pool_window *w, uint32_t row, int32_t kx)
{
    return row + (uint32_t)(w->x0 + kx) * h->pool_channels + w->c;
}

/* A MAX column's argmax over x, as nd4j-native picks it: its window's
 * values rows first, pixels next, each taken only if greater than the
 * running maximum, from the first value on the input. A Subsampling layer's
 * maximum starts at its starting value (libnd4j's maxpool2d_bp), so the
 * first value keeps the delta only if nothing is greater (a window of NaN
 * or -inf); a GlobalPoolingLayer's (start -inf) at the first value itself
 * (nd4j's IsMax), so a NaN there keeps it whatever follows. */
static uint32_t argmax_of(const s4j_header *h, const float *x, uint32_t j)
{
    pool_window w = window_of(h, j);
    uint32_t row_values = h->pool_channels * h->pool_width;
    uint32_t arg = row_of(h, &w, 0u, w.kx_lo);
    float best = isinf(h->pool_start) && h->pool_start < 0.0f ? x[arg] : h->pool_start;
    uint32_t row;
    int32_t kx;

    for (row = 0u; row < h->n_rows; row += row_values) {
        for (kx = w.kx_lo; kx < w.kx_hi; kx++) {
            uint32_t i = row_of(h, &w, row, kx);

            if (x[i] > best) {
                best = x[i];
                arg = i;
            }
        }
    }
    return arg;
}

/* A batch normalization's gradient with the running statistics it
 * normalized with (score(DataSet)'s backward pass; the mini-batch's are not
 * computed): column j's delta times gamma / std on its channel's row, the
 * other blocks' channels 0. */
static void norm_backward(const s4j_header *h, const s4j_layout *l, const void *dtcm,
                          float *e, const float *delta)
{
    const float *w = CAT(float, dtcm, l->weights);
    uint32_t n = h->n_cols;
    uint32_t j;

    memset(e, 0, (size_t)h->n_rows * sizeof(float));
    for (j = 0u; j < n; j++) {
        e[h->pool_first + j] = delta[j] * w[S4J_NORM_ROW_GAMMA * n + j] / w[S4J_NORM_ROW_STD * n + j];
    }
}

/*
 * e[i], the gradient of row i, in the sample's x slot (its values are not
 * needed after this): MAX adds column j's delta to its argmax (every argmax
 * found first, kept in z, which a pooling block only fills when its last row
 * comes), AVG adds delta_j / (divisor times its window's pixels in a row)
 * to every value of its window (NORM: norm_backward); columns in order, so an input of several
 * windows adds their shares in output order, as libnd4j's pooling2d_bp
 * does. Then e is sent, a key per row (under a DropoutLayer's dropout, e_i
 * times row i's m / p, as the DropoutLayer's backprop masks it).
 */
int32_t s4j_pool_backward(const s4j_header *h, const s4j_layout *l, void *dtcm,
                          const s4j_train *t, s4j_outbox *out)
{
    uint32_t n_rows = h->n_rows;
    uint32_t n_cols = h->n_cols;
    float *e = AT(float, dtcm, l->x) + (size_t)t->back_slot * n_rows;
    const float *delta = CAT(float, dtcm, l->delta);
    uint32_t *arg = AT(uint32_t, dtcm, l->z);
    uint32_t row_values = h->pool_channels * h->pool_width;
    uint32_t i;
    uint32_t j;
    int32_t r;

    if (t->sends_backward == 0u) {
        return S4J_OK;
    }
    if (h->pool == S4J_POOL_MAX) {
        for (j = 0u; j < n_cols; j++) {
            arg[j] = argmax_of(h, e, j);
        }
        memset(e, 0, (size_t)n_rows * sizeof(float));
        for (j = 0u; j < n_cols; j++) {
            e[arg[j]] += delta[j];
        }
    } else if (h->pool == S4J_POOL_NORM) {
        norm_backward(h, l, dtcm, e, delta);
    } else {
        memset(e, 0, (size_t)n_rows * sizeof(float));
        for (j = 0u; j < n_cols; j++) {
            pool_window w = window_of(h, j);
            uint32_t pixels = h->pool_pad_in_divisor != 0u ? h->pool_kernel_w
                : (uint32_t)(w.kx_hi - w.kx_lo);
            float share = delta[j] / (float)(h->pool_divisor * pixels);
            uint32_t row;
            int32_t kx;

            for (row = 0u; row < n_rows; row += row_values) {
                for (kx = w.kx_lo; kx < w.kx_hi; kx++) {
                    e[row_of(h, &w, row, kx)] += share;
                }
            }
        }
    }
    if (s4j_drop_masks_gradient(t, out)) {
        for (i = 0u; i < n_rows; i++) {
            e[i] *= s4j_drop_scale(t, t->drop_back, i);
        }
    }
    for (i = 0u; i < n_rows; i++) {
        r = s4j_emit(out, t->backward_key_base + i, s4j_bits_of(e[i]));
        if (r < 0) {
            return r;
        }
    }
    return S4J_OK;
}
