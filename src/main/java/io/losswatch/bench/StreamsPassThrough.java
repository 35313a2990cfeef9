package io.losswatch.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A second reference between the limit and losswatch: Kafka Streams itself, with the settings
 * losswatch runs on (exactly_once_v2, one thread, default commit interval), copying the input to
 * another topic and doing nothing else. What it loses to the limit is the framework's cost; what
 * losswatch loses to it is losswatch's own. Timed like losswatch: from its consumer's first record
 * to a read_committed reader seeing the last copy.
 */
final class StreamsPassThrough {
    record Result(long records, double seconds) {
        double eventsPerSecond() {
            return records / seconds;
        }
    }

    private StreamsPassThrough() {
    }

    static Result run(String bootstrap, String from, String to, long expected, Path stateDir, String applicationId,
                      Duration timeout) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(from, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .to(to, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props);
             KafkaConsumer<byte[], byte[]> reader = Clients.reader(bootstrap, to)) {
            streams.start();
            long first = -1;
            long seen = 0;
            while (seen < expected) {
                if (first < 0 && consumed(streams) > 0) {
                    first = System.nanoTime();
                }
                seen += reader.poll(Duration.ofMillis(first < 0 ? 1 : 20)).count();
                if (System.nanoTime() > deadline) {
                    throw new BenchException("Kafka Streams pass-through: only " + seen + " of " + expected
                            + " records within " + timeout.toSeconds() + " s");
                }
            }
            long end = System.nanoTime();
            if (seen != expected) {
                throw new BenchException("Kafka Streams pass-through copied " + seen + " records, expected " + expected);
            }
            return new Result(seen, (end - first) / 1e9);
        }
    }

    private static double consumed(KafkaStreams streams) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName name = e.getKey();
            if ("records-consumed-total".equals(name.name()) && "consumer-fetch-manager-metrics".equals(name.group())
                    && !name.tags().containsKey("topic")) {
                total += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }
}
