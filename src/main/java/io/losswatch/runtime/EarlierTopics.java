package io.losswatch.runtime;

import io.losswatch.topology.LosswatchTopology;
import io.losswatch.topology.Names;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a version from before the join and the aggregator each read one topic left records unread on the
 * topics that fed them then ({@code labels-by-id}, {@code joined-by-model}): if so, {@code run} adds the steps
 * that pass them on ({@link LosswatchTopology#build}'s drainEarlierTopics), and a later start, finding them
 * read, leaves them out.
 */
public final class EarlierTopics {
    private static final Logger LOG = LoggerFactory.getLogger(EarlierTopics.class);

    private EarlierTopics() {
    }

    /** The internal topics an earlier version fed the join and the aggregator through, as named on the cluster. */
    public static List<String> names(String applicationId) {
        return List.of(applicationId + "-" + Names.LABELS_BY_ID + "-repartition",
                applicationId + "-" + Names.JOINED_BY_MODEL + "-repartition");
    }

    /**
     * The earlier topics holding records the application's consumer group has not read (those it never
     * committed an offset on: from their first record). When the cluster cannot say, both, with a warning:
     * passing on nothing costs a little, losing what is there costs results.
     */
    public static Set<String> undrained(Admin admin, String applicationId, long timeoutMs) throws InterruptedException {
        List<String> names = names(applicationId);
        try {
            Set<String> existing = new TreeSet<>(admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS));
            existing.retainAll(names);
            if (existing.isEmpty()) {
                return Set.of();
            }
            Map<String, TopicDescription> described = admin.describeTopics(existing).allTopicNames()
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
            List<TopicPartition> partitions = new ArrayList<>();
            described.values().forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
            Map<TopicPartition, Long> end = offsets(admin, partitions, OffsetSpec.latest(), timeoutMs);
            Map<TopicPartition, Long> start = offsets(admin, partitions, OffsetSpec.earliest(), timeoutMs);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(timeoutMs, TimeUnit.MILLISECONDS);
            Set<String> undrained = new TreeSet<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata read = committed.get(tp);
                long from = Math.max(start.get(tp), read == null ? 0 : read.offset());
                // Kafka Streams commits the consumer's position when a partition's queue is empty, past a last
                // transaction's commit marker: a drained topic has nothing between there and its end
                if (end.get(tp) > from) {
                    undrained.add(tp.topic());
                }
            }
            return undrained;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("losswatch: cannot tell whether {} hold records an earlier version left ({}); reading them to be safe",
                    names, e.getCause() == null ? e : e.getCause());
            return new TreeSet<>(names);
        }
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec,
                                                     long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(request).all().get(timeoutMs, TimeUnit.MILLISECONDS)
                .forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }
}
