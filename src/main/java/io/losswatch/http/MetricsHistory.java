package io.losswatch.http;

import io.losswatch.event.Segment;
import io.losswatch.topology.PredictionMetrics;
import io.losswatch.topology.WindowMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * What the dashboard, the API and the gauges on /metrics show: per model and version the last
 * final windows (CONTRACT §6), the last final prediction-metrics records (§9) and alert records,
 * which rules are firing, and dead letters by reason and by the model they name. Bounded: at most
 * {@code windowsPerSeries} windows and as many prediction-metrics records, and {@code alertsPerSeries}
 * alerts per model and version (the oldest go first); the firing state survives the bound. Fed by
 * one thread ({@link TopicFeed}, or a test), read by many; every read returns a copy.
 *
 * <p>Each segment of a version (CONTRACT §11) is a series of its own under the version, with the same
 * bounds; the losswatch side caps the segments per field, so their number is bounded too.
 */
public final class MetricsHistory {
    /**
     * Model names taken from dead letters, at most: they come from input that was refused, so any
     * number of made-up names can arrive; the first ones are kept (as §11 does with segment values),
     * later new ones are counted by reason only.
     */
    static final int DEAD_LETTER_MODELS = 100;

    private final int windowsPerSeries;
    private final int alertsPerSeries;
    /** model → version → series; by hash (thousands of models are looked up per record), sorted where shown. */
    private final Map<String, Map<String, Series>> models = new HashMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    /** model → reason → dead letters whose record names that model. */
    private final Map<String, Map<String, Long>> deadLettersByModel = new TreeMap<>();
    private final List<BiConsumer<String, String>> seriesListeners = new CopyOnWriteArrayList<>();
    private long alertSeq;

    public MetricsHistory(int windowsPerSeries, int alertsPerSeries) {
        if (windowsPerSeries < 1 || alertsPerSeries < 1) {
            throw new IllegalArgumentException("history bounds must be positive");
        }
        this.windowsPerSeries = windowsPerSeries;
        this.alertsPerSeries = alertsPerSeries;
    }

    public static MetricsHistory of(HttpSettings settings) {
        return new MetricsHistory(settings.historyWindows(), settings.historyAlerts());
    }

    /** Calls listener with (model, version) for every series seen so far and every new one after. */
    public void onNewSeries(BiConsumer<String, String> listener) {
        List<String[]> known = new ArrayList<>();
        synchronized (this) {
            seriesListeners.add(listener);
            new TreeMap<>(models).forEach((m, versions) -> versions.keySet().forEach(v -> known.add(new String[] {m, v})));
        }
        known.forEach(k -> listener.accept(k[0], k[1]));
    }

    /** Keeps a final window; interim records ({@code "final": false}) are not history and are ignored. */
    public void addWindow(WindowMetrics window) {
        if (window != null && window.model() != null && window.finalResult()) {
            keep(window.model(), window.modelVersion(), window.segment(), window, s -> s.windows);
        }
    }

    /**
     * Keeps a final prediction-metrics record (CONTRACT §9); interim ones are ignored, as for windows.
     * It makes its model and version known even before any window of theirs is final.
     */
    public void addPredictions(PredictionMetrics predictions) {
        if (predictions != null && predictions.model() != null && predictions.finalResult()) {
            keep(predictions.model(), predictions.modelVersion(), predictions.segment(), predictions, s -> s.predictions);
        }
    }

    /** Puts a record of a window in its series (a replayed window replaces the kept one), the oldest going past the bound. */
    private <T> void keep(String model, String modelVersion, Segment segment, T record,
                          Function<Series, WindowRecords<T>> records) {
        String version = modelVersion == null ? "" : modelVersion;
        boolean created;
        synchronized (this) {
            Map<String, Series> versions = models.computeIfAbsent(model, m -> new TreeMap<>());
            Series whole = versions.get(version);
            created = whole == null;
            if (created) {
                whole = new Series();
                versions.put(version, whole);
            }
            Series s = segment == null ? whole : whole.segments.computeIfAbsent(segment, k -> new Series());
            records.apply(s).put(record, windowsPerSeries);
        }
        if (created) {
            announce(model, version);
        }
    }

    /**
     * Keeps an alert record (its seq is replaced by this history's arrival order). A FIRING record
     * starts its rule's alert, a RESOLVED one ends that rule's only: several rules can fire at once.
     */
    public void addAlert(AlertEntry alert) {
        boolean created;
        synchronized (this) {
            created = !hasSeries(alert.model(), alert.modelVersion());
            AlertEntry a = new AlertEntry(alert.model(), alert.modelVersion(), alert.status(), alert.meanLoss(),
                    alert.baseline(), alert.threshold(), alert.windowStart(), alert.windowEnd(), alertSeq++, alert.json());
            Series s = series(a.model(), a.modelVersion(), a.segment());
            s.alerts.addLast(a);
            while (s.alerts.size() > alertsPerSeries) {
                s.alerts.removeFirst();
            }
            s.lastAlert = a;
            if (a.firing()) {
                s.firingRules.add(a.rule());
            } else {
                s.firingRules.remove(a.rule());
            }
        }
        if (created) {
            announce(alert.model(), alert.modelVersion());
        }
    }

    public void addDeadLetter(String reason) {
        addDeadLetter(reason, null);
    }

    /** Counts a dead letter by reason, and by model when its record names one (null: it names none). */
    public synchronized void addDeadLetter(String reason, String model) {
        String r = reason == null || reason.isEmpty() ? "unknown" : reason;
        deadLetters.merge(r, 1L, Long::sum);
        if (model != null && (deadLettersByModel.containsKey(model) || deadLettersByModel.size() < DEAD_LETTER_MODELS)) {
            deadLettersByModel.computeIfAbsent(model, m -> new TreeMap<>()).merge(r, 1L, Long::sum);
        }
    }

    /** Whether the model was seen: in a window, a prediction-metrics record, an alert or a dead letter. */
    public synchronized boolean knows(String model) {
        return models.containsKey(model) || deadLettersByModel.containsKey(model);
    }

    public synchronized boolean knows(String model, String version) {
        return hasSeries(model, version);
    }

    /**
     * Every model seen (see {@link #knows(String)}), by name, each version with its latest final
     * window and what it still waits for. A model seen only in dead letters has no version.
     */
    public synchronized List<ModelView> models() {
        Set<String> names = new TreeSet<>(models.keySet());
        names.addAll(deadLettersByModel.keySet());
        List<ModelView> out = new ArrayList<>();
        for (String model : names) {
            List<VersionView> vs = new ArrayList<>();
            models.getOrDefault(model, Map.of()).forEach((version, s) -> vs.add(s.view(version)));
            out.add(new ModelView(model, firing(model), vs,
                    vs.stream().allMatch(VersionView::finalWindowPending),
                    new TreeMap<>(deadLettersByModel.getOrDefault(model, Map.of()))));
        }
        return out;
    }

    /**
     * The model's final windows with from ≤ window_start ≤ to, oldest first (versions of one window
     * by name), of one version when version is not null; empty when the model is unknown.
     */
    public synchronized Optional<List<WindowMetrics>> windows(String model, String version, long from, long to) {
        return windows(model, version, null, from, to);
    }

    /** As {@link #windows(String, String, long, long)}, of one segment (CONTRACT §11) when segment is not null. */
    public synchronized Optional<List<WindowMetrics>> windows(String model, String version, Segment segment, long from,
                                                              long to) {
        return kept(model, version, segment, from, to, s -> s.windows, WindowMetrics::windowStart);
    }

    /** As {@link #windows}, for the final prediction-metrics records (CONTRACT §9). */
    public synchronized Optional<List<PredictionMetrics>> predictions(String model, String version, long from, long to) {
        return predictions(model, version, null, from, to);
    }

    /** As {@link #predictions(String, String, long, long)}, of one segment when segment is not null. */
    public synchronized Optional<List<PredictionMetrics>> predictions(String model, String version, Segment segment,
                                                                      long from, long to) {
        return kept(model, version, segment, from, to, s -> s.predictions, PredictionMetrics::windowStart);
    }

    /** Whether any version of the model has records of the segment. */
    public synchronized boolean knows(String model, Segment segment) {
        return models.getOrDefault(model, Map.of()).values().stream().anyMatch(s -> s.segments.containsKey(segment));
    }

    private <T> Optional<List<T>> kept(String model, String version, Segment segment, long from, long to,
                                       Function<Series, WindowRecords<T>> records, ToLongFunction<T> windowStart) {
        if (!knows(model)) {
            return Optional.empty();
        }
        List<T> out = new ArrayList<>();
        models.getOrDefault(model, Map.of()).forEach((v, whole) -> {
            Series s = segment == null ? whole : whole.segments.get(segment);
            if ((version == null || version.equals(v)) && s != null) {
                out.addAll(records.apply(s).between(from, to));
            }
        });
        // versions come by name and the sort is stable: versions of one window stay by name
        out.sort(Comparator.comparingLong(windowStart));
        return Optional.of(out);
    }

    /**
     * Alert records kept, newest first (by window end, then arrival), of one model when model is not null;
     * its segments' alerts included.
     */
    public synchronized List<AlertEntry> alerts(String model) {
        List<AlertEntry> out = new ArrayList<>();
        models.forEach((m, versions) -> {
            if (model == null || model.equals(m)) {
                versions.values().forEach(s -> {
                    out.addAll(s.alerts);
                    s.segments.values().forEach(segment -> out.addAll(segment.alerts));
                });
            }
        });
        out.sort(Comparator.comparingLong(AlertEntry::windowEnd).thenComparingLong(AlertEntry::seq).reversed());
        return out;
    }

    /**
     * Whether any rule of any version of the model, or of one of its segments, is firing (its latest alert
     * of that rule is FIRING).
     */
    public synchronized boolean firing(String model) {
        Map<String, Series> versions = models.get(model);
        return versions != null && versions.values().stream().anyMatch(Series::firingAnywhere);
    }

    /** Mean loss of the latest final window of the series; NaN with no window or no labelled prediction in it. */
    public synchronized double latestMeanLoss(String model, String version) {
        Map<String, Series> versions = models.get(model);
        Series s = versions == null ? null : versions.get(version);
        return s == null ? Double.NaN : s.latestMeanLoss();
    }

    /** A row of losswatch_window_mean_loss: a version's (segment null) or one segment's latest final mean loss. */
    public record MeanLoss(String model, String modelVersion, Segment segment, double meanLoss) {
    }

    /** Every series' latest final mean loss (NaN as {@link #latestMeanLoss}), by model, version, then segment. */
    public synchronized List<MeanLoss> meanLosses() {
        List<MeanLoss> out = new ArrayList<>();
        new TreeMap<>(models).forEach((model, versions) -> versions.forEach((version, s) -> {
            out.add(new MeanLoss(model, version, null, s.latestMeanLoss()));
            s.sortedSegments().forEach((segment, series) ->
                    out.add(new MeanLoss(model, version, segment, series.latestMeanLoss())));
        }));
        return out;
    }

    /**
     * The newest window end of any model, final window or prediction-metrics record: "now" in event
     * time, for the dashboard's time range (prediction-metrics run ahead while labels are out).
     */
    public synchronized OptionalLong latestWindowEnd() {
        long latest = Long.MIN_VALUE;
        for (Map<String, Series> versions : models.values()) {
            for (Series s : versions.values()) {
                if (!s.windows.isEmpty()) {
                    latest = Math.max(latest, s.windows.last().windowEnd());
                }
                if (!s.predictions.isEmpty()) {
                    latest = Math.max(latest, s.predictions.last().windowEnd());
                }
            }
        }
        return latest == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(latest);
    }

    /** Dead letters seen, by reason. */
    public synchronized Map<String, Long> deadLetters() {
        return new TreeMap<>(deadLetters);
    }

    private boolean hasSeries(String model, String version) {
        Map<String, Series> versions = models.get(model);
        return versions != null && versions.containsKey(version);
    }

    private Series series(String model, String version) {
        return models.computeIfAbsent(model, m -> new TreeMap<>()).computeIfAbsent(version, v -> new Series());
    }

    private Series series(String model, String version, Segment segment) {
        Series whole = series(model, version);
        return segment == null ? whole : whole.segments.computeIfAbsent(segment, k -> new Series());
    }

    private void announce(String model, String version) {
        seriesListeners.forEach(l -> l.accept(model, version));
    }

    /**
     * A model in /api/models.
     *
     * @param finalWindowPending true while no version of the model has a final window (its labels are
     *                           out, or its windows have not closed; or it was seen in dead letters only)
     * @param deadLetters        dead letters whose record names this model, by reason
     */
    public record ModelView(String model, boolean firing, List<VersionView> versions, boolean finalWindowPending,
                            Map<String, Long> deadLetters) {
    }

    /**
     * A version of a model in /api/models: how many windows are kept and the latest one, and the same
     * for its prediction-metrics records.
     *
     * @param firingRules           the rules firing now, by name
     * @param finalWindowPending    true while the version has no final window yet
     * @param windowsAwaitingLabels prediction-metrics windows kept that start after the latest final
     *                              window: their estimate is out, their realized loss not yet
     */
    public record VersionView(String modelVersion, int windows, Long firstWindowStart, WindowMetrics latest,
                              boolean firing, AlertEntry lastAlert, List<String> firingRules,
                              boolean finalWindowPending, int predictionWindows, PredictionMetrics latestPredictions,
                              int windowsAwaitingLabels, List<SegmentView> segments) {
    }

    /**
     * A segment of a version (CONTRACT §11): as {@link VersionView} says of the version, with its own
     * firing rules (apart from the version's).
     */
    public record SegmentView(Segment segment, int windows, WindowMetrics latest, boolean firing,
                              List<String> firingRules, PredictionMetrics latestPredictions) {
        /** The latest final window's mean loss, or null (none, or no labelled prediction in it). */
        public Double latestMeanLoss() {
            return latest == null ? null : latest.meanLoss();
        }
    }

    private static final class Series {
        final WindowRecords<WindowMetrics> windows = new WindowRecords<>(WindowMetrics::windowStart);
        final WindowRecords<PredictionMetrics> predictions = new WindowRecords<>(PredictionMetrics::windowStart);
        final Deque<AlertEntry> alerts = new ArrayDeque<>();
        /** rules whose latest alert is FIRING. */
        final Set<String> firingRules = new TreeSet<>();
        /** The version's segments (CONTRACT §11); empty in a segment's own series. */
        final Map<Segment, Series> segments = new java.util.HashMap<>();
        AlertEntry lastAlert;

        boolean firing() {
            return !firingRules.isEmpty();
        }

        boolean firingAnywhere() {
            return firing() || segments.values().stream().anyMatch(Series::firing);
        }

        double latestMeanLoss() {
            Double mean = windows.isEmpty() ? null : windows.last().meanLoss();
            return mean == null ? Double.NaN : mean;
        }

        /** The segments by field, then value. */
        TreeMap<Segment, Series> sortedSegments() {
            TreeMap<Segment, Series> sorted = new TreeMap<>(
                    Comparator.comparing(Segment::field).thenComparing(Segment::value));
            sorted.putAll(segments);
            return sorted;
        }

        VersionView view(String version) {
            WindowMetrics latest = windows.last();
            int awaiting = latest == null ? predictions.size() : predictions.countAfter(latest.windowStart());
            List<SegmentView> segmentViews = new ArrayList<>();
            sortedSegments().forEach((segment, s) -> segmentViews.add(new SegmentView(segment, s.windows.size(),
                    s.windows.last(), s.firing(), List.copyOf(s.firingRules), s.predictions.last())));
            return new VersionView(version, windows.size(), windows.isEmpty() ? null : windows.first().windowStart(), latest,
                    firing(), lastAlert, List.copyOf(firingRules), latest == null, predictions.size(),
                    predictions.last(), awaiting, segmentViews);
        }
    }
}
