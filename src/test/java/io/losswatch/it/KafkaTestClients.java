package io.losswatch.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain clients for the scenarios: what a user's producer writes and a read_committed consumer reads. */
public final class KafkaTestClients {
    /** After the expected records have arrived, how long to go on reading to catch extra or duplicate ones. */
    static final Duration SETTLE = Duration.ofMillis(2500);
    private static final Duration POLL = Duration.ofMillis(200);

    private KafkaTestClients() {
    }

    /** Sends records to topic (their own topic field is not used), in order, and waits until all are acknowledged. */
    public static void produce(String bootstrap, String topic, List<ProducerRecord<String, String>> records) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(EmbeddedKafkaBroker.MAX_MESSAGE_BYTES));
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ProducerRecord<String, String> r : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, r.partition(), r.timestamp(), r.key(), r.value(),
                        r.headers())));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot produce to " + topic + " on " + bootstrap, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing to " + topic, e);
        }
    }

    /**
     * Reads topic from the beginning with isolation.level=read_committed until expectedCount records
     * have arrived (or timeout has passed), then goes on reading for a moment so that extra or
     * duplicate records show too. Returns everything read; callers assert the exact count.
     */
    public static List<ConsumerRecord<String, String>> consumeReadCommitted(String bootstrap, String topic,
                                                                            int expectedCount, Duration timeout) {
        return consume(bootstrap, topic, expectedCount, timeout, new StringDeserializer());
    }

    /** As {@link #consumeReadCommitted}, with the values as bytes (dead letters keep the input's bytes). */
    public static List<ConsumerRecord<String, byte[]>> consumeReadCommittedBytes(String bootstrap, String topic,
                                                                                int expectedCount, Duration timeout) {
        return consume(bootstrap, topic, expectedCount, timeout, new ByteArrayDeserializer());
    }

    /**
     * Creates topics of the given partitions (replication 1) and waits until their metadata can be described,
     * so a test's first start meets no start-up race on a just-created topic.
     */
    public static void createTopics(String bootstrap, List<String> names, int partitions, Duration timeout)
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList()).all()
                    .get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                try {
                    admin.describeTopics(names).allTopicNames().get(60, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    /** Names of the topics on the broker (internal ones left out). */
    public static Set<String> topics(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listTopics().names().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics on " + bootstrap, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }

    /** The last value of the named header as UTF-8, or null when the record has none. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static <V> List<ConsumerRecord<String, V>> consume(String bootstrap, String topic, int expectedCount,
                                                              Duration timeout, Deserializer<V> values) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(EmbeddedKafkaBroker.MAX_MESSAGE_BYTES));
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        // no group: assign every partition and read from the start
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = partitions(consumer, topic, deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (out.size() < expectedCount && System.nanoTime() < deadline) {
                consumer.poll(POLL).forEach(out::add);
            }
            long settle = System.nanoTime() + SETTLE.toNanos();
            while (System.nanoTime() < settle) {
                consumer.poll(POLL).forEach(out::add);
            }
        }
        return out;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, long deadline) {
        while (true) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, POLL);
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // no metadata yet: try again until the deadline
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("topic " + topic + " does not exist");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
