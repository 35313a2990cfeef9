package io.losswatch.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.generator.Traffic.Kind;
import io.losswatch.generator.Traffic.Outgoing;
import io.losswatch.topology.LosswatchTopology;
import io.losswatch.topology.Names;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's records are what the processor expects: four minutes of traffic through the real
 * topology give a loss for every label, each malformed record in the dead-letter topic under the
 * reason its kind names, complete windows, and the drift in the first model's windows.
 */
class GeneratedTrafficTopologyTest {
    private static final long T0 = 1_764_000_000_000L; // a whole minute
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stateDir;

    @Test
    void theProcessorScoresRejectsAndWindowsTheGeneratedTraffic() throws Exception {
        GeneratorOptions options = new GeneratorOptions(4, 20, java.util.Optional.of(Duration.ofMinutes(4)),
                Duration.ofSeconds(10), 0.05, Duration.ofMinutes(2), Duration.ZERO, 0.6, 0.02, 3, "predictions", "labels");
        Traffic traffic = new Traffic(options, T0);
        List<Outgoing> all = TrafficTest.drain(traffic, 1_000);

        Properties settings = new Properties();
        settings.put("losswatch.window.size", "PT1M");
        settings.put("losswatch.window.grace", "PT5S");
        settings.put("losswatch.join.window", "PT12S");
        settings.put("losswatch.join.grace", "PT5S");
        LosswatchConfig config = LosswatchConfig.from(settings);
        Properties streams = new Properties();
        streams.put("application.id", "generator-test");
        streams.put("bootstrap.servers", "dummy:9092");
        streams.put("state.dir", Files.createDirectories(stateDir.resolve("state")).toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(LosswatchTopology.build(config),
                LosswatchTopology.streamsProperties(streams, config.topics().dlq()))) {
            Map<String, TestInputTopic<byte[], byte[]>> inputs = Map.of(
                    "predictions", driver.createInputTopic("predictions", new ByteArraySerializer(), new ByteArraySerializer()),
                    "labels", driver.createInputTopic("labels", new ByteArraySerializer(), new ByteArraySerializer()));
            for (Outgoing o : all) {
                inputs.get(o.topic()).pipeInput(new TestRecord<>(bytes(o.key()), bytes(o.value()), null, o.timestamp()));
                // wall-clock time passes too: the intake flushes its partial aggregates every 100 ms
                driver.advanceWallClockTime(Duration.ofMillis(100));
            }
            // move stream time far on, through the join too, so every window and every wait ends
            long later = T0 + Duration.ofMinutes(30).toMillis();
            inputs.get("predictions").pipeInput(new TestRecord<>(null, bytes("{\"prediction_id\":\"clock-1\",\"model\":"
                    + "\"clock\",\"timestamp\":" + later + ",\"prediction\":0.5}"), null, later));
            inputs.get("predictions").pipeInput(new TestRecord<>(null, bytes("{\"prediction_id\":\"clock-2\",\"model\":"
                    + "\"clock\",\"timestamp\":" + later + ",\"prediction\":0.5,\"label\":1}"), null, later));
            driver.advanceWallClockTime(Duration.ofSeconds(1));

            Map<Kind, Integer> generated = new EnumMap<>(Kind.class);
            all.forEach(o -> generated.merge(o.kind(), 1, Integer::sum));

            // every malformed record is dead-lettered, under the reason its kind names, and nothing else is
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic("losswatch-dlq",
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            Map<String, Integer> reasons = new TreeMap<>();
            for (TestRecord<byte[], byte[]> r : dlq.readRecordsToList()) {
                reasons.merge(new String(r.headers().lastHeader(Names.HEADER_REASON).value(), StandardCharsets.UTF_8),
                        1, Integer::sum);
            }
            Map<String, Integer> expected = new TreeMap<>();
            generated.forEach((kind, n) -> {
                if (kind.malformed()) {
                    expected.put(kind.reason(), n);
                }
            });
            assertThat(expected).hasSize(4);
            assertThat(reasons).isEqualTo(expected);

            // one loss per label, inline or separate
            TestOutputTopic<String, String> losses = driver.createOutputTopic("prediction-losses",
                    new StringDeserializer(), new StringDeserializer());
            long inlineLabelled = all.stream().filter(o -> o.kind() == Kind.PREDICTION && json(o.value()).has("label")).count();
            List<JsonNode> lossRecords = losses.readValuesToList().stream().map(GeneratedTrafficTopologyTest::json)
                    .filter(l -> !l.get("model").asText().equals("clock")).toList();
            assertThat(lossRecords).hasSize((int) (inlineLabelled + generated.get(Kind.LABEL)));

            // the windows hold every labelled prediction once, count the ones never labelled, and show the drift
            TestOutputTopic<String, String> metrics = driver.createOutputTopic("model-metrics",
                    new StringDeserializer(), new StringDeserializer());
            Map<String, long[]> perModel = new HashMap<>();
            Map<Long, Double> driftingMeans = new TreeMap<>();
            String drifting = traffic.models().get(0).name();
            for (JsonNode m : metrics.readValuesToList().stream().map(GeneratedTrafficTopologyTest::json).toList()) {
                assertThat(m.get("final").asBoolean()).isTrue();
                long[] sums = perModel.computeIfAbsent(m.get("model").asText(), k -> new long[2]);
                sums[0] += m.get("count").asLong();
                sums[1] += m.get("unlabelled").asLong();
                if (m.get("model").asText().equals(drifting)) {
                    driftingMeans.put(m.get("window_start").asLong() - T0, m.get("mean_loss").asDouble());
                }
            }
            Map<String, long[]> expectedPerModel = new HashMap<>();
            Map<String, String> modelOf = new HashMap<>();
            for (Outgoing o : all) {
                if (o.kind() == Kind.PREDICTION) {
                    JsonNode p = json(o.value());
                    long[] sums = expectedPerModel.computeIfAbsent(o.model(), k -> new long[2]);
                    if (p.has("label")) {
                        sums[0]++;
                    } else {
                        sums[1]++; // unlabelled until its label comes
                        modelOf.put(p.get("prediction_id").asText(), o.model());
                    }
                } else if (o.kind() == Kind.LABEL) {
                    long[] sums = expectedPerModel.get(modelOf.get(json(o.value()).get("prediction_id").asText()));
                    sums[0]++;
                    sums[1]--;
                }
            }
            for (Traffic.ModelInfo model : traffic.models()) {
                assertThat(perModel.get(model.name())).as(model.name() + ": labelled, unlabelled")
                        .containsExactly(expectedPerModel.get(model.name()));
            }
            assertThat(driftingMeans).hasSize(4);
            double before = (driftingMeans.get(0L) + driftingMeans.get(60_000L)) / 2;
            double after = (driftingMeans.get(120_000L) + driftingMeans.get(180_000L)) / 2;
            assertThat(after - before).as("the drift, window by window: " + driftingMeans).isBetween(0.45, 0.75);
        }
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(s, e);
        }
    }
}
