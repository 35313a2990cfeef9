package io.losswatch.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Latency at a fixed offered rate: a producer sends labelled predictions at {@code rate} per second
 * (each id carries a sequence number, each send time is kept), and a read_committed consumer of the
 * losses topic takes, for each loss record, the time from its prediction's send to its arrival. The
 * first tenth of the records is warm-up and left out of the percentiles. Producer and consumer use
 * their default settings, as a model server and a dashboard would.
 */
final class LatencyRun {
    private static final byte[] ID_PREFIX = "\"prediction_id\":\"lat-".getBytes(StandardCharsets.UTF_8);

    record Result(double offeredRate, double achievedRate, long sent, long received, long duplicates,
                  double p50Ms, double p99Ms, double maxMs) {
    }

    private LatencyRun() {
    }

    static Result run(String bootstrap, String predictions, String losses, BenchData data, double rate,
                      Duration duration, Duration drainTimeout, PrintStream log) {
        int count = (int) Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
        long[] sentAt = new long[count];
        long[] latency = new long[count];
        Arrays.fill(latency, -1);
        AtomicLong received = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        KafkaConsumer<byte[], byte[]> consumer = Clients.reader(bootstrap, losses);
        consumer.seekToEnd(consumer.assignment());
        consumer.assignment().forEach(consumer::position);
        Thread reader = new Thread(() -> {
            try (consumer) {
                while (!stop.get() && received.get() < count) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                        long now = System.nanoTime();
                        int seq = sequence(r.value());
                        if (seq < 0 || seq >= count) {
                            continue;
                        }
                        if (latency[seq] >= 0) {
                            duplicates.incrementAndGet();
                        } else {
                            latency[seq] = now - sentAt[seq];
                            received.incrementAndGet();
                        }
                    }
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "bench-latency-reader");
        reader.start();

        Map<String, Object> p = Clients.producer(bootstrap);
        long start = System.nanoTime();
        long lastSend = start;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            double intervalNanos = 1e9 / rate;
            for (int seq = 0; seq < count; seq++) {
                long due = start + (long) (seq * intervalNanos);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(Math.min(wait, 200_000));
                }
                byte[] value = data.latencyEvent(seq, System.currentTimeMillis());
                sentAt[seq] = System.nanoTime();
                lastSend = sentAt[seq];
                producer.send(new ProducerRecord<>(predictions, ("lat-" + seq).getBytes(StandardCharsets.UTF_8), value));
            }
        }
        double achieved = count / ((lastSend - start) / 1e9);
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (received.get() < count && System.nanoTime() < deadline && reader.isAlive()) {
            LockSupport.parkNanos(10_000_000);
        }
        stop.set(true);
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw new BenchException("latency reader failed: " + failure.get());
        }
        timeline(sentAt, latency, start, log);
        int warmup = count / 10;
        long[] measured = Arrays.stream(latency, warmup, count).filter(l -> l >= 0).sorted().toArray();
        return new Result(rate, achieved, count, received.get(), duplicates.get(),
                percentile(measured, 0.50), percentile(measured, 0.99),
                measured.length == 0 ? Double.NaN : measured[measured.length - 1] / 1e6);
    }

    /**
     * p50, p99 and max of the records sent in each 3-second slice, on the log: whether the tail is a
     * steady spread, a backlog that grows, or stalls at some moments (a window closing, a collection).
     */
    private static void timeline(long[] sentAt, long[] latency, long start, PrintStream log) {
        long slice = 3_000_000_000L;
        int from = 0;
        for (long end = start + slice; from < sentAt.length; end += slice) {
            int to = from;
            while (to < sentAt.length && sentAt[to] != 0 && sentAt[to] < end) {
                to++;
            }
            long[] part = Arrays.stream(latency, from, to).filter(l -> l >= 0).sorted().toArray();
            if (part.length > 0) {
                log.printf(Locale.ROOT, "bench: latency %3d-%3d s: %,7d records, p50 %6.1f ms, p99 %6.1f ms, max %6.1f ms%s%n",
                        (end - slice - start) / 1_000_000_000L, (end - start) / 1_000_000_000L, to - from,
                        percentile(part, 0.5), percentile(part, 0.99), part[part.length - 1] / 1e6,
                        part.length < to - from ? String.format(Locale.ROOT, ", %,d never arrived", to - from - part.length) : "");
            }
            if (to == from && (to >= sentAt.length || sentAt[to] == 0)) {
                break;
            }
            from = to;
        }
    }

    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    /** The sequence number in "prediction_id":"lat-N", or -1 when the record is not from this phase. */
    static int sequence(byte[] json) {
        int at = indexOf(json, ID_PREFIX);
        if (at < 0) {
            return -1;
        }
        int value = 0;
        for (int i = at + ID_PREFIX.length; i < json.length && json[i] >= '0' && json[i] <= '9'; i++) {
            value = value * 10 + (json[i] - '0');
        }
        return value;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
