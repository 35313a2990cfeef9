package io.losswatch.replay;

import io.losswatch.config.ConfigException;
import io.losswatch.config.LosswatchConfig;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Which input a replay of the event-time range [from, to) reads and feeds, and which windows it prints
 * (CONTRACT §12). Pure: times in epoch ms, margins from the settings.
 *
 * <ul>
 *   <li>Printed: the final windows (and alerts) whose window_start is in [from, to).</li>
 *   <li>Predictions fed: event time in [from − lead-in, to + lead-out). The lead-in is the join window,
 *       rounded down to a window start: a label at or after {@code from} may belong to a prediction up to
 *       a join window earlier, which must be there to be joined (else it would be dead-lettered as
 *       unmatched). Its windows are not printed; they warm up the alert baseline and the calibration as
 *       the live application's history had. The lead-out (join window + join grace + window size + window
 *       grace) holds every prediction whose label or whose closing can still change a printed window, so
 *       the printed windows close in the order and with the labels they had live.</li>
 *   <li>Labels fed: event time in [from, to + lead-out). An earlier label can only belong to a prediction
 *       before the lead-in.</li>
 *   <li>Kafka: reading starts at the first offset with a record timestamp at or after the feed's start
 *       minus {@code losswatch.input.max.future} (a record's event time may be ahead of the producer's
 *       clock by up to that much; more is rejected live anyway) and stops at the end offsets when the
 *       replay starts, or at the first record timestamp at or after the feed's end plus that skew.</li>
 * </ul>
 * Without {@code from} (a file) everything before {@code to} is fed and printed; without {@code to},
 * everything after {@code from}.
 */
public record ReplayRange(long from, long to, long leadIn, long leadOut, long skew) {
    /** An open end. */
    public static final long NONE_BEFORE = Long.MIN_VALUE;
    public static final long NONE_AFTER = Long.MAX_VALUE;

    public static ReplayRange of(Long from, Long to, LosswatchConfig config) {
        long f = from == null ? NONE_BEFORE : from;
        long t = to == null ? NONE_AFTER : to;
        if (f != NONE_BEFORE && t != NONE_AFTER && t <= f) {
            throw new ConfigException("--to " + Instant.ofEpochMilli(t) + ": expected a time after --from "
                    + Instant.ofEpochMilli(f));
        }
        long joinWindow = config.joinWindow().toMillis();
        long leadOut = joinWindow + config.joinGrace().toMillis() + config.windowSize().toMillis()
                + config.windowGrace().toMillis();
        long advance = config.windowAdvance().toMillis();
        long leadIn = 0;
        if (f != NONE_BEFORE) {
            long start = f - joinWindow;
            leadIn = f - (start - Math.floorMod(start, advance));
        }
        return new ReplayRange(f, t, leadIn, leadOut, config.inputMaxFuture().toMillis());
    }

    /** Parses a --from/--to time: an ISO-8601 instant (offsets allowed), as §4 timestamps are written. */
    public static long parseTime(String option, String value) {
        try {
            return OffsetDateTime.parse(value.strip()).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new ConfigException(option + " " + value
                    + ": expected an ISO-8601 instant such as 2026-11-24T06:00:00Z (offsets allowed)");
        }
    }

    /** First event time of the predictions fed. */
    public long predictionsFrom() {
        return from == NONE_BEFORE ? NONE_BEFORE : from - leadIn;
    }

    /** First event time of the labels fed. */
    public long labelsFrom() {
        return from;
    }

    /** Event times at or after this are not fed. */
    public long feedEnd() {
        return to == NONE_AFTER ? NONE_AFTER : saturatedAdd(to, leadOut);
    }

    public boolean feedsPrediction(long eventTime) {
        return eventTime >= predictionsFrom() && eventTime < feedEnd();
    }

    public boolean feedsLabel(long eventTime) {
        return eventTime >= labelsFrom() && eventTime < feedEnd();
    }

    /** Whether a window (or an alert about it) starting there is printed. */
    public boolean prints(long windowStart) {
        return windowStart >= from && windowStart < to;
    }

    /** The record timestamp Kafka reading starts at, for predictions (true) or labels. */
    public long kafkaStart(boolean predictions) {
        long start = predictions ? predictionsFrom() : labelsFrom();
        return start == NONE_BEFORE ? 0 : Math.max(0, start - skew);
    }

    /** A partition is read no further once a record timestamp reaches this. */
    public long kafkaStop() {
        return saturatedAdd(feedEnd(), skew);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? NONE_AFTER : r;
    }
}
