/*
 * The element-wise activations, as libnd4j evaluates them: the activation
 * itself inline (it runs per output of every forward pass), its derivative in
 * s4j_activation.c.
 */
#ifndef S4J_ACTIVATION_H
#define S4J_ACTIVATION_H

#include "s4j_internal.h"

#include <math.h>

/* libnd4j's constants of its activations, in float as its float ops use them. */
#define S4J_SELU_ALPHA  1.6732632423543772848170429916717f
#define S4J_SELU_LAMBDA 1.0507009873554804934193349852946f
#define S4J_GELU_SCALE  1.702f    /* the sigmoid approximation's 1.702 x */
#define S4J_RTANH_SCALE 1.7159f   /* rationaltanh: 1.7159 tanh(2x/3) ... */
#define S4J_RTANH_QUART 1.41645f  /* ... with its fourth-power coefficient */
#define S4J_RELU6_CAP   6.0f

static inline float s4j_sigmoid(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

/* libnd4j's sd_sgn: 1, -1, or 0 at +-0 and at NaN. */
static inline float s4j_sgn(float x)
{
    return (x > 0.0f) ? 1.0f : ((x < 0.0f) ? -1.0f : 0.0f);
}

/* The rational approximation's denominator 1 + |d| + d^2 + 1.41645 d^4 at
 * d = 2x/3, summed left to right as libnd4j does. */
static inline float s4j_rtanh_denominator(float d)
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
static inline float s4j_activate(uint32_t act, float alpha, float x)
{
    float d;
    float r;

    switch (act) {
    case S4J_ACT_RELU:
        return x < 0.0f ? 0.0f : x;
    case S4J_ACT_LEAKYRELU:
        return x >= 0.0f ? x : alpha * x;
    case S4J_ACT_SIGMOID:
        return s4j_sigmoid(x);
    case S4J_ACT_TANH:
        return tanhf(x);
    case S4J_ACT_HARDTANH:
        return x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x);
    case S4J_ACT_SOFTPLUS:
        return logf(1.0f + expf(x));
    case S4J_ACT_ELU:
        return x >= 0.0f ? x : alpha * (expf(x) - 1.0f);
    case S4J_ACT_SWISH:
        return x * s4j_sigmoid(x);
    case S4J_ACT_GELU:
        return x * s4j_sigmoid(S4J_GELU_SCALE * x);
    case S4J_ACT_SELU:
        return x > 0.0f ? S4J_SELU_LAMBDA * x
                        : S4J_SELU_LAMBDA * (S4J_SELU_ALPHA * expf(x) - S4J_SELU_ALPHA);
    case S4J_ACT_MISH:
        return x * tanhf(logf(1.0f + expf(x)));
    case S4J_ACT_SOFTSIGN:
        return x / (1.0f + fabsf(x));
    case S4J_ACT_RATIONALTANH:
        d = (2.0f / 3.0f) * x;
        return S4J_RTANH_SCALE * (s4j_sgn(d) * (1.0f - 1.0f / s4j_rtanh_denominator(d)));
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

/* dL/dz of activation act at z, y = act(z), given g = dL/dy (s4j_activation.c). */
float s4j_backprop(uint32_t act, float alpha, float z, float y, float g);

#endif
