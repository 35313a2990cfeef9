package io.losswatch.topology;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.EventParser;
import io.losswatch.event.ParseResult;
import io.losswatch.event.PredictionEvent;
import io.losswatch.event.SourceRecord;
import io.losswatch.loss.Score;
import io.losswatch.loss.Scorer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * First step for predictions: parse and validate; score those that carry their label; send the
 * others to the join by prediction_id; dead-letter what cannot be used.
 */
final class PredictionIntake implements Processor<byte[], byte[], String, Routed> {
    private final LosswatchConfig config;
    private final EventParser parser;
    private final Scorer scorer;
    private final PipelineListener listener;
    private ProcessorContext<String, Routed> context;

    PredictionIntake(LosswatchConfig config, PipelineListener listener) {
        this.config = config;
        this.listener = listener;
        this.parser = new EventParser(config.inputMaxBytes(), config.inputMaxNesting());
        this.scorer = new Scorer(config.lossEpsilon());
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        SourceRecord source = Intake.source(context, record);
        listener.inputRecord(source.topic());
        ParseResult<PredictionEvent> parsed = parser.parsePrediction(record.value(), record.timestamp());
        if (parsed instanceof ParseResult.Rejected<PredictionEvent> r) {
            Intake.deadLetter(context, source, r.rejection().reason(), r.rejection().message());
            return;
        }
        PredictionEvent p = ((ParseResult.Ok<PredictionEvent>) parsed).event();
        if (!p.isLabelled()) {
            // its windows learn it is pending on the same path (and in the same order) as scored events,
            // so no window can close before it knows to wait for this label
            Routed.Contribution pending = Contributions.pending(p, source);
            context.forward(new Record<>(p.model(), pending, p.eventTime()));
            context.forward(new Record<>(p.predictionId(), new Routed.PendingPrediction(p, source), p.eventTime()));
            return;
        }
        Score score = scorer.score(config.lossFor(p.model()), p.prediction(), p.label());
        if (score instanceof Score.Rejected rejected) {
            Intake.deadLetter(context, source, rejected.reason(), rejected.message());
            return;
        }
        Routed.Scored scored = Contributions.scored(p, p.label(), (Score.Loss) score, source, -1);
        listener.lossComputed(p.model(), scored.loss().lossFunction());
        context.forward(new Record<>(p.model(), scored, p.eventTime()));
    }
}
