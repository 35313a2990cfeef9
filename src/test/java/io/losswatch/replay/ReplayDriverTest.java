package io.losswatch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.topology.EndOfInput;
import io.losswatch.topology.LosswatchTopology;
import io.losswatch.topology.PipelineListener;
import io.losswatch.topology.Storage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay's own driver ({@link ReplayDriver}: a task per sub-topology, two threads, commits at clock
 * steps, stores of objects) against Kafka Streams' {@code TopologyTestDriver} running the same topology with
 * the stores {@code run} uses (RocksDB, serialised, logged), fed the same records at the same wall-clock
 * steps: every final window, prediction-metrics record and alert must be the same. The input is built to
 * reach every step: labels in a separate file arriving up to two minutes late and some never, duplicates,
 * malformed lines, two segment fields with a capped one, a model that degrades so the alerts fire, and a
 * few seconds of event-time disorder.
 */
class ReplayDriverTest {
    private static final long T0 = 1_764_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void theReplaysDriverPublishesWhatKafkaStreamsTestDriverPublishesForTheSameInput() throws IOException {
        Path predictions = dir.resolve("predictions.jsonl");
        Path labels = dir.resolve("labels.jsonl");
        writeTraffic(predictions, labels, new Random(20261207));
        Path config = Files.writeString(dir.resolve("losswatch.properties"), String.join("\n",
                "bootstrap.servers=localhost:1",
                "losswatch.segment.fields=country,device",
                "losswatch.segment.max.values=4",
                "losswatch.join.window=PT2M",
                "losswatch.alert.warmup.windows=3",
                "losswatch.alert.min.count=20",
                "losswatch.estimate.min.labelled=20",
                ""));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ReplayCommand command = new ReplayCommand();
        new picocli.CommandLine(command).parseArgs("--config", config.toString(),
                "--predictions-file", predictions.toString(), "--labels-file", labels.toString());
        int exit = new ReplayCommand.Replay(command, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run();
        String replayed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();

        Reference reference = reference(LosswatchConfig.load(config, Map.of(), Map.of()), predictions, labels);

        List<JsonNode> metrics = ReplayLines.of(replayed, "metrics");
        List<JsonNode> predictionMetrics = ReplayLines.of(replayed, "prediction_metrics");
        List<JsonNode> alerts = ReplayLines.of(replayed, "alert");
        // the input reaches what it is meant to: segment windows, alerts, late labels
        assertThat(metrics).hasSizeGreaterThan(100);
        assertThat(metrics).anySatisfy(m -> assertThat(m.path("segment").path("country").asText()).isEqualTo("__other__"));
        assertThat(alerts).anySatisfy(a -> assertThat(a.get("status").asText()).isEqualTo("FIRING"));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("invalid_json").contains("duplicate_prediction");

        assertSame(byKey(metrics), byKey(reference.metrics));
        assertSame(byKey(predictionMetrics), byKey(reference.predictionMetrics));
        assertThat(alerts).hasSameSizeAs(reference.alerts);
        assertSame(byKey(alerts), byKey(reference.alerts));
    }

    /**
     * A failure in the second thread (here its drain callback) reaches the caller as itself, once, through a
     * try-with-resources close, and close waits for that thread before closing the tasks.
     */
    @Test
    void aFailureInTheSecondThreadReachesTheCallerAsItself() throws IOException {
        LosswatchConfig config = LosswatchConfig.load(Files.writeString(dir.resolve("c.properties"),
                "bootstrap.servers=localhost:1\n"), Map.of(), Map.of());
        Properties props = LosswatchTopology.streamsProperties(config.kafkaProperties(), config.topics().dlq());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, ReplayRun.APPLICATION_ID);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(dir.resolve("state2")).toString());
        IllegalStateException failure = new IllegalStateException("drain failed");
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> {
            try (ReplayDriver driver = new ReplayDriver(LosswatchTopology.build(config, PipelineListener.NONE, 1,
                    Storage.IN_MEMORY), props, T0, () -> {
                        throw failure;
                    })) {
                for (int i = 0; i < 5_000; i++) {
                    driver.pipe(config.topics().predictions(), null, ("{\"model\":\"m\",\"prediction\":0.5,\"timestamp\":"
                            + (T0 + i) + "}").getBytes(StandardCharsets.UTF_8), new org.apache.kafka.common.header.internals.RecordHeaders(), T0 + i);
                    driver.advanceWallClockTime(T0 + i * 100L, true);
                }
            }
        });
        assertThat(thrown).isSameAs(failure);
        assertThat(thrown.getSuppressed()).isEmpty();
    }

    /** Three models of two versions; "fraud" degrades from minute 12; labels 5 s to 2 min late, 10% never. */
    private static void writeTraffic(Path predictions, Path labels, Random random) throws IOException {
        String[] models = {"fraud", "ctr", "churn"};
        String[] countries = {"DE", "FR", "GB", "ES", "IT", "NL"};
        String[] devices = {"ios", "android", "web"};
        List<String> p = new ArrayList<>();
        TreeMap<Long, List<String>> l = new TreeMap<>();
        for (int i = 0; i < 6_000; i++) {
            long t = T0 + i * 250L + random.nextInt(4_000) - 2_000; // 25 minutes, ±2 s of disorder
            String model = models[i % models.length];
            String version = "v" + (1 + i % 2);
            boolean degraded = model.equals("fraud") && t > T0 + 12 * 60_000;
            double truth = random.nextDouble();
            int y = random.nextDouble() < truth ? 1 : 0;
            double prediction = degraded ? 1 - truth : Math.min(0.99, Math.max(0.01, truth + random.nextGaussian() * 0.05));
            String id = "p" + i;
            String line = "{\"prediction_id\":\"" + id + "\",\"model\":\"" + model + "\",\"model_version\":\"" + version
                    + "\",\"timestamp\":" + t + ",\"prediction\":" + prediction
                    + ",\"country\":\"" + countries[random.nextInt(countries.length)]
                    + "\",\"device\":\"" + devices[random.nextInt(devices.length)] + "\"}";
            p.add(line);
            if (i % 97 == 0) {
                p.add("{\"prediction_id\":\"" + id + "\",\"model\": "); // cut off: invalid_json
            }
            if (i % 211 == 0) {
                p.add(line); // the same prediction again, while the first still waits for its label
            }
            if (random.nextDouble() < 0.9) {
                long labelled = t + 5_000 + random.nextInt(115_000);
                l.computeIfAbsent(labelled, k -> new ArrayList<>()).add(
                        "{\"prediction_id\":\"" + id + "\",\"label\":" + y + ",\"timestamp\":" + labelled + "}");
            }
        }
        Files.write(predictions, p, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        l.values().forEach(lines::addAll);
        Files.write(labels, lines, StandardCharsets.UTF_8);
    }

    record Reference(List<JsonNode> metrics, List<JsonNode> predictionMetrics, List<JsonNode> alerts) {
    }

    /**
     * The same records, merged and stepped as a replay steps them, through TopologyTestDriver: one task,
     * a commit after every record, RocksDB stores.
     */
    private Reference reference(LosswatchConfig config, Path predictionsFile, Path labelsFile) throws IOException {
        ReplayRange range = ReplayRange.of(null, null, config);
        ReplayCounts counts = new ReplayCounts();
        EventTimes times = new EventTimes(config);
        Properties props = LosswatchTopology.streamsProperties(config.kafkaProperties(), config.topics().dlq());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, ReplayRun.APPLICATION_ID);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(dir.resolve("state")).toString());
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        List<JsonNode> metrics = new ArrayList<>();
        List<JsonNode> predictionMetrics = new ArrayList<>();
        List<JsonNode> alerts = new ArrayList<>();
        try (FileSource p = new FileSource(predictionsFile, true, false, times, range, counts);
             FileSource l = new FileSource(labelsFile, false, false, times, range, counts)) {
            MergedInput input = new MergedInput(List.of(p, l));
            InputRecord first = input.next();
            long wall = first.wallTime();
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    LosswatchTopology.build(config, PipelineListener.NONE, 1, Storage.PERSISTENT), props,
                    Instant.ofEpochMilli(wall))) {
                TestInputTopic<byte[], byte[]> predictions = driver.createInputTopic(config.topics().predictions(),
                        new ByteArraySerializer(), new ByteArraySerializer());
                TestInputTopic<byte[], byte[]> labels = driver.createInputTopic(config.topics().labels(),
                        new ByteArraySerializer(), new ByteArraySerializer());
                long newest = Long.MIN_VALUE;
                for (InputRecord r = first; r != null; r = input.next()) {
                    if (r.wallTime() >= wall + ReplayRun.FLUSH_MS) {
                        driver.advanceWallClockTime(Duration.ofMillis(r.wallTime() - wall));
                        wall = r.wallTime();
                    }
                    (r.predictions() ? predictions : labels).pipeInput(
                            new TestRecord<>(r.key(), r.value(), r.headers(), Math.max(0, r.recordTime())));
                    newest = Math.max(newest, r.order());
                }
                long end = Math.max(newest, wall) + range.leadOut() + 1;
                driver.advanceWallClockTime(Duration.ofMillis(ReplayRun.FLUSH_MS));
                driver.advanceWallClockTime(Duration.ofMillis(Math.max(ReplayRun.FLUSH_MS, end - wall)));
                for (Map.Entry<String, byte[]> w : new TreeMap<>(EndOfInput.watermarks(ReplayRun.APPLICATION_ID, end)).entrySet()) {
                    driver.createInputTopic(w.getKey(), new ByteArraySerializer(), new ByteArraySerializer())
                            .pipeInput(new TestRecord<>(EndOfInput.key(), w.getValue(), null, end));
                }
                driver.advanceWallClockTime(Duration.ofMillis(ReplayRun.FLUSH_MS));
                read(driver, config.topics().metrics(), true, metrics);
                read(driver, config.topics().predictionMetrics(), true, predictionMetrics);
                read(driver, config.topics().alerts(), false, alerts);
            }
        }
        return new Reference(metrics, predictionMetrics, alerts);
    }

    private static void read(TopologyTestDriver driver, String topic, boolean finalOnly, List<JsonNode> into) {
        TestOutputTopic<String, String> t = driver.createOutputTopic(topic, new StringDeserializer(), new StringDeserializer());
        for (String value : t.readValuesToList()) {
            JsonNode n = ReplayLines.parse(value);
            if (!finalOnly || n.path("final").asBoolean()) {
                into.add(n);
            }
        }
    }

    /** Records by what they are about: model, version, segment, window (and rule, status for an alert; the nth of equals). */
    private static Map<String, JsonNode> byKey(List<JsonNode> records) {
        Map<String, JsonNode> byKey = new TreeMap<>();
        for (JsonNode n : records) {
            String key = n.path("model").asText() + "/" + n.path("model_version").asText() + "/" + n.path("segment")
                    + "/" + n.path("window_start").asLong() + "/" + n.path("rule").asText() + "/" + n.path("status").asText();
            String unique = key;
            for (int i = 1; byKey.containsKey(unique); i++) {
                unique = key + "#" + i;
            }
            byKey.put(unique, n);
        }
        return byKey;
    }

    /**
     * The same keys and fields; numbers equal to 1e-12 of their size (a different order of merging may differ in
     * the last bits). The reference has no "record" field, the replay's own.
     */
    private static void assertSame(Map<String, JsonNode> replayed, Map<String, JsonNode> reference) {
        ReplayLines.assertSameRecords(replayed, reference, Set.of(), 1e-12);
    }
}
