package io.losswatch.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.embedded.EmbeddedKafka;
import io.losswatch.embedded.TopicContents;
import io.losswatch.runtime.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate} against a real broker: the options decide what lands in which topic, and it ends by itself. */
class GenerateIT {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    @Test
    void sendsRateTimesDurationRecordsToTheNamedTopicsAndStops() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute("generate", "--bootstrap-server", kafka.bootstrapServers(), "--models", "3",
                    "--rate", "100", "--duration", "3s", "--label-delay", "1s", "--unlabelled-share", "0",
                    "--malformed-share", "0.1", "--seed", "5", "--predictions-topic", "gen-p", "--labels-topic", "gen-l");
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isZero();
        assertThat(printed).contains("Sending to " + kafka.bootstrapServers() + ": 100 predictions/s over 3 models"
                + " (topics gen-p, gen-l)").contains("churn", "fraud", "credit-risk").contains("Stops after 3s");

        List<ConsumerRecord<byte[], byte[]>> predictions = TopicContents.readAll(kafka.bootstrapServers(), "gen-p");
        List<ConsumerRecord<byte[], byte[]>> labels = TopicContents.readAll(kafka.bootstrapServers(), "gen-l");
        List<String> labelIds = labels.stream().map(r -> json(r).path("prediction_id").asText()).toList();
        long orphans = labelIds.stream().filter(id -> id.contains("-orphan-")).count();
        assertThat(predictions.size() + orphans).as("one record per slot: rate x duration").isEqualTo(300);

        // each separate label belongs to a prediction without one; fraud (the second model) labels separately
        Set<String> waiting = predictions.stream().map(GenerateIT::json)
                .filter(p -> p != null && p.has("model") && p.path("model").asText().equals("fraud") && !p.has("label"))
                .map(p -> p.path("prediction_id").asText()).collect(Collectors.toSet());
        assertThat(waiting).isNotEmpty();
        assertThat(labelIds.stream().filter(id -> !id.contains("-orphan-")).collect(Collectors.toSet()))
                .isEqualTo(waiting);
        // record time is event time
        assertThat(predictions).filteredOn(r -> json(r) != null && json(r).has("timestamp"))
                .allSatisfy(r -> assertThat(json(r).get("timestamp").asLong()).isEqualTo(r.timestamp()));

        Matcher summary = Pattern.compile("sent (\\d+) predictions, (\\d+) labels, (\\d+) malformed records").matcher(printed);
        assertThat(summary.find()).as(printed).isTrue();
        assertThat(Long.parseLong(summary.group(1)) + Long.parseLong(summary.group(2)) + Long.parseLong(summary.group(3)))
                .isEqualTo(predictions.size() + labels.size());
        assertThat(Long.parseLong(summary.group(3))).isBetween(10L, 60L);
    }

    @Test
    void producerSettingsComeFromAFileAndAnUnreachableBrokerIsExitCodeOne() throws Exception {
        Path config = Files.writeString(dir.resolve("producer.properties"), "max.block.ms=1500\n");
        PrintStream old = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            long t0 = System.nanoTime();
            assertThat(Main.execute("generate", "--bootstrap-server", "localhost:1", "--producer-config",
                    config.toString(), "--duration", "1s", "--rate", "5")).isEqualTo(1);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("gives up after max.block.ms").isLessThan(20_000);
        } finally {
            System.setErr(old);
        }
    }

    private static JsonNode json(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (java.io.IOException e) {
            return null; // a malformed record, on purpose
        }
    }
}
