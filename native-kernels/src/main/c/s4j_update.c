/*
 * The end-of-batch update of a training core's parameters: the averaged
 * gradient clipped or scaled (gradient normalization, s4j_gradnorm.c), l1 and
 * l2, the updater's step, weight decay (s4j_apply_update).
 */
#include "s4j_internal.h"

#include <math.h>

/* Arrays of updater state per parameter. */
uint32_t s4j_updater_arrays(uint32_t updater)
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

/* round(2^15 / sqrt((i + 32.5) / 128)): 1 / sqrt(a) to about 7 bits for a
 * in [(i + 32) / 128, (i + 33) / 128), the seed of s4j_sqrt's iteration. */
static const uint16_t RSQRT_SEED[96] = {
    65030u, 64052u, 63117u, 62222u, 61363u, 60540u, 59748u, 58987u,
    58254u, 57548u, 56867u, 56210u, 55574u, 54960u, 54366u, 53791u,
    53233u, 52693u, 52169u, 51660u, 51165u, 50685u, 50218u, 49763u,
    49321u, 48890u, 48470u, 48061u, 47663u, 47273u, 46894u, 46523u,
    46161u, 45807u, 45462u, 45124u, 44793u, 44470u, 44153u, 43843u,
    43540u, 43243u, 42951u, 42666u, 42386u, 42112u, 41843u, 41579u,
    41320u, 41065u, 40816u, 40571u, 40330u, 40093u, 39861u, 39632u,
    39408u, 39187u, 38970u, 38756u, 38546u, 38340u, 38136u, 37936u,
    37739u, 37545u, 37354u, 37166u, 36980u, 36798u, 36618u, 36441u,
    36266u, 36093u, 35924u, 35756u, 35591u, 35428u, 35267u, 35109u,
    34953u, 34798u, 34646u, 34496u, 34347u, 34201u, 34056u, 33913u,
    33772u, 33633u, 33496u, 33360u, 33225u, 33093u, 32962u, 32832u
};

/*
 * sqrtf(x), the same bits (IEEE 754's square root, correctly rounded), in
 * integer arithmetic: newlib's soft-float sqrtf finds the root a bit at a
 * time (about 320 ARM instructions), this about 70. For x positive and
 * normal: the significand, shifted to make the exponent even, is an integer
 * m in [2^46, 2^48) whose root r in [2^23, 2^24) is the result's
 * significand. 1 / sqrt of m's top 32 bits, from a 7-bit seed and two
 * Newton steps (y' = y (3 - a y^2) / 2, in 32-bit fixed point), times them
 * gives r to within a few units; the exact remainder m - r^2 (64-bit)
 * corrects it to floor(sqrt(m)) and rounds to nearest (a root is never
 * halfway between two integers). Zeros, subnormals, negatives, infinities
 * and NaNs go to sqrtf. Checked against the host's sqrtf on all 2^32
 * inputs, bit for bit.
 */
float s4j_sqrt(float x)
{
    uint32_t b = s4j_bits_of(x);
    uint32_t e = b >> 23;
    uint64_t m;
    uint32_t a;
    uint32_t y;
    uint32_t r;
    int64_t rem;
    int i;

    if (e - 1u >= 254u) {
        return sqrtf(x);
    }
    m = (uint64_t)((b & 0x7FFFFFu) | 0x800000u) << (24u - (e & 1u));
    a = (uint32_t)(m >> 16);                    /* a / 2^32 in [1/4, 1) */
    y = (uint32_t)RSQRT_SEED[(a >> 25) - 32u] << 15; /* 1 / sqrt, Q30 */
    for (i = 0; i < 2; i++) {
        uint32_t y2 = (uint32_t)(((uint64_t)y * y) >> 32);       /* Q28 */
        uint32_t ay2 = (uint32_t)(((uint64_t)a * y2) >> 32);     /* Q28 */
        y = (uint32_t)(((uint64_t)y * (0x30000000u - ay2)) >> 29);
    }
    r = (uint32_t)(((uint64_t)a * y) >> 38);
    rem = (int64_t)(m - (uint64_t)r * r);
    while (rem < 0) {
        r--;
        rem += 2 * (int64_t)r + 1;
    }
    while (rem > 2 * (int64_t)r) {
        rem -= 2 * (int64_t)r + 1;
        r++;
    }
    r += rem > (int64_t)r;
    /* r < 2^24 still: the result's exponent is the input's halved */
    return s4j_f_of((((e + 127u) >> 1) - 1u) * 0x800000u + r);
}

/*
 * a / batch, the same bits: with batch 2^k (log2_batch = k, else
 * S4J_NOT_POW2) and the quotient normal, only a's exponent changes, by k
 * (libgcc's division takes about 20 instructions to find that); otherwise
 * (zeros, subnormal quotients, infinities, NaNs, other batch sizes) the
 * division.
 */
#define S4J_NOT_POW2 255u

static float divide_by_batch(float a, float batch, uint32_t log2_batch)
{
    uint32_t b = s4j_bits_of(a);
    uint32_t e = (b >> 23) & 0xFFu;

    if (e > log2_batch && e != 0xFFu) {
        return s4j_f_of(b - (log2_batch << 23));
    }
    return a / batch;
}

/* k if n is 2^k, else S4J_NOT_POW2. */
static uint32_t log2_of(uint32_t n)
{
    uint32_t k = 0u;

    if (n == 0u || (n & (n - 1u)) != 0u) {
        return S4J_NOT_POW2;
    }
    while ((n >> k) != 1u) {
        k++;
    }
    return k;
}

/* libnd4j's max: a > b ? a : b (b if either is NaN); s4j_sign_of
 * (s4j_internal.h) is its sign: 0 at NaN and at either zero. */
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
        return (m * st->alpha_t) / (s4j_sqrt(v) + eps);
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
        return (lr * ((m * b1 + og) / st->one_minus_b1t)) / (s4j_sqrt(v) + eps);
    }
    case S4J_UPDATER_AMSGRAD:
        m = b1 * *s1 + g * (1.0f - b1);
        v = b2 * *s2 + g * g * (1.0f - b2);
        *s1 = m;
        *s2 = v;
        *s3 = max_of(*s3, v);
        return st->alpha_t * m / (s4j_sqrt(*s3) + eps);
    case S4J_UPDATER_ADAGRAD:
        *s1 = *s1 + g * g;
        return (lr * g) / (s4j_sqrt(*s1) + eps);
    case S4J_UPDATER_ADADELTA:
        m = b1 * *s1 + g * g * (1.0f - b1);
        *s1 = m;
        up = g * (s4j_sqrt(*s2 + eps) / s4j_sqrt(m + eps));
        *s2 = b1 * *s2 + up * up * (1.0f - b1);
        return up;
    case S4J_UPDATER_RMSPROP:
        *s1 = *s1 * b1 + g * g * (1.0f - b1);
        return (lr * g) / (s4j_sqrt(*s1) + eps);
    case S4J_UPDATER_NOOP:
        return g;
    default:
        return g * lr;
    }
}

/*
 * DL4J's update of n parameters p from their gradient sums acc, then acc = 0
 * (state array a of parameter k at s[a * stride + k]: the arrays are laid out
 * like the whole parameter array, of which p may be a part):
 * g = acc / batch (divide_by_batch), clipped to [-threshold, threshold] with
 * CLIP_ELEMENT_WISE (libnd4j's clipbyvalue: NaN passes through), scaled as
 * an L2 mode says (sc), l1 and l2
 * added (BEFORE_UPDATER), the updater's step
 * (state arrays s, s + n, s + 2n), weight decay added to it (POST_UPDATER),
 * p -= the step (NegativeGradientStepFunction).
 */
static void update_params(const s4j_train *t, const s4j_updater *u,
                          const s4j_regularization *r, uint32_t iteration,
                          uint32_t batch_size, const s4j_scale *sc, float *p,
                          float *acc, float *s, uint32_t n, uint32_t stride)
{
    static float none[3];
    uint32_t arrays = s4j_updater_arrays(u->kind);
    s4j_step st = step_of(u, iteration);
    /* which terms apply, decided once: soft-float compares are calls */
    int l1 = r->l1 != 0.0f;
    int l2_before = r->l2 != 0.0f && r->l2_first != 0u;
    int l2_after = r->l2 != 0.0f && r->l2_first == 0u;
    uint32_t decay = r->weight_decay != 0.0f ? r->decay_times : 0u;
    int clip = t->grad_norm == S4J_GRAD_NORM_CLIP_ELEMENT_WISE;
    float hi = t->grad_norm_threshold;
    float lo = -hi;
    float batch = (float)batch_size;
    uint32_t log2_batch = log2_of(batch_size);
    uint32_t d;
    uint32_t k;

    for (k = 0u; k < n; k++) {
        float g = divide_by_batch(acc[k], batch, log2_batch);
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
            g = r->l1 * s4j_sign_of(p[k]) + g;
        }
        if (l2_after) {
            g = r->l2 * p[k] + g;
        }
        up = updater_step(u, &st, g,
                          arrays >= 1u ? &s[k] : &none[0],
                          arrays >= 2u ? &s[stride + k] : &none[1],
                          arrays >= 3u ? &s[2u * stride + k] : &none[2]);
        for (d = 0u; d < decay; d++) {
            up = r->weight_decay * p[k] + up; /* POST_UPDATER */
        }
        p[k] -= up;
        acc[k] = 0.0f;
    }
}

/* The layout and training part of a loaded training core, for an event at
 * the end of a mini-batch of batch_size (> 0) samples. */
int32_t s4j_end_of_batch(void *dtcm, uint32_t capacity, uint32_t batch_size,
                         const s4j_layout **l, s4j_train **t)
{
    int32_t r = s4j_training_of(dtcm, capacity, l, t);

    if (r != S4J_OK) {
        return r;
    }
    return batch_size == 0u ? S4J_ERR_BAD_ARGUMENT : S4J_OK;
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

/* A kernel copy's update: the shares of the chunks it owns added in position
 * order, those chunks (weights, then bias parts) updated, every accumulator
 * zeroed; the others' new values come from their owners. */
static void update_copy(const s4j_header *h, const s4j_layout *l, void *dtcm, s4j_train *t,
                        uint32_t iteration, uint32_t batch_size, const s4j_scale *sw,
                        const s4j_scale *sb)
{
    const uint32_t *chunks = CAT(uint32_t, dtcm, l->chunks);
    uint32_t n_w = s4j_block_weights(h);
    float *w_state = l->w_state != 0u ? AT(float, dtcm, l->w_state) : NULL;
    float *b_state = l->b_state != 0u ? AT(float, dtcm, l->b_state) : NULL;
    uint32_t i;

    s4j_sum_shares(h, l, dtcm, t);
    for (i = 0u; i < t->copy.chunks; i++) {
        const uint32_t *c = chunks + (size_t)i * S4J_CHUNK_WORDS;
        uint32_t lo = c[S4J_CHUNK_WORD_LO];
        uint32_t hi = c[S4J_CHUNK_WORD_HI];

        if (c[S4J_CHUNK_WORD_SLOT] == S4J_CHUNK_NOT_OWNED) {
            continue;
        }
        if (lo < n_w) {
            uint32_t end = hi < n_w ? hi : n_w;

            update_params(t, &t->upd_w, &t->reg_w, iteration, batch_size, sw,
                          AT(float, dtcm, l->weights) + lo, AT(float, dtcm, l->dw) + lo,
                          w_state != NULL ? w_state + lo : NULL, end - lo, n_w);
            lo = end;
        }
        if (hi > lo) {
            update_params(t, &t->upd_b, &t->reg_b, iteration, batch_size, sb,
                          AT(float, dtcm, l->bias) + (lo - n_w), AT(float, dtcm, l->db) + (lo - n_w),
                          b_state != NULL ? b_state + (lo - n_w) : NULL, hi - lo, s4j_biases(h));
        }
    }
    memset(AT(float, dtcm, l->dw), 0, (size_t)n_w * sizeof(float));
    memset(AT(float, dtcm, l->db), 0, (size_t)s4j_biases(h) * sizeof(float));
    t->copy_phase = S4J_COPY_UPDATED;
    t->params_received = 0u;
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
    s4j_bn *bn;
    int32_t r = s4j_end_of_batch(dtcm, capacity, batch_size, &l, &t);

    if (r != S4J_OK) {
        return r;
    }
    bn = s4j_bn_of(l, dtcm);
    if ((h->pool == S4J_POOL_NORM && bn == NULL) || h->arithmetic != S4J_ARITH_FLOAT) {
        /* it trains for score(DataSet) alone, or in s16.15 (s4j_apply_fix_update) */
        return S4J_ERR_WRONG_KIND;
    }
    if (rates == NULL || n_rates != S4J_UPDATE_WORDS) {
        return S4J_ERR_BAD_LENGTH;
    }
    if (bn != NULL) {
        r = s4j_batch_norm_update_ready(bn, batch_size);
        if (r != S4J_OK) {
            return r;
        }
    }
    if (s4j_samples_in_flight(t)) {
        return S4J_ERR_INCOMPLETE;
    }
    if (s4j_is_l2(t->grad_norm)
        && (t->norm_own == 0u || t->norm_received != t->norm_peers * s4j_norm_keys(t->grad_norm))) {
        return S4J_ERR_INCOMPLETE;
    }
    if (t->copy.chunks != 0u
        && (t->copy_phase != S4J_COPY_SHARED || t->shares_received != t->copy.shares)) {
        return S4J_ERR_INCOMPLETE;
    }
    if (!rates_ok(rates, &t->reg_w) || !rates_ok(rates + S4J_RATE_WORDS, &t->reg_b)) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    s4j_dropout_end(t);
    take_rates(&t->upd_w, &t->reg_w, rates);
    take_rates(&t->upd_b, &t->reg_b, rates + S4J_RATE_WORDS);
    s4j_scales_of(t, l, dtcm, &sw, &sb);
    if (t->copy.chunks != 0u) {
        update_copy(h, l, dtcm, t, iteration, batch_size, &sw, &sb);
        return S4J_OK;
    }
    if (bn != NULL) {
        /* gamma, weight row 0 (its state arrays at the same offsets of the
         * weights'), through the updater; the running statistics stepped */
        update_params(t, &t->upd_w, &t->reg_w, iteration, batch_size, &sw, AT(float, dtcm, l->weights),
                      AT(float, dtcm, l->dw),
                      l->w_state != 0u ? AT(float, dtcm, l->w_state) : NULL,
                      h->n_cols, s4j_block_weights(h));
        s4j_batch_norm_step(h, l, dtcm, bn);
    } else if (h->kind == S4J_KIND_DENSE_BLOCK) {
        update_params(t, &t->upd_w, &t->reg_w, iteration, batch_size, &sw, AT(float, dtcm, l->weights),
                      AT(float, dtcm, l->dw),
                      l->w_state != 0u ? AT(float, dtcm, l->w_state) : NULL,
                      s4j_block_weights(h), s4j_block_weights(h));
    }
    if (s4j_has_bias(h->kind, h->fused) && !s4j_pools(h)) {
        update_params(t, &t->upd_b, &t->reg_b, iteration, batch_size, &sb, AT(float, dtcm, l->bias),
                      AT(float, dtcm, l->db),
                      l->b_state != 0u ? AT(float, dtcm, l->b_state) : NULL,
                      s4j_biases(h), s4j_biases(h));
    }
    if (l->norm_bits != 0u) {
        memset(AT(uint32_t, dtcm, l->norm_bits), 0,
               (size_t)s4j_bitmap_words(2u * (t->norm_peers + 1u)) * sizeof(uint32_t));
    }
    t->norm_own = 0u;
    t->norm_received = 0u;
    return S4J_OK;
}
