package io.losswatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.losswatch.config.LosswatchConfig;
import io.losswatch.runtime.LosswatchApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * losswatch end to end, in this JVM, with its default configuration (only where it connects, where
 * it keeps state and its HTTP port differ). The clock starts when its main consumer has fetched its
 * first input record, read from Kafka Streams' own consumer metric {@code records-consumed-total}
 * every millisecond, the same moment the limit's clock starts (its first poll returning records). It
 * stops when a read_committed consumer of model-metrics has seen the last of the final windows the
 * data must produce: the results are then committed and visible to anyone.
 */
final class LosswatchRun {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private LosswatchRun() {
    }

    /**
     * The default configuration but for where it connects and keeps state; with a prefix (every run but the
     * first round's plain one), every topic's name prefixed.
     */
    static Properties config(String bootstrap, Path stateDir, int partitions, String topicPrefix) {
        Properties props = new Properties();
        props.setProperty("bootstrap.servers", bootstrap);
        props.setProperty("application.id", topicPrefix + "bench-losswatch");
        if (!topicPrefix.isEmpty()) {
            // every topic its own, the prediction-metrics topic too: each run's dashboard reads its topics from the
            // beginning, and when that one was shared, every run read all earlier runs' records while it was measured
            LosswatchConfig.from(new Properties()).topics().bySetting().forEach((setting, name) ->
                    props.setProperty("losswatch.topic." + setting, topicPrefix + name));
        }
        props.setProperty("state.dir", stateDir.toString());
        props.setProperty("losswatch.http.port", "0");
        props.setProperty("losswatch.topic.partitions", Integer.toString(partitions));
        return props;
    }

    record Throughput(long records, long firstReadNanos, long lastWindowNanos, long finalWindows, long windowCountSum,
                      long duplicateWindows, Map<String, Double> threadTime) {
        double seconds() {
            return (lastWindowNanos - firstReadNanos) / 1e9;
        }

        double eventsPerSecond() {
            return records / seconds();
        }
    }

    /** Starts losswatch; the caller closes it (after the latency phase). */
    static LosswatchApplication start(Properties props) {
        return LosswatchApplication.start(LosswatchConfig.from(props));
    }

    /**
     * Waits for every expected final window on the metrics topic; returns the timing and what was
     * seen. Windows of other models (the end markers') are ignored.
     */
    static Throughput measure(LosswatchApplication app, String bootstrap, String metricsTopic, long inputRecords,
                              Map<BenchData.WindowKey, Long> expected, Duration timeout) {
        FirstRecordWatch first = new FirstRecordWatch(app);
        Map<BenchData.WindowKey, Long> seen = new HashMap<>();
        long duplicates = 0;
        long countSum = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.reader(bootstrap, metricsTopic)) {
            while (seen.size() < expected.size()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    JsonNode m = read(r.value());
                    BenchData.WindowKey key = new BenchData.WindowKey(m.path("model").asText(),
                            m.path("model_version").asText(), segment(m.path("segment")), m.path("window_start").asLong());
                    if (!m.path("final").asBoolean() || !expected.containsKey(key)) {
                        continue;
                    }
                    if (seen.put(key, m.path("count").asLong()) != null) {
                        duplicates++;
                    } else {
                        countSum += m.path("count").asLong();
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchException("losswatch: only " + seen.size() + " of " + expected.size()
                            + " final windows on " + metricsTopic + " within " + timeout.toSeconds() + " s");
                }
            }
        } finally {
            first.close();
        }
        long end = System.nanoTime();
        if (first.nanos() < 0) {
            throw new BenchException("losswatch: its consumer metric never showed a record read");
        }
        return new Throughput(inputRecords, first.nanos(), end, seen.size(), countSum, duplicates, threadTime(app));
    }

    /** A record's segment as "field=value", "" for a whole model's. */
    private static String segment(JsonNode segment) {
        if (!segment.isObject() || segment.isEmpty()) {
            return "";
        }
        Map.Entry<String, JsonNode> e = segment.fields().next();
        return e.getKey() + "=" + e.getValue().asText();
    }

    static JsonNode read(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls Kafka Streams' consumer metrics until a record has been fetched; remembers when. */
    private static final class FirstRecordWatch implements AutoCloseable {
        private final Thread thread;
        private volatile long nanos = -1;

        FirstRecordWatch(LosswatchApplication app) {
            thread = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    if (recordsConsumed(app) > 0) {
                        nanos = System.nanoTime();
                        return;
                    }
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-first-record");
            thread.setDaemon(true);
            thread.start();
        }

        long nanos() {
            return nanos;
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    /**
     * The stream thread's commit, poll, process and punctuate latencies (average and max, ms) over its
     * recent samples; with more than one thread, the highest of theirs.
     */
    static Map<String, Double> threadLatencies(LosswatchApplication app) {
        Map<String, Double> latencies = new java.util.TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : app.streams().metrics().entrySet()) {
            MetricName name = e.getKey();
            if ("stream-thread-metrics".equals(name.group()) && name.name().matches("(commit|poll|process|punctuate)-latency-(avg|max)")
                    && e.getValue().metricValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
                latencies.merge(name.name(), Math.round(n.doubleValue() * 10) / 10.0, Math::max);
            }
        }
        return latencies;
    }

    /**
     * Where the stream thread spent its time recently (Kafka Streams' own process-, punctuate-,
     * commit- and poll-ratio metrics, averaged over its last sample windows).
     */
    static Map<String, Double> threadTime(LosswatchApplication app) {
        Map<String, Double> ratios = new java.util.TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : app.streams().metrics().entrySet()) {
            MetricName name = e.getKey();
            if ("stream-thread-metrics".equals(name.group()) && name.name().endsWith("-ratio")
                    && e.getValue().metricValue() instanceof Number n) {
                ratios.merge(name.name().replace("-ratio", ""), n.doubleValue(), Double::sum);
            }
        }
        return ratios;
    }

    /** Records fetched by losswatch's consumers so far (client totals, not per topic). */
    static double recordsConsumed(LosswatchApplication app) {
        return recordsConsumed(app.streams().metrics());
    }

    /** Records fetched by a Kafka Streams application's consumers so far (client totals, not per topic). */
    static double recordsConsumed(Map<MetricName, ? extends Metric> metrics) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName name = e.getKey();
            if ("records-consumed-total".equals(name.name()) && "consumer-fetch-manager-metrics".equals(name.group())
                    && !name.tags().containsKey("topic")) {
                total += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }
}
