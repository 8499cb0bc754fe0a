package org.dmfilemapd.regions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.Region;
import org.dmfilemapd.metrics.FileCounters;
import org.dmfilemapd.metrics.IoCounters;
import org.dmfilemapd.metrics.RegionKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a region group match a file's extents, built on libdevmapper's public region and
 * group calls instead of {@code dm_stats_update_regions_from_fd()}, which crashes when the
 * leader is replaced in a group other than 0, can corrupt the group when a new region gets an
 * id below the leader, and gives new members an extra histogram bound.
 *
 * <p>Members whose (start, length) equal an extent are kept with their counters. New regions
 * copy the leader's program id, precise_timestamps flag and histogram bounds exactly. The
 * group is untagged, stale members deleted, new regions created, and the group tagged again
 * with the lowest member id as leader. Nothing else on the device is touched.
 */
public final class RegionUpdater {
    private static final Logger LOG = LoggerFactory.getLogger(RegionUpdater.class);

    /** libdm formats @stats_set_aux into 1024 bytes; stay clear of it. */
    private static final int MAX_TAG_CHARS = 900;

    /** The group after an update: its id and its member ids in file-extent order. */
    public record Result(long groupId, List<Long> regionIds, boolean changed) {
    }

    private final DmStats stats;

    public RegionUpdater(DmStats stats) {
        this.stats = stats;
    }

    /** True if the group's members are exactly {@code map}'s extents. Needs a fresh listing. */
    public boolean matches(long groupId, ExtentMap map) {
        List<Region> members = stats.groupRegions(groupId);
        if (members.size() != map.extents().size()) {
            return false;
        }
        ExtentIndex index = new ExtentIndex(members);
        for (Extent e : map.extents()) {
            if (index.take(e.start(), e.length()) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies {@code map} to group {@code groupId}, which must be present in the handle's
     * current listing. An empty map deletes the group and its regions.
     */
    public Result apply(long groupId, ExtentMap map) throws UpdateException {
        return apply(groupId, map, null);
    }

    /** {@link #apply(long, ExtentMap)}, folding each deleted region's counters into {@code carry} first. */
    public Result apply(long groupId, ExtentMap map, FileCounters carry) throws UpdateException {
        if (!stats.groupPresent(groupId)) {
            throw new UpdateException("Group ID " + groupId + " does not exist.");
        }
        // one copy of the listing for everything below (it is O(regions on the device))
        List<Region> all = stats.regions();
        List<Region> members = new ArrayList<>();
        for (Region r : all) {
            if (r.groupId() == groupId) {
                members.add(r);
            }
        }
        if (map.isEmpty()) {
            for (Region r : members) {
                carry(carry, r);
            }
            try {
                stats.deleteGroup(groupId, true);
            } catch (DmException e) {
                throw new UpdateException("Could not delete the regions of group " + groupId, e);
            }
            return new Result(groupId, List.of(), true);
        }

        Plan plan = new Plan(members, map);
        Long[] ids = plan.ids;
        List<Integer> toCreate = plan.toCreate;
        Set<Long> kept = plan.keptSet();
        List<Region> stale = plan.stale;
        if (toCreate.isEmpty() && stale.isEmpty()) {
            return new Result(groupId, List.of(ids), false);
        }

        // the tag must fit in one message: check before anything changes (new ids are at
        // most the highest id in use plus the number of new regions)
        String alias = stats.groupAlias(groupId);
        long highest = toCreate.size();
        if (!all.isEmpty()) {
            highest = Math.max(highest, all.get(all.size() - 1).id() + toCreate.size()); // id order
        }
        long tagEstimate = GroupMembers.describe(kept).length()
                + (long) (Long.toString(highest).length() + 1) * toCreate.size()
                + (alias == null ? 0 : alias.length());
        if (tagEstimate > MAX_TAG_CHARS) {
            throw new UpdateException("A group of " + (kept.size() + toCreate.size())
                    + " regions does not fit in a device-mapper message; group left unchanged");
        }

        // the leader's settings, read before anything changes
        String programId = stats.regionProgramId(groupId);
        boolean precise = stats.regionPrecise(groupId);
        long[] bounds = stats.regionHistogramBounds(groupId);

        // Ungroup, free the stale ids, then create: the kernel hands out the lowest free id,
        // so a replaced leader gets its id back and the group keeps its id, as with libdm.
        try {
            stats.deleteGroup(groupId, false);
            // libdm's ungroup leaves the members above the leader marked as grouped in the
            // handle, with the group's bitset freed: deleting one of them from that table
            // dereferences NULL. A fresh listing has no group left to follow.
            stats.list(null);
        } catch (DmException e) {
            if (groupRemovedMeanwhile(groupId)) {
                throw new GroupVanishedException("Group " + groupId + " was removed during the update");
            }
            throw new UpdateException("Could not ungroup group " + groupId, e);
        }
        for (Region r : stale) {
            try {
                carry(carry, r);
                stats.deleteRegion(r.id());
            } catch (DmException | IllegalArgumentException e) {
                LOG.warn("Could not delete stale region {} of group {}: {}", r.id(), groupId, e.getMessage());
            }
        }
        List<Long> created = new ArrayList<>();
        try {
            for (int i : toCreate) {
                Extent e = map.extents().get(i);
                ids[i] = stats.createRegion(e.start(), e.length(), precise, bounds, programId, "");
                created.add(ids[i]);
            }
        } catch (DmException e) {
            rollback(created);
            regroup(kept, alias);
            throw new UpdateException("Could not create region " + (created.size() + 1) + " of "
                    + toCreate.size() + " for group " + groupId, e);
        }
        List<Long> allIds = List.of(ids);
        long newGroupId;
        FailPoint.reach(FailPoint.BEFORE_TAG);
        try {
            stats.list(null);
            List<Long> gone = allIds.stream().filter(id -> !stats.regionPresent(id)).toList();
            if (!gone.isEmpty()) {
                // someone deleted members while the group was untagged: it is not ours to rebuild
                rollback(created);
                throw new GroupVanishedException("Regions " + gone + " of group " + groupId
                        + " were deleted during the update");
            }
            newGroupId = stats.createGroup(GroupMembers.describe(allIds), alias);
        } catch (DmException e) {
            rollback(created);
            regroup(kept, alias);
            throw new UpdateException("Could not group regions " + GroupMembers.describe(allIds), e);
        }
        LOG.debug("Group {} -> {}: kept {}, created {}, deleted {}", groupId, newGroupId, kept, created,
                stale.stream().map(Region::id).toList());
        return new Result(newGroupId, allIds, true);
    }

    /**
     * Applies {@code map} without listing the device, from a listing the caller knows to be
     * recent (the device check's), when the leader's extent stays: new regions are created,
     * the leader's tag is rewritten once with the new member list, then the stale members are
     * deleted. The group keeps its id and is never untagged, and the tag never names a region
     * that does not exist (creates come before it, deletes after it). Costs messages for what
     * changed plus one tag, not a listing of every region on the device. Returns null, having
     * changed nothing, when the update needs {@link #apply} instead: the leader's extent goes,
     * a new region would get an id below the leader, the tag is not one it can rewrite, or the
     * group changed since the listing (its leader is checked with one message first).
     */
    public Result applyInPlace(long groupId, ExtentMap map) throws UpdateException {
        return applyInPlace(groupId, map, null);
    }

    /** {@link #applyInPlace(long, ExtentMap)}, folding each deleted region's counters into {@code carry} first. */
    public Result applyInPlace(long groupId, ExtentMap map, FileCounters carry) throws UpdateException {
        if (map.isEmpty() || !stats.groupPresent(groupId)) {
            return null;
        }
        String tag = stats.groupTag(groupId);
        if (tag == null || withMembers(tag, "0") == null) {
            return null;
        }
        List<Region> members = stats.groupRegions(groupId);
        Plan plan = new Plan(members, map);
        Long[] ids = plan.ids;
        List<Integer> toCreate = plan.toCreate;
        List<Region> stale = plan.stale;
        if (!plan.isKept(groupId)) {
            return null; // a new leader: the group's id changes, the full path handles that
        }
        if (toCreate.isEmpty() && stale.isEmpty()) {
            return new Result(groupId, List.of(ids), false);
        }
        String programId = stats.regionProgramId(groupId);
        boolean precise = stats.regionPrecise(groupId);
        long[] bounds = stats.regionHistogramBounds(groupId);
        if (!stillListed(members.get(0))) {
            return null; // changed since the listing: the full path lists and decides
        }

        List<Long> created = new ArrayList<>();
        try {
            for (int i : toCreate) {
                Extent e = map.extents().get(i);
                ids[i] = stats.createRegion(e.start(), e.length(), precise, bounds, programId, "");
                created.add(ids[i]);
                // below the leader it would have to lead; a kept member's id means that member
                // was deleted since the listing (the kernel hands out the lowest free id)
                if (ids[i] < groupId || plan.isKept(ids[i])) {
                    deleteQuietly(created);
                    return null;
                }
            }
        } catch (DmException e) {
            deleteQuietly(created);
            throw new UpdateException("Could not create region " + (created.size() + 1) + " of "
                    + toCreate.size() + " for group " + groupId, e);
        }
        List<Long> allIds = List.of(ids);
        String members2 = GroupMembers.describe(allIds);
        String newTag = withMembers(tag, members2);
        if (newTag.length() > MAX_TAG_CHARS) {
            deleteQuietly(created);
            throw new UpdateException("A group of " + allIds.size()
                    + " regions does not fit in a device-mapper message; group left unchanged");
        }
        FailPoint.reach(FailPoint.BEFORE_TAG);
        try {
            stats.message("@stats_set_aux " + groupId + " " + escape(newTag));
        } catch (DmException e) {
            deleteQuietly(created);
            if (groupRemovedMeanwhile(groupId)) {
                throw new GroupVanishedException("Regions of group " + groupId + " were deleted during the update");
            }
            throw new UpdateException("Could not tag group " + groupId + " with regions " + members2, e);
        }
        // no longer named by the tag: deleting them cannot leave it dangling
        for (Region r : stale) {
            try {
                carry(carry, r);
                stats.message("@stats_delete " + r.id());
            } catch (DmException e) {
                LOG.warn("Could not delete stale region {} of group {}: {}", r.id(), groupId, e.getMessage());
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("Group {} in place: kept {}, created {}, deleted {}", groupId, plan.keptSet(), created,
                    stale.stream().map(Region::id).toList());
        }
        return new Result(groupId, allIds, true);
    }

    /**
     * True if region {@code r} is still what the listing showed: one {@code @stats_print} of
     * its first area ({@code start+length ...}; filemap regions have one area), O(1) where a
     * listing is O(regions). An id alone proves nothing: the kernel reuses a deleted region's
     * id for the next region created, ours included.
     */
    private boolean stillListed(Region r) {
        try {
            String out = stats.message("@stats_print " + r.id() + " 0 1").trim();
            int sp = out.indexOf(' ');
            return (sp < 0 ? out : out.substring(0, sp)).equals(r.start() + "+" + r.length());
        } catch (DmException e) {
            return false;
        }
    }

    /**
     * {@code tag} (as the kernel stores it: {@code DMS_GROUP=<alias>:<members>#<user aux>},
     * the alias quoted by newer libdm) with another member list, everything else as it was;
     * null if it is not such a tag. The members are what lies between the last ':' before
     * the first '#' and that '#' (an alias may hold ':' inside its quotes, never '#').
     */
    static String withMembers(String tag, String members) {
        if (!tag.startsWith("DMS_GROUP=")) {
            return null;
        }
        int hash = tag.indexOf('#');
        int colon = hash < 0 ? -1 : tag.lastIndexOf(':', hash);
        if (colon < "DMS_GROUP=".length()) {
            return null;
        }
        return tag.substring(0, colon + 1) + members + tag.substring(hash);
    }

    /**
     * A tag as one message argument: the kernel splits messages at spaces and takes a
     * backslash as "the next character as is" (newer libdm escapes these the same way).
     */
    static String escape(String tag) {
        StringBuilder sb = new StringBuilder(tag.length() + 8);
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (c == ' ' || c == '\\' || c == '\t') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * Reads a region's counters just before it is deleted, into the file's carried totals, so
     * the file's IO counts do not go back when its regions are replaced. A region that cannot
     * be read leaves its last collected counters there instead.
     */
    private void carry(FileCounters carry, Region r) {
        if (carry == null) {
            return;
        }
        RegionKey key = new RegionKey(r.id(), r.start(), r.length());
        try {
            carry.regionDeleted(key, IoCounters.parse(stats.print(r.id()), stats.regionPrecise(r.id())));
        } catch (DmException | IllegalArgumentException e) {
            LOG.debug("Cannot read the counters of region {} before deleting it: {}", r.id(), e.getMessage());
            carry.regionDeletedUnread(key);
        }
    }

    /** Removes regions this update created (raw deletes: the handle has not listed them). */
    private void deleteQuietly(List<Long> created) {
        for (long id : created) {
            try {
                stats.message("@stats_delete " + id);
            } catch (DmException e) {
                LOG.warn("Could not remove region {} created by a failed update: {}", id, e.getMessage());
            }
        }
    }

    /** After a failed step: true if the group is no longer in the kernel's listing. */
    private boolean groupRemovedMeanwhile(long groupId) {
        try {
            stats.list(null);
            return !stats.groupPresent(groupId);
        } catch (DmException | RuntimeException e) {
            return false; // cannot tell: report the original failure
        }
    }

    private void rollback(List<Long> created) {
        if (created.isEmpty()) {
            return;
        }
        try {
            stats.list(null);
        } catch (DmException | RuntimeException e) {
            LOG.error("Could not remove the regions {} created by a failed update: {}", created, e.getMessage());
            return;
        }
        for (long id : created) {
            try {
                if (stats.regionPresent(id)) {
                    stats.deleteRegion(id);
                }
            } catch (DmException | RuntimeException e) {
                // someone else may be deleting it too: go on with the others
                LOG.warn("Could not remove region {} created by a failed update: {}", id, e.getMessage());
            }
        }
    }

    /** Best effort after a failed update: group what is left, so the group is not lost. */
    private void regroup(Set<Long> kept, String alias) {
        if (kept.isEmpty()) {
            return;
        }
        try {
            stats.list(null);
            stats.createGroup(GroupMembers.describe(kept), alias);
        } catch (DmException | RuntimeException e) {
            LOG.error("Could not regroup regions {}: {}", kept, e.getMessage());
        }
    }

    /**
     * What an update must do: for each extent of the map (in file order) the id of a member
     * with exactly that extent, kept with its counters, or a place in {@code toCreate}; the
     * members left over are stale. Of members with the same extent, the lowest ids go to the
     * first such extents in file order. O(members + extents) in primitive arrays: it runs on
     * every update, and a file may have 10,000 extents.
     */
    private static final class Plan {
        final Long[] ids;
        final List<Integer> toCreate = new ArrayList<>();
        final List<Region> stale = new ArrayList<>();
        /** The kept ids, ascending (for {@link #isKept}). */
        private final long[] keptSorted;

        Plan(List<Region> members, ExtentMap map) {
            ExtentIndex index = new ExtentIndex(members);
            boolean[] used = new boolean[members.size()];
            List<Extent> extents = map.extents();
            ids = new Long[extents.size()];
            int nKept = 0;
            for (int i = 0; i < ids.length; i++) {
                Extent e = extents.get(i);
                int m = index.take(e.start(), e.length());
                if (m >= 0) {
                    ids[i] = members.get(m).id();
                    used[m] = true;
                    nKept++;
                } else {
                    toCreate.add(i);
                }
            }
            keptSorted = new long[nKept];
            int k = 0;
            for (int m = 0; m < used.length; m++) {
                if (used[m]) {
                    keptSorted[k++] = members.get(m).id();
                } else {
                    stale.add(members.get(m));
                }
            }
            Arrays.sort(keptSorted);
        }

        boolean isKept(long id) {
            return Arrays.binarySearch(keptSorted, id) >= 0;
        }

        /** The kept ids in file-extent order. */
        Set<Long> keptSet() {
            Set<Long> kept = new LinkedHashSet<>();
            for (Long id : ids) {
                if (id != null) {
                    kept.add(id);
                }
            }
            return kept;
        }
    }

    /**
     * Members by extent (start, length), each extent's members in list order (the listing's
     * id order): an open-addressing table over primitive arrays, no boxing or per-member
     * objects. {@link #take} hands out each member once.
     */
    static final class ExtentIndex {
        private final long[] starts;
        private final long[] lengths;
        private final boolean[] used;
        private final int[] head;
        private final int[] tail;
        private final int[] next;
        private final int mask;

        ExtentIndex(List<Region> members) {
            int n = members.size();
            int cap = Integer.highestOneBit(Math.max(4, 2 * n) - 1) << 1; // a power of two >= 2n
            starts = new long[cap];
            lengths = new long[cap];
            used = new boolean[cap];
            head = new int[cap];
            tail = new int[cap];
            next = new int[n];
            mask = cap - 1;
            for (int m = 0; m < n; m++) {
                Region r = members.get(m);
                int slot = slot(r.start(), r.length());
                next[m] = -1;
                if (!used[slot]) {
                    used[slot] = true;
                    starts[slot] = r.start();
                    lengths[slot] = r.length();
                    head[slot] = m;
                } else if (head[slot] < 0) {
                    head[slot] = m;
                } else {
                    next[tail[slot]] = m;
                }
                tail[slot] = m;
            }
        }

        /** The index of the next member not yet taken with this extent, or -1. */
        int take(long start, long length) {
            int slot = slot(start, length);
            if (!used[slot] || head[slot] < 0) {
                return -1;
            }
            int m = head[slot];
            head[slot] = next[m];
            return m;
        }

        private int slot(long start, long length) {
            long h = start * 0x9E3779B97F4A7C15L + length;
            h ^= h >>> 29;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 32;
            int slot = (int) h & mask;
            while (used[slot] && (starts[slot] != start || lengths[slot] != length)) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }
    }
}
