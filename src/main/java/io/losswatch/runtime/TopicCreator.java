package io.losswatch.runtime;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the input and output topics that do not exist yet (CONTRACT §3); existing ones are used
 * as they are. Inputs and the dead-letter topic take records up to 8 MiB, so an oversized input can
 * arrive and be dead-lettered whole.
 */
final class TopicCreator {
    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);

    private TopicCreator() {
    }

    static void ensureTopics(Admin admin, LosswatchConfig config, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        LosswatchConfig.Topics t = config.topics();
        Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<String, String> large = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(Settings.MAX_RECORD_BYTES));
        List<NewTopic> missing = new ArrayList<>();
        for (String name : List.of(t.predictions(), t.labels(), t.dlq())) {
            if (!existing.contains(name)) {
                missing.add(newTopic(config, name).configs(large));
            }
        }
        for (String name : List.of(t.losses(), t.metrics(), t.alerts(), t.predictionMetrics())) {
            if (!existing.contains(name)) {
                missing.add(newTopic(config, name));
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        for (var entry : admin.createTopics(missing).values().entrySet()) {
            try {
                entry.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                LOG.info("created topic {}", entry.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    /** The partition count of an existing topic. */
    /**
     * The partition count of an existing topic. Right after it was created the broker's metadata may
     * not know it yet (UnknownTopicOrPartitionException), so ask again until timeoutMs has passed.
     */
    static int partitionCount(Admin admin, String topic, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(timeoutMs, TimeUnit.MILLISECONDS).get(topic).partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static NewTopic newTopic(LosswatchConfig config, String name) {
        return new NewTopic(name, Optional.of(config.topicPartitions()), Optional.of(config.topicReplication()));
    }
}
