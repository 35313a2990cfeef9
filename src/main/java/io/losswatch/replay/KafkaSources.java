package io.losswatch.replay;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.config.ReadOnlyConsumer;
import io.losswatch.topology.LosswatchTopology;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The prediction and label topics' partitions as replay sources. One consumer with {@code assign()}:
 * no group.id, so it joins no consumer group (the live application's or any other) and commits nothing;
 * it only reads, {@code read_committed}. Each partition starts at the first offset whose record
 * timestamp is at or after {@link ReplayRange#kafkaStart} and ends at the end offset it had when the
 * replay started, or at the first record timestamp at or after {@link ReplayRange#kafkaStop}. At most
 * {@link #BUFFER} records a partition are held (the others paused), so memory does not grow with the range.
 */
final class KafkaSources implements AutoCloseable {
    static final int BUFFER = 2_000;
    private static final Duration POLL = Duration.ofMillis(500);
    /** Polls that return nothing for a partition still short of its end before the replay gives up. */
    private static final Duration STALL = Duration.ofSeconds(60);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, PartitionSource> byPartition = new HashMap<>();
    private final List<Source> sources = new ArrayList<>();
    private final ReplayRange range;
    private final EventTimes times;
    private final ReplayCounts counts;

    KafkaSources(LosswatchConfig config, ReplayRange range, EventTimes times, ReplayCounts counts) {
        this.range = range;
        this.times = times;
        this.counts = counts;
        Map<String, Object> props = ReadOnlyConsumer.settings(new StreamsConfig(LosswatchTopology.streamsProperties(
                config.kafkaProperties(), config.topics().dlq())).getRestoreConsumerConfigs("losswatch-replay"), "none");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, BUFFER);
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> all = new ArrayList<>();
            Map<TopicPartition, Boolean> isPrediction = new HashMap<>();
            for (boolean predictions : new boolean[] {true, false}) {
                String topic = predictions ? config.topics().predictions() : config.topics().labels();
                List<PartitionInfo> infos = consumer.partitionsFor(topic, config.connectTimeout());
                if (infos == null || infos.isEmpty()) {
                    throw new ReplayException("topic " + topic + " does not exist on " + props.get("bootstrap.servers"));
                }
                infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                        .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                        .forEach(tp -> {
                            all.add(tp);
                            isPrediction.put(tp, predictions);
                        });
            }
            consumer.assign(all);
            Map<TopicPartition, Long> starts = new HashMap<>();
            for (TopicPartition tp : all) {
                starts.put(tp, range.kafkaStart(isPrediction.get(tp)));
            }
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(starts, config.connectTimeout());
            Map<TopicPartition, Long> ends = consumer.endOffsets(all, config.connectTimeout());
            for (TopicPartition tp : all) {
                OffsetAndTimestamp start = found.get(tp);
                long end = ends.get(tp);
                PartitionSource s = new PartitionSource(tp, isPrediction.get(tp), start == null ? end : start.offset(), end);
                if (s.done) {
                    consumer.pause(List.of(tp));
                } else {
                    consumer.seek(tp, s.start);
                }
                byPartition.put(tp, s);
                sources.add(s);
            }
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** Predictions' partitions first, then labels', each in partition order. */
    List<Source> sources() {
        return sources;
    }

    /** Polls once and buffers what came, pausing partitions that hold enough. */
    private void poll() {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        for (TopicPartition tp : records.partitions()) {
            PartitionSource s = byPartition.get(tp);
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                s.offer(r);
            }
        }
        List<TopicPartition> pause = new ArrayList<>();
        for (PartitionSource s : byPartition.values()) {
            if (!s.done && consumer.position(s.tp) >= s.end) {
                s.done = true;
            }
            if (s.done || s.buffer.size() >= BUFFER) {
                pause.add(s.tp);
            }
        }
        consumer.pause(pause);
    }

    private final class PartitionSource implements Source {
        final TopicPartition tp;
        final boolean predictions;
        final long start;
        final long end;
        final ArrayDeque<InputRecord> buffer = new ArrayDeque<>();
        boolean done;

        PartitionSource(TopicPartition tp, boolean predictions, long start, long end) {
            this.tp = tp;
            this.predictions = predictions;
            this.start = start;
            this.end = end;
            this.done = start >= end;
        }

        void offer(ConsumerRecord<byte[], byte[]> r) {
            if (done) {
                return;
            }
            if (r.offset() >= end - 1) {
                done = true;
            }
            if (r.offset() >= end) {
                return;
            }
            if (r.timestamp() >= range.kafkaStop()) {
                done = true;
                return;
            }
            long eventTime = times.of(predictions, r.key(), r.value(), r.headers(), r.timestamp());
            long order = eventTime != EventTimes.UNKNOWN ? eventTime : r.timestamp();
            counts.read(predictions);
            if (!(predictions ? range.feedsPrediction(order) : range.feedsLabel(order))) {
                counts.outsideRange(predictions);
                return;
            }
            buffer.add(new InputRecord(predictions, r.key(), r.value(), r.headers(), r.timestamp(),
                    r.timestamp() >= 0 ? r.timestamp() : order, eventTime, order));
        }

        @Override
        public InputRecord head() {
            long stalledSince = System.nanoTime();
            while (buffer.isEmpty() && !done) {
                long before = consumer.position(tp);
                consumer.resume(List.of(tp));
                poll();
                if (consumer.position(tp) != before || !buffer.isEmpty()) {
                    stalledSince = System.nanoTime();
                } else if (System.nanoTime() - stalledSince > STALL.toNanos()) {
                    throw new ReplayException("no records from " + tp + " for " + STALL.toSeconds() + " s at offset "
                            + before + ", short of its end offset " + end);
                }
            }
            return buffer.peek();
        }

        @Override
        public void advance() {
            buffer.poll();
        }
    }

    @Override
    public void close() {
        consumer.close();
    }

    /** Partitions assigned, for tests and the summary. */
    Collection<TopicPartition> partitions() {
        return byPartition.keySet();
    }
}
