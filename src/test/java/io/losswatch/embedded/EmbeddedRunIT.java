package io.losswatch.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.demo.JarProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} with {@code losswatch.embedded.kafka=true}, as the real jar: the broker starts first,
 * processing works against it, it stops after Kafka Streams, and a restart on the same directory
 * finds the earlier topics and results.
 */
class EmbeddedRunIT {
    private static final Pattern RUNNING = Pattern.compile("streams state \\w+ -> RUNNING");

    @TempDir
    Path work;

    @Test
    void runStartsTheEmbeddedBrokerAndKeepsItsDataAcrossRestarts() throws Exception {
        int port = freePort();
        String bootstrap = "localhost:" + port;
        Path config = work.resolve("losswatch.properties");
        Files.writeString(config, String.join("\n",
                "losswatch.embedded.kafka=true",
                "losswatch.embedded.kafka.port=" + port,
                "losswatch.embedded.kafka.dir=" + work.resolve("kafka"),
                "state.dir=" + work.resolve("state"),
                "application.id=embedded-run-it",
                "losswatch.http.port=0",
                // bootstrap.servers is not needed: the embedded broker's address is used
                "bootstrap.servers=localhost:1", ""), StandardCharsets.UTF_8);

        JarProcess first = JarProcess.start(work, "first.log", "run", "--config", config.toString());
        first.awaitOutput(RUNNING, Duration.ofSeconds(120));
        assertThat(first.output()).contains("embedded Kafka: broker ready on " + bootstrap)
                .contains("(new)").contains("using the embedded broker at " + bootstrap);
        send(bootstrap, "p-1", "p-2", "p-3");
        TopicContents.awaitRecords(bootstrap, "prediction-losses", Duration.ofSeconds(60), r -> r.size() == 3);
        first.stop(Duration.ofSeconds(90));
        String firstLog = first.output();
        assertThat(firstLog.indexOf("embedded Kafka: stopped")).as("the broker stops after Kafka Streams\n" + first.tail())
                .isGreaterThan(firstLog.indexOf("streams state PENDING_SHUTDOWN -> NOT_RUNNING"))
                .isGreaterThan(0);

        JarProcess second = JarProcess.start(work, "second.log", "run", "--config", config.toString());
        second.awaitOutput(RUNNING, Duration.ofSeconds(120));
        assertThat(second.output()).contains("embedded Kafka: broker ready on " + bootstrap).doesNotContain("(new)")
                .doesNotContain("created topic");
        send(bootstrap, "p-4");
        TopicContents.awaitRecords(bootstrap, "prediction-losses", Duration.ofSeconds(60), r -> r.size() == 4);
        second.stop(Duration.ofSeconds(90));
    }

    private static void send(String bootstrap, String... ids) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            long t = System.currentTimeMillis();
            for (String id : List.of(ids)) {
                producer.send(new ProducerRecord<>("predictions", "churn", "{\"prediction_id\":\"" + id
                        + "\",\"model\":\"churn\",\"timestamp\":" + t + ",\"prediction\":0.8,\"label\":1}"));
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("localhost"))) {
            return s.getLocalPort();
        }
    }
}
