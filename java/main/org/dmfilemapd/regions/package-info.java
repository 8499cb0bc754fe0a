/**
 * The kernel's regions: the checks a file and its group must pass before monitoring starts
 * ({@code StartupCheck}), the lock that keeps one monitor per group ({@code GroupLock}), the
 * file's merged extents ({@code ExtentMap}), and the update that makes a group equal them
 * ({@code RegionUpdater}). Uses the bindings, metrics and the domain types.
 *
 * <p>Updates: a change that keeps the group's leader (growth, a punched or split member) is
 * made in place from the device check's listing, at most a second old, without listing the
 * device again: one {@code @stats_print} of the leader proves it is still the listed region
 * (the kernel reuses ids at once), the new regions are created, the leader's tag is rewritten
 * once with the new member list ({@code @stats_set_aux}, in the format of whichever libdm wrote
 * it), then the stale members are deleted. The group keeps its id and its tag never names a
 * missing region. Anything else is rebuilt on libdevmapper's calls (ungroup, list, delete stale,
 * create, regroup with the lowest id as leader) and the monitor follows the group to its new
 * id. New regions get the leader's program id, precise flag and histogram bounds; exact
 * matches keep their counters; each deleted region's counters are read first and carried into
 * the file's totals ({@code metrics.FileCounters}).
 */
package org.dmfilemapd.regions;
