package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quiet input on the real broker, the real jar: what losswatch writes to its internal topics with no
 * input at all (issue 19 point 6: the end offsets of its repartition and changelog topics read before
 * and after a measured stretch; they count transaction markers too, one per partition a commit wrote
 * to), and the last window of a quiet topic closing with losswatch.input.idle.wallclock.advance (point 2).
 */
class IdleLoadIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();
    /** Past start-up and past the idle timeout (PT10S), when every partition has turned idle. */
    private static final Duration SETTLE = Duration.ofSeconds(15);
    /** Long enough to hold one heartbeat (every 30 s) of each intake partition. */
    private static final Duration MEASURED = Duration.ofSeconds(35);

    @TempDir
    Path work;

    @Test
    void withNoInputTheInternalTopicsStayAlmostQuiet() throws Exception {
        LosswatchProcess app = start("idle-load", Map.of());
        try (Admin admin = admin()) {
            Thread.sleep(SETTLE.toMillis());
            Map<String, Double> rates = rates(admin, "idle-load", MEASURED);
            rates.forEach((topic, rate) -> System.out.printf("idle: %s %.2f records/s%n", topic, rate));
            // Before: ~114 records/s on each of the two repartition topics and the aggregator's watermark
            // changelog (3 intake partitions x 3 partitions, ten times a second, plus a commit marker per
            // partition). Now a watermark goes out when it changes (an idle flag turning on, at most once in
            // the measured stretch) or as a heartbeat every 30 s: at most 3 x (9 records + 3 markers) per
            // topic in 35 s, 1.0 records/s. 3 records/s leaves room and is still 38 times below before.
            assertThat(rates).as("records/s written to the internal topics of an idle instance")
                    .allSatisfy((topic, rate) -> assertThat(rate).as(topic).isLessThan(3.0));
            assertThat(app.isAlive()).as("losswatch still running\n" + app.logTail()).isTrue();
        } finally {
            assertThat(app.stop()).isZero();
        }
    }

    /**
     * losswatch.input.idle.wallclock.advance=true on the real broker: two predictions and then nothing;
     * the window closes and the unlabelled prediction's join wait ends by the wall clock alone.
     */
    @Test
    void withTheWallClockAdvanceAQuietTopicsLastWindowCloses() throws Exception {
        String id = "quiet-advance";
        LosswatchProcess app = start(id, Map.of(
                "losswatch.input.idle.wallclock.advance", "true",
                "losswatch.input.idle.timeout", "PT2S",
                "losswatch.window.size", "PT5S",
                "losswatch.window.grace", "PT1S",
                "losswatch.join.window", "PT5S",
                "losswatch.join.grace", "PT1S"));
        try (Admin admin = admin()) {
            long now = System.currentTimeMillis();
            KafkaTestClients.produce(KAFKA.bootstrapServers(), id + "-predictions", List.of(
                    new ProducerRecord<>(id + "-predictions", 0, now, null, "{\"prediction_id\":\"a\",\"model\":\"quiet\","
                            + "\"timestamp\":" + now + ",\"prediction\":0.8,\"label\":1}"),
                    new ProducerRecord<>(id + "-predictions", 0, now, null, "{\"prediction_id\":\"u\",\"model\":\"quiet\","
                            + "\"timestamp\":" + now + ",\"prediction\":0.3}")));
            // without the advance neither record would ever come: nothing newer is sent
            List<ConsumerRecord<String, String>> labelFree = KafkaTestClients.consumeReadCommitted(
                    KAFKA.bootstrapServers(), id + "-prediction-metrics", 1, Duration.ofSeconds(60));
            List<ConsumerRecord<String, String>> windows = KafkaTestClients.consumeReadCommitted(
                    KAFKA.bootstrapServers(), id + "-model-metrics", 1, Duration.ofSeconds(60));
            assertThat(labelFree).as("prediction-metrics\n" + app.logTail()).hasSize(1);
            assertThat(labelFree.get(0).value()).contains("\"predictions\":2", "\"labelled\":1", "\"final\":true");
            assertThat(windows).as("model-metrics\n" + app.logTail()).hasSize(1);
            assertThat(windows.get(0).value()).contains("\"count\":1", "\"unlabelled\":1", "\"final\":true");

            // what it costs while it goes on: the one partition that had input sends a watermark a second
            Map<String, Double> rates = rates(admin, id, Duration.ofSeconds(20));
            rates.forEach((topic, rate) -> System.out.printf("idle with wall-clock advance: %s %.2f records/s%n", topic, rate));
        } finally {
            assertThat(app.stop()).isZero();
        }
    }

    /** Starts the jar with its own application id and topics; returns it once RUNNING. */
    private LosswatchProcess start(String applicationId, Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "application.id", applicationId,
                "state.dir", work.resolve("state-" + applicationId).toString(),
                "losswatch.http.port", "0"));
        Map.of("predictions", "predictions", "labels", "labels", "losses", "prediction-losses", "metrics", "model-metrics",
                "alerts", "model-alerts", "dlq", "dlq", "prediction.metrics", "prediction-metrics")
                .forEach((setting, name) -> settings.put("losswatch.topic." + setting, applicationId + "-" + name));
        settings.putAll(extra);
        Path config = LosswatchProcess.writeConfig(work.resolve(applicationId), settings);
        LosswatchProcess app = LosswatchProcess.start(config, work.resolve(applicationId));
        app.waitUntilRunning(Duration.ofSeconds(120));
        return app;
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()));
    }

    /** Records per second written to each internal topic of applicationId during the stretch. */
    private static Map<String, Double> rates(Admin admin, String applicationId, Duration stretch) throws Exception {
        List<TopicPartition> partitions = internalPartitions(admin, applicationId);
        Map<TopicPartition, Long> before = endOffsets(admin, partitions);
        long t0 = System.nanoTime();
        Thread.sleep(stretch.toMillis());
        Map<TopicPartition, Long> after = endOffsets(admin, partitions);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> rates = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            rates.merge(tp.topic(), (after.get(tp) - before.get(tp)) / seconds, Double::sum);
        }
        return rates;
    }

    private static List<TopicPartition> internalPartitions(Admin admin, String applicationId) throws Exception {
        List<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(applicationId + "-")
                        && (t.endsWith("-repartition") || t.endsWith("-changelog")))
                .sorted().toList();
        assertThat(topics).as("internal topics of " + applicationId).isNotEmpty();
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        return described.values().stream()
                .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                .toList();
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, List<TopicPartition> partitions) throws Exception {
        return admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                .all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
