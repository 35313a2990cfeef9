package io.losswatch.http;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * One series' records by window start, oldest first, one per start (a replayed window replaces the kept
 * one), at most a bound of them. Windows become final in order, so a record almost always goes at the
 * end: one comparison with the last, where a tree walked several nodes of a structure that, with
 * thousands of series, is never in the CPU's cache (docs/benchmarks.md, the history feed).
 */
final class WindowRecords<T> {
    private final ArrayList<T> records = new ArrayList<>();
    private final ToLongFunction<T> start;
    /** The last record's window start, kept here so that the usual append does not read the record itself. */
    private long lastStart = Long.MIN_VALUE;

    WindowRecords(ToLongFunction<T> start) {
        this.start = start;
    }

    /** Keeps record in its place by window start; past bound, the oldest goes (which may be record itself). */
    void put(T record, int bound) {
        long s = start.applyAsLong(record);
        if (records.isEmpty() || lastStart < s) {
            records.add(record);
            lastStart = s;
        } else {
            int i = search(s);
            if (i >= 0) {
                records.set(i, record);
            } else {
                records.add(-i - 1, record);
            }
        }
        if (records.size() > bound) {
            records.remove(0);
        }
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    int size() {
        return records.size();
    }

    /** The oldest record; the series must not be empty. */
    T first() {
        return records.get(0);
    }

    /** The newest record, or null. */
    T last() {
        return records.isEmpty() ? null : records.get(records.size() - 1);
    }

    /** The records with from ≤ window start ≤ to, oldest first. */
    List<T> between(long from, long to) {
        if (from > to) {
            return List.of();
        }
        int lo = search(from);
        int hi = search(to);
        int begin = lo >= 0 ? lo : -lo - 1;
        int end = hi >= 0 ? hi + 1 : -hi - 1;
        return new ArrayList<>(records.subList(begin, end));
    }

    /** How many records start after the given window start. */
    int countAfter(long windowStart) {
        int i = search(windowStart);
        return records.size() - (i >= 0 ? i + 1 : -i - 1);
    }

    /** As {@link java.util.Collections#binarySearch}: the index of the start, or −(insertion point) − 1. */
    private int search(long s) {
        int lo = 0;
        int hi = records.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long m = start.applyAsLong(records.get(mid));
            if (m < s) {
                lo = mid + 1;
            } else if (m > s) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }
}
