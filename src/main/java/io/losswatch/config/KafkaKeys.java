package io.losswatch.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The keys Kafka Streams and Kafka's clients know, from their own config definitions. A key none of
 * them knows is ignored by Kafka without a word, so a typo ({@code bootstrap.server=}) silently leaves
 * the real setting at its default; losswatch warns about it at start-up, naming the nearest known key.
 * A warning and not an error: plug-ins (serdes, interceptors, config providers) may read keys of their own.
 */
public final class KafkaKeys {
    private KafkaKeys() {
    }

    /** Every key of Kafka Streams, the consumer, the producer and the admin client. */
    private static final Set<String> CLIENT_KEYS = union(StreamsConfig.configDef().names(), ConsumerConfig.configNames(),
            ProducerConfig.configNames(), AdminClientConfig.configNames());

    /** Kafka's topic-level configs (TopicConfig's constants: the clients have no list of them). */
    public static final Set<String> TOPIC_KEYS = topicKeys();

    /** Kafka Streams' prefixes for one client or for its internal topics, and the keys valid after each. */
    private static final Map<String, Set<String>> PREFIXED = new LinkedHashMap<>();

    static {
        PREFIXED.put(StreamsConfig.MAIN_CONSUMER_PREFIX, ConsumerConfig.configNames());
        PREFIXED.put(StreamsConfig.RESTORE_CONSUMER_PREFIX, ConsumerConfig.configNames());
        PREFIXED.put(StreamsConfig.GLOBAL_CONSUMER_PREFIX, ConsumerConfig.configNames());
        PREFIXED.put(StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.configNames());
        PREFIXED.put(StreamsConfig.PRODUCER_PREFIX, ProducerConfig.configNames());
        PREFIXED.put(StreamsConfig.ADMIN_CLIENT_PREFIX, AdminClientConfig.configNames());
        PREFIXED.put(StreamsConfig.TOPIC_PREFIX, TOPIC_KEYS);
    }

    /** Prefixes whose keys are free: rack-aware client tags, metrics context labels, config providers. */
    private static final List<String> FREE_PREFIXES = List.of(StreamsConfig.CLIENT_TAG_PREFIX, "metrics.context.",
            "config.providers.");

    /**
     * Empty when Kafka knows key (a non-losswatch key); otherwise why it has no effect and the nearest
     * key that would, e.g. "did you mean bootstrap.servers?".
     */
    public static Optional<String> unknown(String key) {
        if (CLIENT_KEYS.contains(key) || FREE_PREFIXES.stream().anyMatch(key::startsWith)) {
            return Optional.empty();
        }
        for (Map.Entry<String, Set<String>> prefixed : PREFIXED.entrySet()) {
            String prefix = prefixed.getKey();
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                return prefixed.getValue().contains(rest) ? Optional.empty()
                        : Optional.of("after '" + prefix + "' Kafka knows no key " + rest + ", so it has no effect;"
                                + " did you mean " + prefix + nearest(rest, prefixed.getValue()) + "?");
            }
        }
        String suggestion = Settings.find(Settings.PREFIX + key).isPresent() ? Settings.PREFIX + key
                : nearest(key, CLIENT_KEYS);
        return Optional.of("neither losswatch nor Kafka Streams nor Kafka's clients know this key, so it has no effect;"
                + " did you mean " + suggestion + "?");
    }

    /** The known key with the fewest single-character edits from key (the first such, alphabetically). */
    static String nearest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(known)) {
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new TreeSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
    }

    private static Set<String> topicKeys() {
        Set<String> keys = new TreeSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().endsWith("_CONFIG")) {
                try {
                    keys.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Set.copyOf(keys);
    }
}
