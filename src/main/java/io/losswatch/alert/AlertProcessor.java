package io.losswatch.alert;

import io.losswatch.event.Segment;
import io.losswatch.loss.Calibration;
import io.losswatch.topology.SeriesKey;
import io.losswatch.topology.PredictionMetrics;
import io.losswatch.topology.Routed;
import io.losswatch.topology.WindowMetrics;
import java.util.function.Function;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The thin Kafka Streams shell around {@link AlertEvaluator}: loads the (model, version)'s state from
 * the logged {@code alert-state} store, applies one observation, stores the new state and forwards the
 * alert, if any, keyed by model. Under exactly-once the state change and the alert record commit
 * together, so a restart neither repeats nor loses a FIRING. Time is the records' event time only.
 */
final class AlertProcessor implements Processor<String, Routed, String, Alert> {
    private final AlertEvaluator evaluator;
    private final Function<String, AlertSettings> settings;
    private final Function<String, LabelFreeRules.Settings> labelFree;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<Bytes, AlertState> states;
    private KeyValueStore<Bytes, LabelFreeRules.State> labelFreeStates;

    AlertProcessor(AlertEvaluator evaluator, Function<String, AlertSettings> settings,
                   Function<String, LabelFreeRules.Settings> labelFree) {
        this.evaluator = evaluator;
        this.settings = settings;
        this.labelFree = labelFree;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.states = context.getStateStore(AlertStep.STATE_STORE);
        this.labelFreeStates = context.getStateStore(AlertStep.LABEL_FREE_STATE_STORE);
    }

    @Override
    public void process(Record<String, Routed> record) {
        // the window aggregator forwards here what the rules judge: final windows, loss batches, prediction-metrics
        if (record.value() instanceof Routed.Losses l && !settings.apply(l.model()).enabled()) {
            return; // a model whose alerts are off: its loss batches are not even converted
        }
        AlertInput input = AlertStep.input(record.value());
        if (input instanceof AlertInput.Predictions p) {
            labelFree(p, record.timestamp());
            return;
        }
        String model;
        String version;
        Segment segment;
        if (input instanceof AlertInput.Losses l) {
            model = l.model();
            version = l.modelVersion();
            segment = l.segment();
        } else if (input instanceof AlertInput.Window w && w.metrics().finalResult()) {
            model = w.metrics().model();
            version = w.metrics().modelVersion();
            segment = w.metrics().segment();
        } else {
            return; // an interim window (losswatch.metrics.emit=update) is not evaluated
        }
        AlertSettings s = settings.apply(model);
        if (!s.enabled()) {
            return;
        }
        Bytes key = new SeriesKey(model, version, segment).bytes();
        AlertState state = states.get(key);
        if (state == null) {
            state = AlertState.INITIAL;
        }
        AlertEvaluator.Outcome outcome;
        if (input instanceof AlertInput.Losses l) {
            outcome = evaluator.onLosses(model, version, state, l.losses(), s);
        } else {
            WindowMetrics m = ((AlertInput.Window) input).metrics();
            outcome = evaluator.onWindow(model, version, state,
                    new AlertEvaluator.Window(m.windowStart(), m.windowEnd(), m.count(), m.meanLoss(), m.stddevLoss(), m.maxLoss()), s);
        }
        if (outcome.state() != state) {
            states.put(key, outcome.state());
        }
        if (outcome.alert() != null) {
            context.forward(new Record<>(model, outcome.alert().about(segment), record.timestamp()));
        }
    }

    /** The label-free rules on one prediction-metrics window, against the realized rules' baseline. */
    private void labelFree(AlertInput.Predictions p, long timestamp) {
        PredictionMetrics m = p.metrics();
        AlertSettings s = settings.apply(m.model());
        if (!s.enabled()) {
            return;
        }
        Bytes key = new SeriesKey(m.model(), m.modelVersion(), m.segment()).bytes();
        AlertState realized = states.get(key);
        LabelFreeRules.State state = labelFreeStates.get(key);
        if (state == null) {
            state = LabelFreeRules.State.INITIAL;
        }
        AlertState.Baseline baseline = realized == null ? AlertState.Baseline.EMPTY : realized.baseline();
        // the estimate judged: one prediction's loss counts for at most baseline + 8σ, as in the realized rules
        double cap = baseline.windows() > 0 ? baseline.mean() + AlertState.EXTREME_SIGMAS * baseline.eventStddev()
                : Double.POSITIVE_INFINITY;
        Calibration.Estimate robust = m.estimatedLoss() == null ? null
                : p.calibration().estimate(p.sketch(), p.minLabelled(), Calibration.Method.HYBRID, cap);
        LabelFreeRules.Outcome outcome = LabelFreeRules.onWindow(m, robust, state, baseline, s, labelFree.apply(m.model()));
        if (!outcome.state().equals(state)) {
            labelFreeStates.put(key, outcome.state());
        }
        for (Alert alert : outcome.alerts()) {
            context.forward(new Record<>(m.model(), alert.about(m.segment()), timestamp));
        }
    }

    /** Model (length-prefixed) then version, so one model's versions are adjacent; a segment's as {@link SeriesKey}. */
    static Bytes stateKey(String model, String version) {
        return new SeriesKey(model, version, null).bytes();
    }
}
