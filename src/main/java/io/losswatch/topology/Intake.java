package io.losswatch.topology;

import io.losswatch.event.MappedRecordReader;
import io.losswatch.event.SourceRecord;
import org.apache.kafka.common.header.Header;
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

    /** The record as a mapped reader sees it: key, value, a header's last value, timestamp. */
    static MappedRecordReader.Input input(Record<byte[], byte[]> record) {
        return new MappedRecordReader.Input(record.key(), record.value(), name -> {
            Header h = record.headers().lastHeader(name);
            return h == null ? null : h.value();
        }, record.timestamp());
    }

    /**
     * The rejection of an event time further than maxFutureMs after the wall clock (now), or null. Outputs carry
     * their event's time as Kafka timestamp, and a Kafka 4 broker refuses records dated more than
     * {@code log.message.timestamp.after.max.ms} (an hour by default) ahead: one such output would fail the
     * whole batch it is in and stop the application. A future time would also close windows early.
     */
    static String tooFarAhead(long now, long eventTime, long maxFutureMs) {
        if (eventTime - now <= maxFutureMs) {
            return null;
        }
        return "event time " + java.time.Instant.ofEpochMilli(eventTime) + " is more than " + java.time.Duration.ofMillis(maxFutureMs)
                + " after this instance's clock (" + java.time.Instant.ofEpochMilli(now) + "; losswatch.input.max.future)";
    }

    /** The dead letter of an input record, for the caller to forward where its dead letters go. */
    static Record<String, Routed> deadLetter(SourceRecord source, String reason, String message) {
        return new Record<>(null, new Routed.DeadLetter(source, reason, message), Math.max(0, source.timestamp()));
    }
}
