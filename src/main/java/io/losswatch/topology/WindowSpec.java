package io.losswatch.topology;

import io.losswatch.config.LosswatchConfig;
import java.util.function.LongConsumer;

/** Tumbling or hopping event-time windows: which windows hold an event time, and when one is final. */
final class WindowSpec {
    final long sizeMs;
    final long advanceMs;
    final long graceMs;

    WindowSpec(LosswatchConfig config) {
        this.sizeMs = config.windowSize().toMillis();
        this.advanceMs = config.windowAdvance().toMillis();
        this.graceMs = config.windowGrace().toMillis();
    }

    /** Calls action with the start of every window [start, start + size) that holds eventTime, newest first. */
    void forEachStart(long eventTime, LongConsumer action) {
        long lastStart = eventTime - Math.floorMod(eventTime, advanceMs);
        for (long start = lastStart; start > eventTime - sizeMs && start >= 0; start -= advanceMs) {
            action.accept(start);
        }
    }

    /** A window is due once the clock (stream time or watermark) has passed its end plus the grace. */
    boolean isDue(long start, long clock) {
        return start + sizeMs + graceMs <= clock;
    }

    /** The latest window start that is due at clock. */
    long lastDueStart(long clock) {
        return clock - sizeMs - graceMs;
    }
}
