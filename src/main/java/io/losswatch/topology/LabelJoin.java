package io.losswatch.topology;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.event.LabelEvent;
import io.losswatch.event.PredictionEvent;
import io.losswatch.event.RejectReason;
import io.losswatch.loss.Score;
import io.losswatch.loss.Scorer;
import io.losswatch.topology.Routed.JoinInput;
import io.losswatch.topology.Routed.PendingLabel;
import io.losswatch.topology.Routed.PendingPrediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Joins separately arriving labels to their predictions by prediction_id, in event time (CONTRACT
 * §4): a label matches when its time is in [prediction time, prediction time + join window]. A
 * label waits for its prediction until the predictions' event time (the slowest intake partition's
 * watermark, which reaches every join partition) passes its time + join grace, then is dead-lettered
 * as unmatched; a prediction waits until its time + window + grace, then counts as unlabelled. Waits
 * end on event time carried in the topics, never on the wall clock.
 *
 * <p>The intake has already told the prediction's windows that it is pending; this step tells them
 * once more when it is resolved (scored, unlabelled or rejected), so the counts balance.
 */
final class LabelJoin implements Processor<String, JoinInput, String, Routed> {
    private static final byte PREDICTION_TIMER = 'P';
    private static final byte LABEL_TIMER = 'L';

    private final LosswatchConfig config;
    private final Scorer scorer;
    private final PipelineListener listener;
    private final long windowMs;
    private final long graceMs;
    private ProcessorContext<String, Routed> context;
    private KeyValueStore<String, PendingPrediction> predictions;
    private KeyValueStore<String, PendingLabel> labels;
    private KeyValueStore<Bytes, byte[]> timers;
    /**
     * Event time every prediction partition has passed: the slowest intake watermark, never moving
     * back. Waits end on it, not on this task's stream time, which is the newest record seen on any
     * input: a fast partition's records could end a label's wait before a slower partition's
     * prediction for it had arrived. Not kept: a partition's watermark comes again when it changes and
     * at least every {@link PredictionIntake#HEARTBEAT}, so after a move or restart the waits go on
     * ending within that time; nothing that was due before is lost, it was given up on then.
     */
    private final Map<Integer, Routed.Watermark> watermarks = new HashMap<>();
    private long clock = Long.MIN_VALUE;

    LabelJoin(LosswatchConfig config, PipelineListener listener) {
        this.config = config;
        this.listener = listener;
        this.scorer = new Scorer(config.lossEpsilon());
        this.windowMs = config.joinWindow().toMillis();
        this.graceMs = config.joinGrace().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        this.predictions = context.getStateStore(Names.JOIN_PREDICTIONS_STORE);
        this.labels = context.getStateStore(Names.JOIN_LABELS_STORE);
        this.timers = context.getStateStore(Names.JOIN_TIMERS_STORE);
        // a task revived after an aborted transaction may init this same instance again: a clock that the
        // aborted records moved on would stop the replayed watermarks from ending the restored waits
        watermarks.clear();
        clock = Long.MIN_VALUE;
    }

    @Override
    public void process(Record<String, JoinInput> record) {
        if (record.value() instanceof PendingPrediction p) {
            onPrediction(record.key(), p);
        } else if (record.value() instanceof PendingLabel l) {
            onLabel(record.key(), l);
        } else if (record.value() instanceof Routed.Watermark w) {
            watermarks.put(w.partition(), w);
            long now = Math.max(clock, WindowAggregator.slowest(watermarks));
            if (now > clock) {
                clock = now;
                if (clock > 0) { // before any event a watermark is -1: timer keys are unsigned, times never negative
                    expire(clock);
                }
            }
        }
    }

    private void onPrediction(String id, PendingPrediction p) {
        if (predictions.get(id) != null) {
            deadLetter(p.source(), RejectReason.DUPLICATE_PREDICTION,
                    "prediction_id '" + id + "' is already waiting for its label");
            contribute(p, Contributions.cancelled(p.event(), p.source()));
            return;
        }
        predictions.put(id, p);
        long due = p.event().eventTime() + windowMs + graceMs;
        timers.put(timerKey(due, PREDICTION_TIMER, id), new byte[0]);
        PendingLabel waiting = labels.get(id);
        if (waiting != null && matches(p.event(), waiting.event())) {
            labels.delete(id);
            timers.delete(timerKey(waiting.event().eventTime() + graceMs, LABEL_TIMER, id));
            resolve(id, p, waiting);
        }
        if (alreadyOver(due) && predictions.get(id) != null) {
            // its wait ended before it arrived (labels ran ahead): give up now, not at the next record
            predictions.delete(id);
            timers.delete(timerKey(due, PREDICTION_TIMER, id));
            giveUp(p);
        }
    }

    /**
     * True when the predictions' event time has already passed a wait's end. A prediction that fits
     * a label arriving now would have reached this task before the watermark that passed it.
     */
    private boolean alreadyOver(long due) {
        return due < clock;
    }

    private void onLabel(String id, PendingLabel l) {
        if (labels.get(id) != null) {
            deadLetter(l.source(), RejectReason.DUPLICATE_LABEL,
                    "a label for prediction_id '" + id + "' is already waiting for its prediction");
            return;
        }
        PendingPrediction p = predictions.get(id);
        if (p != null && matches(p.event(), l.event())) {
            resolve(id, p, l);
            return;
        }
        long due = l.event().eventTime() + graceMs;
        if (alreadyOver(due)) {
            unmatched(id, l);
            return;
        }
        labels.put(id, l);
        timers.put(timerKey(due, LABEL_TIMER, id), new byte[0]);
    }

    private boolean matches(PredictionEvent p, LabelEvent l) {
        long delay = l.eventTime() - p.eventTime();
        return delay >= 0 && delay <= windowMs;
    }

    /** Scores a matched pair; p is in the prediction store and is removed unless only the label was bad. */
    private void resolve(String id, PendingPrediction p, PendingLabel l) {
        PredictionEvent event = p.event();
        Score score = scorer.score(config.lossFor(event.model()), event.prediction(), l.event().label());
        if (score instanceof Score.Rejected rejected && rejected.blame() == Score.Blame.LABEL) {
            // the prediction may still get a usable label within its window
            deadLetter(l.source(), rejected.reason(), rejected.message());
            return;
        }
        predictions.delete(id);
        timers.delete(timerKey(event.eventTime() + windowMs + graceMs, PREDICTION_TIMER, id));
        if (score instanceof Score.Rejected rejected) {
            deadLetter(p.source(), rejected.reason(), rejected.message());
            deadLetter(l.source(), RejectReason.REJECTED_PREDICTION,
                    "its prediction was rejected: " + rejected.message());
            contribute(p, Contributions.cancelled(event, p.source()));
            return;
        }
        long delay = l.event().eventTime() - event.eventTime();
        Routed.Scored scored = Contributions.scored(event, l.event().label(), (Score.Loss) score, p.source(), delay);
        // what its outcome teaches the model version's calibration (CONTRACT §9)
        Contributions.learn(scored.contribution().stats(), event, l.event().label(), (Score.Loss) score, config);
        listener.lossComputed(event.model(), scored.loss().lossFunction());
        if (p.windowsOpen()) {
            context.forward(new Record<>(event.model(), scored, event.eventTime()));
        } else {
            context.forward(new Record<>(event.model(), new Routed.Scored(scored.loss(), null), event.eventTime()));
            contribute(p, scored.contribution());
        }
    }

    /** Gives up on predictions and labels whose wait is over at the predictions' event time now. */
    private void expire(long now) {
        List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = timers.range(timerPrefix(0), timerPrefix(now))) {
            it.forEachRemaining(due::add);
        }
        for (KeyValue<Bytes, byte[]> timer : due) {
            ByteBuffer key = ByteBuffer.wrap(timer.key.get());
            key.getLong();
            byte kind = key.get();
            String id = StandardCharsets.UTF_8.decode(key).toString();
            timers.delete(timer.key);
            if (kind == PREDICTION_TIMER) {
                PendingPrediction p = predictions.delete(id);
                if (p != null) {
                    giveUp(p);
                }
            } else {
                PendingLabel l = labels.delete(id);
                if (l != null) {
                    unmatched(id, l);
                }
            }
        }
    }

    /** A prediction whose label did not come in time: counted unlabelled in its windows. */
    private void giveUp(PendingPrediction p) {
        contribute(p, Contributions.unlabelled(p.event(), p.source()));
        listener.unlabelled(p.event().model());
    }

    private void unmatched(String id, PendingLabel l) {
        deadLetter(l.source(), RejectReason.UNMATCHED_LABEL, "no prediction with prediction_id '" + id
                + "' at or up to " + config.joinWindow() + " before the label's time "
                + l.event().eventTime() + " arrived within the join grace " + config.joinGrace());
    }

    /** Sends c to the windows, or dead-letters it as late if the prediction's windows were final at intake. */
    private void contribute(PendingPrediction p, Routed.Contribution c) {
        if (p.windowsOpen()) {
            forwardContribution(c);
            return;
        }
        WindowAggregator.lateEvent(c, "prediction at event time " + c.eventTime() + " of model '" + c.model()
                + "' arrived after its window was final on its input partition"
                + (c.stats().count > 0 ? "; its loss record was still written" : "")).ifPresent(context::forward);
    }

    private void forwardContribution(Routed.Contribution c) {
        context.forward(new Record<>(c.model(), c, c.eventTime()));
    }

    private void deadLetter(io.losswatch.event.SourceRecord source, String reason, String message) {
        context.forward(Intake.deadLetter(source, reason, message));
    }

    /** Timer keys sort by due time first (big-endian, times are never negative). */
    private static Bytes timerKey(long due, byte kind, String id) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(9 + idBytes.length).putLong(due).put(kind).put(idBytes).array());
    }

    /** An 8-byte prefix sorts before every key with the same due time, so range(prefix(0), prefix(t)) is due < t. */
    private static Bytes timerPrefix(long due) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(due).array());
    }
}
