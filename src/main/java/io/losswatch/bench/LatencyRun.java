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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Latency at a fixed offered rate: a producer sends labelled predictions at {@code rate} per second
 * (each id carries a sequence number, each send time is kept), and a read_committed consumer of the
 * losses topic takes, for each loss record, the time from its prediction's send to its arrival. The
 * records of the first {@code settle} seconds are left out of the percentiles and reported apart: right
 * after the throughput rounds the broker and losswatch are still busy with their aftermath (compaction,
 * writing back the page cache, the JIT), which is not the steady state a deployment runs in. Producer
 * and consumer use their default settings, as a model server and a dashboard would.
 */
final class LatencyRun {
    private static final byte[] ID_PREFIX = "\"prediction_id\":\"lat-".getBytes(StandardCharsets.UTF_8);

    /**
     * Percentiles of the records after the settling seconds; writtenP50Ms, writtenP99Ms: of the same records, to
     * their arrival at a read_uncommitted reader, before their commit (NaN if not asked); settleP50Ms,
     * settleP99Ms: of the records sent while settling.
     */
    record Result(double offeredRate, double achievedRate, long sent, long received, long duplicates,
                  double p50Ms, double p99Ms, double maxMs, double writtenP50Ms, double writtenP99Ms,
                  long settleSeconds, double settleP50Ms, double settleP99Ms) {
    }

    private LatencyRun() {
    }

    static Result run(String bootstrap, String predictions, String losses, BenchData data, double rate,
                      Duration settle, Duration duration, Duration drainTimeout, boolean breakdown, PrintStream log) {
        int settling = (int) Math.round(rate * settle.toNanos() / 1e9);
        int count = settling + (int) Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
        long[] sentAt = new long[count];
        Reader committed = new Reader(Clients.reader(bootstrap, losses), sentAt, "bench-latency-reader");
        // on request, the same records as soon as they are written, before their transaction commits: what the
        // latency is made of, processing or waiting for the commit (a second reader is more load, hence optional)
        Reader written = breakdown ? new Reader(uncommittedReader(bootstrap, losses), sentAt, "bench-latency-written")
                : null;
        long[] latency = committed.latency;
        AtomicLong received = committed.received;
        AtomicLong duplicates = committed.duplicates;
        committed.start();
        if (written != null) {
            written.start();
        }

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
        while (received.get() < count && System.nanoTime() < deadline && committed.isAlive()) {
            LockSupport.parkNanos(10_000_000);
        }
        committed.stopAndJoin();
        if (written != null) {
            written.stopAndJoin();
        }
        timeline(sentAt, latency, written == null ? null : written.latency, start, log);
        long[] settled = Arrays.stream(latency, 0, settling).filter(l -> l >= 0).sorted().toArray();
        long[] measured = Arrays.stream(latency, settling, count).filter(l -> l >= 0).sorted().toArray();
        long[] beforeCommit = written == null ? new long[0]
                : Arrays.stream(written.latency, settling, count).filter(l -> l >= 0).sorted().toArray();
        return new Result(rate, achieved, count, received.get(), duplicates.get(),
                percentile(measured, 0.50), percentile(measured, 0.99),
                measured.length == 0 ? Double.NaN : measured[measured.length - 1] / 1e6,
                percentile(beforeCommit, 0.50), percentile(beforeCommit, 0.99),
                settle.toSeconds(), percentile(settled, 0.50), percentile(settled, 0.99));
    }

    private static KafkaConsumer<byte[], byte[]> uncommittedReader(String bootstrap, String topic) {
        Map<String, Object> c = Clients.consumer(bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        return Clients.reader(c, topic);
    }

    /** A thread that takes, for each loss record of this phase it reads, the time since its prediction's send. */
    private static final class Reader extends Thread {
        final long[] latency;
        final AtomicLong received = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final long[] sentAt;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Exception> failure = new AtomicReference<>();

        Reader(KafkaConsumer<byte[], byte[]> consumer, long[] sentAt, String name) {
            super(name);
            this.consumer = consumer;
            this.sentAt = sentAt;
            this.latency = new long[sentAt.length];
            Arrays.fill(latency, -1);
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
        }

        @Override
        public void run() {
            try (consumer) {
                while (!stop.get() && received.get() < latency.length) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                        long now = System.nanoTime();
                        int seq = sequence(r.value());
                        if (seq < 0 || seq >= latency.length) {
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
        }

        void stopAndJoin() {
            stop.set(true);
            try {
                join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failure.get() != null) {
                throw new BenchException(getName() + " failed: " + failure.get());
            }
        }
    }

    /**
     * p50, p99 and max of the records sent in each 3-second slice, on the log: whether the tail is a
     * steady spread, a backlog that grows, or stalls at some moments (a window closing, a collection).
     */
    private static void timeline(long[] sentAt, long[] latency, long[] written, long start, PrintStream log) {
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
                long[] w = written == null ? new long[0] : Arrays.stream(written, from, to).filter(l -> l >= 0).sorted().toArray();
                if (w.length > 0) {
                    log.printf(Locale.ROOT, "bench:              of which written: p50 %6.1f ms, p99 %6.1f ms%n",
                            percentile(w, 0.5), percentile(w, 0.99));
                }
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
