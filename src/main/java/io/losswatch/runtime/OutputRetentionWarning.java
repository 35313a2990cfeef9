package io.losswatch.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns when losswatch writes an output record older than its topic keeps records. Output records
 * carry their event's time, so a loss or window of an event older than the topic's retention.ms
 * (7 days on a broker's defaults) is deleted by the broker moments after it is written: a backfill, or
 * an example with an old timestamp, would seem to produce nothing. A producer interceptor sees every
 * record Kafka Streams' producer sends, whichever step wrote it; it only compares two numbers per record.
 * The first such record of a topic is logged at once, later ones at most every ten minutes, counted.
 */
public final class OutputRetentionWarning implements ProducerInterceptor<byte[], byte[]> {
    /** Producer config (given with Kafka Streams' {@code producer.} prefix): topic name → retention.ms. */
    static final String RETENTION_BY_TOPIC = "losswatch.retention.ms.by.topic";
    private static final Logger LOG = LoggerFactory.getLogger(OutputRetentionWarning.class);
    private static final long REPEAT_MS = Duration.ofMinutes(10).toMillis();

    private Map<String, Long> retentionByTopic = Map.of();
    /** Per topic: when it was last warned about, and the records since then. */
    private final Map<String, long[]> warned = new ConcurrentHashMap<>();

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        Object retention = configs.get(RETENTION_BY_TOPIC);
        if (retention instanceof Map<?, ?> map) {
            retentionByTopic = Map.copyOf((Map<String, Long>) map);
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        Long retention = retentionByTopic.get(record.topic());
        if (retention != null && record.timestamp() != null) {
            long now = System.currentTimeMillis();
            if (record.timestamp() < now - retention) {
                tooOld(record.topic(), record.timestamp(), retention, now);
            }
        }
        return record;
    }

    private void tooOld(String topic, long timestamp, long retention, long now) {
        long[] state = warned.computeIfAbsent(topic, t -> new long[] {Long.MIN_VALUE, 0});
        synchronized (state) {
            state[1]++;
            if (state[0] != Long.MIN_VALUE && now - state[0] < REPEAT_MS) {
                return;
            }
            LOG.warn("losswatch: {} record(s) written to {} {}, the latest dated {}, older than the topic keeps records"
                    + " (retention.ms={}, {}): the broker deletes them within minutes. Output carries its event's time;"
                    + " for older events raise the topic's retention.ms (kafka-configs.sh --alter --entity-type topics"
                    + " --entity-name {} --add-config retention.ms=-1 keeps records for good), or set it with"
                    + " losswatch.topic.config.retention.ms before losswatch creates the topic (docs/configuration.md)",
                    state[1], topic, state[0] == Long.MIN_VALUE ? "so far" : "in the last 10 minutes",
                    Instant.ofEpochMilli(timestamp), retention, Duration.ofMillis(retention), topic);
            state[0] = now;
            state[1] = 0;
        }
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }
}
