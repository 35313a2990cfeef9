package io.losswatch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.topology.DeadLetterOnProcessingError;
import io.losswatch.topology.EndOfInput;
import io.losswatch.topology.Json;
import io.losswatch.topology.LosswatchTopology;
import io.losswatch.topology.Storage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One replay: the topology {@code run} builds ({@link LosswatchTopology#build}, in-memory stores), driven
 * in this thread by Kafka Streams' own task ({@link ReplayDriver}), which processes each record through
 * every step (internal topics included) before the next, reads nothing from and writes nothing to any
 * cluster, and keeps time only as it is told. Time is the input's: records go in merged in event-time
 * order ({@link MergedInput}); the wall clock the topology sees is the newest record timestamp so far
 * (its event time in a file without one) and moves in the intake's flush steps, so the same input gives
 * the same partials, watermarks and output, byte for byte. When the input ends, event time is moved on
 * past every wait ({@link EndOfInput}), so the last windows close and predictions still without a label
 * count as unlabelled. Output records are printed as they come, nothing is held for the whole range.
 */
final class ReplayRun {
    static final String APPLICATION_ID = "losswatch-replay";
    /** The prediction intake's flush interval (PredictionIntake.FLUSH_INTERVAL): the wall clock moves in these steps. */
    static final long FLUSH_MS = 100;
    /** losswatch's own mapper: a printed record's numbers are written as on the live topics. */
    private static final ObjectMapper JSON = Json.MAPPER;

    private final LosswatchConfig config;
    private final ReplayRange range;
    private final Map<String, String> settings;
    private final PrintStream out;
    final ReplayCounts counts = new ReplayCounts();

    ReplayRun(LosswatchConfig config, ReplayRange range, Map<String, String> settings, PrintStream out) {
        this.config = config;
        this.range = range;
        this.settings = settings;
        this.out = out;
    }

    /** Replays the input, read ahead in a thread of its own. */
    void run(MergedInput merged) {
        long started = ThreadCpu.now();
        try (ReadAhead input = new ReadAhead(merged)) {
            run(input);
            input.close();
            counts.cpuReading = input.cpuNanos();
        } finally {
            counts.cpuIntake = ThreadCpu.now() - started;
        }
    }

    private void run(ReadAhead input) {
        InputRecord first = input.next();
        if (first == null) {
            return;
        }
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("losswatch-replay");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = LosswatchTopology.streamsProperties(config.kafkaProperties(), config.topics().dlq());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // the stores are in memory: a cache in front of them would only copy each write
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(DeadLetterOnProcessingError.LISTENER, counts);
        long wall = first.wallTime();
        Outputs outputs = new Outputs();
        try (ReplayDriver driver = new ReplayDriver(LosswatchTopology.build(config, counts, 1, Storage.IN_MEMORY), props,
                wall, outputs::drain)) {
            outputs.driver = driver;
            String predictions = config.topics().predictions();
            String labels = config.topics().labels();
            long newest = Long.MIN_VALUE;
            for (InputRecord r = first; r != null; r = input.next()) {
                if (r.wallTime() >= wall + FLUSH_MS) {
                    wall = r.wallTime();
                    driver.advanceWallClockTime(wall, true);
                }
                driver.pipe(r.predictions() ? predictions : labels, r.key(), r.value(),
                        r.headers() == null ? new RecordHeaders() : r.headers(), Math.max(0, r.recordTime()));
                newest = Math.max(newest, r.order());
            }
            // the last partials, then event time past every wait: the last windows close
            long end = Math.max(newest, wall) + range.leadOut() + 1;
            driver.advanceWallClockTime(wall + FLUSH_MS, false);
            wall += FLUSH_MS + Math.max(FLUSH_MS, end - wall);
            driver.advanceWallClockTime(wall, false);
            for (Map.Entry<String, byte[]> w : new TreeMap<>(EndOfInput.watermarks(APPLICATION_ID, end)).entrySet()) {
                driver.pipe(w.getKey(), EndOfInput.key(), w.getValue(), new RecordHeaders(), end);
            }
            driver.advanceWallClockTime(wall + FLUSH_MS, true);
            driver.close();
            counts.cpuAggregation = driver.workerCpuNanos();
        } finally {
            try {
                Utils.delete(stateDir.toFile());
            } catch (IOException e) {
                // a temporary directory left behind is harmless
            }
        }
    }

    /**
     * The output topics, read after each clock step (in the driver's second thread); what is printed goes out
     * at once, the rest is let go.
     */
    private final class Outputs {
        private ReplayDriver driver;
        private final List<String> printed;

        Outputs() {
            LosswatchConfig.Topics t = config.topics();
            printed = List.of(t.metrics(), t.predictionMetrics(), t.alerts());
        }

        void drain() {
            LosswatchConfig.Topics t = config.topics();
            for (ProducerRecord<byte[], byte[]> r : driver.take(t.metrics())) {
                JsonNode m = parse(r.value());
                if (m.path("final").asBoolean() && range.prints(m.get("window_start").asLong())) {
                    counts.metrics++;
                    print("metrics", m);
                }
            }
            for (ProducerRecord<byte[], byte[]> r : driver.take(t.predictionMetrics())) {
                JsonNode m = parse(r.value());
                if (m.path("final").asBoolean() && range.prints(m.get("window_start").asLong())) {
                    counts.predictionMetrics++;
                    print("prediction_metrics", m);
                }
            }
            for (ProducerRecord<byte[], byte[]> r : driver.take(t.alerts())) {
                JsonNode a = parse(r.value());
                if (range.prints(a.get("window_start").asLong())) {
                    if ("FIRING".equals(a.path("status").asText())) {
                        counts.firing.computeIfAbsent(a.path("rule").asText(), k -> new ArrayList<>())
                                .add(new ReplayCounts.Firing(a.path("model").asText(), a.get("window_start").asLong()));
                    } else {
                        counts.resolved++;
                    }
                    print("alert", a);
                }
            }
            // everything else the topology writes (losses, dead letters) is not kept
            driver.dropOutputsExcept(printed);
        }

        private void print(String kind, JsonNode record) {
            ObjectNode line = JSON.createObjectNode();
            line.put("record", kind);
            if (!settings.isEmpty()) {
                ObjectNode s = line.putObject("settings");
                settings.forEach(s::put);
            }
            line.setAll((ObjectNode) record);
            try {
                out.println(JSON.writeValueAsString(line));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
