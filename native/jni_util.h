/* Shared JNI plumbing: cached classes, throw helpers, libdevmapper log capture. */
#ifndef DMFILEMAP_JNI_UTIL_H
#define DMFILEMAP_JNI_UTIL_H

#include <jni.h>
#include <stdint.h>

#define DMF_EXPORT __attribute__((visibility("default")))

/* Throws org.dmfilemapd.jni.NativeIoException(op, err). */
void dmf_throw_errno(JNIEnv *env, const char *op, int err);

/* Throws org.dmfilemapd.jni.DmException(op, errno, last libdm error message). */
void dmf_throw_dm(JNIEnv *env, const char *op);

/* Throws DmException(op, 0, msg): a refusal of the shim's own, not a libdm failure. */
void dmf_throw_dm_message(JNIEnv *env, const char *op, const char *msg);

void dmf_throw_illegal_argument(JNIEnv *env, const char *msg);
void dmf_throw_oom(JNIEnv *env, const char *what);

/* java.lang.String, cached at load. */
jclass dmf_string_class(void);

/* Forget the calling thread's last libdm error (call before each libdm operation). */
void dmf_libdm_clear_last(void);

/* Forward libdm messages at this level or more severe to LibdmLog. */
void dmf_libdm_set_threshold(int level);

/* A Java String as a malloc'd UTF-8 copy (NULL for a null string; throws on OOM). */
char *dmf_string_dup(JNIEnv *env, jstring s, int *failed);

#endif
