package io.losswatch.topology;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions by the String key exactly as Kafka's default partitioner would hash it, so records meet
 * records keyed alike on other topics: the aggregator's inputs by model (a model's partials and joined
 * contributions meet in one task), and the join's predictions by prediction_id (they meet their
 * labels, which use the default partitioner). A watermark goes to every partition.
 */
final class ModelPartitioner<V> implements StreamPartitioner<String, V> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
        if (value instanceof Routed.Watermark) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
        }
        return Optional.of(Set.of(forModel(key, numPartitions)));
    }

    static int forModel(String model, int numPartitions) {
        return Utils.toPositive(Utils.murmur2(model.getBytes(StandardCharsets.UTF_8))) % numPartitions;
    }
}
