package io.losswatch.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.losswatch.topology.Json;
import io.losswatch.topology.PredictionMetrics;
import io.losswatch.topology.WindowMetrics;

/** Window, prediction-metrics and alert records as the topics carry them, for feeding a history by hand. */
final class Fixtures {
    static final long T0 = 1_764_000_000_000L; // a whole minute
    static final long MINUTE = 60_000L;

    private Fixtures() {
    }

    static WindowMetrics window(String model, String version, int minute, Double mean, long count) {
        return window(model, version, T0 + minute * MINUTE, MINUTE, mean, count);
    }

    /** A final window of any size (ms) starting at start (epoch ms). */
    static WindowMetrics window(String model, String version, long start, long size, Double mean, long count) {
        return new WindowMetrics(model, version, "log_loss", start, start + size, count, mean,
                mean == null ? null : mean / 2, mean == null ? null : mean * 2, mean == null ? null : 0.1,
                0, true, 0, 0, null, null, null, null, null, null, null);
    }

    /**
     * A final prediction-metrics record (CONTRACT §9) of 100 predictions, 10 of them labelled; the
     * estimate's interval is ±10% around it.
     */
    static PredictionMetrics predictions(String model, String version, int minute, Double estimate, Double psi) {
        long start = T0 + minute * MINUTE;
        return new PredictionMetrics(model, version, "log_loss", start, start + MINUTE, 100, 10, 0.3, psi, estimate,
                estimate == null ? null : estimate * 0.9, estimate == null ? null : estimate * 1.1, 5000, true);
    }

    static WindowMetrics interim(String model, String version, int minute, double mean) {
        WindowMetrics w = window(model, version, minute, mean, 1);
        return new WindowMetrics(w.model(), w.modelVersion(), w.lossFunction(), w.windowStart(), w.windowEnd(),
                w.count(), w.meanLoss(), w.minLoss(), w.maxLoss(), w.stddevLoss(), w.unlabelled(), false, 0, 0,
                null, null, null, null, null, null, null);
    }

    static ObjectNode alertJson(String model, String version, String status, int minute, double mean) {
        return alertJson(model, version, status, "relative_to_baseline", minute, mean);
    }

    static ObjectNode alertJson(String model, String version, String status, String rule, int minute, double mean) {
        long start = T0 + minute * MINUTE;
        ObjectNode a = Json.MAPPER.createObjectNode();
        a.put("model", model).put("model_version", version).put("status", status).put("rule", rule)
                .put("mean_loss", mean).put("baseline", 0.3).put("threshold", 0.45)
                .put("window_start", start).put("window_end", start + MINUTE)
                .put("message", model + " " + status.toLowerCase());
        return a;
    }

    static AlertEntry alert(String model, String version, String status, int minute, double mean) {
        return AlertEntry.of(alertJson(model, version, status, minute, mean), 0).orElseThrow();
    }

    static AlertEntry alert(String model, String version, String status, String rule, int minute, double mean) {
        return AlertEntry.of(alertJson(model, version, status, rule, minute, mean), 0).orElseThrow();
    }
}
