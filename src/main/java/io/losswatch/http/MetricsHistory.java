package io.losswatch.http;

import io.losswatch.topology.WindowMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * What the dashboard, the API and the gauges on /metrics show: per model and version the last
 * final windows and alert records, which models are firing, and dead letters by reason. Bounded:
 * at most {@code windowsPerSeries} windows and {@code alertsPerSeries} alerts per model and version
 * (the oldest go first); the firing state survives the bound. Fed by one thread ({@link TopicFeed},
 * or a test), read by many; every read returns a copy.
 */
public final class MetricsHistory {
    private final int windowsPerSeries;
    private final int alertsPerSeries;
    private final Map<String, Map<String, Series>> models = new TreeMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
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
            models.forEach((m, versions) -> versions.keySet().forEach(v -> known.add(new String[] {m, v})));
        }
        known.forEach(k -> listener.accept(k[0], k[1]));
    }

    /** Keeps a final window; interim records ({@code "final": false}) are not history and are ignored. */
    public void addWindow(WindowMetrics window) {
        if (window == null || window.model() == null || !window.finalResult()) {
            return;
        }
        String version = window.modelVersion() == null ? "" : window.modelVersion();
        boolean created;
        synchronized (this) {
            created = !hasSeries(window.model(), version);
            Series s = series(window.model(), version);
            s.windows.put(window.windowStart(), window);
            while (s.windows.size() > windowsPerSeries) {
                s.windows.pollFirstEntry();
            }
        }
        if (created) {
            announce(window.model(), version);
        }
    }

    /** Keeps an alert record (its seq is replaced by this history's arrival order). */
    public void addAlert(AlertEntry alert) {
        boolean created;
        synchronized (this) {
            created = !hasSeries(alert.model(), alert.modelVersion());
            AlertEntry a = new AlertEntry(alert.model(), alert.modelVersion(), alert.status(), alert.meanLoss(),
                    alert.baseline(), alert.threshold(), alert.windowStart(), alert.windowEnd(), alertSeq++, alert.json());
            Series s = series(a.model(), a.modelVersion());
            s.alerts.addLast(a);
            while (s.alerts.size() > alertsPerSeries) {
                s.alerts.removeFirst();
            }
            s.lastAlert = a;
        }
        if (created) {
            announce(alert.model(), alert.modelVersion());
        }
    }

    public synchronized void addDeadLetter(String reason) {
        deadLetters.merge(reason == null || reason.isEmpty() ? "unknown" : reason, 1L, Long::sum);
    }

    public synchronized boolean knows(String model) {
        return models.containsKey(model);
    }

    public synchronized boolean knows(String model, String version) {
        return hasSeries(model, version);
    }

    /** Every model and version seen, by name, each version with its latest final window. */
    public synchronized List<ModelView> models() {
        List<ModelView> out = new ArrayList<>();
        models.forEach((model, versions) -> {
            List<VersionView> vs = new ArrayList<>();
            versions.forEach((version, s) -> vs.add(s.view(version)));
            out.add(new ModelView(model, vs.stream().anyMatch(VersionView::firing), vs));
        });
        return out;
    }

    /**
     * The model's final windows with from ≤ window_start ≤ to, oldest first (versions of one window
     * by name), of one version when version is not null; empty when the model is unknown.
     */
    public synchronized Optional<List<WindowMetrics>> windows(String model, String version, long from, long to) {
        Map<String, Series> versions = models.get(model);
        if (versions == null) {
            return Optional.empty();
        }
        List<WindowMetrics> out = new ArrayList<>();
        versions.forEach((v, s) -> {
            if (version == null || version.equals(v)) {
                out.addAll(s.windows.subMap(from, true, to, true).values());
            }
        });
        out.sort(Comparator.comparingLong(WindowMetrics::windowStart).thenComparing(WindowMetrics::modelVersion));
        return Optional.of(out);
    }

    /** Alert records kept, newest first (by window end, then arrival), of one model when model is not null. */
    public synchronized List<AlertEntry> alerts(String model) {
        List<AlertEntry> out = new ArrayList<>();
        models.forEach((m, versions) -> {
            if (model == null || model.equals(m)) {
                versions.values().forEach(s -> out.addAll(s.alerts));
            }
        });
        out.sort(Comparator.comparingLong(AlertEntry::windowEnd).thenComparingLong(AlertEntry::seq).reversed());
        return out;
    }

    /** Whether any version of the model is in the alerting state (its latest alert is FIRING). */
    public synchronized boolean firing(String model) {
        Map<String, Series> versions = models.get(model);
        return versions != null && versions.values().stream().anyMatch(Series::firing);
    }

    /** Mean loss of the latest final window of the series; NaN with no window or no labelled prediction in it. */
    public synchronized double latestMeanLoss(String model, String version) {
        Map<String, Series> versions = models.get(model);
        Series s = versions == null ? null : versions.get(version);
        if (s == null || s.windows.isEmpty()) {
            return Double.NaN;
        }
        Double mean = s.windows.lastEntry().getValue().meanLoss();
        return mean == null ? Double.NaN : mean;
    }

    /** The newest window end of any model: "now" in event time, for the dashboard's time range. */
    public synchronized OptionalLong latestWindowEnd() {
        return models.values().stream().flatMap(v -> v.values().stream())
                .filter(s -> !s.windows.isEmpty())
                .mapToLong(s -> s.windows.lastEntry().getValue().windowEnd())
                .max();
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

    private void announce(String model, String version) {
        seriesListeners.forEach(l -> l.accept(model, version));
    }

    /** A model in /api/models. */
    public record ModelView(String model, boolean firing, List<VersionView> versions) {
    }

    /** A version of a model in /api/models: how many windows are kept and the latest one. */
    public record VersionView(String modelVersion, int windows, Long firstWindowStart, WindowMetrics latest,
                              boolean firing, AlertEntry lastAlert) {
    }

    private static final class Series {
        final TreeMap<Long, WindowMetrics> windows = new TreeMap<>();
        final Deque<AlertEntry> alerts = new ArrayDeque<>();
        AlertEntry lastAlert;

        boolean firing() {
            return lastAlert != null && lastAlert.firing();
        }

        VersionView view(String version) {
            return new VersionView(version, windows.size(), windows.isEmpty() ? null : windows.firstKey(),
                    windows.isEmpty() ? null : windows.lastEntry().getValue(), firing(), lastAlert);
        }
    }
}
