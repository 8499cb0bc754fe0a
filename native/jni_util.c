#include "jni_util.h"

#include <errno.h>
#include <libdevmapper.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static JavaVM *vm;
static jclass nio_exception_class;   /* NativeIoException */
static jmethodID nio_exception_ctor;
static jclass dm_exception_class;    /* DmException */
static jmethodID dm_exception_ctor;
static jclass libdm_log_class;       /* LibdmLog */
static jmethodID libdm_log_method;
static jclass illegal_argument_class;
static jclass oom_class;
static jclass string_class;

/* libdm levels (lib/log/log.h): FATAL 2, ERR 3, WARN 4, NOTICE 5, INFO 6, DEBUG 7 */
#define LIBDM_LEVEL_MASK 0x0f
#define LIBDM_LOG_WARN 4
static volatile int forward_threshold = LIBDM_LOG_WARN;

/* The last libdm error on this thread, attached to the next DmException. */
static __thread char last_message[512];
static __thread int last_errno;

void dmf_libdm_clear_last(void)
{
	last_message[0] = '\0';
	last_errno = 0;
}

static void libdm_log(int level, const char *file, int line, int dm_errno_or_class,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void libdm_log(int level, const char *file, int line, int dm_errno_or_class,
		      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int saved_errno = errno;
	int lvl = level & LIBDM_LEVEL_MASK;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (lvl <= LIBDM_LOG_WARN && lvl > 0 && msg[0] && strcmp(msg, "<backtrace>")) {
		/* truncation is fine: it is a diagnostic */
		size_t n = strnlen(msg, sizeof(last_message) - 1);

		memcpy(last_message, msg, n);
		last_message[n] = '\0';
		last_errno = dm_errno_or_class > 0 ? dm_errno_or_class : saved_errno;
	}

	if (lvl <= forward_threshold && vm) {
		JNIEnv *env;
		/* libdm only runs inside our JNI calls, so the thread is attached */
		if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) == JNI_OK &&
		    !(*env)->ExceptionCheck(env)) {
			jstring jmsg = (*env)->NewStringUTF(env, msg);
			if (jmsg) {
				(*env)->CallStaticVoidMethod(env, libdm_log_class, libdm_log_method,
							     (jint)lvl, jmsg);
				(*env)->DeleteLocalRef(env, jmsg);
			}
			/* a logging failure must not surface as the operation's error */
			if ((*env)->ExceptionCheck(env))
				(*env)->ExceptionClear(env);
		}
	}
	errno = saved_errno;
}

static jclass global_class(JNIEnv *env, const char *name)
{
	jclass local = (*env)->FindClass(env, name);
	jclass global;

	if (!local)
		return NULL;
	global = (*env)->NewGlobalRef(env, local);
	(*env)->DeleteLocalRef(env, local);
	return global;
}

DMF_EXPORT jint JNI_OnLoad(JavaVM *jvm, void *reserved)
{
	JNIEnv *env;

	if ((*jvm)->GetEnv(jvm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return JNI_ERR;

	if (!(nio_exception_class = global_class(env, "org/dmfilemapd/jni/NativeIoException")) ||
	    !(nio_exception_ctor = (*env)->GetMethodID(env, nio_exception_class, "<init>",
						       "(Ljava/lang/String;ILjava/lang/String;)V")) ||
	    !(dm_exception_class = global_class(env, "org/dmfilemapd/jni/DmException")) ||
	    !(dm_exception_ctor = (*env)->GetMethodID(env, dm_exception_class, "<init>",
						      "(Ljava/lang/String;ILjava/lang/String;)V")) ||
	    !(libdm_log_class = global_class(env, "org/dmfilemapd/jni/LibdmLog")) ||
	    !(libdm_log_method = (*env)->GetStaticMethodID(env, libdm_log_class, "log",
							   "(ILjava/lang/String;)V")) ||
	    !(illegal_argument_class = global_class(env, "java/lang/IllegalArgumentException")) ||
	    !(oom_class = global_class(env, "java/lang/OutOfMemoryError")) ||
	    !(string_class = global_class(env, "java/lang/String")))
		return JNI_ERR;

	vm = jvm;
	dm_log_with_errno_init(libdm_log);
	return JNI_VERSION_1_8;
}

DMF_EXPORT void JNI_OnUnload(JavaVM *jvm, void *reserved)
{
	dm_log_with_errno_init(NULL);
	vm = NULL;
}

jclass dmf_string_class(void)
{
	return string_class;
}

static void throw_with(JNIEnv *env, jclass cls, jmethodID ctor, const char *op, int err,
		       const char *detail)
{
	jstring jop = (*env)->NewStringUTF(env, op);
	jstring jdetail = detail ? (*env)->NewStringUTF(env, detail) : NULL;
	jthrowable ex;

	if ((*env)->ExceptionCheck(env))
		return;
	ex = (*env)->NewObject(env, cls, ctor, jop, (jint)err, jdetail);
	if (ex)
		(*env)->Throw(env, ex);
}

void dmf_throw_errno(JNIEnv *env, const char *op, int err)
{
	char buf[256];
	const char *text = strerror_r(err, buf, sizeof(buf)); /* GNU variant */

	throw_with(env, nio_exception_class, nio_exception_ctor, op, err, text);
}

void dmf_throw_dm(JNIEnv *env, const char *op)
{
	throw_with(env, dm_exception_class, dm_exception_ctor, op, last_errno,
		   last_message[0] ? last_message : NULL);
}

void dmf_throw_dm_message(JNIEnv *env, const char *op, const char *msg)
{
	throw_with(env, dm_exception_class, dm_exception_ctor, op, 0, msg);
}

void dmf_throw_illegal_argument(JNIEnv *env, const char *msg)
{
	(*env)->ThrowNew(env, illegal_argument_class, msg);
}

void dmf_throw_oom(JNIEnv *env, const char *what)
{
	(*env)->ThrowNew(env, oom_class, what);
}

char *dmf_string_dup(JNIEnv *env, jstring s, int *failed)
{
	const char *utf;
	char *copy;

	*failed = 0;
	if (!s)
		return NULL;
	if (!(utf = (*env)->GetStringUTFChars(env, s, NULL))) {
		*failed = 1;
		return NULL;
	}
	copy = strdup(utf);
	(*env)->ReleaseStringUTFChars(env, s, utf);
	if (!copy) {
		*failed = 1;
		dmf_throw_oom(env, "string copy");
	}
	return copy;
}

void dmf_libdm_set_threshold(int level)
{
	forward_threshold = level;
}
