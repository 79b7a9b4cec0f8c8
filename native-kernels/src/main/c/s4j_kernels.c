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
    uint32_t in_flight;         /* D, the entries of a training core's
                                   per-sample rings (1 on any other core) */
    /* per-sample state */
    uint32_t received;          /* rows / partial packets / values / source loaded */
    uint32_t phase;             /* softmax exchange: S4J_PHASE_* bits */
    uint32_t maxes_received;
    uint32_t sums_received;
    float local_max;
    float local_sum;
    uint32_t discarded;         /* packets on IGNORE ranges since load */
    uint32_t rows_done;         /* DENSE_BLOCK: rows 0 .. rows_done-1 are in z */
} s4j_header;

/* An input range: key k maps when (k - key_lo) < span (unsigned). */
typedef struct s4j_range {
    uint32_t key_lo;
    uint32_t span;
    uint32_t local;             /* local offset; SOFTMAX_SYNC: peer slot; IGNORE: 0 */
    uint32_t kind;
} s4j_range;

/* What a softmax peer has sent in the current sample. */
typedef struct s4j_peer {
    float max;
    float sum;
    uint32_t flags;             /* S4J_PEER_* bits */
} s4j_peer;

/* Training part of a state, right after the inference part. */
typedef struct s4j_train {
    s4j_updater upd_w;          /* of the weights */
    uint32_t loss;
    uint32_t layer_outputs;
    uint32_t delta_key_base;
    uint32_t backward_key_base;
    uint32_t loss_key_base;
    uint32_t expected_backward;
    uint32_t sends_backward;
    s4j_regularization reg_w;   /* of the weights */
    s4j_regularization reg_b;   /* of the bias */
    uint32_t grad_norm;         /* S4J_GRAD_NORM_* */
    float grad_norm_threshold;
    uint32_t norm_key_base;     /* L2 modes: key of this core's partials */
    uint32_t norm_peers;        /* L2 modes: NORM ranges */
    uint32_t norm_self;         /* L2 modes: this core's position */
    uint32_t norm_received;     /* peers' partials in this mini-batch */
    uint32_t norm_own;          /* 1: s4j_norm_start ran this mini-batch */
    s4j_updater upd_b;          /* of the bias */
    /* per-sample backward state */
    uint32_t flags;             /* S4J_TRAIN_* bits */
    uint32_t back_received;     /* deltas / labels / backward partials */
    uint32_t dots_received;     /* peers' softmax backward dots */
    float local_dot;
    float last_loss;
    /* the rings: samples whose forward pass is done and whose backward pass
     * is not, the output layer's label sets not yet used, and the ring
     * entries of the next forward, the next backward and the next labels */
    uint32_t held;
    uint32_t labels_held;
    uint32_t fwd_slot;
    uint32_t back_slot;
    uint32_t label_slot;
    uint32_t loss_weighted;     /* 1: the layout has loss_weights */
} s4j_train;

/* What a state is made of: enough to derive its layout. */
typedef struct s4j_shape {
    uint32_t kind;
    uint32_t n_rows;
    uint32_t n_cols;
    uint32_t fused;
    uint32_t peers;
    uint32_t n_ranges;
    uint32_t training;
    uint32_t w_updater;
    uint32_t b_updater;
    uint32_t loss;
    uint32_t loss_weighted;
    uint32_t sends_backward;
    uint32_t in_flight;         /* ring entries: 1 unless a training core
                                   holds several samples */
    uint32_t norm_peers;        /* NORM ranges (training) */
    uint32_t norm_slots;        /* L2 modes: norm_peers + 1, else 0 */
} s4j_shape;

/* Byte offsets of the parts of the state (0 = absent), derived from its
 * shape; s4j_load caches it in the state, right after the header. 16 bits
 * suffice: s4j_load accepts no state larger than S4J_DTCM_BYTES. */
typedef struct s4j_layout {
    uint16_t ranges;
    uint16_t peers;
    uint16_t weights;
    uint16_t bias;
    uint16_t x;
    uint16_t z;
    uint16_t counts;
    uint16_t bitmap;
    uint16_t slots;             /* forward partial[n_src][n_cols] (REDUCE) */
    uint16_t slot_bitmap;       /* which slots hold a partial of the current sample */
    uint16_t back_slots;        /* backward partial[n_src][n_cols] (hidden activator) */
    uint16_t back_slot_bitmap;
    uint16_t n_src;             /* slot rows: ranges other than SOFTMAX_SYNC */
    /* training part */
    uint16_t train;
    uint16_t peer_dots;
    uint16_t delta;
    uint16_t dw;
    uint16_t w_state;           /* the updater's state arrays of W, one after another */
    uint16_t delta_bitmap;
    uint16_t y;
    uint16_t tz;
    uint16_t db;
    uint16_t b_state;           /* the updater's state arrays of b, one after another */
    uint16_t labels;
    uint16_t label_bitmap;
    uint16_t eacc;
    uint16_t ecounts;
    uint16_t norm;              /* L2 modes: [position][2] partial sums of squares */
    uint16_t norm_bits;         /* which of them are in this mini-batch */
    uint16_t max_sends;         /* the most sends of one event: below n_rows +
                                   2 n_cols + 3, so exact for any state that
                                   fits S4J_DTCM_BYTES */
} s4j_layout;

#define S4J_PHASE_Z_COMPLETE 1u
#define S4J_PHASE_SUM_SENT   2u
#define S4J_PEER_MAX         1u
#define S4J_PEER_SUM         2u
#define S4J_PEER_DOT         4u
#define S4J_TRAIN_DOT_SENT   2u  /* hidden softmax: local dot sent, waiting for peers */
/* A softmax's running max starts here, not at its first z: nd4j-native's
 * softmax behaves as if its max started at -3.402823e38f (libnd4j's float
 * max, two ulps short of FLT_MAX), so a row whose every z lies below that
 * gives exp(z - floor) = 0 everywhere and 0/0 = NaN there, measured; here
 * too. NaN never wins the comparison, and a NaN z makes the sum, hence the
 * whole row, NaN, as on the CPU. */
#define S4J_SOFTMAX_MAX_FLOOR (-3.402823e38f)
#define S4J_XENT_CLIP        1e-5f
#define S4J_MCXENT_CLIP      1e-10f
#define S4J_EPS_THRESHOLD    1e-5f   /* Nd4j.EPS_THRESHOLD: KLD and cosine clip */

_Static_assert(sizeof(s4j_header) == 22u * 4u, "header must be packed words");
_Static_assert(sizeof(s4j_layout) == 30u * 2u, "layout must be packed half-words");
_Static_assert(S4J_DTCM_BYTES <= 65536u, "layout offsets and sends must fit 16 bits");
_Static_assert(sizeof(s4j_train) == 45u * 4u, "training header must be packed words");
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

/* A core with a bias is its columns' activator (a reduce or a fused block). */
/* Whether a gradient normalization needs the L2 norm of the layer. */
static int is_l2(uint32_t grad_norm)
{
    return grad_norm >= S4J_GRAD_NORM_RENORM_L2_PER_LAYER
        && grad_norm <= S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE;
}

/* Keys of one core's partials: one per layer, two per param type. */
static uint32_t norm_keys(uint32_t grad_norm)
{
    return grad_norm == S4J_GRAD_NORM_RENORM_L2_PER_PARAM_TYPE
        || grad_norm == S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE ? 2u : 1u;
}

static int has_bias(uint32_t kind, uint32_t fused)
{
    return kind == S4J_KIND_REDUCE || (kind == S4J_KIND_DENSE_BLOCK && fused != 0u);
}

/* Arrays of updater state per parameter. */
static uint32_t updater_arrays(uint32_t updater)
{
    switch (updater) {
    case S4J_UPDATER_NESTEROVS:
    case S4J_UPDATER_ADAGRAD:
    case S4J_UPDATER_RMSPROP:
        return 1u;
    case S4J_UPDATER_ADAM:
    case S4J_UPDATER_ADAMAX:
    case S4J_UPDATER_NADAM:
    case S4J_UPDATER_ADADELTA:
        return 2u;
    case S4J_UPDATER_AMSGRAD:
        return 3u;
    default:
        return 0u;
    }
}

/* The highest activation code s4j_load accepts. */
#define S4J_ACT_LAST S4J_ACT_RELU6

/* libnd4j's constants of its activations, in float as its float ops use them. */
#define S4J_SELU_ALPHA  1.6732632423543772848170429916717f
#define S4J_SELU_LAMBDA 1.0507009873554804934193349852946f
#define S4J_GELU_SCALE  1.702f    /* the sigmoid approximation's 1.702 x */
#define S4J_RTANH_SCALE 1.7159f   /* rationaltanh: 1.7159 tanh(2x/3) ... */
#define S4J_RTANH_QUART 1.41645f  /* ... with its fourth-power coefficient */
#define S4J_RELU6_CAP   6.0f

static float sigmoid(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

/* libnd4j's sd_sgn: 1, -1, or 0 at +-0 and at NaN. */
static float sgn(float x)
{
    return (x > 0.0f) ? 1.0f : ((x < 0.0f) ? -1.0f : 0.0f);
}

/* The rational approximation's denominator 1 + |d| + d^2 + 1.41645 d^4 at
 * d = 2x/3, summed left to right as libnd4j does. */
static float rtanh_denominator(float d)
{
    float d2 = d * d;

    return 1.0f + fabsf(d) + d2 + S4J_RTANH_QUART * (d2 * d2);
}

/*
 * Element-wise activation, float32, with nd4j-native's results at NaN, the
 * infinities and overflow (softmax is done per layer), because each is the
 * formula libnd4j evaluates, in its order: relu passes NaN (and -0.0)
 * through, as libnd4j's x < 0 ? 0 : x does; softplus is log(1 + e^x), so it
 * is +inf wherever e^x overflows, as nd4j's is; swish and gelu are
 * x sigmoid(x) and x sigmoid(1.702 x) (DL4J's default, not the precise
 * gelu), NaN at -inf (-inf * 0); mish is x tanh(log(1 + e^x)), also NaN at
 * -inf; softsign is NaN at +-inf (inf / inf); relu6 is 6 at NaN (min(NaN, 6)
 * as libnd4j's relu < 6 ? relu : 6 takes it); thresholdedrelu (theta in
 * alpha) is 0 at NaN; rationaltanh's sign is 0 at NaN, which leaves
 * 0 * NaN = NaN; rectifiedtanh is max(0, tanh x) with NaN and -0.0 passed
 * through. Where libnd4j writes pow((float)M_E, x) for e^x, or powf(d, n)
 * for an integer power, these use expf and products: they differ from it
 * by a few ulps, and overflow at the same inputs to within one ulp; tanhf
 * stands for libnd4j's own float tanh, as for the tanh activation.
 */
static float activate(uint32_t act, float alpha, float x)
{
    float d;
    float r;

    switch (act) {
    case S4J_ACT_RELU:
        return x < 0.0f ? 0.0f : x;
    case S4J_ACT_LEAKYRELU:
        return x >= 0.0f ? x : alpha * x;
    case S4J_ACT_SIGMOID:
        return sigmoid(x);
    case S4J_ACT_TANH:
        return tanhf(x);
    case S4J_ACT_HARDTANH:
        return x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x);
    case S4J_ACT_SOFTPLUS:
        return logf(1.0f + expf(x));
    case S4J_ACT_ELU:
        return x >= 0.0f ? x : alpha * (expf(x) - 1.0f);
    case S4J_ACT_SWISH:
        return x * sigmoid(x);
    case S4J_ACT_GELU:
        return x * sigmoid(S4J_GELU_SCALE * x);
    case S4J_ACT_SELU:
        return x > 0.0f ? S4J_SELU_LAMBDA * x
                        : S4J_SELU_LAMBDA * (S4J_SELU_ALPHA * expf(x) - S4J_SELU_ALPHA);
    case S4J_ACT_MISH:
        return x * tanhf(logf(1.0f + expf(x)));
    case S4J_ACT_SOFTSIGN:
        return x / (1.0f + fabsf(x));
    case S4J_ACT_RATIONALTANH:
        d = (2.0f / 3.0f) * x;
        return S4J_RTANH_SCALE * (sgn(d) * (1.0f - 1.0f / rtanh_denominator(d)));
    case S4J_ACT_RECTIFIEDTANH:
        r = tanhf(x);
        return 0.0f > r ? 0.0f : r;
    case S4J_ACT_CUBE:
        return x * x * x;
    case S4J_ACT_THRESHOLDEDRELU:
        return x > alpha ? x : 0.0f;
    case S4J_ACT_RELU6:
        r = x < 0.0f ? 0.0f : x;
        return r < S4J_RELU6_CAP ? r : S4J_RELU6_CAP;
    case S4J_ACT_IDENTITY:
    case S4J_ACT_SOFTMAX:
    default:
        return x;
    }
}

/*
 * dL/dz of an element-wise activation at z, y = act(z), given g = dL/dy, as
 * DL4J's IActivation.backprop computes it (libnd4j's *_bp ops and legacy
 * derivative transforms, each formula in libnd4j's order, so overflow and
 * NaN fall where they fall on the CPU): relu, relu6, thresholdedrelu and
 * rectifiedtanh select g where z is inside their open interval (z > 0;
 * 0 < z < 6; z > theta; z > 0) and give 0 elsewhere (so a NaN or infinite g
 * behind a z outside it, or a NaN z, gives 0, not NaN); every other
 * activation multiplies g by its derivative: leakyrelu alpha below 0 (1 at 0
 * and at NaN), hardtanh 1 on [-1, 1], softplus e^z / (1 + e^z) (NaN where
 * e^z overflows), elu e^z below 0 whatever alpha is (ActivationELU.backprop
 * runs elu_bp with its default alpha 1.0), swish, gelu and mish their
 * closed forms in e^z (NaN once a power of e^z overflows: z above about 44,
 * 26 and 29), selu lambda above 0 and alpha lambda e^z at or below it,
 * softsign 1 / (1 + |z|)^2, rationaltanh its rational derivative in
 * d = 2z/3 (0 once its squared denominator overflows, |z| above about 1e5,
 * NaN once d^3 does too, above about 1e13), rectifiedtanh 1 - y^2
 * (y = tanh z there), cube 3 z z. Softmax is handled per layer by its
 * callers.
 */
static float backprop(uint32_t act, float alpha, float z, float y, float g)
{
    float e;
    float k;
    float a;

    switch (act) {
    case S4J_ACT_RELU:
        return z > 0.0f ? g : 0.0f;
    case S4J_ACT_LEAKYRELU:
        return g * (z < 0.0f ? alpha : 1.0f);
    case S4J_ACT_SIGMOID:
        return g * (y * (1.0f - y));
    case S4J_ACT_TANH:
        return g * (1.0f - y * y);
    case S4J_ACT_HARDTANH:
        return g * ((z >= -1.0f && z <= 1.0f) ? 1.0f : 0.0f);
    case S4J_ACT_SOFTPLUS:
        e = expf(z);
        return g * (e / (1.0f + e));
    case S4J_ACT_ELU:
        return g * (z >= 0.0f ? 1.0f : expf(z));
    case S4J_ACT_SWISH:
        e = expf(z);
        return g * ((e * (z + e + 1.0f)) / ((e + 1.0f) * (e + 1.0f)));
    case S4J_ACT_GELU:
        k = S4J_GELU_SCALE * z;
        e = expf(k);
        return g * ((e * (1.0f + e + k)) / ((1.0f + e) * (1.0f + e)));
    case S4J_ACT_SELU:
        return g * (z > 0.0f ? S4J_SELU_LAMBDA
                             : S4J_SELU_ALPHA * S4J_SELU_LAMBDA * expf(z));
    case S4J_ACT_MISH:
        e = expf(z);
        a = 2.0f * e + e * e + 2.0f;
        return g * ((e * (4.0f * (z + 1.0f) + 4.0f * (e * e) + e * e * e
                          + e * (4.0f * z + 6.0f))) / (a * a));
    case S4J_ACT_SOFTSIGN:
        a = 1.0f + fabsf(z);
        return g * (1.0f / (a * a));
    case S4J_ACT_RATIONALTANH:
        k = (2.0f / 3.0f) * z;
        a = rtanh_denominator(k);
        return g * ((S4J_RTANH_SCALE * (2.0f / 3.0f))
                    * ((1.0f + sgn(k) * (2.0f * k + (4.0f * S4J_RTANH_QUART) * (k * k * k)))
                       / (a * a)));
    case S4J_ACT_RECTIFIEDTANH:
        return z > 0.0f ? g * (1.0f - y * y) : 0.0f;
    case S4J_ACT_CUBE:
        return g * (3.0f * z * z);
    case S4J_ACT_THRESHOLDEDRELU:
        return z > alpha ? g : 0.0f;
    case S4J_ACT_RELU6:
        return (z > 0.0f && z < S4J_RELU6_CAP) ? g : 0.0f;
    case S4J_ACT_IDENTITY:
    case S4J_ACT_SOFTMAX:
    default:
        return g;
    }
}

/* Upper bound of the sends of one event (64-bit, so it cannot overflow). */
static uint64_t sends_bound(uint32_t kind, uint32_t n_rows, uint32_t n_cols,
                            uint32_t fused, uint32_t peers, int training,
                            uint32_t sends_backward)
{
    uint64_t fwd;
    uint64_t back = 0u;

    switch (kind) {
    case S4J_KIND_INPUT_SOURCE:
        return n_cols;
    case S4J_KIND_DENSE_BLOCK:
    case S4J_KIND_REDUCE:
        fwd = (uint64_t)n_cols + (peers != 0u ? 2u : 0u);
        break;
    default:
        return 0u;
    }
    if (!training) {
        return fwd;
    }
    if (kind == S4J_KIND_DENSE_BLOCK && sends_backward != 0u) {
        back = n_rows;
    }
    if (!has_bias(kind, fused)) {
        /* rows and deltas arrive in separate events */
        return fwd > back ? fwd : back;
    }
    /* the last forward input may also complete the backward of an output
     * activator: deltas (reduce), one loss or softmax dot, e (fused block) */
    if (kind == S4J_KIND_REDUCE) {
        back += n_cols;
    }
    return fwd + back + 1u;
}

/* The offset of a part of `bytes` bytes at *off, which moves past it; the
 * 16-bit offset is exact for the states s4j_load accepts (at most
 * S4J_DTCM_BYTES), and unused for any other. */
static uint16_t take(uint32_t *off, uint32_t bytes)
{
    uint32_t at = *off;

    *off = sat_add(*off, bytes);
    return (uint16_t)(at & 0xFFFFu);
}

/* An output activator's loss weights (a weighted loss only): right after
 * its label bitmap. */
static uint32_t loss_weights_at(const s4j_layout *l, uint32_t n_cols)
{
    return (uint32_t)l->label_bitmap + bitmap_words(n_cols) * 4u;
}

/* Layout of a state; returns its total size (UINT32_MAX if it cannot exist). */
static uint32_t compute_layout(const s4j_shape *s, s4j_layout *l)
{
    uint32_t off = (uint32_t)(sizeof(s4j_header) + sizeof(s4j_layout));
    uint64_t sends = sends_bound(s->kind, s->n_rows, s->n_cols, s->fused,
                                 s->peers, s->training != 0u, s->sends_backward);
    uint32_t cols_bytes = sat_mul(s->n_cols, 4u);
    uint32_t block_bytes = sat_mul(sat_mul(s->n_rows, s->n_cols), 4u);
    /* one slot row per range that is not a softmax sync or a norm
     * (SOFTMAX_SYNC ranges number exactly softmax_peers, NORM ranges
     * norm_peers): a function of the shape alone */
    uint32_t others = s->peers + s->norm_peers;
    uint32_t n_src = s->n_ranges > others ? s->n_ranges - others : 0u;
    uint32_t n_slots = sat_mul(n_src, s->n_cols);
    uint32_t held = s->in_flight;

    if (s->norm_slots != 0u && sends < 2u) {
        sends = 2u; /* s4j_norm_start's partials */
    }
    memset(l, 0, sizeof *l);
    l->max_sends = (uint16_t)(sends > 0xFFFFu ? 0xFFFFu : sends);
    l->n_src = (uint16_t)(n_src > 0xFFFFu ? 0xFFFFu : n_src);
    l->ranges = take(&off, sat_mul(s->n_ranges, (uint32_t)sizeof(s4j_range)));
    l->peers = take(&off, sat_mul(s->peers, (uint32_t)sizeof(s4j_peer)));
    switch (s->kind) {
    case S4J_KIND_INPUT_SOURCE:
        l->z = take(&off, cols_bytes);
        break;
    case S4J_KIND_DENSE_BLOCK:
        l->weights = take(&off, block_bytes);
        if (s->fused != 0u) {
            l->bias = take(&off, cols_bytes);
        }
        l->x = take(&off, sat_mul(sat_mul(s->n_rows, 4u), held));
        l->z = take(&off, cols_bytes);
        l->bitmap = take(&off, sat_mul(bitmap_words(s->n_rows), 4u));
        break;
    case S4J_KIND_REDUCE:
        l->bias = take(&off, cols_bytes);
        l->z = take(&off, cols_bytes);
        l->counts = take(&off, cols_bytes);
        l->slots = take(&off, sat_mul(n_slots, 4u));
        l->slot_bitmap = take(&off, sat_mul(bitmap_words(n_slots), 4u));
        break;
    case S4J_KIND_OUTPUT_SINK:
        l->z = take(&off, cols_bytes);
        l->bitmap = take(&off, sat_mul(bitmap_words(s->n_cols), 4u));
        break;
    default:
        return UINT32_MAX;
    }
    if (s->training != 0u) {
        uint32_t u = updater_arrays(s->w_updater);
        uint32_t ub = updater_arrays(s->b_updater);

        l->train = take(&off, (uint32_t)sizeof(s4j_train));
        l->peer_dots = take(&off, sat_mul(s->peers, 4u));
        l->delta = take(&off, cols_bytes);
        if (s->kind == S4J_KIND_DENSE_BLOCK) {
            l->dw = take(&off, block_bytes);
            if (u != 0u) {
                l->w_state = take(&off, sat_mul(u, block_bytes));
            }
            if (s->fused == 0u) {
                l->delta_bitmap = take(&off, sat_mul(bitmap_words(s->n_cols), 4u));
            }
        }
        if (has_bias(s->kind, s->fused)) {
            l->y = take(&off, sat_mul(cols_bytes, held));
            l->tz = take(&off, sat_mul(cols_bytes, held));
            l->db = take(&off, cols_bytes);
            if (ub != 0u) {
                l->b_state = take(&off, sat_mul(ub, cols_bytes));
            }
            if (s->loss != S4J_LOSS_NONE) {
                l->labels = take(&off, sat_mul(cols_bytes, held));
                l->label_bitmap = take(&off, sat_mul(bitmap_words(s->n_cols), 4u));
                if (s->loss_weighted != 0u) {
                    (void)take(&off, cols_bytes); /* loss_weights_at */
                }
            } else {
                l->eacc = take(&off, cols_bytes);
                l->ecounts = take(&off, cols_bytes);
                l->back_slots = take(&off, sat_mul(n_slots, 4u));
                l->back_slot_bitmap = take(&off, sat_mul(bitmap_words(n_slots), 4u));
            }
        }
        if (s->norm_slots != 0u) {
            l->norm = take(&off, sat_mul(s->norm_slots, 8u));
            l->norm_bits = take(&off, sat_mul(bitmap_words(sat_mul(s->norm_slots, 2u)), 4u));
        }
    }
    return off;
}

static int32_t check_buffer(const void *dtcm)
{
    if (dtcm == NULL || ((uintptr_t)dtcm & 3u) != 0u) {
        return S4J_ERR_BAD_BUFFER;
    }
    return S4J_OK;
}

#define AT(type, base, off) ((type *)(void *)((uint8_t *)(base) + (off)))
#define CAT(type, base, off) \
    ((const type *)(const void *)((const uint8_t *)(base) + (off)))

#ifdef S4J_CHECKED
/* Checked builds: a corrupted state is refused (S4J_ERR_CORRUPT). */
#define S4J_VERIFY(cond)                 \
    do {                                 \
        if (!(cond)) {                   \
            return S4J_ERR_CORRUPT;      \
        }                                \
    } while (0)
#else
/* Lean builds: s4j_load validated the state, which no one else writes. */
#define S4J_VERIFY(cond) ((void)0)
#endif

#ifdef S4J_CHECKED
/* Re-derives a loaded state's layout from its header, validating what the
 * header says against the buffer's capacity (l->train != 0: training). */
static int32_t derive_layout(const void *dtcm, uint32_t capacity, s4j_layout *l)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    s4j_shape s;
    uint32_t total;

    if (h->kind > S4J_KIND_OUTPUT_SINK || h->activation > S4J_ACT_LAST
        || h->in_flight == 0u || h->in_flight > S4J_MAX_IN_FLIGHT
        || (h->in_flight != 1u && h->magic != S4J_MAGIC_TRAINING)
        || h->n_cols == 0u || h->fused > 1u || h->softmax_peers > h->n_ranges
        || (h->softmax_peers != 0u
            && !applies_softmax(h->kind, h->fused, h->activation))) {
        return S4J_ERR_CORRUPT;
    }
    s.kind = h->kind;
    s.n_rows = h->n_rows;
    s.n_cols = h->n_cols;
    s.fused = h->fused;
    s.peers = h->softmax_peers;
    s.n_ranges = h->n_ranges;
    s.training = 0u;
    s.w_updater = 0u;
    s.b_updater = 0u;
    s.loss = 0u;
    s.loss_weighted = 0u;
    s.sends_backward = 0u;
    s.in_flight = h->in_flight;
    s.norm_peers = 0u;
    s.norm_slots = 0u;
    total = compute_layout(&s, l);
    if (h->magic == S4J_MAGIC_TRAINING) {
        const s4j_train *t;

        if ((h->kind != S4J_KIND_DENSE_BLOCK && h->kind != S4J_KIND_REDUCE)
            || total > h->total_bytes
            || h->total_bytes - total < (uint32_t)sizeof(s4j_train)) {
            return S4J_ERR_CORRUPT;
        }
        if (h->total_bytes > capacity) {
            return S4J_ERR_BUFFER_TOO_SMALL;
        }
        t = CAT(s4j_train, dtcm, total);
        if (t->upd_w.kind > S4J_UPDATER_NOOP || t->upd_b.kind > S4J_UPDATER_NOOP
            || t->loss > S4J_LOSS_WASSERSTEIN
            || t->sends_backward > 1u || t->loss_weighted > 1u
            || (t->loss_weighted != 0u && t->loss == S4J_LOSS_NONE)
            || t->held > h->in_flight || t->labels_held > h->in_flight
            || t->fwd_slot >= h->in_flight || t->back_slot >= h->in_flight
            || t->label_slot >= h->in_flight
            || t->grad_norm > S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE
            || t->norm_self > t->norm_peers
            || (t->norm_peers != 0u && !is_l2(t->grad_norm))
            || t->norm_peers > h->n_ranges
            || (t->loss != S4J_LOSS_NONE
                && (!has_bias(h->kind, h->fused) || t->layer_outputs < h->n_cols))) {
            return S4J_ERR_CORRUPT;
        }
        s.training = 1u;
        s.w_updater = t->upd_w.kind;
        s.b_updater = t->upd_b.kind;
        s.loss = t->loss;
        s.loss_weighted = t->loss_weighted;
        s.sends_backward = t->sends_backward;
        s.norm_peers = t->norm_peers;
        s.norm_slots = is_l2(t->grad_norm) ? t->norm_peers + 1u : 0u;
        total = compute_layout(&s, l);
    }
    if (total != h->total_bytes || total > S4J_DTCM_BYTES || h->rows_done > h->n_rows) {
        return S4J_ERR_CORRUPT;
    }
    if (total > capacity) {
        return S4J_ERR_BUFFER_TOO_SMALL;
    }
    return S4J_OK;
}
#endif

/*
 * The layout of a loaded state, as s4j_load cached it: every build checks the
 * buffer, the magic word and the state's size against the capacity; a
 * checked build (S4J_CHECKED) also re-derives the layout from the header and
 * refuses a state whose cached layout differs (l->train != 0: training).
 */
static int32_t layout_of(const void *dtcm, uint32_t capacity, const s4j_layout **l)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    int32_t r = check_buffer(dtcm);

    if (r != S4J_OK) {
        return r;
    }
    if (capacity < (uint32_t)(sizeof(s4j_header) + sizeof(s4j_layout))) {
        return S4J_ERR_BUFFER_TOO_SMALL;
    }
    if (h->magic != S4J_MAGIC && h->magic != S4J_MAGIC_TRAINING) {
        return S4J_ERR_NOT_LOADED;
    }
    if (h->total_bytes > capacity) {
        return S4J_ERR_BUFFER_TOO_SMALL;
    }
    *l = CAT(s4j_layout, dtcm, sizeof(s4j_header));
#ifdef S4J_CHECKED
    {
        s4j_layout derived;

        r = derive_layout(dtcm, capacity, &derived);
        if (r != S4J_OK) {
            return r;
        }
        if (memcmp(&derived, *l, sizeof derived) != 0) {
            return S4J_ERR_CORRUPT;
        }
    }
#endif
    return S4J_OK;
}

static s4j_train *train_of(const s4j_layout *l, void *dtcm)
{
    return l->train != 0u ? AT(s4j_train, dtcm, l->train) : NULL;
}

/* An event starts: no sends, no work, no rows yet. */
static void begin_event(s4j_outbox *out)
{
    out->count = 0u;
    out->work = 0u;
    out->rows = 0u;
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

/* ---- config ------------------------------------------------------------ */

int32_t s4j_parse_config(const uint32_t *words, uint32_t n_words, s4j_config *cfg)
{
    s4j_training *t;

    if (words == NULL || cfg == NULL || n_words < S4J_CONFIG_WORDS) {
        return S4J_ERR_BAD_LENGTH;
    }
    cfg->kind = words[S4J_CFG_KIND];
    cfg->n_rows = words[S4J_CFG_N_ROWS];
    cfg->n_cols = words[S4J_CFG_N_COLS];
    cfg->activation = words[S4J_CFG_ACTIVATION];
    cfg->alpha = f_of(words[S4J_CFG_ALPHA]);
    cfg->fused = words[S4J_CFG_FUSED];
    cfg->out_key_base = words[S4J_CFG_OUT_KEY_BASE];
    cfg->expected_partials = words[S4J_CFG_EXPECTED_PARTIALS];
    cfg->softmax_peers = words[S4J_CFG_SOFTMAX_PEERS];
    cfg->sync_key_base = words[S4J_CFG_SYNC_KEY_BASE];
    cfg->n_ranges = words[S4J_CFG_N_RANGES];
    t = &cfg->training;
    t->enabled = words[S4J_CFG_TRAINING];
    t->updater.kind = words[S4J_CFG_UPDATER];
    t->updater.learning_rate = f_of(words[S4J_CFG_LEARNING_RATE]);
    t->updater.beta1 = f_of(words[S4J_CFG_BETA1]);
    t->updater.beta2 = f_of(words[S4J_CFG_BETA2]);
    t->updater.epsilon = f_of(words[S4J_CFG_EPSILON]);
    t->bias_updater.kind = words[S4J_CFG_BIAS_UPDATER];
    t->bias_updater.learning_rate = f_of(words[S4J_CFG_BIAS_LEARNING_RATE]);
    t->bias_updater.beta1 = f_of(words[S4J_CFG_BIAS_BETA1]);
    t->bias_updater.beta2 = f_of(words[S4J_CFG_BIAS_BETA2]);
    t->bias_updater.epsilon = f_of(words[S4J_CFG_BIAS_EPSILON]);
    t->loss = words[S4J_CFG_LOSS];
    t->loss_weighted = words[S4J_CFG_LOSS_WEIGHTED];
    t->layer_outputs = words[S4J_CFG_LAYER_OUTPUTS];
    t->delta_key_base = words[S4J_CFG_DELTA_KEY_BASE];
    t->backward_key_base = words[S4J_CFG_BACKWARD_KEY_BASE];
    t->loss_key_base = words[S4J_CFG_LOSS_KEY_BASE];
    t->expected_backward = words[S4J_CFG_EXPECTED_BACKWARD];
    t->sends_backward = words[S4J_CFG_SENDS_BACKWARD];
    t->weights.l1 = f_of(words[S4J_CFG_L1]);
    t->weights.l2 = f_of(words[S4J_CFG_L2]);
    t->weights.weight_decay = f_of(words[S4J_CFG_WEIGHT_DECAY]);
    t->weights.l2_first = words[S4J_CFG_L2_FIRST];
    t->weights.decay_times = words[S4J_CFG_WEIGHT_DECAY_TIMES];
    t->bias.l1 = f_of(words[S4J_CFG_BIAS_L1]);
    t->bias.l2 = f_of(words[S4J_CFG_BIAS_L2]);
    t->bias.weight_decay = f_of(words[S4J_CFG_BIAS_WEIGHT_DECAY]);
    t->bias.l2_first = words[S4J_CFG_BIAS_L2_FIRST];
    t->bias.decay_times = words[S4J_CFG_BIAS_WEIGHT_DECAY_TIMES];
    t->in_flight = words[S4J_CFG_IN_FLIGHT];
    t->grad_norm = words[S4J_CFG_GRAD_NORM];
    t->grad_norm_threshold = f_of(words[S4J_CFG_GRAD_NORM_THRESHOLD]);
    t->norm_key_base = words[S4J_CFG_NORM_KEY_BASE];
    t->norm_peers = words[S4J_CFG_NORM_PEERS];
    t->norm_self = words[S4J_CFG_NORM_SELF];
    {
        /* the ranges, then n_cols loss weights if weighted (64-bit sums:
         * the counts come from the caller) */
        uint64_t want = (uint64_t)cfg->n_ranges * S4J_RANGE_WORDS
                      + (t->loss_weighted != 0u ? (uint64_t)cfg->n_cols : 0u);

        if (want != (uint64_t)(n_words - S4J_CONFIG_WORDS)) {
            return S4J_ERR_BAD_LENGTH;
        }
    }
    cfg->ranges = words + S4J_CONFIG_WORDS;
    cfg->loss_weights = t->loss_weighted != 0u
        ? words + S4J_CONFIG_WORDS + (size_t)cfg->n_ranges * S4J_RANGE_WORDS : NULL;
    return S4J_OK;
}

/* Regularization coefficients are finite and >= 0, the order is a flag, a
 * weight decay is applied up to 255 times, at least once if there is one. */
static int regularization_ok(const s4j_regularization *r)
{
    return isfinite(r->l1) && isfinite(r->l2) && isfinite(r->weight_decay)
        && r->l1 >= 0.0f && r->l2 >= 0.0f && r->weight_decay >= 0.0f
        && r->l2_first <= 1u && r->decay_times <= 255u
        && (r->weight_decay == 0.0f || r->decay_times >= 1u);
}

/* An updater's kind and hyper-parameters: all finite, the learning rate
 * >= 0; NESTEROVS: momentum >= 0; the Adam family, AdaDelta and RmsProp:
 * beta1 (rho, decay) and beta2 in [0, 1), epsilon > 0; AdaGrad: epsilon
 * > 0. */
static int updater_ok(const s4j_updater *u)
{
    if (u->kind > S4J_UPDATER_NOOP || !isfinite(u->learning_rate)
        || !isfinite(u->beta1) || !isfinite(u->beta2) || !isfinite(u->epsilon)
        || u->learning_rate < 0.0f) {
        return 0;
    }
    switch (u->kind) {
    case S4J_UPDATER_SGD:
    case S4J_UPDATER_NOOP:
        return 1;
    case S4J_UPDATER_NESTEROVS:
        return u->beta1 >= 0.0f;
    case S4J_UPDATER_ADAGRAD:
        return u->epsilon > 0.0f;
    default:
        return u->beta1 >= 0.0f && u->beta1 < 1.0f && u->beta2 >= 0.0f
            && u->beta2 < 1.0f && u->epsilon > 0.0f;
    }
}

/* Whether a loss takes DL4J's per-output weights. */
static int loss_takes_weights(uint32_t loss)
{
    switch (loss) {
    case S4J_LOSS_MSE:
    case S4J_LOSS_L1:
    case S4J_LOSS_L2:
    case S4J_LOSS_MAE:
    case S4J_LOSS_XENT:
    case S4J_LOSS_MCXENT:
    case S4J_LOSS_NLL:
    case S4J_LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR:
    case S4J_LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR:
        return 1;
    default:
        return 0;
    }
}

/* Unweighted, or a loss that takes weights with n_cols finite weights. */
static int loss_weights_ok(const s4j_config *cfg)
{
    const s4j_training *t = &cfg->training;
    uint32_t j;

    if (t->loss_weighted == 0u) {
        return 1;
    }
    if (t->loss_weighted != 1u || !loss_takes_weights(t->loss)
        || cfg->loss_weights == NULL) {
        return 0;
    }
    for (j = 0u; j < cfg->n_cols; j++) {
        if (!isfinite(f_of(cfg->loss_weights[j]))) {
            return 0;
        }
    }
    return 1;
}

static int32_t check_training(const s4j_config *cfg)
{
    const s4j_training *t = &cfg->training;
    int activator = has_bias(cfg->kind, cfg->fused);
    int output = t->loss != S4J_LOSS_NONE;

    if (t->enabled == 0u) {
        return t->in_flight == 0u && t->loss_weighted == 0u ? S4J_OK : S4J_ERR_BAD_CONFIG;
    }
    if (t->enabled != 1u
        || (cfg->kind != S4J_KIND_DENSE_BLOCK && cfg->kind != S4J_KIND_REDUCE)
        || t->loss > S4J_LOSS_WASSERSTEIN || t->sends_backward > 1u
        || !loss_weights_ok(cfg)
        || t->in_flight == 0u || t->in_flight > S4J_MAX_IN_FLIGHT
        || !updater_ok(&t->updater) || !updater_ok(&t->bias_updater)
        || !regularization_ok(&t->weights) || !regularization_ok(&t->bias)
        || t->grad_norm > S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE
        || !isfinite(t->grad_norm_threshold)
        || (t->grad_norm == S4J_GRAD_NORM_NONE && t->grad_norm_threshold != 0.0f)
        || (!is_l2(t->grad_norm)
            && (t->norm_key_base != 0u || t->norm_peers != 0u || t->norm_self != 0u))
        || t->norm_self > t->norm_peers
        || (uint64_t)t->norm_key_base + norm_keys(t->grad_norm) > (uint64_t)UINT32_MAX + 1u) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (!activator && (output || t->expected_backward != 0u)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (activator && output
        && (t->expected_backward != 0u || t->layer_outputs < cfg->n_cols)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (activator && !output
        && (t->expected_backward == 0u
            || (uint64_t)cfg->n_cols * t->expected_backward > (uint64_t)INT32_MAX)) {
        return S4J_ERR_BAD_CONFIG;
    }
    /* binary cross-entropy scores a softmax with DL4J's log-softmax, which
     * the cores do not compute; cosine proximity needs the whole row */
    if (activator && output && cfg->activation == S4J_ACT_SOFTMAX
        && t->loss == S4J_LOSS_XENT) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (output && t->loss == S4J_LOSS_COSINE_PROXIMITY && t->layer_outputs != cfg->n_cols) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->kind == S4J_KIND_REDUCE
        && (t->sends_backward != 0u
            || (uint64_t)t->delta_key_base + cfg->n_cols > (uint64_t)UINT32_MAX + 1u)) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (cfg->kind == S4J_KIND_DENSE_BLOCK && t->sends_backward != 0u
        && (uint64_t)t->backward_key_base + cfg->n_rows > (uint64_t)UINT32_MAX + 1u) {
        return S4J_ERR_BAD_CONFIG;
    }
    if (sends_bound(cfg->kind, cfg->n_rows, cfg->n_cols, cfg->fused,
                    cfg->softmax_peers, 1, t->sends_backward) > (uint64_t)INT32_MAX) {
        return S4J_ERR_BAD_CONFIG;
    }
    return S4J_OK;
}

int32_t s4j_check_config(const s4j_config *cfg)
{
    uint32_t i;
    uint32_t j;
    uint32_t limit;
    uint32_t syncs = 0u;
    uint32_t norms = 0u;
    uint32_t sync_keys;
    int softmax;
    int training;
    int activator;
    int output;

    if (cfg == NULL || cfg->kind > S4J_KIND_OUTPUT_SINK
        || cfg->activation > S4J_ACT_LAST || cfg->n_cols == 0u
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
    if (check_training(cfg) != S4J_OK) {
        return S4J_ERR_BAD_CONFIG;
    }
    training = cfg->training.enabled != 0u;
    activator = has_bias(cfg->kind, cfg->fused);
    output = training && cfg->training.loss != S4J_LOSS_NONE;
    sync_keys = training ? S4J_SYNC_KEYS_TRAINING : S4J_SYNC_KEYS;
    if (cfg->softmax_peers != 0u
        && (uint64_t)cfg->sync_key_base + sync_keys > (uint64_t)UINT32_MAX + 1u) {
        return S4J_ERR_BAD_CONFIG;
    }
    limit = cfg->kind == S4J_KIND_DENSE_BLOCK ? cfg->n_rows : cfg->n_cols;
    for (i = 0u; i < cfg->n_ranges; i++) {
        const uint32_t *r = cfg->ranges + (size_t)i * S4J_RANGE_WORDS;
        uint32_t lo = r[S4J_RANGE_WORD_KEY_LO];
        uint32_t hi = r[S4J_RANGE_WORD_KEY_HI];

        if (hi <= lo) {
            return S4J_ERR_BAD_CONFIG;
        }
        switch (r[S4J_RANGE_WORD_KIND]) {
        case S4J_RANGE_DATA:
            if ((uint64_t)r[S4J_RANGE_WORD_LOCAL] + (hi - lo) > limit) {
                return S4J_ERR_BAD_CONFIG;
            }
            break;
        case S4J_RANGE_SOFTMAX_SYNC:
            if (hi - lo != sync_keys) {
                return S4J_ERR_BAD_CONFIG;
            }
            syncs++;
            break;
        case S4J_RANGE_DELTA:
            if (!training || cfg->kind != S4J_KIND_DENSE_BLOCK || cfg->fused != 0u
                || (uint64_t)r[S4J_RANGE_WORD_LOCAL] + (hi - lo) > cfg->n_cols) {
                return S4J_ERR_BAD_CONFIG;
            }
            break;
        case S4J_RANGE_BACKWARD_PARTIAL:
            if (!training || !activator || output
                || (uint64_t)r[S4J_RANGE_WORD_LOCAL] + (hi - lo) > cfg->n_cols) {
                return S4J_ERR_BAD_CONFIG;
            }
            break;
        case S4J_RANGE_LABEL:
            if (!output || (uint64_t)r[S4J_RANGE_WORD_LOCAL] + (hi - lo) > cfg->n_cols) {
                return S4J_ERR_BAD_CONFIG;
            }
            break;
        case S4J_RANGE_IGNORE:
            break;
        case S4J_RANGE_NORM: {
            /* one range per peer, at a position of its own, not this core's */
            uint32_t pos = r[S4J_RANGE_WORD_LOCAL];
            uint32_t j;

            if (!training || !is_l2(cfg->training.grad_norm)
                || hi - lo != norm_keys(cfg->training.grad_norm)
                || pos > cfg->training.norm_peers || pos == cfg->training.norm_self) {
                return S4J_ERR_BAD_CONFIG;
            }
            for (j = 0u; j < i; j++) {
                const uint32_t *o = cfg->ranges + (size_t)j * S4J_RANGE_WORDS;
                if (o[S4J_RANGE_WORD_KIND] == S4J_RANGE_NORM && o[S4J_RANGE_WORD_LOCAL] == pos) {
                    return S4J_ERR_BAD_CONFIG;
                }
            }
            norms++;
            break;
        }
        default:
            return S4J_ERR_BAD_CONFIG;
        }
        for (j = 0u; j < i; j++) {
            const uint32_t *o = cfg->ranges + (size_t)j * S4J_RANGE_WORDS;
            if (lo < o[S4J_RANGE_WORD_KEY_HI] && o[S4J_RANGE_WORD_KEY_LO] < hi) {
                return S4J_ERR_BAD_CONFIG; /* overlapping key ranges */
            }
        }
    }
    if (syncs != cfg->softmax_peers || norms != (training ? cfg->training.norm_peers : 0u)) {
        return S4J_ERR_BAD_CONFIG;
    }
    return S4J_OK;
}

static void shape_of_config(const s4j_config *cfg, s4j_shape *s)
{
    s->kind = cfg->kind;
    s->n_rows = cfg->n_rows;
    s->n_cols = cfg->n_cols;
    s->fused = cfg->fused;
    s->peers = cfg->softmax_peers;
    s->n_ranges = cfg->n_ranges;
    s->training = cfg->training.enabled != 0u ? 1u : 0u;
    s->w_updater = cfg->training.updater.kind;
    s->b_updater = cfg->training.bias_updater.kind;
    s->loss = cfg->training.loss;
    s->loss_weighted = cfg->training.loss_weighted;
    s->sends_backward = cfg->training.sends_backward;
    s->in_flight = s->training != 0u ? cfg->training.in_flight : 1u;
    s->norm_peers = s->training != 0u ? cfg->training.norm_peers : 0u;
    s->norm_slots = s->training != 0u && is_l2(cfg->training.grad_norm)
                    ? cfg->training.norm_peers + 1u : 0u;
}

uint32_t s4j_state_bytes(const s4j_config *cfg)
{
    s4j_layout l;
    s4j_shape s;

    if (cfg == NULL) {
        return UINT32_MAX;
    }
    shape_of_config(cfg, &s);
    return compute_layout(&s, &l);
}

int32_t s4j_load(void *dtcm, uint32_t capacity, const s4j_config *cfg,
                 const float *weights, uint32_t n_weights,
                 const float *bias, uint32_t n_bias)
{
    s4j_header *h = (s4j_header *)dtcm;
    s4j_layout l;
    s4j_shape s;
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
    shape_of_config(cfg, &s);
    total = compute_layout(&s, &l);
    if (total > capacity || total > S4J_DTCM_BYTES) {
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
    h->in_flight = s.in_flight;
    memcpy(AT(s4j_layout, dtcm, sizeof(s4j_header)), &l, sizeof l);

    ranges = AT(s4j_range, dtcm, l.ranges);
    for (i = 0u; i < cfg->n_ranges; i++) {
        const uint32_t *src = cfg->ranges + (size_t)i * S4J_RANGE_WORDS;
        ranges[i].key_lo = src[S4J_RANGE_WORD_KEY_LO];
        ranges[i].span = src[S4J_RANGE_WORD_KEY_HI] - src[S4J_RANGE_WORD_KEY_LO];
        ranges[i].kind = src[S4J_RANGE_WORD_KIND];
        ranges[i].local = ranges[i].kind == S4J_RANGE_SOFTMAX_SYNC ? slot++
                        : (ranges[i].kind == S4J_RANGE_IGNORE ? 0u : src[S4J_RANGE_WORD_LOCAL]);
    }
    if (want_w != 0u) {
        memcpy(AT(float, dtcm, l.weights), weights, (size_t)want_w * sizeof(float));
    }
    if (want_b != 0u) {
        memcpy(AT(float, dtcm, l.bias), bias, (size_t)want_b * sizeof(float));
    }
    if (s.training != 0u) {
        s4j_train *t = AT(s4j_train, dtcm, l.train);
        const s4j_training *c = &cfg->training;

        t->upd_w = c->updater;
        t->upd_b = c->bias_updater;
        t->loss = c->loss;
        t->loss_weighted = c->loss_weighted;
        if (c->loss_weighted != 0u) {
            memcpy(AT(float, dtcm, loss_weights_at(&l, cfg->n_cols)), cfg->loss_weights,
                   (size_t)cfg->n_cols * sizeof(float));
        }
        t->layer_outputs = c->layer_outputs;
        t->delta_key_base = c->delta_key_base;
        t->backward_key_base = c->backward_key_base;
        t->loss_key_base = c->loss_key_base;
        t->expected_backward = c->expected_backward;
        t->sends_backward = c->sends_backward;
        t->reg_w = c->weights;
        t->reg_b = c->bias;
        t->grad_norm = c->grad_norm;
        t->grad_norm_threshold = c->grad_norm_threshold;
        t->norm_key_base = c->norm_key_base;
        t->norm_peers = c->norm_peers;
        t->norm_self = c->norm_self;
        h->magic = S4J_MAGIC_TRAINING;
    } else {
        h->magic = S4J_MAGIC;
    }
    return S4J_OK;
}

int32_t s4j_max_sends(const void *dtcm, uint32_t capacity)
{
    const s4j_layout *l;
    int32_t r = layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    return (int32_t)l->max_sends;
}

/* ---- backward pass ------------------------------------------------------ */

/* Whether a training core holds part of a sample: one whose forward pass is
 * done and backward pass is not, labels not yet used, or a backward pass or
 * a set of labels half received. */
static int samples_in_flight(const s4j_train *t)
{
    return t != NULL
        && (t->held != 0u || t->labels_held != 0u || t->back_received != 0u
            || t->dots_received != 0u || (t->flags & S4J_TRAIN_DOT_SENT) != 0u);
}

/* The ring entry after `slot`. */
static uint32_t ring_next(const s4j_header *h, uint32_t slot)
{
    return slot + 1u == h->in_flight ? 0u : slot + 1u;
}

/* The ring entry the current forward pass writes (0 on an inference core). */
static uint32_t fwd_entry(const s4j_train *t)
{
    return t != NULL ? t->fwd_slot : 0u;
}

/* Whether a core may start the forward pass of a sample: it has a free ring
 * entry for it. */
static int32_t forward_room(const s4j_header *h, const s4j_train *t)
{
    return t != NULL && t->held >= h->in_flight ? S4J_ERR_IN_FLIGHT : S4J_OK;
}

static int is_output(const s4j_header *h, const s4j_train *t)
{
    return has_bias(h->kind, h->fused) && t->loss != S4J_LOSS_NONE;
}

/* The oldest sample held has had its backward pass: its entries are free. */
static void backward_done(const s4j_header *h, s4j_train *t)
{
    t->held--;
    t->back_slot = ring_next(h, t->back_slot);
    if (is_output(h, t)) {
        t->labels_held--;
    }
}

/* A block whose delta[n_cols] is complete: dW += x^T delta, and sends
 * e_i = sum_j W[i][j] delta_j (in order of j) for every row i. */
static int32_t block_backward(const s4j_header *h, const s4j_layout *l,
                              void *dtcm, const s4j_train *t, s4j_outbox *out)
{
    const float *x = CAT(float, dtcm, l->x) + (size_t)t->back_slot * h->n_rows;
    const float *w = CAT(float, dtcm, l->weights);
    const float *delta = CAT(float, dtcm, l->delta);
    float *dw = AT(float, dtcm, l->dw);
    uint32_t n_rows = h->n_rows;
    uint32_t n_cols = h->n_cols;
    uint32_t i;
    uint32_t j;
    int32_t r;

    out->work |= S4J_WORK_BLOCK_BACKWARD;
    for (i = 0u; i < n_rows; i++) {
        float *g = dw + (size_t)i * n_cols;
        float xi = x[i];
        for (j = 0u; j < n_cols; j++) {
            g[j] += xi * delta[j];
        }
    }
    if (t->sends_backward == 0u) {
        return S4J_OK;
    }
    for (i = 0u; i < n_rows; i++) {
        const float *wr = w + (size_t)i * n_cols;
        float e = 0.0f;
        for (j = 0u; j < n_cols; j++) {
            e += wr[j] * delta[j];
        }
        r = emit(out, t->backward_key_base + i, bits_of(e));
        if (r < 0) {
            return r;
        }
    }
    return S4J_OK;
}

/* An activator whose delta[n_cols] is complete: db += delta, then a reduce
 * sends the deltas to its blocks and a fused block runs its own backward;
 * the sample's backward pass is then done. */
static int32_t activator_backward(const s4j_header *h, const s4j_layout *l,
                                  void *dtcm, s4j_train *t, s4j_outbox *out)
{
    const float *delta = CAT(float, dtcm, l->delta);
    float *db = AT(float, dtcm, l->db);
    uint32_t n = h->n_cols;
    uint32_t j;
    int32_t r;

    out->work |= S4J_WORK_DELTAS;
    for (j = 0u; j < n; j++) {
        db[j] += delta[j];
    }
    if (h->kind == S4J_KIND_REDUCE) {
        for (j = 0u; j < n; j++) {
            r = emit(out, t->delta_key_base + j, bits_of(delta[j]));
            if (r < 0) {
                return r;
            }
        }
    } else {
        r = block_backward(h, l, dtcm, t, out);
        if (r < 0) {
            return r;
        }
    }
    backward_done(h, t);
    return S4J_OK;
}

static float clamp(float v, float lo, float hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static float sign_of(float v)
{
    return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f);
}

/* The row norms and dot of a cosine proximity (the whole layer is on this
 * core): |t|, |y| and sum t_j y_j, as nd4j's norm2 and sum in float. */
typedef struct s4j_cosine {
    float t_norm;
    float y_norm;
    float dot;
} s4j_cosine;

static s4j_cosine cosine_of(const float *y, const float *labels, uint32_t n)
{
    s4j_cosine c = { 0.0f, 0.0f, 0.0f };
    uint32_t j;

    for (j = 0u; j < n; j++) {
        c.t_norm += labels[j] * labels[j];
        c.y_norm += y[j] * y[j];
        c.dot += labels[j] * y[j];
    }
    c.t_norm = sqrtf(c.t_norm);
    c.y_norm = sqrtf(c.y_norm);
    return c;
}

/* DL4J's hinge mask of s = 1 - t y: 1 above 0, 0 below, s itself at 0 and
 * NaN (replaceWhere leaves them). */
static float hinge_mask(float s)
{
    return s > 0.0f ? 1.0f : (s < 0.0f ? 0.0f : s);
}

/* Whether an output softmax's delta needs the layer's sum of a_k (its
 * Jacobian): every loss but the unweighted MCXENT / NLL, whose y - t does
 * not. */
static int softmax_jacobian(const s4j_header *h, const s4j_train *t)
{
    return h->activation == S4J_ACT_SOFTMAX
        && ((t->loss != S4J_LOSS_MCXENT && t->loss != S4J_LOSS_NLL)
            || t->loss_weighted != 0u);
}

/*
 * One output's unweighted score term and dL/dy (*g) of DL4J's ILossFunction
 * (scoreArray and computeGradient before the activation's backprop); n_out
 * is the layer's nOut, c the row's norms (cosine proximity). DL4J applies a
 * loss weight last, so the caller does: to the term, and to g before the
 * backprop (after it for XENT, MCXENT and NLL); MSE and MAE divide after the
 * backprop, also the caller's.
 */
static float loss_term(uint32_t loss, float y, float t, float n_out,
                       const s4j_cosine *c, int softmax, float *g)
{
    float d = y - t;
    float s;
    float v;

    switch (loss) {
    case S4J_LOSS_MSE:
    case S4J_LOSS_L2:
        *g = d * 2.0f;
        return d * d;
    case S4J_LOSS_L1:
    case S4J_LOSS_MAE:
        *g = sign_of(d);
        return fabsf(d);
    case S4J_LOSS_XENT:
        v = clamp(y, S4J_XENT_CLIP, 1.0f - S4J_XENT_CLIP);
        *g = (v - t) / (v * (1.0f - v));
        return t * logf(v) + (1.0f - t) * logf(1.0f - v);
    case S4J_LOSS_HINGE:
        s = 1.0f - y * t;
        *g = -t * hinge_mask(s);
        return s < 0.0f ? 0.0f : s;
    case S4J_LOSS_SQUARED_HINGE:
        s = 1.0f - y * t;
        *g = (s * 2.0f) * -t * hinge_mask(s);
        v = s < 0.0f ? 0.0f : s;
        return v * v;
    case S4J_LOSS_KL_DIVERGENCE:
        *g = -(t / y);
        v = clamp(t, S4J_EPS_THRESHOLD, 1.0f);
        return logf(v / clamp(y, S4J_EPS_THRESHOLD, 1.0f)) * v;
    case S4J_LOSS_POISSON:
        *g = 1.0f - t / y;
        return y - logf(y) * t;
    case S4J_LOSS_COSINE_PROXIMITY:
        *g = -((t * (c->y_norm * c->y_norm) - y * c->dot)
               / (c->t_norm > S4J_EPS_THRESHOLD ? c->t_norm : S4J_EPS_THRESHOLD)
               / ((c->y_norm > S4J_EPS_THRESHOLD ? c->y_norm : S4J_EPS_THRESHOLD)
                  * (c->y_norm * c->y_norm > S4J_EPS_THRESHOLD
                     ? c->y_norm * c->y_norm : S4J_EPS_THRESHOLD)));
        return -(y * t / (c->y_norm > S4J_EPS_THRESHOLD ? c->y_norm : S4J_EPS_THRESHOLD)
                 / (c->t_norm > S4J_EPS_THRESHOLD ? c->t_norm : S4J_EPS_THRESHOLD));
    case S4J_LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR:
        *g = sign_of(-d) / fabsf(t) * (-100.0f / n_out);
        return fabsf(-d / t) * (100.0f / n_out);
    case S4J_LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR:
        v = logf((y + 1.0f) / (t + 1.0f));
        *g = (2.0f / n_out) / (y + 1.0f) * v;
        return v * v / n_out;
    case S4J_LOSS_WASSERSTEIN:
        *g = t / n_out;
        return t * y;
    case S4J_LOSS_MCXENT:
    case S4J_LOSS_NLL:
    default:
        if (softmax) {
            v = clamp(y, S4J_MCXENT_CLIP, 1.0f - S4J_MCXENT_CLIP);
            *g = d;
            return logf(v) * t;
        }
        *g = -(t / y);
        return logf(y) * t;
    }
}

/* An output softmax's deltas once the layer's sum s of a_k is known (a_j in
 * delta[j]): y s - a for a weighted MCXENT / NLL (a = w t: DL4J's
 * output * sum(w t) - w t), y (a - s) for the other losses (a = dL/dy:
 * libnd4j's softmax_bp). */
static int32_t output_softmax_backward(const s4j_header *h, const s4j_layout *l,
                                       void *dtcm, s4j_train *t, float s,
                                       s4j_outbox *out)
{
    const float *y = CAT(float, dtcm, l->y) + (size_t)t->back_slot * h->n_cols;
    float *delta = AT(float, dtcm, l->delta);
    int mcxent = t->loss == S4J_LOSS_MCXENT || t->loss == S4J_LOSS_NLL;
    uint32_t j;

    for (j = 0u; j < h->n_cols; j++) {
        delta[j] = mcxent ? y[j] * s - delta[j] : y[j] * (delta[j] - s);
    }
    return activator_backward(h, l, dtcm, t, out);
}

static int32_t dot_advance(const s4j_header *h, const s4j_layout *l,
                           void *dtcm, s4j_train *t, s4j_outbox *out);

/*
 * Output activator, y and labels of the oldest sample held complete: delta = dL/dz and the partial
 * loss of its columns (DL4J's ILossFunction.computeGradient / scoreArray),
 * then the loss packet, then the deltas (or the fused block's backward). An
 * output softmax whose delta needs the layer's sum (softmax_jacobian) sends
 * its local sum to its peers first, as a hidden softmax sends its dot.
 */
static int32_t output_backward(const s4j_header *h, const s4j_layout *l,
                               void *dtcm, s4j_train *t, s4j_outbox *out)
{
    size_t entry = (size_t)t->back_slot * h->n_cols;
    const float *y = CAT(float, dtcm, l->y) + entry;
    const float *z = CAT(float, dtcm, l->tz) + entry;
    const float *labels = CAT(float, dtcm, l->labels) + entry;
    const float *weights = t->loss_weighted != 0u
        ? CAT(float, dtcm, loss_weights_at(l, h->n_cols)) : NULL;
    float *delta = AT(float, dtcm, l->delta);
    float n_out = (float)t->layer_outputs;
    int softmax = h->activation == S4J_ACT_SOFTMAX;
    int jacobian = softmax_jacobian(h, t);
    int mcxent = t->loss == S4J_LOSS_MCXENT || t->loss == S4J_LOSS_NLL;
    int weight_after = t->loss == S4J_LOSS_XENT || mcxent;
    int divide = t->loss == S4J_LOSS_MSE || t->loss == S4J_LOSS_MAE;
    int activate_back = !(softmax && mcxent);
    uint32_t loss_kind = t->loss;
    s4j_cosine c = { 0.0f, 0.0f, 0.0f };
    float loss = 0.0f;
    float dot = 0.0f;
    uint32_t n = h->n_cols;
    uint32_t j;
    int32_t r;

    if ((t->flags & S4J_TRAIN_DOT_SENT) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP; /* the last sample's sum is not in */
    }
    if (t->loss == S4J_LOSS_COSINE_PROXIMITY) {
        c = cosine_of(y, labels, n);
    }
    for (j = 0u; j < n; j++) {
        float g;
        float term = loss_term(loss_kind, y[j], labels[j], n_out, &c, softmax, &g);

        if (weights != NULL) {
            term = term * weights[j];
            if (!weight_after) {
                g = g * weights[j];
            }
        }
        loss += term;
        if (jacobian) {
            /* a_j: w t for a weighted MCXENT / NLL, else dL/dy */
            delta[j] = mcxent ? weights[j] * labels[j] : g;
            dot += mcxent ? delta[j] : delta[j] * y[j];
            continue;
        }
        if (activate_back) {
            g = backprop(h->activation, h->alpha, z[j], y[j], g);
        }
        if (divide) {
            g = g / n_out;
        }
        delta[j] = weight_after && weights != NULL ? g * weights[j] : g;
    }
    if (t->loss == S4J_LOSS_MSE || t->loss == S4J_LOSS_MAE || t->loss == S4J_LOSS_WASSERSTEIN) {
        loss = loss / n_out;
    } else if (t->loss == S4J_LOSS_XENT || mcxent) {
        loss = -loss;
    }
    t->last_loss = loss;
    if (jacobian && h->softmax_peers != 0u) {
        /* the sum first: sends leave in order, and the peers wait for it
         * (the loss packet's slot comes after the exchange's) */
        t->local_dot = dot;
        t->flags |= S4J_TRAIN_DOT_SENT;
        out->work |= S4J_WORK_SOFTMAX_DOT;
        r = emit(out, h->sync_key_base + 2u, bits_of(dot));
        if (r < 0) {
            return r;
        }
        r = emit(out, t->loss_key_base, bits_of(loss));
        if (r < 0) {
            return r;
        }
        return dot_advance(h, l, dtcm, t, out);
    }
    r = emit(out, t->loss_key_base, bits_of(loss));
    if (r < 0) {
        return r;
    }
    if (!jacobian) {
        return activator_backward(h, l, dtcm, t, out);
    }
    return output_softmax_backward(h, l, dtcm, t, dot, out);
}

/* An output activator starts the backward pass of its oldest sample held if
 * that sample's forward pass and labels are both in and no earlier sample
 * still waits for its softmax peers' sums. */
static int32_t output_ready_backward(const s4j_header *h, const s4j_layout *l,
                                     void *dtcm, s4j_train *t, s4j_outbox *out)
{
    if (t->held == 0u || t->labels_held == 0u || (t->flags & S4J_TRAIN_DOT_SENT) != 0u) {
        return S4J_OK;
    }
    return output_backward(h, l, dtcm, t, out);
}

/* Hidden softmax, S = sum over the layer of e_k y_k known: delta = y (e - S). */
static int32_t softmax_backward(const s4j_header *h, const s4j_layout *l,
                                void *dtcm, s4j_train *t, float s,
                                s4j_outbox *out)
{
    const float *y = CAT(float, dtcm, l->y) + (size_t)t->back_slot * h->n_cols;
    float *e = AT(float, dtcm, l->eacc);
    float *delta = AT(float, dtcm, l->delta);
    uint32_t n = h->n_cols;
    uint32_t j;

    for (j = 0u; j < n; j++) {
        delta[j] = y[j] * (e[j] - s);
    }
    memset(e, 0, (size_t)n * sizeof(float));
    return activator_backward(h, l, dtcm, t, out);
}

/* Hidden softmax split over peers: finishes once every dot is in. */
static int32_t dot_advance(const s4j_header *h, const s4j_layout *l,
                           void *dtcm, s4j_train *t, s4j_outbox *out)
{
    s4j_peer *peers = AT(s4j_peer, dtcm, l->peers);
    const float *dots = CAT(float, dtcm, l->peer_dots);
    float s;
    uint32_t p;

    if ((t->flags & S4J_TRAIN_DOT_SENT) == 0u
        || t->dots_received != h->softmax_peers) {
        return S4J_OK;
    }
    s = t->local_dot;
    for (p = 0u; p < h->softmax_peers; p++) {
        s += dots[p];
        peers[p].flags &= ~S4J_PEER_DOT;
    }
    t->flags &= ~S4J_TRAIN_DOT_SENT;
    t->dots_received = 0u;
    if (t->loss != S4J_LOSS_NONE) {
        int32_t r = output_softmax_backward(h, l, dtcm, t, s, out);

        /* the next sample's forward pass and labels may be in already:
         * its backward starts now (its sum and loss fit this event's sends) */
        return r < 0 ? r : output_ready_backward(h, l, dtcm, t, out);
    }
    return softmax_backward(h, l, dtcm, t, s, out);
}

/* Hidden activator, every backward partial in: delta = e * act'(z). */
static int32_t hidden_backward(const s4j_header *h, const s4j_layout *l,
                               void *dtcm, s4j_train *t, s4j_outbox *out)
{
    size_t entry = (size_t)t->back_slot * h->n_cols;
    const float *y = CAT(float, dtcm, l->y) + entry;
    const float *z = CAT(float, dtcm, l->tz) + entry;
    float *e = AT(float, dtcm, l->eacc);
    float *delta = AT(float, dtcm, l->delta);
    uint32_t n = h->n_cols;
    uint32_t j;
    int32_t r;

    if (h->activation == S4J_ACT_SOFTMAX) {
        float dot = 0.0f;

        for (j = 0u; j < n; j++) {
            dot += e[j] * y[j];
        }
        t->local_dot = dot;
        if (h->softmax_peers == 0u) {
            return softmax_backward(h, l, dtcm, t, dot, out);
        }
        t->flags |= S4J_TRAIN_DOT_SENT;
        out->work |= S4J_WORK_SOFTMAX_DOT;
        r = emit(out, h->sync_key_base + 2u, bits_of(dot));
        if (r < 0) {
            return r;
        }
        return dot_advance(h, l, dtcm, t, out);
    }
    for (j = 0u; j < n; j++) {
        delta[j] = backprop(h->activation, h->alpha, z[j], y[j], e[j]);
    }
    memset(e, 0, (size_t)n * sizeof(float));
    return activator_backward(h, l, dtcm, t, out);
}

/* The core's forward outputs of this sample are all sent: a training core
 * holds the sample; an output activator that has the oldest sample's labels
 * starts its backward pass. */
static int32_t forward_complete(const s4j_header *h, const s4j_layout *l,
                                void *dtcm, s4j_outbox *out)
{
    s4j_train *t = train_of(l, dtcm);

    if (t == NULL) {
        return S4J_OK;
    }
    t->held++;
    t->fwd_slot = ring_next(h, t->fwd_slot);
    if (is_output(h, t)) {
        return output_ready_backward(h, l, dtcm, t, out);
    }
    return S4J_OK;
}

/* ---- events ------------------------------------------------------------ */

static void reset_softmax(s4j_header *h, s4j_peer *peers)
{
    uint32_t p;

    h->phase = 0u;
    h->maxes_received = 0u;
    h->sums_received = 0u;
    for (p = 0u; p < h->softmax_peers; p++) {
        peers[p].flags &= ~(S4J_PEER_MAX | S4J_PEER_SUM);
    }
}

/* Layer-wide softmax across peers: runs each step whose inputs are all in. */
static int32_t softmax_advance(s4j_header *h, const s4j_layout *l, void *dtcm,
                               s4j_outbox *out)
{
    s4j_peer *peers = AT(s4j_peer, dtcm, l->peers);
    float *z = AT(float, dtcm, l->z);
    uint32_t n = h->n_cols;
    float *y = l->y != 0u
        ? AT(float, dtcm, l->y) + (size_t)fwd_entry(train_of(l, dtcm)) * n : NULL;
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
        out->work |= S4J_WORK_SOFTMAX_SUM;
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
        out->work |= S4J_WORK_SOFTMAX_NORMALISE;
        for (j = 0u; j < n; j++) {
            float v = z[j] / total;
            if (y != NULL) {
                y[j] = v;
            }
            r = emit(out, h->out_key_base + j, bits_of(v));
            if (r < 0) {
                return r;
            }
        }
        memset(z, 0, (size_t)n * sizeof(float)); /* the next sample's sums */
        return forward_complete(h, l, dtcm, out);
    }
    return S4J_OK;
}

/* z (the core's pre-activation sums, bias not yet added) is complete. */
static int32_t finish_z(s4j_header *h, const s4j_layout *l, void *dtcm,
                        s4j_outbox *out)
{
    float *z = AT(float, dtcm, l->z);
    uint32_t n = h->n_cols;
    size_t entry = (size_t)fwd_entry(train_of(l, dtcm)) * n;
    float *ty = l->y != 0u ? AT(float, dtcm, l->y) + entry : NULL;
    float *tz = l->tz != 0u ? AT(float, dtcm, l->tz) + entry : NULL;
    uint32_t j;
    int32_t r;

    out->work |= S4J_WORK_FORWARD;
    if (!has_bias(h->kind, h->fused)) {
        /* partial sums of an unfused block */
        for (j = 0u; j < n; j++) {
            r = emit(out, h->out_key_base + j, bits_of(z[j]));
            if (r < 0) {
                return r;
            }
        }
        memset(z, 0, (size_t)n * sizeof(float)); /* the next sample's sums */
        return forward_complete(h, l, dtcm, out);
    }
    {
        const float *b = AT(const float, dtcm, l->bias);

        if (h->activation != S4J_ACT_SOFTMAX) {
            for (j = 0u; j < n; j++) {
                float zj = z[j] + b[j];
                float y = activate(h->activation, h->alpha, zj);
                if (ty != NULL && tz != NULL) {
                    tz[j] = zj;
                    ty[j] = y;
                }
                r = emit(out, h->out_key_base + j, bits_of(y));
                if (r < 0) {
                    return r;
                }
            }
            memset(z, 0, (size_t)n * sizeof(float)); /* the next sample's sums */
            return forward_complete(h, l, dtcm, out);
        }
        for (j = 0u; j < n; j++) {
            z[j] += b[j];
            if (tz != NULL) {
                tz[j] = z[j];
            }
        }
    }
    {
        float m = S4J_SOFTMAX_MAX_FLOOR;
        float s = 0.0f;

        for (j = 0u; j < n; j++) {
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
            float v = z[j] / s;
            if (ty != NULL) {
                ty[j] = v;
            }
            r = emit(out, h->out_key_base + j, bits_of(v));
            if (r < 0) {
                return r;
            }
        }
        memset(z, 0, (size_t)n * sizeof(float)); /* the next sample's sums */
    }
    return forward_complete(h, l, dtcm, out);
}

/*
 * Receive and multiply-accumulate fused: z_j += x_i w_ij for the rows i =
 * rows_done, rows_done + 1, ... that have arrived, stopping at the first that
 * has not, so z is always the sum over i = 0 .. rows_done-1 in order of i
 * (z starts each sample at 0) and the result does not depend on the order
 * the rows arrive in. Counts the rows in out->rows.
 */
static void accumulate_rows(s4j_header *h, const s4j_layout *l, void *dtcm,
                            s4j_outbox *out)
{
    const uint32_t *bitmap = CAT(uint32_t, dtcm, l->bitmap);
    uint32_t n_rows = h->n_rows;
    const float *x = CAT(float, dtcm, l->x)
        + (size_t)fwd_entry(train_of(l, dtcm)) * n_rows;
    const float *w = CAT(float, dtcm, l->weights);
    float *z = AT(float, dtcm, l->z);
    uint32_t n_cols = h->n_cols;
    uint32_t first = h->rows_done;
    uint32_t i = first;
    uint32_t j;

    while (i < n_rows && (bitmap[i / 32u] & (1u << (i % 32u))) != 0u) {
        const float *wr = w + (size_t)i * n_cols;
        float xi = x[i];

        for (j = 0u; j < n_cols; j++) {
            z[j] += xi * wr[j];
        }
        i++;
    }
    h->rows_done = i;
    out->rows += i - first;
}

static int32_t on_row(s4j_header *h, const s4j_layout *l, void *dtcm,
                      uint32_t row, uint32_t payload, s4j_outbox *out)
{
    uint32_t *bitmap = AT(uint32_t, dtcm, l->bitmap);
    s4j_train *t = train_of(l, dtcm);
    uint32_t bit = 1u << (row % 32u);
    uint32_t n_rows = h->n_rows;
    float *x = AT(float, dtcm, l->x) + (size_t)fwd_entry(t) * n_rows;

    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP;
    }
    if (h->received == 0u && forward_room(h, t) != S4J_OK) {
        return S4J_ERR_IN_FLIGHT;
    }
    if ((bitmap[row / 32u] & bit) != 0u) {
        return S4J_ERR_DUPLICATE_ROW;
    }
    S4J_VERIFY(h->received < n_rows && h->rows_done <= row);
    bitmap[row / 32u] |= bit;
    x[row] = f_of(payload);
    h->received++;
    if (row == h->rows_done) {
        accumulate_rows(h, l, dtcm, out);
    }
    if (h->received == n_rows) {
        /* every row is in, so every row is in z */
        S4J_VERIFY(h->rows_done == n_rows);
        memset(bitmap, 0, (size_t)bitmap_words(n_rows) * sizeof(uint32_t));
        h->received = 0u;
        h->rows_done = 0u;
        return finish_z(h, l, dtcm, out);
    }
    return S4J_OK;
}

/*
 * Slot (src, j) of a table of n_src x n_cols partials: whether it is already
 * filled (1), or fills it with v (0). The caller checked src < n_src and
 * j < n_cols; the table lies inside the state, so the index cannot overflow.
 */
static int slot_put(float *slots, uint32_t *bitmap, uint32_t n_cols,
                    uint32_t src, uint32_t j, float v)
{
    size_t k = (size_t)src * n_cols + j;
    uint32_t bit = 1u << (uint32_t)(k % 32u);

    if ((bitmap[k / 32u] & bit) != 0u) {
        return 1;
    }
    bitmap[k / 32u] |= bit;
    slots[k] = v;
    return 0;
}

/*
 * sum[j] = the filled slots (src, j) of the ranges of one kind added in
 * range-table order (src counts the ranges other than SOFTMAX_SYNC), whatever
 * order they arrived in; their bits are cleared for the next sample.
 */
static void slot_sums(const s4j_header *h, const s4j_layout *l, void *dtcm,
                      uint32_t kind, const float *slots, uint32_t *bitmap,
                      float *sum)
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
            for (j = 0u; j < n_cols; j++) {
                size_t k = (size_t)src * n_cols + j;
                uint32_t bit = 1u << (uint32_t)(k % 32u);

                if ((bitmap[k / 32u] & bit) != 0u) {
                    sum[j] += slots[k];
                    bitmap[k / 32u] &= ~bit;
                }
            }
        }
        src++;
    }
}

/* Partial sum for output col of a reduce from its DATA range src (src counts
 * the ranges other than SOFTMAX_SYNC). */
static int32_t on_partial(s4j_header *h, const s4j_layout *l, void *dtcm,
                          uint32_t src, uint32_t col, uint32_t payload,
                          s4j_outbox *out)
{
    uint32_t *counts = AT(uint32_t, dtcm, l->counts);
    float *acc = AT(float, dtcm, l->z);
    float *slots = AT(float, dtcm, l->slots);
    uint32_t *slot_bitmap = AT(uint32_t, dtcm, l->slot_bitmap);
    s4j_train *t = train_of(l, dtcm);
    uint32_t n_cols = h->n_cols;

    S4J_VERIFY(l->slots != 0u && src < l->n_src && col < n_cols);
    if ((h->phase & S4J_PHASE_Z_COMPLETE) != 0u) {
        return S4J_ERR_SAMPLE_OVERLAP;
    }
    if (h->received == 0u && forward_room(h, t) != S4J_OK) {
        return S4J_ERR_IN_FLIGHT;
    }
    if (counts[col] >= h->expected_partials) {
        return S4J_ERR_TOO_MANY_PARTIALS;
    }
    S4J_VERIFY((uint64_t)h->received < (uint64_t)n_cols * h->expected_partials);
    if (slot_put(slots, slot_bitmap, n_cols, src, col, f_of(payload)) != 0) {
        return S4J_ERR_TOO_MANY_PARTIALS; /* this range already sent output col */
    }
    counts[col]++;
    h->received++;
    if ((uint64_t)h->received == (uint64_t)n_cols * h->expected_partials) {
        /* z_j = partials of output j in range-table order, not arrival order */
        slot_sums(h, l, dtcm, S4J_RANGE_DATA, slots, slot_bitmap, acc);
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
    S4J_VERIFY(h->received < h->n_cols);
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
    s4j_train *t = train_of(l, dtcm);
    s4j_peer *p;

    S4J_VERIFY(slot < h->softmax_peers && which <= (t != NULL ? 2u : 1u));
    p = &peers[slot];
    if (which == 2u) {
        float *dots = AT(float, dtcm, l->peer_dots);

        if (t->loss != S4J_LOSS_NONE && !softmax_jacobian(h, t)) {
            return S4J_ERR_WRONG_KIND; /* y - t needs no sums */
        }
        if ((p->flags & S4J_PEER_DOT) != 0u) {
            return S4J_ERR_DUPLICATE_SYNC;
        }
        S4J_VERIFY(t->dots_received < h->softmax_peers);
        p->flags |= S4J_PEER_DOT;
        dots[slot] = f_of(payload);
        t->dots_received++;
        return dot_advance(h, l, dtcm, t, out);
    }
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
    delta[j] = f_of(payload);
    t->back_received++;
    if (t->back_received == h->n_cols) {
        int32_t r;

        memset(bitmap, 0, (size_t)bitmap_words(h->n_cols) * sizeof(uint32_t));
        t->back_received = 0u;
        r = block_backward(h, l, dtcm, t, out);
        if (r < 0) {
            return r;
        }
        backward_done(h, t);
    }
    return S4J_OK;
}

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
    if (slot_put(slots, slot_bitmap, h->n_cols, src, j, f_of(payload)) != 0) {
        return S4J_ERR_TOO_MANY_BACKWARD; /* this range already sent output j */
    }
    counts[j]++;
    t->back_received++;
    if ((uint64_t)t->back_received == expected) {
        /* e_j = partials of output j in range-table order, not arrival order */
        slot_sums(h, l, dtcm, S4J_RANGE_BACKWARD_PARTIAL, slots, slot_bitmap, e);
        memset(counts, 0, (size_t)h->n_cols * sizeof(uint32_t));
        t->back_received = 0u;
        return hidden_backward(h, l, dtcm, t, out);
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
    labels[j] = f_of(payload);
    t->back_received++;
    if (t->back_received == h->n_cols) {
        memset(bitmap, 0, (size_t)bitmap_words(h->n_cols) * sizeof(uint32_t));
        t->back_received = 0u;
        t->labels_held++;
        t->label_slot = ring_next(h, t->label_slot);
        return output_ready_backward(h, l, dtcm, t, out);
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
    norm[k] = f_of(payload);
    t->norm_received++;
    return 0;
}

int32_t s4j_on_packet(void *dtcm, uint32_t capacity, uint32_t key,
                      uint32_t payload, s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_range *ranges;
    const s4j_range *rg;
    s4j_train *t;
    const s4j_layout *l;
    uint32_t n;
    uint32_t i;
    uint32_t off;
    uint32_t src = 0u;          /* ranges other than SOFTMAX_SYNC before it */
    int32_t r = layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    t = train_of(l, dtcm);
    if (out == NULL || out->send == NULL || out->capacity < l->max_sends) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    begin_event(out);
    ranges = AT(const s4j_range, dtcm, l->ranges);
    n = h->n_ranges;
    for (i = 0u; i < n; i++) {
        if (key - ranges[i].key_lo < ranges[i].span) {
            break;
        }
        if (ranges[i].kind != S4J_RANGE_SOFTMAX_SYNC && ranges[i].kind != S4J_RANGE_NORM) {
            src++;
        }
    }
    if (i == n) {
        return S4J_ERR_UNKNOWN_KEY;
    }
    rg = &ranges[i];
    off = key - rg->key_lo;
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
    case S4J_RANGE_DATA:
        break;
    case S4J_RANGE_DELTA:
    case S4J_RANGE_BACKWARD_PARTIAL:
    case S4J_RANGE_LABEL:
        /* s4j_load accepts these ranges only on training cores of the
         * right kind, within n_cols */
        S4J_VERIFY(t != NULL && rg->local < h->n_cols && off < h->n_cols - rg->local);
        if (rg->kind == S4J_RANGE_DELTA) {
            S4J_VERIFY(h->kind == S4J_KIND_DENSE_BLOCK && h->fused == 0u);
            r = on_delta(h, l, dtcm, t, rg->local + off, payload, out);
        } else if (rg->kind == S4J_RANGE_LABEL) {
            S4J_VERIFY(has_bias(h->kind, h->fused) && t->loss != S4J_LOSS_NONE);
            r = on_label(h, l, dtcm, t, rg->local + off, payload, out);
        } else {
            S4J_VERIFY(has_bias(h->kind, h->fused) && t->loss == S4J_LOSS_NONE);
            r = on_backward_partial(h, l, dtcm, t, src, rg->local + off,
                                    payload, out);
        }
        return r < 0 ? r : (int32_t)out->count;
    default:
        return S4J_ERR_CORRUPT;
    }
    /* s4j_load accepts DATA ranges only within n_rows (block) or n_cols */
    S4J_VERIFY(rg->local < (h->kind == S4J_KIND_DENSE_BLOCK ? h->n_rows : h->n_cols)
               && off < (h->kind == S4J_KIND_DENSE_BLOCK ? h->n_rows : h->n_cols) - rg->local);
    switch (h->kind) {
    case S4J_KIND_DENSE_BLOCK:
        r = on_row(h, l, dtcm, rg->local + off, payload, out);
        break;
    case S4J_KIND_REDUCE:
        r = on_partial(h, l, dtcm, src, rg->local + off, payload, out);
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

int32_t s4j_source_load(void *dtcm, uint32_t capacity, const float *values,
                        uint32_t n)
{
    s4j_header *h = (s4j_header *)dtcm;
    const s4j_layout *l;
    int32_t r = layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (h->kind != S4J_KIND_INPUT_SOURCE) {
        return S4J_ERR_WRONG_KIND;
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
    const float *values;
    const s4j_layout *l;
    uint32_t j;
    int32_t r = layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (h->kind != S4J_KIND_INPUT_SOURCE) {
        if (out != NULL) {
            begin_event(out);
        }
        return 0;
    }
    if (out == NULL || out->send == NULL || out->capacity < l->max_sends) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    begin_event(out);
    if (h->received == 0u) {
        return S4J_ERR_NO_INPUT;
    }
    h->received = 0u;
    out->work |= S4J_WORK_FORWARD;
    values = AT(const float, dtcm, l->z);
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
    const s4j_layout *l;
    int32_t r = layout_of(dtcm, capacity, &l);

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
    const s4j_layout *l;
    int32_t r = layout_of(dtcm, capacity, &l);

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
    memset(AT(uint32_t, dtcm, l->bitmap), 0,
           (size_t)bitmap_words(h->n_cols) * sizeof(uint32_t));
    h->received = 0u;
    *values = AT(const float, dtcm, l->z);
    *n = h->n_cols;
    return S4J_OK;
}

/* ---- training: updates and reads -------------------------------------- */

/* Step-wide factors of the updaters with a bias correction, computed once
 * per update as libnd4j does (float32 unless libnd4j widens to double). */
typedef struct s4j_step {
    float alpha_t;              /* ADAM, AMSGRAD: lr sqrt(1 - b2^t) / (1 - b1^t);
                                   ADAMAX: lr / (1 - b1^t); eps if not finite
                                   and non-zero */
    float one_minus_b1t;        /* NADAM: 1 - b1^t */
} s4j_step;

static s4j_step step_of(const s4j_updater *u, uint32_t iteration)
{
    s4j_step st;
    float step = (float)iteration + 1.0f;
    float b1t = powf(u->beta1, step);

    st.alpha_t = 0.0f;
    st.one_minus_b1t = (float)(1.0 - (double)b1t);
    if (u->kind == S4J_UPDATER_ADAM || u->kind == S4J_UPDATER_AMSGRAD) {
        st.alpha_t = u->learning_rate * sqrtf(1.0f - powf(u->beta2, step)) / (1.0f - b1t);
    } else if (u->kind == S4J_UPDATER_ADAMAX) {
        st.alpha_t = (float)((double)u->learning_rate / (1.0 - (double)b1t));
    }
    if (isnan(st.alpha_t) || isinf(st.alpha_t) || st.alpha_t == 0.0f) {
        st.alpha_t = u->epsilon;
    }
    return st;
}

/* libnd4j's max: a > b ? a : b (b if either is NaN). sign_of, above, is
 * its sign: 0 at NaN and at either zero. */
static float max_of(float a, float b)
{
    return a > b ? a : b;
}

/*
 * The update of one parameter for gradient g, with libnd4j's updater ops
 * (float32; s1, s2, s3 its state arrays in DL4J's order):
 *   SGD        lr g
 *   NESTEROVS  v' = mu v - lr g; mu v + (-mu - 1) v'
 *   ADAM       m = b1 m + g (1 - b1); v = b2 v + g g (1 - b2);
 *              m alpha_t / (sqrt(v) + eps)
 *   ADAMAX     m as Adam's; u = max(b2 u, |g|) + 1e-32 (in double);
 *              m alpha_t / u
 *   NADAM      m, v as Adam's; lr ((m b1 + g (1 - b1)) / (1 - b1^t))
 *              / (sqrt(v) + eps)
 *   AMSGRAD    m, v as Adam's; vHat = max(vHat, v);
 *              alpha_t m / (sqrt(vHat) + eps)
 *   ADAGRAD    h = h + g g; lr g / (sqrt(h) + eps)
 *   ADADELTA   msg = rho msg + g g (1 - rho);
 *              g (sqrt(msdx + eps) / sqrt(msg + eps)) = up;
 *              msdx = rho msdx + up up (1 - rho)
 *   RMSPROP    G = G decay + g g (1 - decay); lr g / (sqrt(G) + eps)
 *   NOOP       g
 */
static float updater_step(const s4j_updater *u, const s4j_step *st, float g,
                          float *s1, float *s2, float *s3)
{
    float lr = u->learning_rate;
    float b1 = u->beta1;
    float b2 = u->beta2;
    float eps = u->epsilon;
    float m;
    float v;
    float up;

    switch (u->kind) {
    case S4J_UPDATER_NESTEROVS: {
        float prev = b1 * *s1;
        v = prev - lr * g;
        *s1 = v;
        return prev + (-b1 - 1.0f) * v;
    }
    case S4J_UPDATER_ADAM:
        m = b1 * *s1 + g * (1.0f - b1);
        v = b2 * *s2 + g * g * (1.0f - b2);
        *s1 = m;
        *s2 = v;
        return (m * st->alpha_t) / (sqrtf(v) + eps);
    case S4J_UPDATER_ADAMAX:
        m = b1 * *s1 + g * (1.0f - b1);
        v = (float)((double)max_of(b2 * *s2, fabsf(g)) + 1e-32);
        *s1 = m;
        *s2 = v;
        return m * st->alpha_t / v;
    case S4J_UPDATER_NADAM: {
        float og = g * (1.0f - b1);
        m = b1 * *s1 + og;
        v = b2 * *s2 + g * g * (1.0f - b2);
        *s1 = m;
        *s2 = v;
        return (lr * ((m * b1 + og) / st->one_minus_b1t)) / (sqrtf(v) + eps);
    }
    case S4J_UPDATER_AMSGRAD:
        m = b1 * *s1 + g * (1.0f - b1);
        v = b2 * *s2 + g * g * (1.0f - b2);
        *s1 = m;
        *s2 = v;
        *s3 = max_of(*s3, v);
        return st->alpha_t * m / (sqrtf(*s3) + eps);
    case S4J_UPDATER_ADAGRAD:
        *s1 = *s1 + g * g;
        return (lr * g) / (sqrtf(*s1) + eps);
    case S4J_UPDATER_ADADELTA:
        m = b1 * *s1 + g * g * (1.0f - b1);
        *s1 = m;
        up = g * (sqrtf(*s2 + eps) / sqrtf(m + eps));
        *s2 = b1 * *s2 + up * up * (1.0f - b1);
        return up;
    case S4J_UPDATER_RMSPROP:
        *s1 = *s1 * b1 + g * g * (1.0f - b1);
        return (lr * g) / (sqrtf(*s1) + eps);
    case S4J_UPDATER_NOOP:
        return g;
    default:
        return g * lr;
    }
}

/* How an L2 mode scales one parameter array's averaged gradient: divided or
 * multiplied by factor, or neither. */
typedef struct s4j_scale {
    int divide;
    int multiply;
    float factor;
} s4j_scale;

/*
 * DL4J's update of n parameters p from their gradient sums acc, then acc = 0:
 * g = acc / batch, clipped to [-threshold, threshold] with
 * CLIP_ELEMENT_WISE (libnd4j's clipbyvalue: NaN passes through), scaled as
 * an L2 mode says (sc), l1 and l2
 * added (BEFORE_UPDATER), the updater's step
 * (state arrays s, s + n, s + 2n), weight decay added to it (POST_UPDATER),
 * p -= the step (NegativeGradientStepFunction).
 */
static void update_params(const s4j_train *t, const s4j_updater *u,
                          const s4j_regularization *r, uint32_t iteration,
                          float batch, const s4j_scale *sc, float *p,
                          float *acc, float *s, uint32_t n)
{
    static float none[3];
    uint32_t arrays = updater_arrays(u->kind);
    s4j_step st = step_of(u, iteration);
    /* which terms apply, decided once: soft-float compares are calls */
    int l1 = r->l1 != 0.0f;
    int l2_before = r->l2 != 0.0f && r->l2_first != 0u;
    int l2_after = r->l2 != 0.0f && r->l2_first == 0u;
    uint32_t decay = r->weight_decay != 0.0f ? r->decay_times : 0u;
    int clip = t->grad_norm == S4J_GRAD_NORM_CLIP_ELEMENT_WISE;
    float hi = t->grad_norm_threshold;
    float lo = -hi;
    uint32_t d;
    uint32_t k;

    for (k = 0u; k < n; k++) {
        float g = acc[k] / batch;
        float up;

        if (clip) {
            if (g > hi) {
                g = hi;
            } else if (g < lo) {
                g = lo;
            }
        }
        if (sc->divide) {
            g = g / sc->factor;
        } else if (sc->multiply) {
            g = g * sc->factor;
        }

        /* BEFORE_UPDATER, as nd4j's Axpy: g = c x + g */
        if (l2_before) {
            g = r->l2 * p[k] + g;
        }
        if (l1) {
            g = r->l1 * sign_of(p[k]) + g;
        }
        if (l2_after) {
            g = r->l2 * p[k] + g;
        }
        up = updater_step(u, &st, g,
                          arrays >= 1u ? &s[k] : &none[0],
                          arrays >= 2u ? &s[n + k] : &none[1],
                          arrays >= 3u ? &s[2u * n + k] : &none[2]);
        for (d = 0u; d < decay; d++) {
            up = r->weight_decay * p[k] + up; /* POST_UPDATER */
        }
        p[k] -= up;
        acc[k] = 0.0f;
    }
}

/* The sum of (acc[k] / batch)^2 over n accumulators. */
static float sum_of_squares(const float *acc, uint32_t n, float batch)
{
    float sum = 0.0f;
    uint32_t k;

    for (k = 0u; k < n; k++) {
        float g = acc[k] / batch;

        sum += g * g;
    }
    return sum;
}

/* The layout and training part of a loaded training core, for an event at
 * the end of a mini-batch of batch_size (> 0) samples. */
static int32_t end_of_batch(void *dtcm, uint32_t capacity, uint32_t batch_size,
                            const s4j_layout **l, s4j_train **t)
{
    int32_t r = layout_of(dtcm, capacity, l);

    if (r != S4J_OK) {
        return r;
    }
    *t = train_of(*l, dtcm);
    if (*t == NULL) {
        return S4J_ERR_NOT_TRAINING;
    }
    return batch_size == 0u ? S4J_ERR_BAD_ARGUMENT : S4J_OK;
}

int32_t s4j_norm_start(void *dtcm, uint32_t capacity, uint32_t batch_size,
                       s4j_outbox *out)
{
    s4j_header *h = (s4j_header *)dtcm;
    s4j_train *t;
    const s4j_layout *l;
    float *norm;
    float batch;
    float w = 0.0f;
    float b = 0.0f;
    int32_t r = end_of_batch(dtcm, capacity, batch_size, &l, &t);

    if (r != S4J_OK) {
        return r;
    }
    if (!is_l2(t->grad_norm)) {
        return S4J_ERR_WRONG_KIND;
    }
    if (out == NULL || out->send == NULL || out->capacity < l->max_sends) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    if (samples_in_flight(t)) {
        return S4J_ERR_INCOMPLETE;
    }
    if (t->norm_own != 0u) {
        return S4J_ERR_DUPLICATE_SYNC;
    }
    begin_event(out);
    batch = (float)batch_size;
    if (h->kind == S4J_KIND_DENSE_BLOCK) {
        w = sum_of_squares(AT(const float, dtcm, l->dw), h->n_rows * h->n_cols, batch);
    }
    if (has_bias(h->kind, h->fused)) {
        b = sum_of_squares(AT(const float, dtcm, l->db), h->n_cols, batch);
    }
    /* s4j_load made norm_self <= norm_peers, and norm holds norm_peers + 1 pairs */
    S4J_VERIFY(l->norm != 0u && t->norm_self <= t->norm_peers);
    norm = AT(float, dtcm, l->norm);
    t->norm_own = 1u;
    if (norm_keys(t->grad_norm) == 1u) {
        norm[2u * t->norm_self] = w + b;
        r = t->norm_peers != 0u ? emit(out, t->norm_key_base, bits_of(w + b)) : S4J_OK;
    } else {
        norm[2u * t->norm_self] = w;
        norm[2u * t->norm_self + 1u] = b;
        r = t->norm_peers != 0u ? emit(out, t->norm_key_base, bits_of(w)) : S4J_OK;
        if (r >= 0 && t->norm_peers != 0u) {
            r = emit(out, t->norm_key_base + 1u, bits_of(b));
        }
    }
    return r < 0 ? r : (int32_t)out->count;
}

/* DL4J's preApply of an L2 mode with norm l2 (0: renormalizing divides by
 * 1e-5 instead, as DL4J does); the factors in double as DL4J computes them,
 * then float as nd4j's scalar ops take them. */
static s4j_scale scale_of(const s4j_train *t, float l2)
{
    s4j_scale sc;
    double norm = (double)l2;
    double threshold = (double)t->grad_norm_threshold;

    sc.divide = 0;
    sc.multiply = 0;
    sc.factor = 1.0f;
    switch (t->grad_norm) {
    case S4J_GRAD_NORM_RENORM_L2_PER_LAYER:
    case S4J_GRAD_NORM_RENORM_L2_PER_PARAM_TYPE:
        sc.divide = 1;
        sc.factor = (float)(norm == 0.0 ? 1e-5 : norm);
        break;
    case S4J_GRAD_NORM_CLIP_L2_PER_LAYER:
        if (norm > threshold) {
            sc.multiply = 1;
            sc.factor = (float)(threshold / norm);
        }
        break;
    case S4J_GRAD_NORM_CLIP_L2_PER_PARAM_TYPE:
        if (norm > threshold) {
            sc.divide = 1;
            sc.factor = (float)(norm / threshold);
        }
        break;
    default:
        break;
    }
    return sc;
}

/* The scales of the weights' and the bias' gradients: the partials of every
 * position added in position order, so every core of the layer gets the
 * same norms. */
static void scales_of(const s4j_train *t, const s4j_layout *l, void *dtcm,
                      s4j_scale *sw, s4j_scale *sb)
{
    const float *norm;
    float w = 0.0f;
    float b = 0.0f;
    uint32_t k;

    if (!is_l2(t->grad_norm)) {
        *sw = scale_of(t, 0.0f);
        *sb = *sw;
        return;
    }
    norm = CAT(float, dtcm, l->norm);
    for (k = 0u; k <= t->norm_peers; k++) {
        w += norm[2u * k];
        b += norm[2u * k + 1u];
    }
    if (norm_keys(t->grad_norm) == 1u) {
        *sw = scale_of(t, sqrtf(w));
        *sb = *sw;
    } else {
        *sw = scale_of(t, sqrtf(w));
        *sb = scale_of(t, sqrtf(b));
    }
}

/* Whether an update command's values (S4J_RATE_*) are finite and >= 0 and
 * bring a weight decay only where the config has one (r). */
static int rates_ok(const float *v, const s4j_regularization *r)
{
    uint32_t k;

    for (k = 0u; k < S4J_RATE_WORDS; k++) {
        if (!isfinite(v[k]) || v[k] < 0.0f) {
            return 0;
        }
    }
    return v[S4J_RATE_WEIGHT_DECAY] == 0.0f || r->decay_times != 0u;
}

/* Makes an update command's values (S4J_RATE_*) the current ones of an
 * updater and its regularization. */
static void take_rates(s4j_updater *u, s4j_regularization *r, const float *v)
{
    u->learning_rate = v[S4J_RATE_LEARNING_RATE];
    if (u->kind == S4J_UPDATER_NESTEROVS) {
        u->beta1 = v[S4J_RATE_MOMENTUM];
    }
    r->l1 = v[S4J_RATE_L1];
    r->l2 = v[S4J_RATE_L2];
    r->weight_decay = v[S4J_RATE_WEIGHT_DECAY];
}

int32_t s4j_apply_update(void *dtcm, uint32_t capacity, uint32_t batch_size,
                         uint32_t iteration, const float *rates,
                         uint32_t n_rates)
{
    s4j_header *h = (s4j_header *)dtcm;
    s4j_train *t;
    const s4j_layout *l;
    s4j_scale sw;
    s4j_scale sb;
    float batch;
    int32_t r = end_of_batch(dtcm, capacity, batch_size, &l, &t);

    if (r != S4J_OK) {
        return r;
    }
    if (rates == NULL || n_rates != S4J_UPDATE_WORDS) {
        return S4J_ERR_BAD_LENGTH;
    }
    if (samples_in_flight(t)) {
        return S4J_ERR_INCOMPLETE;
    }
    if (is_l2(t->grad_norm)
        && (t->norm_own == 0u || t->norm_received != t->norm_peers * norm_keys(t->grad_norm))) {
        return S4J_ERR_INCOMPLETE;
    }
    if (!rates_ok(rates, &t->reg_w) || !rates_ok(rates + S4J_RATE_WORDS, &t->reg_b)) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    take_rates(&t->upd_w, &t->reg_w, rates);
    take_rates(&t->upd_b, &t->reg_b, rates + S4J_RATE_WORDS);
    batch = (float)batch_size;
    scales_of(t, l, dtcm, &sw, &sb);
    if (h->kind == S4J_KIND_DENSE_BLOCK) {
        update_params(t, &t->upd_w, &t->reg_w, iteration, batch, &sw, AT(float, dtcm, l->weights),
                      AT(float, dtcm, l->dw),
                      l->w_state != 0u ? AT(float, dtcm, l->w_state) : NULL,
                      h->n_rows * h->n_cols);
    }
    if (has_bias(h->kind, h->fused)) {
        update_params(t, &t->upd_b, &t->reg_b, iteration, batch, &sb, AT(float, dtcm, l->bias),
                      AT(float, dtcm, l->db),
                      l->b_state != 0u ? AT(float, dtcm, l->b_state) : NULL,
                      h->n_cols);
    }
    if (l->norm_bits != 0u) {
        memset(AT(uint32_t, dtcm, l->norm_bits), 0,
               (size_t)bitmap_words(2u * (t->norm_peers + 1u)) * sizeof(uint32_t));
    }
    t->norm_own = 0u;
    t->norm_received = 0u;
    return S4J_OK;
}

/* The offset and length of parameter array `which` (S4J_ARRAY_*) of slot
 * `slot` (0: the parameters, k >= 1: updater state array k) of a core whose
 * layout is l; S4J_OK, or an error if the core has no such array. */
static int32_t locate_array(const void *dtcm, const s4j_layout *l,
                            uint32_t which, uint32_t slot, uint32_t *off,
                            uint32_t *count)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    const s4j_train *t;
    uint32_t state;
    uint32_t kind_of;

    if (which == S4J_ARRAY_WEIGHTS) {
        if (h->kind != S4J_KIND_DENSE_BLOCK) {
            return S4J_ERR_WRONG_KIND;
        }
        *count = h->n_rows * h->n_cols; /* below total / 4: no overflow */
        *off = l->weights;
        state = l->w_state;
        kind_of = 0u;
    } else if (which == S4J_ARRAY_BIAS) {
        if (!has_bias(h->kind, h->fused)) {
            return S4J_ERR_WRONG_KIND;
        }
        *count = h->n_cols;
        *off = l->bias;
        state = l->b_state;
        kind_of = 1u;
    } else {
        return S4J_ERR_BAD_ARGUMENT;
    }
    if (slot != 0u) {
        if (l->train == 0u) {
            return S4J_ERR_NOT_TRAINING;
        }
        t = CAT(s4j_train, dtcm, l->train);
        if (state == 0u
            || slot > updater_arrays(kind_of == 0u ? t->upd_w.kind : t->upd_b.kind)) {
            return S4J_ERR_BAD_ARGUMENT;
        }
        *off = state + (slot - 1u) * *count * 4u; /* inside the state: no overflow */
    }
    return S4J_OK;
}

int32_t s4j_params(const void *dtcm, uint32_t capacity, uint32_t which,
                   uint32_t slot, uint32_t dest_len, const float **values,
                   uint32_t *n)
{
    const s4j_layout *l;
    uint32_t count = 0u;
    uint32_t off = 0u;
    int32_t r = layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (values == NULL || n == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    r = locate_array(dtcm, l, which, slot, &off, &count);
    if (r != S4J_OK) {
        return r;
    }
    if (dest_len != count) {
        return S4J_ERR_BAD_LENGTH;
    }
    *values = CAT(float, dtcm, off);
    *n = count;
    return S4J_OK;
}

int32_t s4j_set_params(void *dtcm, uint32_t capacity, uint32_t which,
                       uint32_t slot, const float *values, uint32_t n)
{
    const s4j_layout *l;
    uint32_t count = 0u;
    uint32_t off = 0u;
    uint32_t k;
    float *dest;
    int32_t r = layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    r = locate_array(dtcm, l, which, slot, &off, &count);
    if (r != S4J_OK) {
        return r;
    }
    if (values == NULL || n != count) {
        return S4J_ERR_BAD_LENGTH;
    }
    if (samples_in_flight(train_of(l, dtcm))) {
        return S4J_ERR_INCOMPLETE;
    }
    dest = AT(float, dtcm, off);
    for (k = 0u; k < count; k++) {
        dest[k] = values[k];
    }
    return S4J_OK;
}

int32_t s4j_discarded(const void *dtcm, uint32_t capacity, uint32_t *count)
{
    const s4j_layout *l;
    int32_t r = layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (count == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    *count = ((const s4j_header *)dtcm)->discarded;
    return S4J_OK;
}

int32_t s4j_last_loss(const void *dtcm, uint32_t capacity, float *loss)
{
    const s4j_header *h = (const s4j_header *)dtcm;
    const s4j_train *t;
    const s4j_layout *l;
    int32_t r = layout_of(dtcm, capacity, &l);

    if (r != S4J_OK) {
        return r;
    }
    if (l->train == 0u) {
        return S4J_ERR_NOT_TRAINING;
    }
    t = CAT(s4j_train, dtcm, l->train);
    if (!has_bias(h->kind, h->fused) || t->loss == S4J_LOSS_NONE) {
        return S4J_ERR_WRONG_KIND;
    }
    if (loss == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    *loss = t->last_loss;
    return S4J_OK;
}

int32_t s4j_checked(void)
{
#ifdef S4J_CHECKED
    return 1;
#else
    return 0;
#endif
}
