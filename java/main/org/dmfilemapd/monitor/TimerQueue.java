package org.dmfilemapd.monitor;

import java.util.PriorityQueue;

/**
 * Deadlines of many owners on one clock, earliest first (ties in the order they were set).
 * An owner that moves its deadline simply sets a new one; the old entry is recognised as
 * stale when it comes due ({@link Owner#due()} no longer equals it) and is dropped, so
 * re-arming costs O(log n) and nothing has to be searched. Not thread-safe: the loop's.
 */
final class TimerQueue<T extends TimerQueue.Owner> {
    /** Something with at most one deadline that counts. */
    interface Owner {
        /** The deadline this owner currently wants, or {@link Long#MAX_VALUE} for none. */
        long due();
    }

    private record Entry<T>(long due, long seq, T owner) implements Comparable<Entry<T>> {
        @Override
        public int compareTo(Entry<T> o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Entry<T>> heap = new PriorityQueue<>();
    private long seq;

    /** Records {@code owner}'s current {@link Owner#due()} (nothing if it has none). */
    void arm(T owner) {
        long due = owner.due();
        if (due != Long.MAX_VALUE) {
            heap.add(new Entry<>(due, seq++, owner));
        }
    }

    /** The next owner whose deadline is at or before {@code now}, or null. Stale entries are dropped. */
    T pollDue(long now) {
        while (!heap.isEmpty() && heap.peek().due <= now) {
            Entry<T> e = heap.poll();
            if (e.owner.due() == e.due) {
                return e.owner;
            }
        }
        return null;
    }

    /** The earliest live deadline, or {@link Long#MAX_VALUE}. */
    long nextDue() {
        while (!heap.isEmpty()) {
            Entry<T> e = heap.peek();
            if (e.owner.due() == e.due) {
                return e.due;
            }
            heap.poll();
        }
        return Long.MAX_VALUE;
    }

    /** Entries held, stale ones included (for tests: re-arming must not pile them up). */
    int size() {
        return heap.size();
    }
}
