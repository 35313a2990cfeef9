package io.losswatch.topology;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.EventParser;
import io.losswatch.event.InputMapping;
import io.losswatch.event.MappedRecordReader;
import io.losswatch.event.LabelEvent;
import io.losswatch.event.ParseResult;
import io.losswatch.event.ReadResult;
import io.losswatch.event.RejectReason;
import io.losswatch.event.SourceRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** First step for labels: parse and validate, then on to the join by prediction_id. */
final class LabelIntake implements Processor<byte[], byte[], String, Routed> {
    private final EventParser parser;
    /** The reader of a mapped labels topic (CONTRACT §10); null for §4 JSON. */
    private final MappedRecordReader mapped;
    private final PipelineListener listener;
    private final long maxFutureMs;
    private ProcessorContext<String, Routed> context;

    LabelIntake(LosswatchConfig config, PipelineListener listener) {
        this.listener = listener;
        this.maxFutureMs = config.inputMaxFuture().toMillis();
        this.parser = new EventParser(config.inputMaxBytes(), config.inputMaxNesting());
        InputMapping mapping = config.inputMapping("labels");
        this.mapped = mapping.isPlain() ? null : new MappedRecordReader(parser, mapping);
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        SourceRecord source = Intake.source(context, record);
        listener.inputRecord(source.topic());
        LabelEvent label;
        if (mapped != null) {
            ReadResult<LabelEvent> read = mapped.readLabel(Intake.input(record));
            if (read instanceof ReadResult.Rejected<LabelEvent> r) {
                context.forward(Intake.deadLetter(source, r.rejection().reason(), r.rejection().message()));
                return;
            }
            // a label topic has no format of its own: one record, one label
            label = ((ReadResult.Events<LabelEvent>) read).events().get(0);
        } else {
            ParseResult<LabelEvent> parsed = parser.parseLabel(record.value(), record.timestamp());
            if (parsed instanceof ParseResult.Rejected<LabelEvent> r) {
                context.forward(Intake.deadLetter(source, r.rejection().reason(), r.rejection().message()));
                return;
            }
            label = ((ParseResult.Ok<LabelEvent>) parsed).event();
        }
        String ahead = Intake.tooFarAhead(context.currentSystemTimeMs(), label.eventTime(), maxFutureMs);
        if (ahead != null) {
            context.forward(Intake.deadLetter(source, RejectReason.INVALID_TIMESTAMP, ahead));
            return;
        }
        context.forward(new Record<>(label.predictionId(), new Routed.PendingLabel(label, source), label.eventTime()));
    }
}
