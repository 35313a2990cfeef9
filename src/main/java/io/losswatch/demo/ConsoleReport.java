package io.losswatch.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.topology.Names;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints what losswatch publishes, as it is published: each final window, each alert, and now and
 * then a tally of dead letters. It reads the output topics like any consumer would (read_committed),
 * so what it shows is exactly what a dashboard or the user's own tools see.
 */
final class ConsoleReport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleReport.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final long TALLY_EVERY_MS = 30_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final LosswatchConfig.Topics topics;
    private final PrintWriter out;
    private final Thread thread;
    private final Map<String, Long> deadLetters = new TreeMap<>();
    private long lastTallyMs;
    private boolean tallyChanged;

    private ConsoleReport(KafkaConsumer<byte[], byte[]> consumer, LosswatchConfig.Topics topics, PrintWriter out) {
        this.consumer = consumer;
        this.topics = topics;
        this.out = out;
        this.thread = new Thread(this::run, "losswatch-demo-console");
        this.thread.setDaemon(true);
    }

    /** Starts reading the metrics, alerts and dead-letter topics (which must exist) from their beginning. */
    static ConsoleReport start(String bootstrap, LosswatchConfig.Topics topics, PrintWriter out) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("client.id", "losswatch-demo-console");
        p.put("max.partition.fetch.bytes", Integer.toString(16 * 1024 * 1024));
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(topics.metrics(), topics.alerts(), topics.dlq())) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        ConsoleReport report = new ConsoleReport(consumer, topics, out);
        report.lastTallyMs = System.currentTimeMillis();
        report.thread.start();
        return report;
    }

    private void run() {
        try {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    handle(r);
                }
                long now = System.currentTimeMillis();
                if (tallyChanged && now - lastTallyMs >= TALLY_EVERY_MS) {
                    print("dead letters so far: " + deadLetters.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
                    lastTallyMs = now;
                    tallyChanged = false;
                }
                out.flush();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.warn("demo console: stopped reading results: {}", e.toString());
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        if (r.topic().equals(topics.dlq())) {
            Header h = r.headers().lastHeader(Names.HEADER_REASON);
            String reason = h == null ? "unknown" : new String(h.value(), StandardCharsets.UTF_8);
            deadLetters.merge(reason, 1L, Long::sum);
            tallyChanged = true;
            return;
        }
        JsonNode v;
        try {
            v = JSON.readTree(r.value());
        } catch (IOException e) {
            return;
        }
        if (r.topic().equals(topics.metrics())) {
            if (v.path("final").asBoolean(true)) {
                print(windowLine(v));
            }
        } else if (r.topic().equals(topics.alerts())) {
            print(alertLine(v));
        }
    }

    static String windowLine(JsonNode m) {
        String mean = m.path("mean_loss").isNumber()
                ? String.format(Locale.ROOT, "%.3f", m.path("mean_loss").asDouble()) : "-";
        return String.format(Locale.ROOT, "%-12s %-4s window %s-%s  mean %s %s  n=%d%s", m.path("model").asText(),
                m.path("model_version").asText(), clock(m.path("window_start").asLong()),
                clock(m.path("window_end").asLong()), m.path("loss_function").asText("loss"), mean,
                m.path("count").asLong(), m.path("unlabelled").asLong() > 0
                        ? "  unlabelled " + m.path("unlabelled").asLong() : "");
    }

    static String alertLine(JsonNode a) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "ALERT %s %s %s", a.path("status").asText(),
                a.path("model").asText(), a.path("model_version").asText()));
        if (a.path("mean_loss").isNumber()) {
            line.append(String.format(Locale.ROOT, ": mean loss %.3f", a.path("mean_loss").asDouble()));
        }
        if (a.path("baseline").isNumber()) {
            line.append(String.format(Locale.ROOT, ", baseline %.3f", a.path("baseline").asDouble()));
        }
        if (a.path("threshold").isNumber()) {
            line.append(String.format(Locale.ROOT, ", threshold %.3f", a.path("threshold").asDouble()));
        }
        if (a.path("window_start").isNumber()) {
            line.append(" (window ").append(clock(a.path("window_start").asLong())).append('-')
                    .append(clock(a.path("window_end").asLong())).append(')');
        }
        return line.toString();
    }

    private void print(String line) {
        out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(CLOCK) + "  " + line);
    }

    private static String clock(long epochMs) {
        return LocalTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneId.systemDefault()).format(CLOCK);
    }

    @Override
    public void close() {
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
        out.flush();
    }
}
