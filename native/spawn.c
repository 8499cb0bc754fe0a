/*
 * Natives of org.dmfilemapd.jni.Spawn: start a process that inherits exactly one extra fd.
 * ProcessBuilder cannot do that (its children get 0, 1 and 2 only), and a JVM must not
 * fork() itself, so posix_spawn() it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jni_util.h"
#include "org_dmfilemapd_jni_Spawn.h"

static void free_strv(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		free(*p);
	free(v);
}

static char **strv_from_java(JNIEnv *env, jobjectArray arr, int *failed)
{
	jsize n = (*env)->GetArrayLength(env, arr), i;
	char **v = calloc((size_t)n + 1, sizeof(*v));

	*failed = 0;
	if (!v) {
		*failed = 1;
		dmf_throw_oom(env, "argv");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		jstring s = (*env)->GetObjectArrayElement(env, arr, i);

		v[i] = dmf_string_dup(env, s, failed);
		(*env)->DeleteLocalRef(env, s);
		if (*failed || !v[i]) {
			if (!*failed)
				dmf_throw_illegal_argument(env, "null element in argv/envp");
			*failed = 1;
			free_strv(v);
			return NULL;
		}
	}
	return v;
}

JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Spawn_spawn0(JNIEnv *env, jclass cls,
							    jstring path, jobjectArray argv,
							    jobjectArray envp, jint keep_fd,
							    jstring cwd, jboolean new_session,
							    jboolean null_stdio)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char **av = NULL, **ev = NULL, *exe = NULL, *dir = NULL;
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	int failed, rc, fd;
	pid_t pid = -1;

	if (!(exe = dmf_string_dup(env, path, &failed)) || !(av = strv_from_java(env, argv, &failed)) ||
	    !(ev = strv_from_java(env, envp, &failed))) {
		free(exe);
		free_strv(av);
		return -EINVAL;
	}
	dir = dmf_string_dup(env, cwd, &failed);
	if (failed) {
		free(exe);
		free_strv(av);
		free_strv(ev);
		return -ENOMEM;
	}

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* the child starts clean: no blocked signals, no inherited SIG_IGN */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	if (new_session)
		flags |= POSIX_SPAWN_SETSID;
	posix_spawnattr_setflags(&attr, flags);

	if (null_stdio) {
		for (fd = 0; fd <= 2; fd++)
			if (fd != keep_fd)
				posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", O_RDWR, 0);
	}
	if (keep_fd >= 0) {
		/* close everything but 0-2 and keep_fd; dup2 onto itself clears FD_CLOEXEC */
		for (fd = 3; fd < keep_fd; fd++)
			if (fcntl(fd, F_GETFD) >= 0)
				posix_spawn_file_actions_addclose(&fa, fd);
		posix_spawn_file_actions_adddup2(&fa, keep_fd, keep_fd);
		posix_spawn_file_actions_addclosefrom_np(&fa, keep_fd < 3 ? 3 : keep_fd + 1);
	} else {
		posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	}

	if (dir)
		posix_spawn_file_actions_addchdir_np(&fa, dir);

	rc = posix_spawn(&pid, exe, &fa, &attr, av, ev);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(exe);
	free(dir);
	free_strv(av);
	free_strv(ev);
	return rc ? -rc : (jint)pid;
}

/* waitpid(): the exit status (0..255), 128+signal when killed, NOT_EXITED, or -errno. */
JNIEXPORT jint JNICALL Java_org_dmfilemapd_jni_Spawn_waitpid0(JNIEnv *env, jclass cls, jint pid,
							      jboolean nohang)
{
	int status, rc;

	do
		rc = waitpid(pid, &status, nohang ? WNOHANG : 0);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return org_dmfilemapd_jni_Spawn_NOT_EXITED;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
