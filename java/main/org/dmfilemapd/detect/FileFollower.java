package org.dmfilemapd.detect;

import java.io.IOException;

import org.dmfilemapd.domain.Mode;
import org.dmfilemapd.jni.Inotify;

/** Mode policy: which file the monitor maps, how it is watched, and when it is gone. */
public interface FileFollower extends AutoCloseable {
    /** inotify events that make a follower look at the file at once. */
    int IDENTITY_EVENTS = Inotify.IN_ATTRIB | Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF | Inotify.IN_IGNORED;

    /** Events that may mean new or moved allocation. */
    int CHANGE_EVENTS = Inotify.IN_MODIFY | Inotify.IN_CLOSE_WRITE;

    /** A follower of {@code file}; it watches nothing until {@link #attach}. */
    static FileFollower of(Mode mode, MonitoredFile file) {
        return mode == Mode.INODE ? new InodeFollower(file) : new PathFollower(file);
    }

    /** Starts watching the file through {@code watches} (the shared inotify instance). */
    void attach(Watches watches) throws IOException;

    /** The fd to map now. */
    int fd();

    /** The current watch descriptor. */
    int watch();

    /** Looks at the file's identity: on identity events, with each remap, and when a verdict asked for it. */
    Verdict check() throws IOException;

    /** Releases the watch and closes the fd it maps (the inherited one, until replaced). */
    @Override
    void close();
}
