package io.losswatch.topology;

import io.losswatch.event.RejectReason;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net under every rule: a record whose processing throws an exception nobody foresaw goes to
 * the dead-letter topic (reason {@code processing_error}, the exception in the message, the bytes of the
 * record the task read) and the stream thread goes on, instead of the whole application stopping on one
 * record. Every expected problem with input is dead-lettered by the steps themselves; this catches bugs.
 *
 * <p>Kafka Streams creates it from {@code processing.exception.handler}; the dead-letter topic and the
 * listener come through the Streams configuration ({@link #DLQ_TOPIC}, {@link #LISTENER}).
 */
public final class DeadLetterOnProcessingError implements ProcessingExceptionHandler {
    public static final String DLQ_TOPIC = "losswatch.internal.dlq.topic";
    public static final String LISTENER = "losswatch.internal.pipeline.listener";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterOnProcessingError.class);
    /** Enough of the exception to find it in the log; the full trace is logged. */
    private static final int MAX_MESSAGE_CHARS = 1000;

    private String dlqTopic;
    private PipelineListener listener = PipelineListener.NONE;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(DLQ_TOPIC);
        if (topic == null) {
            throw new IllegalArgumentException(DLQ_TOPIC + " is not set: the dead-letter topic for processing errors");
        }
        dlqTopic = topic.toString();
        if (configs.get(LISTENER) instanceof PipelineListener l) {
            listener = l;
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        LOG.error("losswatch: processing {}-{} offset {} failed in {}; the record goes to {} as {}", context.topic(),
                context.partition(), context.offset(), context.processorNodeId(), dlqTopic,
                RejectReason.PROCESSING_ERROR, exception);
        String message = "processing failed in " + context.processorNodeId() + ": " + exception;
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS);
        }
        Headers headers = DeadLetterWriter.headers(RejectReason.PROCESSING_ERROR, message, context.topic(),
                context.partition(), context.offset());
        listener.deadLetter(RejectReason.PROCESSING_ERROR);
        return Response.resume(List.of(new ProducerRecord<>(dlqTopic, null, context.timestamp(),
                context.sourceRawKey(), context.sourceRawValue(), headers)));
    }
}
