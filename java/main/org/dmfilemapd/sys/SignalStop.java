package org.dmfilemapd.sys;

/**
 * What SIGTERM and SIGINT do to a command that monitors in the foreground: run its stop
 * action, then exit 0 at once (halt: the regions are kept, nothing else is printed). The JVM
 * turns those signals into a shutdown, so this is a shutdown hook; when the command's own
 * work ends first it is taken out again, and if a signal's shutdown is already under way,
 * that one decides the status and is waited for.
 */
public final class SignalStop {
    private final Thread hook;

    private SignalStop(Thread hook) {
        this.hook = hook;
    }

    /** From now on a signal runs {@code stop} (on its own thread), then exits 0. */
    public static SignalStop install(Runnable stop) {
        Thread t = new Thread(() -> {
            try {
                stop.run();
            } finally {
                Runtime.getRuntime().halt(0);
            }
        }, "signal-stop");
        Runtime.getRuntime().addShutdownHook(t);
        return new SignalStop(t);
    }

    /** The command's work has ended: signals no longer stop it, or one already does (this waits). */
    public void done() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            try {
                hook.join(); // a signal's shutdown: its hook exits 0
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
