package org.dmfilemapd.monitor;

/** What a follower found when it looked at the file. */
public sealed interface Verdict {
    /** Nothing to do. */
    record Continue() implements Verdict {
    }

    /** The monitored file changed identity (path mode); map it again now. */
    record Replaced() implements Verdict {
    }

    /** Look again after {@code millis}: the path is missing, within the tolerance. */
    record RecheckSoon(long millis) implements Verdict {
    }

    /** Stop monitoring with this outcome. */
    record Exit(MonitorResult result) implements Verdict {
    }

    Verdict CONTINUE = new Continue();
    Verdict REPLACED = new Replaced();
}
