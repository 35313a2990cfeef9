package io.losswatch.alert;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.loss.WindowStats;
import io.losswatch.topology.JsonSerde;
import io.losswatch.topology.Routed;
import io.losswatch.topology.Storage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;


/**
 * Attaches the alert step to the topology, after the window aggregator and in its task.
 *
 * <pre>
 * window aggregator ─┬─ final windows ─────┬─ alert-evaluator ─ model-alerts
 *                    └─ loss batches ──────┘   (alert-state store)
 * </pre>
 *
 * The evaluator needs a (model, version)'s final windows and its losses in one task: both come from
 * the window aggregator, whose input is already keyed by model, so the alert step adds no shuffle.
 * The losses come as batches, as the aggregator receives them: an intake partial (the sum of one input
 * partition's labelled predictions of a (model, version) since its last flush, every 100 ms) or one
 * prediction whose label was joined. They feed the sequential detector and the baseline's skewness
 * ({@link AlertEvaluator#onLosses}). Losses of predictions dead-lettered as late (all their windows
 * already final) are not in them.
 *
 * <p>Each segment (CONTRACT §11) is watched like a model version of its own, with the model's settings:
 * its windows, loss batches and state (under its {@link io.losswatch.topology.SeriesKey}), and its alerts
 * carry {@code segment}.
 */
public final class AlertStep {
    private AlertStep() {
    }

    /** Name of the state store: part of the application's state, do not rename. */
    public static final String STATE_STORE = "alert-state";
    /** Name of the label-free rules' state store (CONTRACT §9): part of the application's state. */
    public static final String LABEL_FREE_STATE_STORE = "label-free-alert-state";
    /** The evaluator's node: the window aggregator forwards to it by this name. */
    public static final String EVALUATOR = "alert-evaluator";

    public static void attach(StreamsBuilder builder, LosswatchConfig config, KStream<String, Routed> windows,
                              Storage storage) {
        Map<String, AlertSettings> cache = new ConcurrentHashMap<>();
        Function<String, AlertSettings> settings = model -> cache.computeIfAbsent(model,
                m -> AlertSettings.forModel(config, m));
        Map<String, LabelFreeRules.Settings> labelFreeCache = new ConcurrentHashMap<>();
        Function<String, LabelFreeRules.Settings> labelFree = model -> labelFreeCache.computeIfAbsent(model,
                m -> LabelFreeRules.Settings.forModel(config, m));
        AlertEvaluator evaluator = new AlertEvaluator(config.windowSize().toMillis(), config.windowAdvance().toMillis());

        // evaluate the rules per (model, version) and publish state changes
        builder.addStateStore(storage.keyValueStoreBuilder(STATE_STORE, Serdes.Bytes(), new AlertStateSerde())
                .withCachingEnabled());
        builder.addStateStore(storage.keyValueStoreBuilder(LABEL_FREE_STATE_STORE, Serdes.Bytes(),
                new JsonSerde<>(LabelFreeRules.State.class)));
        // a child of the window aggregator, which forwards to it by name only what the rules judge: no filter
        // node and no mapping between them, each of which would copy every record of the aggregator's
        windows.process(() -> new AlertProcessor(evaluator, settings, labelFree), Named.as(EVALUATOR),
                        STATE_STORE, LABEL_FREE_STATE_STORE)
                .to(config.topics().alerts(), Produced.with(Serdes.String(), new JsonSerde<>(Alert.class))
                        .withName("alerts-sink"));
    }

    /** What the rules judge of an aggregator's record, or null: interim windows and dead letters are not judged. */
    static AlertInput input(Routed v) {
        if (v instanceof Routed.Losses l) {
            WindowStats s = l.stats();
            return new AlertInput.Losses(l.model(), l.modelVersion(), l.segment(), new AlertEvaluator.Losses(s.count,
                    s.sum + s.compensation, s.min, s.max, s.m2, s.m3, s.largest, s.firstLossTime, s.lastLossTime));
        }
        if (v instanceof Routed.PredictionWindow p) {
            return new AlertInput.Predictions(p.metrics(), p.sketch(), p.calibration(), p.minLabelled());
        }
        if (v instanceof Routed.Metrics m && m.metrics().finalResult()) {
            return new AlertInput.Window(m.metrics());
        }
        return null;
    }
}
