package org.dmfilemapd;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.NativeLibrary;
import org.dmfilemapd.jni.Spawn;

/**
 * Background start without fork(): a copy of this command is spawned in a new session, with
 * cwd {@code /}, only the monitored fd beyond stdio, and stdio on {@code /dev/null} unless
 * verbose, which is what the original's daemonize step leaves. The copy knows it is the
 * daemon from {@value #CHILD_ENV} in its environment.
 */
final class Background {
    static final String CHILD_ENV = "DMFILEMAPD_DETACHED";
    /** Set by the {@code dmfilemapd} script to its own path, so the copy starts the same way. */
    static final String LAUNCHER_PROPERTY = "dmfilemapd.launcher";

    private Background() {
    }

    static boolean isDetachedChild() {
        return "1".equals(System.getenv(CHILD_ENV));
    }

    /** Starts the detached copy; returns its pid. */
    static int start(Arguments a) throws NativeIoException {
        List<String> argv = new ArrayList<>();
        String exe;
        String launcher = System.getProperty(LAUNCHER_PROPERTY);
        if (launcher != null && !launcher.isEmpty()) {
            exe = new File(launcher).getAbsolutePath();
            argv.add("dmfilemapd");
        } else {
            exe = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
            argv.add(exe);
            argv.add("-cp");
            argv.add(absoluteClassPath());
            String lib = System.getProperty(NativeLibrary.PATH_PROPERTY);
            if (lib != null) {
                argv.add("-D" + NativeLibrary.PATH_PROPERTY + "=" + new File(lib).getAbsolutePath());
            }
            argv.add(Main.class.getName());
        }
        argv.addAll(List.of(a.toArgv(true)));
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (!e.getKey().equals(CHILD_ENV)) {
                env.add(e.getKey() + "=" + e.getValue());
            }
        }
        env.add(CHILD_ENV + "=1");
        return Spawn.spawn(exe, argv.toArray(String[]::new), env.toArray(String[]::new), a.fd(), "/", true,
                a.verbose() == 0);
    }

    private static String absoluteClassPath() {
        StringBuilder sb = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (sb.length() > 0) {
                sb.append(File.pathSeparatorChar);
            }
            sb.append(new File(entry).getAbsolutePath());
        }
        return sb.toString();
    }
}
