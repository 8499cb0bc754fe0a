/**
 * Change detection: whether the monitored file is still the one to follow. Uses the bindings
 * and the domain types. {@code InodeFollower} ends when the file is unlinked and no other
 * process holds it ({@code HolderScan}: other holders by device and inode in
 * {@code /proc/PID/fd}); {@code PathFollower} follows a file replaced at the path, re-opened
 * only through {@code RegularFileOpen} (resolved with {@code O_PATH}, checked to be a regular
 * file on the monitored device, then opened through {@code /proc/self/fd}, so a FIFO or a
 * device node at the path is never opened). Each answers a {@code Verdict}.
 */
package org.dmfilemapd.detect;
