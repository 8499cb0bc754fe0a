/*
 * Natives of org.dmfilemapd.jni.Inotify: one inotify instance plus an eventfd, so that a
 * thread blocked in wait0() can be woken by another thread (stop) without signals.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "jni_util.h"
#include "org_dmfilemapd_jni_Inotify.h"

struct dmf_inotify {
	int ifd;
	int efd;
};

JNIEXPORT jlong JNICALL Java_org_dmfilemapd_jni_Inotify_open0(JNIEnv *env, jclass cls)
{
	struct dmf_inotify *in = malloc(sizeof(*in));

	if (!in) {
		dmf_throw_oom(env, "inotify handle");
		return 0;
	}
	if ((in->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		dmf_throw_errno(env, "inotify_init1", errno);
		free(in);
		return 0;
	}
	if ((in->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		dmf_throw_errno(env, "eventfd", errno);
		close(in->ifd);
		free(in);
		return 0;
	}
	return (jlong)(intptr_t)in;
}

JNIEXPORT void JNICALL Java_org_dmfilemapd_jni_Inotify_close0(JNIEnv *env, jclass cls,
							      jlong handle)
{
	struct dmf_inotify *in = (struct dmf_inotify *)(intptr_t)handle;

	close(in->ifd);
	close(in->efd);
	free(in);
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Inotify_addWatch0(JNIEnv *env, jclass cls,
								 jlong handle, jstring path,
								 jint mask)
{
	struct dmf_inotify *in = (struct dmf_inotify *)(intptr_t)handle;
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	int wd;

	if (!p)
		return -ENOMEM;
	wd = inotify_add_watch(in->ifd, p, (uint32_t)mask);
	wd = wd < 0 ? -errno : wd;
	(*env)->ReleaseStringUTFChars(env, path, p);
	return wd;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Inotify_removeWatch0(JNIEnv *env, jclass cls,
								    jlong handle, jint wd)
{
	struct dmf_inotify *in = (struct dmf_inotify *)(intptr_t)handle;

	return inotify_rm_watch(in->ifd, wd) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Inotify_wake0(JNIEnv *env, jclass cls,
							     jlong handle)
{
	struct dmf_inotify *in = (struct dmf_inotify *)(intptr_t)handle;
	uint64_t one = 1;

	return write(in->efd, &one, sizeof(one)) < 0 && errno != EAGAIN ? -errno : 0;
}

/*
 * Waits up to timeout_ms (-1: forever) for events or a wake-up. Fills out[] with
 * (wd, mask) pairs and returns the number of pairs, 0 on timeout, WOKEN when woken
 * (pending events stay queued for the next call), or -errno.
 */
JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Inotify_wait0(JNIEnv *env, jclass cls,
							     jlong handle, jint timeout_ms,
							     jintArray out)
{
	struct dmf_inotify *in = (struct dmf_inotify *)(intptr_t)handle;
	struct pollfd pfd[2] = { { .fd = in->ifd, .events = POLLIN },
				 { .fd = in->efd, .events = POLLIN } };
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	jsize cap = (*env)->GetArrayLength(env, out) / 2;
	jint pairs[2 * 256]; /* 4096 / sizeof(struct inotify_event) */
	jint n = 0;
	ssize_t len;
	char *p;
	int rc;

	do
		rc = poll(pfd, 2, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (pfd[1].revents & POLLIN) {
		uint64_t v;

		if (read(in->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -errno;
		return org_dmfilemapd_jni_Inotify_WOKEN;
	}
	if (!rc)
		return 0;

	if (cap > 256)
		cap = 256;
	/* Events are read whole; a buffer of 4 KiB always holds at least one. */
	len = read(in->ifd, buf, sizeof(buf));
	if (len < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	for (p = buf; p < buf + len && n < cap;) {
		struct inotify_event *ev = (struct inotify_event *)p;

		pairs[2 * n] = ev->wd;
		pairs[2 * n + 1] = (jint)ev->mask;
		n++;
		p += sizeof(*ev) + ev->len;
	}
	(*env)->SetIntArrayRegion(env, out, 0, 2 * n, pairs);
	return n;
}
