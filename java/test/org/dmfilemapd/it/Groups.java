package org.dmfilemapd.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.regions.Extent;

/**
 * Groups found by their alias, for tests where the daemon may move a group to a new id (a
 * regroup makes the lowest member the leader): the alias survives every update.
 */
final class Groups {
    private Groups() {
    }

    /** The id of the group called {@code alias} on {@code file}'s device, or -1. */
    static long idOf(Path file, String alias) throws IOException {
        try (DmStats stats = Kernel.handleFor(file)) {
            return idOf(stats, alias);
        }
    }

    static List<Region> members(Path file, String alias) throws IOException {
        try (DmStats stats = Kernel.handleFor(file)) {
            long g = idOf(stats, alias);
            return g < 0 ? List.of() : stats.groupRegions(g);
        }
    }

    static int memberCount(Path anyFileOnDevice, String alias) throws IOException {
        return members(anyFileOnDevice, alias).size();
    }

    /** The group called {@code alias} has exactly {@code file}'s merged extents. */
    static boolean inSync(Path file, String alias) throws IOException {
        List<Extent> want = new ArrayList<>(Kernel.extents(file));
        List<Region> members = members(file, alias);
        if (members.size() != want.size()) {
            return false;
        }
        for (Region r : members) {
            if (!want.remove(new Extent(r.start(), r.length()))) {
                return false;
            }
        }
        return true;
    }

    private static long idOf(DmStats stats, String alias) {
        for (Region r : stats.regions()) {
            if (r.groupId() == r.id() && alias.equals(stats.groupAlias(r.id()))) {
                return r.id();
            }
        }
        return -1;
    }
}
