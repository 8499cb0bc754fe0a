package org.dmfilemapd.handover;

import org.dmfilemapd.domain.Mode;

/** What a client asks the service (one message each; {@link Monitor} carries the file's fd). */
public sealed interface Request {
    /** Monitor the file that comes with this message, as {@code dmfilemapd <fd> <group> <path> <mode> <fg> <verbose>}. */
    record Monitor(long groupId, String path, Mode mode, boolean foreground, int verbose) implements Request {
        public Monitor {
            if (groupId < 0 || path == null || !path.startsWith("/") || mode == null || verbose < 0 || verbose > 3) {
                throw new IllegalArgumentException("invalid monitor request");
            }
        }
    }

    /** List every monitored file ({@link Reply.StatusEntry} each, then {@link Reply.StatusEnd}). */
    record Status() implements Request {
    }

    /** Stop monitoring one file, regions kept: an absolute path, a group id, or {@code major:minor:group}. */
    record Forget(String target) implements Request {
        public Forget {
            if (target == null || target.isEmpty()) {
                throw new IllegalArgumentException("empty forget target");
            }
        }
    }

    /** On a foreground connection: stop this connection's monitor (the waiting command got a signal). */
    record Stop() implements Request {
    }

    /** The metrics text of every monitored file ({@link Reply.Text} pieces, then {@link Reply.StatusEnd}). */
    record Metrics(boolean openMetrics) implements Request {
    }
}
