/* Natives of org.dmfilemapd.jni.Posix: fstat/stat, open/close, readlink, FIEMAP, madvise. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "jni_util.h"
#include "org_dmfilemapd_jni_Posix.h"

#define STAT_FIELDS org_dmfilemapd_jni_Posix_STAT_FIELDS

static jint fill_stat(JNIEnv *env, const struct stat *st, jlongArray out)
{
	jlong v[STAT_FIELDS];

	v[org_dmfilemapd_jni_Posix_ST_DEV_MAJOR] = major(st->st_dev);
	v[org_dmfilemapd_jni_Posix_ST_DEV_MINOR] = minor(st->st_dev);
	v[org_dmfilemapd_jni_Posix_ST_INO] = (jlong)st->st_ino;
	v[org_dmfilemapd_jni_Posix_ST_MODE] = st->st_mode;
	v[org_dmfilemapd_jni_Posix_ST_NLINK] = (jlong)st->st_nlink;
	v[org_dmfilemapd_jni_Posix_ST_SIZE] = st->st_size;
	v[org_dmfilemapd_jni_Posix_ST_BLOCKS] = st->st_blocks;
	(*env)->SetLongArrayRegion(env, out, 0, STAT_FIELDS, v);
	return 0;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_fstat0(JNIEnv *env, jclass cls, jint fd,
							   jlongArray out)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return fill_stat(env, &st, out);
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_stat0(JNIEnv *env, jclass cls, jstring path,
							  jlongArray out)
{
	struct stat st;
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	int rc;

	if (!p)
		return -ENOMEM;
	rc = stat(p, &st) < 0 ? -errno : 0;
	(*env)->ReleaseStringUTFChars(env, path, p);
	return rc ? rc : fill_stat(env, &st, out);
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_openReadOnly0(JNIEnv *env, jclass cls,
								  jstring path)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	int fd;

	if (!p)
		return -ENOMEM;
	/* CLOEXEC: fds we open ourselves must not leak into anything we spawn */
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	fd = fd < 0 ? -errno : fd;
	(*env)->ReleaseStringUTFChars(env, path, p);
	return fd;
}

/*
 * O_PATH: resolves the name without opening the object, so a FIFO, a device node or a hung
 * driver behind the path cannot block us or see an open; the caller checks the type first.
 */
JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_openPath0(JNIEnv *env, jclass cls, jstring path)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	int fd;

	if (!p)
		return -ENOMEM;
	fd = open(p, O_PATH | O_CLOEXEC);
	fd = fd < 0 ? -errno : fd;
	(*env)->ReleaseStringUTFChars(env, path, p);
	return fd;
}

/*
 * Opens for reading exactly the object an O_PATH fd names (through its /proc magic link),
 * never whatever the path names by now. O_NONBLOCK: even if the type check was bypassed, no
 * open can wait for a FIFO partner or a device.
 */
JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_reopenReadOnly0(JNIEnv *env, jclass cls, jint pathFd)
{
	char link[64];
	int fd;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", (int)pathFd);
	fd = open(link, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_close0(JNIEnv *env, jclass cls, jint fd)
{
	/* Linux always releases the fd, even on EINTR: never retry */
	if (close(fd) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_fdFlags0(JNIEnv *env, jclass cls, jint fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags < 0 ? -errno : flags;
}

JNIEXPORT jstring JNICALL Java_org_dmfilemapd_jni_Posix_readlink0(JNIEnv *env, jclass cls,
								 jstring path)
{
	char buf[PATH_MAX + 1];
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	ssize_t n;
	int err;

	if (!p)
		return NULL;
	n = readlink(p, buf, sizeof(buf) - 1);
	err = errno;
	(*env)->ReleaseStringUTFChars(env, path, p);
	if (n < 0) {
		dmf_throw_errno(env, "readlink", err);
		return NULL;
	}
	buf[n] = '\0';
	return (*env)->NewStringUTF(env, buf);
}

/*
 * Raw FIEMAP rows (logical, physical, length, flags) in bytes, for the whole file. Merging
 * into regions is policy and lives in Java. sync = FIEMAP_FLAG_SYNC (writes back dirty data
 * first, as libdm does before it maps a file).
 */
#define FIEMAP_BATCH 256

JNIEXPORT jlongArray JNICALL Java_org_dmfilemapd_jni_Posix_fiemap0(JNIEnv *env, jclass cls,
								  jint fd, jboolean sync)
{
	size_t fm_size = sizeof(struct fiemap) + FIEMAP_BATCH * sizeof(struct fiemap_extent);
	struct fiemap *fm = malloc(fm_size);
	jlong *rows = NULL, *grown;
	size_t nrows = 0, cap = 0;
	uint64_t start = 0;
	int last = 0;
	jlongArray result = NULL;
	unsigned i;

	if (!fm) {
		dmf_throw_oom(env, "fiemap buffer");
		return NULL;
	}

	while (!last) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = start;
		fm->fm_length = FIEMAP_MAX_OFFSET - start;
		fm->fm_flags = sync ? FIEMAP_FLAG_SYNC : 0;
		fm->fm_extent_count = FIEMAP_BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0) {
			dmf_throw_errno(env, "FS_IOC_FIEMAP", errno);
			goto out;
		}
		if (!fm->fm_mapped_extents)
			break;
		if (nrows + fm->fm_mapped_extents > cap) {
			cap = (nrows + fm->fm_mapped_extents) * 2;
			if (!(grown = realloc(rows, cap * 4 * sizeof(jlong)))) {
				dmf_throw_oom(env, "fiemap rows");
				goto out;
			}
			rows = grown;
		}
		for (i = 0; i < fm->fm_mapped_extents; i++) {
			struct fiemap_extent *fe = &fm->fm_extents[i];

			rows[nrows * 4 + 0] = (jlong)fe->fe_logical;
			rows[nrows * 4 + 1] = (jlong)fe->fe_physical;
			rows[nrows * 4 + 2] = (jlong)fe->fe_length;
			rows[nrows * 4 + 3] = (jlong)fe->fe_flags;
			nrows++;
			if (fe->fe_flags & FIEMAP_EXTENT_LAST)
				last = 1;
			start = fe->fe_logical + fe->fe_length;
		}
	}

	if ((result = (*env)->NewLongArray(env, (jsize)(nrows * 4))) && nrows)
		(*env)->SetLongArrayRegion(env, result, 0, (jsize)(nrows * 4), rows);
out:
	free(rows);
	free(fm);
	return result;
}

JNIEXPORT jstring JNICALL Java_org_dmfilemapd_jni_Posix_strerror0(JNIEnv *env, jclass cls,
								 jint err)
{
	char buf[256];

	return (*env)->NewStringUTF(env, strerror_r(err, buf, sizeof(buf)));
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_nullStdio0(JNIEnv *env, jclass cls)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_stopSelf0(JNIEnv *env, jclass cls)
{
	/* SIGSTOP stops every thread of the process, whichever thread raises it */
	return raise(SIGSTOP) < 0 ? -errno : 0;
}

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21 /* Linux 5.4; older headers lack it, older kernels answer EINVAL */
#endif

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_pageOut0(JNIEnv *env, jclass cls, jlong addr,
							     jlong len)
{
	/*
	 * Advice only: the kernel reclaims what it can (clean pages mapped by no one else) and
	 * keeps the rest; no mapping's contents change, so any range is safe to pass.
	 */
	return madvise((void *)(uintptr_t)addr, (size_t)len, MADV_PAGEOUT) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Posix_openLog0(JNIEnv *env, jclass cls, jstring path)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	struct stat st;
	int fd, err;

	if (!p)
		return -ENOMEM;
	/*
	 * Root appends to a log in a shared directory: never through a symlink (O_NOFOLLOW), never
	 * blocking on a fifo put there (O_NONBLOCK), and only into a regular file.
	 */
	fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0640);
	err = fd < 0 ? -errno : 0;
	(*env)->ReleaseStringUTFChars(env, path, p);
	if (err)
		return err;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}
