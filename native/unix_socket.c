/*
 * Natives of org.dmfilemapd.jni.UnixSocket: AF_UNIX SOCK_SEQPACKET sockets (message
 * boundaries kept, so a request is one recvmsg), SO_PEERCRED, and one fd per message over
 * SCM_RIGHTS. Syscall-style: each returns -errno on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "jni_util.h"
#include "org_dmfilemapd_jni_UnixSocket.h"

#define MAX_MESSAGE org_dmfilemapd_jni_UnixSocket_MAX_MESSAGE

static int fill_address(JNIEnv *env, jstring path, struct sockaddr_un *sa)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	size_t n;

	if (!p)
		return -ENOMEM;
	n = strlen(p);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path)) {
		(*env)->ReleaseStringUTFChars(env, path, p);
		return -ENAMETOOLONG;
	}
	memcpy(sa->sun_path, p, n + 1);
	(*env)->ReleaseStringUTFChars(env, path, p);
	return 0;
}

/*
 * The directory must be ours and closed to others, and whatever is at the path must be a
 * socket of ours (a stale one from an earlier run): otherwise someone else could have put it
 * there to receive the files handed over.
 */
static int check_place(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash || slash == path)
		return -EINVAL;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
			return -EPERM;
	} else if (errno != ENOENT) {
		return -errno;
	}
	return 0;
}

/*
 * Binds a new listening socket at path, mode 0600. It is bound under a temporary name (with
 * a umask that leaves the owner only) and renamed into place, so the path never shows a
 * socket with a wider mode, and a stale socket is replaced atomically. The caller must hold
 * the service lock: two listeners must not race for the path.
 */
JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_UnixSocket_listen0(JNIEnv *env, jclass cls,
								  jstring path, jint backlog)
{
	struct sockaddr_un sa, tmp;
	mode_t old_umask;
	int fd, rc, n;

	if ((rc = fill_address(env, path, &sa)) < 0)
		return rc;
	if ((rc = check_place(sa.sun_path)) < 0)
		return rc;
	tmp = sa;
	n = snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%ld.new", sa.sun_path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp.sun_path))
		return -ENAMETOOLONG;
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	unlink(tmp.sun_path);
	old_umask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&tmp, sizeof(tmp));
	umask(old_umask);
	if (rc < 0) {
		rc = -errno;
		goto fail;
	}
	if (chmod(tmp.sun_path, 0600) < 0 || listen(fd, backlog) < 0 ||
	    rename(tmp.sun_path, sa.sun_path) < 0) {
		rc = -errno;
		unlink(tmp.sun_path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return rc;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_UnixSocket_connect0(JNIEnv *env, jclass cls,
								   jstring path)
{
	struct sockaddr_un sa;
	int fd, rc;

	if ((rc = fill_address(env, path, &sa)) < 0)
		return rc;
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	do {
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* Blocks until a peer connects, or the listener is shut down (then -EINVAL). */
JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_UnixSocket_accept0(JNIEnv *env, jclass cls,
								  jint lfd)
{
	int fd;

	do {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_UnixSocket_shutdown0(JNIEnv *env, jclass cls,
								    jint fd)
{
	return shutdown(fd, SHUT_RDWR) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_UnixSocket_socketPair0(JNIEnv *env, jclass cls,
								      jintArray out)
{
	int sv[2];
	jint v[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	v[0] = sv[0];
	v[1] = sv[1];
	(*env)->SetIntArrayRegion(env, out, 0, 2, v);
	return 0;
}

/* The peer's pid, uid and gid as the kernel recorded them at connect time. */
JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_UnixSocket_peerCredentials0(JNIEnv *env,
									   jclass cls, jint fd,
									   jintArray out)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	jint v[3];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	v[0] = cred.pid;
	v[1] = (jint)cred.uid;
	v[2] = (jint)cred.gid;
	(*env)->SetIntArrayRegion(env, out, 0, 3, v);
	return 0;
}

/*
 * One message of len bytes (at most 2 * MAX_MESSAGE: the Java side bounds its own sends to
 * MAX_MESSAGE; tests send more to check the receiver), with the fds in passFds attached
 * (SCM_RIGHTS, at most 8; normally none or one).
 */
JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_UnixSocket_send0(JNIEnv *env, jclass cls, jint fd,
								jbyteArray data, jint len,
								jintArray passFds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(8 * sizeof(int))];
	} control;
	jbyte bytes[2 * MAX_MESSAGE];
	jint fds[8];
	jsize nfds = passFds ? (*env)->GetArrayLength(env, passFds) : 0;
	struct iovec iov;
	struct msghdr msg;
	ssize_t n;

	if (len < 0 || len > 2 * MAX_MESSAGE || len > (*env)->GetArrayLength(env, data))
		return -EMSGSIZE;
	if (nfds > 8)
		return -EINVAL;
	(*env)->GetByteArrayRegion(env, data, 0, len, bytes);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = bytes;
	iov.iov_len = (size_t)len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *c;

		(*env)->GetIntArrayRegion(env, passFds, 0, nfds, fds);
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	do {
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (jint)n;
}

static void close_passed(struct msghdr *msg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k, nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int fds[8];

			if (nfds > 8)
				nfds = 8;
			memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
			for (k = 0; k < nfds; k++)
				close(fds[k]);
		}
	}
}

/*
 * Waits up to timeoutMs (-1: forever) for one message; copies it into data and the passed fd
 * (close-on-exec) into fdOut[0] (-1 if none). Returns its length, 0 at end of stream,
 * -EAGAIN on timeout, -EMSGSIZE for a message longer than MAX_MESSAGE (the rest is dropped),
 * -EBADMSG for anything but at most one passed fd; in those two cases no fd is kept.
 */
JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_UnixSocket_receive0(JNIEnv *env, jclass cls,
								   jint fd, jbyteArray data,
								   jintArray fdOut, jint timeoutMs)
{
	union {
		struct cmsghdr align;
		/* room for more than one fd, so extra ones are received and closed, not leaked */
		char buf[CMSG_SPACE(8 * sizeof(int))];
	} control;
	jbyte bytes[MAX_MESSAGE];
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct iovec iov = {.iov_base = bytes, .iov_len = sizeof(bytes)};
	struct msghdr msg;
	struct cmsghdr *c;
	jint passed = -1;
	int rc, fds_seen = 0;
	ssize_t n;

	do {
		rc = poll(&pfd, 1, timeoutMs);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return -EAGAIN;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	do {
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			fds_seen += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (fds_seen == 1)
				memcpy(&passed, CMSG_DATA(c), sizeof(int));
		}
	}
	if (msg.msg_flags & MSG_TRUNC) {
		close_passed(&msg);
		return -EMSGSIZE;
	}
	if ((msg.msg_flags & MSG_CTRUNC) || fds_seen > 1) {
		close_passed(&msg);
		return -EBADMSG;
	}
	(*env)->SetByteArrayRegion(env, data, 0, (jsize)n, bytes);
	(*env)->SetIntArrayRegion(env, fdOut, 0, 1, &passed);
	return (jint)n;
}
