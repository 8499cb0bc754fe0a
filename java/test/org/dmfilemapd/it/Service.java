package org.dmfilemapd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.dmfilemapd.client.ServiceConnection;
import org.dmfilemapd.client.ServiceException;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.handover.Reply;
import org.dmfilemapd.handover.Request;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.service.ServicePaths;
import org.dmfilemapd.sys.Pidfile;

/** The dmfilemapd service as the tests see it: its pid, what it monitors (asked over its socket), its log. */
final class Service {
    static final Path LOG = Path.of("/var/log/dmfilemapd.log");
    static final String CLASS = "org.dmfilemapd.service.DmfilemapdService";

    private Service() {
    }

    static OptionalLong pid() {
        return Pidfile.runningPid(ServicePaths.pidfile());
    }

    /** What the service monitors now; empty when none runs. */
    static List<MonitorStatus> status() {
        try {
            Optional<ServiceConnection> c = ServiceConnection.open();
            if (c.isEmpty()) {
                return List.of();
            }
            try (ServiceConnection conn = c.get()) {
                conn.send(new Request.Status(), -1);
                List<MonitorStatus> all = new ArrayList<>();
                while (true) {
                    Reply r = conn.receive();
                    if (r instanceof Reply.StatusEntry e) {
                        all.add(e.status());
                    } else {
                        return all;
                    }
                }
            }
        } catch (ServiceException e) {
            return List.of();
        }
    }

    static Optional<MonitorStatus> of(Path file, long groupId) throws IOException {
        FileStat st = Posix.stat(file.toString());
        return status().stream()
                .filter(s -> s.devMajor() == st.devMajor() && s.devMinor() == st.devMinor() && s.groupId() == groupId)
                .findFirst();
    }

    static boolean monitors(Path file, long groupId) {
        try {
            return of(file, groupId).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    static void awaitMonitored(Path file, long groupId, Duration timeout) {
        Kernel.await("the service to monitor group " + groupId + " of " + file, timeout, () -> monitors(file, groupId));
    }

    static void awaitNotMonitored(Path file, long groupId, Duration timeout) {
        Kernel.await("the service to stop monitoring group " + groupId + " of " + file, timeout,
                () -> !monitors(file, groupId));
    }

    /** Makes the service forget every file (regions kept), so that no monitor outlives a test. */
    static void forgetAll() {
        for (MonitorStatus s : status()) {
            try {
                Optional<ServiceConnection> c = ServiceConnection.open();
                if (c.isEmpty()) {
                    return;
                }
                try (ServiceConnection conn = c.get()) {
                    conn.send(new Request.Forget(s.device() + ":" + s.groupId()), -1);
                    while (!(conn.receive() instanceof Reply.StatusEnd)) {
                        // the forgotten file's entry
                    }
                }
            } catch (ServiceException e) {
                // ended meanwhile
            }
        }
        Kernel.await("the service to monitor nothing", Duration.ofSeconds(30), () -> status().isEmpty());
    }

    /** Stops the service (jsvc -stop) if one runs, and waits until it is gone. */
    static void stop(Duration timeout) {
        OptionalLong pid = pid();
        if (pid.isPresent()) {
            Sh.run("/usr/bin/jsvc -stop -pidfile " + ServicePaths.pidfile() + " " + CLASS + " || true");
            Jsvc.awaitGone(pid.getAsLong(), timeout);
        }
    }

    /** Stops the service and removes its saved state, so the next test class starts afresh. */
    static void reset(Duration timeout) throws IOException {
        stop(timeout);
        Files.deleteIfExists(ServicePaths.socket().resolveSibling("state"));
    }

    static String log() {
        try {
            return Files.readString(LOG, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The saved state's file lines (without the header). */
    static List<String> savedState() throws IOException {
        List<String> lines = Files.readAllLines(ServicePaths.socket().resolveSibling("state"));
        return lines.subList(1, lines.size());
    }
}
