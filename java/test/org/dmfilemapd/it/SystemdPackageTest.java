package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.dmfilemapd.jni.Region;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Debian package (scripts/package) under real systemd: the guest booted with systemd as
 * PID 1 ({@code scripts/dmvm --systemd}, its own lane in scripts/test). One life of the
 * package, in order: install, a hand-over through {@code dmstats create --filemap}, journal
 * priorities, reload (re-adoption), stop and start (regions kept, state re-adopted before
 * READY=1), an upgrade over itself, the sandbox's exposure score, remove and purge.
 */
@Tag("systemd")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdPackageTest extends OnDmDevice {
    private static final String UNIT = "dmfilemapd.service";
    private static final Duration SLOW = Duration.ofSeconds(180);
    private static final Path TREE = DaemonProcess.LAUNCHER.toAbsolutePath().getParent().getParent();
    /** Where the exposure score is written for the report (scripts/test prints it). */
    private static final Path SECURITY = TREE.resolve("target/systemd-security.txt");

    private Path deb;
    private Path file;
    private long group;
    private List<Region> regions;

    /** A command's status and its stdout and stderr together. */
    record Result(int status, String out) {
    }

    static Result exec(String script) {
        try {
            Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(SLOW.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + script + "\n" + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new IllegalStateException(script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(script, e);
        }
    }

    static String ok(String script) {
        Result r = exec(script);
        assertEquals(0, r.status(), "`" + script + "`:\n" + r.out());
        return r.out();
    }

    private static String show(String property) {
        return ok("systemctl show -p " + property + " --value " + UNIT).trim();
    }

    private static String journal(String priority) {
        return ok("journalctl -u " + UNIT + " -p " + priority + " -o cat --no-pager");
    }

    @BeforeAll
    void underSystemd() throws IOException {
        String cause = null;
        if (!Files.isDirectory(Path.of("/run/systemd/system"))) {
            cause = "not booted with systemd (the systemd lane boots the guest with scripts/dmvm --systemd)";
        } else {
            try (Stream<Path> s = Files.list(TREE.resolve("target"))) {
                deb = s.filter(p -> p.getFileName().toString().matches("dmfilemapd_.*\\.deb")).findFirst().orElse(null);
            }
            if (deb == null) {
                cause = "no target/dmfilemapd_*.deb (build it first: scripts/package)";
            }
        }
        if (cause != null) {
            if (Boolean.getBoolean("dmfilemapd.test.requireDm")) {
                fail("the systemd lane cannot run: " + cause);
            }
            assumeTrue(false, "systemd package tests skipped: " + cause);
        }
    }

    @Override
    @BeforeEach
    void clean() {
        // one life of the package across the ordered tests: the device keeps its file
    }

    @Test
    @Order(1)
    void installs() {
        // the man-db trigger would rebuild its index under emulation for a minute: not our test;
        // a Docker image's policy-rc.d (exit 101) forbids maintainer scripts to start or stop
        // services, which a Debian system does not (the guest's root is a throw-away overlay)
        sh("rm -f /var/lib/man-db/auto-update /usr/sbin/policy-rc.d");
        ok("dpkg -i " + deb);
        assertEquals("enabled", ok("systemctl is-enabled " + UNIT + " || true").trim());
        assertEquals("active", show("ActiveState"), ok("systemctl status --no-pager " + UNIT + " || true"));
        assertEquals("Monitoring 0 files", show("StatusText"));
        assertTrue(Files.isRegularFile(Path.of("/var/cache/dmfilemapd/dmfilemapd.jsa")), "postinst's class-data archive");
        assertTrue(ok("man -w dmfilemapd").trim().endsWith("/man8/dmfilemapd.8.gz"));
        assertTrue(Files.isRegularFile(Path.of("/etc/default/dmfilemapd")));
        ok("systemctl status --no-pager " + UNIT);
    }

    @Test
    @Order(2)
    void dmstatsHandsAFileToTheService() throws IOException {
        file = fragmentable("vm.img", 8);
        // dmstats execs dmfilemapd from PATH: the package's command, which hands over
        String out = ok("dmstats create --filemap " + file);
        Matcher m = Pattern.compile("group ID (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        group = Long.parseLong(m.group(1));
        Service.awaitMonitored(file, group, SLOW);
        assertEquals("Monitoring 1 file", show("StatusText"));
        assertTrue(ok("/usr/sbin/dmfilemapd status").contains(file.toString()));
        sh("fallocate -o 64M -l 8M " + file);
        Kernel.awaitInSync(file, group, SLOW);
        regions = Kernel.group(file, group);
        Kernel.await("the hand-over in the journal", SLOW, () -> journal("info").contains("Monitoring \"" + file + "\""));
    }

    @Test
    @Order(3)
    void theJournalHasEachLinesPriority() {
        // a malformed request: the service logs a warning
        ok("python3 -c 'import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); "
                + "s.connect(\"/run/dmfilemapd/dmfilemapd.sock\"); s.send(b\"garbage\"); print(s.recv(8192))'");
        Kernel.await("the warning in the journal", SLOW, () -> journal("warning").contains("Refused a malformed request"));
        String warnings = journal("warning");
        assertFalse(warnings.contains("Monitoring \""), "info lines are not warnings:\n" + warnings);
        assertFalse(warnings.contains("<4>"), "the prefix is taken by journald, not shown:\n" + warnings);
        assertTrue(ok("journalctl -u " + UNIT + " -p warning -o json --no-pager").contains("\"PRIORITY\":\"4\""));
    }

    @Test
    @Order(4)
    void reloadReadoptsInANewJvm() throws IOException {
        long before = Service.pid().orElseThrow();
        ok("systemctl reload " + UNIT);
        // jsvc starts the new JVM after up to 60 s (it spaces restarts a minute apart)
        Kernel.await("a new service JVM", SLOW, () -> Service.pid().isPresent() && Service.pid().getAsLong() != before);
        Service.awaitMonitored(file, group, SLOW);
        Kernel.await("the re-adoption in the journal", SLOW, () -> journal("info").contains("Re-adopted 1 of 1 file(s)."));
        // RELOADING=1 from the stopping JVM, READY=1 from the new one
        Kernel.await("the unit active again", SLOW, () -> show("ActiveState").equals("active"));
        assertTrue(journal("info").contains("Reloaded"), journal("info"));
        sh("fallocate -o 96M -l 8M " + file);
        Kernel.awaitInSync(file, group, SLOW);
        regions = Kernel.group(file, group);
    }

    @Test
    @Order(5)
    void stopKeepsRegionsAndStartReadoptsBeforeReady() throws IOException {
        ok("systemctl stop " + UNIT);
        assertEquals("inactive", show("ActiveState"));
        assertEquals("success", show("Result"));
        assertEquals(regions, Kernel.group(file, group), "regions kept");
        assertTrue(Files.readString(Path.of("/run/dmfilemapd/state")).contains(file.toString()),
                "RuntimeDirectoryPreserve keeps the state");
        // Type=notify: start returns once READY=1 came, which is after the re-adoption
        ok("systemctl start " + UNIT);
        assertTrue(Service.monitors(file, group), "monitored as soon as systemctl start returned");
        assertEquals("Monitoring 1 file", show("StatusText"));
    }

    @Test
    @Order(6)
    void upgradesOverItself() throws IOException {
        String pid = show("MainPID");
        ok("dpkg -i " + deb);
        assertNotEquals(pid, show("MainPID"), "restarted by the upgrade");
        assertEquals("active", show("ActiveState"));
        assertTrue(Service.monitors(file, group), "re-adopted before READY=1");
        assertEquals(regions, Kernel.group(file, group));
    }

    @Test
    @Order(7)
    void theSandboxScoresOk() throws IOException {
        String out = ok("systemd-analyze security --no-pager " + UNIT);
        Matcher m = Pattern.compile("Overall exposure level for " + UNIT + ": ([0-9.]+) (\\S+)").matcher(out);
        assertTrue(m.find(), out);
        Files.writeString(SECURITY, out);
        double score = Double.parseDouble(m.group(1));
        System.out.println("systemd-analyze security " + UNIT + ": " + score + " " + m.group(2));
        assertTrue(score <= 4.0, "exposure " + score + " " + m.group(2) + ":\n" + out);
    }

    @Test
    @Order(8)
    void removeStopsAndKeepsRegionsPurgeLeavesNothing() throws IOException {
        ok("dpkg -r dmfilemapd");
        assertNotEquals("active", show("ActiveState"));
        assertEquals(regions, Kernel.group(file, group), "regions kept");
        assertFalse(Files.exists(Path.of("/usr/sbin/dmfilemapd")));
        assertTrue(Files.isRegularFile(Path.of("/etc/default/dmfilemapd")), "a conffile stays until purge");
        ok("dpkg -P dmfilemapd");
        assertEquals("", ok("dpkg-query -W -f='${db:Status-Status}' dmfilemapd 2>/dev/null || true").replace("not-installed", "").trim());
        for (String gone : List.of("/etc/default/dmfilemapd", "/etc/logrotate.d/dmfilemapd", "/run/dmfilemapd",
                "/var/cache/dmfilemapd", "/usr/share/dmfilemapd")) {
            assertFalse(Files.exists(Path.of(gone)), gone + " left after purge");
        }
        String left = ok("find /etc /lib/systemd /usr /var /run -name '*dmfilemapd*' -not -path '/var/log/journal/*' "
                + "2>/dev/null || true");
        assertEquals("", left.trim(), "left after purge");
        assertEquals(regions, Kernel.group(file, group), "regions still kept");
    }
}
