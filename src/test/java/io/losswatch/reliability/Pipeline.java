package io.losswatch.reliability;

import static io.losswatch.scenario.Traffic.MINUTE;
import static io.losswatch.scenario.Traffic.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.it.KafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import io.losswatch.scenario.Traffic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One losswatch pipeline of a reliability scenario: its own topics (a random prefix) on a shared
 * broker, the settings its instances run with, the traffic (the {@link Traffic} oracle's records
 * plus malformed ones, in event-time order) and the exact checks of what came out, read with
 * read_committed consumers.
 */
final class Pipeline {
    static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    final KafkaBroker broker;
    final Path work;
    final String prefix = "r" + UUID.randomUUID().toString().substring(0, 8) + "-";
    /** Settings every instance runs with; an instance's own state directory is added by {@link #start}. */
    final Map<String, String> config = new LinkedHashMap<>();
    final Traffic traffic;
    /** Malformed input: value → the reason its dead letter must carry. */
    final Map<String, String> expectedDeadLetters = new LinkedHashMap<>();
    /** Every input record, predictions and labels, valid and malformed, in event-time order. */
    final List<ProducerRecord<String, String>> timeline = new ArrayList<>();

    Pipeline(KafkaBroker broker, Path work, java.util.function.UnaryOperator<Traffic> shape) {
        this.broker = broker;
        this.work = work;
        config.put("bootstrap.servers", broker.bootstrapServers());
        config.put("application.id", prefix + "losswatch");
        config.put("losswatch.topic.predictions", topic("predictions"));
        config.put("losswatch.topic.labels", topic("labels"));
        config.put("losswatch.topic.losses", topic("prediction-losses"));
        config.put("losswatch.topic.metrics", topic("model-metrics"));
        config.put("losswatch.topic.alerts", topic("model-alerts"));
        config.put("losswatch.topic.dlq", topic("dlq"));
        config.put("losswatch.topic.partitions", "2");
        config.put("losswatch.http.port", "0");
        config.put("losswatch.join.window", "PT2M");
        // after a crash the labels and the predictions are re-read by different tasks, and either may
        // run ahead of the other by the backlog; the join's grace must cover that skew, or a label whose
        // prediction is still in the backlog is dead-lettered as unmatched_label (docs/reliability.md)
        config.put("losswatch.join.grace", "PT5M");
        config.put("losswatch.window.grace", "PT10S");
        // a killed instance leaves its group in seconds, not the default 45 s (docs/reliability.md)
        config.put("consumer.session.timeout.ms", "6000");
        traffic = shape.apply(new Traffic(topic("predictions"), topic("labels")));
        buildTimeline();
    }

    String topic(String name) {
        return prefix + name;
    }

    /** Starts an instance with its own state directory work/name (the same one again after a kill) and waits until it runs. */
    LosswatchProcess start(String name) {
        return start(name, List.of());
    }

    /** As {@link #start(String)}, with extra JVM options. */
    LosswatchProcess start(String name, List<String> jvmOptions) {
        Map<String, String> settings = new LinkedHashMap<>(config);
        Path dir = work.resolve(name);
        settings.put("state.dir", dir.resolve("state").toString());
        try {
            LosswatchProcess p = LosswatchProcess.start(LosswatchProcess.writeConfig(dir, settings), dir, jvmOptions);
            p.waitUntilRunning(WAIT);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Malformed records beside the valid traffic, one of each kind in each of the given windows:
     * cut-off JSON, a probability above 1, no model, and a label for a prediction nobody sent.
     */
    private void buildTimeline() {
        List<ProducerRecord<String, String>> all = new ArrayList<>(traffic.predictions);
        all.addAll(traffic.labels);
        Set<Long> windows = new java.util.TreeSet<>();
        traffic.predictions.forEach(r -> windows.add((r.timestamp() - T0) / MINUTE));
        for (long w : windows) {
            long t = T0 + w * MINUTE + 25_000;
            String notJson = "{\"prediction_id\":\"bad-json-" + w + "\",\"model\":\"churn\",\"prediction\":";
            String outOfRange = "{\"prediction_id\":\"bad-range-" + w + "\",\"model\":\"churn\",\"prediction\":1.5,\"label\":1,\"timestamp\":" + t + "}";
            String noModel = "{\"prediction_id\":\"bad-model-" + w + "\",\"prediction\":0.5,\"label\":1,\"timestamp\":" + t + "}";
            String ghost = "{\"prediction_id\":\"ghost-" + w + "\",\"label\":1,\"timestamp\":" + t + "}";
            all.add(new ProducerRecord<>(topic("predictions"), null, t, "churn", notJson));
            all.add(new ProducerRecord<>(topic("predictions"), null, t, "churn", outOfRange));
            all.add(new ProducerRecord<>(topic("predictions"), null, t, "fraud", noModel));
            all.add(new ProducerRecord<>(topic("labels"), null, t, "ghost-" + w, ghost));
            expectedDeadLetters.put(notJson, "invalid_json");
            expectedDeadLetters.put(outOfRange, "out_of_range");
            expectedDeadLetters.put(noModel, "missing_field");
            expectedDeadLetters.put(ghost, "unmatched_label");
        }
        // stable: records of one time keep the order the oracle gave them
        all.sort(Comparator.comparingLong(ProducerRecord::timestamp));
        timeline.addAll(all);
    }

    /** The timeline cut into n consecutive parts of about equal size. */
    List<List<ProducerRecord<String, String>>> parts(int n) {
        List<List<ProducerRecord<String, String>>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(timeline.subList(i * timeline.size() / n, (i + 1) * timeline.size() / n));
        }
        return out;
    }

    /** Sends records to their own topics in order, batchSize at a time with a pause between batches, and waits for every ack. */
    void send(List<ProducerRecord<String, String>> records, int batchSize, Duration pause) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // one request in flight: the order of a model's records is the order of event time
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                sent.add(producer.send(records.get(i)));
                if ((i + 1) % batchSize == 0) {
                    producer.flush();
                    Thread.sleep(pause.toMillis());
                }
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot produce to " + broker.bootstrapServers(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends in a background thread; join() it (failures are rethrown). */
    Sender sendInBackground(List<ProducerRecord<String, String>> records, int batchSize, Duration pause) {
        Sender s = new Sender(() -> send(records, batchSize, pause));
        s.start();
        return s;
    }

    /** Moves event time far past the traffic on every partition: every window closes, every join wait ends. */
    void moveEventTimeOn() {
        long t = T0 + 30 * MINUTE;
        List<ProducerRecord<String, String>> clock = new ArrayList<>(traffic.clockPredictions(t));
        clock.addAll(traffic.clockLabels(t));
        send(clock, clock.size(), Duration.ZERO);
    }

    /** The sum of losswatch_events_processed_total over topics on this instance's /metrics (0 before any). */
    static long eventsProcessed(LosswatchProcess p) {
        LosswatchProcess.HttpAnswer a = p.get("/metrics");
        assertThat(a.status()).isEqualTo(200);
        return a.body().lines().filter(l -> l.startsWith("losswatch_events_processed_total"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Waits (bounded) until the instance has processed at least n input records since it started. */
    static long awaitEventsProcessed(LosswatchProcess p, long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = 0;
        while (System.nanoTime() < deadline) {
            seen = eventsProcessed(p);
            if (seen >= n) {
                return seen;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("losswatch pid " + p.pid() + " processed " + seen + " records, not " + n + ", in "
                + timeout + "\n" + p.logTail());
    }

    /**
     * Every labelled prediction has exactly one loss record, and no other appears. Call it before
     * {@link #moveEventTimeOn()}: the losses need no clock, and a clock that passed through the join
     * before predictions still in a backlog would end their labels' wait first (unmatched_label).
     */
    List<String> assertLossesExactlyOnce() throws IOException {
        List<ConsumerRecord<String, String>> records = KafkaTestClients.consumeReadCommitted(broker.bootstrapServers(),
                topic("prediction-losses"), traffic.expectedLossRecords, WAIT);
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            String id = JSON.readTree(r.value()).get("prediction_id").asText();
            if (!id.startsWith("clock-")) {
                ids.add(id);
            }
        }
        assertThat(ids).as("loss records").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(traffic.expectedLossIds);
        return ids;
    }

    /** Every expected window appears exactly once, final, with the oracle's figures; no other window appears. */
    void assertWindowsExact() throws IOException {
        Set<String> expectedKeys = new HashSet<>(traffic.expectedLosses.keySet());
        expectedKeys.addAll(traffic.expectedUnlabelled.keySet());
        List<ConsumerRecord<String, String>> records =
                KafkaTestClients.consumeReadCommitted(broker.bootstrapServers(), topic("model-metrics"), expectedKeys.size(), WAIT);
        Map<String, JsonNode> windows = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            JsonNode m = JSON.readTree(r.value());
            String key = Traffic.key(m.get("model").asText(), m.get("model_version").asText(), m.get("window_start").asLong());
            assertThat(windows.put(key, m)).as("window %s published once", key).isNull();
            assertThat(r.key()).isEqualTo(m.get("model").asText());
            assertThat(m.get("final").asBoolean()).isTrue();
        }
        assertThat(windows.keySet()).containsExactlyInAnyOrderElementsOf(expectedKeys);
        for (Map.Entry<String, List<Double>> e : traffic.expectedLosses.entrySet()) {
            JsonNode m = windows.get(e.getKey());
            List<Double> losses = e.getValue();
            assertThat(m.get("count").asLong()).as(e.getKey()).isEqualTo(losses.size());
            assertThat(m.get("mean_loss").asDouble()).as(e.getKey()).isCloseTo(Traffic.mean(losses), within(1e-12));
            assertThat(m.get("stddev_loss").asDouble()).as(e.getKey())
                    .isCloseTo(Traffic.populationStddev(losses), within(1e-9));
            assertThat(m.get("min_loss").asDouble()).isCloseTo(losses.stream().mapToDouble(d -> d).min().orElseThrow(),
                    within(1e-15));
            assertThat(m.get("max_loss").asDouble()).isCloseTo(losses.stream().mapToDouble(d -> d).max().orElseThrow(),
                    within(1e-15));
        }
        for (String key : expectedKeys) {
            assertThat(windows.get(key).get("unlabelled").asInt()).as(key + " unlabelled")
                    .isEqualTo(traffic.expectedUnlabelled.getOrDefault(key, 0));
        }
    }

    /** Each malformed record is dead-lettered exactly once, with its reason and headers pointing at its own input record. */
    void assertDeadLettersExactlyOnce() {
        List<ConsumerRecord<String, byte[]>> dead = KafkaTestClients.consumeReadCommittedBytes(broker.bootstrapServers(),
                topic("dlq"), expectedDeadLetters.size(), WAIT);
        Map<String, String> reasonByValue = new HashMap<>();
        Set<String> sources = new HashSet<>();
        for (ConsumerRecord<String, byte[]> d : dead) {
            String value = new String(d.value(), StandardCharsets.UTF_8);
            assertThat(reasonByValue.put(value, KafkaTestClients.header(d, "losswatch.error.reason")))
                    .as("dead-lettered once: %s", value).isNull();
            assertThat(KafkaTestClients.header(d, "losswatch.error.message")).isNotBlank();
            String source = KafkaTestClients.header(d, "losswatch.source.topic") + "/"
                    + KafkaTestClients.header(d, "losswatch.source.partition") + "/"
                    + KafkaTestClients.header(d, "losswatch.source.offset");
            assertThat(source).matches(prefix + "(predictions|labels)/\\d+/\\d+");
            assertThat(sources.add(source)).as("one dead letter per input record: %s", source).isTrue();
        }
        assertThat(reasonByValue).containsExactlyInAnyOrderEntriesOf(expectedDeadLetters);
        // the source headers name the very input record whose bytes the dead letter carries
        Map<String, String> inputs = new HashMap<>();
        for (String t : List.of(topic("predictions"), topic("labels"))) {
            int sent = (int) timeline.stream().filter(r -> r.topic().equals(t)).count();
            for (ConsumerRecord<String, byte[]> r : KafkaTestClients.consumeReadCommittedBytes(broker.bootstrapServers(), t,
                    sent, WAIT)) {
                inputs.put(r.topic() + "/" + r.partition() + "/" + r.offset(), new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        for (ConsumerRecord<String, byte[]> d : dead) {
            String source = KafkaTestClients.header(d, "losswatch.source.topic") + "/"
                    + KafkaTestClients.header(d, "losswatch.source.partition") + "/"
                    + KafkaTestClients.header(d, "losswatch.source.offset");
            assertThat(inputs.get(source)).as("input at " + source).isEqualTo(new String(d.value(), StandardCharsets.UTF_8));
        }
    }

    /** A thread that sends and keeps what went wrong for join(). */
    static final class Sender extends Thread {
        private volatile Throwable failure;

        Sender(Runnable body) {
            super(body, "reliability-sender");
            setUncaughtExceptionHandler((t, e) -> failure = e);
        }

        void joinAndCheck() throws InterruptedException {
            join(WAIT.toMillis());
            assertThat(isAlive()).as("the sender finished in " + WAIT).isFalse();
            if (failure != null) {
                throw new AssertionError("sending failed", failure);
            }
        }

        /** Still sending. */
        boolean sending() {
            return isAlive();
        }
    }
}
