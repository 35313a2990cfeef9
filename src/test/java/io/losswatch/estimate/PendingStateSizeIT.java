package io.losswatch.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import io.losswatch.it.EmbeddedKafkaBroker;
import io.losswatch.it.KafkaTestClients;
import io.losswatch.it.LosswatchProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a prediction waiting for its label costs (CONTRACT §9, long label delays), measured on the real jar
 * and a real broker: 40,000 typical unlabelled predictions with a 7-day join window, then the bytes of the
 * join's two stores on disk (RocksDB, after a clean stop flushed them) and of their changelog topics on the
 * broker, per prediction. docs/estimation.md turns them into what a 7-day window at 1,000 predictions/s costs.
 */
class PendingStateSizeIT {
    @RegisterExtension
    static final EmbeddedKafkaBroker KAFKA = new EmbeddedKafkaBroker();

    private static final int PREDICTIONS = 40_000;
    private static final Duration WAIT = Duration.ofSeconds(180);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void aPendingPredictionCostsUnder350BytesOnDiskAndInItsChangelog() throws Exception {
        String prefix = "s" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String app = prefix + "losswatch";
        Map<String, String> config = LosswatchProcess.isolatedConfig(KAFKA.bootstrapServers(), prefix, work.resolve("state"));
        config.put("losswatch.topic.partitions", "1");
        config.put("losswatch.join.window", "P7D");
        LosswatchProcess process = LosswatchProcess.start(LosswatchProcess.writeConfig(work, config), work);
        try {
            process.waitUntilRunning(WAIT);
            long t0 = System.currentTimeMillis() - 3_600_000L;
            List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (int i = 0; i < PREDICTIONS; i++) {
                long t = t0 + i * 50L;
                String id = String.format("p-%09d", i);
                // 114 bytes, as PendingPredictionSerdeTest's typical prediction
                records.add(new ProducerRecord<>(prefix + "predictions", 0, t, id, String.format(
                        "{\"prediction_id\":\"%s\",\"model\":\"fraud\",\"model_version\":\"v4\",\"timestamp\":%d,"
                                + "\"prediction\":0.0312}", id, t)));
            }
            KafkaTestClients.produce(KAFKA.bootstrapServers(), prefix + "predictions", records);
            String changelog = app + "-join-pending-predictions-changelog";
            String timers = app + "-join-timers-changelog";
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (endOffset(admin, changelog) < PREDICTIONS) {
                    assertThat(System.nanoTime()).as(process.logTail()).isLessThan(deadline);
                    Thread.sleep(500);
                }
                assertThat(process.stop()).isZero(); // a clean stop flushes RocksDB's memtables to files
                long storeBytes = directoryBytes(work.resolve("state").resolve(app), "join-pending-predictions")
                        + directoryBytes(work.resolve("state").resolve(app), "join-timers");
                long changelogBytes = topicBytes(admin, changelog) + topicBytes(admin, timers);
                double perStore = (double) storeBytes / PREDICTIONS;
                double perChangelog = (double) changelogBytes / PREDICTIONS;
                System.out.printf("pending prediction: %.1f bytes in the stores (RocksDB files), %.1f bytes in their"
                        + " changelogs (one replica)%n", perStore, perChangelog);
                assertThat(perStore).isBetween(50.0, 350.0);
                assertThat(perChangelog).isBetween(50.0, 350.0);
            }
        } finally {
            process.kill();
        }
    }

    private static long endOffset(Admin admin, String topic) throws Exception {
        try {
            return admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest())).all()
                    .get(30, TimeUnit.SECONDS).get(new TopicPartition(topic, 0)).offset();
        } catch (java.util.concurrent.ExecutionException e) {
            return 0; // not created yet
        }
    }

    private static long topicBytes(Admin admin, String topic) throws Exception {
        long total = 0;
        for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(List.of(0)).allDescriptions()
                .get(30, TimeUnit.SECONDS).values()) {
            for (LogDirDescription d : dirs.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> r : d.replicaInfos().entrySet()) {
                    if (r.getKey().topic().equals(topic)) {
                        total += r.getValue().size();
                    }
                }
            }
        }
        return total;
    }

    /** Bytes of the files under every directory called store below root. */
    private static long directoryBytes(Path root, String store) throws IOException {
        long total = 0;
        try (Stream<Path> dirs = Files.walk(root)) {
            for (Path dir : dirs.filter(p -> Files.isDirectory(p) && p.getFileName().toString().equals(store)).toList()) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        total += Files.size(f);
                    }
                }
            }
        }
        return total;
    }
}
