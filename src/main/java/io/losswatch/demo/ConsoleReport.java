package io.losswatch.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.alert.LabelFreeRules;
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
import java.util.Set;
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
 * then a tally of dead letters; for the models it is told to, also each window's label-free record
 * (CONTRACT §9: the loss estimated before the labels, psi), which comes long before the window's realized
 * one when labels are late. It reads the output topics like any consumer would (read_committed), so what
 * it shows is exactly what a dashboard or the user's own tools see.
 */
final class ConsoleReport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleReport.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final long TALLY_EVERY_MS = 30_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final LosswatchConfig.Topics topics;
    private final Set<String> estimated;
    private final long minLabelled;
    private final PrintWriter out;
    private final Thread thread;
    private final Map<String, Long> deadLetters = new TreeMap<>();
    private long lastTallyMs;
    private boolean tallyChanged;

    private ConsoleReport(KafkaConsumer<byte[], byte[]> consumer, LosswatchConfig.Topics topics, Set<String> estimated,
                          long minLabelled, PrintWriter out) {
        this.consumer = consumer;
        this.topics = topics;
        this.estimated = Set.copyOf(estimated);
        this.minLabelled = minLabelled;
        this.out = out;
        this.thread = new Thread(this::run, "losswatch-demo-console");
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading the metrics, prediction-metrics, alerts and dead-letter topics (which must exist) from
     * their beginning.
     *
     * @param estimated   the models whose label-free windows to print (with their estimate on their realized line)
     * @param minLabelled losswatch.estimate.min.labelled, to say how far a calibration still has to go
     */
    static ConsoleReport start(String bootstrap, LosswatchConfig.Topics topics, Set<String> estimated, long minLabelled,
                               PrintWriter out) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("client.id", "losswatch-demo-console");
        p.put("max.partition.fetch.bytes", Integer.toString(16 * 1024 * 1024));
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(topics.metrics(), topics.predictionMetrics(), topics.alerts(), topics.dlq())) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        ConsoleReport report = new ConsoleReport(consumer, topics, estimated, minLabelled, out);
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
                print(windowLine(v) + (estimated.contains(v.path("model").asText()) ? estimateSuffix(v) : ""));
            }
        } else if (r.topic().equals(topics.predictionMetrics())) {
            if (v.path("final").asBoolean(true) && estimated.contains(v.path("model").asText())) {
                print(estimateLine(v, minLabelled));
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

    /**
     * A label-free window (CONTRACT §9), e.g. {@code chargeback v3 window 13:12:00-13:12:30 before labels:
     * estimated log_loss 0.520 [0.470, 0.580]  psi 0.03  n=300, 0 labelled}; before the calibration has
     * its labels, how many it has.
     */
    static String estimateLine(JsonNode m, long minLabelled) {
        String estimate = m.path("estimated_loss").isNumber()
                ? String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", m.path("estimated_loss").asDouble(),
                        m.path("estimated_loss_low").asDouble(), m.path("estimated_loss_high").asDouble())
                : String.format(Locale.ROOT, "-  (calibration: %d of %d labels)", m.path("calibration_count").asLong(),
                        minLabelled);
        String psi = m.path("psi").isNumber() ? String.format(Locale.ROOT, "%.2f", m.path("psi").asDouble()) : "-";
        return String.format(Locale.ROOT, "%-12s %-4s window %s-%s  before labels: estimated %s %s  psi %s  n=%d, %d"
                        + " labelled", m.path("model").asText(), m.path("model_version").asText(),
                clock(m.path("window_start").asLong()), clock(m.path("window_end").asLong()),
                m.path("loss_function").asText("loss"), estimate, psi, m.path("predictions").asLong(),
                m.path("labelled").asLong());
    }

    /** What the window's estimate was before its labels, beside its realized mean. */
    static String estimateSuffix(JsonNode m) {
        return m.path("estimated_loss").isNumber()
                ? String.format(Locale.ROOT, "  (estimated %.3f before labels)", m.path("estimated_loss").asDouble())
                : "";
    }

    static String alertLine(JsonNode a) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "ALERT %s %s %s %s", a.path("status").asText(),
                a.path("model").asText(), a.path("model_version").asText(), a.path("rule").asText("-")));
        String rule = a.path("rule").asText();
        if (rule.equals(LabelFreeRules.DRIFT)) {
            line.append(String.format(Locale.ROOT, ": psi %.3f", a.path("psi").asDouble()));
        } else if (a.path("mean_loss").isNumber()) {
            line.append(String.format(Locale.ROOT, rule.equals(LabelFreeRules.ESTIMATED) ? ": estimated loss %.3f"
                    : ": mean loss %.3f", a.path("mean_loss").asDouble()));
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
