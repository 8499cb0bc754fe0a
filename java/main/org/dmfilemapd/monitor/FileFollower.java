package org.dmfilemapd.monitor;

import java.io.IOException;

import org.dmfilemapd.cli.Mode;
import org.dmfilemapd.jni.Inotify;

/** Mode policy: which file the monitor maps, how it is watched, and when it is gone. */
public interface FileFollower extends AutoCloseable {
    /** inotify events that make a follower look at the file at once. */
    int IDENTITY_EVENTS = Inotify.IN_ATTRIB | Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF | Inotify.IN_IGNORED;

    /** Events that may mean new or moved allocation. */
    int CHANGE_EVENTS = Inotify.IN_MODIFY | Inotify.IN_CLOSE_WRITE;

    static FileFollower of(Mode mode, MonitoredFile file, Inotify inotify) throws IOException {
        return mode == Mode.INODE ? new InodeFollower(file, inotify) : new PathFollower(file, inotify);
    }

    /** The fd to map now. */
    int fd();

    /** The current watch descriptor. */
    int watch();

    /** Looks at the file's identity; called every check interval and on identity events. */
    Verdict check() throws IOException;

    /** Releases fds and watches this follower opened (never the inherited fd). */
    @Override
    void close();
}
