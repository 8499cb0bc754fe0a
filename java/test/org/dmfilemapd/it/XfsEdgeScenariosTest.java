package org.dmfilemapd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.dmfilemapd.jni.Region;
import org.dmfilemapd.regions.Extent;
import org.junit.jupiter.api.Test;

/** The edge scenarios on XFS, plus copy-on-write, which only XFS has (reflink). */
class XfsEdgeScenariosTest extends EdgeScenarios {
    @Override
    Fs fs() {
        return Fs.XFS;
    }

    // P16: the file shares its blocks with a reflinked copy; overwriting a range copies it
    // elsewhere (CoW): st_blocks stays, the extents move, and no event says so after the write
    @Test
    void copyOnWriteRewriteIsFollowedInInodeMode() throws IOException {
        copyOnWriteRewrite("inode");
    }

    @Test
    void copyOnWriteRewriteIsFollowedInPathMode() throws IOException {
        copyOnWriteRewrite("path");
    }

    private void copyOnWriteRewrite(String mode) throws IOException {
        assertTrue(Sh.run("xfs_info " + dev.mount).contains("reflink=1"), "mkfs.xfs enables reflink by default");
        List<Region> other = bystander();
        Path f = dev.file("cow-" + mode);
        sh("dd if=/dev/urandom of=" + f + " bs=1M count=8 conv=fsync status=none");
        long g = Kernel.createGroup(f, false, null, "cow");
        daemon(f, g, mode);
        sh("cp --reflink=always " + f + " " + dev.file("snapshot") + " && sync");
        List<Extent> before = Kernel.extents(f);
        long blocks = blocks(f);
        sh("dd if=/dev/urandom of=" + f + " bs=1M seek=2 count=2 conv=notrunc,fsync status=none");
        assertEquals(blocks, blocks(f), "same block count");
        assertNotEquals(before, Kernel.extents(f), "the overwritten range moved");
        Kernel.awaitInSync(f, g, SYNC);
        assertTrue(daemon().alive());
        assertBystanderUntouched(other);
    }
}
