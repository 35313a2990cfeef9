package io.losswatch.generator;

import io.losswatch.generator.Traffic.Kind;
import io.losswatch.generator.Traffic.Outgoing;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link Traffic} to Kafka in real time on its own thread: each record when it is due, with
 * its event time as the Kafka record time. Stops when the traffic is over (duration passed, last
 * label sent) or on {@link #close()}, flushing what it has sent.
 */
public final class TrafficGenerator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrafficGenerator.class);
    private static final long MAX_SLEEP_MS = 100;

    private final Traffic traffic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread thread;
    private final Map<Kind, AtomicLong> sent = new EnumMap<>(Kind.class);
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopping;

    /** Non-null: records are sent as KServe's inference logger writes them. */
    private final KServeShape kserve;

    /** Non-null: predictions are sent in the nested shape. */
    private final NestedShape nested;

    private TrafficGenerator(Traffic traffic, KafkaProducer<byte[], byte[]> producer, KServeShape kserve, NestedShape nested) {
        this.traffic = traffic;
        this.kserve = kserve;
        this.nested = nested;
        this.producer = producer;
        for (Kind k : Kind.values()) {
            sent.put(k, new AtomicLong());
        }
        this.thread = new Thread(this::run, "losswatch-generator");
        this.thread.setDaemon(true);
    }

    /** The shapes the generator can send: json (CONTRACT §4), kserve and nested (CONTRACT §10). */
    public static final List<String> FORMATS = List.of("json", "kserve", "nested");

    /** The settings that read a format's records, as KEY=VALUE lines (none for json). */
    public static List<String> settingsFor(String format) {
        return switch (format) {
            case "kserve" -> KServeShape.SETTINGS;
            case "nested" -> NestedShape.SETTINGS;
            default -> List.of();
        };
    }

    /**
     * Starts sending traffic now.
     *
     * @param producerProperties bootstrap.servers and any other producer settings (security, ...)
     */
    public static TrafficGenerator start(GeneratorOptions options, Properties producerProperties) {
        return start(options, producerProperties, "json");
    }

    /**
     * Starts sending traffic now in format: json (CONTRACT §4), kserve (KServe inference-logger events) or
     * nested (README's nested shape), the last two read with field mappings (CONTRACT §10).
     */
    public static TrafficGenerator start(GeneratorOptions options, Properties producerProperties, String format) {
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("format: expected json, kserve or nested, got " + format);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "losswatch-generator");
        p.putAll(producerProperties);
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        TrafficGenerator generator = new TrafficGenerator(new Traffic(options, System.currentTimeMillis()), producer,
                format.equals("kserve") ? new KServeShape(options.labelsTopic()) : null,
                format.equals("nested") ? new NestedShape(options.predictionsTopic()) : null);
        generator.thread.start();
        return generator;
    }

    public Traffic traffic() {
        return traffic;
    }

    private void run() {
        try {
            while (!stopping && !traffic.finished()) {
                for (Outgoing o : traffic.poll(System.currentTimeMillis())) {
                    send(o);
                }
                long wait = Math.min(MAX_SLEEP_MS, traffic.nextDueMs() - System.currentTimeMillis());
                if (wait > 0) {
                    Thread.sleep(wait);
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("generator: stopped: {}", e.toString());
            firstFailure.compareAndSet(null, e);
        } finally {
            done.countDown();
        }
    }

    private void send(Outgoing o) {
        byte[] key = o.key() == null ? null : o.key().getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(o.topic(), null, o.timestamp(), key,
                o.value().getBytes(StandardCharsets.UTF_8));
        if (nested != null) {
            record = nested.record(o);
        }
        if (kserve != null) {
            List<ProducerRecord<byte[], byte[]>> shaped = kserve.records(o);
            record = shaped.get(0);
            for (ProducerRecord<byte[], byte[]> extra : shaped.subList(1, shaped.size())) {
                producer.send(extra);
            }
        }
        producer.send(record, (metadata, e) -> {
            if (e == null) {
                sent.get(o.kind()).incrementAndGet();
            } else {
                failed.incrementAndGet();
                if (firstFailure.compareAndSet(null, e)) {
                    LOG.error("generator: cannot send to {}: {}", o.topic(), e.toString());
                }
            }
        });
    }

    /** Records acknowledged by the broker so far, by kind. */
    public Map<Kind, Long> sent() {
        Map<Kind, Long> out = new EnumMap<>(Kind.class);
        sent.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public long failed() {
        return failed.get();
    }

    /** The first error that stopped the generator or lost a record, if any. */
    public Exception failure() {
        return firstFailure.get();
    }

    /** Waits until the traffic is over (or the generator was closed or failed). */
    public void awaitDone() throws InterruptedException {
        done.await();
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    /** Stops sending, waits for what was sent to be acknowledged, and closes the producer. */
    @Override
    public void close() {
        stopping = true;
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
    }
}
