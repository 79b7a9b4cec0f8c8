/*
 * JNI bridge between org.spinnaker4j.kernels.KernelCore and the portable
 * kernels (s4j_kernels.h). Host only: no kernel logic lives here, only
 * argument checks and copies between Java arrays and the DTCM buffer. The
 * numbers both sides use are checked in s4j_contract.c.
 */
#include <jni.h>
#include <stdint.h>
#include <string.h>

#include "org_spinnaker4j_kernels_KernelCore.h"
#include "s4j_fixupdate_jni.h"
#include "s4j_kernels.h"

/* Sends are gathered on the stack and copied to the outbox in chunks, so an
 * event that sends nothing never touches the Java array. */
#define S4J_JNI_CHUNK 64u

typedef struct jni_outbox {
    JNIEnv *env;
    jintArray array;
    jsize flushed;              /* ints already copied into the array */
    uint32_t pending;           /* sends waiting in pairs */
    jint pairs[2u * S4J_JNI_CHUNK];
} jni_outbox;

/* uint32_t -> jint without implementation-defined conversion. */
static jint to_jint(uint32_t u)
{
    if (u <= (uint32_t)INT32_MAX) {
        return (jint)u;
    }
    return (jint)(int32_t)(u - 0x80000000u) - INT32_MAX - 1;
}

static void jni_flush(jni_outbox *o)
{
    if (o->pending != 0u) {
        jsize n = (jsize)(2u * o->pending);
        (*o->env)->SetIntArrayRegion(o->env, o->array, o->flushed, n, o->pairs);
        o->flushed += n;
        o->pending = 0u;
    }
}

static int32_t jni_send(void *ctx, uint32_t key, uint32_t payload)
{
    jni_outbox *o = (jni_outbox *)ctx;

    if (o->pending == S4J_JNI_CHUNK) {
        jni_flush(o);
    }
    o->pairs[2u * o->pending] = to_jint(key);
    o->pairs[2u * o->pending + 1u] = to_jint(payload);
    o->pending++;
    return S4J_OK;
}

/* Address and capacity of the DTCM buffer; NULL if it is not usable. */
static void *dtcm_of(JNIEnv *env, jobject buffer, uint32_t *capacity)
{
    void *addr;
    jlong cap;

    if (buffer == NULL) {
        return NULL;
    }
    addr = (*env)->GetDirectBufferAddress(env, buffer);
    cap = (*env)->GetDirectBufferCapacity(env, buffer);
    if (addr == NULL || cap < 0) {
        return NULL;
    }
    *capacity = cap > (jlong)UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    return addr;
}

/* The most sends one event may make: they fit 24 bits of its result
 * (event_result). */
#define S4J_EVENT_MAX_SENDS 0xFFFFFFu

/* Starts an outbox over a Java int[] of pairs of len ints (Java passes the
 * array's length, which SetIntArrayRegion checks again on every copy);
 * capacity = len / 2 sends. */
static int32_t outbox_init(JNIEnv *env, jintArray array, jint len,
                           jni_outbox *o, s4j_outbox *out)
{
    if (array == NULL || len < 0) {
        return S4J_ERR_OUTBOX_TOO_SMALL;
    }
    o->env = env;
    o->array = array;
    o->flushed = 0;
    o->pending = 0u;
    out->send = jni_send;
    out->ctx = o;
    out->capacity = (uint32_t)len / 2u > S4J_EVENT_MAX_SENDS ? S4J_EVENT_MAX_SENDS : (uint32_t)len / 2u;
    out->count = 0u;
    out->work = 0u;
    out->rows = 0u;
    return S4J_OK;
}

/* The DTCM at an address KernelCore took once with address0; NULL if the
 * address or the capacity is not usable. The kernels bounds-check every
 * access against the capacity. */
static void *dtcm_at(jlong address, jint capacity, uint32_t *cap)
{
    if (address == 0 || capacity <= 0) {
        return NULL;
    }
    *cap = (uint32_t)capacity;
    return (void *)(intptr_t)address;
}

/* An event's result for Java: rows << 40 | work << 24 | sends, or r if it
 * failed (KernelCore unpacks it). Sends fit 24 bits (the outbox's capacity is
 * capped there), work bits 16 and a block's rows 23 (a state is at most
 * 64 KiB), so a result is never negative. */
_Static_assert(S4J_WORK_COLUMN < 0x8000u, "work bits must fit 16 bits of an event result");
_Static_assert(S4J_DTCM_BYTES / 4u < 0x7FFFFFu, "a block's rows must fit 23 bits of an event result");
static jlong event_result(int32_t r, const s4j_outbox *out)
{
    if (r < 0) {
        return (jlong)r;
    }
    return (jlong)(((uint64_t)(out->rows & 0x7FFFFFu) << 40) | ((uint64_t)(out->work & 0xFFFFu) << 24)
                   | ((uint32_t)r & S4J_EVENT_MAX_SENDS));
}

/* A kernel event on the DTCM at an address KernelCore took once with
 * address0, its sends gathered into a Java outbox. */
typedef struct jni_event {
    void *dtcm;
    uint32_t capacity;
    jni_outbox o;
    s4j_outbox out;
} jni_event;

/* Starts an event: S4J_OK, or S4J_ERR_BAD_BUFFER if the address or the
 * capacity is not usable, else the caller's own argument check (arg: S4J_OK
 * or its error), else an outbox error. */
static int32_t event_open(jni_event *ev, JNIEnv *env, jlong address, jint capacity,
                          int32_t arg, jintArray outbox, jint outbox_len)
{
    ev->dtcm = dtcm_at(address, capacity, &ev->capacity);
    if (ev->dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    if (arg != S4J_OK) {
        return arg;
    }
    return outbox_init(env, outbox, outbox_len, &ev->o, &ev->out);
}

/* Ends an event whose kernel call returned r: its sends copied to Java, its
 * result packed (event_result). */
static jlong event_close(jni_event *ev, int32_t r)
{
    jni_flush(&ev->o);
    return event_result(r, &ev->out);
}

/* Reads a packed config; the caller releases *elems with JNI_ABORT. */
static int32_t config_of(JNIEnv *env, jintArray words, jint **elems,
                         s4j_config *cfg)
{
    jsize len;
    int32_t r;

    *elems = NULL;
    if (words == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    len = (*env)->GetArrayLength(env, words);
    if (len < (jsize)S4J_CONFIG_WORDS) {
        return S4J_ERR_BAD_LENGTH;
    }
    *elems = (*env)->GetIntArrayElements(env, words, NULL);
    if (*elems == NULL) {
        return S4J_ERR_JNI;
    }
    r = s4j_parse_config((const uint32_t *)(const void *)*elems, (uint32_t)len, cfg);
    return r;
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_stateBytes0(JNIEnv *env, jclass cls,
                                                    jintArray config)
{
    s4j_config cfg;
    jint *elems;
    int32_t r;
    jlong bytes;

    (void)cls;
    r = config_of(env, config, &elems, &cfg);
    bytes = r < 0 ? (jlong)r : (jlong)s4j_state_bytes(&cfg);
    if (elems != NULL) {
        (*env)->ReleaseIntArrayElements(env, config, elems, JNI_ABORT);
    }
    return bytes;
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_load0(JNIEnv *env, jclass cls,
                                              jobject buffer, jintArray config,
                                              jfloatArray weights,
                                              jfloatArray bias)
{
    s4j_config cfg;
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    jint *elems = NULL;
    jfloat *w = NULL;
    jfloat *b = NULL;
    jsize n_w = 0;
    jsize n_b = 0;
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    r = config_of(env, config, &elems, &cfg);
    if (r == S4J_OK && weights != NULL) {
        n_w = (*env)->GetArrayLength(env, weights);
        w = (*env)->GetFloatArrayElements(env, weights, NULL);
        if (w == NULL) {
            r = S4J_ERR_JNI;
        }
    }
    if (r == S4J_OK && bias != NULL) {
        n_b = (*env)->GetArrayLength(env, bias);
        b = (*env)->GetFloatArrayElements(env, bias, NULL);
        if (b == NULL) {
            r = S4J_ERR_JNI;
        }
    }
    if (r == S4J_OK) {
        r = s4j_load(dtcm, capacity, &cfg, w, (uint32_t)n_w, b, (uint32_t)n_b);
    }
    if (b != NULL) {
        (*env)->ReleaseFloatArrayElements(env, bias, b, JNI_ABORT);
    }
    if (w != NULL) {
        (*env)->ReleaseFloatArrayElements(env, weights, w, JNI_ABORT);
    }
    if (elems != NULL) {
        (*env)->ReleaseIntArrayElements(env, config, elems, JNI_ABORT);
    }
    return r;
}

/* A count the state in buffer answers (s4j_max_sends, s4j_received), or
 * S4J_ERR_BAD_BUFFER if the buffer is not usable. */
static jint count_of(JNIEnv *env, jobject buffer,
                     int32_t (*count)(const void *dtcm, uint32_t capacity))
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);

    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    return count(dtcm, capacity);
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_maxSends0(JNIEnv *env, jclass cls,
                                                  jobject buffer)
{
    (void)cls;
    return count_of(env, buffer, s4j_max_sends);
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_address0(JNIEnv *env, jclass cls,
                                                 jobject buffer)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);

    (void)cls;
    return (jlong)(intptr_t)dtcm;
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_onPacket0(JNIEnv *env, jclass cls,
                                                  jlong address,
                                                  jint capacity, jint key,
                                                  jint payload,
                                                  jintArray outbox,
                                                  jint outbox_len)
{
    jni_event ev;
    int32_t r = event_open(&ev, env, address, capacity, S4J_OK, outbox, outbox_len);

    (void)cls;
    if (r != S4J_OK) {
        return r;
    }
    return event_close(&ev, s4j_on_packet(ev.dtcm, ev.capacity, (uint32_t)key,
                                          (uint32_t)payload, &ev.out));
}

/* The rows [first, first + n) of a dense block at once (s4j_on_rows), n the
 * length of words, checked here before C reads a word: a missing array is
 * S4J_ERR_BAD_LENGTH, a negative first S4J_ERR_ROW_RANGE, and a first or n
 * beyond the block's rows S4J_ERR_ROW_RANGE from s4j_on_rows before it
 * reads words (an empty array: S4J_ERR_BAD_ARGUMENT). */
JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_onRows0(JNIEnv *env, jclass cls, jlong address, jint capacity,
                                                jint first, jintArray words, jintArray outbox,
                                                jint outbox_len)
{
    jni_event ev;
    jint *elems = NULL;
    jsize n = words != NULL ? (*env)->GetArrayLength(env, words) : 0;
    int32_t r = event_open(&ev, env, address, capacity,
                           words == NULL ? S4J_ERR_BAD_LENGTH : first < 0 ? S4J_ERR_ROW_RANGE : S4J_OK,
                           outbox, outbox_len);

    (void)cls;
    if (r != S4J_OK) {
        return r;
    }
    if (n > 0) {
        elems = (*env)->GetIntArrayElements(env, words, NULL);
        if (elems == NULL) {
            return S4J_ERR_JNI;
        }
    }
    r = s4j_on_rows(ev.dtcm, ev.capacity, (uint32_t)first, (uint32_t)n, (const uint32_t *)(const void *)elems,
                    &ev.out);
    if (elems != NULL) {
        (*env)->ReleaseIntArrayElements(env, words, elems, JNI_ABORT);
    }
    return event_close(&ev, r);
}

/* A reduce's keys [key, key + n) at once (s4j_on_partials), n the length of
 * payloads, checked here before C reads a payload: a missing array is
 * S4J_ERR_BAD_LENGTH, and keys beyond the range of key S4J_ERR_KEY_RANGE
 * from s4j_on_partials before it reads payloads (an empty array:
 * S4J_ERR_BAD_ARGUMENT). */
JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_onPartials0(JNIEnv *env, jclass cls, jlong address, jint capacity,
                                                    jint key, jintArray payloads, jintArray outbox,
                                                    jint outbox_len)
{
    jni_event ev;
    jint *elems = NULL;
    jsize n = payloads != NULL ? (*env)->GetArrayLength(env, payloads) : 0;
    int32_t r = event_open(&ev, env, address, capacity, payloads == NULL ? S4J_ERR_BAD_LENGTH : S4J_OK,
                           outbox, outbox_len);

    (void)cls;
    if (r != S4J_OK) {
        return r;
    }
    if (n > 0) {
        elems = (*env)->GetIntArrayElements(env, payloads, NULL);
        if (elems == NULL) {
            return S4J_ERR_JNI;
        }
    }
    r = s4j_on_partials(ev.dtcm, ev.capacity, (uint32_t)key, (uint32_t)n,
                        (const uint32_t *)(const void *)elems, &ev.out);
    if (elems != NULL) {
        (*env)->ReleaseIntArrayElements(env, payloads, elems, JNI_ABORT);
    }
    return event_close(&ev, r);
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_loadInput0(JNIEnv *env, jclass cls,
                                                   jobject buffer,
                                                   jfloatArray values)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    jfloat *v;
    jsize n;
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    if (values == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    n = (*env)->GetArrayLength(env, values);
    v = (*env)->GetFloatArrayElements(env, values, NULL);
    if (v == NULL) {
        return S4J_ERR_JNI;
    }
    r = s4j_source_load(dtcm, capacity, v, (uint32_t)n);
    (*env)->ReleaseFloatArrayElements(env, values, v, JNI_ABORT);
    return r;
}

/* A kernel event with no argument of its own (kernel: s4j_start,
 * s4j_share_start or s4j_param_send) on the DTCM at address. */
static jlong run_event(JNIEnv *env, jlong address, jint capacity, jintArray outbox, jint outbox_len,
                       int32_t (*kernel)(void *dtcm, uint32_t capacity, s4j_outbox *out))
{
    jni_event ev;
    int32_t r = event_open(&ev, env, address, capacity, S4J_OK, outbox, outbox_len);

    if (r != S4J_OK) {
        return r;
    }
    return event_close(&ev, kernel(ev.dtcm, ev.capacity, &ev.out));
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_start0(JNIEnv *env, jclass cls,
                                               jlong address, jint capacity,
                                               jintArray outbox, jint outbox_len)
{
    (void)cls;
    return run_event(env, address, capacity, outbox, outbox_len, s4j_start);
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_shareStart0(JNIEnv *env, jclass cls,
        jlong address, jint capacity, jintArray outbox, jint outbox_len)
{
    (void)cls;
    return run_event(env, address, capacity, outbox, outbox_len, s4j_share_start);
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_paramSend0(JNIEnv *env, jclass cls,
        jlong address, jint capacity, jintArray outbox, jint outbox_len)
{
    (void)cls;
    return run_event(env, address, capacity, outbox, outbox_len, s4j_param_send);
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_normStart0(JNIEnv *env, jclass cls,
                                                   jlong address, jint capacity,
                                                   jint batch_size,
                                                   jintArray outbox, jint outbox_len)
{
    jni_event ev;
    int32_t r = event_open(&ev, env, address, capacity,
                           batch_size <= 0 ? S4J_ERR_BAD_ARGUMENT : S4J_OK, outbox, outbox_len);

    (void)cls;
    if (r != S4J_OK) {
        return r;
    }
    return event_close(&ev, s4j_norm_start(ev.dtcm, ev.capacity, (uint32_t)batch_size, &ev.out));
}

/* A batch normalization's mini-batch event (kernel: s4j_batch_norm_forward
 * or _backward) of batch samples; batch <= 0 is passed as 0, which the
 * kernel refuses (S4J_ERR_BATCH_SIZE). */
static jlong run_batch_event(JNIEnv *env, jlong address, jint capacity, jint batch,
                             jintArray outbox, jint outbox_len,
                             int32_t (*kernel)(void *dtcm, uint32_t capacity, uint32_t batch,
                                               s4j_outbox *out))
{
    jni_event ev;
    int32_t r = event_open(&ev, env, address, capacity, S4J_OK, outbox, outbox_len);

    if (r != S4J_OK) {
        return r;
    }
    return event_close(&ev, kernel(ev.dtcm, ev.capacity, batch > 0 ? (uint32_t)batch : 0u, &ev.out));
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_batchNormForward0(JNIEnv *env, jclass cls,
        jlong address, jint capacity, jint batch, jintArray outbox, jint outbox_len)
{
    (void)cls;
    return run_batch_event(env, address, capacity, batch, outbox, outbox_len, s4j_batch_norm_forward);
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_batchNormBackward0(JNIEnv *env, jclass cls,
        jlong address, jint capacity, jint batch, jintArray outbox, jint outbox_len)
{
    (void)cls;
    return run_batch_event(env, address, capacity, batch, outbox, outbox_len, s4j_batch_norm_backward);
}

JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_batchNormExchange0(JNIEnv *env, jclass cls,
        jlong address, jint capacity, jint batch, jint round, jintArray outbox, jint outbox_len)
{
    jni_event ev;
    int32_t r;

    (void)cls;
    r = event_open(&ev, env, address, capacity, S4J_OK, outbox, outbox_len);
    if (r != S4J_OK) {
        return r;
    }
    /* a negative batch or round is passed as 0 or S4J_BN_ROUNDS, which the
     * kernel refuses */
    return event_close(&ev, s4j_batch_norm_exchange(ev.dtcm, ev.capacity,
                                                    batch > 0 ? (uint32_t)batch : 0u,
                                                    round >= 0 ? (uint32_t)round : S4J_BN_ROUNDS,
                                                    &ev.out));
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_received0(JNIEnv *env, jclass cls,
                                                  jobject buffer)
{
    (void)cls;
    return count_of(env, buffer, s4j_received);
}

/* After a read that returned r and pointed values at n floats: copies them
 * into dest (whose length the read already checked) and returns n, or r if
 * the read failed. */
static jint copy_out(JNIEnv *env, jfloatArray dest, int32_t r,
                     const float *values, uint32_t n)
{
    if (r < 0) {
        return r;
    }
    (*env)->SetFloatArrayRegion(env, dest, 0, (jsize)n, values);
    return (jint)n;
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_readOutput0(JNIEnv *env, jclass cls,
                                                    jobject buffer,
                                                    jfloatArray dest)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    const float *values = NULL;
    uint32_t n = 0u;
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    if (dest == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    r = s4j_sink_take(dtcm, capacity, (uint32_t)(*env)->GetArrayLength(env, dest),
                      &values, &n);
    return copy_out(env, dest, r, values, n);
}

/* Copies a Java int[] or float[] (floats: as_floats != 0) of exactly n words
 * into dest: S4J_ERR_BAD_LENGTH if the array is missing or of another
 * length, S4J_ERR_JNI if the copy raised. */
static int32_t copy_words(JNIEnv *env, jarray src, int as_floats, void *dest, uint32_t n)
{
    if (src == NULL || (*env)->GetArrayLength(env, src) != (jsize)n) {
        return S4J_ERR_BAD_LENGTH;
    }
    if (as_floats) {
        (*env)->GetFloatArrayRegion(env, (jfloatArray)src, 0, (jsize)n, (jfloat *)dest);
    } else {
        (*env)->GetIntArrayRegion(env, (jintArray)src, 0, (jsize)n, (jint *)dest);
    }
    return (*env)->ExceptionCheck(env) ? S4J_ERR_JNI : S4J_OK;
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_applyUpdate0(JNIEnv *env, jclass cls,
                                                     jobject buffer,
                                                     jint batch_size,
                                                     jint iteration,
                                                     jfloatArray rates)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    float values[S4J_UPDATE_WORDS];
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    if (batch_size <= 0 || iteration < 0) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    r = copy_words(env, rates, 1, values, S4J_UPDATE_WORDS);
    if (r != S4J_OK) {
        return r;
    }
    return s4j_apply_update(dtcm, capacity, (uint32_t)batch_size, (uint32_t)iteration,
                            values, S4J_UPDATE_WORDS);
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_applyFixUpdate0(JNIEnv *env, jclass cls, jobject buffer,
                                                        jintArray consts, jint row_stride,
                                                        jint bias_first, jintArray counts)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    s4j_fix_update_consts c;
    s4j_fix_update_counts total = { 0u, 0u, 0u, 0u };
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    if (s4j_jni_fix_consts(env, consts, &c) != 0 || counts == NULL
        || (*env)->GetArrayLength(env, counts) != (jsize)(sizeof total / sizeof(uint32_t))) {
        return S4J_ERR_BAD_LENGTH;
    }
    r = s4j_apply_fix_update(dtcm, capacity, &c, (uint32_t)row_stride, (uint32_t)bias_first, &total);
    if (r == S4J_OK) {
        s4j_jni_fix_counts(env, counts, &total);
    }
    return r;
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_setDropout0(JNIEnv *env, jclass cls,
                                                    jobject buffer, jintArray words)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    uint32_t packed[S4J_DROP_WORDS]; /* jint's unsigned counterpart: read as jint, the same bits */
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    r = copy_words(env, words, 0, packed, S4J_DROP_WORDS);
    if (r != S4J_OK) {
        return r;
    }
    return s4j_dropout_set(dtcm, capacity, packed, S4J_DROP_WORDS);
}

/* The arguments readParams0 and writeParams0 share: S4J_ERR_BAD_LENGTH
 * without an array, S4J_ERR_BAD_ARGUMENT for a negative which or slot. */
static int32_t params_args(jarray values, jint which, jint slot)
{
    if (values == NULL) {
        return S4J_ERR_BAD_LENGTH;
    }
    return which < 0 || slot < 0 ? S4J_ERR_BAD_ARGUMENT : S4J_OK;
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_readParams0(JNIEnv *env, jclass cls,
                                                    jobject buffer, jint which,
                                                    jint slot, jfloatArray dest)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    jfloat *values;
    jsize n;
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    r = params_args(dest, which, slot);
    if (r != S4J_OK) {
        return r;
    }
    n = (*env)->GetArrayLength(env, dest);
    values = (*env)->GetFloatArrayElements(env, dest, NULL);
    if (values == NULL) {
        return S4J_ERR_JNI;
    }
    r = s4j_params(dtcm, capacity, (uint32_t)which, (uint32_t)slot, values, (uint32_t)n);
    (*env)->ReleaseFloatArrayElements(env, dest, values, r == S4J_OK ? 0 : JNI_ABORT);
    return r == S4J_OK ? (jint)n : r;
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_writeParams0(JNIEnv *env, jclass cls,
                                                     jobject buffer, jint which,
                                                     jint slot, jfloatArray src)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    jfloat *values;
    jsize n;
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    r = params_args(src, which, slot);
    if (r != S4J_OK) {
        return r;
    }
    n = (*env)->GetArrayLength(env, src);
    values = (*env)->GetFloatArrayElements(env, src, NULL);
    if (values == NULL) {
        return S4J_ERR_JNI;
    }
    r = s4j_set_params(dtcm, capacity, (uint32_t)which, (uint32_t)slot,
                       values, (uint32_t)n);
    (*env)->ReleaseFloatArrayElements(env, src, values, JNI_ABORT);
    return r;
}

/* A counter of the state (which: 0 packets discarded on IGNORE ranges,
 * s4j_discarded; 1 roundings saturated, s4j_saturated), or a negative error. */
JNIEXPORT jlong JNICALL
Java_org_spinnaker4j_kernels_KernelCore_counter0(JNIEnv *env, jclass cls,
                                                 jobject buffer, jint which)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    uint32_t count = 0u;
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    if (which != 0 && which != 1) {
        return S4J_ERR_BAD_ARGUMENT;
    }
    r = which == 0 ? s4j_discarded(dtcm, capacity, &count) : s4j_saturated(dtcm, capacity, &count);
    return r < 0 ? (jlong)r : (jlong)count;
}

JNIEXPORT jint JNICALL
Java_org_spinnaker4j_kernels_KernelCore_lastLoss0(JNIEnv *env, jclass cls,
                                                  jobject buffer,
                                                  jfloatArray dest)
{
    uint32_t capacity = 0u;
    void *dtcm = dtcm_of(env, buffer, &capacity);
    float loss = 0.0f;
    int32_t r;

    (void)cls;
    if (dtcm == NULL) {
        return S4J_ERR_BAD_BUFFER;
    }
    if (dest == NULL || (*env)->GetArrayLength(env, dest) < 1) {
        return S4J_ERR_BAD_LENGTH;
    }
    r = s4j_last_loss(dtcm, capacity, &loss);
    if (r < 0) {
        return r;
    }
    (*env)->SetFloatArrayRegion(env, dest, 0, 1, &loss);
    return S4J_OK;
}

JNIEXPORT jboolean JNICALL
Java_org_spinnaker4j_kernels_KernelCore_checked0(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return s4j_checked() != 0 ? JNI_TRUE : JNI_FALSE;
}
