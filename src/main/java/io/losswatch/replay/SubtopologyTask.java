package io.losswatch.replay;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.internals.StreamsConfigUtils;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.internals.ProcessorContextImpl;
import org.apache.kafka.streams.processor.internals.ProcessorStateManager;
import org.apache.kafka.streams.processor.internals.ProcessorTopology;
import org.apache.kafka.streams.processor.internals.RecordCollectorImpl;
import org.apache.kafka.streams.processor.internals.StateDirectory;
import org.apache.kafka.streams.processor.internals.StreamTask;
import org.apache.kafka.streams.processor.internals.StreamsProducer;
import org.apache.kafka.streams.processor.internals.Task;
import org.apache.kafka.streams.processor.internals.metrics.StreamsMetricsImpl;
import org.apache.kafka.streams.processor.internals.metrics.TaskMetrics;
import org.apache.kafka.streams.state.internals.ThreadCache;

/**
 * One sub-topology as Kafka Streams runs it, a {@link StreamTask} with each of its source topics as one
 * partition, set up as kafka-streams-test-utils' {@code TopologyTestDriver} (4.3.1) sets up its task: a
 * mock consumer and producer, no cluster. What it writes is handed back by {@link #process} and
 * {@link #punctuate}; the caller routes it (to another sub-topology's task, or out). Its wall clock moves
 * only when told; it commits when told. Not thread-safe: one thread at a time, handed over with a
 * happens-before edge (the driver's queue).
 */
final class SubtopologyTask implements AutoCloseable {
    private static final int PARTITION = 0;

    private final ManualTime time;
    private final Metrics metrics;
    private final MockConsumer<byte[], byte[]> consumer;
    private final MockProducer<byte[], byte[]> producer;
    private final StreamTask task;
    private final boolean exactlyOnce;
    /** Its source topics, one partition each, with the next offset. */
    private final Map<String, TopicPartition> partitions = new HashMap<>();
    private final Map<TopicPartition, long[]> nextOffsets = new HashMap<>();

    SubtopologyTask(int subtopology, ProcessorTopology topology, StreamsConfig config, StateDirectory stateDirectory,
                    TopologyConfig.TaskConfig taskConfig, long wallClockMs) {
        TaskId id = new TaskId(subtopology, PARTITION);
        LogContext logContext = new LogContext("replay " + id + " ");
        exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(config.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        time = new ManualTime(wallClockMs);
        metrics = new Metrics(new MetricConfig()
                .samples(config.getInt(StreamsConfig.METRICS_NUM_SAMPLES_CONFIG))
                .recordLevel(Sensor.RecordingLevel.forName(config.getString(StreamsConfig.METRICS_RECORDING_LEVEL_CONFIG)))
                .timeWindow(config.getLong(StreamsConfig.METRICS_SAMPLE_WINDOW_MS_CONFIG), TimeUnit.MILLISECONDS), time);
        StreamsMetricsImpl streamsMetrics = new StreamsMetricsImpl(metrics, "replay", time);
        TaskMetrics.droppedRecordsSensor(Thread.currentThread().getName(), id.toString(), streamsMetrics);
        ThreadCache cache = new ThreadCache(logContext,
                Math.max(0, config.getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)), streamsMetrics);

        for (String topic : topology.sourceTopics()) {
            TopicPartition tp = new TopicPartition(topic, PARTITION);
            partitions.put(topic, tp);
            nextOffsets.put(tp, new long[1]);
        }
        consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
        ByteArraySerializer bytes = new ByteArraySerializer();
        producer = new MockProducer<>(Cluster.empty(), true, null, bytes, bytes) {
            @Override
            public List<PartitionInfo> partitionsFor(String topic) {
                return Collections.singletonList(new PartitionInfo(topic, PARTITION, null, null, null));
            }
        };
        StreamsProducer streamsProducer = new StreamsProducer(producer, StreamsConfigUtils.processingMode(config),
                time, logContext);
        consumer.assign(partitions.values());
        Map<TopicPartition, Long> startOffsets = new HashMap<>();
        partitions.values().forEach(tp -> startOffsets.put(tp, 0L));
        consumer.updateBeginningOffsets(startOffsets);
        Set<TopicPartition> inputs = new HashSet<>(partitions.values());
        ProcessorStateManager stateManager = new ProcessorStateManager(id, Task.TaskType.ACTIVE, exactlyOnce,
                logContext, stateDirectory, topology.storeToChangelogTopic(), inputs);
        RecordCollectorImpl recordCollector = new RecordCollectorImpl(logContext, id, streamsProducer,
                config.productionExceptionHandler(), streamsMetrics, topology);
        ProcessorContextImpl context = new ProcessorContextImpl(id, config, stateManager, streamsMetrics, cache);
        task = new StreamTask(id, inputs, topology, consumer, taskConfig,
                streamsMetrics, stateDirectory, cache, time, stateManager, recordCollector, context, logContext, false);
        task.initializeIfNeeded();
        task.completeRestoration(noOffsetsToReset -> { });
        for (TopicPartition tp : task.inputPartitions()) {
            task.updateNextOffsets(tp, new OffsetAndMetadata(0, Optional.empty(), ""));
        }
    }

    /** The topics it reads. */
    Set<String> sourceTopics() {
        return partitions.keySet();
    }

    /** Queues a record of one of its source topics. */
    void enqueue(String topic, byte[] key, byte[] value, Headers headers, long timestamp) {
        TopicPartition tp = partitions.get(topic);
        if (tp == null) {
            throw new IllegalArgumentException(task.id() + " does not read " + topic);
        }
        long offset = nextOffsets.get(tp)[0]++;
        task.addRecords(tp, Collections.singleton(new ConsumerRecord<>(topic, PARTITION, offset, timestamp,
                TimestampType.CREATE_TIME, key == null ? ConsumerRecord.NULL_SIZE : key.length,
                value == null ? ConsumerRecord.NULL_SIZE : value.length, key, value, headers, Optional.empty())));
    }

    boolean hasRecordsQueued() {
        return task.hasRecordsQueued();
    }

    /** Processes the next queued record (the one with the oldest timestamp, as Kafka Streams picks); what it wrote. */
    List<ProducerRecord<byte[], byte[]>> processNext() {
        if (!task.process(time.milliseconds())) {
            throw new IllegalStateException(task.id() + " holds records it does not process");
        }
        task.maybePunctuateStreamTime();
        return written();
    }

    /** Moves its wall clock to wallClockMs and runs the punctuations due; what they wrote. */
    List<ProducerRecord<byte[], byte[]>> punctuate(long wallClockMs) {
        long advance = wallClockMs - time.milliseconds();
        if (advance > 0) {
            time.sleep(advance);
        }
        task.maybePunctuateSystemTime();
        return written();
    }

    /** Commits as Kafka Streams does: every store flushed, the input offsets committed. */
    void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = task.prepareCommit(true);
        if (!exactlyOnce) {
            consumer.commitSync(offsets);
        }
        task.postCommit(true);
    }

    private List<ProducerRecord<byte[], byte[]>> written() {
        List<ProducerRecord<byte[], byte[]>> written = producer.history();
        if (!written.isEmpty()) {
            producer.clear();
        }
        return written;
    }

    @Override
    public void close() {
        task.suspend();
        task.prepareCommit(true);
        task.postCommit(true);
        task.closeClean();
        producer.close();
        consumer.close();
        metrics.close();
    }

    /** The wall clock the task sees: moved only by {@link #punctuate}. */
    private static final class ManualTime implements Time {
        private long ms;

        ManualTime(long ms) {
            this.ms = ms;
        }

        @Override
        public long milliseconds() {
            return ms;
        }

        @Override
        public long nanoseconds() {
            return TimeUnit.MILLISECONDS.toNanos(ms);
        }

        @Override
        public void sleep(long ms) {
            this.ms += ms;
        }

        @Override
        public void waitObject(Object obj, Supplier<Boolean> condition, long timeoutMs) {
            throw new UnsupportedOperationException("a replay does not wait");
        }
    }
}
