package org.dmfilemapd.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/** The timing policy on a made-up clock, driven the way the loop drives it. */
class MonitorScheduleTest {
    private static final long CHECK = MonitorSchedule.CHECK_INTERVAL_MS;
    private static final long MIN = MonitorSchedule.MIN_UPDATE_INTERVAL_MS;
    private static final long REMAP = MonitorSchedule.REMAP_INTERVAL_MS;

    /** A loop on a clock: runs every step due until {@code end}, with change events at the given times. */
    private static final class Driver {
        final MonitorSchedule s;
        final List<Long> updates = new ArrayList<>();
        final List<Long> checks = new ArrayList<>();
        long now;

        Driver(long start) {
            now = start;
            s = new MonitorSchedule(start);
        }

        void runUntil(long end, long... changes) {
            TreeSet<Long> events = new TreeSet<>();
            for (long c : changes) {
                events.add(c);
            }
            while (true) {
                Long ev = events.ceiling(now);
                long next = Math.min(s.deadline(), ev == null ? Long.MAX_VALUE : ev);
                if (next > end) {
                    now = end;
                    return;
                }
                now = Math.max(now, next);
                if (ev != null && ev == now) {
                    s.changed();
                    events.remove(ev);
                }
                step();
            }
        }

        void step() {
            MonitorSchedule.Step st = s.begin(now);
            if (st == null) {
                return;
            }
            if (st.update()) {
                updates.add(now);
            }
            if (st.check()) {
                checks.add(now);
                s.checked(st, now, Verdict.CONTINUE);
            }
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
        Driver d = new Driver(0);
        d.runUntil(3000, 2345);
        assertEquals(List.of(0L, 2345L), d.updates);
    }

    @Test
    void aBurstIsCoalescedAndItsLastChangeAlwaysApplied() {
        Driver d = new Driver(0);
        long[] burst = new long[40];
        for (int i = 0; i < burst.length; i++) {
            burst[i] = 1000 + 37L * i; // 1000 .. 2443
        }
        d.runUntil(4000, burst);
        List<Long> u = d.updates.subList(1, d.updates.size());
        assertEquals(1000L, u.get(0), "the first change of the burst at once");
        for (int i = 1; i < u.size(); i++) {
            assertTrue(u.get(i) - u.get(i - 1) >= MIN, "updates " + u);
        }
        long last = burst[burst.length - 1];
        assertTrue(u.get(u.size() - 1) >= last, "the last change is applied: " + u);
        assertTrue(u.get(u.size() - 1) <= last + MIN, "and no later than the interval allows: " + u);
        assertEquals(4, u.size(), "1000, 1500, 2000, 2500: " + u);
    }

    @Test
    void aChangeDuringAnUpdateCountsAfterIt() {
        MonitorSchedule s = new MonitorSchedule(0);
        s.checked(s.begin(0), 0, Verdict.CONTINUE);
        s.changed();
        assertNull(s.begin(400), "coalesced: the start's update was 400 ms ago");
        assertEquals(500, s.deadline());
        MonitorSchedule.Step up = s.begin(500);
        assertTrue(up.update());
        s.changed(); // while that update runs
        s.checked(up, 510, Verdict.CONTINUE);
        assertTrue(s.pending());
        assertNull(s.begin(700));
        assertEquals(1000, s.deadline());
        assertTrue(s.begin(1000).update());
        assertFalse(s.pending());
    }

    @Test
    void identityChecksFallOnTheSharedTicks() {
        Driver d = new Driver(130);
        d.runUntil(2100);
        assertEquals(List.of(130L, 500L, 1000L, 1500L, 2000L), d.checks);
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
    }

    @Test
    void aMissingPathIsLookedAtAgainEvery100Ms() {
        MonitorSchedule s = new MonitorSchedule(0);
        MonitorSchedule.Step st = s.begin(0);
        s.checked(st, 10, new Verdict.RecheckSoon(PathFollower.REOPEN_WAIT_MS));
        assertEquals(110, s.deadline());
        assertNull(s.begin(109));
        st = s.begin(110);
        assertTrue(st.check());
        s.checked(st, 110, Verdict.CONTINUE);
        assertEquals(500, s.deadline(), "back on the ticks once the path is there");
    }

    @Test
    void aReplacementIsMappedInTheSameStepAndCountsAsAnUpdate() {
        MonitorSchedule s = new MonitorSchedule(0);
        s.checked(s.begin(0), 0, Verdict.CONTINUE);
        MonitorSchedule.Step st = s.begin(500);
        assertTrue(st.check());
        assertFalse(st.update());
        s.checked(st, 500, Verdict.REPLACED); // the step mapped the new file
        assertFalse(s.pending());
        s.changed();
        assertNull(s.begin(700), "coalesced against the replacement's update");
        assertTrue(s.begin(1000).update());
    }

    @Test
    void theFileIsRemappedEveryFiveSecondsWithoutEvents() {
        Driver d = new Driver(0);
        d.runUntil(3 * REMAP + 1);
        assertEquals(List.of(0L, REMAP, 2 * REMAP, 3 * REMAP), d.updates);
    }

    @Test
    void ticksAreMultiplesOfTheCheckInterval() {
        assertEquals(CHECK, MonitorSchedule.nextTick(0));
        assertEquals(CHECK, MonitorSchedule.nextTick(CHECK - 1));
        assertEquals(2 * CHECK, MonitorSchedule.nextTick(CHECK));
        assertEquals(0, MonitorSchedule.nextTick(-1));
    }
}
