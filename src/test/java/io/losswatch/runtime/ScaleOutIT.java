package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.embedded.EmbeddedKafka;
import io.losswatch.embedded.TopicContents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scaling out (README, "Scaling out"): two losswatch instances with the same application.id share the
 * partitions; one joins while traffic flows, the other leaves, and the results stay exactly-once and
 * complete: one loss per labelled prediction, each window once, with exactly the expected figures.
 * Runs on the in-process broker losswatch itself embeds.
 */
class ScaleOutIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;
    private static final List<String> MODELS = List.of("churn", "fraud", "ctr");
    /** ctr's labels come separately, through the join; the others label inline. */
    private static final String SEPARATE = "ctr";

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private record Prediction(String id, String model, long time, double p, int y, boolean labelled) {
    }

    @Test
    void twoInstancesShareThePartitionsAndTheResultsStayExactlyOnceAndComplete() throws Exception {
        // event times: recent (the broker's retention and timestamp checks see ordinary data), on a window
        // boundary, and far enough back that the closing record at t0 + 40 min is not dated after the wall
        // clock by more than losswatch.input.max.future
        long t0 = (System.currentTimeMillis() - Duration.ofMinutes(60).toMillis()) / 10_000 * 10_000;
        List<Prediction> data = dataset(t0, 1800, 10);

        LosswatchApplication first = LosswatchApplication.start(config("first"));
        try {
            send(data.subList(0, 600));
            awaitLosses(expectedLosses(data.subList(0, 600)));

            // a second instance joins while traffic flows: the partitions are shared between the two
            LosswatchApplication second = LosswatchApplication.start(config("second"));
            try {
                send(data.subList(600, 1200));
                awaitBothActive(first, second);
                awaitLosses(expectedLosses(data.subList(0, 1200)));
            } catch (Throwable e) {
                second.close();
                throw e;
            }
            // the first leaves: the second takes over all of it, state included
            first.close();
            send(data.subList(1200, 1800));
            awaitLosses(expectedLosses(data));
            sendStreamTimeOn(t0 + Duration.ofMinutes(40).toMillis());

            Map<String, double[]> expected = expectedWindows(data);
            List<ConsumerRecord<byte[], byte[]>> metrics = TopicContents.awaitRecords(kafka.bootstrapServers(),
                    "so-metrics", Duration.ofSeconds(120), r -> windowsOf(r, t0).keySet().containsAll(expected.keySet()));
            second.close();

            // each window exactly once, with exactly the figures of the data
            List<String> keys = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : metrics) {
                JsonNode m = JSON.readTree(r.value());
                if (m.get("window_start").asLong() < t0 + Duration.ofMinutes(30).toMillis()) {
                    keys.add(key(m));
                }
            }
            assertThat(keys).doesNotHaveDuplicates();
            Map<String, JsonNode> windows = windowsOf(metrics, t0);
            assertThat(windows.keySet()).isEqualTo(expected.keySet());
            expected.forEach((k, e) -> {
                JsonNode m = windows.get(k);
                assertThat(m.get("count").asLong()).as(k + " count").isEqualTo((long) e[0]);
                assertThat(m.get("mean_loss").asDouble()).as(k + " mean").isCloseTo(e[1] / e[0],
                        org.assertj.core.api.Assertions.within(1e-9));
                assertThat(m.get("unlabelled").asLong()).as(k + " unlabelled").isEqualTo((long) e[2]);
            });
            // one loss per labelled prediction, none twice, none missing; nothing dead-lettered
            List<String> lossIds = TopicContents.readAll(kafka.bootstrapServers(), "so-losses").stream()
                    .map(r -> json(r).get("prediction_id").asText()).filter(id -> id.startsWith("so-")).toList();
            assertThat(lossIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expectedLosses(data));
            assertThat(TopicContents.readAll(kafka.bootstrapServers(), "so-dlq")).isEmpty();
        } finally {
            first.close();
        }
    }

    private static LosswatchConfig config(String instance) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("application.id", "scale-out");
        p.put("state.dir", dir.resolve("state-" + instance).toString());
        p.put("num.stream.threads", "1");
        p.put("losswatch.http.port", "0");
        p.put("losswatch.topic.predictions", "so-predictions");
        p.put("losswatch.topic.labels", "so-labels");
        p.put("losswatch.topic.losses", "so-losses");
        p.put("losswatch.topic.metrics", "so-metrics");
        p.put("losswatch.topic.alerts", "so-alerts");
        p.put("losswatch.topic.dlq", "so-dlq");
        p.put("losswatch.topic.partitions", Integer.toString(PARTITIONS));
        p.put("losswatch.window.size", "PT10S");
        // windows and waits end only when the test moves stream time on: the test is about
        // ownership moving, not about how much skew between partitions a grace covers
        p.put("losswatch.window.grace", "PT10M");
        p.put("losswatch.join.window", "PT10M");
        p.put("losswatch.join.grace", "PT10M");
        return LosswatchConfig.from(p);
    }

    /** n predictions, perSecond per second of event time from t0, for the three models; some of ctr's never labelled. */
    private static List<Prediction> dataset(long t0, int n, int perSecond) {
        Random rng = new Random(17);
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String model = MODELS.get(i % MODELS.size());
            double p = 0.02 + 0.96 * rng.nextDouble();
            int y = rng.nextDouble() < p ? 1 : 0;
            boolean labelled = !model.equals(SEPARATE) || rng.nextDouble() >= 0.05;
            out.add(new Prediction("so-" + i, model, t0 + i * 1000L / perSecond, p, y, labelled));
        }
        return out;
    }

    private static void send(List<Prediction> batch) {
        try (KafkaProducer<String, String> producer = producer()) {
            for (Prediction p : batch) {
                boolean inline = !p.model().equals(SEPARATE);
                producer.send(new ProducerRecord<>("so-predictions", null, p.time(), p.id(), String.format(
                        java.util.Locale.ROOT, "{\"prediction_id\":\"%s\",\"model\":\"%s\",\"model_version\":\"v1\","
                                + "\"timestamp\":%d,\"prediction\":%s%s}", p.id(), p.model(), p.time(), p.p(),
                        inline ? ",\"label\":" + p.y() : "")));
                if (!inline && p.labelled()) {
                    long at = p.time() + 1500;
                    producer.send(new ProducerRecord<>("so-labels", null, at, p.id(), String.format(java.util.Locale.ROOT,
                            "{\"prediction_id\":\"%s\",\"label\":%d,\"timestamp\":%d}", p.id(), p.y(), at)));
                }
            }
        }
    }

    /** Records far later in event time: every window and join task moves past all the data. */
    private static void sendStreamTimeOn(long t) {
        try (KafkaProducer<String, String> producer = producer()) {
            for (String model : MODELS) {
                producer.send(new ProducerRecord<>("so-predictions", null, t, "tail-" + model, "{\"prediction_id\":\"tail-"
                        + model + "\",\"model\":\"" + model + "\",\"model_version\":\"v1\",\"timestamp\":" + t
                        + ",\"prediction\":0.5,\"label\":1}"));
            }
            // unlabelled predictions whose ids land on every partition of the join
            Set<Integer> covered = new HashSet<>();
            for (int i = 0; covered.size() < PARTITIONS; i++) {
                String id = "tail-join-" + i;
                if (covered.add(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS)) {
                    producer.send(new ProducerRecord<>("so-predictions", null, t, id, "{\"prediction_id\":\"" + id
                            + "\",\"model\":\"tail\",\"timestamp\":" + t + ",\"prediction\":0.5}"));
                }
            }
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static List<String> expectedLosses(List<Prediction> batch) {
        return batch.stream().filter(Prediction::labelled).map(Prediction::id).toList();
    }

    private static void awaitLosses(List<String> ids) {
        Set<String> want = new HashSet<>(ids);
        TopicContents.awaitRecords(kafka.bootstrapServers(), "so-losses", Duration.ofSeconds(120), records -> {
            Set<String> seen = new HashSet<>();
            records.forEach(r -> seen.add(json(r).get("prediction_id").asText()));
            return seen.containsAll(want);
        });
    }

    private static void awaitBothActive(LosswatchApplication a, LosswatchApplication b) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (running(a) && running(b) && activeTasks(a) > 0 && activeTasks(b) > 0) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the two instances did not share the tasks: " + activeTasks(a) + " and "
                + activeTasks(b) + " active tasks");
    }

    private static boolean running(LosswatchApplication app) {
        return app.streams().state() == KafkaStreams.State.RUNNING;
    }

    private static int activeTasks(LosswatchApplication app) {
        return app.streams().metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    /** (model@window_start) → {count, sum of loss, unlabelled}. */
    private static Map<String, double[]> expectedWindows(List<Prediction> data) {
        Map<String, double[]> out = new TreeMap<>();
        for (Prediction p : data) {
            double[] w = out.computeIfAbsent(p.model() + "@" + (p.time() - p.time() % 10_000), k -> new double[3]);
            if (p.labelled()) {
                w[0]++;
                w[1] += -(p.y() * Math.log(p.p()) + (1 - p.y()) * Math.log(1 - p.p()));
            } else {
                w[2]++;
            }
        }
        return out;
    }

    private static Map<String, JsonNode> windowsOf(List<ConsumerRecord<byte[], byte[]>> records, long t0) {
        Map<String, JsonNode> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode m = json(r);
            if (MODELS.contains(m.get("model").asText())
                    && m.get("window_start").asLong() < t0 + Duration.ofMinutes(30).toMillis()) {
                out.put(key(m), m);
            }
        }
        return out;
    }

    private static String key(JsonNode m) {
        return m.get("model").asText() + "@" + m.get("window_start").asLong();
    }

    private static JsonNode json(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
