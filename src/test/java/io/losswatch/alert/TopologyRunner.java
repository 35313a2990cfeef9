package io.losswatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.topology.LosswatchTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The real topology ({@link LosswatchTopology#build}) under TopologyTestDriver, fed with prediction
 * events (label inline) and read on the alerts topic. Used by the topology tests and the evaluation.
 */
final class TopologyRunner implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One record on the alerts topic: its key, value and record timestamp. */
    record AlertRecord(String key, JsonNode value, long timestamp) {
        String status() {
            return value.get("status").asText();
        }

        String rule() {
            return value.get("rule").asText();
        }

        Scenario.Event event() {
            return new Scenario.Event(status(), rule(), timestamp);
        }
    }

    final TopologyTestDriver driver;
    private final Path stateDir;
    private final TestInputTopic<byte[], byte[]> predictions;
    private final TestOutputTopic<String, String> alerts;
    private final TestOutputTopic<String, String> metrics;
    private long sequence;
    /** Lets wall-clock time pass after every this many records, so the intake flushes its partials. */
    private int flushEvery = 1;

    TopologyRunner(Map<String, String> settings) {
        this(settings, null);
    }

    private TopologyRunner(Map<String, String> settings, Path stateDir) {
        Properties props = new Properties();
        props.putAll(settings);
        // these scenarios move the loss by moving the predictions (p = e^−loss, label 1), which the label-free
        // prediction_drift rule rightly sees; the realized rules are judged here, so those are off unless asked for
        props.putIfAbsent("losswatch.alert.drift.enabled", "false");
        props.putIfAbsent("losswatch.alert.estimated.enabled", "false");
        LosswatchConfig config = LosswatchConfig.from(props);
        Properties streams = new Properties();
        streams.put("application.id", "losswatch-alert-test");
        streams.put("bootstrap.servers", "dummy:9092");
        try {
            this.stateDir = stateDir != null ? stateDir : Files.createTempDirectory("losswatch-alerts");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        streams.put("state.dir", this.stateDir.toString());
        driver = new TopologyTestDriver(LosswatchTopology.build(config), LosswatchTopology.streamsProperties(streams, config.topics().dlq()));
        LosswatchConfig.Topics t = config.topics();
        predictions = driver.createInputTopic(t.predictions(), new ByteArraySerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic(t.alerts(), new StringDeserializer(), new StringDeserializer());
        metrics = driver.createOutputTopic(t.metrics(), new StringDeserializer(), new StringDeserializer());
    }

    /** A labelled prediction of model/version at event time t. */
    void send(String model, String version, long t, Synthetic.Sample s) {
        StringBuilder json = new StringBuilder(160)
                .append("{\"prediction_id\":\"e").append(sequence++)
                .append("\",\"model\":\"").append(model)
                .append("\",\"model_version\":\"").append(version)
                .append("\",\"timestamp\":").append(t)
                .append(",\"prediction\":").append(s.prediction())
                .append(",\"label\":");
        if (s.binary()) {
            json.append((int) s.label());
        } else {
            json.append(s.label());
        }
        json.append('}');
        predictions.pipeInput(new TestRecord<>(null, json.toString().getBytes(StandardCharsets.UTF_8), null, t));
        if (sequence % flushEvery == 0) {
            flush();
        }
    }

    /**
     * Flush the intake's partial window statistics only every n records (faster; windows then close
     * up to n records after their end + grace, which changes no window's content). The alert step then
     * sees each model's losses in batches of its share of those n records, as in production it sees an
     * input partition's losses of 100 ms: that changes the sequential detector's steps (see
     * {@link PureRunner#runBatched}); with n = 1 every loss is a batch of one.
     */
    TopologyRunner flushingEvery(int n) {
        this.flushEvery = n;
        return this;
    }

    /** Lets wall-clock time pass so the intake flushes its partial window statistics and watermark. */
    void flush() {
        driver.advanceWallClockTime(Duration.ofMillis(100));
    }

    /** A binary prediction whose log loss is exactly loss (label 1, prediction e^−loss). */
    void sendLoss(String model, String version, long t, double loss) {
        send(model, version, t, new Synthetic.Sample(Math.exp(-loss), 1, true, loss));
    }

    /** Moves stream time to t with a record of a model nobody watches closely. */
    void advanceTo(long t) {
        sendLoss("clock", "", t, 0.5);
        flush();
    }

    /**
     * Streams every window of the scenarios, interleaved in event-time order as one stream, then
     * moves stream time past the last window so that it closes.
     */
    void run(List<Scenario> scenarios) {
        int windows = scenarios.stream().mapToInt(Scenario::windows).max().orElse(0);
        for (int w = 0; w < windows; w++) {
            List<Object[]> batch = new ArrayList<>();
            for (int i = 0; i < scenarios.size(); i++) {
                Scenario sc = scenarios.get(i);
                if (w < sc.windows()) {
                    for (Scenario.TimedSample ts : sc.window(w, i)) {
                        batch.add(new Object[] {sc.model(), ts});
                    }
                }
            }
            batch.sort(Comparator.comparingLong(o -> ((Scenario.TimedSample) o[1]).time()));
            for (Object[] o : batch) {
                Scenario.TimedSample ts = (Scenario.TimedSample) o[1];
                send((String) o[0], "", ts.time(), ts.sample());
            }
        }
        advanceTo(Scenario.windowStart(windows + 1) + 10_000);
    }

    /** Everything on the alerts topic since the last call. */
    List<AlertRecord> alerts() {
        List<AlertRecord> out = new ArrayList<>();
        for (TestRecord<String, String> r : alerts.readRecordsToList()) {
            try {
                out.add(new AlertRecord(r.key(), JSON.readTree(r.value()), r.timestamp()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Alerts since the last call, grouped by model, as the analysis reads them. */
    Map<String, List<Scenario.Event>> eventsByModel() {
        Map<String, List<Scenario.Event>> out = new HashMap<>();
        for (AlertRecord a : alerts()) {
            out.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a.event());
        }
        return out;
    }

    /** Final window records since the last call (parsed), excluding the clock model. */
    List<JsonNode> metrics() {
        List<JsonNode> out = new ArrayList<>();
        for (String v : metrics.readValuesToList()) {
            try {
                JsonNode n = JSON.readTree(v);
                if (!n.get("model").asText().equals("clock")) {
                    out.add(n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /**
     * Every state store's content. TopologyTestDriver wipes its state directory on close, so a restart
     * is simulated by putting this into a new driver's stores: what restoring them from their
     * changelogs gives a real restart.
     */
    @SuppressWarnings("unchecked")
    Map<String, List<KeyValue<Object, Object>>> snapshot() {
        Map<String, List<KeyValue<Object, Object>>> out = new HashMap<>();
        driver.getAllStateStores().forEach((name, store) -> {
            List<KeyValue<Object, Object>> entries = new ArrayList<>();
            try (KeyValueIterator<Object, Object> it = keyValues(store).all()) {
                it.forEachRemaining(entries::add);
            }
            out.put(name, entries);
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    void restore(Map<String, List<KeyValue<Object, Object>>> snapshot) {
        snapshot.forEach((name, entries) -> {
            KeyValueStore<Object, Object> store = keyValues(driver.getAllStateStores().get(name));
            entries.forEach(kv -> store.put(kv.key, kv.value));
        });
    }

    /** A store as key-values; a store that keeps objects in front of one (the intake's) gives the one behind. */
    @SuppressWarnings("unchecked")
    private static KeyValueStore<Object, Object> keyValues(StateStore store) {
        if (!(store instanceof KeyValueStore) && store instanceof WrappedStateStore<?, ?, ?> wrapper) {
            return keyValues(wrapper.wrapped());
        }
        return (KeyValueStore<Object, Object>) store;
    }

    @Override
    public void close() {
        driver.close();
        try {
            org.apache.kafka.common.utils.Utils.delete(stateDir.toFile());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
