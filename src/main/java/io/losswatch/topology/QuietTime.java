package io.losswatch.topology;

/**
 * How long an input partition has been quiet: the wall-clock time since its last record during which
 * the stream thread ran. A gap between two flushes longer than the stall limit is a stall of the thread
 * (a long commit, a GC pause, a blocked poll or commit during a broker outage, a starved machine), not
 * quiet input: the partition's records may have been waiting all along, and taking it for idle would let
 * windows close before them. Such a gap counts as one flush interval. Of a gap in which a record
 * arrived, only the part after the record counts.
 */
final class QuietTime {
    /** The least gap taken for a stall, whatever poll.ms is. */
    static final long STALL_MS = 2_000;

    private final long flushMs;
    private final long stallMs;
    private long lastInput;
    private long lastFlush;
    private long quiet;

    /**
     * flushMs: how often {@link #flush} is called; pollMs: Kafka Streams' poll.ms, how long a quiet loop
     * waits before it flushes (a gap of up to twice that is the loop, not a stall); stallAware false: every
     * gap counts (a replay, whose clock jumps over quiet stretches by design).
     */
    QuietTime(long flushMs, long pollMs, boolean stallAware, long now) {
        this.flushMs = flushMs;
        this.stallMs = stallAware ? Math.max(STALL_MS, 2 * pollMs + flushMs) : Long.MAX_VALUE;
        this.lastInput = now;
        this.lastFlush = now;
    }

    /** A record arrived at now: quiet starts again. */
    void input(long now) {
        lastInput = now;
        quiet = 0;
    }

    /** The flush at now: the quiet time up to now. */
    long flush(long now) {
        long since = now - Math.max(lastFlush, lastInput);
        quiet += now - lastFlush > stallMs ? Math.min(since, flushMs) : since;
        quiet = Math.max(0, quiet);
        lastFlush = now;
        return quiet;
    }
}
