package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.dmfilemapd.jni.Region;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The systemd unit scripts/install writes, run as systemd runs it in this lane's guest, which
 * has no systemd (the systemd lane runs the package's unit under real systemd:
 * SystemdPackageTest): its ExecStart line in the foreground with output captured as the
 * journal would be, a hand-over through the installed command, and SIGTERM to the unit's
 * processes.
 */
class SystemdUnitTest extends OnDmDevice {
    private static final Duration START = Duration.ofSeconds(120);
    private Path prefix;

    @BeforeAll
    void install() throws IOException {
        Service.reset(EXIT);
        prefix = Files.createTempDirectory("dmfit-prefix");
        Sh.run("cd " + Sh.q(DaemonProcess.LAUNCHER.toAbsolutePath().getParent().getParent().toString())
                + " && scripts/install --prefix " + prefix);
    }

    @AfterAll
    void stopService() throws IOException {
        Service.reset(EXIT);
    }

    private String execStart() throws IOException {
        Path unit = prefix.resolve("lib/systemd/system/dmfilemapd.service");
        return Files.readAllLines(unit).stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow()
                .substring("ExecStart=".length());
    }

    @Test
    void theUnitsServiceTakesHandOversAndLogsToItsOutput() throws IOException {
        String line = execStart();
        // the installed command runs jsvc -nodetach with -outfile &1 -errfile &2 (--run-service)
        assertEquals(prefix.resolve("sbin/dmfilemapd") + " --run-service", line);
        try (DaemonProcess unit = DaemonProcess.shell("exec " + line, true)) {
            Kernel.await("the unit's service to listen", START, () -> Service.pid().isPresent()
                    && unit.stdout().contains("listening on"));
            Path f = fragmentable("unit.img", 8);
            long g = Kernel.createGroup(f, false, null, "unit");
            String installed = prefix.resolve("sbin/dmfilemapd").toString();
            try (DaemonProcess d = DaemonProcess.shell("exec " + Sh.q(installed) + " 3 " + g + " " + f
                    + " inode 0 0 3<" + f, true)) {
                assertEquals(0, d.awaitExit(START), d.log());
            }
            assertTrue(Service.monitors(f, g));
            assertTrue(unit.stdout().contains("Monitoring \"" + f + "\""), "logged to the journal:\n" + unit.log());
            sh("fallocate -o 64M -l 8M " + f);
            Kernel.awaitInSync(f, g, SYNC);
            List<Region> before = Kernel.group(f, g);
            long jvm = Service.pid().orElseThrow();
            long main = Jsvc.ppid(jvm);
            assertEquals(unit.pid(), main, "jsvc's controller is the unit's main process (no detaching)");
            // systemctl stop: SIGTERM to every process of the unit
            sh("kill -TERM " + main + " " + jvm);
            int status = unit.awaitExit(EXIT);
            assertTrue(status == 0 || status == 128 + 15, "a clean stop for systemd (0 or SIGTERM): " + status
                    + "\n" + unit.log());
            Jsvc.awaitGone(jvm, EXIT);
            assertEquals(before, Kernel.group(f, g), "regions kept");
        }
    }
}
