package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.EmbeddedKafkaBroker;
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
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What losswatch writes to its internal topics with no input at all (issue 19 point 6): the real jar
 * on the in-process broker, idle, and the end offsets of its repartition and changelog topics read
 * before and after a measured stretch. End offsets count transaction markers too: under exactly-once
 * each commit that wrote to a partition adds one there.
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
        Map<String, Double> rates = idleRates("idle-load", Map.of());
        rates.forEach((topic, rate) -> System.out.printf("idle: %s %.2f records/s%n", topic, rate));
        // Before: ~114 records/s on each of the two repartition topics and the aggregator's watermark
        // changelog (3 intake partitions x 3 partitions, ten times a second, plus a commit marker per
        // partition). Now a watermark goes out when it changes (an idle flag turning on, at most once in
        // the measured stretch) or as a heartbeat every 30 s: at most 3 x (9 records + 3 markers) per
        // topic in 35 s, 1.0 records/s. 3 records/s leaves room and is still 38 times below before.
        assertThat(rates).as("records/s written to the internal topics of an idle instance")
                .allSatisfy((topic, rate) -> assertThat(rate).as(topic).isLessThan(3.0));
    }

    /** Records per second written to each internal topic of an idle instance, after it settled. */
    private Map<String, Double> idleRates(String applicationId, Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "application.id", applicationId,
                "state.dir", work.resolve("state-" + applicationId).toString(),
                "losswatch.http.port", "0",
                "losswatch.topic.predictions", applicationId + "-predictions",
                "losswatch.topic.labels", applicationId + "-labels"));
        settings.putAll(extra);
        Path config = LosswatchProcess.writeConfig(work.resolve(applicationId), settings);
        LosswatchProcess app = LosswatchProcess.start(config, work.resolve(applicationId));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            app.waitUntilRunning(Duration.ofSeconds(120));
            Thread.sleep(SETTLE.toMillis());
            List<TopicPartition> partitions = internalPartitions(admin, applicationId);
            Map<TopicPartition, Long> before = endOffsets(admin, partitions);
            long t0 = System.nanoTime();
            Thread.sleep(MEASURED.toMillis());
            Map<TopicPartition, Long> after = endOffsets(admin, partitions);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(app.isAlive()).as("losswatch still running\n" + app.logTail()).isTrue();
            Map<String, Double> rates = new TreeMap<>();
            for (TopicPartition tp : partitions) {
                rates.merge(tp.topic(), (after.get(tp) - before.get(tp)) / seconds, Double::sum);
            }
            return rates;
        } finally {
            assertThat(app.stop()).isZero();
        }
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
