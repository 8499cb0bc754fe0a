package org.dmfilemapd.monitor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.dmfilemapd.jni.DmException;
import org.dmfilemapd.jni.DmStats;
import org.dmfilemapd.jni.Region;
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
        Map<Extent, Integer> want = new HashMap<>();
        for (Extent e : map.extents()) {
            want.merge(e, 1, Integer::sum);
        }
        for (Region r : members) {
            Extent e = new Extent(r.start(), r.length());
            Integer n = want.get(e);
            if (n == null || n == 0) {
                return false;
            }
            want.put(e, n - 1);
        }
        return true;
    }

    /**
     * Applies {@code map} to group {@code groupId}, which must be present in the handle's
     * current listing. An empty map deletes the group and its regions.
     */
    public Result apply(long groupId, ExtentMap map) throws UpdateException {
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
            try {
                stats.deleteGroup(groupId, true);
            } catch (DmException e) {
                throw new UpdateException("Could not delete the regions of group " + groupId, e);
            }
            return new Result(groupId, List.of(), true);
        }

        Map<Extent, Deque<Region>> byExtent = new HashMap<>();
        for (Region r : members) {
            byExtent.computeIfAbsent(new Extent(r.start(), r.length()), k -> new ArrayDeque<>()).add(r);
        }
        Long[] ids = new Long[map.extents().size()];
        List<Integer> toCreate = new ArrayList<>();
        Set<Long> kept = new LinkedHashSet<>();
        for (int i = 0; i < ids.length; i++) {
            Deque<Region> same = byExtent.get(map.extents().get(i));
            if (same != null && !same.isEmpty()) {
                ids[i] = same.poll().id();
                kept.add(ids[i]);
            } else {
                toCreate.add(i);
            }
        }
        List<Region> stale = new ArrayList<>();
        for (Region r : members) {
            if (!kept.contains(r.id())) {
                stale.add(r);
            }
        }
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
        FailPoint.reach(FailPoint.BEFORE_REGROUP);
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
}
