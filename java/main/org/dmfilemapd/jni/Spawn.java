package org.dmfilemapd.jni;

/** posix_spawn() with exactly one inherited fd beyond 0-2, and waitpid(). */
public final class Spawn {
    @java.lang.annotation.Native static final int NOT_EXITED = -1_000_000;

    static {
        NativeLibrary.load();
    }

    private Spawn() {
    }

    /**
     * Starts {@code path} with {@code argv} and {@code envp}. The child keeps {@code keepFd}
     * (its FD_CLOEXEC cleared; -1 for none) and stdio, everything else is closed. It starts in
     * {@code cwd} (null: ours). With
     * {@code newSession} it runs in a session of its own; with {@code nullStdio} its
     * stdin/stdout/stderr are {@code /dev/null}. Returns the pid.
     */
    public static int spawn(String path, String[] argv, String[] envp, int keepFd, String cwd, boolean newSession,
            boolean nullStdio) throws NativeIoException {
        return NativeIoException.check("posix_spawn(" + path + ")",
                spawn0(path, argv, envp, keepFd, cwd, newSession, nullStdio));
    }

    /** The child's exit status (128+N if killed by signal N), or empty if it still runs and {@code !block}. */
    public static java.util.OptionalInt waitFor(int pid, boolean block) throws NativeIoException {
        int rc = waitpid0(pid, !block);
        if (rc == NOT_EXITED) {
            return java.util.OptionalInt.empty();
        }
        return java.util.OptionalInt.of(NativeIoException.check("waitpid(" + pid + ")", rc));
    }

    private static native int spawn0(String path, String[] argv, String[] envp, int keepFd, String cwd,
            boolean newSession,
            boolean nullStdio);

    private static native int waitpid0(int pid, boolean nohang);
}
