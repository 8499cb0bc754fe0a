package org.dmfilemapd.detect;

import org.dmfilemapd.jni.FileStat;

/** The file a monitor was started on: its fd, the path given, and what fstat said at start. */
public record MonitoredFile(int fd, String path, FileStat stat) {
}
