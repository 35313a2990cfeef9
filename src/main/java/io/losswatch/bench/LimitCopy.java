package io.losswatch.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The limit: what one thread can do with the same records under the same exactly-once settings as
 * Kafka Streams, doing nothing with them. A read_committed consumer and a transactional producer copy
 * each record to another topic (same partition) and commit the input offsets inside the transaction
 * every {@link #COMMIT_INTERVAL_MS}, as a Streams thread with exactly_once_v2 does. Client settings
 * follow Streams' own defaults for its clients (max.poll.records 1000, producer linger.ms 100).
 */
final class LimitCopy {
    static final long COMMIT_INTERVAL_MS = 100;

    /** threadCpuSeconds: CPU time of the copying thread (its clients' own threads not included). */
    record Result(long records, long firstReadNanos, long lastCommitNanos, double threadCpuSeconds) {
        double seconds() {
            return (lastCommitNanos - firstReadNanos) / 1e9;
        }

        double eventsPerSecond() {
            return records / seconds();
        }
    }

    private LimitCopy() {
    }

    /** Copies on a thread of its own, "bench-limit-copy", so its CPU time can be told apart. */
    static Result run(String bootstrap, String from, String to, long expected, Duration timeout, String name) {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                outcome.set(copy(bootstrap, from, to, expected, timeout, name));
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        }, "bench-limit-copy");
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted during the limit copy");
        }
        if (outcome.get() instanceof RuntimeException e) {
            throw e;
        }
        return (Result) outcome.get();
    }

    private static Result copy(String bootstrap, String from, String to, long expected, Duration timeout,
                               String name) {
        Map<String, Object> c = Clients.consumer(bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, name);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        Map<String, Object> p = Clients.producer(bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 100);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            consumer.subscribe(List.of(from));
            long copied = 0;
            long first = -1;
            long lastCommit = System.nanoTime();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            producer.beginTransaction();
            while (true) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (first < 0 && !records.isEmpty()) {
                    first = System.nanoTime();
                    lastCommit = first;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(to, r.partition(), r.timestamp(), r.key(), r.value(), r.headers()));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    copied++;
                }
                long now = System.nanoTime();
                if (!offsets.isEmpty() && (now - lastCommit >= COMMIT_INTERVAL_MS * 1_000_000 || copied >= expected)) {
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    offsets.clear();
                    lastCommit = System.nanoTime();
                    if (copied >= expected) {
                        return new Result(copied, first, lastCommit,
                                ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9);
                    }
                    producer.beginTransaction();
                }
                if (now > deadline) {
                    throw new BenchException("limit copy: only " + copied + " of " + expected
                            + " records copied within " + timeout.toSeconds() + " s");
                }
            }
        }
    }
}
