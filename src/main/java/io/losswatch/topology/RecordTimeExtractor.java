package io.losswatch.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Source timestamps for the input topics. The event time comes from the JSON body (parsed later);
 * this only sets the order Kafka Streams reads in. Unlike the default extractor it never fails
 * the application or drops a record with a missing (negative) timestamp: it uses partition time.
 */
public final class RecordTimeExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0);
    }
}
