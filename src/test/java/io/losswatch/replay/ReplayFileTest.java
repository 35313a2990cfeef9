package io.losswatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.runtime.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code replay --predictions-file F [--labels-file F]} (CONTRACT §12) on JSON-lines exports, no Kafka at
 * all. Expected figures are computed by hand (the log losses written out next to them) or by an oracle in
 * the test from the documented rules; none is taken from the replay's own output.
 */
class ReplayFileTest {
    /** 2025-11-24T16:00:00Z, a whole minute. */
    private static final long T0 = 1_764_000_000_000L;
    private static final long MIN = 60_000;

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
        List<JsonNode> lines(String kind) {
            return ReplayLines.of(out, kind);
        }
    }

    private Result replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ReplayCommand command = new ReplayCommand();
        new CommandLine(command).parseArgs(args);
        int exit = new ReplayCommand.Replay(command, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run();
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, List<String> lines) throws IOException {
        return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
    }

    private Path config(String... lines) throws IOException {
        return write("losswatch.properties", List.of(lines));
    }

    private static String prediction(String id, long t, double p, Integer label) {
        return "{\"prediction_id\":\"" + id + "\",\"model\":\"m\",\"model_version\":\"v1\",\"timestamp\":" + t
                + ",\"prediction\":" + p + (label == null ? "" : ",\"label\":" + label) + "}";
    }

    private static String label(String id, long t, int y) {
        return "{\"prediction_id\":\"" + id + "\",\"label\":" + y + ",\"timestamp\":" + t + "}";
    }

    @Test
    void aHandComputedWindowFromAnExportWithItsLabelsAndItsBadLines() throws IOException {
        Path predictions = write("predictions.jsonl", List.of(
                prediction("a", T0 + 1_000, 0.9, 1),     // inline label: -ln 0.9 = 0.105360516
                prediction("b", T0 + 2_000, 0.2, 0),     // inline label: -ln 0.8 = 0.223143551
                prediction("c", T0 + 3_000, 0.6, null),  // labelled 1 below: -ln 0.6 = 0.510825624
                prediction("d", T0 + 4_000, 0.7, null),  // never labelled
                "{\"model\": \"m\", \"prediction\": ",    // cut off: invalid_json
                "",                                       // blank lines are skipped
                prediction("e", T0 + 5_000, 1.5, 1)));   // out_of_range
        Path labels = write("labels.jsonl", List.of(
                label("c", T0 + 20_000, 1),
                label("zzz", T0 + 21_000, 1)));           // no such prediction: unmatched_label
        Result r = replay("--config", config().toString(), "--predictions-file", predictions.toString(),
                "--labels-file", labels.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> metrics = r.lines("metrics");
        assertThat(metrics).hasSize(1);
        JsonNode w = metrics.get(0);
        assertThat(w.get("model").asText()).isEqualTo("m");
        assertThat(w.get("model_version").asText()).isEqualTo("v1");
        assertThat(w.get("window_start").asLong()).isEqualTo(T0);
        assertThat(w.get("window_end").asLong()).isEqualTo(T0 + MIN);
        assertThat(w.get("count").asLong()).isEqualTo(3);
        assertThat(w.get("unlabelled").asLong()).isEqualTo(1);
        assertThat(w.get("final").asBoolean()).isTrue();
        double mean = (0.105360516 + 0.223143551 + 0.510825624) / 3;
        assertThat(w.get("mean_loss").asDouble()).isCloseTo(mean, within(1e-8));
        assertThat(w.get("min_loss").asDouble()).isCloseTo(0.105360516, within(1e-8));
        assertThat(w.get("max_loss").asDouble()).isCloseTo(0.510825624, within(1e-8));
        List<JsonNode> predictionMetrics = r.lines("prediction_metrics");
        assertThat(predictionMetrics).hasSize(1);
        assertThat(predictionMetrics.get(0).get("predictions").asLong()).isEqualTo(4);
        assertThat(predictionMetrics.get(0).get("mean_prediction").asDouble())
                .isCloseTo((0.9 + 0.2 + 0.6 + 0.7) / 4, within(1e-12));
        assertThat(r.lines("alert")).isEmpty();
        assertThat(r.err()).contains("read 6 predictions and 2 labels; fed 8")
                .contains("windows: 1 metrics, 1 prediction_metrics")
                .contains("dead letters: invalid_json 1, out_of_range 1, unmatched_label 1");
    }

    /**
     * KServe responses (CONTRACT §10) need their headers: in a file each line is the record as {@code kcat -J}
     * prints it. One response of two predictions (ids r1-0 and r1-1), one request (skipped and counted), and
     * their labels: -ln 0.9 = 0.105360516 and -ln 0.8 = 0.223143551, mean 0.164252033.
     */
    @Test
    void kserveResponsesAreReadFromKcatEnvelopes() throws IOException {
        String headers = "\"ce_inferenceservicename\",\"churn\",\"ce_id\",\"r1\",\"ce_time\",\"2025-11-24T16:00:01Z\"";
        Path predictions = write("kserve.jsonl", List.of(
                "{\"topic\":\"predictions\",\"partition\":0,\"offset\":0,\"ts\":" + (T0 + 1_000) + ",\"key\":null,"
                        + "\"headers\":[\"ce_type\",\"org.kubeflow.serving.inference.request\"," + headers + "],"
                        + "\"payload\":\"{\\\"instances\\\":[[1,2],[3,4]]}\"}",
                "{\"topic\":\"predictions\",\"partition\":0,\"offset\":1,\"ts\":" + (T0 + 1_000) + ",\"key\":null,"
                        + "\"headers\":[\"ce_type\",\"org.kubeflow.serving.inference.response\"," + headers + "],"
                        + "\"payload\":\"{\\\"predictions\\\":[0.9,0.2]}\"}"));
        Path labels = write("labels.jsonl", List.of(label("r1-0", T0 + 5_000, 1), label("r1-1", T0 + 6_000, 0)));
        Result r = replay("--config", config("losswatch.input.predictions.format=kserve").toString(),
                "--predictions-file", predictions.toString(), "--labels-file", labels.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> metrics = r.lines("metrics");
        assertThat(metrics).hasSize(1);
        assertThat(metrics.get(0).get("model").asText()).isEqualTo("churn");
        assertThat(metrics.get(0).get("count").asLong()).isEqualTo(2);
        assertThat(metrics.get(0).get("mean_loss").asDouble()).isCloseTo(0.164252033, within(1e-8));
        assertThat(r.err()).contains("skipped (not dead-lettered): kserve_request 1");
    }

    @Test
    void fromAndToChooseTheWindowsAndAnEmptyRangeSaysSoAndExitsZero() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int w = 0; w < 5; w++) {
            lines.add(prediction("p" + w, T0 + w * MIN + 10_000, 0.5, 1));
        }
        Path predictions = write("predictions.jsonl", lines);
        Result r = replay("--config", config().toString(), "--predictions-file", predictions.toString(),
                "--from", "2025-11-24T16:01:00Z", "--to", "2025-11-24T16:03:00Z");
        assertThat(r.exit()).isZero();
        assertThat(r.lines("metrics").stream().map(m -> (m.get("window_start").asLong() - T0) / MIN).toList())
                .containsExactly(1L, 2L);

        Result empty = replay("--config", config().toString(), "--predictions-file", predictions.toString(),
                "--from", "2026-01-01T00:00:00Z");
        assertThat(empty.exit()).isZero();
        assertThat(empty.out()).isEmpty();
        assertThat(empty.err()).contains("the range holds no data");
    }

    @Test
    void badSettingsAndTimesExitTwoWithOneLine() throws IOException {
        Path predictions = write("predictions.jsonl", List.of(prediction("a", T0, 0.5, 1)));
        Path config = config();
        for (String[] args : List.of(
                new String[] {"replay", "--config", config.toString(), "--predictions-file", predictions.toString(),
                        "--from", "yesterday"},
                new String[] {"replay", "--config", config.toString(), "--predictions-file", predictions.toString(),
                        "--set", "losswatch.window.size=soon"},
                new String[] {"replay", "--config", config.toString(), "--predictions-file", predictions.toString(),
                        "--sweep", "losswatch.alert.relative.z=3,x"},
                new String[] {"replay", "--config", config.toString()})) {
            PrintStream savedErr = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit;
            try {
                exit = Main.execute(args);
            } finally {
                System.setErr(savedErr);
            }
            String text = err.toString(StandardCharsets.UTF_8);
            assertThat(exit).as(text).isEqualTo(2);
            assertThat(text.strip().lines().count()).as(text).isEqualTo(1);
        }
    }

    @Test
    void theSameInputAndSettingsGiveTheSameBytes() throws IOException {
        Random random = new Random(7);
        List<String> predictions = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            long t = T0 + i * 150L + random.nextInt(2_000);
            double p = Math.round(random.nextDouble() * 1000) / 1000.0;
            String model = "m" + (i % 3);
            String id = "p" + i;
            if (i % 2 == 0) {
                predictions.add("{\"prediction_id\":\"" + id + "\",\"model\":\"" + model + "\",\"timestamp\":" + t
                        + ",\"prediction\":" + p + ",\"label\":" + (random.nextDouble() < p ? 1 : 0) + "}");
            } else {
                predictions.add("{\"prediction_id\":\"" + id + "\",\"model\":\"" + model + "\",\"timestamp\":" + t
                        + ",\"prediction\":" + p + "}");
                if (random.nextInt(10) > 0) {
                    labels.add(label(id, t + 5_000 + random.nextInt(30_000), random.nextDouble() < p ? 1 : 0));
                }
            }
        }
        Path p = write("predictions.jsonl", predictions);
        Path l = write("labels.jsonl", labels);
        Path config = config("losswatch.join.window=PT2M", "losswatch.estimate.min.labelled=200",
                "losswatch.alert.warmup.windows=2");
        Result first = replay("--config", config.toString(), "--predictions-file", p.toString(), "--labels-file", l.toString());
        Result second = replay("--config", config.toString(), "--predictions-file", p.toString(), "--labels-file", l.toString());
        assertThat(first.lines("metrics")).hasSizeGreaterThan(3 * 10);
        assertThat(first.out()).isEqualTo(second.out());
        assertThat(first.out().getBytes(StandardCharsets.UTF_8)).isEqualTo(second.out().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A model whose every prediction in a window has the same score and a label of 1, so every loss in a window
     * is -ln p: windows 0–9 p 0.8 (0.223), 10–13 p 0.4 (0.916), 14–19 0.8, 20–23 p 0.2 (1.609), 24–29 0.8.
     * The absolute rule alone (the relative and sequential rules off), 2 consecutive windows to fire, 4 to
     * resolve below 0.9 × threshold (docs/alerting.md): threshold 0.5 fires in window 11 (10 and 11 above),
     * resolves in 17 (14–17 at 0.223 &lt; 0.45) and fires again in 21; threshold 1.2 fires in 21 only.
     */
    @Test
    void aSweepOfTheAbsoluteThresholdGivesTwoDifferentCorrectAlertCounts() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int w = 0; w < 30; w++) {
            double p = w >= 10 && w <= 13 ? 0.4 : w >= 20 && w <= 23 ? 0.2 : 0.8;
            for (int i = 0; i < 120; i++) {
                lines.add(prediction("w" + w + "-" + i, T0 + w * MIN + i * 500L, p, 1));
            }
        }
        Path predictions = write("predictions.jsonl", lines);
        Path config = config("losswatch.alert.relative.enabled=false", "losswatch.alert.sequential.enabled=false");
        Result r = replay("--config", config.toString(), "--predictions-file", predictions.toString(),
                "--sweep", "losswatch.alert.absolute.threshold=0.5,1.2");
        assertThat(r.exit()).as(r.err()).isZero();

        List<JsonNode> absolute = r.lines("alert").stream()
                .filter(a -> a.get("rule").asText().equals("absolute_threshold")).toList();
        List<String> low = summary(absolute, "0.5");
        List<String> high = summary(absolute, "1.2");
        assertThat(low).containsExactly("FIRING@11", "RESOLVED@17", "FIRING@21", "RESOLVED@27");
        assertThat(high).containsExactly("FIRING@21", "RESOLVED@27");
        // every line carries its combination; 30 windows printed for each
        assertThat(r.lines("metrics")).hasSize(60).allSatisfy(m -> assertThat(m.get("settings").has(
                "losswatch.alert.absolute.threshold")).isTrue());
        assertThat(r.err()).contains("sweep: FIRING alerts by rule")
                .containsPattern("losswatch.alert.absolute.threshold=0.5 +\\d+ alert\\(s\\): .*absolute_threshold 2 "
                        + "\\(m 2025-11-24T16:11:00Z, m 2025-11-24T16:21:00Z\\)")
                .containsPattern("losswatch.alert.absolute.threshold=1.2 +\\d+ alert\\(s\\): .*absolute_threshold 1 "
                        + "\\(m 2025-11-24T16:21:00Z\\)");
    }

    private static List<String> summary(List<JsonNode> alerts, String threshold) {
        return alerts.stream()
                .filter(a -> a.get("settings").get("losswatch.alert.absolute.threshold").asText().equals(threshold))
                .map(a -> a.get("status").asText() + "@" + (a.get("window_start").asLong() - T0) / MIN).toList();
    }

}
