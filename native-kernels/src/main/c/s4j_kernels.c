/*
 * spinnaker4j core kernels: pure kernel logic, no JNI, portable to ARM968
 * (C11, float32 soft-float friendly, no heap, no state outside the buffer).
 * See s4j_kernels.h for the state layout.
 */
#include "s4j_kernels.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* Header at the start of the buffer: all members are 4-byte words. */
typedef struct s4j_header {
    uint32_t magic;             /* S4J_MAGIC once loaded */
    uint32_t total_bytes;       /* size of the whole state */
    uint32_t kind;
    uint32_t n_rows;
    uint32_t n_cols;
    uint32_t activation;
    float alpha;
    uint32_t fused;
    uint32_t out_key_base;
    uint32_t expected_partials;
    uint32_t softmax_peers;
    uint32_t sync_key_base;
    uint32_t n_ranges;
    /* per-sample state */
    uint32_t received;          /* rows / partial packets / values / source loaded */
    uint32_t phase;             /* softmax exchange: S4J_PHASE_* bits */
    uint32_t maxes_received;
    uint32_t sums_received;
    float local_max;
    float local_sum;
    uint32_t reserved;
} s4j_header;

/* An input range: key k maps when (k - key_lo) < span (unsigned). */
typedef struct s4j_range {
    uint32_t key_lo;
    uint32_t span;
    uint32_t local;             /* DATA: local offset; SOFTMAX_SYNC: peer slot */
    uint32_t kind;
} s4j_range;

/* What a softmax peer has sent in the current sample. */
typedef struct s4j_peer {
    float max;
    float sum;
    uint32_t flags;             /* S4J_PEER_* bits */
} s4j_peer;

/* Byte offsets of the parts of the state (0 = absent). */
typedef struct s4j_layout {
    uint32_t ranges;
    uint32_t peers;
    uint32_t weights;
    uint32_t bias;
    uint32_t x;
    uint32_t z;
    uint32_t counts;
    uint32_t bitmap;
    uint32_t total;
} s4j_layout;

#define S4J_PHASE_Z_COMPLETE 1u
#define S4J_PHASE_SUM_SENT   2u
#define S4J_PEER_MAX         1u
#define S4J_PEER_SUM         2u
#define S4J_SOFTPLUS_LINEAR  20.0f

_Static_assert(sizeof(s4j_header) == 20u * 4u, "header must be packed words");
_Static_assert(sizeof(s4j_range) == 16u, "range entry must be 4 words");
_Static_assert(sizeof(s4j_peer) == 12u, "peer entry must be 3 words");
_Static_assert(sizeof(float) == sizeof(uint32_t), "float must be 32-bit");

/* ---- small helpers ---------------------------------------------------- */

static float f_of(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint32_t bits_of(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}

static uint32_t sat_add(uint32_t a, uint32_t b)
{
    return (a > UINT32_MAX - b) ? UINT32_MAX : a + b;
}

static uint32_t sat_mul(uint32_t a, uint32_t b)
{
    uint64_t p = (uint64_t)a * (uint64_t)b;
    return (p > UINT32_MAX) ? UINT32_MAX : (uint32_t)p;
}

static uint32_t bitmap_words(uint32_t n)
{
    return n / 32u + ((n % 32u) != 0u ? 1u : 0u);
}

static int applies_softmax(uint32_t kind, uint32_t fused, uint32_t activation)
{
    return activation == S4J_ACT_SOFTMAX
        && (kind == S4J_KIND_REDUCE || (kind == S4J_KIND_DENSE_BLOCK && fused != 0u));
}

static int has_bias(uint32_t kind, uint32_t fused)
{
    return kind == S4J_KIND_REDUCE || (kind == S4J_KIND_DENSE_BLOCK && fused != 0u);
}

/* Element-wise activation, float32, DL4J semantics (softmax is done per layer). */
static float activate(uint32_t act, float alpha, float x)
{
    switch (act) {
    case S4J_ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case S4J_ACT_LEAKYRELU:
        return x >= 0.0f ? x : alpha * x;
    case S4J_ACT_SIGMOID:
        return 1.0f / (1.0f + expf(-x));
    case S4J_ACT_TANH:
        return tanhf(x);
    case S4J_ACT_HARDTANH:
        return x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x);
    case S4J_ACT_SOFTPLUS:
        return x > S4J_SOFTPLUS_LINEAR ? x : log1pf(expf(x));
    case S4J_ACT_ELU:
        return x >= 0.0f ? x : alpha * (expf(x) - 1.0f);
    case S4J_ACT_IDENTITY:
    case S4J_ACT_SOFTMAX:
    default:
        return x;
    }
}

/* Layout of a state; returns its total size (UINT32_MAX if it cannot exist). */
static uint32_t compute_layout(uint32_t kind, uint32_t n_rows, uint32_t n_cols,
                               uint32_t fused, uint32_t peers, uint32_t n_ranges,
                               s4j_layout *l)
{
    uint32_t off = (uint32_t)sizeof(s4j_header);
    uint32_t cols_bytes = sat_mul(n_cols, 4u);

    memset(l, 0, sizeof *l);
    l->ranges = off;
    off = sat_add(off, sat_mul(n_ranges, (uint32_t)sizeof(s4j_range)));
    l->peers = off;
    off = sat_add(off, sat_mul(peers, (uint32_t)sizeof(s4j_peer)));
    switch (kind) {
    case S4J_KIND_INPUT_SOURCE:
        l->z = off;
        off = sat_add(off, cols_bytes);
        break;
    case S4J_KIND_DENSE_BLOCK:
        l->weights = off;
        off = sat_add(off, sat_mul(sat_mul(n_rows, n_cols), 4u));
        if (fused != 0u) {
            l->bias = off;
            off = sat_add(off, cols_bytes);
        }
        l->x = off;
        off = sat_add(off, sat_mul(n_rows, 4u));
        l->z = off;
        off = sat_add(off, cols_bytes);
        l->bitmap = off;
        off = sat_add(off, sat_mul(bitmap_words(n_rows), 4u));
        break;
    case S4J_KIND_REDUCE:
        l->bias = off;
        off = sat_add(off, cols_bytes);
        l->z = off;
        off = sat_add(off, cols_bytes);
        l->counts = off;
        off = sat_add(off, cols_bytes);
        break;
    case S4J_KIND_OUTPUT_SINK:
        l->z = off;
        off = sat_add(off, cols_bytes);
        l->bitmap = off;
        off = sat_add(off, sat_mul(bitmap_words(n_cols), 4u));
        break;
    default:
        off = UINT32_MAX;
        break;
    }
    l->total = off;
    return off;
}

static int32_t check_buffer(const void *dtcm)
{
    if (dtcm == NULL || ((uintptr_t)dtcm & 3u) != 0u) {
        return S4J_ERR_BAD_BUFFER;
    }
    return S4J_OK;
}

/* Validates a loaded state and derives its layout. */
static int32_t open_state(const void *dtcm, uint32_t capacity, s4j_layout *l)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    int32_t r = check_buffer(dtcm);
    uint32_t total;

    if (r != S4J_OK) {
        return r;
    }
    if (capacity < (uint32_t)sizeof(s4j_header)) {
        return S4J_ERR_BUFFER_TOO_SMALL;
    }
    if (h->magic != S4J_MAGIC) {
        return S4J_ERR_NOT_LOADED;
    }
    if (h->kind > S4J_KIND_OUTPUT_SINK || h->activation > S4J_ACT_ELU
        || h->n_cols == 0u || h->fused > 1u
        || (h->softmax_peers != 0u
            && !applies_softmax(h->kind, h->fused, h->activation))) {
        return S4J_ERR_CORRUPT;
    }
    total = compute_layout(h->kind, h->n_rows, h->n_cols, h->fused,
                           h->softmax_peers, h->n_ranges, l);
    if (total != h->total_bytes) {
        return S4J_ERR_CORRUPT;
    }
    if (total > capacity) {
        return S4J_ERR_BUFFER_TOO_SMALL;
    }
    return S4J_OK;
}

static uint32_t max_sends_of(const s4j_header *h)
{
    switch (h->kind) {
    case S4J_KIND_INPUT_SOURCE:
        return h->n_cols;
    case S4J_KIND_DENSE_BLOCK:
    case S4J_KIND_REDUCE:
        return h->n_cols + (h->softmax_peers != 0u ? 2u : 0u);
    default:
        return 0u;
    }
}

static int32_t emit(s4j_outbox *out, uint32_t key, uint32_t payload)
{
    int32_t r;

    if (out->count >= out->capacity) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    r = out->send(out->ctx, key, payload);
    if (r < 0) {
        return r;
    }
    out->count++;
    return S4J_OK;
}

#define AT(type, base, off) ((type *)(void *)((uint8_t *)(base) + (off)))

/* ---- config ------------------------------------------------------------ */

int32_t s4j_parse_config(const uint32_t *words, uint32_t n_words, s4j_config *cfg)
{
    if (words == NULL || cfg == NULL || n_words < S4J_CONFIG_WORDS) {
        return S4J_ERR_BAD_LENGTH;
    }
    cfg->kind = words[0];
    cfg->n_rows = words[1];
    cfg->n_cols = words[2];
    cfg->activation = words[3];
    cfg->alpha = f_of(words[4]);
    cfg->fused = words[5];
    cfg->out_key_base = words[6];
    cfg->expected_partials = words[7];
    cfg->softmax_peers = words[8];
    cfg->sync_key_base = words[9];
    cfg->n_ranges = words[10];
    if (cfg->n_ranges > (n_words - S4J_CONFIG_WORDS) / S4J_RANGE_WORDS
        || n_words - S4J_CONFIG_WORDS != cfg->n_ranges * S4J_RANGE_WORDS) {
        return S4J_ERR_BAD_LENGTH;
    }
    cfg->ranges = words + S4J_CONFIG_WORDS;
    return S4J_OK;
}

int32_t s4j_check_config(const s4j_config *cfg)
{
    uint32_t i;
    uint32_t j;
    uint32_t limit;
    uint32_t syncs = 0u;
    int softmax;

    if (cfg == NULL || cfg->kind > S4J_KIND_OUTPUT_SINK
        || cfg->activation > S4J_ACT_ELU || cfg->n_cols == 0u
        || cfg->fused > 1u || !isfinite(cfg->alpha)
        || (cfg->n_ranges != 0u && cfg->ranges == NULL)) {
        return S4J_ERR_BAD_CONFIG;
    }
    softmax = applies_softmax(cfg->kind, cfg->fused, cfg->activation);
    if (cfg->kind == S4J_KIND_DENSE_BLOCK && cfg->n_rows == 0u) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->kind == S4J_KIND_REDUCE
        && (cfg->expected_partials == 0u
            || (uint64_t)cfg->n_cols * cfg->expected_partials > (uint64_t)INT32_MAX)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->kind == S4J_KIND_INPUT_SOURCE && cfg->n_ranges != 0u) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->softmax_peers != 0u && !softmax) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->n_cols > (uint32_t)INT32_MAX - 2u) {
        return S4J_ERR_BAD_CONFIG;
    }
    /* emitted keys must not wrap around */
    if (cfg->kind != S4J_KIND_OUTPUT_SINK
        && (uint64_t)cfg->out_key_base + cfg->n_cols > (uint64_t)UINT32_MAX + 1u) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->softmax_peers != 0u
        && (uint64_t)cfg->sync_key_base + 2u > (uint64_t)UINT32_MAX + 1u) {
        return S4J_ERR_BAD_CONFIG;
    }
    limit = cfg->kind == S4J_KIND_DENSE_BLOCK ? cfg->n_rows : cfg->n_cols;
    for (i = 0u; i < cfg->n_ranges; i++) {
        const uint32_t *r = cfg->ranges + (size_t)i * S4J_RANGE_WORDS;
        uint32_t lo = r[0];
        uint32_t hi = r[1];

        if (hi <= lo) {
            return S4J_ERR_BAD_CONFIG;
        }
        if (r[3] == S4J_RANGE_DATA) {
            if ((uint64_t)r[2] + (hi - lo) > limit) {
                return S4J_ERR_BAD_CONFIG;
            }
        } else if (r[3] == S4J_RANGE_SOFTMAX_SYNC) {
            if (hi - lo != 2u) {
                return S4J_ERR_BAD_CONFIG;
            }
            syncs++;
        } else {
            return S4J_ERR_BAD_CONFIG;
        }
        for (j = 0u; j < i; j++) {
            const uint32_t *o = cfg->ranges + (size_t)j * S4J_RANGE_WORDS;
            if (lo < o[1] && o[0] < hi) {
                return S4J_ERR_BAD_CONFIG; /* overlapping key ranges */
            }
        }
    }
    if (syncs != cfg->softmax_peers) {
        return S4J_ERR_BAD_CONFIG;
    }
    return S4J_OK;
}

uint32_t s4j_state_bytes(const s4j_config *cfg)
{
    s4j_layout l;

    if (cfg == NULL) {
        return UINT32_MAX;
    }
    return compute_layout(cfg->kind, cfg->n_rows, cfg->n_cols, cfg->fused,
                          cfg->softmax_peers, cfg->n_ranges, &l);
}

int32_t s4j_load(void *dtcm, uint32_t capacity, const s4j_config *cfg,
                 const float *weights, uint32_t n_weights,
                 const float *bias, uint32_t n_bias)
{
    s4j_header *h = (s4j_header *)dtcm;
    s4j_layout l;
    s4j_range *ranges;
    uint32_t total;
    uint32_t want_w;
    uint32_t want_b;
    uint32_t slot = 0u;
    uint32_t i;
    int32_t r = check_buffer(dtcm);

    if (r != S4J_OK) {
        return r;
    }
    r = s4j_check_config(cfg);
    if (r != S4J_OK) {
        return r;
    }
    total = compute_layout(cfg->kind, cfg->n_rows, cfg->n_cols, cfg->fused,
                           cfg->softmax_peers, cfg->n_ranges, &l);
    if (total > capacity) {
        return S4J_ERR_TOO_LARGE;
    }
    /* both products are below total / 4, so they cannot overflow */
    want_w = cfg->kind == S4J_KIND_DENSE_BLOCK ? cfg->n_rows * cfg->n_cols : 0u;
    want_b = has_bias(cfg->kind, cfg->fused) ? cfg->n_cols : 0u;
    if (n_weights != want_w || (want_w != 0u && weights == NULL)
        || n_bias != want_b || (want_b != 0u && bias == NULL)) {
        return S4J_ERR_BAD_LENGTH;
    }

    memset(dtcm, 0, total); /* clears the magic first: unloaded until done */
    h->total_bytes = total;
    h->kind = cfg->kind;
    h->n_rows = cfg->n_rows;
    h->n_cols = cfg->n_cols;
    h->activation = cfg->activation;
    h->alpha = cfg->alpha;
    h->fused = cfg->fused;
    h->out_key_base = cfg->out_key_base;
    h->expected_partials = cfg->expected_partials;
    h->softmax_peers = cfg->softmax_peers;
    h->sync_key_base = cfg->sync_key_base;
    h->n_ranges = cfg->n_ranges;

    ranges = AT(s4j_range, dtcm, l.ranges);
    for (i = 0u; i < cfg->n_ranges; i++) {
        const uint32_t *src = cfg->ranges + (size_t)i * S4J_RANGE_WORDS;
        ranges[i].key_lo = src[0];
        ranges[i].span = src[1] - src[0];
        ranges[i].kind = src[3];
        ranges[i].local = src[3] == S4J_RANGE_SOFTMAX_SYNC ? slot++ : src[2];
    }
    if (want_w != 0u) {
        memcpy(AT(float, dtcm, l.weights), weights, (size_t)want_w * sizeof(float));
    }
    if (want_b != 0u) {
        memcpy(AT(float, dtcm, l.bias), bias, (size_t)want_b * sizeof(float));
    }
    h->magic = S4J_MAGIC;
    return S4J_OK;
}

int32_t s4j_max_sends(const void *dtcm, uint32_t capacity)
{
    s4j_layout l;
    int32_t r = open_state(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    return (int32_t)max_sends_of((const s4j_header *)dtcm);
}

/* ---- events ------------------------------------------------------------ */

static void reset_softmax(s4j_header *h, s4j_peer *peers)
{
    uint32_t p;

    h->phase = 0u;
    h->maxes_received = 0u;
    h->sums_received = 0u;
    for (p = 0u; p < h->softmax_peers; p++) {
        peers[p].flags = 0u;
    }
}

/* Layer-wide softmax across peers: runs each step whose inputs are all in. */
static int32_t softmax_advance(s4j_header *h, const s4j_layout *l, void *dtcm,
                               s4j_outbox *out)
{
    s4j_peer *peers = AT(s4j_peer, dtcm, l->peers);
    float *z = AT(float, dtcm, l->z);
    uint32_t n = h->n_cols;
    uint32_t p;
    uint32_t j;
    int32_t r;

    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u
        && (h->phase & S4J_PHASE_SUM_SENT) == 0u
        && h->maxes_received == h->softmax_peers) {
        float m = h->local_max;
        float s = 0.0f;

        for (p = 0u; p < h->softmax_peers; p++) {
            if (peers[p].max > m) {
                m = peers[p].max;
            }
        }
        for (j = 0u; j < n; j++) {
            float e = expf(z[j] - m);
            z[j] = e;
            s += e;
        }
        h->local_sum = s;
        h->phase |= S4J_PHASE_SUM_SENT;
        r = emit(out, h->sync_key_base + 1u, bits_of(s));
        if (r < 0) {
            return r;
        }
    }
    if ((h->phase & S4J_PHASE_SUM_SENT) != 0u
        && h->sums_received == h->softmax_peers) {
        float total = h->local_sum;

        for (p = 0u; p < h->softmax_peers; p++) {
            total += peers[p].sum;
        }
        reset_softmax(h, peers);
        for (j = 0u; j < n; j++) {
            r = emit(out, h->out_key_base + j, bits_of(z[j] / total));
            if (r < 0) {
                return r;
            }
        }
        if (h->kind == S4J_KIND_REDUCE) {
            memset(z, 0, (size_t)n * sizeof(float));
        }
    }
    return S4J_OK;
}

/* z (the core's pre-activation sums, bias not yet added) is complete. */
static int32_t finish_z(s4j_header *h, const s4j_layout *l, void *dtcm,
                        s4j_outbox *out)
{
    float *z = AT(float, dtcm, l->z);
    uint32_t n = h->n_cols;
    uint32_t j;
    int32_t r;

    if (!has_bias(h->kind, h->fused)) {
        /* partial sums of an unfused block */
        for (j = 0u; j < n; j++) {
            r = emit(out, h->out_key_base + j, bits_of(z[j]));
            if (r < 0) {
                return r;
            }
        }
        return S4J_OK;
    }
    {
        const float *b = AT(const float, dtcm, l->bias);

        if (h->activation != S4J_ACT_SOFTMAX) {
            for (j = 0u; j < n; j++) {
                float y = activate(h->activation, h->alpha, z[j] + b[j]);
                r = emit(out, h->out_key_base + j, bits_of(y));
                if (r < 0) {
                    return r;
                }
            }
            if (h->kind == S4J_KIND_REDUCE) {
                memset(z, 0, (size_t)n * sizeof(float));
            }
            return S4J_OK;
        }
        for (j = 0u; j < n; j++) {
            z[j] += b[j];
        }
    }
    {
        float m = z[0];
        float s = 0.0f;

        for (j = 1u; j < n; j++) {
            if (z[j] > m) {
                m = z[j];
            }
        }
        if (h->softmax_peers != 0u) {
            h->local_max = m;
            h->phase |= S4J_PHASE_Z_COMPLETE;
            r = emit(out, h->sync_key_base, bits_of(m));
            if (r < 0) {
                return r;
            }
            return softmax_advance(h, l, dtcm, out);
        }
        for (j = 0u; j < n; j++) {
            float e = expf(z[j] - m);
            z[j] = e;
            s += e;
        }
        for (j = 0u; j < n; j++) {
            r = emit(out, h->out_key_base + j, bits_of(z[j] / s));
            if (r < 0) {
                return r;
            }
        }
        if (h->kind == S4J_KIND_REDUCE) {
            memset(z, 0, (size_t)n * sizeof(float));
        }
    }
    return S4J_OK;
}

static int32_t on_row(s4j_header *h, const s4j_layout *l, void *dtcm,
                      uint32_t row, uint32_t payload, s4j_outbox *out)
{
    uint32_t *bitmap = AT(uint32_t, dtcm, l->bitmap);
    float *x = AT(float, dtcm, l->x);
    uint32_t bit = 1u << (row % 32u);
    uint32_t n_rows = h->n_rows;
    uint32_t n_cols = h->n_cols;

    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP;
    }
    if ((bitmap[row / 32u] & bit) != 0u) {
        return S4J_ERR_DUPLICATE_ROW;
    }
    if (h->received >= n_rows) {
        return S4J_ERR_CORRUPT;
    }
    bitmap[row / 32u] |= bit;
    x[row] = f_of(payload);
    h->received++;
    if (h->received == n_rows) {
        const float *w = AT(const float, dtcm, l->weights);
        float *z = AT(float, dtcm, l->z);
        uint32_t i;
        uint32_t j;

        /* s_j = sum over i = 0..n_rows-1 of x[i] * w[i][j], in order of i */
        for (j = 0u; j < n_cols; j++) {
            z[j] = 0.0f;
        }
        for (i = 0u; i < n_rows; i++) {
            const float *wr = w + (size_t)i * n_cols;
            float xi = x[i];
            for (j = 0u; j < n_cols; j++) {
                z[j] += xi * wr[j];
            }
        }
        memset(bitmap, 0, (size_t)bitmap_words(n_rows) * sizeof(uint32_t));
        h->received = 0u;
        return finish_z(h, l, dtcm, out);
    }
    return S4J_OK;
}

static int32_t on_partial(s4j_header *h, const s4j_layout *l, void *dtcm,
                          uint32_t col, uint32_t payload, s4j_outbox *out)
{
    uint32_t *counts = AT(uint32_t, dtcm, l->counts);
    float *acc = AT(float, dtcm, l->z);
    uint32_t n_cols = h->n_cols;

    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP;
    }
    if (counts[col] >= h->expected_partials) {
        return S4J_ERR_TOO_MANY_PARTIALS;
    }
    if ((uint64_t)h->received >= (uint64_t)n_cols * h->expected_partials) {
        return S4J_ERR_CORRUPT;
    }
    counts[col]++;
    acc[col] += f_of(payload);
    h->received++;
    if ((uint64_t)h->received == (uint64_t)n_cols * h->expected_partials) {
        memset(counts, 0, (size_t)n_cols * sizeof(uint32_t));
        h->received = 0u;
        return finish_z(h, l, dtcm, out);
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
    if (h->received >= h->n_cols) {
        return S4J_ERR_CORRUPT;
    }
    bitmap[idx / 32u] |= bit;
    values[idx] = f_of(payload);
    h->received++;
    return S4J_OK;
}

static int32_t on_sync(s4j_header *h, const s4j_layout *l, void *dtcm,
                       uint32_t slot, uint32_t which, uint32_t payload,
                       s4j_outbox *out)
{
    s4j_peer *peers = AT(s4j_peer, dtcm, l->peers);
    s4j_peer *p;

    if (slot >= h->softmax_peers || which > 1u) {
        return S4J_ERR_CORRUPT;
    }
    p = &peers[slot];
    if (which == 0u) {
        if ((p->flags & S4J_PEER_MAX) != 0u) {
            return S4J_ERR_DUPLICATE_SYNC;
        }
        p->flags |= S4J_PEER_MAX;
        p->max = f_of(payload);
        h->maxes_received++;
    } else {
        if ((p->flags & S4J_PEER_SUM) != 0u) {
            return S4J_ERR_DUPLICATE_SYNC;
        }
        p->flags |= S4J_PEER_SUM;
        p->sum = f_of(payload);
        h->sums_received++;
    }
    return softmax_advance(h, l, dtcm, out);
}

int32_t s4j_on_packet(void *dtcm, uint32_t capacity, uint32_t key,
                      uint32_t payload, s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_range *ranges;
    const s4j_range *rg;
    s4j_layout l;
    uint32_t n;
    uint32_t i;
    uint32_t off;
    uint32_t limit;
    int32_t r = open_state(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (out == NULL || out->send == NULL || out->capacity < max_sends_of(h)) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    out->count = 0u;
    ranges = AT(const s4j_range, dtcm, l.ranges);
    n = h->n_ranges;
    for (i = 0u; i < n; i++) {
        if (key - ranges[i].key_lo < ranges[i].span) {
            break;
        }
    }
    if (i == n) {
        return S4J_ERR_UNKNOWN_KEY;
    }
    rg = &ranges[i];
    off = key - rg->key_lo;
    if (rg->kind == S4J_RANGE_SOFTMAX_SYNC) {
        r = on_sync(h, &l, dtcm, rg->local, off, payload, out);
        return r < 0 ? r : (int32_t)out->count;
    }
    limit = h->kind == S4J_KIND_DENSE_BLOCK ? h->n_rows : h->n_cols;
    if (rg->kind != S4J_RANGE_DATA || rg->local >= limit || off >= limit - rg->local) {
        return S4J_ERR_CORRUPT;
    }
    switch (h->kind) {
    case S4J_KIND_DENSE_BLOCK:
        r = on_row(h, &l, dtcm, rg->local + off, payload, out);
        break;
    case S4J_KIND_REDUCE:
        r = on_partial(h, &l, dtcm, rg->local + off, payload, out);
        break;
    case S4J_KIND_OUTPUT_SINK:
        r = on_value(h, &l, dtcm, rg->local + off, payload);
        break;
    default:
        r = S4J_ERR_UNKNOWN_KEY;
        break;
    }
    return r < 0 ? r : (int32_t)out->count;
}

int32_t s4j_source_load(void *dtcm, uint32_t capacity, const float *values,
                        uint32_t n)
{
    s4j_header *h = (s4j_header *)dtcm;
    s4j_layout l;
    int32_t r = open_state(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (h->kind != S4J_KIND_INPUT_SOURCE) {
        return S4J_ERR_WRONG_KIND;
    }
    if (values == NULL || n != h->n_cols) {
        return S4J_ERR_BAD_LENGTH;
    }
    memcpy(AT(float, dtcm, l.z), values, (size_t)n * sizeof(float));
    h->received = 1u;
    return S4J_OK;
}

int32_t s4j_start(void *dtcm, uint32_t capacity, s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const float *values;
    s4j_layout l;
    uint32_t j;
    int32_t r = open_state(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (h->kind != S4J_KIND_INPUT_SOURCE) {
        return 0;
    }
    if (out == NULL || out->send == NULL || out->capacity < max_sends_of(h)) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    out->count = 0u;
    if (h->received == 0u) {
        return S4J_ERR_NO_INPUT;
    }
    h->received = 0u;
    values = AT(const float, dtcm, l.z);
    for (j = 0u; j < h->n_cols; j++) {
        r = emit(out, h->out_key_base + j, bits_of(values[j]));
        if (r < 0) {
            return r;
        }
    }
    return (int32_t)out->count;
}

int32_t s4j_received(const void *dtcm, uint32_t capacity)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    s4j_layout l;
    int32_t r = open_state(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (h->kind == S4J_KIND_INPUT_SOURCE) {
        return h->received != 0u ? (int32_t)h->n_cols : 0;
    }
    return h->received > (uint32_t)INT32_MAX ? S4J_ERR_CORRUPT : (int32_t)h->received;
}

int32_t s4j_sink_take(void *dtcm, uint32_t capacity, uint32_t dest_len,
                      const float **values, uint32_t *n)
{
    s4j_header *h = (s4j_header *)dtcm;
    s4j_layout l;
    int32_t r = open_state(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (h->kind != S4J_KIND_OUTPUT_SINK) {
        return S4J_ERR_WRONG_KIND;
    }
    if (values == NULL || n == NULL || dest_len != h->n_cols) {
        return S4J_ERR_BAD_LENGTH;
    }
    if (h->received != h->n_cols) {
        return S4J_ERR_INCOMPLETE;
    }
    memset(AT(uint32_t, dtcm, l.bitmap), 0,
           (size_t)bitmap_words(h->n_cols) * sizeof(uint32_t));
    h->received = 0u;
    *values = AT(const float, dtcm, l.z);
    *n = h->n_cols;
    return S4J_OK;
}
