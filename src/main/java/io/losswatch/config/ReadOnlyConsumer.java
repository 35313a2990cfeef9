package io.losswatch.config;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Settings of a consumer that only looks: no group (it is {@code assign()}ed its partitions, joins no
 * consumer group and commits nothing), committed records only, and no topic created by asking for it.
 * The dashboard's history and {@code replay} read this way beside the live application.
 */
public final class ReadOnlyConsumer {
    private ReadOnlyConsumer() {
    }

    /** clientSettings (bootstrap servers, security, …) with the group, commit, isolation and offset settings set here. */
    public static Map<String, Object> settings(Map<String, Object> clientSettings, String autoOffsetReset) {
        Map<String, Object> c = new HashMap<>(clientSettings);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, autoOffsetReset);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return c;
    }
}
