package org.dmfilemapd.detect;

import org.dmfilemapd.jni.NativeIoException;

/** One monitor's view of the shared inotify instance: the watches it holds. */
public interface Watches {
    /** Watches the inode {@code path} names for the follower's events; returns the wd. */
    int add(String path) throws NativeIoException;

    /** Drops this monitor's hold on {@code wd} (the watch goes when nobody holds it). */
    void remove(int wd);
}
