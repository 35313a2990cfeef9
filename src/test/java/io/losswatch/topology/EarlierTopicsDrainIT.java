package io.losswatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.embedded.EmbeddedKafka;
import io.losswatch.embedded.TopicContents;
import io.losswatch.event.LabelEvent;
import io.losswatch.event.SourceRecord;
import io.losswatch.loss.WindowStats;
import io.losswatch.runtime.EarlierTopics;
import io.losswatch.runtime.LosswatchApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading from a version whose join and aggregator each read two topics: what it left unread on
 * {@code labels-by-id} and {@code joined-by-model} (written here in the forms it wrote) is passed on and
 * counted, and once read, a restart leaves those steps out. On the in-process broker losswatch embeds.
 */
class EarlierTopicsDrainIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = "drain";
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    @Test
    void recordsAnEarlierVersionLeftOnItsTopicsAreCountedAndThenNoLongerRead() throws Exception {
        long t0 = (System.currentTimeMillis() - Duration.ofMinutes(30).toMillis()) / 60_000 * 60_000;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            String bootstrap = kafka.bootstrapServers();
            List<String> earlier = EarlierTopics.names(APP);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(earlier.stream().map(t -> new NewTopic(t, PARTITIONS, (short) 1)).toList()).all().get();
                assertThat(EarlierTopics.undrained(admin, APP, 30_000)).as("empty topics need no draining").isEmpty();
            }
            // as the earlier version wrote them: a label waiting for its prediction on labels-by-id (JSON, keyed by
            // prediction_id), and a joined prediction's contribution on joined-by-model (JSON, keyed by model)
            Routed.PendingLabel label = new Routed.PendingLabel(new LabelEvent("dr-1", JsonNodeFactory.instance.numberNode(1),
                    t0 + 5_000), new SourceRecord("dr-labels", 0, 0, t0 + 5_000, null, new byte[0]));
            WindowStats joined = new WindowStats();
            joined.addLoss("log_loss", 0.25, false);
            joined.addLossTime(t0 + 7_000);
            Routed.Contribution contribution = new Routed.Contribution("m", "v1", t0 + 7_000, joined, "dr-labels", 1, 3);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(earlier.get(0), null, t0 + 5_000, "dr-1",
                        new JsonSerde<>(Routed.PendingLabel.class).serializer().serialize("", label))).get();
                producer.send(new ProducerRecord<>(earlier.get(1), null, t0 + 7_000, "m",
                        new JsonSerde<>(Routed.Contribution.class).serializer().serialize("", contribution))).get();
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                assertThat(EarlierTopics.undrained(admin, APP, 30_000)).containsExactlyInAnyOrderElementsOf(earlier);
            }

            LosswatchApplication app = LosswatchApplication.start(config(bootstrap));
            try {
                // dr-1's prediction comes now, without its label: the label the earlier version left is its
                // label; m's window counts it (−ln 0.8) and the contribution (0.25)
                send(bootstrap, t0 + 4_000, "dr-1", "{\"prediction_id\":\"dr-1\",\"model\":\"m\",\"model_version\":\"v1\","
                        + "\"timestamp\":" + (t0 + 4_000) + ",\"prediction\":0.8}");
                List<ConsumerRecord<byte[], byte[]>> losses = TopicContents.awaitRecords(bootstrap, "dr-losses",
                        Duration.ofSeconds(120), rs -> rs.stream().anyMatch(r -> json(r).get("prediction_id").asText().equals("dr-1")));
                JsonNode loss = losses.stream().map(EarlierTopicsDrainIT::json)
                        .filter(n -> n.get("prediction_id").asText().equals("dr-1")).findFirst().orElseThrow();
                assertThat(loss.get("loss").asDouble()).isCloseTo(-Math.log(0.8), within(1e-12));
                awaitDrained(bootstrap);
                // then event time moves past the window on every partition
                long t = t0 + Duration.ofMinutes(20).toMillis();
                for (int i = 0; i < 8; i++) {
                    send(bootstrap, t, "tail-" + i, "{\"prediction_id\":\"tail-" + i + "\",\"model\":\"tail\",\"timestamp\":"
                            + t + ",\"prediction\":0.5,\"label\":1}");
                }
                List<ConsumerRecord<byte[], byte[]>> metrics = TopicContents.awaitRecords(bootstrap, "dr-metrics",
                        Duration.ofSeconds(120), rs -> rs.stream().anyMatch(r -> isWindowOfM(json(r), t0)));
                JsonNode window = metrics.stream().map(EarlierTopicsDrainIT::json).filter(n -> isWindowOfM(n, t0))
                        .findFirst().orElseThrow();
                assertThat(window.get("count").asLong()).isEqualTo(2);
                assertThat(window.get("mean_loss").asDouble()).isCloseTo((-Math.log(0.8) + 0.25) / 2, within(1e-12));
                assertThat(TopicContents.readAll(bootstrap, "dr-dlq")).isEmpty();
            } finally {
                app.close();
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                assertThat(EarlierTopics.undrained(admin, APP, 30_000)).as("read and committed: a restart leaves them out").isEmpty();
            }
        }
    }

    private static void send(String bootstrap, long timestamp, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("dr-predictions", null, timestamp, key, value)).get();
        }
    }

    /** Until the application has read and committed what the earlier version left. */
    private static void awaitDrained(String bootstrap) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (!EarlierTopics.undrained(admin, APP, 30_000).isEmpty()) {
                assertThat(System.nanoTime()).as("drained within 120 s").isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    private static boolean isWindowOfM(JsonNode n, long t0) {
        return n.get("model").asText().equals("m") && n.get("window_start").asLong() == t0 && !n.has("segment")
                && (!n.has("final") || n.get("final").asBoolean());
    }

    private static JsonNode json(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private LosswatchConfig config(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("application.id", APP);
        p.put("state.dir", dir.resolve("state").toString());
        p.put("losswatch.http.port", "0");
        p.put("losswatch.topic.predictions", "dr-predictions");
        p.put("losswatch.topic.labels", "dr-labels");
        p.put("losswatch.topic.losses", "dr-losses");
        p.put("losswatch.topic.metrics", "dr-metrics");
        p.put("losswatch.topic.alerts", "dr-alerts");
        p.put("losswatch.topic.dlq", "dr-dlq");
        p.put("losswatch.topic.prediction.metrics", "dr-prediction-metrics");
        p.put("losswatch.topic.partitions", Integer.toString(PARTITIONS));
        p.put("losswatch.join.window", "PT10M");
        return LosswatchConfig.from(p);
    }
}
