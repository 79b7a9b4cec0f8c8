/*
 * JNI bridge between org.spinnaker4j.kernels.FixedPointFunctions and the
 * fixed-point functions (s4j_fixfunc.h), host only: it evaluates a function
 * over Java int arrays, a chunk at a time, for tests and error reports.
 * FixedPointFunctions validates the arguments first; the checks here only
 * keep a bad call from reading or writing outside the arrays.
 */
#include <jni.h>
#include <stdint.h>

#include "org_spinnaker4j_kernels_FixedPointFunctions.h"
#include "s4j_fixfunc.h"

#define CHUNK 256

/* One function of two s16.15 operands and a parameter. */
typedef int32_t (*fix_fn)(uint32_t param, int32_t a, int32_t b);

static int32_t activate_fn(uint32_t act, int32_t alpha_q, int32_t x)
{
    return s4j_fix_activate(act, alpha_q, x);
}

static int32_t exp_fn(uint32_t unused, int32_t unused_a, int32_t x)
{
    (void)unused;
    (void)unused_a;
    return s4j_fix_exp(x);
}

static int32_t div_fn(uint32_t unused, int32_t num, int32_t den)
{
    (void)unused;
    return s4j_fix_div(num, den);
}

/* out[i] = fn(param, firsts ? firsts[i] : first, xs[i]); 0, or -1 if an array
 * is missing or the lengths differ (nothing written). */
static jint map(JNIEnv *env, fix_fn fn, uint32_t param, jint first, jintArray firsts,
                jintArray xs, jintArray out)
{
    jint a[CHUNK];
    jint x[CHUNK];
    jsize n;
    jsize at;

    if (xs == NULL || out == NULL) {
        return -1;
    }
    n = (*env)->GetArrayLength(env, xs);
    if ((*env)->GetArrayLength(env, out) != n
        || (firsts != NULL && (*env)->GetArrayLength(env, firsts) != n)) {
        return -1;
    }
    for (at = 0; at < n; at += CHUNK) {
        jsize m = n - at < CHUNK ? n - at : CHUNK;
        jsize i;

        (*env)->GetIntArrayRegion(env, xs, at, m, x);
        if (firsts != NULL) {
            (*env)->GetIntArrayRegion(env, firsts, at, m, a);
        }
        for (i = 0; i < m; i++) {
            x[i] = fn(param, firsts != NULL ? a[i] : first, x[i]);
        }
        (*env)->SetIntArrayRegion(env, out, at, m, x);
    }
    return 0;
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointFunctions_supports0(
    JNIEnv *env, jclass cls, jint act)
{
    (void)env;
    (void)cls;
    return act >= 0 && s4j_fix_supports((uint32_t)act) ? 1 : 0;
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointFunctions_activate0(
    JNIEnv *env, jclass cls, jint act, jint alpha_q, jintArray xs, jintArray out)
{
    (void)cls;
    if (act < 0 || !s4j_fix_supports((uint32_t)act)) {
        return -1;
    }
    return map(env, activate_fn, (uint32_t)act, alpha_q, NULL, xs, out);
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointFunctions_exp0(
    JNIEnv *env, jclass cls, jintArray xs, jintArray out)
{
    (void)cls;
    return map(env, exp_fn, 0u, 0, NULL, xs, out);
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointFunctions_div0(
    JNIEnv *env, jclass cls, jintArray nums, jintArray dens, jintArray out)
{
    (void)cls;
    if (nums == NULL) {
        return -1;
    }
    return map(env, div_fn, 0u, 0, nums, dens, out);
}
