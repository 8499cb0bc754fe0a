package org.dmfilemapd.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalStreamTest {
    @TempDir
    Path dir;

    @Test
    void prefixesAreSyslogPriorities() {
        assertEquals("<3>", JournalStream.prefix(Level.ERROR));
        assertEquals("<4>", JournalStream.prefix(Level.WARN));
        assertEquals("<6>", JournalStream.prefix(Level.INFO));
        assertEquals("<7>", JournalStream.prefix(Level.DEBUG));
        assertEquals("<7>", JournalStream.prefix(Level.TRACE));
    }

    @Test
    void theStreamCountsOnlyWhenItIsTheFile() throws IOException {
        Path f = Files.writeString(dir.resolve("stream"), "");
        String id = Files.getAttribute(f, "unix:dev") + ":" + Files.getAttribute(f, "unix:ino");
        assertTrue(JournalStream.matches(id, f));
        Path other = Files.writeString(dir.resolve("other"), "");
        assertFalse(JournalStream.matches(id, other), "inherited by a process whose stderr is elsewhere");
        assertFalse(JournalStream.matches(null, f));
        assertFalse(JournalStream.matches("", f));
        assertFalse(JournalStream.matches(id, dir.resolve("missing")));
    }

    private static LoggingEvent event(Level level, String message) {
        LoggerContext ctx = new LoggerContext();
        return new LoggingEvent("x", ctx.getLogger("t"), level, message, null, null);
    }

    @Test
    void toTheJournalEveryLineCarriesItsPriority() {
        LogConfigurator.MessageLayout journal = new LogConfigurator.MessageLayout(true);
        assertEquals("<4>Refused \"/a\"\n", journal.doLayout(event(Level.WARN, "Refused \"/a\"")));
        assertEquals("<3>one\n<3>two\n", journal.doLayout(event(Level.ERROR, "one\ntwo")));
        LogConfigurator.MessageLayout plain = new LogConfigurator.MessageLayout(false);
        assertEquals("Monitoring\n", plain.doLayout(event(Level.INFO, "Monitoring")));
    }
}
