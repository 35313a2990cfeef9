package io.losswatch.event;

import java.util.List;

/**
 * What a mapped input record gives (CONTRACT §10): its events (a KServe response holds several), the
 * reason it is dead-lettered, or the reason it is skipped (counted, not dead-lettered).
 */
public sealed interface ReadResult<T> {
    record Events<T>(List<T> events) implements ReadResult<T> {
        public Events {
            events = List.copyOf(events);
        }
    }

    record Rejected<T>(Rejection rejection) implements ReadResult<T> {
    }

    /** A record of another kind that this topic may carry (a KServe request), with a short reason code. */
    record Skipped<T>(String reason) implements ReadResult<T> {
    }
}
