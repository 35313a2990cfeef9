package io.losswatch.alert;

import io.losswatch.config.LosswatchConfig;
import io.losswatch.topology.JsonSerde;
import io.losswatch.topology.Routed;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Attaches the alert step to the topology.
 *
 * <pre>
 * prediction intake ─ losses ─ alert-intake-losses-by-model ─┐
 * label join ──────── losses ─ alert-joined-losses-by-model ─┼─ alert-evaluator ─ model-alerts
 * window aggregator ─ final windows (keyed by model) ────────┘        (alert-state store)
 * </pre>
 *
 * The evaluator needs a (model, version)'s final windows and its per-event losses in one task. The
 * windows come straight from the aggregator; the losses come over their own model-keyed repartition
 * topics (one per producing sub-topology: merging before repartitioning would fuse the intake and the
 * join into one sub-topology). All repartition topics have losswatch.topic.partitions partitions and
 * are keyed by model; Kafka's default partitioner hashes a String key exactly as the aggregator's
 * ModelPartitioner does (murmur2 of the UTF-8 name), so the evaluator's task for a model is the
 * aggregator's task for it (AlertsIT checks this on two partitions). The per-event
 * feed does not depend on every event passing through the aggregator, which may later receive partial
 * aggregates instead; it costs one small record per labelled prediction (none for models whose alerts
 * are off). It feeds the sequential detector and the baseline's per-event skewness.
 */
public final class AlertStep {
    private AlertStep() {
    }

    /** Names of the state store and internal topics: part of the application's state, do not rename. */
    public static final String STATE_STORE = "alert-state";
    public static final String INTAKE_LOSSES_BY_MODEL = "alert-intake-losses-by-model";
    public static final String JOINED_LOSSES_BY_MODEL = "alert-joined-losses-by-model";

    public static void attach(StreamsBuilder builder, LosswatchConfig config, KStream<String, Routed> intake,
                              KStream<String, Routed> joined, KStream<String, Routed> windows) {
        Map<String, AlertSettings> cache = new ConcurrentHashMap<>();
        Function<String, AlertSettings> settings = model -> cache.computeIfAbsent(model,
                m -> AlertSettings.forModel(config, m));
        AlertEvaluator evaluator = new AlertEvaluator(config.windowSize().toMillis(), config.windowAdvance().toMillis());
        int partitions = config.topicPartitions();

        // per-event losses by model, for the sequential detector and the baseline's skewness
        KStream<String, AlertInput> intakeLosses = losses(intake, "prediction-intake", settings)
                .repartition(Repartitioned.with(Serdes.String(), new JsonSerde<>(AlertInput.Loss.class))
                        .withName(INTAKE_LOSSES_BY_MODEL).withNumberOfPartitions(partitions))
                .mapValues(v -> (AlertInput) v, Named.as("alert-intake-losses"));
        KStream<String, AlertInput> joinedLosses = losses(joined, "label-join", settings)
                .repartition(Repartitioned.with(Serdes.String(), new JsonSerde<>(AlertInput.Loss.class))
                        .withName(JOINED_LOSSES_BY_MODEL).withNumberOfPartitions(partitions))
                .mapValues(v -> (AlertInput) v, Named.as("alert-joined-losses"));

        // final windows, already keyed by model in the aggregator's task
        KStream<String, AlertInput> finalWindows = windows
                .filter((k, v) -> v instanceof Routed.Metrics m && m.metrics().finalResult(), Named.as("alert-final-windows"))
                .mapValues(v -> (AlertInput) new AlertInput.Window(((Routed.Metrics) v).metrics()),
                        Named.as("alert-window-inputs"));

        // evaluate the rules per (model, version) and publish state changes
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE),
                Serdes.Bytes(), new JsonSerde<>(AlertState.class)).withCachingEnabled());
        finalWindows
                .merge(intakeLosses, Named.as("alert-window-and-intake-inputs"))
                .merge(joinedLosses, Named.as("alert-inputs"))
                .process(() -> new AlertProcessor(evaluator, settings), Named.as("alert-evaluator"), STATE_STORE)
                .to(config.topics().alerts(), Produced.with(Serdes.String(), new JsonSerde<>(Alert.class))
                        .withName("alerts-sink"));
    }

    /** The labelled predictions' losses of a step, for models that are watched. */
    private static KStream<String, AlertInput.Loss> losses(KStream<String, Routed> stream, String step,
                                                          Function<String, AlertSettings> settings) {
        return stream
                .filter((k, v) -> v instanceof Routed.Scored s && settings.apply(s.loss().model()).enabled(),
                        Named.as(step + "-alert-losses"))
                .mapValues(v -> {
                    Routed.LossRecord l = ((Routed.Scored) v).loss();
                    return new AlertInput.Loss(l.model(), l.modelVersion(), l.eventTime(), l.loss());
                }, Named.as(step + "-alert-loss-samples"));
    }
}
