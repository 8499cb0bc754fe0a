package org.dmfilemapd.handover;

import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.domain.MonitorStatus;

/** What the service answers. */
public sealed interface Reply {
    /** The file is monitored by the service {@code servicePid}, in group {@code groupId}. */
    record Accepted(long servicePid, long groupId) implements Reply {
    }

    /** Not done, and why (the command prints it as its error). */
    record Refused(String message) implements Reply {
    }

    /** A foreground hand-over's monitor ended so: the command exits with {@code result.status()}. */
    record Ended(MonitorResult result) implements Reply {
    }

    /** One monitored file. */
    record StatusEntry(MonitorStatus status) implements Reply {
    }

    /** The end of a status list (or of a forget: the files stopped, as entries before it). */
    record StatusEnd(int count) implements Reply {
    }

    /** A piece of the metrics text. */
    record Text(String chunk) implements Reply {
    }
}
