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
 * copy the leader's program id, precise_timestamps flag and histogram bounds exactly. Then the
 * group is re-tagged in two messages (ungroup, group) with the lowest member id as leader, and
 * stale members are deleted. Nothing else on the device is touched.
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
        List<Region> members = stats.groupRegions(groupId);
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

        // the leader's settings, read before anything changes
        String programId = stats.regionProgramId(groupId);
        boolean precise = stats.regionPrecise(groupId);
        long[] bounds = stats.regionHistogramBounds(groupId);
        String alias = stats.groupAlias(groupId);

        List<Long> allIds = new ArrayList<>();
        List<Long> created = new ArrayList<>();
        try {
            for (int i : toCreate) {
                Extent e = map.extents().get(i);
                ids[i] = stats.createRegion(e.start(), e.length(), precise, bounds, programId, "");
                created.add(ids[i]);
            }
        } catch (DmException e) {
            rollback(created);
            throw new UpdateException("Could not create region " + (created.size() + 1) + " of "
                    + toCreate.size() + " for group " + groupId, e);
        }
        for (Long id : ids) {
            allIds.add(id);
        }
        String descriptor = GroupMembers.describe(allIds);
        if (descriptor.length() + (alias == null ? 0 : alias.length()) > MAX_TAG_CHARS) {
            rollback(created);
            throw new UpdateException("Group descriptor for " + allIds.size()
                    + " regions does not fit in a device-mapper message");
        }

        long newGroupId;
        try {
            stats.list(null);
            stats.deleteGroup(groupId, false);
            newGroupId = stats.createGroup(descriptor, alias);
        } catch (DmException e) {
            restoreGroup(members, alias);
            rollback(created);
            throw new UpdateException("Could not regroup regions " + descriptor + " as a group", e);
        }
        for (Region r : stale) {
            try {
                stats.deleteRegion(r.id());
            } catch (DmException | IllegalArgumentException e) {
                LOG.warn("Could not delete stale region {} of group {}: {}", r.id(), newGroupId, e.getMessage());
            }
        }
        LOG.debug("Group {} -> {}: kept {}, created {}, deleted {}", groupId, newGroupId, kept, created,
                stale.stream().map(Region::id).toList());
        return new Result(newGroupId, List.of(ids), true);
    }

    private void rollback(List<Long> created) {
        if (created.isEmpty()) {
            return;
        }
        try {
            stats.list(null);
            for (long id : created) {
                if (stats.regionPresent(id)) {
                    stats.deleteRegion(id);
                }
            }
        } catch (DmException | RuntimeException e) {
            LOG.error("Could not remove the regions {} created by a failed update: {}", created, e.getMessage());
        }
    }

    private void restoreGroup(List<Region> members, String alias) {
        try {
            stats.list(null);
            long leader = members.get(0).id();
            if (!stats.groupPresent(leader)) {
                stats.createGroup(GroupMembers.describe(members.stream().map(Region::id).toList()), alias);
            }
        } catch (DmException | RuntimeException e) {
            LOG.error("Could not restore group {}: {}", members.get(0).id(), e.getMessage());
        }
    }
}
