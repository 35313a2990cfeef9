package io.losswatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Hostile input on the real broker, for the real jar (CONTRACT §7, "nothing is dropped silently"):
 * random and mutated records interleaved with valid ones, and the accounting balances exactly. Each
 * input record ends as a loss record, a dead letter with a reason whose source headers point at it,
 * or a prediction counted in a final window's unlabelled; and the application is still RUNNING at the
 * end (/health/ready 200). jqwik picks the seeds; each try runs its own losswatch on its own topics.
 */
class HostileInputIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORDS = 300;
    /** losswatch.input.max.bytes for these runs: small, so records just under and over it stay cheap. */
    private static final int MAX_BYTES = 65_536;
    private static final long DAY = 24 * 3_600_000L;
    private static final Duration WAIT = Duration.ofSeconds(Long.getLong("hostile.wait.seconds", 120));
    /** How long to go on reading after the books balance, to catch extra or duplicate records. */
    private static final Duration SETTLE = Duration.ofSeconds(3);

    private static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();
    private static Path work;

    @BeforeContainer
    static void startBroker() throws IOException {
        work = Files.createTempDirectory("losswatch-hostile");
        KAFKA.start();
    }

    @AfterContainer
    static void stopBroker() throws IOException {
        KAFKA.close();
        // empty unless a try failed (then its log and state stay for reading)
        try (java.util.stream.Stream<Path> left = Files.list(work)) {
            if (left.findAny().isEmpty()) {
                Files.delete(work);
            }
        }
    }

    @Property(tries = 3, shrinking = ShrinkingMode.OFF, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
    void everyHostileOrValidRecordIsALossADeadLetterOrAnUnlabelledCount(@ForAll long seed) throws Exception {
        balanceTheBooks(seed);
    }

    /**
     * A seed whose traffic has a label with a flipped digit that dates it 11.6 days after the rest
     * (1765000008456): a test that moved event time on by only a day left it waiting, neither joined
     * nor dead-lettered: "labels: joined + dead letters expected 107 but was 106" here, and 111/110 on
     * another seed in CI.
     */
    @Example
    void aValidRecordDatedDaysAheadEndsInTheBooksToo() throws Exception {
        balanceTheBooks(6_790_883_066_343_994_999L);
    }

    private void balanceTheBooks(long seed) throws Exception {
        long began = System.nanoTime();
        String prefix = "h" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", KAFKA.bootstrapServers());
        settings.put("application.id", prefix + "losswatch");
        settings.put("state.dir", work.resolve(prefix + "state").toString());
        for (String t : List.of("predictions", "labels", "losses", "metrics", "alerts", "dlq")) {
            settings.put("losswatch.topic." + t, prefix + t);
        }
        settings.put("losswatch.topic.partitions", "2");
        settings.put("losswatch.http.port", "0");
        settings.put("losswatch.input.max.bytes", Integer.toString(MAX_BYTES));
        settings.put("losswatch.join.window", "PT1M");
        settings.put("losswatch.join.grace", "PT30S");
        Path dir = work.resolve(prefix + "app");
        LosswatchProcess app = LosswatchProcess.start(LosswatchProcess.writeConfig(dir, settings), dir);
        boolean passed = false;
        try {
            app.waitUntilRunning(WAIT);
            List<HostileTraffic.Input> inputs = new HostileTraffic(seed, MAX_BYTES).generate(RECORDS);
            Map<String, byte[]> sent = send(prefix, inputs);
            moveEventTimeOn(prefix, farEventTime(inputs, System.currentTimeMillis()), "tick-");
            awaitAllRead(app, inputs.size() + 2 + 20);

            // wait (bounded) until the books balance, then read once more: anything extra shows
            Accounts accounts = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                accounts = new Accounts(prefix, inputs);
                if (accounts.balanced()) {
                    break;
                }
                Thread.sleep(1000);
            }
            Thread.sleep(SETTLE.toMillis());
            accounts = new Accounts(prefix, inputs);
            String diagnosis = accounts + "\n/metrics: " + String.join("\n", app.get("/metrics").body().lines()
                    .filter(l -> l.startsWith("losswatch_") && !l.startsWith("losswatch_window_mean_loss")).toList());
            accounts.assertBalanced(sent, diagnosis);

            assertThat(app.isAlive()).isTrue();
            LosswatchProcess.HttpAnswer ready = app.get("/health/ready");
            assertThat(ready.status()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("RUNNING");
            System.out.printf("hostile input: seed %d, %d records (%d predictions, %d labels): %d losses, %d dead letters "
                            + "(%s), %d unlabelled; %d s%n", seed, inputs.size(), accounts.predictions, accounts.labels,
                    accounts.losses.size(), accounts.dead.size(), accounts.reasons, accounts.unlabelled,
                    (System.nanoTime() - began) / 1_000_000_000);
            passed = true;
        } finally {
            app.kill();
        }
        if (passed) {
            // kept after a failure, to read the log and the state
            deleteRecursively(dir);
            deleteRecursively(work.resolve(prefix + "state"));
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * An event time past every input's: a day after the latest "timestamp" in any input that is a JSON
     * object, at least a day after the traffic's start. A flipped digit can date a valid record days
     * ahead (about 1 try in 70); a label waiting past the clock's move would be neither joined nor
     * dead-lettered when the books are read. Times over losswatch.input.max.future (5 min) ahead of now
     * are dead-lettered, so they do not count, and the clock itself stays within that limit.
     */
    static long farEventTime(List<HostileTraffic.Input> inputs, long now) {
        long acceptedUpTo = now + Duration.ofMinutes(5).toMillis();
        long latest = HostileTraffic.T0;
        for (HostileTraffic.Input in : inputs) {
            try {
                JsonNode json = JSON.readTree(in.value());
                if (json != null && json.path("timestamp").isIntegralNumber()) {
                    long t = json.path("timestamp").asLong();
                    if (t <= acceptedUpTo) {
                        latest = Math.max(latest, t);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not JSON: dead-lettered, no time
            }
        }
        return Math.min(latest + DAY, acceptedUpTo - Duration.ofMinutes(1).toMillis());
    }

    /** Sends every input (null keys: spread over the partitions) and returns topic/partition/offset → the bytes sent there. */
    private static Map<String, byte[]> send(String prefix, List<HostileTraffic.Input> inputs) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 * 1024 * 1024));
        Map<String, byte[]> sent = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (HostileTraffic.Input in : inputs) {
                futures.add(producer.send(new ProducerRecord<>(prefix + (in.label() ? "labels" : "predictions"), null,
                        in.recordTime(), null, in.value())));
            }
            producer.flush();
            for (int i = 0; i < inputs.size(); i++) {
                RecordMetadata m = futures.get(i).get(60, TimeUnit.SECONDS);
                sent.put(m.topic() + "/" + m.partition() + "/" + m.offset(), inputs.get(i).value());
            }
        }
        return sent;
    }

    /**
     * Moves event time far on for every partition of every step: a clock prediction on each predictions
     * partition (keys "fraud" and "churn" hash to partitions 0 and 1 of 2) and labels whose ids cover the
     * join's partitions. These records are the test's own and are left out of the accounts.
     */
    private static void moveEventTimeOn(String prefix, long t, String idPrefix) {
        List<ProducerRecord<String, String>> clock = new ArrayList<>();
        for (String key : List.of("fraud", "churn")) {
            clock.add(new ProducerRecord<>(prefix + "predictions", null, t, key, "{\"prediction_id\":\"" + idPrefix + key
                    + "\",\"model\":\"clock\",\"timestamp\":" + t + ",\"prediction\":0.5}"));
        }
        KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "predictions", clock);
        List<ProducerRecord<String, String>> ticks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ticks.add(new ProducerRecord<>(prefix + "labels", null, t, idPrefix + i,
                    "{\"prediction_id\":\"" + idPrefix + i + "\",\"label\":1,\"timestamp\":" + t + "}"));
        }
        KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "labels", ticks);
    }

    /** Waits (bounded) until the application has read n input records (its /metrics). */
    private static void awaitAllRead(LosswatchProcess app, long n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long read = 0;
        while (System.nanoTime() < deadline) {
            read = app.get("/metrics").body().lines().filter(l -> l.startsWith("losswatch_events_processed_total"))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            if (read >= n) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("losswatch read " + read + " of " + n + " input records\n" + app.logTail());
    }

    /** Everything read_committed on a topic right now: from the beginning to the end offsets. */
    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(9 * 1024 * 1024));
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot read " + topic + " to its end " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** The books of one run: what went in, and where each record ended. */
    private static final class Accounts {
        final int predictions;
        final int labels;
        final List<JsonNode> losses = new ArrayList<>();
        final List<ConsumerRecord<String, byte[]>> dead;
        final Map<String, Integer> reasons = new java.util.TreeMap<>();
        long unlabelled;
        long windowCounts;
        long joinedLabels;
        int lateUnlabelled;
        int lateCount;
        int lateJoined;
        int deadPredictions;
        int deadLabels;
        long lossesOfJoinedLabels;
        final String prefix;

        Accounts(String prefix, List<HostileTraffic.Input> inputs) throws IOException {
            this.prefix = prefix;
            predictions = (int) inputs.stream().filter(i -> !i.label()).count();
            labels = inputs.size() - predictions;
            for (ConsumerRecord<String, byte[]> r : readAll(prefix + "losses")) {
                losses.add(JSON.readTree(r.value()));
            }
            for (ConsumerRecord<String, byte[]> r : readAll(prefix + "metrics")) {
                JsonNode m = JSON.readTree(r.value());
                if (!m.get("model").asText().equals("clock")) { // the test's own clock records
                    unlabelled += m.get("unlabelled").asLong();
                    windowCounts += m.get("count").asLong();
                    joinedLabels += m.get("joined_labels").asLong();
                }
            }
            // the clock's own labels, should they end as unmatched, are the test's, not the input's
            dead = readAll(prefix + "dlq").stream()
                    .filter(d -> !new String(d.value(), StandardCharsets.UTF_8).startsWith("{\"prediction_id\":\"tick-"))
                    .toList();
            for (ConsumerRecord<String, byte[]> d : dead) {
                String reason = KafkaTestClients.header(d, "losswatch.error.reason");
                reasons.merge(String.valueOf(reason), 1, Integer::sum);
                if ("late_event".equals(reason)) {
                    JsonNode stats = JSON.readTree(d.value()).get("stats");
                    lateUnlabelled += stats.path("unlabelled").asInt(0);
                    lateCount += stats.path("count").asInt(0);
                    lateJoined += stats.path("joined").asInt(0);
                } else if ((prefix + "predictions").equals(KafkaTestClients.header(d, "losswatch.source.topic"))) {
                    deadPredictions++;
                } else {
                    deadLabels++;
                }
            }
            // predictions that carried their own label (a label that joined always names a prediction_id)
            Set<String> inline = new HashSet<>();
            for (HostileTraffic.Input in : inputs) {
                if (!in.label()) {
                    try {
                        JsonNode json = JSON.readTree(in.value());
                        if (json != null && json.isObject() && json.has("label")) {
                            inline.add(json.path("prediction_id").asText(""));
                        }
                    } catch (IOException | RuntimeException e) {
                        // not JSON: dead-lettered, never a loss
                    }
                }
            }
            lossesOfJoinedLabels = losses.stream().filter(l -> !inline.contains(l.path("prediction_id").asText(""))).count();
        }

        boolean balanced() {
            return losses.size() + deadPredictions + unlabelled + lateUnlabelled == predictions
                    && lossesOfJoinedLabels + deadLabels == labels
                    && windowCounts + lateCount == losses.size()
                    && joinedLabels + lateJoined == lossesOfJoinedLabels;
        }

        @Override
        public String toString() {
            return String.format("predictions %d, labels %d; losses %d (of joined labels %d), dead predictions %d, dead labels %d "
                            + "%s, unlabelled %d (late %d), window counts %d (late %d), joined labels %d (late %d)", predictions,
                    labels, losses.size(), lossesOfJoinedLabels, deadPredictions, deadLabels, reasons, unlabelled,
                    lateUnlabelled, windowCounts, lateCount, joinedLabels, lateJoined);
        }

        void assertBalanced(Map<String, byte[]> sent, String diagnosis) {
            Set<String> sources = new HashSet<>();
            for (ConsumerRecord<String, byte[]> d : dead) {
                String reason = KafkaTestClients.header(d, "losswatch.error.reason");
                assertThat(reason).as("a dead letter's reason").isNotBlank();
                assertThat(KafkaTestClients.header(d, "losswatch.error.message")).isNotBlank();
                String source = KafkaTestClients.header(d, "losswatch.source.topic") + "/"
                        + KafkaTestClients.header(d, "losswatch.source.partition") + "/"
                        + KafkaTestClients.header(d, "losswatch.source.offset");
                assertThat(sent).as("dead letter %s (%s) points at a record sent", source, reason).containsKey(source);
                if (!"late_event".equals(reason)) {
                    assertThat(sources.add(source)).as("one dead letter per input record: %s (%s)", source, reason).isTrue();
                    assertThat(Arrays.equals(d.value(), sent.get(source)))
                            .as("dead letter %s (%s) carries the input's bytes", source, reason).isTrue();
                }
            }
            assertThat(losses.stream().map(l -> l.path("prediction_id").asText("")).filter(id -> !id.isEmpty()).toList())
                    .as("one loss per prediction").doesNotHaveDuplicates();
            assertThat(losses.size() + deadPredictions + unlabelled + lateUnlabelled)
                    .as("predictions: losses + dead letters + unlabelled" + "\n" + diagnosis).isEqualTo(predictions);
            assertThat(lossesOfJoinedLabels + deadLabels).as("labels: joined + dead letters" + "\n" + diagnosis).isEqualTo(labels);
            assertThat(windowCounts + lateCount).as("every loss in a window, or dead-lettered as late" + "\n" + diagnosis).isEqualTo(losses.size());
            assertThat(joinedLabels + lateJoined).as("every joined label in a window's joined_labels, or late" + "\n" + diagnosis)
                    .isEqualTo(lossesOfJoinedLabels);
        }
    }
}
