package org.dmfilemapd.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.dmfilemapd.domain.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAnyPath() throws IOException {
        StateFile state = new StateFile(dir.resolve("state"));
        List<AdoptedFile> files = List.of(
                new AdoptedFile("/srv/vm.img", Mode.INODE, 253, 0, 131, 0, 0),
                new AdoptedFile("/srv/with space/100%\nnew line/é.img", Mode.PATH, 253, 12, 7, 42, 3));
        state.write(files);
        List<String> bad = new ArrayList<>();
        assertEquals(files, state.read(bad::add));
        assertTrue(bad.isEmpty());
        assertEquals("dmfilemapd-state 1\ninode 253:0 131 0 0 /srv/vm.img\n"
                + "path 253:12 7 42 3 /srv/with%20space/100%25%0Anew%20line/%C3%A9.img\n",
                Files.readString(dir.resolve("state")));
        try (var ls = Files.list(dir)) {
            assertEquals(1, ls.count(), "no temporary file left");
        }
    }

    @Test
    void noStateIsNothingToAdopt() throws IOException {
        assertEquals(List.of(), new StateFile(dir.resolve("none")).read(m -> {
            throw new AssertionError(m);
        }));
    }

    @Test
    void badLinesAreReportedAndTheRestRead() throws IOException {
        Path p = dir.resolve("state");
        Files.writeString(p, "dmfilemapd-state 1\ninode 253:0 1 2 0 /ok\nsideways 253:0 1 2 0 /x\n"
                + "inode 253 1 2 0 /x\ninode 253:0 1 -2 0 /x\ninode 253:0 1 2 0 relative\ninode 253:0 1 2 0 /a%zz\n"
                + "inode 253:0 x 2 0 /x\n");
        List<String> bad = new ArrayList<>();
        List<AdoptedFile> files = new StateFile(p).read(bad::add);
        assertEquals(List.of(new AdoptedFile("/ok", Mode.INODE, 253, 0, 1, 2, 0)), files);
        assertEquals(6, bad.size(), bad.toString());
        assertTrue(bad.get(0).contains("line 3: unknown mode sideways"), bad.get(0));
    }

    @Test
    void aForeignFileIsNotRead() throws IOException {
        Path p = Files.writeString(dir.resolve("state"), "something else\ninode 253:0 1 2 0 /x\n");
        List<String> bad = new ArrayList<>();
        assertEquals(List.of(), new StateFile(p).read(bad::add));
        assertTrue(bad.get(0).contains("not a state file of this version"), bad.toString());
    }
}
