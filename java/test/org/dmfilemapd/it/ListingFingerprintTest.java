package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.Posix;
import org.junit.jupiter.api.Test;

/**
 * {@link DmStats#listingUnchanged}, which the periodic group check relies on to skip listing
 * an idle device: it must see every change to the listing it was taken on, made by anyone,
 * and no change outside it.
 */
class ListingFingerprintTest extends OnDmDevice {
    private DmStats handle(Path anyFile) throws IOException {
        FileStat st = Posix.stat(anyFile.toString());
        DmStats s = new DmStats("dmfilemapd");
        s.bindDevno(st.devMajor(), st.devMinor());
        s.setProgramId("dmstats");
        return s;
    }

    private void message(String msg) {
        sh("dmsetup message " + dev.mapper + " 0 " + msg + " >/dev/null");
    }

    @Test
    void seesEveryChangeToTheListingAndNoneOutsideIt() throws IOException {
        Path f = fragmentable("fp", 8);
        long g = Kernel.createGroup(f, false, null, "fp");
        try (DmStats s = handle(f)) {
            assertFalse(s.listingUnchanged(), "nothing listed yet: nothing to vouch for");
            s.list(null);
            assertTrue(s.listingUnchanged(), "an idle device reads the same");
            assertTrue(s.listingUnchanged(), "and again");

            // another program's regions are not in this listing
            message("@stats_create 0+8 /4 other_program -");
            assertTrue(s.listingUnchanged(), "a region of another program id");

            // someone else's region of the same program id
            message("@stats_create 8+8 /4 dmstats -");
            assertFalse(s.listingUnchanged(), "a region created by someone else");
            s.list(null);
            assertTrue(s.listingUnchanged());

            // an aux data change only (what ungrouping is)
            Kernel.deleteGroup(f, g, false);
            assertFalse(s.listingUnchanged(), "a group ungrouped by someone else");
            s.list(null);
            assertTrue(s.listingUnchanged());

            // our own change through the handle, even before the kernel is asked again
            long id = s.createRegion(16, 8, false, new long[0], "dmstats", "");
            assertFalse(s.listingUnchanged(), "a region this handle created");
            s.list(null);
            assertTrue(s.regionPresent(id));
            assertTrue(s.listingUnchanged());
            s.deleteRegion(id);
            assertFalse(s.listingUnchanged(), "a region this handle deleted");
        }
    }
}
