package io.losswatch.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.losswatch.event.EventParser;
import io.losswatch.topology.Json;
import io.losswatch.topology.Names;
import io.losswatch.topology.PredictionMetrics;
import io.losswatch.topology.WindowMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the metrics, prediction-metrics, alerts and dead-letter topics into a {@link MetricsHistory},
 * from the beginning, so every instance's dashboard and API show every model, not only the partitions its
 * Kafka Streams tasks own. One consumer without a group: it is assigned every partition (new ones
 * are picked up every {@link #REFRESH_PARTITIONS}), commits nothing, and reads committed records
 * only, so under exactly-once it sees each window once and never one from an aborted transaction.
 */
public final class TopicFeed implements AutoCloseable {
    static final Duration REFRESH_PARTITIONS = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(5);
    /**
     * A dead letter's value is read for its model only up to this size: larger ones are the oversized
     * records (CONTRACT §7, default limit 1 MiB), refused unread, and may be up to 8 MiB.
     */
    static final int DEAD_LETTER_READ_BYTES = 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(TopicFeed.class);

    /** The topics this feed reads. */
    public record Topics(String metrics, String alerts, String deadLetters, String predictionMetrics) {
        List<String> all() {
            return List.of(metrics, predictionMetrics, alerts, deadLetters);
        }
    }

    private final Map<String, Object> consumerConfig;
    private final Topics topics;
    private final MetricsHistory history;
    private final Thread thread;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param consumerConfig Kafka client settings (bootstrap servers, security, …); group, offset and
     *                       isolation settings are set here
     */
    public TopicFeed(Map<String, Object> consumerConfig, Topics topics, MetricsHistory history) {
        this.consumerConfig = io.losswatch.config.ReadOnlyConsumer.settings(consumerConfig, "earliest");
        this.topics = topics;
        this.history = history;
        this.thread = new Thread(this::run, "losswatch-http-history");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** True once everything that was on the topics when the feed started has been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                if (!running) {
                    return;
                }
                tail(c);
            } catch (WakeupException | InterruptException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("history feed: {}: {}; retrying in {} s", e.getClass().getSimpleName(), e.getMessage(),
                        RETRY.toSeconds());
                sleep(RETRY);
            } finally {
                consumer = null;
            }
        }
    }

    private void tail(KafkaConsumer<byte[], byte[]> c) {
        Set<TopicPartition> assigned = new HashSet<>();
        Map<TopicPartition, Long> catchUpTo = null;
        long nextRefresh = 0;
        while (running) {
            if (System.nanoTime() - nextRefresh >= 0) {
                assign(c, assigned);
                nextRefresh = System.nanoTime() + REFRESH_PARTITIONS.toNanos();
                if (catchUpTo == null && !assigned.isEmpty()) {
                    catchUpTo = new HashMap<>(c.endOffsets(assigned));
                }
            }
            if (assigned.isEmpty()) {
                sleep(POLL); // none of the topics exists yet
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                accept(r);
            }
            if (!caughtUp && catchUpTo != null && reached(c, catchUpTo)) {
                caughtUp = true;
                LOG.info("history feed: caught up with {}", topics.all());
            }
        }
    }

    /** Adds partitions not assigned yet (new topics, added partitions), read from their beginning. */
    private void assign(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> assigned) {
        List<TopicPartition> added = new ArrayList<>();
        for (String topic : topics.all()) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null) {
                continue;
            }
            for (PartitionInfo p : infos) {
                TopicPartition tp = new TopicPartition(p.topic(), p.partition());
                if (assigned.add(tp)) {
                    added.add(tp);
                }
            }
        }
        if (!added.isEmpty()) {
            c.assign(assigned);
            c.seekToBeginning(added);
        }
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        try {
            if (r.topic().equals(topics.deadLetters())) {
                Header h = r.headers().lastHeader(Names.HEADER_REASON);
                history.addDeadLetter(h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8),
                        namedModel(r.value()));
            } else if (r.value() == null) {
                return;
            } else if (r.topic().equals(topics.metrics())) {
                history.addWindow(Json.MAPPER.readValue(r.value(), WindowMetrics.class));
            } else if (r.topic().equals(topics.predictionMetrics())) {
                history.addPredictions(Json.MAPPER.readValue(r.value(), PredictionMetrics.class));
            } else if (r.topic().equals(topics.alerts())) {
                JsonNode json = Json.MAPPER.readTree(r.value());
                AlertEntry.of(json, 0).ifPresentOrElse(history::addAlert,
                        () -> LOG.warn("history feed: skipped an alert without model, status or window at {}-{}@{}",
                                r.topic(), r.partition(), r.offset()));
            }
        } catch (IOException e) {
            LOG.warn("history feed: skipped unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                    e.getMessage());
        }
    }

    /**
     * The model a dead letter's original value names, so a model whose every record is refused is
     * still listed: the top-level {@code model} string of a JSON object (the CONTRACT §4 shape; a
     * record read through a §10 mapping names its model elsewhere and counts by reason only). Null
     * when the value is not such an object, or the name is one the intake refuses (empty, too long).
     * Reads no further than the field.
     */
    static String namedModel(byte[] value) {
        if (value == null || value.length > DEAD_LETTER_READ_BYTES) {
            return null;
        }
        try (JsonParser p = Json.MAPPER.getFactory().createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken token = p.nextToken();
                if (field.equals("model")) {
                    String model = token == JsonToken.VALUE_STRING ? p.getText() : null;
                    return model == null || model.isEmpty() || model.length() > EventParser.MAX_NAME_LENGTH ? null : model;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null; // not JSON up to its model field: it names none
        }
    }

    /** Waits d, or less when the feed is closed. */
    private void sleep(Duration d) {
        try {
            stopping.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        stopping.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
