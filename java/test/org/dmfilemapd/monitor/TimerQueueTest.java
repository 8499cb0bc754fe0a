package org.dmfilemapd.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TimerQueueTest {
    private static final class Owner implements TimerQueue.Owner {
        long due = Long.MAX_VALUE;

        Owner at(long t) {
            due = t;
            return this;
        }

        @Override
        public long due() {
            return due;
        }
    }

    @Test
    void ownersComeDueInDeadlineOrderAndNotBefore() {
        TimerQueue<Owner> q = new TimerQueue<>();
        Owner a = new Owner().at(300);
        Owner b = new Owner().at(100);
        Owner c = new Owner().at(200);
        q.arm(a);
        q.arm(b);
        q.arm(c);
        assertEquals(100, q.nextDue());
        assertNull(q.pollDue(99));
        assertSame(b, q.pollDue(250));
        assertSame(c, q.pollDue(250));
        assertNull(q.pollDue(250));
        assertSame(a, q.pollDue(300));
        assertEquals(Long.MAX_VALUE, q.nextDue());
    }

    @Test
    void equalDeadlinesComeInArmingOrder() {
        TimerQueue<Owner> q = new TimerQueue<>();
        Owner[] owners = new Owner[5];
        for (int i = 0; i < owners.length; i++) {
            owners[i] = new Owner().at(500);
            q.arm(owners[i]);
        }
        for (Owner o : owners) {
            assertSame(o, q.pollDue(500));
        }
    }

    @Test
    void aMovedDeadlineOnlyCountsWhereItIsNow() {
        TimerQueue<Owner> q = new TimerQueue<>();
        Owner a = new Owner().at(100);
        q.arm(a);
        a.at(400); // moved later: the entry at 100 is stale
        q.arm(a);
        assertEquals(400, q.nextDue());
        assertNull(q.pollDue(399));
        a.at(50); // moved earlier
        q.arm(a);
        assertSame(a, q.pollDue(60));
        a.at(Long.MAX_VALUE); // nothing due any more (busy or ended)
        assertNull(q.pollDue(1000));
        assertEquals(0, q.size(), "stale entries are dropped when they come due");
    }

    @Test
    void anOwnerWithNoDeadlineIsNotArmed() {
        TimerQueue<Owner> q = new TimerQueue<>();
        q.arm(new Owner());
        assertEquals(0, q.size());
        assertEquals(Long.MAX_VALUE, q.nextDue());
    }
}
