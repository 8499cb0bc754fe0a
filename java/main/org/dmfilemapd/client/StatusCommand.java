package org.dmfilemapd.client;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.handover.Reply;
import org.dmfilemapd.handover.Request;

/**
 * {@code dmfilemapd status [--json]} and {@code dmfilemapd forget <path|group|major:minor:group>}:
 * ask the running service. Exit status 0; 1 when the service refused or failed; 3 when no
 * service runs (nothing is monitored through it).
 */
public final class StatusCommand {
    public static final int NOT_RUNNING = 3;

    private StatusCommand() {
    }

    public static int status(boolean json, PrintStream out, PrintStream err) {
        try {
            Optional<ServiceConnection> c = ServiceConnection.open();
            if (c.isEmpty()) {
                err.println("dmfilemapd: no service runs (nothing is monitored through it)");
                return NOT_RUNNING;
            }
            List<MonitorStatus> all;
            try (ServiceConnection conn = c.get()) {
                conn.send(new Request.Status(), -1);
                all = entries(conn);
            }
            if (json) {
                writeJson(all, out);
            } else {
                writeTable(all, out);
            }
            return 0;
        } catch (ServiceException e) {
            err.println("dmfilemapd: " + e.getMessage());
            return 1;
        }
    }

    public static int forget(String target, PrintStream out, PrintStream err) {
        try {
            Optional<ServiceConnection> c = ServiceConnection.open();
            if (c.isEmpty()) {
                err.println("dmfilemapd: no service runs (nothing is monitored through it)");
                return NOT_RUNNING;
            }
            try (ServiceConnection conn = c.get()) {
                conn.send(new Request.Forget(target), -1);
                for (MonitorStatus s : entries(conn)) {
                    out.println("No longer monitoring " + s.path() + " (group " + s.groupId() + " on device "
                            + s.device() + "); its regions are kept.");
                }
            }
            return 0;
        } catch (ServiceException e) {
            err.println("dmfilemapd: " + e.getMessage());
            return 1;
        }
    }

    /** {@code dmfilemapd metrics [--openmetrics]}: the service's metrics text, as it is now. */
    public static int metrics(boolean openMetrics, PrintStream out, PrintStream err) {
        try {
            Optional<ServiceConnection> c = ServiceConnection.open();
            if (c.isEmpty()) {
                err.println("dmfilemapd: no service runs (nothing is monitored through it)");
                return NOT_RUNNING;
            }
            StringBuilder text = new StringBuilder();
            try (ServiceConnection conn = c.get()) {
                conn.send(new Request.Metrics(openMetrics), -1);
                while (true) {
                    Reply r = conn.receive();
                    if (r instanceof Reply.Text t) {
                        text.append(t.chunk());
                    } else if (r instanceof Reply.StatusEnd) {
                        break;
                    } else if (r instanceof Reply.Refused f) {
                        throw new ServiceException(f.message());
                    } else {
                        throw new ServiceException("unexpected answer from the dmfilemapd service: " + r);
                    }
                }
            }
            out.print(text);
            out.flush();
            return 0;
        } catch (ServiceException e) {
            err.println("dmfilemapd: " + e.getMessage());
            return 1;
        }
    }

    private static List<MonitorStatus> entries(ServiceConnection conn) throws ServiceException {
        List<MonitorStatus> all = new ArrayList<>();
        while (true) {
            Reply r = conn.receive();
            if (r instanceof Reply.StatusEntry e) {
                all.add(e.status());
            } else if (r instanceof Reply.StatusEnd) {
                return all;
            } else if (r instanceof Reply.Refused f) {
                throw new ServiceException(f.message());
            } else {
                throw new ServiceException("unexpected answer from the dmfilemapd service: " + r);
            }
        }
    }

    static String time(long epochMillis) {
        return epochMillis == 0 ? "-" : Instant.ofEpochMilli(epochMillis).toString();
    }

    static void writeTable(List<MonitorStatus> all, PrintStream out) {
        String fmt = "%-5s  %-9s  %6s  %7s  %7s  %-24s  %10s  %10s  %s%n";
        out.printf(fmt, "MODE", "DEVICE", "GROUP", "REGIONS", "UPDATES", "LAST UPDATE", "READ", "WRITTEN", "PATH");
        for (MonitorStatus s : all) {
            out.printf(fmt, s.mode(), s.device(), s.groupId(), s.regionCount(), s.updates(),
                    time(s.lastUpdateEpochMillis()), bytes(s.readBytes()), bytes(s.writtenBytes()), s.path());
            if (s.lastError() != null) {
                out.println("       last error: " + s.lastError());
            }
        }
    }

    /** Bytes for a person: 512, 8.0K, 3.5M, 1.2G (binary units, as dmstats); - when unknown. */
    static String bytes(long n) {
        if (n < 0) {
            return "-";
        }
        if (n < 1024) {
            return Long.toString(n);
        }
        String units = "KMGTPE";
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f%c", v, units.charAt(u));
    }

    static void writeJson(List<MonitorStatus> all, PrintStream out) {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeArrayFieldStart("files");
            for (MonitorStatus s : all) {
                g.writeStartObject();
                g.writeStringField("path", s.path());
                g.writeStringField("mode", s.mode().word());
                g.writeStringField("device", s.device());
                g.writeNumberField("major", s.devMajor());
                g.writeNumberField("minor", s.devMinor());
                g.writeNumberField("inode", s.ino());
                g.writeNumberField("group_id", s.groupId());
                g.writeNumberField("regions", s.regionCount());
                g.writeNumberField("updates", s.updates());
                if (s.lastUpdateEpochMillis() == 0) {
                    g.writeNullField("last_update");
                } else {
                    g.writeStringField("last_update", time(s.lastUpdateEpochMillis()));
                }
                g.writeNumberField("last_update_epoch_ms", s.lastUpdateEpochMillis());
                if (s.readBytes() < 0) {
                    g.writeNullField("read_bytes");
                    g.writeNullField("written_bytes");
                } else {
                    g.writeNumberField("read_bytes", s.readBytes());
                    g.writeNumberField("written_bytes", s.writtenBytes());
                }
                if (s.lastError() == null) {
                    g.writeNullField("last_error");
                } else {
                    g.writeStringField("last_error", s.lastError());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.flush();
            out.println();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
