/*
 * JNI bridge between org.spinnaker4j.kernels.FixedPointBackward and the
 * s16.15 backward pass (s4j_fixback.h), host only, for tests. FixedPointBackward
 * validates the arguments first; the checks here only keep a bad call from
 * reading or writing outside the arrays (-2: an array missing or of the
 * wrong length, or the JVM out of memory) and pass on the kernel's refusal
 * (-1). A jlong is read as the uint64_t of the same bits.
 */
#include <jni.h>
#include <stdint.h>

#include "org_spinnaker4j_kernels_FixedPointBackward.h"
#include "s4j_fixback.h"

_Static_assert(sizeof(jint) == sizeof(int32_t) && sizeof(jlong) == sizeof(uint64_t),
               "jint and jlong must be the kernels' 32- and 64-bit words");

static int length_is(JNIEnv *env, jarray a, jsize n)
{
    return a != NULL && (*env)->GetArrayLength(env, a) == n;
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointBackward_outputDelta0(
    JNIEnv *env, jclass cls, jint activation, jint loss, jintArray out, jintArray y, jint n_out,
    jintArray delta)
{
    jsize n;
    jint *o;
    jint *t;
    jint *d;
    uint32_t saturated = 0u;
    int r;

    (void)cls;
    if (out == NULL || n_out < 0) {
        return -2;
    }
    n = (*env)->GetArrayLength(env, out);
    if (!length_is(env, y, n) || !length_is(env, delta, n)) {
        return -2;
    }
    o = (*env)->GetIntArrayElements(env, out, NULL);
    t = (*env)->GetIntArrayElements(env, y, NULL);
    d = (*env)->GetIntArrayElements(env, delta, NULL);
    if (o == NULL || t == NULL || d == NULL) {
        r = -2;
    } else {
        r = s4j_fix_output_delta((uint32_t)activation, (uint32_t)loss, (const int32_t *)o,
                                 (const int32_t *)t, (uint32_t)n, (uint32_t)n_out, (int32_t *)d,
                                 &saturated);
    }
    if (d != NULL) {
        (*env)->ReleaseIntArrayElements(env, delta, d, r == 0 ? 0 : JNI_ABORT);
    }
    if (t != NULL) {
        (*env)->ReleaseIntArrayElements(env, y, t, JNI_ABORT);
    }
    if (o != NULL) {
        (*env)->ReleaseIntArrayElements(env, out, o, JNI_ABORT);
    }
    return r == 0 ? (jint)saturated : r;
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointBackward_errorAdd0(
    JNIEnv *env, jclass cls, jlongArray sums, jintArray w, jintArray delta)
{
    jsize rows;
    jsize cols;
    jlong *s;
    jint *ww;
    jint *d;
    int r = 0;

    (void)cls;
    if (sums == NULL || delta == NULL) {
        return -2;
    }
    rows = (*env)->GetArrayLength(env, sums);
    cols = (*env)->GetArrayLength(env, delta);
    if ((int64_t)rows * cols > INT32_MAX || !length_is(env, w, (jsize)((int64_t)rows * cols))) {
        return -2;
    }
    s = (*env)->GetLongArrayElements(env, sums, NULL);
    ww = (*env)->GetIntArrayElements(env, w, NULL);
    d = (*env)->GetIntArrayElements(env, delta, NULL);
    if (s == NULL || ww == NULL || d == NULL) {
        r = -2;
    } else {
        s4j_fix_error_add((uint64_t *)s, (const int32_t *)ww, (const int32_t *)d, (uint32_t)rows,
                          (uint32_t)cols);
    }
    if (d != NULL) {
        (*env)->ReleaseIntArrayElements(env, delta, d, JNI_ABORT);
    }
    if (ww != NULL) {
        (*env)->ReleaseIntArrayElements(env, w, ww, JNI_ABORT);
    }
    if (s != NULL) {
        (*env)->ReleaseLongArrayElements(env, sums, s, r == 0 ? 0 : JNI_ABORT);
    }
    return r;
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointBackward_roundSums0(
    JNIEnv *env, jclass cls, jlongArray sums, jintArray words)
{
    jsize n;
    jlong *s;
    jint *w;
    uint32_t saturated = 0u;
    int r = 0;

    (void)cls;
    if (sums == NULL) {
        return -2;
    }
    n = (*env)->GetArrayLength(env, sums);
    if (!length_is(env, words, n)) {
        return -2;
    }
    s = (*env)->GetLongArrayElements(env, sums, NULL);
    w = (*env)->GetIntArrayElements(env, words, NULL);
    if (s == NULL || w == NULL) {
        r = -2;
    } else {
        s4j_fix_round_sums((const uint64_t *)s, (int32_t *)w, (uint32_t)n, &saturated);
    }
    if (w != NULL) {
        (*env)->ReleaseIntArrayElements(env, words, w, r == 0 ? 0 : JNI_ABORT);
    }
    if (s != NULL) {
        (*env)->ReleaseLongArrayElements(env, sums, s, JNI_ABORT);
    }
    return r == 0 ? (jint)saturated : r;
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointBackward_hiddenDelta0(
    JNIEnv *env, jclass cls, jint activation, jintArray e, jintArray a, jintArray delta)
{
    jsize n;
    jint *ee;
    jint *aa;
    jint *d;
    int r;

    (void)cls;
    if (e == NULL) {
        return -2;
    }
    n = (*env)->GetArrayLength(env, e);
    if (!length_is(env, a, n) || !length_is(env, delta, n)) {
        return -2;
    }
    ee = (*env)->GetIntArrayElements(env, e, NULL);
    aa = (*env)->GetIntArrayElements(env, a, NULL);
    d = (*env)->GetIntArrayElements(env, delta, NULL);
    if (ee == NULL || aa == NULL || d == NULL) {
        r = -2;
    } else {
        r = s4j_fix_hidden_delta((uint32_t)activation, (const int32_t *)ee, (const int32_t *)aa,
                                 (uint32_t)n, (int32_t *)d);
    }
    if (d != NULL) {
        (*env)->ReleaseIntArrayElements(env, delta, d, r == 0 ? 0 : JNI_ABORT);
    }
    if (aa != NULL) {
        (*env)->ReleaseIntArrayElements(env, a, aa, JNI_ABORT);
    }
    if (ee != NULL) {
        (*env)->ReleaseIntArrayElements(env, e, ee, JNI_ABORT);
    }
    return r;
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointBackward_gradientAdd0(
    JNIEnv *env, jclass cls, jlongArray gw, jlongArray gb, jintArray x, jintArray delta)
{
    jsize rows;
    jsize cols;
    jlong *w;
    jlong *b = NULL;
    jint *xx;
    jint *d;
    int r = 0;

    (void)cls;
    if (x == NULL || delta == NULL) {
        return -2;
    }
    rows = (*env)->GetArrayLength(env, x);
    cols = (*env)->GetArrayLength(env, delta);
    if ((int64_t)rows * cols > INT32_MAX || !length_is(env, gw, (jsize)((int64_t)rows * cols))
        || (gb != NULL && !length_is(env, gb, cols))) {
        return -2;
    }
    w = (*env)->GetLongArrayElements(env, gw, NULL);
    if (gb != NULL) {
        b = (*env)->GetLongArrayElements(env, gb, NULL);
    }
    xx = (*env)->GetIntArrayElements(env, x, NULL);
    d = (*env)->GetIntArrayElements(env, delta, NULL);
    if (w == NULL || (gb != NULL && b == NULL) || xx == NULL || d == NULL) {
        r = -2;
    } else {
        s4j_fix_gradient_add((uint64_t *)w, (uint64_t *)b, (const int32_t *)xx, (const int32_t *)d,
                             (uint32_t)rows, (uint32_t)cols);
    }
    if (d != NULL) {
        (*env)->ReleaseIntArrayElements(env, delta, d, JNI_ABORT);
    }
    if (xx != NULL) {
        (*env)->ReleaseIntArrayElements(env, x, xx, JNI_ABORT);
    }
    if (b != NULL) {
        (*env)->ReleaseLongArrayElements(env, gb, b, r == 0 ? 0 : JNI_ABORT);
    }
    if (w != NULL) {
        (*env)->ReleaseLongArrayElements(env, gw, w, r == 0 ? 0 : JNI_ABORT);
    }
    return r;
}
