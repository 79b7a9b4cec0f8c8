/*
 * The derivatives of the element-wise activations (the activations
 * themselves are inline in s4j_activation.h: they run per output of the
 * forward pass).
 */
#include "s4j_activation.h"

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
float s4j_backprop(uint32_t act, float alpha, float z, float y, float g)
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
        a = s4j_rtanh_denominator(k);
        return g * ((S4J_RTANH_SCALE * (2.0f / 3.0f))
                    * ((1.0f + s4j_sgn(k) * (2.0f * k + (4.0f * S4J_RTANH_QUART) * (k * k * k)))
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
