package io.losswatch.runtime;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the input and output topics that do not exist yet (CONTRACT §3); existing ones are used
 * as they are. Inputs and the dead-letter topic take records up to 8 MiB, so an oversized input can
 * arrive and be dead-lettered whole. The user's topic configs ({@code losswatch.topic.config.*},
 * {@code losswatch.topic.<topic>.config.*}) go on top of that.
 */
final class TopicCreator {
    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);
    /** The topics whose records losswatch writes, by their setting's suffix. */
    static final Set<String> OUTPUTS = Set.of("losses", "metrics", "alerts", "dlq", "prediction.metrics");

    private TopicCreator() {
    }

    static void ensureTopics(Admin admin, LosswatchConfig config, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
        Set<String> large = Set.of("predictions", "labels", "dlq");
        List<NewTopic> missing = new ArrayList<>();
        Map<String, Map<String, String>> configsByName = new TreeMap<>();
        for (Map.Entry<String, String> topic : config.topics().bySetting().entrySet()) {
            if (existing.contains(topic.getValue())) {
                continue;
            }
            Map<String, String> configs = new TreeMap<>();
            if (large.contains(topic.getKey())) {
                configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(Settings.MAX_RECORD_BYTES));
            }
            configs.putAll(config.topicConfigs(topic.getKey()));
            configsByName.put(topic.getValue(), configs);
            missing.add(new NewTopic(topic.getValue(), Optional.of(config.topicPartitions()),
                    Optional.of(config.topicReplication())).configs(configs));
        }
        if (missing.isEmpty()) {
            return;
        }
        for (var entry : admin.createTopics(missing).values().entrySet()) {
            try {
                entry.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                LOG.info("created topic {} {}", entry.getKey(), configsByName.get(entry.getKey()));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    /**
     * How long each output topic keeps a record by its timestamp: topic name → retention.ms, for the
     * topics that delete by time (cleanup.policy delete, retention.ms not -1, record timestamps kept as
     * written rather than replaced by the broker's clock). Output records carry their event's time, so
     * output about older events is deleted as soon as the broker's retention check sees it.
     */
    static Map<String, Long> retentionByTopic(Admin admin, LosswatchConfig config, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<ConfigResource> outputs = config.topics().bySetting().entrySet().stream()
                .filter(t -> OUTPUTS.contains(t.getKey()))
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.getValue())).distinct().toList();
        Map<String, Long> out = new TreeMap<>();
        describeConfigs(admin, outputs, timeoutMs).forEach((resource, topic) -> {
            long retention = Long.parseLong(topic.get(TopicConfig.RETENTION_MS_CONFIG).value());
            boolean deletes = topic.get(TopicConfig.CLEANUP_POLICY_CONFIG).value().contains(TopicConfig.CLEANUP_POLICY_DELETE);
            boolean eventTime = !"LogAppendTime".equals(topic.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value());
            if (retention >= 0 && deletes && eventTime) {
                out.put(resource.name(), retention);
            }
        });
        return out;
    }

    /** As partitionCount: a topic created a moment ago may be unknown to the broker that answers; ask again. */
    private static Map<ConfigResource, Config> describeConfigs(Admin admin, List<ConfigResource> topics, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                return admin.describeConfigs(topics).all().get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

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
}
