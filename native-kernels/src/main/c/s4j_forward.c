/*
 * The forward pass once a core's sums are complete: bias, activation and
 * sends (a softmax hands over to s4j_softmax.c), the training core's record
 * of the sample, and the ends of the network: an input source's values and
 * start event, an output sink's values.
 */
#include "s4j_activation.h"
#include "s4j_fixsum.h"

/* z (the core's pre-activation sums, bias not yet added) is complete. */
int32_t s4j_finish_z(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out)
{
    float *z = AT(float, dtcm, l->z);
    const float *b;
    uint32_t n = h->n_cols;
    size_t entry = (size_t)s4j_fwd_entry(s4j_train_of(l, dtcm)) * n;
    float *ty = l->y != 0u ? AT(float, dtcm, l->y) + entry : NULL;
    float *tz = l->tz != 0u ? AT(float, dtcm, l->tz) + entry : NULL;
    uint32_t j;
    uint32_t bj;
    uint32_t wrap;
    uint32_t end;
    int32_t r;

    out->work |= S4J_WORK_FORWARD;
    if (!s4j_has_bias(h->kind, h->fused)) {
        /* partial sums of an unfused block */
        r = s4j_emit_values(out, h->out_key_base, z, n);
        if (r < 0) {
            return r;
        }
        memset(z, 0, (size_t)n * sizeof(float)); /* the next sample's sums */
        return s4j_forward_complete(h, l, dtcm, out);
    }
    /* the bias in runs of columns (a row convolution's: one per output
     * column, its channels' biases) */
    s4j_bias_walk(&h->row, n, &bj, &wrap);
    if (h->activation == S4J_ACT_SOFTMAX) {
        for (j = 0u; j < n; bj = 0u) {
            b = CAT(float, dtcm, l->bias) + bj;
            for (end = j + s4j_bias_run(bj, wrap, n - j); j < end; j++, b++) {
                z[j] += *b;
                if (tz != NULL) {
                    tz[j] = z[j];
                }
            }
        }
        return s4j_softmax_forward(h, l, dtcm, out);
    }
    for (j = 0u; j < n; bj = 0u) {
        b = CAT(float, dtcm, l->bias) + bj;
        for (end = j + s4j_bias_run(bj, wrap, n - j); j < end; j++, b++) {
            float zj = z[j] + *b;
            float y = s4j_activate(h->activation, h->alpha, zj);
            if (ty != NULL && tz != NULL) {
                tz[j] = zj;
                ty[j] = y;
            }
            r = s4j_emit(out, h->out_key_base + j, s4j_bits_of(y));
            if (r < 0) {
                return r;
            }
        }
    }
    memset(z, 0, (size_t)n * sizeof(float)); /* the next sample's sums */
    return s4j_forward_complete(h, l, dtcm, out);
}

/* A row convolution's rows from rows_done on that have arrived, in order,
 * multiplied into its 64-bit sums by their runs (s4j_rowconv.c), counted in
 * out->rows. (A dense block files each word as it arrives: on_fix_word in
 * s4j_packet.c.) */
void s4j_fix_accumulate_rows(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out)
{
    const uint32_t *bitmap = CAT(uint32_t, dtcm, l->bitmap);
    const float *x = CAT(float, dtcm, l->x); /* the words filed as a float block's rows */
    uint32_t first = h->rows_done;
    uint32_t i = first;

    while (i < h->n_rows && (bitmap[i / 32u] & (1u << (i % 32u))) != 0u) {
        i++;
    }
    s4j_fix_row_mac(h, (uint32_t *)(void *)s4j_block_acc(l, dtcm, h->n_cols), x,
                    CAT(int32_t, dtcm, l->weights), first, i);
    h->rows_done = i;
    out->rows += i - first;
}

/* An unfused block's sums, unbiased and unrounded: column j's low word with
 * key out_key_base + 2j, its high word with + 2j + 1 (s4j_fixreduce.c adds
 * them into the reduce's exact sum); then emptied for the next sample. */
static int32_t fix_send_halves(const s4j_header *h, uint32_t *sums, s4j_outbox *out)
{
    uint32_t k;
    int32_t r;

    for (k = 0u; k < 2u * h->n_cols; k++) {
        uint32_t half = sums[k];

        sums[k] = 0u;
        r = s4j_emit(out, h->out_key_base + k, half);
        if (r < 0) {
            memset(sums + k, 0, (size_t)(2u * h->n_cols - k) * sizeof(uint32_t));
            return r;
        }
    }
    return S4J_OK;
}

/* What a fused block does with column j's rounded sum z: a softmax keeps it
 * in zq, every other activation sends it activated (a training block also
 * keeps the output word in zq, its y ring's entry). */
typedef int32_t (*fix_column_visit)(s4j_header *h, s4j_outbox *out, int32_t *zq, uint32_t j,
                                    int32_t z);

static inline __attribute__((always_inline))
int32_t fix_keep_word(s4j_header *h, s4j_outbox *out, int32_t *zq, uint32_t j, int32_t z)
{
    (void)h;
    (void)out;
    zq[j] = z;
    return S4J_OK;
}

static inline __attribute__((always_inline))
int32_t fix_send_word(s4j_header *h, s4j_outbox *out, int32_t *zq, uint32_t j, int32_t z)
{
    (void)zq;
    return s4j_emit(out, h->out_key_base + j, (uint32_t)s4j_fix_activate_word(h, z));
}

static inline __attribute__((always_inline))
int32_t fix_send_keep_word(s4j_header *h, s4j_outbox *out, int32_t *zq, uint32_t j, int32_t z)
{
    zq[j] = s4j_fix_activate_word(h, z);
    return s4j_emit(out, h->out_key_base + j, (uint32_t)zq[j]);
}

/* Every column's sum taken (and emptied for the next sample), biased,
 * rounded once and visited with zq. The bias in runs of columns, as s4j_finish_z's:
 * a row convolution's one per channel, each output column's run from its
 * channels' first. Inlined into each caller with its own `visit`. If a visit
 * fails, the sums not yet taken are emptied too. */
static inline __attribute__((always_inline))
int32_t fix_columns(s4j_header *h, const s4j_layout *l, void *dtcm, uint32_t *sums,
                    int32_t *zq, s4j_outbox *out, fix_column_visit visit)
{
    uint32_t n = h->n_cols;
    uint32_t j;
    uint32_t bj;
    uint32_t wrap;
    uint32_t end;
    int32_t r;

    s4j_bias_walk(&h->row, n, &bj, &wrap);
    for (j = 0u; j < n; bj = 0u) {
        const int32_t *b = CAT(int32_t, dtcm, l->bias) + bj;

        for (end = j + s4j_bias_run(bj, wrap, n - j); j < end; j++, b++, sums += 2) {
            uint64_t s = s4j_sum_get(sums);

            s4j_sum_set(sums, 0u);
            r = visit(h, out, zq, j, s4j_fix_round(h, s + ((uint64_t)(int64_t)*b << 15)));
            if (r < 0) {
                memset(sums, 0, (size_t)(n - j) * 2u * sizeof(uint32_t));
                return r;
            }
        }
    }
    return S4J_OK;
}

/* Every sum biased, rounded once, activated and sent, or kept for a
 * softmax's exchange (an unfused block's sent whole, as halves); the sums
 * emptied for the next sample's words, which every block multiplies into
 * them from the first (s16.15 sums are exact, so their order does not
 * matter). */
int32_t s4j_fix_finish_block(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out)
{
    uint32_t *sums = (uint32_t *)(void *)s4j_block_acc(l, dtcm, h->n_cols);
    int32_t r;

    S4J_VERIFY(h->kind == S4J_KIND_DENSE_BLOCK && (h->fused == 0u) == (l->bias == 0u));
    out->work |= S4J_WORK_FORWARD;
    if (__builtin_expect(l->bias == 0u, 0)) {
        return fix_send_halves(h, sums, out); /* unfused: no bias */
    }
    if (h->activation == S4J_ACT_SOFTMAX) {
        r = fix_columns(h, l, dtcm, sums, AT(int32_t, dtcm, l->z), out, fix_keep_word);
        return r < 0 ? r : s4j_fix_softmax_forward(h, l, dtcm, out);
    }
    if (__builtin_expect(l->y != 0u, 0)) {
        /* training: the output words kept for the derivative */
        r = fix_columns(h, l, dtcm, sums,
                        AT(int32_t, dtcm, l->y) + (size_t)s4j_fwd_entry(s4j_train_of(l, dtcm)) * h->n_cols,
                        out, fix_send_keep_word);
    } else {
        r = fix_columns(h, l, dtcm, sums, NULL, out, fix_send_word);
    }
    return r < 0 ? r : s4j_forward_complete(h, l, dtcm, out);
}

/*
 * Sends every column from rows_done on whose partials are all in, in column
 * order, reporting S4J_WORK_COLUMN (one column's work per send); after the
 * last, the next sample starts. A column's sum adds its filled slots row
 * after row: the rows are its ranges in range-table order (an inference
 * reduce has DATA ranges only), as a whole z adds them (s4j_packet.c).
 */
int32_t s4j_stream_columns(s4j_header *h, const s4j_layout *l, void *dtcm, s4j_outbox *out)
{
    uint32_t *counts = AT(uint32_t, dtcm, l->counts);
    const float *slots = CAT(float, dtcm, l->slots);
    uint32_t *bitmap = AT(uint32_t, dtcm, l->slot_bitmap);
    const float *bias = CAT(float, dtcm, l->bias);
    uint32_t rows = s4j_slot_rows(h->expected_partials, l->n_src);
    uint32_t n = h->n_cols;
    uint32_t j = h->rows_done;
    uint32_t first;
    uint32_t wrap;
    uint32_t b;
    int32_t r;

    s4j_bias_walk(&h->row, n, &first, &wrap);
    b = first + j;
    if (b >= wrap) {
        b %= wrap;
    }
    for (; j < n && counts[j] == h->expected_partials; j++) {
        float zj = 0.0f;
        uint32_t row;

        for (row = 0u; row < rows; row++) {
            s4j_slot_take(slots, bitmap, (size_t)row * n + j, &zj);
        }
        zj += bias[b];
        if (++b == wrap) {
            b = 0u;
        }
        r = s4j_emit(out, h->out_key_base + j, s4j_bits_of(s4j_activate(h->activation, h->alpha, zj)));
        if (r < 0) {
            return r;
        }
        out->work |= S4J_WORK_COLUMN;
    }
    h->rows_done = j;
    if (j == n) {
        memset(counts, 0, (size_t)n * sizeof(uint32_t));
        h->received = 0u;
        h->rows_done = 0u;
    }
    return S4J_OK;
}

/* The core's forward outputs of this sample are all sent (and z reset for the
 * next sample's sums): a training core holds the sample; an output activator
 * that has the oldest sample's labels starts its backward pass. */
int32_t s4j_forward_complete(const s4j_header *h, const s4j_layout *l, void *dtcm,
                             s4j_outbox *out)
{
    s4j_train *t = s4j_train_of(l, dtcm);

    if (t == NULL) {
        return S4J_OK;
    }
    t->held++;
    t->fwd_slot = s4j_ring_next(h, t->fwd_slot);
    t->drop_fwd++;
    if (s4j_is_output(h, t)) {
        return s4j_output_ready_backward(h, l, dtcm, t, out);
    }
    return S4J_OK;
}

/* The layout of a loaded state of kind `kind` (else S4J_ERR_WRONG_KIND). */
static int32_t layout_of_kind(const void *dtcm, uint32_t capacity, uint32_t kind,
                              const s4j_layout **l)
{
    int32_t r = s4j_layout_of(dtcm, capacity, l);

    if (r != S4J_OK) {
        return r;
    }
    return ((const s4j_header *)dtcm)->kind == kind ? S4J_OK : S4J_ERR_WRONG_KIND;
}

int32_t s4j_source_load(void *dtcm, uint32_t capacity, const float *values,
                        uint32_t n)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l;
    int32_t r = layout_of_kind(dtcm, capacity, S4J_KIND_INPUT_SOURCE, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (values == NULL || n != h->n_cols) {
        return S4J_ERR_BAD_LENGTH;
    }
    memcpy(AT(float, dtcm, l->z), values, (size_t)n * sizeof(float));
    h->received = 1u;
    return S4J_OK;
}

int32_t s4j_start(void *dtcm, uint32_t capacity, s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l;
    int32_t r = s4j_layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (h->kind != S4J_KIND_INPUT_SOURCE) {
        if (out != NULL) {
            s4j_begin_event(out);
        }
        return 0;
    }
    if (out == NULL || out->send == NULL || out->capacity < l->max_sends) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    s4j_begin_event(out);
    if (h->received == 0u) {
        return S4J_ERR_NO_INPUT;
    }
    h->received = 0u;
    out->work |= S4J_WORK_FORWARD;
    r = s4j_emit_values(out, h->out_key_base, CAT(float, dtcm, l->z), h->n_cols);
    return r < 0 ? r : (int32_t)out->count;
}

int32_t s4j_sink_take(void *dtcm, uint32_t capacity, uint32_t dest_len,
                      const float **values, uint32_t *n)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l;
    int32_t r = layout_of_kind(dtcm, capacity, S4J_KIND_OUTPUT_SINK, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (values == NULL || n == NULL || dest_len != h->n_cols) {
        return S4J_ERR_BAD_LENGTH;
    }
    if (h->received != h->n_cols) {
        return S4J_ERR_INCOMPLETE;
    }
    memset(AT(uint32_t, dtcm, l->bitmap), 0,
           (size_t)s4j_bitmap_words(h->n_cols) * sizeof(uint32_t));
    h->received = 0u;
    *values = AT(const float, dtcm, l->z);
    *n = h->n_cols;
    return S4J_OK;
}
