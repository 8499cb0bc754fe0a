/*
 * Natives of org.dmfilemapd.jni.SystemdNotify: one sd_notify(3) datagram to the socket
 * systemd names in $NOTIFY_SOCKET (a path, or an abstract name when it starts with '@'),
 * without libsystemd. Syscall-style: returns -errno on failure.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "jni_util.h"
#include "org_dmfilemapd_jni_SystemdNotify.h"

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_SystemdNotify_send0(JNIEnv *env, jclass cls,
								   jbyteArray address,
								   jbyteArray message)
{
	struct sockaddr_un sa;
	jsize alen = (*env)->GetArrayLength(env, address);
	jsize mlen = (*env)->GetArrayLength(env, message);
	jbyte *msg;
	socklen_t salen;
	ssize_t sent;
	int fd, err = 0;

	/* room for the path and, for a path (not an abstract name), its terminating NUL */
	if (alen < 2 || (size_t)alen >= sizeof(sa.sun_path))
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	(*env)->GetByteArrayRegion(env, address, 0, alen, (jbyte *)sa.sun_path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract: the name is exactly alen bytes, no NUL */
	else if (sa.sun_path[0] != '/')
		return -EINVAL;
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)alen);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	msg = (*env)->GetByteArrayElements(env, message, NULL);
	if (!msg) {
		close(fd);
		return -ENOMEM;
	}
	/* MSG_NOSIGNAL: a manager that went away must not take the JVM with SIGPIPE */
	sent = sendto(fd, msg, (size_t)mlen, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	if (sent < 0)
		err = -errno;
	else if (sent != mlen)
		err = -EMSGSIZE;
	(*env)->ReleaseByteArrayElements(env, message, msg, JNI_ABORT);
	close(fd);
	return err;
}
