package io.losswatch.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes the benchmark's input: the data records keyed by prediction_id, then one end marker per partition. */
final class Loader {
    private Loader() {
    }

    /** Returns how many records were written (data plus end markers). */
    static long load(String bootstrap, String topic, BenchData data, int partitions) {
        Map<String, Object> p = Clients.producer(bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // one request in flight: on a just-created topic the first batch can meet NOT_LEADER_OR_FOLLOWER,
        // and with several in flight the idempotent producer was seen retrying OUT_OF_ORDER_SEQUENCE_NUMBER
        // until the delivery timeout; loading is not timed, so it loses nothing that is measured
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.partitionsFor(topic);
            for (long i = 0; i < data.events; i++) {
                producer.send(new ProducerRecord<>(topic, ("p-" + i).getBytes(StandardCharsets.UTF_8), data.event(i)),
                        (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
            // every partition's clock must pass the last data window for it to become final
            for (int part = 0; part < partitions; part++) {
                producer.send(new ProducerRecord<>(topic, part, ("end-" + part).getBytes(StandardCharsets.UTF_8),
                        data.endMarker(part, partitions))).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted while loading");
        } catch (ExecutionException e) {
            failure.compareAndSet(null, e);
        }
        if (failure.get() != null) {
            throw new BenchException("loading " + topic + " failed: " + failure.get());
        }
        return data.events + partitions;
    }
}
