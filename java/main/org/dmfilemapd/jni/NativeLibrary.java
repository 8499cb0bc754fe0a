package org.dmfilemapd.jni;

import java.io.File;

/**
 * Loads {@code libdmfilemap.so} once, Tomcat-Native style: the system-installed library from
 * {@code java.library.path} (Debian's JDK searches {@code /usr/lib/<arch>/jni}), or the file
 * named by {@value #PATH_PROPERTY} for tests and uninstalled builds. A file that exists but
 * fails to load reports its own error, not "not found".
 */
public final class NativeLibrary {
    public static final String PATH_PROPERTY = "dmfilemapd.library";
    static final String NAME = "dmfilemap";

    /** Bumped whenever a native signature or a shared constant changes. */
    @java.lang.annotation.Native
    static final int ABI_VERSION = 3;

    private static volatile Throwable failure;
    private static volatile boolean loaded;

    private NativeLibrary() {
    }

    /** Loads the library or throws {@link UnsatisfiedLinkError} with the precise cause. */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        if (failure != null) {
            throw asLinkError(failure);
        }
        try {
            String override = System.getProperty(PATH_PROPERTY);
            if (override != null && !override.isEmpty()) {
                File file = new File(override);
                if (!file.isFile()) {
                    throw new UnsatisfiedLinkError(PATH_PROPERTY + "=" + override + ": no such file");
                }
                System.load(file.getAbsolutePath());
            } else {
                System.loadLibrary(NAME);
            }
            int abi = abiVersion0();
            if (abi != ABI_VERSION) {
                throw new UnsatisfiedLinkError("lib" + NAME + ".so has ABI version " + abi
                        + ", this jar needs " + ABI_VERSION + ": install matching versions");
            }
            loaded = true;
        } catch (Throwable t) {
            failure = t;
            throw asLinkError(t);
        }
    }

    /** Null when the library loads; otherwise why it does not. */
    public static Throwable unavailabilityCause() {
        try {
            load();
            return null;
        } catch (UnsatisfiedLinkError e) {
            return e;
        }
    }

    /** The libdevmapper version the shim runs against, e.g. {@code 1.02.185 (2022-05-18)}. */
    public static String libdmVersion() {
        load();
        return libdmVersion0();
    }

    /** Forwards libdevmapper messages at {@code level} (libdm's 2..7) or more severe to SLF4J. */
    static void setLibdmLogThreshold(int level) {
        setLibdmLogThreshold0(level);
    }

    private static UnsatisfiedLinkError asLinkError(Throwable t) {
        if (t instanceof UnsatisfiedLinkError) {
            return (UnsatisfiedLinkError) t;
        }
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("cannot load lib" + NAME + ".so: " + t);
        e.initCause(t);
        return e;
    }

    private static native int abiVersion0();

    private static native String libdmVersion0();

    private static native void setLibdmLogThreshold0(int level);
}
