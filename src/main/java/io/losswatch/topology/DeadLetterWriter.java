package io.losswatch.topology;

import io.losswatch.event.SourceRecord;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Turns a {@link Routed.DeadLetter} into the record CONTRACT §7 describes: original bytes plus reason headers. */
final class DeadLetterWriter implements Processor<String, Routed, byte[], byte[]> {
    private final PipelineListener listener;
    private ProcessorContext<byte[], byte[]> context;

    DeadLetterWriter(PipelineListener listener) {
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Routed> record) {
        Routed.DeadLetter dl = (Routed.DeadLetter) record.value();
        SourceRecord s = dl.source();
        context.forward(new Record<>(s.key(), s.value(), record.timestamp(),
                headers(dl.reason(), dl.message(), s.topic(), s.partition(), s.offset())));
        listener.deadLetter(dl.reason());
    }

    /** The five headers of CONTRACT §7, for every dead letter losswatch writes. */
    static Headers headers(String reason, String message, String topic, int partition, long offset) {
        Headers headers = new RecordHeaders();
        headers.add(Names.HEADER_REASON, utf8(reason));
        headers.add(Names.HEADER_MESSAGE, utf8(message));
        headers.add(Names.HEADER_TOPIC, utf8(topic));
        headers.add(Names.HEADER_PARTITION, utf8(Integer.toString(partition)));
        headers.add(Names.HEADER_OFFSET, utf8(Long.toString(offset)));
        return headers;
    }

    private static byte[] utf8(String s) {
        return String.valueOf(s).getBytes(StandardCharsets.UTF_8);
    }
}
