package io.losswatch.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.config.LosswatchConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The topology under TopologyTestDriver, with JSON in and parsed JSON out. */
final class TopologyFixture implements AutoCloseable {
    static final long T0 = 1_764_000_000_000L; // a whole minute
    private static final ObjectMapper JSON = new ObjectMapper();

    final TopologyTestDriver driver;
    final Path stateDir;
    private final TestInputTopic<byte[], byte[]> predictions;
    private final TestInputTopic<byte[], byte[]> labels;
    private final TestOutputTopic<String, String> losses;
    private final TestOutputTopic<String, String> metrics;
    private final String metricsTopic;
    private final TestOutputTopic<byte[], byte[]> dlq;
    private final TestOutputTopic<String, String> predictionMetrics;
    private final TestOutputTopic<String, String> alerts;

    TopologyFixture(Map<String, String> settings) {
        this(settings, PipelineListener.NONE);
    }

    TopologyFixture(Map<String, String> settings, PipelineListener listener) {
        Properties props = new Properties();
        props.putAll(settings);
        LosswatchConfig config = LosswatchConfig.from(props);
        Properties streams = new Properties();
        streams.put("application.id", "losswatch-test");
        streams.put("bootstrap.servers", "dummy:9092");
        try {
            stateDir = Files.createTempDirectory("losswatch-ttd");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        streams.put("state.dir", stateDir.toString());
        driver = new TopologyTestDriver(LosswatchTopology.build(config, listener), LosswatchTopology.streamsProperties(streams, config.topics().dlq()));
        LosswatchConfig.Topics t = config.topics();
        predictions = driver.createInputTopic(t.predictions(), new ByteArraySerializer(), new ByteArraySerializer());
        labels = driver.createInputTopic(t.labels(), new ByteArraySerializer(), new ByteArraySerializer());
        losses = driver.createOutputTopic(t.losses(), new StringDeserializer(), new StringDeserializer());
        metrics = driver.createOutputTopic(t.metrics(), new StringDeserializer(), new StringDeserializer());
        metricsTopic = t.metrics();
        dlq = driver.createOutputTopic(t.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        predictionMetrics = driver.createOutputTopic(t.predictionMetrics(), new StringDeserializer(), new StringDeserializer());
        alerts = driver.createOutputTopic(t.alerts(), new StringDeserializer(), new StringDeserializer());
    }

    TopologyFixture() {
        this(Map.of());
    }

    /** Pipes a prediction whose Kafka record time equals its event time, as a producer stamping it would. */
    void prediction(long recordTime, String json) {
        predictions.pipeInput(new TestRecord<>(null, utf8(json), null, recordTime));
        flush();
    }

    /** Pipes a prediction record as given, headers included (a mapped topic, CONTRACT §10). */
    void prediction(TestRecord<byte[], byte[]> record) {
        predictions.pipeInput(record);
        flush();
    }

    void prediction(byte[] key, byte[] value, long recordTime) {
        predictions.pipeInput(new TestRecord<>(key, value, null, recordTime));
        flush();
    }

    void label(byte[] key, byte[] value, long recordTime) {
        labels.pipeInput(new TestRecord<>(key, value, null, recordTime));
        flush();
    }

    void label(long recordTime, String json) {
        labels.pipeInput(new TestRecord<>(null, utf8(json), null, recordTime));
        flush();
    }

    /** Lets wall-clock time pass so the intake flushes its partial window statistics and watermark. */
    void flush() {
        driver.advanceWallClockTime(PredictionIntake.FLUSH_INTERVAL);
    }

    /** A labelled binary prediction at time t. */
    void labelled(String model, String version, long t, double p, int y) {
        prediction(t, String.format("{\"prediction_id\":\"x-%d-%s\",\"model\":\"%s\",\"model_version\":\"%s\","
                + "\"timestamp\":%d,\"prediction\":%s,\"label\":%d}", t, p, model, version, t, p, y));
    }

    /** Moves stream time on with a record of a model no test looks at. */
    void advanceTo(long t) {
        labelled("clock", "", t, 0.5, 1);
    }

    List<JsonNode> losses() {
        return losses.readValuesToList().stream().map(TopologyFixture::parse)
                .filter(m -> !m.get("model").asText().equals("clock")).toList();
    }

    /**
     * Reads and drops what the output topics hold, internal ones included (the driver keeps every record
     * produced to any topic until it is read), so a long run does not keep it in memory.
     */
    void drainOutputs() {
        losses.readRecordsToList();
        predictionMetrics.readRecordsToList();
        for (String topic : driver.producedTopicNames()) {
            if (!topic.equals(metricsTopic)) {
                driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
            }
        }
    }

    List<TestRecord<String, String>> lossRecords() {
        return losses.readRecordsToList();
    }

    /** Window metrics, without those of the "clock" model used to move time on. */
    List<JsonNode> metrics() {
        return metrics.readValuesToList().stream().map(TopologyFixture::parse)
                .filter(m -> !m.get("model").asText().equals("clock")).toList();
    }

    /** Window metrics records with their Kafka timestamps, the "clock" model's included. */
    List<TestRecord<String, String>> metricRecords() {
        return metrics.readRecordsToList();
    }

    /** Label-free window records (CONTRACT §9), without those of the "clock" model. */
    List<JsonNode> predictionMetrics() {
        return predictionMetrics.readValuesToList().stream().map(TopologyFixture::parse)
                .filter(m -> !m.get("model").asText().equals("clock")).toList();
    }

    /** Alert records, without those of the "clock" model. */
    List<JsonNode> alerts() {
        return alerts.readValuesToList().stream().map(TopologyFixture::parse)
                .filter(m -> !m.get("model").asText().equals("clock")).toList();
    }

    List<TestRecord<byte[], byte[]>> deadLetters() {
        return dlq.readRecordsToList();
    }

    /**
     * Every state store's content. TopologyTestDriver wipes its state directory on close, so a restart is
     * simulated by putting this into a new driver's stores ({@link #restore}): what restoring them from
     * their changelogs gives a real restart.
     */
    Map<String, List<org.apache.kafka.streams.KeyValue<Object, Object>>> snapshot() {
        Map<String, List<org.apache.kafka.streams.KeyValue<Object, Object>>> out = new java.util.HashMap<>();
        driver.getAllStateStores().forEach((name, store) -> {
            List<org.apache.kafka.streams.KeyValue<Object, Object>> entries = new java.util.ArrayList<>();
            try (var it = keyValues(store).all()) {
                it.forEachRemaining(entries::add);
            }
            out.put(name, entries);
        });
        return out;
    }

    void restore(Map<String, List<org.apache.kafka.streams.KeyValue<Object, Object>>> snapshot) {
        snapshot.forEach((name, entries) -> {
            var store = keyValues(driver.getAllStateStores().get(name));
            entries.forEach(kv -> store.put(kv.key, kv.value));
        });
    }

    /** A store as key-values; a store that keeps objects in front of one (the intake's) gives the one behind. */
    @SuppressWarnings("unchecked")
    static org.apache.kafka.streams.state.KeyValueStore<Object, Object> keyValues(
            org.apache.kafka.streams.processor.StateStore store) {
        if (!(store instanceof org.apache.kafka.streams.state.KeyValueStore)
                && store instanceof org.apache.kafka.streams.state.internals.WrappedStateStore<?, ?, ?> wrapper) {
            return keyValues(wrapper.wrapped());
        }
        return (org.apache.kafka.streams.state.KeyValueStore<Object, Object>) store;
    }

    static String header(TestRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        driver.close();
        try {
            org.apache.kafka.common.utils.Utils.delete(stateDir.toFile());
        } catch (java.io.IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
