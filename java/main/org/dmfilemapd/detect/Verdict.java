package org.dmfilemapd.detect;

import org.dmfilemapd.domain.MonitorResult;

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

    /** Look again on the loop's next tick: the file is in a state that raises no event when it ends (unlinked, held by another process). */
    record Poll() implements Verdict {
    }

    /** Stop monitoring with this outcome. */
    record Exit(MonitorResult result) implements Verdict {
    }

    Verdict CONTINUE = new Continue();
    Verdict REPLACED = new Replaced();
    Verdict POLL = new Poll();
}
