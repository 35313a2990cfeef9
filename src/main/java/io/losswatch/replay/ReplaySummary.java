package io.losswatch.replay;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The summary of one replay on stderr, and the table of a sweep's combinations. */
final class ReplaySummary {
    private final Map<String, String> settings;
    private final ReplayRange range;
    private final ReplayCounts counts;
    private final long nanos;

    ReplaySummary(Map<String, String> settings, ReplayRange range, ReplayCounts counts, long nanos) {
        this.settings = settings;
        this.range = range;
        this.counts = counts;
        this.nanos = nanos;
    }

    void print(PrintStream err) {
        String head = settings.isEmpty() ? "replay" : "replay with " + settingsText();
        err.println(head + ": " + rangeText());
        if (counts.fed() == 0) {
            err.printf(Locale.ROOT, "  the range holds no data: no prediction or label with an event time in it"
                    + " (%,d predictions and %,d labels read around it)%n", counts.predictionsRead, counts.labelsRead);
            return;
        }
        err.printf(Locale.ROOT, "  read %,d predictions and %,d labels; fed %,d (%,d predictions and %,d labels outside"
                        + " the range and its lead-in/lead-out left out)%n", counts.predictionsRead, counts.labelsRead,
                counts.fed(), counts.predictionsOutside, counts.labelsOutside);
        err.printf(Locale.ROOT, "  windows: %,d metrics, %,d prediction_metrics (final, window_start in the range)%n",
                counts.metrics, counts.predictionMetrics);
        err.println("  alerts: " + (counts.firing.isEmpty() && counts.resolved == 0 ? "none"
                : firingText() + "; " + counts.resolved + " RESOLVED"));
        err.println("  dead letters: " + (counts.deadLetters.isEmpty() ? "none" : countsText(counts.deadLetters))
                + (counts.skipped.isEmpty() ? "" : "; skipped (not dead-lettered): " + countsText(counts.skipped)));
        double seconds = nanos / 1e9;
        err.printf(Locale.ROOT, "  %,d events in %.1f s: %,.0f events/s%n", counts.fed(), seconds, counts.fed() / seconds);
        if (counts.cpuIntake > 0) {
            err.printf(Locale.ROOT, "  CPU by thread: reading %.1f s, intake %.1f s, joins, windows and alerts %.1f s%n",
                    counts.cpuReading / 1e9, counts.cpuIntake / 1e9, counts.cpuAggregation / 1e9);
        }
    }

    /** For each combination: the FIRING alerts by rule, with their windows. */
    static void printSweep(List<ReplaySummary> summaries, PrintStream err) {
        err.println("sweep: FIRING alerts by rule (model and window start, UTC) per combination");
        int width = summaries.stream().mapToInt(s -> s.settingsText().length()).max().orElse(0);
        for (ReplaySummary s : summaries) {
            err.printf(Locale.ROOT, "  %-" + width + "s  %s%n", s.settingsText(), s.firingTotal() + " alert(s)"
                    + (s.counts.firing.isEmpty() ? "" : ": " + s.firingText()));
        }
    }

    private long firingTotal() {
        return counts.firing.values().stream().mapToLong(List::size).sum();
    }

    private String firingText() {
        if (counts.firing.isEmpty()) {
            return "0 FIRING";
        }
        return counts.firing.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().size() + " ("
                + e.getValue().stream().map(f -> f.model() + " " + time(f.windowStart())).collect(Collectors.joining(", "))
                + ")")
                .collect(Collectors.joining("; "));
    }

    private String settingsText() {
        return settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private String rangeText() {
        String from = range.from() == ReplayRange.NONE_BEFORE ? "the start of the input" : time(range.from());
        String to = range.to() == ReplayRange.NONE_AFTER ? "the end of the input" : time(range.to());
        String lead = range.from() == ReplayRange.NONE_BEFORE ? ""
                : " (predictions from " + time(range.predictionsFrom()) + " for the labels of the first windows)";
        return "windows from " + from + " to " + to + lead;
    }

    private static String countsText(Map<String, Long> byReason) {
        return byReason.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String time(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }
}
