package io.losswatch.topology;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.EventParser;
import io.losswatch.event.LabelEvent;
import io.losswatch.event.ParseResult;
import io.losswatch.event.RejectReason;
import io.losswatch.event.SourceRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** First step for labels: parse and validate, then on to the join by prediction_id. */
final class LabelIntake implements Processor<byte[], byte[], String, Routed> {
    private final EventParser parser;
    private final PipelineListener listener;
    private final long maxFutureMs;
    private ProcessorContext<String, Routed> context;

    LabelIntake(LosswatchConfig config, PipelineListener listener) {
        this.listener = listener;
        this.maxFutureMs = config.inputMaxFuture().toMillis();
        this.parser = new EventParser(config.inputMaxBytes(), config.inputMaxNesting());
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        SourceRecord source = Intake.source(context, record);
        listener.inputRecord(source.topic());
        ParseResult<LabelEvent> parsed = parser.parseLabel(record.value(), record.timestamp());
        if (parsed instanceof ParseResult.Rejected<LabelEvent> r) {
            context.forward(Intake.deadLetter(source, r.rejection().reason(), r.rejection().message()));
            return;
        }
        LabelEvent label = ((ParseResult.Ok<LabelEvent>) parsed).event();
        String ahead = Intake.tooFarAhead(context.currentSystemTimeMs(), label.eventTime(), maxFutureMs);
        if (ahead != null) {
            context.forward(Intake.deadLetter(source, RejectReason.INVALID_TIMESTAMP, ahead));
            return;
        }
        context.forward(new Record<>(label.predictionId(), new Routed.PendingLabel(label, source), label.eventTime()));
    }
}
