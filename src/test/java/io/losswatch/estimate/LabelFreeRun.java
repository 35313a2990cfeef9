package io.losswatch.estimate;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * One scenario of the label-free evaluation streamed through the real topology (TopologyTestDriver over
 * LosswatchTopology.build): predictions without labels on the predictions topic, each label on the labels
 * topic some minutes later in event time, in event-time order; read back are the prediction-metrics
 * records, the realized windows (once their labels are in) and the alerts, each alert with the event time
 * the stream had reached when it appeared (its detection time).
 */
final class LabelFreeRun {
    static final long T0 = 1_764_000_000_000L;
    static final long MINUTE = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param shiftAt     the first shifted window
     * @param labelDelay  labels come uniformly between labelDelay and labelDelay + labelJitter after their prediction
     */
    record Scenario(String model, LabelFreeTraffic.Kind kind, LabelFreeTraffic.Shift shift, int windows, int shiftAt,
                    int perWindow, Duration labelDelay, Duration labelJitter, long seed) {
    }

    /** One window: its label-free record, its realized loss and the truth's expectation. */
    record Window(int index, long predictions, long labelledAtPublish, Double estimate, Double low, Double high,
                  Double psi, Double realized, long realizedCount, double expected) {
        boolean covered() {
            return estimate != null && realized != null && low <= realized && realized <= high;
        }
    }

    record Detection(String rule, String status, int window, long detectedAt) {
    }

    record Result(Scenario scenario, List<Window> windows, List<Detection> alerts) {
        /** Minutes of event time from the shift's start to the first FIRING of rule (null: never). */
        Double delayMinutes(String rule) {
            long shiftStart = T0 + scenario.shiftAt() * MINUTE;
            for (Detection d : alerts) {
                if (d.rule().equals(rule) && d.status().equals("FIRING") && d.detectedAt() >= shiftStart) {
                    return (d.detectedAt() - shiftStart) / 60_000.0;
                }
            }
            return null;
        }

        long firings(String rule) {
            return alerts.stream().filter(d -> d.rule().equals(rule) && d.status().equals("FIRING")).count();
        }
    }

    private record PendingLabel(long time, byte[] json) {
    }

    private LabelFreeRun() {
    }

    static Result run(Scenario sc, Map<String, String> settings) {
        Properties props = new Properties();
        props.put("losswatch.window.size", "PT1M");
        long joinWindow = sc.labelDelay().plus(sc.labelJitter()).toMillis() + MINUTE;
        props.put("losswatch.join.window", Duration.ofMillis(joinWindow).toString());
        props.putAll(settings);
        LosswatchConfig config = LosswatchConfig.from(props);
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("losswatch-estimation");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties streams = new Properties();
        streams.put("application.id", "losswatch-estimation");
        streams.put("bootstrap.servers", "dummy:9092");
        streams.put("state.dir", stateDir.toString());
        LosswatchConfig.Topics t = config.topics();
        List<Detection> detections = new ArrayList<>();
        Map<Integer, Double> expected = new HashMap<>();
        List<JsonNode> labelFree = new ArrayList<>();
        List<JsonNode> realized = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(LosswatchTopology.build(config),
                LosswatchTopology.streamsProperties(streams, t.dlq()))) {
            TestInputTopic<byte[], byte[]> predictions = driver.createInputTopic(t.predictions(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            TestInputTopic<byte[], byte[]> labels = driver.createInputTopic(t.labels(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<String, String> alerts = driver.createOutputTopic(t.alerts(), new StringDeserializer(),
                    new StringDeserializer());
            TestOutputTopic<String, String> pm = driver.createOutputTopic(t.predictionMetrics(), new StringDeserializer(),
                    new StringDeserializer());
            TestOutputTopic<String, String> metrics = driver.createOutputTopic(t.metrics(), new StringDeserializer(),
                    new StringDeserializer());
            LabelFreeTraffic traffic = new LabelFreeTraffic(sc.kind(), sc.seed());
            Random delays = new Random(sc.seed() * 31 + 1);
            PriorityQueue<PendingLabel> pending = new PriorityQueue<>((a, b) -> Long.compare(a.time(), b.time()));
            long sent = 0;
            long spacing = MINUTE / sc.perWindow();
            for (int w = 0; w < sc.windows(); w++) {
                double expectedSum = 0;
                for (int i = 0; i < sc.perWindow(); i++) {
                    long time = T0 + w * MINUTE + i * spacing;
                    LabelFreeTraffic.Case c = traffic.next(w >= sc.shiftAt(), sc.shift());
                    expectedSum += c.expectedLoss();
                    String id = sc.model() + "-" + w + "-" + i;
                    sendLabelsUpTo(labels, pending, time);
                    predictions.pipeInput(new TestRecord<>(null, utf8("{\"prediction_id\":\"" + id + "\",\"model\":\""
                            + sc.model() + "\",\"timestamp\":" + time + ",\"prediction\":" + c.prediction() + "}"), null, time));
                    long labelTime = time + sc.labelDelay().toMillis()
                            + (long) (delays.nextDouble() * sc.labelJitter().toMillis());
                    pending.add(new PendingLabel(labelTime, utf8("{\"prediction_id\":\"" + id + "\",\"label\":" + c.label()
                            + ",\"timestamp\":" + labelTime + "}")));
                    if (++sent % 50 == 0) {
                        driver.advanceWallClockTime(Duration.ofMillis(100));
                        read(alerts, sc.model(), time, detections);
                    }
                }
                expected.put(w, expectedSum / sc.perWindow());
            }
            // drain: the clock moves on with another model's records until every label is in and its window final
            long end = T0 + sc.windows() * MINUTE + joinWindow + 3 * MINUTE;
            for (long time = T0 + sc.windows() * MINUTE; time <= end; time += 5_000) {
                sendLabelsUpTo(labels, pending, time);
                predictions.pipeInput(new TestRecord<>(null, utf8("{\"model\":\"clock\",\"timestamp\":" + time
                        + ",\"prediction\":0.5,\"label\":1}"), null, time));
                driver.advanceWallClockTime(Duration.ofMillis(100));
                read(alerts, sc.model(), time, detections);
            }
            pm.readValuesToList().stream().map(LabelFreeRun::parse).filter(n -> n.get("model").asText().equals(sc.model()))
                    .forEach(labelFree::add);
            metrics.readValuesToList().stream().map(LabelFreeRun::parse).filter(n -> n.get("model").asText().equals(sc.model()))
                    .forEach(realized::add);
        } finally {
            try {
                org.apache.kafka.common.utils.Utils.delete(stateDir.toFile());
            } catch (IOException e) {
                // a temp dir left behind is harmless
            }
        }
        Map<Long, JsonNode> realizedByStart = new HashMap<>();
        realized.forEach(n -> realizedByStart.put(n.get("window_start").asLong(), n));
        List<Window> windows = new ArrayList<>();
        for (JsonNode r : labelFree) {
            long start = r.get("window_start").asLong();
            int index = (int) ((start - T0) / MINUTE);
            JsonNode m = realizedByStart.get(start);
            windows.add(new Window(index, r.get("predictions").asLong(), r.get("labelled").asLong(), num(r, "estimated_loss"),
                    num(r, "estimated_loss_low"), num(r, "estimated_loss_high"), num(r, "psi"),
                    m == null ? null : num(m, "mean_loss"), m == null ? 0 : m.get("count").asLong(), expected.get(index)));
        }
        return new Result(sc, windows, detections);
    }

    private static void sendLabelsUpTo(TestInputTopic<byte[], byte[]> labels, PriorityQueue<PendingLabel> pending, long time) {
        while (!pending.isEmpty() && pending.peek().time() <= time) {
            PendingLabel l = pending.poll();
            labels.pipeInput(new TestRecord<>(null, l.json(), null, l.time()));
        }
    }

    private static void read(TestOutputTopic<String, String> alerts, String model, long now, List<Detection> out) {
        for (String v : alerts.readValuesToList()) {
            JsonNode a = parse(v);
            if (a.get("model").asText().equals(model)) {
                out.add(new Detection(a.get("rule").asText(), a.get("status").asText(),
                        (int) ((a.get("window_start").asLong() - T0) / MINUTE), now));
            }
        }
    }

    private static Double num(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asDouble();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
