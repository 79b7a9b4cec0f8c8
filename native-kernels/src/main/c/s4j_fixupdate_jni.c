/*
 * JNI bridge between org.spinnaker4j.kernels.FixedPointUpdate and the s16.15
 * training update (s4j_fixupdate.h), host only, for tests: it runs Sgd or
 * Adam over Java arrays a chunk at a time. FixedPointUpdate validates the
 * arguments first; the checks here only keep a bad call from reading or
 * writing outside the arrays (-2: an array missing or of the wrong length)
 * and pass on the kernel's refusal of a constant (-1).
 */
#include <jni.h>
#include <stdint.h>

#include "org_spinnaker4j_kernels_FixedPointUpdate.h"
#include "s4j_fixupdate.h"
#include "s4j_fixupdate_jni.h"

#define CHUNK 256
#define N_CONSTS org_spinnaker4j_kernels_FixedPointUpdate_CONSTANT_WORDS
#define N_COUNTS org_spinnaker4j_kernels_FixedPointUpdate_COUNT_WORDS
/* a field's index in the constants' or the counts' words (FixedPointUpdate.AT_*) */
#define FIELD_AT(field) org_spinnaker4j_kernels_FixedPointUpdate_AT_##field
#define BIT_AT(field) (1u << FIELD_AT(field))

_Static_assert((BIT_AT(MODE) | BIT_AT(SEED) | BIT_AT(LAYER) | BIT_AT(ITERATION) | BIT_AT(FIRST_INDEX)
                | BIT_AT(RATE_MANTISSA) | BIT_AT(RATE_SHIFT) | BIT_AT(MEAN_MANTISSA) | BIT_AT(MEAN_SHIFT)
                | BIT_AT(BETA1) | BIT_AT(BETA2) | BIT_AT(EPSILON)) == (1u << N_CONSTS) - 1u,
               "FixedPointUpdate.AT_* must place each constant at its own word");
_Static_assert((BIT_AT(NONZERO) | BIT_AT(ZERO_STEPS) | BIT_AT(SATURATED) | BIT_AT(CLIPPED))
               == (1u << N_COUNTS) - 1u, "FixedPointUpdate.AT_* must place each count at its own word");

_Static_assert(org_spinnaker4j_kernels_FixedPointUpdate_NEAREST == S4J_FIXUPD_NEAREST,
               "FixedPointUpdate.NEAREST differs from S4J_FIXUPD_NEAREST");
_Static_assert(org_spinnaker4j_kernels_FixedPointUpdate_STOCHASTIC == S4J_FIXUPD_STOCHASTIC,
               "FixedPointUpdate.STOCHASTIC differs from S4J_FIXUPD_STOCHASTIC");
_Static_assert(sizeof(s4j_fix_update_consts) == N_CONSTS * sizeof(uint32_t),
               "FixedPointUpdate.CONSTANT_WORDS differs from s4j_fix_update_consts");
_Static_assert(sizeof(s4j_fix_update_counts) == N_COUNTS * sizeof(uint32_t),
               "FixedPointUpdate.COUNT_WORDS differs from s4j_fix_update_counts");

/* The constants from their int[N_CONSTS], each at its FixedPointUpdate.AT_ index
 * (s4j_fixupdate_jni.h: KernelCore's update event reads them too). */
int s4j_jni_fix_consts(JNIEnv *env, jintArray in, s4j_fix_update_consts *c)
{
    jint k[N_CONSTS];

    if (in == NULL || (*env)->GetArrayLength(env, in) != N_CONSTS) {
        return -2;
    }
    (*env)->GetIntArrayRegion(env, in, 0, N_CONSTS, k);
    c->mode = (uint32_t)k[FIELD_AT(MODE)];
    c->seed = (uint32_t)k[FIELD_AT(SEED)];
    c->layer = (uint32_t)k[FIELD_AT(LAYER)];
    c->iteration = (uint32_t)k[FIELD_AT(ITERATION)];
    c->first_index = (uint32_t)k[FIELD_AT(FIRST_INDEX)];
    c->rate_mantissa = (uint32_t)k[FIELD_AT(RATE_MANTISSA)];
    c->rate_shift = (uint32_t)k[FIELD_AT(RATE_SHIFT)];
    c->mean_mantissa = (uint32_t)k[FIELD_AT(MEAN_MANTISSA)];
    c->mean_shift = (uint32_t)k[FIELD_AT(MEAN_SHIFT)];
    c->beta1 = (uint32_t)k[FIELD_AT(BETA1)];
    c->beta2 = (uint32_t)k[FIELD_AT(BETA2)];
    c->epsilon = (uint32_t)k[FIELD_AT(EPSILON)];
    return 0;
}

static int length_is(JNIEnv *env, jarray a, jsize n)
{
    return a != NULL && (*env)->GetArrayLength(env, a) == n;
}

void s4j_jni_fix_counts(JNIEnv *env, jintArray out, const s4j_fix_update_counts *counts)
{
    jint k[N_COUNTS];

    k[FIELD_AT(NONZERO)] = (jint)counts->nonzero;
    k[FIELD_AT(ZERO_STEPS)] = (jint)counts->zero_steps;
    k[FIELD_AT(SATURATED)] = (jint)counts->saturated;
    k[FIELD_AT(CLIPPED)] = (jint)counts->clipped;
    (*env)->SetIntArrayRegion(env, out, 0, N_COUNTS, k);
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointUpdate_sgd0(
    JNIEnv *env, jclass cls, jintArray consts, jintArray words, jlongArray grads, jintArray counts)
{
    s4j_fix_update_consts c;
    s4j_fix_update_counts total = {0u, 0u, 0u, 0u};
    uint32_t first;
    jint w[CHUNK];
    jlong g[CHUNK];
    int64_t g64[CHUNK];
    jsize n;
    jsize at;

    (void)cls;
    if (s4j_jni_fix_consts(env, consts, &c) != 0 || words == NULL || !length_is(env, counts, N_COUNTS)) {
        return -2;
    }
    n = (*env)->GetArrayLength(env, words);
    if (!length_is(env, grads, n)) {
        return -2;
    }
    first = c.first_index;
    for (at = 0; at < n; at += CHUNK) {
        jsize m = n - at < CHUNK ? n - at : CHUNK;
        int32_t w32[CHUNK];
        jsize i;

        (*env)->GetIntArrayRegion(env, words, at, m, w);
        (*env)->GetLongArrayRegion(env, grads, at, m, g);
        for (i = 0; i < m; i++) {
            w32[i] = w[i];
            g64[i] = g[i];
        }
        c.first_index = first + (uint32_t)at;
        if (s4j_fix_sgd_step(&c, w32, g64, (uint32_t)m, &total) != 0) {
            return -1;
        }
        for (i = 0; i < m; i++) {
            w[i] = w32[i];
        }
        (*env)->SetIntArrayRegion(env, words, at, m, w);
    }
    s4j_jni_fix_counts(env, counts, &total);
    return 0;
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointUpdate_adam0(
    JNIEnv *env, jclass cls, jintArray consts, jintArray words, jintArray ms, jlongArray vs, jlongArray grads,
    jintArray counts)
{
    s4j_fix_update_consts c;
    s4j_fix_update_counts total = {0u, 0u, 0u, 0u};
    uint32_t first;
    jint w[CHUNK];
    jint mm[CHUNK];
    jlong v[CHUNK];
    jlong g[CHUNK];
    int32_t w32[CHUNK];
    int32_t m32[CHUNK];
    uint32_t v32[2 * CHUNK];
    int64_t g64[CHUNK];
    jsize n;
    jsize at;

    (void)cls;
    if (s4j_jni_fix_consts(env, consts, &c) != 0 || words == NULL || !length_is(env, counts, N_COUNTS)) {
        return -2;
    }
    n = (*env)->GetArrayLength(env, words);
    if (!length_is(env, ms, n) || !length_is(env, vs, n) || !length_is(env, grads, n)) {
        return -2;
    }
    first = c.first_index;
    for (at = 0; at < n; at += CHUNK) {
        jsize k = n - at < CHUNK ? n - at : CHUNK;
        jsize i;

        (*env)->GetIntArrayRegion(env, words, at, k, w);
        (*env)->GetIntArrayRegion(env, ms, at, k, mm);
        (*env)->GetLongArrayRegion(env, vs, at, k, v);
        (*env)->GetLongArrayRegion(env, grads, at, k, g);
        for (i = 0; i < k; i++) {
            w32[i] = w[i];
            m32[i] = mm[i];
            v32[2 * i] = (uint32_t)(uint64_t)v[i];
            v32[2 * i + 1] = (uint32_t)((uint64_t)v[i] >> 32);
            g64[i] = g[i];
        }
        c.first_index = first + (uint32_t)at;
        if (s4j_fix_adam_step(&c, w32, m32, v32, g64, (uint32_t)k, &total) != 0) {
            return -1;
        }
        for (i = 0; i < k; i++) {
            w[i] = w32[i];
            mm[i] = m32[i];
            v[i] = (jlong)(((uint64_t)v32[2 * i + 1] << 32) | v32[2 * i]);
        }
        (*env)->SetIntArrayRegion(env, words, at, k, w);
        (*env)->SetIntArrayRegion(env, ms, at, k, mm);
        (*env)->SetLongArrayRegion(env, vs, at, k, v);
    }
    s4j_jni_fix_counts(env, counts, &total);
    return 0;
}

JNIEXPORT jint JNICALL Java_org_spinnaker4j_kernels_FixedPointUpdate_random0(
    JNIEnv *env, jclass cls, jint seed, jint layer, jint index, jint iteration)
{
    (void)env;
    (void)cls;
    return (jint)s4j_fix_update_random((uint32_t)seed, (uint32_t)layer, (uint32_t)index, (uint32_t)iteration);
}

JNIEXPORT jlong JNICALL Java_org_spinnaker4j_kernels_FixedPointUpdate_isqrt0(JNIEnv *env, jclass cls, jlong v)
{
    (void)env;
    (void)cls;
    return (jlong)s4j_fix_update_isqrt((uint64_t)v);
}
