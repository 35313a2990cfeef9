package io.losswatch.topology;

import io.losswatch.event.SourceRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** What the intake processors share: remembering a record's origin and dead-lettering it. */
final class Intake {
    private Intake() {
    }

    static SourceRecord source(ProcessorContext<?, ?> context, Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        return new SourceRecord(meta.topic(), meta.partition(), meta.offset(), record.timestamp(),
                record.key(), record.value());
    }

    static void deadLetter(ProcessorContext<String, Routed> context, SourceRecord source, String reason, String message) {
        context.forward(new Record<>(null, new Routed.DeadLetter(source, reason, message), Math.max(0, source.timestamp())));
    }
}
