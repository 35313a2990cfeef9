package io.losswatch.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The product's embedded broker: formats a new directory once, keeps its data across restarts, fails in one line. */
class EmbeddedKafkaIT {
    @TempDir
    Path dir;

    @Test
    void keepsTopicsAndCommittedTransactionsAcrossARestart() throws Exception {
        Path data = dir.resolve("kafka");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data, 0)) {
            assertThat(kafka.formattedNewDirectory()).isTrue();
            assertThat(kafka.bootstrapServers()).startsWith("localhost:");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            // a transactional write: what exactly-once Kafka Streams needs from a one-node broker
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("transactional.id", "embedded-kafka-test");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("kept", "k", "before restart"));
                producer.commitTransaction();
            }
        }
        assertThat(data.resolve("meta.properties")).exists();

        try (EmbeddedKafka kafka = EmbeddedKafka.start(data, 0)) {
            assertThat(kafka.formattedNewDirectory()).as("existing data is kept, not reformatted").isFalse();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept");
            }
            assertThat(readAll(kafka.bootstrapServers(), "kept")).containsExactly("before restart");
        }
    }

    @Test
    void aPortInUseIsOneLineNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("localhost"))) {
            assertThatThrownBy(() -> EmbeddedKafka.start(dir.resolve("kafka"), taken.getLocalPort()))
                    .isInstanceOf(EmbeddedKafka.EmbeddedKafkaException.class)
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void aDirectoryThatIsAFileIsOneLine() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> EmbeddedKafka.start(file, 0))
                .isInstanceOf(EmbeddedKafka.EmbeddedKafkaException.class)
                .hasMessageContaining(file.toString())
                .hasMessageNotContaining("\n");
    }

    static List<String> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            long end = consumer.endOffsets(Set.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
