package io.losswatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** The naive peer computes what it claims: a clipped log loss per event and each closed window's mean. */
class NaivePeerTest {
    private static final long T0 = 1_764_000_000_000L;

    @Test
    void lossPerEventAndTheMeanOfEachClosedWindow() throws Exception {
        Path state = Files.createTempDirectory("naive-peer");
        Properties props = new Properties();
        props.put("application.id", "naive-test");
        props.put("bootstrap.servers", "dummy:9092");
        props.put("state.dir", state.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(NaivePeer.topology("in", "losses", "means"), props)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("in", new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<String, String> losses = driver.createOutputTopic("losses", new StringDeserializer(), new StringDeserializer());
            TestOutputTopic<String, String> means = driver.createOutputTopic("means", new StringDeserializer(), new StringDeserializer());
            in.pipeInput(null, BenchData.json("p-1", "m", "v1", T0 + 1_000, 0.93, 1));
            in.pipeInput(null, BenchData.json("p-2", "m", "v1", T0 + 2_000, 0.0, 1)); // clipped to 1e-15
            in.pipeInput(null, BenchData.json("p-3", "m", "v1", T0 + 69_999, 0.5, 0)); // next window; not past grace
            assertThat(means.isEmpty()).isTrue();
            in.pipeInput(null, BenchData.json("p-4", "m", "v1", T0 + 70_000, 0.5, 0)); // window 1 closes

            List<JsonNode> l = losses.readValuesToList().stream().map(v -> LosswatchRun.read(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toList();
            assertThat(l).hasSize(4);
            assertThat(l.get(0).get("loss").asDouble()).isCloseTo(-Math.log(0.93), within(1e-12));
            assertThat(l.get(1).get("loss").asDouble()).isCloseTo(-Math.log(1e-15), within(1e-9));
            assertThat(l.get(0).get("event_time").asLong()).isEqualTo(T0 + 1_000);
            List<JsonNode> m = means.readValuesToList().stream().map(v -> LosswatchRun.read(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toList();
            assertThat(m).singleElement().satisfies(w -> {
                assertThat(w.get("model").asText()).isEqualTo("m");
                assertThat(w.get("window_start").asLong()).isEqualTo(T0);
                assertThat(w.get("count").asLong()).isEqualTo(2);
                assertThat(w.get("mean_loss").asDouble()).isCloseTo((-Math.log(0.93) - Math.log(1e-15)) / 2, within(1e-9));
            });
        }
    }

    @Test
    void theEndMarkersReachEveryPartitionOfATopicKeyedByModel() {
        for (int partitions = 1; partitions <= 8; partitions++) {
            java.util.Set<Integer> hit = new java.util.HashSet<>();
            for (int p = 0; p < partitions; p++) {
                byte[] key = BenchData.endModel(p, partitions).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                hit.add(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % partitions);
            }
            assertThat(hit).hasSize(partitions);
        }
    }
}
