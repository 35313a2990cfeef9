package io.losswatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code run} tells a user at start-up, the real jar: a broker that does not answer, keys that have
 * no effect; and the topics it creates, with the user's topic configs, on a real (in-process) broker,
 * with a warning when it writes output older than a topic keeps records.
 */
class StartUpIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();
    private static final long SEVEN_DAYS_MS = Duration.ofDays(7).toMillis();
    @TempDir
    Path work;

    @Test
    void noBrokerAnsweringStopsStartUpWithOneLineNamingBootstrapServers() throws Exception {
        String bootstrap = "localhost:" + unusedPort();
        Path config = LosswatchProcess.writeConfig(work, Map.of(
                "bootstrap.servers", bootstrap,
                "bootstrap.server", "localhost:2",
                "consumer.session.timeout.ms", "45000",
                "losswatch.http.port", "0",
                "losswatch.connect.timeout", "PT10S"));
        long start = System.nanoTime();
        LosswatchProcess losswatch = LosswatchProcess.start(config, work);
        int code = losswatch.awaitExit(Duration.ofSeconds(60));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        List<String> lines = losswatch.logText().lines().toList();
        long warnings = lines.stream().filter(l -> l.contains(" WARN ")).count();
        System.out.printf("no broker, losswatch.connect.timeout=PT10S: exit code %d after %d ms, %d WARN lines%n",
                code, ms, warnings);

        assertThat(code).as(losswatch.logTail()).isEqualTo(1);
        // the typo is named with the key it should have been; a valid prefixed key is not
        assertThat(lines.get(0)).endsWith(" WARN  io.losswatch.runtime.Main - losswatch: unknown key bootstrap.server (in "
                + config + "): neither losswatch nor Kafka Streams nor Kafka's clients know this key, so it has no"
                + " effect; did you mean bootstrap.servers?");
        assertThat(losswatch.logText()).doesNotContain("consumer.session.timeout.ms");
        // one error line, the last, the same whichever timeout ends the wait
        assertThat(lines.stream().filter(l -> l.contains(" ERROR ")).toList()).as(losswatch.logTail()).hasSize(1);
        assertThat(lines.get(lines.size() - 1)).endsWith("losswatch: cannot connect to Kafka at " + bootstrap
                + ": no broker answered within 10 s (losswatch.connect.timeout); check that bootstrap.servers names"
                + " brokers that run and are reachable from this machine, and that security.protocol matches their listener");
        assertThat(losswatch.logText()).doesNotContain("node assignment").doesNotContain("Exception");
        // the admin client backs off from 1 s to 10 s: about 4 attempts in 10 s, one WARN line each
        // (Kafka's default backoff, 50 ms to 1 s, logged 66 lines in the 60 s start-up used to wait)
        assertThat(warnings).as(losswatch.logTail()).isBetween(2L, 8L);
        assertThat(ms).as("the wait ends at the timeout, not at Kafka's 60 s").isLessThan(40_000);
    }

    @Test
    void createdTopicsTakeTheTopicConfigsAndOutputOlderThanItsRetentionIsWarnedAbout() throws Exception {
        String app = "topic-configs";
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "application.id", app,
                "state.dir", work.resolve("state").toString(),
                "losswatch.http.port", "0",
                // a broker's default retention, for every topic losswatch creates (this test broker keeps all)
                "losswatch.topic.config.retention.ms", Long.toString(SEVEN_DAYS_MS),
                "losswatch.topic.metrics.config.retention.ms", "-1",
                "losswatch.topic.alerts.config.cleanup.policy", "compact"));
        for (String topic : List.of("predictions", "labels", "losses", "metrics", "alerts", "dlq", "prediction.metrics")) {
            settings.put("losswatch.topic." + topic, app + "-" + topic.replace('.', '-'));
        }
        LosswatchProcess losswatch = LosswatchProcess.start(LosswatchProcess.writeConfig(work, settings), work);
        losswatch.waitUntilRunning(Duration.ofSeconds(120));

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            Map<String, Config> configs = describe(admin, app + "-losses", app + "-metrics", app + "-alerts", app + "-dlq",
                    app + "-predictions");
            assertThat(configs.get(app + "-losses").get("retention.ms").value()).isEqualTo(Long.toString(SEVEN_DAYS_MS));
            assertThat(configs.get(app + "-predictions").get("retention.ms").value()).isEqualTo(Long.toString(SEVEN_DAYS_MS));
            assertThat(configs.get(app + "-metrics").get("retention.ms").value()).as("per topic wins").isEqualTo("-1");
            assertThat(configs.get(app + "-alerts").get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(configs.get(app + "-dlq").get("retention.ms").value()).isEqualTo(Long.toString(SEVEN_DAYS_MS));
            assertThat(configs.get(app + "-dlq").get("max.message.bytes").value()).as("dead letters up to 8 MiB (CONTRACT §7)")
                    .isEqualTo(Integer.toString(8 * 1024 * 1024 + 64 * 1024));
        }

        // a current prediction: no warning; one dated 2025-11-24, as the README's example once was: warned
        long now = System.currentTimeMillis();
        KafkaTestClients.produce(KAFKA.bootstrapServers(), app + "-predictions", List.of(
                new ProducerRecord<>(app + "-predictions", "churn", prediction("p-now", now)),
                new ProducerRecord<>(app + "-predictions", "churn", prediction("p-old", 1_764_000_000_000L))));
        String warning = awaitLine(losswatch, "written to " + app + "-losses", Duration.ofSeconds(60));
        assertThat(warning).contains(" WARN ").contains("losswatch: 1 record(s) written to " + app + "-losses so far,"
                + " the latest dated 2025-11-24T16:00:00Z, older than the topic keeps records (retention.ms=604800000, PT168H)")
                .contains("kafka-configs.sh --alter --entity-type topics --entity-name " + app + "-losses")
                .contains("losswatch.topic.config.retention.ms");
        assertThat(losswatch.logText()).as("metrics (retention -1) and a compacted topic are never warned about")
                .doesNotContain("written to " + app + "-metrics").doesNotContain("written to " + app + "-alerts");
        assertThat(losswatch.stop()).isZero();
    }

    private static String prediction(String id, long time) {
        return "{\"prediction_id\":\"" + id + "\",\"model\":\"churn\",\"timestamp\":" + time
                + ",\"prediction\":0.9,\"label\":1}";
    }

    private static Map<String, Config> describe(Admin admin, String... topics) throws Exception {
        Map<String, Config> out = new HashMap<>();
        admin.describeConfigs(java.util.Arrays.stream(topics).map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList()).all().get(30, TimeUnit.SECONDS).forEach((r, c) -> out.put(r.name(), c));
        return out;
    }

    private static String awaitLine(LosswatchProcess losswatch, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var line = losswatch.logText().lines().filter(l -> l.contains(text)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no line with '" + text + "' after " + timeout + "\n" + losswatch.logTail());
    }

    /** A port nothing listens on: bound, then released. */
    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("localhost"))) {
            return s.getLocalPort();
        }
    }
}
