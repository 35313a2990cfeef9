package io.losswatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The naive peer: the Kafka Streams program a user would write instead of losswatch, with the same
 * exactly-once settings. Each record is parsed with Jackson's tree model (its event time read by the
 * source's timestamp extractor from the parsed tree), its log loss computed (the prediction clipped
 * to [1e-15, 1 - 1e-15], losswatch's default), a loss record written per event, then re-keyed by model,
 * {@code groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(1 min, 10 s)).aggregate(sum, count)},
 * {@code suppress(untilWindowCloses(unbounded()))} and each window's mean loss written. No dead
 * letters, no join, no validation beyond Jackson's, no alerts, no label-free metrics.
 *
 * <p>Timed like losswatch: from its consumer's first record to a read_committed reader seeing the
 * last of its final windows. It has no watermarks: a repartition partition's windows close on the
 * stream time of what reaches it, so records from an input partition processed behind the others
 * can arrive after their window closed and are dropped as late ({@code dropped-records-total});
 * the run reports how many. The data's end markers are named so that one reaches each partition of
 * its repartition topic ({@link BenchData#endMarker}), or its last windows would never close.
 */
final class NaivePeer {
    static final double EPSILON = 1e-15;
    /** The name of its repartition topic (after the application id). */
    static final String BY_MODEL = "naive-by-model";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * threadCpuSeconds: CPU of this JVM's threads named "StreamThread" (its stream thread and that thread's
     * producer's network thread, as for losswatch) while it ran, taken before they end;
     * windows: final windows of the data's models seen; countSum: events they hold; dropped: records
     * Kafka Streams dropped (late, for a window already closed).
     */
    record Result(long records, double seconds, long windows, long expectedWindows, long countSum, long dropped,
                  double threadCpuSeconds) {
        double eventsPerSecond() {
            return records / seconds;
        }
    }

    private NaivePeer() {
    }

    /** The peer's topology: input in, loss records and window means out. Pure; no I/O. */
    static Topology topology(String input, String lossesTopic, String meansTopic) {
        Serde<JsonNode> json = jsonSerde();
        StreamsBuilder builder = new StreamsBuilder();
        // parse each record into a tree; its event time is the tree's "timestamp"
        KStream<byte[], JsonNode> events = builder.stream(input, Consumed.with(Serdes.ByteArray(), json)
                .withTimestampExtractor((record, partitionTime) -> record.value() instanceof JsonNode n
                        && n.path("timestamp").isNumber() ? n.path("timestamp").asLong() : partitionTime)
                .withName("naive-source"));
        // score: log loss of the clipped prediction
        KStream<String, JsonNode> losses = events
                .filter((k, v) -> v != null && v.path("prediction").isNumber() && v.path("label").isNumber(),
                        Named.as("naive-labelled"))
                .map((k, v) -> KeyValue.pair(v.path("model").asText(), lossRecord(v)), Named.as("naive-score-by-model"));
        // one loss record per event, keyed by model
        losses.to(lossesTopic, Produced.with(Serdes.String(), json).withName("naive-losses-sink"));
        // mean loss per model and one-minute window, published once the window has closed
        losses.mapValues(v -> v.path("loss").asDouble(), Named.as("naive-loss-value"))
                .groupByKey(Grouped.with(BY_MODEL, Serdes.String(), Serdes.Double()))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofSeconds(10)))
                .aggregate(() -> new SumCount(0, 0), (model, loss, agg) -> new SumCount(agg.sum() + loss, agg.count() + 1),
                        Named.as("naive-sum-count"),
                        Materialized.<String, SumCount, WindowStore<Bytes, byte[]>>as("naive-sums")
                                .withKeySerde(Serdes.String()).withValueSerde(new SumCountSerde()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("naive-final"))
                .toStream(Named.as("naive-windows"))
                .map((w, agg) -> KeyValue.pair(w.key(), windowMean(w.key(), w.window().start(), w.window().end(), agg)),
                        Named.as("naive-window-mean"))
                .to(meansTopic, Produced.with(Serdes.String(), json).withName("naive-means-sink"));
        return builder.build();
    }

    static JsonNode lossRecord(JsonNode event) {
        double p = event.path("prediction").asDouble();
        int y = event.path("label").asInt();
        double clipped = Math.min(Math.max(p, EPSILON), 1 - EPSILON);
        double loss = -(y * Math.log(clipped) + (1 - y) * Math.log(1 - clipped));
        ObjectNode out = MAPPER.createObjectNode();
        out.put("prediction_id", event.path("prediction_id").asText());
        out.put("model", event.path("model").asText());
        out.put("model_version", event.path("model_version").asText());
        out.put("loss_function", "log_loss");
        out.put("loss", loss);
        out.put("prediction", p);
        out.put("label", y);
        out.put("event_time", event.path("timestamp").asLong());
        return out;
    }

    private static JsonNode windowMean(String model, long start, long end, SumCount agg) {
        ObjectNode out = MAPPER.createObjectNode();
        out.put("model", model);
        out.put("window_start", start);
        out.put("window_end", end);
        out.put("count", agg.count());
        out.put("mean_loss", agg.sum() / agg.count());
        return out;
    }

    /**
     * Runs the peer (application id {@code applicationId}, settings: exactly_once_v2, one thread, the
     * default commit interval, then {@code kafkaSettings}) until a read_committed reader of meansTopic
     * has every expected final window, or until all input has been read and no window has come for a
     * while (windows lost to late records). The clock stops at the last final window seen.
     */
    static Result run(String bootstrap, String input, String lossesTopic, String meansTopic, long records,
                      Map<BenchData.WindowKey, Long> expected, Path stateDir, String applicationId,
                      Map<String, String> kafkaSettings, Duration timeout) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.putAll(kafkaSettings);
        long commitMs = new StreamsConfig(props).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        Set<String> wanted = new HashSet<>();
        expected.keySet().forEach(k -> wanted.add(k.model() + "@" + k.windowStart()));
        Set<String> seen = new HashSet<>();
        long countSum = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        // once all input is read: how long without a new window before the rest is taken as lost
        long quietNanos = Duration.ofMillis(5_000 + 4 * commitMs).toNanos();
        String repartition = applicationId + "-" + BY_MODEL + "-repartition";
        // Kafka Streams logs a WARN line per record it drops as late: on a backlog that is most of them, and
        // the logging, not the program, would be measured. They are counted (dropped-records-total) instead
        double threadsBefore = CpuClock.threadSeconds("StreamThread");
        ch.qos.logback.classic.Logger dropLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "org.apache.kafka.streams.kstream.internals.KStreamWindowAggregate");
        ch.qos.logback.classic.Level dropLevel = dropLog.getLevel();
        dropLog.setLevel(ch.qos.logback.classic.Level.ERROR);
        try (KafkaStreams streams = new KafkaStreams(topology(input, lossesTopic, meansTopic), props);
             KafkaConsumer<byte[], byte[]> reader = Clients.reader(bootstrap, meansTopic)) {
            streams.start();
            long first = -1;
            long last = -1;
            long allReadAt = -1;
            while (seen.size() < wanted.size()) {
                if (first < 0 && LosswatchRun.recordsConsumed(streams.metrics()) > 0) {
                    first = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(first < 0 ? 1 : 20))) {
                    JsonNode m = LosswatchRun.read(r.value());
                    if (seen.size() < wanted.size() && wanted.contains(m.path("model").asText() + "@"
                            + m.path("window_start").asLong()) && seen.add(m.path("model").asText() + "@"
                            + m.path("window_start").asLong())) {
                        countSum += m.path("count").asLong();
                        last = System.nanoTime();
                    }
                }
                long now = System.nanoTime();
                // all input read, and all of it re-read from the repartition topic (every record goes there)
                if (allReadAt < 0 && first >= 0 && consumedFrom(streams, input) >= records
                        && consumedFrom(streams, repartition) >= records) {
                    allReadAt = now;
                }
                if (allReadAt >= 0 && now - Math.max(allReadAt, last) > quietNanos) {
                    break; // the windows still missing were lost to late records
                }
                if (now > deadline) {
                    throw new BenchException("naive peer: only " + seen.size() + " of " + wanted.size()
                            + " final windows on " + meansTopic + " within " + timeout.toSeconds() + " s");
                }
            }
            if (first < 0 || last < 0) {
                throw new BenchException("naive peer: no final window on " + meansTopic + (first < 0
                        ? ": its consumer metric never showed a record read" : " after all input was processed"));
            }
            return new Result(records, (last - first) / 1e9, seen.size(), wanted.size(), countSum, dropped(streams),
                    CpuClock.threadSeconds("StreamThread") - threadsBefore);
        } finally {
            dropLog.setLevel(dropLevel);
        }
    }

    /** Records the peer's consumer has fetched from topic. */
    private static double consumedFrom(KafkaStreams streams, String topic) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName name = e.getKey();
            if ("records-consumed-total".equals(name.name()) && "consumer-fetch-manager-metrics".equals(name.group())
                    && topic.equals(name.tags().get("topic"))) {
                total += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }

    /** Records Kafka Streams dropped, over all tasks (late for a closed window, or unreadable). */
    private static long dropped(KafkaStreams streams) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName name = e.getKey();
            if ("dropped-records-total".equals(name.name()) && "stream-task-metrics".equals(name.group())
                    && e.getValue().metricValue() instanceof Number n) {
                total += n.doubleValue();
            }
        }
        return Math.round(total);
    }

    /** The running sum and count of a window's losses. */
    record SumCount(double sum, long count) {
    }

    /** 16 bytes: the sum, then the count. */
    static final class SumCountSerde implements Serde<SumCount> {
        @Override
        public Serializer<SumCount> serializer() {
            return (topic, v) -> v == null ? null : ByteBuffer.allocate(16).putDouble(v.sum()).putLong(v.count()).array();
        }

        @Override
        public Deserializer<SumCount> deserializer() {
            return (topic, bytes) -> {
                if (bytes == null) {
                    return null;
                }
                ByteBuffer b = ByteBuffer.wrap(bytes);
                return new SumCount(b.getDouble(), b.getLong());
            };
        }
    }

    /** Jackson's tree model both ways; bytes that are not JSON fail as Kafka's serdes do. */
    static Serde<JsonNode> jsonSerde() {
        return Serdes.serdeFrom((topic, v) -> {
            try {
                return v == null ? null : MAPPER.writeValueAsBytes(v);
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        }, (topic, bytes) -> {
            try {
                return bytes == null ? null : MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        });
    }
}
