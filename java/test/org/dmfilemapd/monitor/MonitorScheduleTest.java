package org.dmfilemapd.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.dmfilemapd.detect.PathFollower;
import org.dmfilemapd.detect.Verdict;
import org.junit.jupiter.api.Test;

/** The timing policy on a made-up clock, driven the way the loop drives it. */
class MonitorScheduleTest {
    private static final long TICK = MonitorSchedule.TICK_MS;
    private static final long MIN = MonitorSchedule.MIN_UPDATE_INTERVAL_MS;
    private static final long MIN_MAP = MonitorSchedule.MIN_MAP_INTERVAL_MS;
    private static final long REMAP = MonitorSchedule.REMAP_INTERVAL_MS;

    /** What happens to the file at a time. */
    enum Kind {
        /** the extents change and an event says so (a write that allocates) */
        CHANGE,
        /** an event, the extents unchanged (an overwrite) */
        NOOP,
        /** the extents change without any event (defragmentation) */
        SILENT
    }

    /**
     * A loop on a clock with a model file: runs every step due until {@code end}. A mapping
     * sends dm messages only when the file's extents differ from the group's, as the monitor's
     * reconcile does; the group starts in sync.
     */
    private static final class Driver {
        final MonitorSchedule s;
        final List<Long> maps = new ArrayList<>();
        final List<Long> updates = new ArrayList<>();
        final List<Long> checks = new ArrayList<>();
        final TreeMap<Long, Kind> events = new TreeMap<>();
        long now;
        int fileVersion;
        int groupVersion;

        Driver(long start) {
            now = start;
            s = new MonitorSchedule(start);
        }

        Driver at(Kind k, long... times) {
            for (long t : times) {
                events.put(t, k);
            }
            return this;
        }

        void runUntil(long end) {
            while (true) {
                Map.Entry<Long, Kind> ev = events.ceilingEntry(now);
                long next = Math.min(s.deadline(), ev == null ? Long.MAX_VALUE : ev.getKey());
                if (next > end) {
                    now = end;
                    return;
                }
                now = Math.max(now, next);
                if (ev != null && ev.getKey() == now) {
                    events.remove(now);
                    if (ev.getValue() != Kind.NOOP) {
                        fileVersion++;
                    }
                    if (ev.getValue() != Kind.SILENT) {
                        s.changed();
                    }
                }
                step();
            }
        }

        void step() {
            MonitorSchedule.Step st = s.begin(now);
            if (st == null) {
                return;
            }
            if (st.check()) {
                checks.add(now);
                s.checked(st, now, Verdict.CONTINUE);
            }
            if (st.update()) {
                maps.add(now);
                boolean sent = fileVersion != groupVersion;
                groupVersion = fileVersion;
                if (sent) {
                    updates.add(now);
                }
                s.reconciled(st, sent);
            }
        }
    }

    private static long[] every(long from, long step, int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = from + step * i;
        }
        return t;
    }

    /** At most two updates in any second, each at least the minimum interval after the last. */
    private static void assertCoalesced(List<Long> u) {
        for (int i = 1; i < u.size(); i++) {
            assertTrue(u.get(i) - u.get(i - 1) >= MIN, "updates " + u);
        }
        for (int i = 2; i < u.size(); i++) {
            assertTrue(u.get(i) - u.get(i - 2) >= 1000, "three updates within a second: " + u);
        }
    }

    @Test
    void startChecksAndReconcilesAtOnce() {
        MonitorSchedule s = new MonitorSchedule(0);
        MonitorSchedule.Step st = s.begin(0);
        assertNotNull(st);
        assertTrue(st.check() && st.update());
    }

    @Test
    void theFirstChangeAfterAQuietSpellIsAppliedAtOnce() {
        Driver d = new Driver(0).at(Kind.CHANGE, 2345);
        d.runUntil(3000);
        assertEquals(List.of(0L, 2345L), d.maps);
        assertEquals(List.of(2345L), d.updates);
    }

    @Test
    void aChangeRightAfterARemapThatSentNothingIsAppliedAtOnce() {
        // the remap at 5000 finds the group in sync: it must not hold back the change 10 ms later
        Driver d = new Driver(0).at(Kind.CHANGE, REMAP + 10);
        d.runUntil(REMAP + 400);
        assertEquals(List.of(0L, REMAP, REMAP + 10), d.maps);
        assertEquals(List.of(REMAP + 10), d.updates);
    }

    @Test
    void aRemapThatUpdatedStartsTheInterval() {
        // defragmentation moved the extents without an event: the remap at 5000 updates the group,
        // so a change right after it waits out the interval
        Driver d = new Driver(0).at(Kind.SILENT, REMAP - 200).at(Kind.CHANGE, REMAP + 10);
        d.runUntil(REMAP + 1000);
        assertEquals(List.of(REMAP, REMAP + MIN), d.updates);
    }

    @Test
    void aBurstIsCoalescedAndItsLastChangeAlwaysApplied() {
        long[] burst = every(1000, 37, 40); // 1000 .. 2443
        Driver d = new Driver(0).at(Kind.CHANGE, burst);
        d.runUntil(4000);
        List<Long> u = d.updates;
        assertEquals(1000L, u.get(0), "the first change of the burst at once");
        assertCoalesced(u);
        long last = burst[burst.length - 1];
        assertTrue(u.get(u.size() - 1) >= last, "the last change is applied: " + u);
        assertTrue(u.get(u.size() - 1) <= last + MIN, "and no later than the interval allows: " + u);
        assertEquals(List.of(1000L, 1500L, 2000L, 2500L), u);
    }

    @Test
    void aBurstAcrossRemapsStaysCoalesced() {
        // changes every 37 ms from 3000 to 12,000: the remaps at 5000 and 10,000 fall inside it
        long[] burst = every(3000, 37, 244);
        Driver d = new Driver(0).at(Kind.CHANGE, burst);
        d.runUntil(15_000);
        List<Long> u = d.updates;
        assertCoalesced(u);
        long last = burst[burst.length - 1];
        assertTrue(u.get(u.size() - 1) >= last && u.get(u.size() - 1) <= last + MIN, "last change applied: " + u);
        assertEquals(d.fileVersion, d.groupVersion, "in sync at the end");
    }

    @Test
    void burstsOfChangesAndNoOpsStayCoalesced() {
        // allocating writes every 300 ms with overwrites between them: the no-op mappings in
        // between do not let updates come closer than the interval
        Driver d = new Driver(0).at(Kind.NOOP, every(1000, 20, 300)).at(Kind.CHANGE, every(1010, 300, 20));
        d.runUntil(9000);
        assertCoalesced(d.updates);
        assertTrue(d.updates.size() >= 10, "updates " + d.updates);
        assertEquals(d.fileVersion, d.groupVersion, "the last change is applied");
    }

    @Test
    void eventsThatChangeNothingMapAtMostTenTimesASecond() {
        Driver d = new Driver(0).at(Kind.NOOP, every(1000, 7, 300)); // overwrites for 2.1 s
        d.runUntil(3200);
        List<Long> m = d.maps.subList(1, d.maps.size());
        assertEquals(1000L, m.get(0));
        for (int i = 1; i < m.size(); i++) {
            assertTrue(m.get(i) - m.get(i - 1) >= MIN_MAP, "mappings " + m);
        }
        assertTrue(d.updates.isEmpty(), "nothing changed: " + d.updates);
    }

    @Test
    void aChangeDuringAnUpdateCountsAfterIt() {
        MonitorSchedule s = new MonitorSchedule(0);
        MonitorSchedule.Step st = s.begin(0);
        s.checked(st, 0, Verdict.CONTINUE);
        s.reconciled(st, true);
        s.changed();
        assertNull(s.begin(400), "coalesced: the start's update was 400 ms ago");
        assertEquals(500, s.deadline());
        MonitorSchedule.Step up = s.begin(500);
        assertTrue(up.update());
        s.changed(); // while that update runs
        s.reconciled(up, true);
        assertTrue(s.pending());
        assertNull(s.begin(700));
        assertEquals(1000, s.deadline());
        assertTrue(s.begin(1000).update());
        assertFalse(s.pending());
    }

    @Test
    void identityIsLookedAtOnlyWithTheRemapsWithoutEvents() {
        Driver d = new Driver(130);
        d.runUntil(3 * REMAP + 100);
        assertEquals(List.of(130L, REMAP, 2 * REMAP, 3 * REMAP), d.checks);
        assertEquals(d.checks, d.maps, "each look goes with a remap: one step");
    }

    @Test
    void anIdentityEventIsLookedAtAtOnce() {
        MonitorSchedule s = new MonitorSchedule(0);
        s.checked(s.begin(0), 0, Verdict.CONTINUE);
        s.identityEvent();
        assertEquals(Long.MIN_VALUE, s.deadline());
        MonitorSchedule.Step st = s.begin(123);
        assertTrue(st.check());
        assertFalse(st.update());
        s.checked(st, 123, Verdict.CONTINUE);
        assertEquals(REMAP, s.deadline(), "then not before the next remap");
    }

    @Test
    void anUnlinkedHeldFileIsPolledOnTheTicks() {
        MonitorSchedule s = new MonitorSchedule(0);
        s.checked(s.begin(0), 0, Verdict.CONTINUE);
        s.identityEvent();
        MonitorSchedule.Step st = s.begin(1234);
        s.checked(st, 1240, Verdict.POLL);
        assertEquals(2 * TICK, s.deadline());
        st = s.begin(2 * TICK);
        assertTrue(st.check());
        s.checked(st, 2 * TICK, Verdict.POLL);
        assertEquals(3 * TICK, s.deadline());
    }

    @Test
    void aMissingPathIsLookedAtAgainEvery100Ms() {
        MonitorSchedule s = new MonitorSchedule(0);
        MonitorSchedule.Step st = s.begin(0);
        s.checked(st, 10, new Verdict.RecheckSoon(PathFollower.REOPEN_WAIT_MS));
        s.reconciled(st, false);
        assertEquals(110, s.deadline());
        assertNull(s.begin(109));
        st = s.begin(110);
        assertTrue(st.check());
        s.checked(st, 110, Verdict.CONTINUE);
        assertEquals(REMAP, s.deadline(), "then back to the remaps once the path is there");
    }

    @Test
    void aReplacementIsMappedInTheSameStepAndCountsAsAnUpdate() {
        MonitorSchedule s = new MonitorSchedule(0);
        MonitorSchedule.Step st = s.begin(0);
        s.checked(st, 0, Verdict.CONTINUE);
        s.reconciled(st, false);
        s.identityEvent();
        st = s.begin(600);
        assertTrue(st.check());
        assertFalse(st.update());
        s.checked(st, 600, Verdict.REPLACED);
        s.reconciled(st, true); // the step mapped the new file and updated the group
        assertFalse(s.pending());
        s.changed();
        assertNull(s.begin(800), "coalesced against the replacement's update");
        assertTrue(s.begin(1100).update());
    }

    @Test
    void theFileIsRemappedEveryFiveSecondsWithoutEvents() {
        Driver d = new Driver(0);
        d.runUntil(3 * REMAP + 1);
        assertEquals(List.of(0L, REMAP, 2 * REMAP, 3 * REMAP), d.maps);
        assertTrue(d.updates.isEmpty());
    }

    @Test
    void monitorsStartedAtDifferentTimesAreRemappedTogether() {
        Driver a = new Driver(130);
        Driver b = new Driver(2890);
        a.runUntil(3 * REMAP + 1);
        b.runUntil(3 * REMAP + 1);
        assertEquals(a.maps.subList(1, a.maps.size()), b.maps.subList(1, b.maps.size()));
        assertEquals(List.of(REMAP, 2 * REMAP, 3 * REMAP), b.maps.subList(1, b.maps.size()));
    }

    @Test
    void ticksAreMultiplesOfTheTick() {
        assertEquals(TICK, MonitorSchedule.nextTick(0));
        assertEquals(TICK, MonitorSchedule.nextTick(TICK - 1));
        assertEquals(2 * TICK, MonitorSchedule.nextTick(TICK));
        assertEquals(0, MonitorSchedule.nextTick(-1));
    }
}
