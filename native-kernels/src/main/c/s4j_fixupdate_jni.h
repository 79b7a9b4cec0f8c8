/*
 * The s16.15 update's constants and counts between Java int[]s (each field at
 * its FixedPointUpdate.AT_ index) and their C structs: FixedPointUpdate's
 * JNI and KernelCore's update event (s4j_jni.c) share them. Host only.
 */
#ifndef S4J_FIXUPDATE_JNI_H
#define S4J_FIXUPDATE_JNI_H

#include <jni.h>

#include "s4j_fixupdate.h"

/* The constants from an int[FixedPointUpdate.CONSTANT_WORDS]: 0, or -2 if the
 * array is missing or of another length (nothing read). */
int s4j_jni_fix_consts(JNIEnv *env, jintArray in, s4j_fix_update_consts *c);

/* The counts into an int[FixedPointUpdate.COUNT_WORDS] the caller checked. */
void s4j_jni_fix_counts(JNIEnv *env, jintArray out, const s4j_fix_update_counts *counts);

#endif
