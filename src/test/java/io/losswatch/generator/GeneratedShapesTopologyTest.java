package io.losswatch.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.generator.Traffic.Outgoing;
import io.losswatch.topology.LosswatchTopology;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * generate --format kserve and nested: the same traffic as KServe inference-logger events or the nested shape, read with the settings the
 * generator prints, gives the very losses and windows the §4 JSON form gives (ids with their -0 suffix).
 */
class GeneratedShapesTopologyTest {
    private static final long T0 = 1_764_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stateDir;

    @Test
    void kserveShapedTrafficGivesTheSameLossesAndWindowsAsJson() throws Exception {
        GeneratorOptions options = new GeneratorOptions(4, 20, java.util.Optional.of(Duration.ofMinutes(3)),
                Duration.ofSeconds(10), 0.05, Duration.ofMinutes(2), Duration.ZERO, 0.6, 0.02, 3, "predictions", "labels");
        List<Outgoing> all = TrafficTest.drain(new Traffic(options, T0), 1_000);
        KServeShape shape = new KServeShape("labels");
        Result json = run(all, null, KServeShape.SETTINGS, "json");
        Result kserve = run(all, shape::records, KServeShape.SETTINGS, "kserve");

        assertThat(json.losses).isNotEmpty();
        assertThat(kserve.losses.keySet()).isEqualTo(json.losses.keySet());
        json.losses.forEach((id, loss) -> assertThat(kserve.losses.get(id)).as(id).isCloseTo(loss, within(1e-12)));
        assertThat(kserve.windows).isEqualTo(json.windows);

        // generate --format nested: the README's nested shape, read with its printed settings
        NestedShape nested = new NestedShape("predictions");
        Result nestedResult = run(all, o -> List.of(nested.record(o)), NestedShape.SETTINGS, "nested");
        assertThat(nestedResult.losses).isEqualTo(json.losses);
        assertThat(nestedResult.windows).isEqualTo(json.windows);
    }

    private record Result(Map<String, Double> losses, Map<String, String> windows) {
    }

    private Result run(List<Outgoing> all, java.util.function.Function<Outgoing, List<ProducerRecord<byte[], byte[]>>> shape,
                       List<String> shapeSettings, String name) throws Exception {
        Properties settings = new Properties();
        settings.put("losswatch.window.size", "PT1M");
        settings.put("losswatch.window.grace", "PT5S");
        settings.put("losswatch.join.window", "PT12S");
        settings.put("losswatch.join.grace", "PT5S");
        if (shape != null) {
            for (String line : shapeSettings) {
                settings.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        LosswatchConfig config = LosswatchConfig.from(settings);
        Properties streams = new Properties();
        streams.put("application.id", "kserve-shape-test");
        streams.put("bootstrap.servers", "dummy:9092");
        streams.put("state.dir", Files.createDirectories(stateDir.resolve(name)).toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(LosswatchTopology.build(config),
                LosswatchTopology.streamsProperties(streams, config.topics().dlq()))) {
            Map<String, TestInputTopic<byte[], byte[]>> inputs = Map.of(
                    "predictions", driver.createInputTopic("predictions", new ByteArraySerializer(), new ByteArraySerializer()),
                    "labels", driver.createInputTopic("labels", new ByteArraySerializer(), new ByteArraySerializer()));
            for (Outgoing o : all) {
                if (shape == null) {
                    inputs.get(o.topic()).pipeInput(new TestRecord<>(bytes(o.key()), bytes(o.value()), null, o.timestamp()));
                } else {
                    for (ProducerRecord<byte[], byte[]> r : shape.apply(o)) {
                        inputs.get(r.topic()).pipeInput(new TestRecord<>(r.key(), r.value(), r.headers(), r.timestamp()));
                    }
                }
                driver.advanceWallClockTime(Duration.ofMillis(100));
            }
            long later = T0 + Duration.ofMinutes(30).toMillis();
            Outgoing clock1 = new Outgoing("predictions", "clock-1", "{\"prediction_id\":\"clock-1\",\"model\":\"clock\","
                    + "\"timestamp\":" + later + ",\"prediction\":0.5}", later, Traffic.Kind.PREDICTION, "clock");
            Outgoing clock2 = new Outgoing("predictions", "clock-2", "{\"prediction_id\":\"clock-2\",\"model\":\"clock\","
                    + "\"timestamp\":" + later + ",\"prediction\":0.5,\"label\":1}", later, Traffic.Kind.PREDICTION, "clock");
            for (Outgoing o : List.of(clock1, clock2)) {
                if (shape == null) {
                    inputs.get(o.topic()).pipeInput(new TestRecord<>(bytes(o.key()), bytes(o.value()), null, o.timestamp()));
                } else {
                    for (ProducerRecord<byte[], byte[]> r : shape.apply(o)) {
                        inputs.get(r.topic()).pipeInput(new TestRecord<>(r.key(), r.value(), r.headers(), r.timestamp()));
                    }
                }
            }
            driver.advanceWallClockTime(Duration.ofSeconds(1));
            Map<String, Double> losses = new TreeMap<>();
            for (String v : driver.createOutputTopic("prediction-losses", new StringDeserializer(), new StringDeserializer())
                    .readValuesToList()) {
                JsonNode l = JSON.readTree(v);
                String id = l.get("prediction_id").asText();
                if (!l.get("model").asText().equals("clock")) {
                    losses.put(name.equals("kserve") ? id.substring(0, id.length() - 2) : id, l.get("loss").asDouble());
                }
            }
            Map<String, String> windows = new TreeMap<>();
            for (String v : driver.createOutputTopic("model-metrics", new StringDeserializer(), new StringDeserializer())
                    .readValuesToList()) {
                JsonNode m = JSON.readTree(v);
                if (!m.get("model").asText().equals("clock")) {
                    windows.put(m.get("model").asText() + "/" + m.get("model_version").asText() + "/" + m.get("window_start"),
                            m.get("count") + " " + m.get("unlabelled") + " " + String.format("%.12f", m.get("mean_loss").asDouble()));
                }
            }
            return new Result(losses, windows);
        }
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
